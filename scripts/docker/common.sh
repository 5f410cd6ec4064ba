# shellcheck shell=bash
# Shared settings for the scripts in this folder; source it, do not run it.

# Debian's client: the newer client some machines carry in /usr/local/bin
# has no buildx and rejects DOCKER_BUILDKIT=1.
if [[ -z "${DOCKER:-}" ]]; then
  if [[ -x /usr/bin/docker ]]; then DOCKER=/usr/bin/docker; else DOCKER=docker; fi
fi
export DOCKER DOCKER_BUILDKIT=1

# PID files, logs and the registry's storage of the processes these scripts start.
STATE_DIR="${ZERO2PROD_DOCKER_STATE:-${TMPDIR:-/tmp}/zero2prod-docker}"
mkdir -p "$STATE_DIR"

log() {
  printf '[%s] %s\n' "$(basename "$0")" "$*" >&2
}

fail() {
  log "error: $*"
  exit 1
}

engine_responds() {
  "$DOCKER" info >/dev/null 2>&1
}

# Succeeds when PID is alive and runs the program named NAME, so a stale PID
# file never makes us signal an unrelated process that reused the number.
process_is() {
  local pid="$1" name="$2"
  [[ -n "$pid" && -r "/proc/$pid/comm" && "$(cat "/proc/$pid/comm")" == "$name" ]]
}

# Sends SIGTERM to the process in PID_FILE if it still runs NAME, waits up to
# TIMEOUT seconds for it to exit, then removes the file.
stop_recorded_process() {
  local pid_file="$1" name="$2" timeout="$3" pid i
  [[ -f "$pid_file" ]] || return 0
  pid="$(cat "$pid_file")"
  if process_is "$pid" "$name"; then
    log "stopping $name (PID $pid)"
    kill -TERM "$pid"
    for ((i = 0; i < timeout * 10; i++)); do
      process_is "$pid" "$name" || break
      sleep 0.1
    done
    if process_is "$pid" "$name"; then
      log "$name (PID $pid) still runs after ${timeout}s; sending SIGKILL"
      kill -KILL "$pid"
    fi
  fi
  rm -f "$pid_file"
}
