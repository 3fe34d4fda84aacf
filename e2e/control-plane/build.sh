#!/usr/bin/env bash
# Builds the control plane the e2e suite runs on where no Docker engine runs: etcd, kube-apiserver,
# kube-controller-manager and kubectl of pinned versions, from Go modules, into the layout fabric8's kube-api-test
# reads (~/.kubeapitest/k8s/<version>-linux-amd64/). Does nothing when the binaries are already there.
#
#   e2e/control-plane/build.sh                 build (or reuse) and print the directory
#   e2e/control-plane/build.sh --optional      the same, but without Go on the PATH only say so (the build of the
#                                              e2e module runs it this way: where Docker runs, k3s needs none of it)
#   KUBEBUILDER_ASSETS=/dir e2e/control-plane/build.sh
#                                              take etcd, kube-apiserver (and kubectl) from an envtest directory,
#                                              building only what it lacks
#
# `go install` refuses both modules (their go.mod files have replace directives), so each is built from a small
# wrapper module: Kubernetes' staging modules are replaced by their published versions of the same release.
set -euo pipefail

KUBERNETES_VERSION="${KUBERNETES_VERSION:-1.35.4}"
ETCD_VERSION="${ETCD_VERSION:-3.6.16}"
KUBEAPITEST_DIR="${KUBEAPITEST_DIR:-$HOME/.kubeapitest}"
TARGET="$KUBEAPITEST_DIR/k8s/$KUBERNETES_VERSION-linux-amd64"
BINARIES=(etcd kube-apiserver kube-controller-manager kubectl)

log() { echo "control-plane: $*" >&2; }

missing() {
  local name
  for name in "${BINARIES[@]}"; do
    [ -x "$TARGET/$name" ] || echo "$name"
  done
}

# A file that imports the commands to build, so that `go mod tidy` keeps their modules at the pinned versions.
tools_file() {
  { printf '//go:build tools\n\npackage tools\n\nimport (\n'; printf '\t_ "%s"\n' "$@"; printf ')\n'; } > tools.go
}

mkdir -p "$TARGET"

if [ -n "${KUBEBUILDER_ASSETS:-}" ]; then
  for name in etcd kube-apiserver kubectl; do
    if [ ! -x "$TARGET/$name" ] && [ -x "$KUBEBUILDER_ASSETS/$name" ]; then
      log "taking $name from $KUBEBUILDER_ASSETS"
      cp "$KUBEBUILDER_ASSETS/$name" "$TARGET/$name.tmp" && mv "$TARGET/$name.tmp" "$TARGET/$name"
    fi
  done
fi

todo="$(missing)"
if [ -z "$todo" ]; then
  echo "$TARGET"
  exit 0
fi

if ! command -v go >/dev/null; then
  log "go is not on PATH: it is needed to build $(echo $todo)"
  [ "${1:-}" = --optional ] && exit 0
  exit 1
fi
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
export GOFLAGS="${GOFLAGS:-} -mod=mod"

if grep -qx etcd <<<"$todo"; then
  log "building etcd $ETCD_VERSION"
  started=$SECONDS
  mkdir "$work/etcd"
  (
    cd "$work/etcd"
    go mod init kubecrawl.io/control-plane/etcd >/dev/null 2>&1
    go mod edit -require="go.etcd.io/etcd/server/v3@v$ETCD_VERSION"
    tools_file go.etcd.io/etcd/server/v3
    go mod tidy -e >/dev/null 2>&1 || true
    go build -trimpath -ldflags='-s -w' -o "$TARGET/etcd.tmp" go.etcd.io/etcd/server/v3
  )
  mv "$TARGET/etcd.tmp" "$TARGET/etcd"
  log "etcd built in $((SECONDS - started)) s"
fi

kube=()
for name in kube-apiserver kube-controller-manager kubectl; do
  grep -qx "$name" <<<"$todo" && kube+=("$name")
done
if [ "${#kube[@]}" -gt 0 ]; then
  log "building ${kube[*]} $KUBERNETES_VERSION"
  mkdir "$work/kubernetes"
  cd "$work/kubernetes"
  go mod init kubecrawl.io/control-plane/kubernetes >/dev/null 2>&1
  gomod="$(go mod download -json "k8s.io/kubernetes@v$KUBERNETES_VERSION" | sed -n 's/.*"GoMod": "\(.*\)".*/\1/p')"
  go mod edit -require="k8s.io/kubernetes@v$KUBERNETES_VERSION"
  # Every staging module Kubernetes replaces with a local folder is published as v0.<minor>.<patch>.
  staging_version="v0.${KUBERNETES_VERSION#*.}"
  for module in $(sed -n 's#^\s*\(k8s.io/[^ ]*\) => ./staging/.*#\1#p' "$gomod"); do
    go mod edit -replace="$module=$module@$staging_version"
  done
  tools_file k8s.io/kubernetes/cmd/kube-apiserver k8s.io/kubernetes/cmd/kube-controller-manager \
    k8s.io/kubernetes/cmd/kubectl
  go mod tidy -e >/dev/null 2>&1 || true
  minor="${KUBERNETES_VERSION#*.}"; minor="${minor%%.*}"
  ldflags="-s -w"
  for pkg in k8s.io/component-base/version k8s.io/client-go/pkg/version; do
    ldflags+=" -X $pkg.gitVersion=v$KUBERNETES_VERSION -X $pkg.gitMajor=1 -X $pkg.gitMinor=$minor"
    ldflags+=" -X $pkg.gitTreeState=clean -X $pkg.buildDate=1970-01-01T00:00:00Z"
  done
  for name in "${kube[@]}"; do
    started=$SECONDS
    go build -trimpath -ldflags="$ldflags" -o "$TARGET/$name.tmp" "k8s.io/kubernetes/cmd/$name"
    mv "$TARGET/$name.tmp" "$TARGET/$name"
    log "$name built in $((SECONDS - started)) s"
  done
fi

todo="$(missing)"
[ -z "$todo" ] || { log "still missing: $(echo $todo)"; exit 1; }
echo "$TARGET"
