#!/bin/sh
# Runs Compose with whichever CLI this machine has: the `docker compose` plugin (v2) or the standalone
# `docker-compose` (v1, e.g. Debian's package). v1 has no `up --wait`: there, after `up -d`, this script waits
# until every started container with a healthcheck is healthy (and fails if one exits or turns unhealthy).
# Usage: sh stack/scripts/compose.sh [compose args…]   e.g. compose.sh -f stack/compose.yaml up -d --wait
set -eu
if docker compose version >/dev/null 2>&1; then exec docker compose "$@"; fi
if ! command -v docker-compose >/dev/null 2>&1; then
  echo "compose.sh: neither \`docker compose\` nor \`docker-compose\` is installed (install Docker Compose, or run: bash ../shared/tools/containers.sh up)" >&2
  exit 127
fi
wait=false
for a in "$@"; do [ "$a" = --wait ] && wait=true; done
[ "$wait" = true ] || exec docker-compose "$@"

# v1 and --wait: drop the flag, start, then wait for health.
n=$#; i=0
for a in "$@"; do
  i=$((i + 1))
  [ "$a" = --wait ] || set -- "$@" "$a"
done
shift "$n"
docker-compose "$@"
# The project's options (-f, -p, --project-directory …) are everything before `up`.
opts=""
for a in "$@"; do [ "$a" = up ] && break; opts="$opts '$a'"; done
deadline=$(( $(date +%s) + ${OBS_COMPOSE_WAIT_S:-300} ))
while :; do
  ids=$(eval "docker-compose $opts ps -q")
  pending=""
  for id in $ids; do
    s=$(docker inspect -f '{{.Name}} {{.State.Status}} {{if .State.Health}}{{.State.Health.Status}}{{else}}none{{end}} {{.State.ExitCode}} {{index .Config.Labels "com.docker.compose.service"}}' "$id")
    set -- $s
    case "$2:$3" in
      running:healthy|running:none) ;;
      exited:none) [ "$4" = 0 ] || { echo "compose.sh: $5 exited with code $4" >&2; exit 1; } ;;
      *:unhealthy) echo "compose.sh: $5 is unhealthy" >&2; exit 1 ;;
      *) pending="$pending $5($2/$3)" ;;
    esac
  done
  [ -z "$pending" ] && { echo "compose.sh: every container is running and healthy"; exit 0; }
  [ "$(date +%s)" -lt "$deadline" ] || { echo "compose.sh: still waiting for:$pending after ${OBS_COMPOSE_WAIT_S:-300} s" >&2; exit 1; }
  sleep 2
done
