#!/usr/bin/env bash
# Builds each service's image from deploy/docker/Dockerfile and starts it: `podman build
# --isolation chroot` on a base made from Debian packages (base_image.sh, cached), then the
# image's `mlp migrate`, `mlp serve` (until /readyz is 200) and `mlp worker`, run as the image's
# user from its filesystem (podman mount + chroot: `podman run` needs cgroups these machines
# lack), against PostgreSQL (TEST_DATABASE_URL, else 127.0.0.1:5432). Prints each image's size.
#
#   make check-images               # or: bash deploy/docker/check_images.sh [service ...]
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$ROOT"
SERVICES=("$@")
[ $# -gt 0 ] || SERVICES=(identity registry evaluation billing)
BASE="$(bash deploy/docker/base_image.sh)"

container=""
mnt=""
cleanup() {
    if [ -n "$mnt" ]; then
        umount "$mnt/proc" 2>/dev/null || true
        umount "$mnt/dev" 2>/dev/null || true
    fi
    if [ -n "$container" ]; then
        podman umount "$container" >/dev/null 2>&1 || true
        podman rm "$container" >/dev/null 2>&1 || true
    fi
    container="" mnt=""
}
trap cleanup EXIT

sizes=()
for service in "${SERVICES[@]}"; do
    image="localhost/mlp-$service:check"
    started=$SECONDS
    printf '== %s: podman build --isolation chroot (base %s)\n' "$service" "$BASE"
    podman build -q --isolation chroot --layers -f deploy/docker/Dockerfile \
        --ignorefile deploy/docker/Dockerfile.dockerignore \
        --build-arg PYTHON_IMAGE="$BASE" --build-arg SERVICE="$service" -t "$image" . >/dev/null
    size="$(podman image inspect --format '{{.Size}}' "$image")"
    printf '   built in %d s, %d MB; entrypoint %s, command %s\n' $((SECONDS - started)) $((size / 1000000)) \
        "$(podman image inspect --format '{{json .Config.Entrypoint}}' "$image")" \
        "$(podman image inspect --format '{{json .Config.Cmd}}' "$image")"
    sizes+=("$service $((size / 1000000)) MB")

    container="$(podman create "$image")"
    mnt="$(podman mount "$container")"
    mount --bind /dev "$mnt/dev"
    mount -t proc proc "$mnt/proc"
    user="$(podman image inspect --format '{{.Config.User}}' "$image")"
    .venv/bin/python -m mlp.devtools.role_check --env HOME=/tmp --env REGISTRY_DATA_DIR=/tmp/registry-data \
        "$service" -- chroot --userspec="$user" "$mnt" mlp
    cleanup
    printf '   %s image started (%d s)\n' "$service" $((SECONDS - started))
done
printf '\nimage sizes (podman image inspect):\n'
printf '  %s\n' "${sizes[@]}"
