#!/bin/sh
# Image entrypoint. node-postgres reads the password from PGPASSWORD only, while compose and Kubernetes mount it
# as a file; this turns PGPASSWORD_FILE into PGPASSWORD and then runs the command.
set -eu
if [ -n "${PGPASSWORD_FILE:-}" ] && [ -z "${PGPASSWORD:-}" ]; then
  PGPASSWORD="$(cat "$PGPASSWORD_FILE")"
  export PGPASSWORD
fi
exec "$@"
