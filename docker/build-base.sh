#!/usr/bin/env bash
# Build the local base image `devteam-base:bookworm` without any image registry:
# debootstrap a minimal Debian bookworm rootfs from the Debian mirror apt already uses,
# then `docker import` it. Every other DevTeam image starts FROM this one.
#
# usage: sudo docker/build-base.sh [image-tag]
#   MIRROR   Debian mirror (default: the first deb.debian.org-style URI in /etc/apt/sources.list*)
#   SUITE    Debian suite (default: bookworm -> python3.11)
#   WORKDIR  where the rootfs is built (default: a temp dir, removed afterwards)
#   EXTRA_CA_DIR  extra CA certificates (*.crt) to trust in the images (default: the host's
#            /usr/local/share/ca-certificates, e.g. a TLS-intercepting egress proxy's CA, without
#            which pip/uv cannot reach PyPI during image builds); EXTRA_CA_DIR= disables it
set -euo pipefail

TAG="${1:-devteam-base:bookworm}"
SUITE="${SUITE:-bookworm}"
PACKAGES="python3,python3-venv,git,ca-certificates,bubblewrap,tini,procps"

if [[ $EUID -ne 0 ]]; then
  echo "build-base.sh: debootstrap needs root" >&2
  exit 1
fi
command -v debootstrap >/dev/null || { echo "install debootstrap (apt-get install debootstrap)" >&2; exit 1; }

if [[ -z "${MIRROR:-}" ]]; then
  # deb822 (`URIs: ...`) or one-line (`deb URL suite ...`) sources; skip the security archive.
  MIRROR="$(grep -hE '^(URIs:|deb )' /etc/apt/sources.list /etc/apt/sources.list.d/* 2>/dev/null \
    | grep -oE 'https?://[^ ]+/debian/?$|https?://[^ ]+/debian ' | grep -v security | head -n1 | tr -d ' ' || true)"
  MIRROR="${MIRROR:-http://deb.debian.org/debian}"
fi

WORKDIR="${WORKDIR:-$(mktemp -d /tmp/devteam-base.XXXXXX)}"
ROOTFS="$WORKDIR/rootfs"
cleanup() { rm -rf "$WORKDIR"; }
trap cleanup EXIT

echo "debootstrap $SUITE from $MIRROR into $ROOTFS"
debootstrap --variant=minbase --include="$PACKAGES" "$SUITE" "$ROOTFS" "$MIRROR"

# Trust the same locally added CAs as the host (update-ca-certificates adds them to the bundle
# at /etc/ssl/certs/ca-certificates.crt that the Dockerfiles point pip and uv at).
EXTRA_CA_DIR="${EXTRA_CA_DIR-/usr/local/share/ca-certificates}"
if [[ -n "$EXTRA_CA_DIR" ]] && compgen -G "$EXTRA_CA_DIR/*.crt" >/dev/null; then
  install -d "$ROOTFS/usr/local/share/ca-certificates"
  cp "$EXTRA_CA_DIR"/*.crt "$ROOTFS/usr/local/share/ca-certificates/"
  chroot "$ROOTFS" update-ca-certificates
fi

# One unprivileged user with the same uid (10001) in every image: compose bind-mounts each
# container's NATS credentials as a 0600 file of that uid (`devteam nats-credentials --owner`),
# and the services' own data directories belong to it.
chroot "$ROOTFS" useradd --uid 10001 --user-group --create-home --home-dir /home/devteam \
  --shell /usr/sbin/nologin devteam

# Slim the rootfs: no apt lists/caches, docs or man pages in a runtime base.
chroot "$ROOTFS" apt-get clean
rm -rf "$ROOTFS"/var/lib/apt/lists/* "$ROOTFS"/var/cache/apt/*.bin \
  "$ROOTFS"/usr/share/doc/* "$ROOTFS"/usr/share/man/* "$ROOTFS"/usr/share/info/* \
  "$ROOTFS"/var/log/*.log "$ROOTFS"/tmp/*
# Containers get their resolver from docker; keep an empty file in the image.
: > "$ROOTFS/etc/resolv.conf"
# The base image has no Python bytecode to keep it reproducible-ish and small.
find "$ROOTFS/usr/lib/python3"* -name '__pycache__' -type d -prune -exec rm -rf {} + 2>/dev/null || true

tar --numeric-owner -C "$ROOTFS" -c . | docker import \
  --change 'ENV LANG=C.UTF-8' \
  --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
  --change 'CMD ["/bin/bash"]' \
  - "$TAG"
docker image inspect --format '{{.RepoTags}} {{.Size}} bytes' "$TAG"
