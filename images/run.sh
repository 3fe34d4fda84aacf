#!/bin/bash
# Runs the two images built by images/build.sh under the security context the chart and the operator give their pods
# (a fixed non-root uid, a read-only root file system, every capability dropped, podman's default seccomp profile as
# RuntimeDefault, no privilege escalation, writable volumes only where the pod mounts them), on this machine:
#
#   1. a control plane: etcd and kube-apiserver from ~/.kubeapitest/k8s/<version>/ (the e2e suite's source-built
#      binaries), on ports of their own; the CRDs; the chart's ClusterRole bound to the ServiceAccount
#      kubecrawl-system/kubecrawl, whose token the operator gets as a pod would (in-cluster configuration);
#   2. the operator image, until /q/health/ready answers UP;
#   3. a quotes site on loopback (images/quotes_site.py), the quotes example's ConfigMap and Spider, and a CrawlJob whose
#      seeds are that site's pages;
#   4. the worker pod the operator's Job describes, played by podman: its sync container, then its run container, with
#      the pod template's command, arguments and environment (the token read from the Secret the template names),
#      until the frontier is drained; the sync shows the class data sharing archive in use (-Xshare:on -Xlog:cds);
#   5. the CrawlJob's status and the job's items from the operator's HTTP API;
#   6. the operator killed once it has written its class-data archive (a minute after its recovery; on the image's
#      JDK 25 an AOT cache, operator-<build>.aot, on a JDK before 25 a dynamic CDS archive, operator-<build>.jsa) and
#      started again: the restart starts from the archive and the JVM maps it; then everything is stopped.
#
#   images/run.sh                     # as root, after images/build.sh
#
# Environment: KUBECRAWL_IMAGE_TAG (default dev); KUBECRAWL_RUN_OPERATOR_MEMORY, the operator container's memory
# limit (default 1536m, the chart's); KUBECRAWL_RUN_PORT_BASE (default 18000): the site listens on it,
# the operator's HTTP API on +80, its gRPC on +90, etcd on +379/+380, kube-apiserver on +443.
set -euo pipefail

repo="$(cd "$(dirname "$0")/.." && pwd)"
tag="${KUBECRAWL_IMAGE_TAG:-dev}"
OPERATOR_IMAGE="localhost/kubecrawl/kubecrawl-operator:$tag"
WORKER_IMAGE="localhost/kubecrawl/kubecrawl-worker:$tag"
base="${KUBECRAWL_RUN_PORT_BASE:-18000}"
operator_memory="${KUBECRAWL_RUN_OPERATOR_MEMORY:-1536m}"
site_port=$base
http_port=$((base + 80))
grpc_port=$((base + 90))
etcd_port=$((base + 379))
etcd_peer_port=$((base + 380))
api_port=$((base + 443))
dir="${KUBECRAWL_RUN_DIR:-/tmp/kubecrawl-images-run}"
bin="$(ls -d "$HOME"/.kubeapitest/k8s/*/ 2> /dev/null | sort -V | tail -1)"
if [ -z "$bin" ] || [ ! -x "$bin/kube-apiserver" ]; then
  echo "no control plane binaries in ~/.kubeapitest/k8s/: build them with e2e/control-plane/build.sh" >&2
  exit 1
fi
seccomp=/usr/share/containers/seccomp.json
namespace=default

log() { printf '\n[run] %s\n' "$*" >&2; }

# Polls the operator container's readiness for up to 2 minutes, from now: sets ready (the answer, empty if it never
# came or the container exited) and ready_ms.
await_operator_ready() {
  local started
  started=$(date +%s%N)
  ready=""
  for _ in $(seq 240); do
    if ready="$(curl -sf "http://127.0.0.1:$http_port/q/health/ready")"; then break; fi
    [ "$(podman inspect -f '{{.State.Running}}' kubecrawl-operator)" = true ] || break
    sleep 0.5
  done
  ready_ms=$(( ($(date +%s%N) - started) / 1000000 ))
}

pids=()
containers=(kubecrawl-operator kubecrawl-worker-sync kubecrawl-worker-run)
cleanup() {
  for c in "${containers[@]}"; do podman rm -f -t 5 "$c" > /dev/null 2>&1 || true; done
  for ((i = ${#pids[@]} - 1; i >= 0; i--)); do kill "${pids[i]}" 2> /dev/null || true; wait "${pids[i]}" 2> /dev/null || true; done
}
trap cleanup EXIT

rm -rf "$dir"
mkdir -p "$dir/logs" "$dir/certs"
for c in "${containers[@]}"; do podman rm -f "$c" > /dev/null 2>&1 || true; done

# The containers run under runc, as images/build.sh's RUN steps do: crun, Debian 12's default, refuses a machine whose
# cgroups are hybrid ("cgroups in hybrid mode not supported"). podman start and exec keep a container's runtime.
runtime=(--runtime runc)

# The security context of the chart's operator pod and of the operator's worker pods, in podman's words. Resource
# limits: podman's defaults raise open files and processes to their maximum, which root here may not (it lacks
# CAP_SYS_RESOURCE on these machines); the containers get the machine's open-files limit and 16384 processes instead.
restricted=(--ulimit "nofile=$(ulimit -Hn):$(ulimit -Hn)" --ulimit nproc=16384:16384 --read-only --read-only-tmpfs=false --cap-drop=ALL --security-opt "seccomp=$seccomp"
  --security-opt no-new-privileges --network=host --tmpfs /tmp:rw,nosuid,nodev,mode=1777)

# 1. The control plane.
log "etcd and kube-apiserver from $bin"
admin_token="$(head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n')"
printf '%s,kubecrawl-admin,kubecrawl-admin,"system:masters"\n' "$admin_token" > "$dir/tokens.csv"
openssl genrsa -out "$dir/service-account.key" 2048 2> /dev/null
"$bin/etcd" --name images --data-dir "$dir/etcd" --unsafe-no-fsync \
  --listen-client-urls "http://127.0.0.1:$etcd_port" --advertise-client-urls "http://127.0.0.1:$etcd_port" \
  --listen-peer-urls "http://127.0.0.1:$etcd_peer_port" --initial-advertise-peer-urls "http://127.0.0.1:$etcd_peer_port" \
  --initial-cluster "images=http://127.0.0.1:$etcd_peer_port" > "$dir/logs/etcd.log" 2>&1 &
pids+=($!)
"$bin/kube-apiserver" --etcd-servers "http://127.0.0.1:$etcd_port" --bind-address 127.0.0.1 \
  --advertise-address 127.0.0.1 --secure-port "$api_port" --cert-dir "$dir/certs" \
  --token-auth-file "$dir/tokens.csv" --authorization-mode Node,RBAC \
  --service-account-issuer https://kubernetes.default.svc.cluster.local \
  --service-account-key-file "$dir/service-account.key" --service-account-signing-key-file "$dir/service-account.key" \
  --service-cluster-ip-range 10.96.0.0/24 --endpoint-reconciler-type none > "$dir/logs/kube-apiserver.log" 2>&1 &
pids+=($!)
for _ in $(seq 240); do [ -f "$dir/certs/apiserver.crt" ] && break; sleep 0.5; done
cat > "$dir/admin.kubeconfig" <<KUBECONFIG
apiVersion: v1
kind: Config
clusters: [{name: images, cluster: {server: "https://127.0.0.1:$api_port", certificate-authority: "$dir/certs/apiserver.crt"}}]
users: [{name: admin, user: {token: "$admin_token"}}]
contexts: [{name: admin, context: {cluster: images, user: admin}}]
current-context: admin
KUBECONFIG
export KUBECONFIG="$dir/admin.kubeconfig"
kubectl() { "$bin/kubectl" "$@"; }
for _ in $(seq 240); do [ "$(kubectl get --raw /readyz 2> /dev/null)" = ok ] && break; sleep 0.5; done
kubectl get --raw /readyz > /dev/null
kubectl version -o yaml | grep gitVersion | tail -1
kubectl apply -f "$repo/crds/" > /dev/null
kubectl create namespace kubecrawl-system > /dev/null
kubectl -n kubecrawl-system create serviceaccount kubecrawl > /dev/null
# The chart's ClusterRole, unchanged but for its templated name and labels, bound to that ServiceAccount.
sed -e '/{{-/d' -e '/^  labels:$/d' -e 's/{{ include "kubecrawl.fullname" . }}/kubecrawl/' \
  "$repo/helm/kubecrawl/templates/clusterrole.yaml" | kubectl apply -f - > /dev/null
# The chart's Role: the operator may update its own gRPC certificate Secret (it creates it under the ClusterRole).
kubectl -n kubecrawl-system create role kubecrawl-grpc-tls --verb=update --resource=secrets \
  --resource-name=kubecrawl-grpc-tls > /dev/null
kubectl -n kubecrawl-system create rolebinding kubecrawl-grpc-tls --role=kubecrawl-grpc-tls \
  --serviceaccount=kubecrawl-system:kubecrawl > /dev/null
kubectl create clusterrolebinding kubecrawl --clusterrole=kubecrawl --serviceaccount=kubecrawl-system:kubecrawl > /dev/null
kubectl wait --for condition=Established crd --all --timeout=60s > /dev/null
# What the kubelet would project into the operator pod.
mkdir -p "$dir/serviceaccount"
kubectl -n kubecrawl-system create token kubecrawl --duration=2h > "$dir/serviceaccount/token"
cp "$dir/certs/apiserver.crt" "$dir/serviceaccount/ca.crt"
echo kubecrawl-system > "$dir/serviceaccount/namespace"
chmod -R a+rX "$dir/serviceaccount"

# 2. The operator image, as the chart's Deployment runs it (uid/gid 1001, fsGroup 1001 owning the data volume, the
# chart's memory limit: its JVM sizes its heap by it, and the AOT cache is written only with room beside it).
log "operator image $OPERATOR_IMAGE"
mkdir -p "$dir/operator-data"
chown 1001:1001 "$dir/operator-data"
chmod 2770 "$dir/operator-data"
podman "${runtime[@]}" run -d --name kubecrawl-operator --user 1001:1001 --group-add 1001 "${restricted[@]}" \
  --memory "$operator_memory" \
  -v "$dir/operator-data:/var/lib/kubecrawl:rw" \
  -v "$dir/serviceaccount:/var/run/secrets/kubernetes.io/serviceaccount:ro" \
  -e KUBERNETES_SERVICE_HOST=127.0.0.1 -e KUBERNETES_SERVICE_PORT="$api_port" \
  -e KUBECRAWL_WORKER_IMAGE="$WORKER_IMAGE" -e KUBECRAWL_OPERATOR_GRPC_ADDRESS="127.0.0.1:$grpc_port" \
  -e KUBECRAWL_DATA_DIR=/var/lib/kubecrawl -e QUARKUS_HTTP_PORT="$http_port" -e QUARKUS_GRPC_SERVER_PORT="$grpc_port" \
  "$OPERATOR_IMAGE" > /dev/null
await_operator_ready
podman logs kubecrawl-operator 2>&1 | tail -n 25
if [ -z "$ready" ]; then
  echo "the operator did not become ready" >&2
  exit 1
fi
echo "GET /q/health/ready after $ready_ms ms: $ready"
podman inspect -f 'operator container: user {{.Config.User}}, read-only root {{.HostConfig.ReadonlyRootfs}}, security-opt {{.HostConfig.SecurityOpt}}' kubecrawl-operator
# What the kernel says of the operator's process: its ids, no capabilities at all, no new privileges, a seccomp filter
# (mode 2); and that its root file system refuses a write.
podman exec kubecrawl-operator sh -c 'echo "memory limit: $(cat /sys/fs/cgroup/memory.max 2> /dev/null || cat /sys/fs/cgroup/memory/memory.limit_in_bytes) bytes"; grep -E "^(Uid|Gid|Groups|CapEff|CapPrm|CapBnd|NoNewPrivs|Seccomp):" /proc/1/status; touch /deployments/x 2>&1; touch /var/lib/kubecrawl/x && echo "/var/lib/kubecrawl is writable"; rm -f /var/lib/kubecrawl/x'

# 3. The site and the quotes example, its seeds on the site.
log "quotes site on 127.0.0.1:$site_port; the quotes example's ConfigMap, Spider and a CrawlJob of its pages"
python3 "$repo/images/quotes_site.py" "$site_port" 10 2> "$dir/logs/site.log" &
pids+=($!)
kubectl -n "$namespace" apply -f "$repo/examples/quotes/configmap.yaml" > /dev/null
sed "s|image: .*|image: $WORKER_IMAGE|" "$repo/examples/quotes/spider.yaml" | kubectl -n "$namespace" apply -f - > /dev/null
kubectl -n "$namespace" apply -f - > /dev/null <<CRAWLJOB
apiVersion: kubecrawl.io/v1alpha1
kind: CrawlJob
metadata:
  name: quotes
spec:
  spiderRef:
    name: quotes
  workers: 1
  seeds:
$(for t in love inspirational life humor books; do echo "    - http://127.0.0.1:$site_port/tag/$t/"; done)
  frontier:
    partitioning: Host
    slots: 4
    batchSize: 3
CRAWLJOB
for _ in $(seq 120); do kubectl -n "$namespace" get job quotes-workers > /dev/null 2>&1 && break; sleep 0.5; done
kubectl -n "$namespace" get spider,crawljob,job,secret

# 4. The worker pod, from the Job's pod template.
kubectl -n "$namespace" get job quotes-workers -o json > "$dir/job.json"
pod=quotes-workers-podman
# One file per container: NAME=VALUE lines of its environment (fieldRef metadata.name is the pod's name, a
# secretKeyRef is read from the Secret), then its command and arguments, one per line, and its working directory.
# An env file holds one line a variable, so the operator's CA (PEM, several lines) goes into a file the containers
# mount, named by KUBECRAWL_OPERATOR_CA_FILE, the worker's other way to be given it.
python3 - "$dir" "$pod" "$namespace" "$bin/kubectl" <<'PY'
import base64, json, subprocess, sys
out, pod, namespace, kubectl = sys.argv[1:]
spec = json.load(open(out + "/job.json"))["spec"]["template"]["spec"]
def env_of(container):
    lines = []
    for var in container.get("env", []):
        if "value" in var:
            value = var["value"]
        elif "fieldRef" in var["valueFrom"]:
            assert var["valueFrom"]["fieldRef"]["fieldPath"] == "metadata.name"
            value = pod
        else:
            ref = var["valueFrom"]["secretKeyRef"]
            # -o json, not a jsonpath: a key may hold a dot (ca.crt).
            secret = json.loads(subprocess.check_output([kubectl, "-n", namespace, "get", "secret", ref["name"],
                                                         "-o", "json"], text=True))
            value = base64.b64decode(secret["data"][ref["key"]]).decode()
        if var["name"] == "KUBECRAWL_OPERATOR_CA":
            with open(out + "/operator-ca.crt", "w") as ca:
                ca.write(value)
            lines.append("KUBECRAWL_OPERATOR_CA_FILE=/etc/kubecrawl/operator-ca.crt")
            continue
        lines.append(var["name"] + "=" + value)
    return lines
for container in spec["initContainers"] + spec["containers"]:
    name = container["name"]
    with open(f"{out}/{name}.env", "w") as f:
        f.write("\n".join(env_of(container)) + "\n")
    with open(f"{out}/{name}.args", "w") as f:
        f.write("\n".join(container["command"] + container.get("args", [])) + "\n")
    with open(f"{out}/{name}.workdir", "w") as f:
        f.write(container.get("workingDir", ""))
    print(name, "image", container["image"], "command", container["command"] + container.get("args", []),
          "securityContext", json.dumps(container.get("securityContext")))
print("pod securityContext", json.dumps(spec.get("securityContext")))
PY
# The workspace emptyDir, owned by the pod's fsGroup.
mkdir -p "$dir/workspace"
chown 1000:1000 "$dir/workspace"
chmod 2770 "$dir/workspace"
worker() {
  local name="$1"
  shift
  local args=()
  mapfile -t args < "$dir/$name.args"
  local workdir
  workdir="$(cat "$dir/$name.workdir")"
  podman "${runtime[@]}" run --rm --name "kubecrawl-worker-$name" --user 1000:1000 --group-add 1000 "${restricted[@]}" \
    -v "$dir/workspace:/workspace:rw" --env-file "$dir/$name.env" ${workdir:+--workdir "$workdir"} "$@" \
    $([ -f "$dir/operator-ca.crt" ] && echo "-v $dir/operator-ca.crt:/etc/kubecrawl/operator-ca.crt:ro") \
    --entrypoint "${args[0]}" "$WORKER_IMAGE" "${args[@]:1}"
}
log "the worker image under the pod's security context: its process status and a write to its root"
worker_check() {
  podman "${runtime[@]}" run --rm --user 1000:1000 --group-add 1000 "${restricted[@]}" -v "$dir/workspace:/workspace:rw" \
    --entrypoint sh "$WORKER_IMAGE" -c 'grep -E "^(Uid|Gid|Groups|CapEff|CapPrm|CapBnd|NoNewPrivs|Seccomp):" /proc/self/status; touch /opt/kubecrawl/x 2>&1; touch /workspace/x /tmp/x && echo "/workspace and /tmp are writable"; rm -f /workspace/x'
}
worker_check
log "worker sync container (-Xshare:on: the JVM refuses to start unless it maps the class archive)"
worker sync -e JAVA_OPTS="-Xshare:on -Xlog:cds=info:stderr" > "$dir/logs/worker-sync.log" 2>&1 \
  || { cat "$dir/logs/worker-sync.log"; exit 1; }
cat "$dir/logs/worker-sync.log"
log "worker sync again, counting where its classes came from"
worker sync -e JAVA_OPTS="-Xshare:on -Xlog:class+load=info:stdout" > "$dir/class-load.log" 2>&1 || { cat "$dir/class-load.log"; exit 1; }
echo "classes loaded from the shared archive: $(grep -c 'source: shared objects file' "$dir/class-load.log"), from elsewhere: $(grep -v 'source: shared objects file' "$dir/class-load.log" | grep -c 'source:')"
grep -v '^\[' "$dir/class-load.log" | tail -n 3
log "worker run container: leases batches and runs scrapy crawl quotes on each until the frontier is drained"
start=$(date +%s)
status=0
worker run > "$dir/logs/worker-run.log" 2>&1 || status=$?
# The agent's own lines and the Kubecrawl helper's, then the end of Scrapy's log; the whole is in logs/worker-run.log.
grep -E '^kubecrawl-worker|kubecrawl_scrapy\.session\]' "$dir/logs/worker-run.log"
echo ...
tail -n 8 "$dir/logs/worker-run.log"
echo "run exited with $status after $(( $(date +%s) - start )) s"
ls -lan "$dir/workspace"

# 5. What the operator made of it.
log "the CrawlJob and its items"
sleep 6
kubectl -n "$namespace" get crawljob quotes
kubectl -n "$namespace" get crawljob quotes -o jsonpath='phase {.status.phase}, batches {.status.batches}, items {.status.items}, started {.status.startTime}, completed {.status.completionTime}{"\n"}{range .status.conditions[*]}  {.type}={.status} {.reason}: {.message}{"\n"}{end}'
curl -sf -H "Authorization: Bearer $admin_token" \
  "http://127.0.0.1:$http_port/api/v1/namespaces/$namespace/crawljobs/quotes/items" > "$dir/items.jsonl" || true
echo "items from the operator's HTTP API: $(wc -l < "$dir/items.jsonl"), distinct: $(sort -u "$dir/items.jsonl" | wc -l) (the site has 5 pages of 10 quotes)"
head -n 3 "$dir/items.jsonl"
podman logs kubecrawl-operator 2>&1 | tail -n 8
if [ "$status" != 0 ] || [ "$(sort -u "$dir/items.jsonl" | wc -l)" != 50 ]; then
  echo "images/run.sh: FAILED" >&2
  exit 1
fi

# 6. The operator killed, as an out-of-memory kill or a lost node ends it, once it has written the JVM's class-data
# archive (a minute after its recovery), and started again on its data volume: the second run starts from it.
log "the operator's class-data archive, then the operator killed (SIGKILL) and started again from it"
for _ in $(seq 180); do
  podman logs kubecrawl-operator 2>&1 | grep -q 'Class-data archive written to' && break
  sleep 1
done
podman kill kubecrawl-operator > /dev/null
podman wait kubecrawl-operator > /dev/null || true
echo "the first run was killed: exit code $(podman inspect -f '{{.State.ExitCode}}' kubecrawl-operator)"
ls -ln "$dir/operator-data/class-data"
podman start kubecrawl-operator > /dev/null
await_operator_ready
echo "GET /q/health/ready after $ready_ms ms"
# Both runs' lines: the first writes the archive, the second starts from it; the JVM's complaints about an archive
# are tagged [cds] or [aot].
podman logs kubecrawl-operator 2>&1 | grep -E 'kubecrawl-operator:|Class-data archive|\[cds\]|\[aot\]|Recovery done' \
  || true
cmdline="$(podman exec kubecrawl-operator sh -c 'tr "\0" "\n" < /proc/1/cmdline' || true)"
tr '\n' ' ' <<< "$cmdline"; echo
# The flag that names the archive (-XX:AOTCache on JDK 25 and later, -XX:SharedArchiveFile before), and the archive
# among the JVM's memory mappings: a JVM that rejects an archive starts without it and does not keep it mapped.
archive_maps="$(podman exec kubecrawl-operator grep -c /var/lib/kubecrawl/class-data/operator- /proc/1/maps || true)"
echo "mappings of the archive in the restarted JVM: $archive_maps"
if [ -z "$ready" ] || [ "${archive_maps:-0}" -eq 0 ] || ! grep -qE -- \
    '^-XX:(AOTCache|SharedArchiveFile)=/var/lib/kubecrawl/class-data/operator-[0-9]+\.(aot|jsa)$' <<< "$cmdline"; then
  echo "images/run.sh: FAILED (the restarted operator is not ready, or not from the archive)" >&2
  exit 1
fi
echo "images/run.sh: both images ran under the pods' security context; the crawl succeeded"
