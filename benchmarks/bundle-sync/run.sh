#!/usr/bin/env bash
# Bundle sync benchmark: kubecrawl-worker sync against rsync (daemon on loopback) and cp -a, on the same data, in a
# temporary directory on one disk. Prints one line per run and the ratios the targets are stated in.
#
#   benchmarks/bundle-sync/run.sh       # builds protocol and worker-image first, unless SKIP_BUILD=1
#
# Needs Java 17, rsync (apt-get install -y rsync), bc and python3, and about 7 GiB free under $TMPDIR (default /tmp):
# nothing is deleted before the end, since on a disk mounted with discard deleting gigabytes slows the runs after it.
# The bundle server is DirectoryBundleServer from the worker-image test classes (the operator's own server needs
# Kubernetes); it is warmed up with untimed syncs first, as a long-running operator would be.
# Page caches cannot be dropped here, so every cold copy goes into a fresh, empty directory while the sources sit in
# the page cache: "cold" means the target is empty, not that the disk cache is cold. Each cold figure is one run.
# kubecrawl-worker runs as the image runs it: through its launcher, with the class archive the image builds.
# It fsyncs every file before renaming it into place; cp -a and rsync -a do not, so the same copies are also timed
# durably (dd conv=fsync for the big file, rsync --fsync for both), the like-for-like figures. It writes the big file
# with direct I/O, past the page cache, which cp -a fills: how fast fresh memory comes to this VM (memory freed
# moments ago comes fast, memory the host took back slowly) moves cp -a's time by half, and the ratio with it.
# PARALLELISM (default 4) and JAVA_OPTS go to kubecrawl-worker.
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
jar="$root/worker-image/target/kubecrawl-worker.jar"
parallelism="${PARALLELISM:-4}"
java_opts="${JAVA_OPTS:-}"

for tool in rsync bc python3 java; do
  command -v "$tool" >/dev/null || { echo "$tool is missing (apt-get install -y $tool)" >&2; exit 2; }
done

if [ "${SKIP_BUILD:-0}" != 1 ]; then
  (cd "$root" && ./mvnw -B -q -pl protocol,worker-image -am install -DskipTests)
fi
classpath_file="$(mktemp)"
(cd "$root" && ./mvnw -B -q -pl worker-image dependency:build-classpath -Dmdep.includeScope=test \
  -Dmdep.outputFile="$classpath_file")
work="$(mktemp -d "${TMPDIR:-/tmp}/bundle-sync-bench.XXXXXX")"
# Private copies: a build running meanwhile in the same tree must not swap the jar or the classes under the runs.
cp "$jar" "$work/kubecrawl-worker.jar"
jar="$work/kubecrawl-worker.jar"
"$root/worker-image/src/main/sh/kubecrawl-worker-class-archive" "$jar" "$work/kubecrawl-worker.jsa"
cp -r "$root/worker-image/target/test-classes" "$work/test-classes"
cp -r "$root/worker-image/target/classes" "$work/classes"
server_cp="$work/test-classes:$work/classes:$(cat "$classpath_file")"
rm -f "$classpath_file"
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

echo "work directory: $work ($(df --output=source,fstype "$work" | tail -1 | tr -s ' '))"
echo "machine: $(nproc) cores, $(free -g | awk '/Mem:/ {print $2}') GiB; $(java -version 2>&1 | head -1); $(rsync --version | head -1)"
echo "load average before the runs: $(cut -d' ' -f1-3 /proc/loadavg) (other work on the machine skews every figure)"

# --- data: one 1 GiB file; 10,000 files of 10 KiB in 100 directories ---------------------------------------------
mkdir -p "$work/src/big" "$work/src/small"
head -c $((1024 * 1024 * 1024)) /dev/urandom > "$work/src/big/big.bin"
python3 - "$work/src/small" <<'PY'
import os, sys
root = sys.argv[1]
for i in range(10000):
    d = os.path.join(root, "pkg%02d" % (i // 1000), "mod%02d" % (i % 1000 // 100))
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, "file%05d.py" % i), "wb") as f:
        f.write(os.urandom(10240))
PY
sync
big_bytes=$((1024 * 1024 * 1024))
small_bytes=$((10000 * 10240))

# --- servers: the bundle service stand-in (test classpath) and an rsync daemon, both on loopback --------------------
start_server() { # directory -> sets port and digest
  local out
  out="$work/server-$(basename "$1").out"
  java -cp "$server_cp" io.kubecrawl.worker.DirectoryBundleServer "$1" 0 > "$out" 2> "$out.err" &
  pids+=($!)
  for _ in $(seq 1 600); do grep -q '^port=' "$out" 2>/dev/null && break; sleep 0.1; done
  port="$(sed -n 's/^port=\([0-9]*\) .*/\1/p' "$out")"
  digest="$(sed -n 's/.* digest=\(sha256:[0-9a-f]*\) .*/\1/p' "$out")"
  [ -n "$port" ] || { echo "bundle server did not start:"; cat "$out.err"; exit 1; }
}
start_server "$work/src/big"; big_port=$port; big_digest=$digest
start_server "$work/src/small"; small_port=$port; small_digest=$digest

rsync_port="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
cat > "$work/rsyncd.conf" <<CONF
use chroot = no
read only = yes
log file = $work/rsyncd.log
[big]
path = $work/src/big
[small]
path = $work/src/small
CONF
rsync --daemon --no-detach --config="$work/rsyncd.conf" --port="$rsync_port" --address=127.0.0.1 &
pids+=($!)
for _ in $(seq 1 100); do (exec 3<>"/dev/tcp/127.0.0.1/$rsync_port") 2>/dev/null && break; sleep 0.1; done

# --- runs -------------------------------------------------------------------------------------------------------
declare -A seconds
timed() { # name command...
  local name="$1" start end
  shift
  start="$(date +%s.%N)"
  "$@" > "$work/$name.log" 2>&1 || { echo "$name failed:"; tail -5 "$work/$name.log"; exit 1; }
  end="$(date +%s.%N)"
  seconds[$name]="$(echo "$end - $start" | bc -l)"
}
worker_sync() { # port digest target
  # shellcheck disable=SC2086
  KUBECRAWL_OPERATOR_ADDRESS="127.0.0.1:$1" KUBECRAWL_NAMESPACE=crawls KUBECRAWL_JOB=quotes-1 \
    KUBECRAWL_WORKER=bench KUBECRAWL_TOKEN=t0ken-from-secret KUBECRAWL_BUNDLE_DIGEST="$2" \
    KUBECRAWL_WORKER_JAR="$jar" KUBECRAWL_WORKER_CLASS_ARCHIVE="$work/kubecrawl-worker.jsa" JAVA_OPTS="$java_opts" \
    "$root/worker-image/src/main/sh/kubecrawl-worker" sync --target="$3" --parallelism="$parallelism"
}
same_tree() { diff -r -q -x .kubecrawl "$1" "$2" > /dev/null || { echo "DIFFERENT: $1 $2"; exit 1; }; }

# The operator is a long-running server: warm the stand-in's JIT with syncs that are not timed, one of the big
# bundle and two of the small one.
worker_sync "$big_port" "$big_digest" "$work/warm-up" > /dev/null 2>&1 && rm -rf "$work/warm-up"
worker_sync "$small_port" "$small_digest" "$work/warm-up" > /dev/null 2>&1 && rm -rf "$work/warm-up"
worker_sync "$small_port" "$small_digest" "$work/warm-up" > /dev/null 2>&1 && rm -rf "$work/warm-up"

sync; timed cp_big            cp -a "$work/src/big" "$work/cp-big"
sync; timed dd_big_fsync      dd if="$work/src/big/big.bin" of="$work/dd-big.bin" bs=1M conv=fsync
sync; timed kc_big            worker_sync "$big_port" "$big_digest" "$work/kc-big"
sync; timed rsync_big         rsync -a "rsync://127.0.0.1:$rsync_port/big/" "$work/rs-big/"
sync; timed rsync_big_fsync   rsync -a --fsync "rsync://127.0.0.1:$rsync_port/big/" "$work/rsf-big/"
sync; timed cp_small          cp -a "$work/src/small" "$work/cp-small"
sync; timed kc_small          worker_sync "$small_port" "$small_digest" "$work/kc-small"
sync; timed rsync_small       rsync -a "rsync://127.0.0.1:$rsync_port/small/" "$work/rs-small/"
sync; timed rsync_small_fsync rsync -a --fsync "rsync://127.0.0.1:$rsync_port/small/" "$work/rsf-small/"
# A re-sync lasts a few tenths of a second, so one run is mostly the machine's noise: five of each, taking turns,
# and the median counts.
warm_names=(kc_small_warm rsync_small_warm kc_big_warm rsync_big_warm)
for i in 1 2 3 4 5; do
  sync; timed "kc_small_warm_$i"    worker_sync "$small_port" "$small_digest" "$work/kc-small"
  sync; timed "rsync_small_warm_$i" rsync -a "rsync://127.0.0.1:$rsync_port/small/" "$work/rs-small/"
  sync; timed "kc_big_warm_$i"      worker_sync "$big_port" "$big_digest" "$work/kc-big"
  sync; timed "rsync_big_warm_$i"   rsync -a "rsync://127.0.0.1:$rsync_port/big/" "$work/rs-big/"
done
declare -A warm_runs
for name in "${warm_names[@]}"; do
  runs=()
  for i in 1 2 3 4 5; do runs+=("${seconds[${name}_$i]}"); done
  seconds[$name]="$(printf '%s\n' "${runs[@]}" | sort -g | sed -n 3p)"
  warm_runs[$name]="$(printf '%.3f ' "${runs[@]}")"
  cp "$work/${name}_1.log" "$work/$name.log"
done

same_tree "$work/src/big" "$work/kc-big"
same_tree "$work/src/small" "$work/kc-small"
same_tree "$work/src/small" "$work/rs-small"

# --- report -----------------------------------------------------------------------------------------------------
rate() { echo "scale=1; $2 / 1000000 / ${seconds[$1]}" | bc -l; }
row() { printf '  %-36s %8.3f s  %9s MB/s\n' "$1" "${seconds[$2]}" "$([ -n "${3:-}" ] && rate "$2" "$3" || echo -)"; }
ratio() { echo "scale=2; $1 / $2" | bc -l; }
echo "load average after the runs: $(cut -d' ' -f1-3 /proc/loadavg)"
echo
echo "one 1 GiB file, cold (empty target)"
row "cp -a (local-disk limit)" cp_big $big_bytes
row "dd conv=fsync (durable disk limit)" dd_big_fsync $big_bytes
row "kubecrawl-worker sync (durable)" kc_big $big_bytes
row "rsync -a from daemon" rsync_big $big_bytes
row "rsync -a --fsync from daemon" rsync_big_fsync $big_bytes
echo "10,000 files of 10 KiB, cold (empty target)"
row "cp -a (local-disk limit)" cp_small $small_bytes
row "kubecrawl-worker sync (durable)" kc_small $small_bytes
row "rsync -a from daemon" rsync_small $small_bytes
row "rsync -a --fsync from daemon" rsync_small_fsync $small_bytes
echo "re-sync with nothing changed (whole process, JVM start included; median of 5 runs, then the runs)"
warm_row() { printf '  %-36s %8.3f s  (%s)\n' "$1" "${seconds[$2]}" "${warm_runs[$2]% }"; }
warm_row "kubecrawl-worker sync, 10,000 files" kc_small_warm
warm_row "rsync -a, 10,000 files" rsync_small_warm
warm_row "kubecrawl-worker sync, 1 GiB file" kc_big_warm
warm_row "rsync -a, 1 GiB file" rsync_big_warm
echo
echo "big file vs cp -a, throughput ratio (target >= 0.8):         $(ratio "${seconds[cp_big]}" "${seconds[kc_big]}")"
echo "  like for like, vs dd conv=fsync:                            $(ratio "${seconds[dd_big_fsync]}" "${seconds[kc_big]}")"
echo "small files vs rsync cold, speed-up (target >= 1.5):         $(ratio "${seconds[rsync_small]}" "${seconds[kc_small]}")"
echo "  like for like, vs rsync --fsync:                            $(ratio "${seconds[rsync_small_fsync]}" "${seconds[kc_small]}")"
echo "warm re-sync vs rsync no-change, time ratio (target <= 2):   $(ratio "${seconds[kc_small_warm]}" "${seconds[rsync_small_warm]}")"
printf 'warm re-sync, absolute (target < 0.5 s):                     %.3f s\n' "${seconds[kc_small_warm]}"
echo
echo "kubecrawl-worker's own summaries:"
for name in kc_big kc_small kc_small_warm kc_big_warm; do
  printf '  %-14s %s\n' "$name" "$(tail -1 "$work/$name.log" | sed 's/^kubecrawl-worker sync: bundle [^ ]* in place in [^:]*: //')"
done
