#!/usr/bin/env bash
# Starts Debian's docker-registry (distribution 2.8) on 127.0.0.1:5000 with
# storage under the state folder, or stops the one this script started.
# Usage: registry.sh start|stop
# Loopback registries need no insecure-registry setting in the engine.
set -euo pipefail
# shellcheck source=scripts/docker/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

address="${REGISTRY_ADDRESS:-127.0.0.1:5000}"
pid_file="$STATE_DIR/registry.pid"
log_file="$STATE_DIR/registry.log"
config_file="$STATE_DIR/registry.yml"
storage_dir="$STATE_DIR/registry-data"
start_timeout_s=20

registry_responds() {
  curl --silent --fail --max-time 2 --output /dev/null "http://$address/v2/"
}

start_registry() {
  if registry_responds; then
    log "a registry already responds on $address; using it"
    return 0
  fi
  command -v docker-registry >/dev/null \
    || fail "docker-registry not found; install it with: apt-get install -y docker-registry"

  mkdir -p "$storage_dir"
  cat >"$config_file" <<YAML
version: 0.1
log:
  level: warn
storage:
  filesystem:
    rootdirectory: $storage_dir
  delete:
    enabled: true
http:
  addr: $address
YAML

  log "starting docker-registry on $address (log: $log_file)"
  docker-registry serve "$config_file" >"$log_file" 2>&1 &
  local pid=$! i
  echo "$pid" >"$pid_file"
  disown "$pid"

  for ((i = 0; i < start_timeout_s * 10; i++)); do
    registry_responds && return 0
    # kill -0 rather than process_is: until the child has exec'd, its name is still bash.
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
  done
  tail -n 20 "$log_file" >&2 || true
  if kill -0 "$pid" 2>/dev/null; then
    stop_recorded_process "$pid_file" docker-registry 5
    fail "timed out after ${start_timeout_s}s waiting for docker-registry to respond on $address; see $log_file"
  fi
  rm -f "$pid_file"
  fail "docker-registry exited before it responded on $address; see $log_file"
}

case "${1:-}" in
  start) start_registry ;;
  stop) stop_recorded_process "$pid_file" docker-registry 10 ;;
  *) fail "usage: $0 start|stop" ;;
esac
