#!/usr/bin/env bash
# Checks everything under deploy/ without a cluster or a container registry:
#   1. every Kubernetes manifest, with kubernetes-validate --strict against Kubernetes 1.30
#      (unknown fields are errors); kustomization.yaml files are not objects and are skipped
#   2. the output of every kustomization (deploy/k8s/*), when kubectl or kustomize is present
#   3. nginx -t on the local gateway (nginx.local.conf) and on the Kubernetes one (nginx.conf,
#      Service names swapped for 127.0.0.1 since they resolve only in a cluster)
#   4. deploy/gateway/smoke_test.py: real nginx, stand-in services, forward auth end to end
#   5. the alert rules: promtool check rules and promtool test rules (Debian's prometheus package,
#      installed here when missing and root); the dashboards parse as JSON
#   6. deploy/monitoring and deploy/autoscaling build with kustomize; their objects are CRDs
#      (PodMonitor, ScaledObject) that kubernetes-validate has no schema for, so they are not
#      schema-checked here
#
#   bash deploy/check.sh            # from anywhere; exits non-zero on the first failure
#
# kubernetes-validate is installed once into a throwaway venv under .data/ (never into the
# project's environment); nginx comes from Debian (installed here when missing and root).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
K8S_VERSION="${K8S_VERSION:-1.30.0}"
KV_VERSION="1.37.0"
VENV="$ROOT/.data/kubernetes-validate-venv"
KV="$VENV/bin/kubernetes-validate"
WORK="$(mktemp -d "${TMPDIR:-/tmp}/mlp-deploy-check.XXXXXX")"
chmod 755 "$WORK"
trap 'rm -rf "$WORK"' EXIT

step() { printf '\n== %s\n' "$*"; }

# --- 1. manifests ---------------------------------------------------------------------------
if [ ! -x "$KV" ]; then
    step "installing kubernetes-validate $KV_VERSION into $VENV"
    mkdir -p "$ROOT/.data"
    if command -v uv >/dev/null 2>&1; then
        uv venv -q --python python3 "$VENV"
        uv pip install -q --python "$VENV/bin/python" "kubernetes-validate==$KV_VERSION"
    else
        python3 -m venv "$VENV"
        "$VENV/bin/pip" install -q "kubernetes-validate==$KV_VERSION"
    fi
fi

step "kubernetes-validate --strict -k $K8S_VERSION (every manifest)"
mapfile -t manifests < <(find deploy/k8s -name '*.yaml' ! -name kustomization.yaml | sort)
"$KV" --strict -k "$K8S_VERSION" "${manifests[@]}"

# --- 2. kustomize builds --------------------------------------------------------------------
if command -v kubectl >/dev/null 2>&1; then
    build=(kubectl kustomize)
elif command -v kustomize >/dev/null 2>&1; then
    build=(kustomize build)
else
    build=()
fi
if [ ${#build[@]} -gt 0 ]; then
    step "${build[*]} deploy/k8s/* | kubernetes-validate --strict"
    for dir in deploy/k8s/*/; do
        name="$(basename "$dir")"
        "${build[@]}" "$dir" > "$WORK/$name.yaml"
        "$KV" --strict -k "$K8S_VERSION" "$WORK/$name.yaml" | sed "s|$WORK/$name.yaml|kustomize($dir)|"
    done
else
    step "kustomize builds skipped: neither kubectl nor kustomize is installed"
fi

# --- 3. nginx syntax --------------------------------------------------------------------------
if ! command -v nginx >/dev/null 2>&1 && [ ! -x /usr/sbin/nginx ]; then
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
        step "installing nginx (Debian)"
        apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nginx >/dev/null
    else
        echo "nginx is missing: apt-get install -y nginx" >&2
        exit 1
    fi
fi
NGINX="$(command -v nginx || echo /usr/sbin/nginx)"

step "nginx -t: deploy/gateway/nginx.local.conf"
mkdir -p "$WORK/local"
"$NGINX" -t -e stderr -p "$WORK/local" -c "$ROOT/deploy/gateway/nginx.local.conf"

step "nginx -t: deploy/gateway/nginx.conf (Kubernetes; Service names as 127.0.0.1)"
mkdir -p "$WORK/k8s/conf" "$WORK/k8s/run"
cp deploy/gateway/*.conf "$WORK/k8s/conf/"
sed -E -i \
    -e 's/server (identity|registry|evaluation|billing):/server 127.0.0.1:/' \
    -e "s#/tmp/#$WORK/k8s/run/#" \
    "$WORK/k8s/conf/nginx.conf"
"$NGINX" -t -e stderr -p "$WORK/k8s" -c "$WORK/k8s/conf/nginx.conf"

# --- 4. gateway behaviour -------------------------------------------------------------------
step "gateway smoke test (forward auth, routes, request ids)"
python3 deploy/gateway/smoke_test.py

# --- 5. alert rules and dashboards -----------------------------------------------------------
if ! command -v promtool >/dev/null 2>&1; then
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
        step "installing promtool (Debian's prometheus package)"
        apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends prometheus >/dev/null
    else
        echo "promtool is missing: apt-get install -y prometheus" >&2
        exit 1
    fi
fi
step "promtool check rules / test rules: deploy/monitoring/alerts.yaml"
promtool check rules deploy/monitoring/alerts.yaml
(cd deploy/monitoring && promtool test rules alerts.test.yaml)
step "promtool check rules: the rule file inside deploy/k8s/billing/usage-alerts.yaml"
"$VENV/bin/python" -c 'import sys, yaml; print(yaml.safe_load(open(sys.argv[1]))["data"]["billing-usage.rules.yaml"])' \
    deploy/k8s/billing/usage-alerts.yaml > "$WORK/billing-usage.rules.yaml"
promtool check rules "$WORK/billing-usage.rules.yaml"
step "dashboards parse as JSON"
for dashboard in deploy/monitoring/dashboards/*.json; do
    python3 -m json.tool "$dashboard" >/dev/null && echo "ok $dashboard"
done

# --- 6. CRD-based manifests (built, not schema-checked) ----------------------------------------
if [ ${#build[@]} -gt 0 ]; then
    step "${build[*]} deploy/monitoring deploy/autoscaling (PodMonitor, ScaledObject: CRDs, no schema here)"
    for dir in deploy/monitoring deploy/autoscaling; do
        "${build[@]}" "$dir" >/dev/null && echo "ok $dir"
    done
fi

printf '\ndeploy/check.sh: all checks passed\n'
