#!/bin/sh
# Generates the stack's secrets once: the HS256 key that config-write tokens are signed with, the PostgreSQL
# password, the Grafana admin password, the learner key and the token Alertmanager notifies the orchestrator
# with (docs/security.md). Files land in stack/secrets/ (git-ignored) and are never overwritten.
# Usage: sh stack/scripts/init-secrets.sh [dir]
set -eu
dir="${1:-$(cd "$(dirname "$0")/.." && pwd)/secrets}"
mkdir -p "$dir"
# The folder keeps other host users out; the files stay readable by the containers' non-root users
# (compose bind-mounts file secrets with the host file's mode).
chmod 700 "$dir"

gen() { # name, bytes
  f="$dir/$1"
  if [ -s "$f" ]; then echo "kept      $f"; return; fi
  umask 022
  od -An -tx1 -N"$2" /dev/urandom | tr -d ' \n' >"$f"
  chmod 644 "$f"
  echo "generated $f"
}

gen jwt-secret 32
gen postgres-password 24
gen grafana-admin-password 18
gen learner-key 32
gen alertmanager-token 32
