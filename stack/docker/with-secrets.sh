#!/bin/sh
# Image entrypoint. 1) Checks the settings the image names in OBS_REQUIRED_SETTINGS (space-separated variable
# names) and exits 64 with ONE line naming the first missing or bad one and what it should hold. 2) node-postgres
# reads the password from PGPASSWORD only, while compose and Kubernetes mount it as a file; this turns
# PGPASSWORD_FILE into PGPASSWORD. 3) Runs the command.
set -eu
what() {
  case "$1" in
    OBS_JWT_SECRET_FILE) echo "the path of a readable file holding the HS256 JWT secret (a mounted secret)" ;;
    PGPASSWORD_FILE) echo "the path of a readable file holding the PostgreSQL password (a mounted secret)" ;;
    DATABASE_URL) echo "a postgres:// URL of the shop's database, e.g. postgres://observastack@postgres:5432/observastack" ;;
    OBS_API_URL) echo "the api service's http:// URL, e.g. http://api:8081" ;;
    OBS_INVENTORY_URL) echo "the inventory service's http:// URL, e.g. http://inventory:8082" ;;
    OBS_GATEWAY_URL) echo "the gateway's http:// URL, e.g. http://gateway:8080" ;;
    OBS_GATEWAY_ADMIN_URL) echo "the gateway admin listener's http:// URL, e.g. http://gateway:8090" ;;
    *) echo "a value (see docs/deploy.md)" ;;
  esac
}
bad() { echo "${OBS_SERVICE_NAME:-observastack}: $1 $2: it should hold $(what "$1")" >&2; exit 64; }
for name in ${OBS_REQUIRED_SETTINGS:-}; do
  eval "value=\${$name:-}"
  [ -n "$value" ] || bad "$name" "is not set"
  case "$name" in
    *_FILE) [ -r "$value" ] && [ -f "$value" ] || bad "$name" "names '$value', which is not a readable file" ;;
    DATABASE_URL) case "$value" in postgres://*|postgresql://*) ;; *) bad "$name" "is '$value'" ;; esac ;;
    *_URL) case "$value" in http://*|https://*) ;; *) bad "$name" "is '$value'" ;; esac ;;
  esac
done
if [ -n "${PGPASSWORD_FILE:-}" ] && [ -z "${PGPASSWORD:-}" ]; then
  PGPASSWORD="$(cat "$PGPASSWORD_FILE")"
  export PGPASSWORD
fi
exec "$@"
