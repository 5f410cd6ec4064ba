#!/usr/bin/env bash
# Starts a Docker engine when none responds, or stops the one this script started.
# Usage: engine.sh start|stop
# An engine that was already running is left alone by both commands.
set -euo pipefail
# shellcheck source=scripts/docker/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

pid_file="$STATE_DIR/dockerd.pid"
log_file="$STATE_DIR/dockerd.log"
start_timeout_s=60

start_engine() {
  if engine_responds; then
    log "a Docker engine already responds; using it"
    return 0
  fi
  command -v dockerd >/dev/null || fail "dockerd not found; install it with: apt-get install -y docker.io"

  log "starting dockerd (log: $log_file)"
  dockerd >"$log_file" 2>&1 &
  local pid=$! i
  echo "$pid" >"$pid_file"
  disown "$pid"

  for ((i = 0; i < start_timeout_s * 2; i++)); do
    if engine_responds; then
      log "dockerd (PID $pid) responds after $((i / 2))s"
      return 0
    fi
    # kill -0 rather than process_is: until the child has exec'd, its name is still bash.
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.5
  done
  tail -n 20 "$log_file" >&2 || true
  if kill -0 "$pid" 2>/dev/null; then
    stop_recorded_process "$pid_file" dockerd 10
    fail "timed out after ${start_timeout_s}s waiting for dockerd to respond; see $log_file"
  fi
  rm -f "$pid_file"
  fail "dockerd exited before it responded; see $log_file"
}

case "${1:-}" in
  start) start_engine ;;
  stop) stop_recorded_process "$pid_file" dockerd 30 ;;
  *) fail "usage: $0 start|stop" ;;
esac
