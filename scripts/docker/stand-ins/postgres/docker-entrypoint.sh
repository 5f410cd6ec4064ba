#!/usr/bin/env bash
# Entrypoint of the postgres:17 stand-in, following the official image's
# contract. On an empty PGDATA it runs initdb for POSTGRES_USER (default
# postgres) with POSTGRES_PASSWORD (required unless POSTGRES_HOST_AUTH_METHOD
# is trust), creates POSTGRES_DB (default: the user's name) and runs
# /docker-entrypoint-initdb.d/*.sh and *.sql. Each of these variables may
# come from a file named by <VARIABLE>_FILE instead. The server then runs as
# the postgres user; arguments starting with "-" are passed to it.
set -Eeuo pipefail

log() {
  printf 'postgres stand-in: %s\n' "$*" >&2
}

# Exports NAME from $NAME or from the file named by ${NAME}_FILE, else DEFAULT.
read_setting() {
  local name="$1" default="${2:-}" file_variable="${1}_FILE" value
  if [[ -n "${!name:-}" && -n "${!file_variable:-}" ]]; then
    log "error: both $name and $file_variable are set; set only one"
    exit 1
  fi
  value="$default"
  if [[ -n "${!name:-}" ]]; then
    value="${!name}"
  elif [[ -n "${!file_variable:-}" ]]; then
    value="$(<"${!file_variable}")"
  fi
  export "$name=$value"
  unset "$file_variable"
}

run_init_scripts() {
  local file
  shopt -s nullglob
  for file in /docker-entrypoint-initdb.d/*; do
    case "$file" in
      *.sh)
        log "running $file"
        # shellcheck disable=SC1090 # The image's user provides these scripts at run time.
        if [[ -x "$file" ]]; then "$file"; else source "$file"; fi
        ;;
      *.sql)
        log "running $file"
        psql -v ON_ERROR_STOP=1 --no-psqlrc --no-password --username "$POSTGRES_USER" \
          --dbname "$POSTGRES_DB" --file "$file"
        ;;
      *) log "ignoring $file (only *.sh and *.sql run)" ;;
    esac
  done
}

initialise_cluster() {
  read_setting POSTGRES_PASSWORD
  read_setting POSTGRES_USER postgres
  read_setting POSTGRES_DB "$POSTGRES_USER"
  read_setting POSTGRES_INITDB_ARGS
  local auth_method="${POSTGRES_HOST_AUTH_METHOD:-scram-sha-256}" initdb_args=()

  if [[ -z "$POSTGRES_PASSWORD" && "$auth_method" != trust ]]; then
    log "error: POSTGRES_PASSWORD is not set. Set it to the superuser's password, or set POSTGRES_HOST_AUTH_METHOD=trust to accept connections without one (unsafe outside tests)."
    exit 1
  fi

  # NOTE: POSTGRES_INITDB_ARGS is split on whitespace; quotes inside it are not parsed.
  read -r -a initdb_args <<<"$POSTGRES_INITDB_ARGS"
  initdb_args=(--username="$POSTGRES_USER" --auth-local=trust --auth-host="$auth_method" "${initdb_args[@]}")
  log "initialising a cluster in $PGDATA for user $POSTGRES_USER"
  if [[ -n "$POSTGRES_PASSWORD" ]]; then
    # A process substitution keeps the password off the command line.
    initdb "${initdb_args[@]}" --pwfile=<(printf '%s\n' "$POSTGRES_PASSWORD") >/dev/null
  else
    initdb "${initdb_args[@]}" >/dev/null
  fi

  printf '%s\n' "listen_addresses = '*'" "unix_socket_directories = '/var/run/postgresql'" \
    >>"$PGDATA/postgresql.conf"
  printf 'host all all all %s\n' "$auth_method" >>"$PGDATA/pg_hba.conf"

  # The setup server listens on a private socket only, so a readiness check
  # (pg_isready on the usual socket or TCP) fails until the real server runs.
  local setup_socket
  setup_socket="$(mktemp -d)"
  pg_ctl --pgdata="$PGDATA" --wait --silent \
    --options="-c listen_addresses='' -c unix_socket_directories=$setup_socket" start
  export PGHOST="$setup_socket"

  if [[ "$POSTGRES_DB" != postgres ]]; then
    psql -v ON_ERROR_STOP=1 --no-psqlrc --no-password --quiet --username "$POSTGRES_USER" \
      --dbname postgres --set db="$POSTGRES_DB" <<<'CREATE DATABASE :"db";'
  fi
  run_init_scripts

  pg_ctl --pgdata="$PGDATA" --wait --silent --mode=fast stop
  unset PGHOST
  rm -rf "$setup_socket"
  log "cluster ready; starting the server"
}

if [[ "$#" -eq 0 || "${1:0:1}" == "-" ]]; then
  set -- postgres "$@"
fi

if [[ "$1" == postgres && "$(id -u)" == 0 ]]; then
  mkdir -p "$PGDATA" /var/run/postgresql
  chown postgres:postgres "$PGDATA" /var/run/postgresql
  chmod 0700 "$PGDATA"
  export HOME=/var/lib/postgresql
  exec setpriv --reuid=postgres --regid=postgres --init-groups "${BASH_SOURCE[0]}" "$@"
fi

if [[ "$1" == postgres && ! -s "$PGDATA/PG_VERSION" ]]; then
  initialise_cluster
fi
exec "$@"
