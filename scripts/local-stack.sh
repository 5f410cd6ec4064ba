#!/usr/bin/env bash
# Runs Pulumi on the `local` stack with its state in .pulumi/ inside the repository, so the
# stack needs no Pulumi Cloud account and no passphrase prompt.
#   scripts/local-stack.sh up|preview|destroy|output [extra pulumi flags]
set -euo pipefail

cd "$(dirname "$0")/.."

action="${1:-up}"
shift || true
case "$action" in
  up | preview | output | destroy) ;;
  *)
    echo "Unknown action \"$action\": use up, preview, destroy or output." >&2
    exit 2
    ;;
esac

command -v pulumi >/dev/null || {
  echo "The Pulumi CLI is not installed: see https://www.pulumi.com/docs/install/ and run this again." >&2
  exit 1
}

export PULUMI_BACKEND_URL="file://$PWD/.pulumi"
# The local stack's only secret is the generated PostgreSQL password, kept in .pulumi/ (ignored by
# git), so an empty passphrase is enough here. Other stacks use their own secrets provider.
export PULUMI_CONFIG_PASSPHRASE="${PULUMI_CONFIG_PASSPHRASE-}"
mkdir -p .pulumi

if [[ "$action" == up || "$action" == preview ]]; then
  pulumi stack select --create local --non-interactive >/dev/null
else
  pulumi stack select local --non-interactive >/dev/null
fi

case "$action" in
  up) pulumi up --stack local --yes --non-interactive "$@" && pulumi stack output url --stack local ;;
  preview) pulumi preview --stack local --diff "$@" ;;
  output) pulumi stack output --stack local "$@" ;;
  destroy) pulumi destroy --stack local --yes --non-interactive "$@" ;;
esac
