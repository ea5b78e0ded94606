#!/usr/bin/env bash
# Makes the Dockerfile's base image from Debian packages, for machines that cannot pull one:
# debootstrap (bookworm, minbase, Python 3.11) -> tar -> podman import as localhost/mlp-base:bookworm.
# The tarball is cached under .data/images/, so only the first run downloads (about 2 minutes).
# The host's own CA certificates (/usr/local/share/ca-certificates: a TLS-inspecting proxy's)
# are added to the base's trust store, so builds on it reach PyPI as the host does.
#
#   bash deploy/docker/base_image.sh     # prints the image name; root, Debian (apt-get installs what is missing)
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
IMAGE="localhost/mlp-base:bookworm"
CACHE="$ROOT/.data/images"
TARBALL="$CACHE/debian-bookworm-python.tar"
MIRROR="${DEBIAN_MIRROR:-http://deb.debian.org/debian}"
PACKAGES="python3,python3-venv,ca-certificates"

missing=()
command -v podman >/dev/null || missing+=(podman)
command -v debootstrap >/dev/null || [ -x /usr/sbin/debootstrap ] || missing+=(debootstrap)
if [ ${#missing[@]} -gt 0 ]; then
    if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null; then
        echo "missing: ${missing[*]} (apt-get install -y ${missing[*]}, as root on Debian)" >&2
        exit 1
    fi
    echo "installing ${missing[*]} (Debian)" >&2
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
fi

if [ ! -s "$TARBALL" ]; then
    mkdir -p "$CACHE"
    rootfs="$(mktemp -d "$CACHE/rootfs.XXXXXX")"
    trap 'rm -rf "$rootfs"' EXIT
    echo "debootstrap bookworm ($PACKAGES) into $rootfs" >&2
    /usr/sbin/debootstrap --variant=minbase --include="$PACKAGES" bookworm "$rootfs" "$MIRROR" >&2
    if compgen -G "/usr/local/share/ca-certificates/*.crt" >/dev/null; then
        cp /usr/local/share/ca-certificates/*.crt "$rootfs/usr/local/share/ca-certificates/"
        chroot "$rootfs" update-ca-certificates >&2
    fi
    rm -rf "$rootfs"/var/cache/apt/archives/*.deb "$rootfs"/var/lib/apt/lists/*
    tar -C "$rootfs" --numeric-owner -cf "$TARBALL.part" .
    mv "$TARBALL.part" "$TARBALL"
fi

if ! podman image exists "$IMAGE"; then
    podman import --change 'CMD ["/bin/bash"]' --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
        "$TARBALL" "$IMAGE" >&2
fi
echo "$IMAGE"
