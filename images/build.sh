#!/bin/bash
# Builds the two Kubecrawl images on a Debian machine that has no Docker engine and pulls nothing from an image
# registry: two Debian bases are debootstrapped from the machine's own Debian mirror (and cached), imported into the
# local container storage, and each Dockerfile is built FROM its base with buildah. The worker image stays on Debian 12
# (bookworm), for its OpenJDK 17 and Debian's Scrapy 2.8; the operator image is on Debian 13 (trixie), for its
# OpenJDK 25, whose AOT cache the operator's entrypoint keeps in the data volume
# (operator/src/main/sh/kubecrawl-operator).
#
#   images/build.sh            # as root; prints each image's size and build time
#   images/build.sh base       # only steps 1 and 2
#
# Steps, each skipped when its result is already there:
#   1. the Debian packages it needs (debootstrap, buildah, podman, runc, and a debian-archive-keyring that knows
#      trixie's keys), with apt-get;
#   2. the bases, bookworm ($WORKER_BASE_IMAGE) and trixie ($OPERATOR_BASE_IMAGE): each a minbase debootstrap cached
#      as a tarball of its own in $KUBECRAWL_IMAGES_CACHE (default ~/.cache/kubecrawl-images), given the machine's
#      Debian sources under its own suite names, slimmed as Debian's -slim images are and imported;
#   3. the Java artifacts (./mvnw -B package -DskipTests) if operator/target/quarkus-app or the worker jar is absent;
#   4. the worker image from worker-image/Dockerfile FROM the bookworm base and the operator image from
#      operator/src/main/docker/Dockerfile.jvm FROM the trixie base, each with --build-arg BASE_IMAGE and --pull=never.
#
# Environment: KUBECRAWL_IMAGE_TAG (default dev), KUBECRAWL_IMAGES_CACHE, KUBECRAWL_REBUILD_BASE=1 to debootstrap both
# bases again, KUBECRAWL_DEBIAN_MIRROR to debootstrap from another mirror.
set -euo pipefail

repo="$(cd "$(dirname "$0")/.." && pwd)"
tag="${KUBECRAWL_IMAGE_TAG:-dev}"
cache="${KUBECRAWL_IMAGES_CACHE:-$HOME/.cache/kubecrawl-images}"
WORKER_BASE_IMAGE="localhost/kubecrawl/debian:12-minbase"
OPERATOR_BASE_IMAGE="localhost/kubecrawl/debian:13-minbase"
OPERATOR_IMAGE="localhost/kubecrawl/kubecrawl-operator:$tag"
WORKER_IMAGE="localhost/kubecrawl/kubecrawl-worker:$tag"

log() { printf '[images] %s\n' "$*" >&2; }
seconds_since() { echo $(( $(date +%s) - $1 )); }

if [ "$(id -u)" != 0 ]; then
  echo "images/build.sh runs as root (debootstrap, and buildah's root storage)" >&2
  exit 1
fi

# 1. Debian packages. debootstrap checks a suite's Release file against the machine's
# /usr/share/keyrings/debian-archive-keyring.gpg: bookworm's debian-archive-keyring has carried trixie's keys since a
# stable update (2023.3+deb12u2 here verifies trixie's Release with them); with an older one the trixie debootstrap
# fails ("Release signed by unknown key"), and installing the package from the machine's mirror brings the update.
need=()
for pair in debootstrap:debootstrap buildah:buildah podman:podman runc:runc; do
  command -v "${pair%%:*}" > /dev/null || need+=("${pair#*:}")
done
[ -f /usr/share/keyrings/debian-archive-trixie-stable.gpg ] || need+=(debian-archive-keyring)
if [ "${#need[@]}" -gt 0 ]; then
  log "installing ${need[*]}"
  apt-get update -q
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${need[@]}" uidmap
fi

# 2. The bases: debootstrap each suite once (the slow part, cached as a tarball), then slim a copy and import it.
# $1 the suite, $2 the image.
base() {
  local suite="$1" image="$2" raw_tar="$cache/debian-$1-minbase-debootstrap.tar" rootfs start machine_suite
  if [ "${KUBECRAWL_REBUILD_BASE:-0}" = 1 ]; then
    rm -f "$raw_tar"
    podman rmi -f "$image" > /dev/null 2>&1 || true
  fi
  if podman image exists "$image"; then
    return
  fi
  mkdir -p "$cache"
  rootfs="$(mktemp -d "$cache/rootfs.XXXXXX")"
  # shellcheck disable=SC2064 # the path now: rootfs is local to this function, the trap runs after it
  trap "rm -rf '$rootfs'" EXIT
  if [ ! -f "$raw_tar" ]; then
    start=$(date +%s)
    # debootstrap's default mirror is Debian's own redirector, the one the machine's apt uses unless it says
    # otherwise; KUBECRAWL_DEBIAN_MIRROR names another.
    log "debootstrap --variant=minbase $suite (a few minutes, once)"
    debootstrap --variant=minbase "$suite" "$rootfs" ${KUBECRAWL_DEBIAN_MIRROR:-} \
      > "$cache/debootstrap-$suite.log" 2>&1 || { tail -30 "$cache/debootstrap-$suite.log" >&2; exit 1; }
    tar --numeric-owner --xattrs -C "$rootfs" -cf "$raw_tar.partial" .
    mv "$raw_tar.partial" "$raw_tar"
    log "debootstrapped $raw_tar in $(seconds_since "$start") s"
  else
    tar --numeric-owner --xattrs -C "$rootfs" -xf "$raw_tar"
  fi
  # The machine's own Debian sources, with its updates and security suites, so that packages installed in the images
  # get the same updates as the machine's (debootstrap's sources.list names only the release): the same URIs and keys,
  # the machine's release renamed to this suite on the Suites lines (bookworm-security becomes trixie-security). Its
  # comments are about the machine's sources and are left out.
  if [ -f /etc/apt/sources.list.d/debian.sources ]; then
    machine_suite="$(. /etc/os-release && echo "$VERSION_CODENAME")"
    sed -e '/^#/d' -e "/^Suites:/ s/\b$machine_suite\b/$suite/g" /etc/apt/sources.list.d/debian.sources \
      > "$rootfs/etc/apt/sources.list.d/debian.sources"
    rm -f "$rootfs/etc/apt/sources.list"
  fi
  # Slim, as Debian's -slim images are: no documentation, manual pages or translations, now or from later installs,
  # and apt keeps neither the packages it downloaded nor its binary caches (a Dockerfile's apt-get install would
  # otherwise leave every .deb in its layer).
  cat > "$rootfs/etc/dpkg/dpkg.cfg.d/kubecrawl-slim" <<'SLIM'
path-exclude /usr/share/doc/*
path-include /usr/share/doc/*/copyright
path-exclude /usr/share/man/*
path-exclude /usr/share/groff/*
path-exclude /usr/share/info/*
path-exclude /usr/share/lintian/*
path-exclude /usr/share/linda/*
path-exclude /usr/share/locale/*
path-include /usr/share/locale/locale.alias
SLIM
  cat > "$rootfs/etc/apt/apt.conf.d/kubecrawl-slim" <<'APT'
APT::Install-Recommends "false";
APT::Install-Suggests "false";
Acquire::Languages "none";
DPkg::Post-Invoke { "rm -f /var/cache/apt/archives/*.deb /var/cache/apt/archives/partial/*.deb /var/cache/apt/*.bin || true"; };
APT::Update::Post-Invoke { "rm -f /var/cache/apt/archives/*.deb /var/cache/apt/archives/partial/*.deb /var/cache/apt/*.bin || true"; };
Dir::Cache::pkgcache "";
Dir::Cache::srcpkgcache "";
APT
  find "$rootfs/usr/share/doc" -mindepth 1 -not -name copyright -not -type d -delete
  find "$rootfs/usr/share/doc" -mindepth 1 -type d -empty -delete
  rm -rf "$rootfs"/usr/share/man/* "$rootfs"/usr/share/groff/* "$rootfs"/usr/share/info/* \
    "$rootfs"/usr/share/lintian/* "$rootfs"/usr/share/linda/*
  find "$rootfs/usr/share/locale" -mindepth 1 -maxdepth 1 -not -name locale.alias -exec rm -rf {} +
  rm -rf "$rootfs"/var/lib/apt/lists/* "$rootfs"/var/cache/apt/*.bin "$rootfs"/var/cache/apt/archives/*.deb \
    "$rootfs"/var/log/*.log "$rootfs"/var/log/apt/* "$rootfs"/tmp/* "$rootfs"/var/tmp/*
  : > "$rootfs/etc/machine-id"
  tar --numeric-owner --xattrs -C "$rootfs" -c . | podman import -q \
    --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' --change 'CMD ["/bin/bash"]' \
    - "$image" > /dev/null
  rm -rf "$rootfs"
  trap - EXIT
  log "imported $image"
}
# The worker image stays on bookworm: its Scrapy is Debian 12's python3-scrapy, and its agent runs on OpenJDK 17.
base bookworm "$WORKER_BASE_IMAGE"
# The operator image is on trixie for OpenJDK 25, whose AOT cache its entrypoint trains and keeps in the data volume;
# bookworm has no JDK newer than 17.
base trixie "$OPERATOR_BASE_IMAGE"

if [ "${1:-}" = base ]; then
  exit 0
fi

# 3. The Java artifacts.
if [ ! -f "$repo/operator/target/quarkus-app/quarkus-run.jar" ] || [ ! -f "$repo/worker-image/target/kubecrawl-worker.jar" ]; then
  start=$(date +%s)
  log "./mvnw -B package -DskipTests"
  (cd "$repo" && ./mvnw -B -q package -DskipTests)
  log "Java artifacts in $(seconds_since "$start") s"
fi

# 4. The images. apt-get inside a build reaches the mirror through the machine's network (--network=host). The RUN
# steps run under runc, as images/run.sh's containers do: Debian 12's default, crun, refuses a machine whose cgroups
# are hybrid (v1 controllers, and a v2 hierarchy with one of its own: "cgroups in hybrid mode not supported"), as
# some of this project's machines are; runc runs on those and on v2 alike.
build() {
  local image="$1" base_image="$2" dockerfile="$3" context="$4" start
  start=$(date +%s)
  log "building $image FROM $base_image"
  buildah bud --runtime runc --pull=never --network=host --layers --build-arg "BASE_IMAGE=$base_image" \
    -f "$dockerfile" -t "$image" "$context" >&2 \
    || return # set -e does not reach into the $(build ...) below: a failed build must fail the assignment itself
  echo "$image $(seconds_since "$start")"
}
times=()
times+=("$(build "$WORKER_IMAGE" "$WORKER_BASE_IMAGE" "$repo/worker-image/Dockerfile" "$repo/worker-image")")
times+=("$(build "$OPERATOR_IMAGE" "$OPERATOR_BASE_IMAGE" "$repo/operator/src/main/docker/Dockerfile.jvm" \
  "$repo/operator")")

echo
printf '%-50s %12s %10s\n' IMAGE SIZE "BUILD (s)"
for entry in "${times[@]}"; do
  image="${entry% *}"
  printf '%-50s %12s %10s\n' "$image" "$(podman image inspect --format '{{.Size}}' "$image" | numfmt --to=si)" "${entry##* }"
done
podman images --filter reference='localhost/kubecrawl/*'
