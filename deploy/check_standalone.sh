#!/usr/bin/env bash
# Every service stands alone: installs each service exactly as deploy/docker/Dockerfile does (its
# package and its locked dependencies only, no dev group, not editable) into a fresh environment,
# then, with that environment only, runs `mlp migrate`, `mlp serve` (until /readyz is 200) and
# `mlp worker` against PostgreSQL (TEST_DATABASE_URL, else 127.0.0.1:5432 postgres/postgres).
#
#   make check-standalone           # or: bash deploy/check_standalone.sh [service ...]
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
UV="${UV:-$(command -v uv || echo .tools/bin/uv)}"
export UV_PYTHON_DOWNLOADS=never UV_PYTHON="${UV_PYTHON:-python3}"
SERVICES=("$@")
[ $# -gt 0 ] || SERVICES=(identity registry evaluation billing)
WORK="$(mktemp -d "${TMPDIR:-/tmp}/mlp-standalone.XXXXXX")"
chmod 755 "$WORK"
trap 'rm -rf "$WORK"' EXIT

for service in "${SERVICES[@]}"; do
    started=$SECONDS
    printf '== %s: uv sync --frozen --no-dev --no-editable --package mlp-%s\n' "$service" "$service"
    UV_PROJECT_ENVIRONMENT="$WORK/$service" "$UV" sync -q --frozen --no-dev --no-editable --package "mlp-$service"
    .venv/bin/python -m mlp.devtools.role_check "$service" -- "$WORK/$service/bin/mlp"
    printf '   %s stands alone (%d s)\n' "$service" $((SECONDS - started))
done
