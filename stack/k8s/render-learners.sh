#!/bin/sh
# A workshop room on Kubernetes: one isolated namespace per learner (learner-1 .. learner-N) from
# overlays/learner, each with its shop, platform, Prometheus and Grafana.
#
#   sh stack/k8s/render-learners.sh N [domain] [ingress-namespace] | kubectl apply -f -
#       Renders N learners to stdout. Each gets its own Secret (JWT key, PostgreSQL password, learner key,
#       Grafana admin password), generated on first render and kept in stack/k8s/.secrets/ (git-ignored) so
#       that re-rendering does not change the password of an existing database. The roster (learner, URL to
#       open with its key, Grafana) is written to stack/k8s/.secrets/roster.tsv. First boots are staggered:
#       learners seed their 500k stock rows in waves of OBS_K8S_SEED_WAVE (default 4), OBS_K8S_SEED_STEP_SECONDS
#       (default 30) apart, so 30 databases do not seed at once.
#   sh stack/k8s/render-learners.sh reset I [domain] [ingress-namespace]
#       Gives learner I a fresh start: deletes the namespace (database, runs, telemetry), renders it again with
#       the same URL and key, and applies it.
#   sh stack/k8s/render-learners.sh teardown I
#       Deletes learner I's namespace and forgets its secrets and roster line.
#
# Rendering is offline (only `kubectl kustomize`); reset and teardown talk to the cluster of the current
# kubectl context. OBS_K8S_DRY_RUN=1 prints their kubectl commands instead of running them.
set -eu
usage() {
  echo "usage: $0 N [domain] [ingress-namespace] | $0 reset I [domain] [ingress-namespace] | $0 teardown I" >&2
  exit 2
}
number() { case "$1" in '' | *[!0-9]*) usage ;; esac; [ "$1" -ge 1 ] || usage; }

here="$(cd "$(dirname "$0")" && pwd)"
secrets="${OBS_K8S_SECRETS_DIR:-$here/.secrets}"
roster="$secrets/roster.tsv"
wave="${OBS_K8S_SEED_WAVE:-4}"
step="${OBS_K8S_SEED_STEP_SECONDS:-30}"
number "$wave"
case "$step" in '' | *[!0-9]*) usage ;; esac

cluster() { # runs kubectl against the cluster, or prints the command (OBS_K8S_DRY_RUN=1)
  if [ "${OBS_K8S_DRY_RUN:-}" = 1 ]; then echo "kubectl $*" >&2; cat >/dev/null; else kubectl "$@"; fi
}

random() { od -An -tx1 -N"$1" /dev/urandom | tr -d ' \n'; }
kept() { # file, bytes: the stored value, created once
  [ -s "$1" ] || { (umask 077; random "$2" >"$1"); }
  cat "$1"
}

# Renders learner $1 on domain $2 with the ingress controller in namespace $3, to stdout.
render_one() {
  i="$1"; domain="$2"; ingress_ns="$3"
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
  grafana-admin-password: "$(kept "$secrets/$ns/grafana-admin-password" 24)"
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
      - { op: add, path: /data/OBS_SEED_DELAY_SECONDS, value: "$(((i - 1) / wave * step))" }
  - target: { kind: Ingress, name: observastack }
    patch: |
      - { op: replace, path: /spec/rules/0/host, value: $ns.$domain }
      - { op: replace, path: /spec/rules/1/host, value: shop.$ns.$domain }
      - { op: replace, path: /spec/rules/2/host, value: grafana.$ns.$domain }
      - { op: replace, path: /spec/tls/0/hosts, value: [$ns.$domain, shop.$ns.$domain, grafana.$ns.$domain] }
  - target: { kind: NetworkPolicy, name: allow-ingress-controller }
    patch: |
      - op: replace
        path: /spec/ingress/0/from/0/namespaceSelector/matchLabels
        value: { kubernetes.io/metadata.name: $ingress_ns }
YAML
  # The learner overlay takes Grafana's settings and dashboards from stack/grafana (outside its directory).
  kubectl kustomize --load-restrictor=LoadRestrictionsNone "$dir"
}

roster_line() { # learner $1 on domain $2
  printf 'learner-%s\thttps://learner-%s.%s/?key=%s\thttps://grafana.learner-%s.%s/\n' \
    "$1" "$1" "$2" "$(cat "$secrets/learner-$1/learner-key")" "$1" "$2"
}

[ $# -ge 1 ] || usage
mkdir -p "$secrets"; chmod 700 "$secrets"
case "$1" in
  teardown)
    [ $# -eq 2 ] || usage; number "$2"
    cluster delete namespace "learner-$2" --ignore-not-found --wait=true </dev/null
    rm -rf "${secrets:?}/learner-$2"
    if [ -f "$roster" ]; then
      (umask 077; grep -v "^learner-$2	" "$roster" >"$roster.new" || true; mv "$roster.new" "$roster")
    fi
    echo "learner-$2 torn down" >&2
    exit 0
    ;;
esac

# kustomize accepts only relative paths to other kustomizations: work beside overlays/.
work="$(mktemp -d "$here/.render.XXXXXX")"
trap 'rm -rf "$work"' EXIT INT TERM

case "$1" in
  reset)
    [ $# -ge 2 ] && [ $# -le 4 ] || usage; number "$2"
    domain="${3:-workshop.example}"; ingress_ns="${4:-ingress-nginx}"
    case "$domain" in *[!a-z0-9.-]* | '') echo "invalid domain: $domain" >&2; exit 2 ;; esac
    [ -s "$secrets/learner-$2/learner-key" ] || { echo "learner-$2 was never rendered here" >&2; exit 1; }
    cluster delete namespace "learner-$2" --ignore-not-found --wait=true </dev/null
    # A fresh database: its password may stay (the volume that used it is gone with the namespace).
    render_one "$2" "$domain" "$ingress_ns" | cluster apply -f -
    echo "learner-$2 reset: $(roster_line "$2" "$domain" | cut -f2)" >&2
    ;;
  *)
    [ $# -le 3 ] || usage
    n="$1"; number "$n"
    domain="${2:-workshop.example}"; ingress_ns="${3:-ingress-nginx}"
    case "$domain" in *[!a-z0-9.-]* | '') echo "invalid domain: $domain" >&2; exit 2 ;; esac
    (umask 077; printf 'learner\turl\tgrafana\n' >"$roster")
    i=1
    while [ "$i" -le "$n" ]; do
      [ "$i" -gt 1 ] && echo "---"
      render_one "$i" "$domain" "$ingress_ns"
      roster_line "$i" "$domain" >>"$roster"
      i=$((i + 1))
    done
    ;;
esac
