#!/usr/bin/env bash
# `npm run test:stack`: the stack as a learner gets it, in real containers.
#  1. builds the four images (containers.sh build when present, otherwise docker build) and the test stand-ins
#     for the images this machine cannot pull (see compose.stand-ins.yaml: PostgreSQL 18, Prometheus);
#  2. brings up the core stack (postgres, migrate, inventory, api, gateway, orchestrator, Prometheus) and waits
#     until every container is healthy;
#  3. runs the Playwright learner journey against the containerized platform (stack/test/e2e/);
#  4. checks that Prometheus scrapes every target and all are up;
#  5. tears everything down with its volumes, also when a step failed, and exits with the first failure's code.
# Settings: OBS_HOST_PORT (4000), OBS_GATEWAY_HOST_PORT (8080), OBS_PROMETHEUS_HOST_PORT (9090): a port already
# taken is replaced by a free one (said so). OBS_TEST_KEEP=1 leaves the stack up for a look; OBS_TEST_SKIP_BUILD=1
# reuses the images of the previous run.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root"
t0=$(date +%s)
log() { printf '[test:stack %3ds] %s\n' "$(( $(date +%s) - t0 ))" "$*"; }

command -v docker >/dev/null || { echo "test:stack: docker is not installed (run: bash ../shared/tools/containers.sh up)" >&2; exit 1; }
docker info >/dev/null 2>&1 || { echo "test:stack: the Docker daemon is not running (run: bash ../shared/tools/containers.sh up)" >&2; exit 1; }
CONTAINERS_SH=""
for c in "$root/../shared/tools/containers.sh" /work/shared/tools/containers.sh; do [ -f "$c" ] && { CONTAINERS_SH=$c; break; }; done
export CONTAINERS_SH
mode=docker; [ -n "$CONTAINERS_SH" ] && mode=containers

free_port() { node -e "const s=require('net').createServer().listen($1,'127.0.0.1',()=>{console.log(s.address().port);s.close()}).on('error',()=>{const t=require('net').createServer().listen(0,'127.0.0.1',()=>{console.log(t.address().port);t.close()})})"; }
for v in OBS_HOST_PORT:4000 OBS_GATEWAY_HOST_PORT:8080 OBS_PROMETHEUS_HOST_PORT:9090; do
  name=${v%%:*} want=${!name:-${v#*:}}
  got=$(free_port "$want")
  [ "$got" = "$want" ] || log "port $want is taken: $name=$got"
  export "$name=$got"
done

export OBS_IMAGE_PREFIX=localhost/observastack OBS_VERSION=test
# The journey below checks the containers' wiring, not this machine's capacity (the capacity probe has its own
# tests): the scenarios' own rates, and no 50 s probe before the first run.
export OBS_CALIBRATION="${OBS_CALIBRATION:-off}"
export POSTGRES_IMAGE=localhost/observastack-test/postgres:18-stand-in
export OBS_TEST_PROMETHEUS_IMAGE=localhost/observastack-test/prometheus:stand-in
compose=(sh stack/scripts/compose.sh -p observastack-test -f stack/compose.yaml -f stack/test/compose.stand-ins.yaml)

build() { # tag dockerfile
  if [ "$mode" = containers ]; then bash "$CONTAINERS_SH" build "$1" "$2" . >/tmp/observastack-build.log 2>&1 || { tail -30 /tmp/observastack-build.log >&2; return 1; }
  else docker build -q -t "$1" -f "$2" . >/dev/null; fi
}
if [ "${OBS_TEST_SKIP_BUILD:-}" = 1 ]; then log "OBS_TEST_SKIP_BUILD=1: reusing the images of the previous run"; else
log "building images with $mode build"
for s in gateway api inventory; do build "$OBS_IMAGE_PREFIX/$s:$OBS_VERSION" "sut/$s/Dockerfile"; log "built $s"; done
build "$OBS_IMAGE_PREFIX/orchestrator:$OBS_VERSION" orchestrator/Dockerfile; log "built orchestrator"
bash stack/test/build-stand-ins.sh "$mode" "$POSTGRES_IMAGE" "$OBS_TEST_PROMETHEUS_IMAGE" >/tmp/observastack-build.log 2>&1 || { tail -30 /tmp/observastack-build.log >&2; exit 1; }
log "built stand-ins (postgres 18 from @embedded-postgres, prometheus from Debian)"
fi
for s in gateway api inventory orchestrator; do
  log "image $s: $(docker image inspect -f '{{.Size}}' "$OBS_IMAGE_PREFIX/$s:$OBS_VERSION" | awk '{printf "%d MB", $1/1e6}')"
done

sh stack/scripts/init-secrets.sh >/dev/null
teardown() {
  rc=$?
  if [ "$rc" != 0 ]; then
    log "FAILED (exit $rc): last logs"
    "${compose[@]}" ps >&2 || true
    "${compose[@]}" logs --tail=25 >&2 || true
  fi
  if [ "${OBS_TEST_KEEP:-}" = 1 ]; then log "OBS_TEST_KEEP=1: stack left up"; else
    "${compose[@]}" down -v --remove-orphans >/dev/null 2>&1 || log "compose down failed"
    log "stack removed (volumes too)"
  fi
  log "done in $(( $(date +%s) - t0 )) s, exit $rc"
  exit "$rc"
}
trap teardown EXIT
log "starting the core stack"
"${compose[@]}" up -d --no-build --wait
base="http://127.0.0.1:$OBS_HOST_PORT"
log "stack healthy; platform at $base"

E2E_BASE_URL=$base OBS_PROMETHEUS_URL="http://127.0.0.1:$OBS_PROMETHEUS_HOST_PORT" OBS_COMPOSE_PROJECT=observastack-test \
  npx playwright test -c stack/test/playwright.stack.config.ts
log "learner journey passed"
# One Kubernetes learner's containers, as its manifests give them, beside the compose stack (own network).
node stack/test/k8s-learner-under-docker.ts
log "Kubernetes learner under Docker passed"
