#!/usr/bin/env bash
# Recovery benchmark (outside the test suite): a freshly started operator recovers JOBS CrawlJobs (default 1,000) in
# mixed phases (Running, Suspended, Completing, Succeeded, Failed, Pending), each of SEEDS seeds (default 10,000) in
# batches of one, on a real control plane (etcd and kube-apiserver built from source, in ~/.kubeapitest; no
# controller manager, no pods). The operator runs as a process of its own with -Xmx$HEAP (default 512m), on free
# ports. Prints the time from its launch to its readiness (the recovery gate open), its recovery metrics and its
# heap. The operator is started through the image's entrypoint (operator/src/main/sh/kubecrawl-operator), so the
# first run writes the class-data archive a minute after its recovery and the measured runs start from it, as in a
# pod; CLASS_DATA_ARCHIVE=false measures starts without one, CLASS_DATA_ARCHIVE=alternate with and without it in turn.
# RUNS=n measures n starts, each on the same mix of statuses, and prints their median. PROFILE=true adds a flight
# recording of the measured run and its profile; OPERATOR_JVM_OPTIONS adds options to the operator's JVM, and
# ALTERNATE_JVM_OPTIONS, when set, replaces them in even runs (two settings compared by starts taken in turn);
# OPERATOR_JAVA_HOME runs it on another JDK (default: as the image runs it, on a JDK 25 or later from /usr/lib/jvm,
# else the java on the PATH); KEEP_WORK=1 keeps the work directory (logs, flight recording). See
# RecoveryBenchmark (operator test sources) for what each figure is.
set -euo pipefail
cd "$(dirname "$0")/../.."
root="$(pwd)"
binaries="${CONTROL_PLANE_BINARIES:-$HOME/.kubeapitest/k8s/1.35.4-linux-amd64}"
for binary in etcd kube-apiserver; do
  [ -x "$binaries/$binary" ] || { echo "$binaries/$binary is missing (e2e/control-plane/build.sh builds it)" >&2; exit 2; }
done

if [ "${SKIP_BUILD:-0}" != 1 ]; then
  # install, not package: the classpath below is resolved from the local repository, which a fresh clone has not
  # filled with this project's modules yet.
  ./mvnw -B -q -pl operator -am install -DskipTests
fi
classpath_file="$(mktemp)"
./mvnw -B -q -pl operator dependency:build-classpath -Dmdep.includeScope=test -Dmdep.outputFile="$classpath_file"
work="$(mktemp -d "${TMPDIR:-/tmp}/recovery-bench.XXXXXX")"
if [ "${KEEP_WORK:-0}" = 1 ]; then
  trap 'rm -f "$classpath_file"; echo "kept: $work (logs/ holds the operator'"'"'s and the control plane'"'"'s logs)"' EXIT
else
  trap 'rm -rf "$work" "$classpath_file"' EXIT
fi

if [ -z "${OPERATOR_JAVA_HOME:-}" ]; then
  release="$(grep -lE '^JAVA_VERSION="(2[5-9]|[3-9][0-9])' /usr/lib/jvm/*/release 2> /dev/null | sort | head -1 || true)"
  OPERATOR_JAVA_HOME="${release:+$(dirname "$release")}"
fi
echo "machine: $(nproc) cores, $(free -g | awk '/Mem:/ {print $2}') GiB; $(java -version 2>&1 | head -1)"
echo "the operator's JVM: ${OPERATOR_JAVA_HOME:-the java on the PATH}"
java -Drecovery-benchmark.jobs="${JOBS:-1000}" -Drecovery-benchmark.seeds="${SEEDS:-10000}" \
  -Drecovery-benchmark.heap="${HEAP:-512m}" -Drecovery-benchmark.profile="${PROFILE:-false}" \
  -Drecovery-benchmark.jvm-options="${OPERATOR_JVM_OPTIONS:-}" \
  -Drecovery-benchmark.alternate-jvm-options="${ALTERNATE_JVM_OPTIONS:-}" \
  -Drecovery-benchmark.java-home="${OPERATOR_JAVA_HOME:-$(dirname "$(dirname "$(readlink -f "$(command -v java)")")")}" \
  -Drecovery-benchmark.class-data-archive="${CLASS_DATA_ARCHIVE:-true}" -Drecovery-benchmark.runs="${RUNS:-1}" \
  -cp "$root/operator/target/test-classes:$root/operator/target/classes:$root/crds/target/classes:$root/protocol/target/classes:$(cat "$classpath_file")" \
  io.kubecrawl.operator.system.RecoveryBenchmark "$root" "$binaries" "$work" || {
    status=$?
    echo "the benchmark failed ($status); the operator's and the control plane's logs:"
    tail -n 30 "$work"/logs/*.log
    exit "$status"
  }
