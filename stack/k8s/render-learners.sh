#!/bin/sh
# Renders N isolated learners (namespaces learner-1 .. learner-N) from overlays/learner, to stdout:
#   sh stack/k8s/render-learners.sh 20 workshop.example.org | kubectl apply -f -
# Each learner gets its own Secret (JWT key, PostgreSQL password, learner key), generated on first render and
# kept in stack/k8s/.secrets/ (git-ignored) so that re-rendering does not change the password of an existing
# database. The roster (learner, URL to open with its key) is written to stack/k8s/.secrets/roster.tsv.
# Offline: only `kubectl kustomize` is used; nothing talks to a cluster.
set -eu
usage() { echo "usage: $0 N [domain] [ingress-namespace]" >&2; exit 2; }
[ $# -ge 1 ] || usage
n="$1"; domain="${2:-workshop.example}"; ingress_ns="${3:-ingress-nginx}"
case "$n" in ''|*[!0-9]*) usage ;; esac
[ "$n" -ge 1 ] || usage
case "$domain" in *[!a-z0-9.-]*|'') echo "invalid domain: $domain" >&2; exit 2 ;; esac

here="$(cd "$(dirname "$0")" && pwd)"
secrets="${OBS_K8S_SECRETS_DIR:-$here/.secrets}"
# kustomize accepts only relative paths to other kustomizations: work beside overlays/.
work="$(mktemp -d "$here/.render.XXXXXX")"
trap 'rm -rf "$work"' EXIT INT TERM
mkdir -p "$secrets"; chmod 700 "$secrets"

random() { od -An -tx1 -N"$1" /dev/urandom | tr -d ' \n'; }
kept() { # file, bytes: the stored value, created once
  [ -s "$1" ] || { (umask 077; random "$2" >"$1"); }
  cat "$1"
}

roster="$secrets/roster.tsv"
(umask 077; printf 'learner\turl\n' >"$roster")
i=1
while [ "$i" -le "$n" ]; do
  ns="learner-$i"
  dir="$work/$ns"; mkdir -p "$dir" "$secrets/$ns"
  cat >"$dir/secret.yaml" <<YAML
apiVersion: v1
kind: Secret
metadata:
  name: observastack-secrets
type: Opaque
stringData:
  jwt-secret: "$(kept "$secrets/$ns/jwt-secret" 32)"
  postgres-password: "$(kept "$secrets/$ns/postgres-password" 24)"
  learner-key: "$(kept "$secrets/$ns/learner-key" 32)"
YAML
  cat >"$dir/kustomization.yaml" <<YAML
apiVersion: kustomize.config.k8s.io/v1beta1
kind: Kustomization
namespace: $ns
resources:
  - ../../overlays/learner
  - secret.yaml
patches:
  - target: { kind: Namespace }
    patch: |
      - { op: replace, path: /metadata/name, value: $ns }
  - target: { kind: ConfigMap, name: observastack-env }
    patch: |
      - { op: replace, path: /data/OBS_PUBLIC_URL, value: "https://$ns.$domain" }
  - target: { kind: Ingress, name: observastack }
    patch: |
      - { op: replace, path: /spec/rules/0/host, value: $ns.$domain }
      - { op: replace, path: /spec/rules/1/host, value: shop.$ns.$domain }
      - { op: replace, path: /spec/tls/0/hosts, value: [$ns.$domain, shop.$ns.$domain] }
  - target: { kind: NetworkPolicy, name: allow-ingress-controller }
    patch: |
      - op: replace
        path: /spec/ingress/0/from/0/namespaceSelector/matchLabels
        value: { kubernetes.io/metadata.name: $ingress_ns }
YAML
  [ "$i" -gt 1 ] && echo "---"
  kubectl kustomize "$dir"
  printf '%s\thttps://%s.%s/?key=%s\n' "$ns" "$ns" "$domain" "$(cat "$secrets/$ns/learner-key")" >>"$roster"
  i=$((i + 1))
done
