#!/bin/sh
# Runs node when the first argument is an option (`-e ...`) or not a command
# (`app.js`), as the official image does; anything else runs as given.
set -e
if [ "$#" -eq 0 ] || [ "${1#-}" != "$1" ] || ! command -v -- "$1" >/dev/null 2>&1; then
  set -- node "$@"
fi
exec "$@"
