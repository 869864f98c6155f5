#!/usr/bin/env bash
# Build the DevTeam images from this checkout: devteam-nats, devteam-cli and one per service.
#
# usage: docker/build-images.sh [image ...]     (default: nats cli gateway selector prep implement verify)
#   BASE_IMAGE  base to build on (default devteam-base:bookworm, made by docker/build-base.sh)
#   TAG         image tag (default latest)
#
# devteam-nats comes from docker/nats/Dockerfile; every other image is a target of the one
# docker/services.Dockerfile (`--target <image>`), whose dependency layers they all share.
#
# The build context is a tarball of exactly what the images need (root pyproject.toml, uv.lock,
# the workspace members' sources and docker/), not the checkout: .venv/ and .tools/ alone are
# ~800 MB. Builds use the host network (PyPI is needed at build time; no bridge exists here).
set -euo pipefail
cd "$(dirname "$0")/.."

BASE_IMAGE="${BASE_IMAGE:-devteam-base:bookworm}"
TAG="${TAG:-latest}"
ALL=(nats cli gateway selector prep implement verify)
IMAGES=("$@")
[[ ${#IMAGES[@]} -gt 0 ]] || IMAGES=("${ALL[@]}")

docker image inspect "$BASE_IMAGE" >/dev/null 2>&1 \
  || { echo "base image $BASE_IMAGE missing: run docker/build-base.sh first" >&2; exit 1; }

# The Dockerfile (and target) of an image, into FILE_ARGS.
file_args_of() {
  case "$1" in
    nats) FILE_ARGS=(-f docker/nats/Dockerfile) ;;
    cli | gateway | selector | prep | implement | verify)
      FILE_ARGS=(-f docker/services.Dockerfile --target "$1") ;;
    *) echo "no image named $1 (one of: ${ALL[*]})" >&2; exit 1 ;;
  esac
}

context() {
  tar -c --exclude='__pycache__' --exclude='*.pyc' --exclude='*.egg-info' \
    --exclude='.pytest_cache' --exclude='.mypy_cache' --exclude='.ruff_cache' \
    --owner=0 --group=0 --mtime='2025-01-01' --sort=name \
    pyproject.toml uv.lock contracts libs services tools cli docker
}

for name in "${IMAGES[@]}"; do
  file_args_of "$name"
  start=$(date +%s%N)
  context | docker build --network host --build-arg "BASE_IMAGE=$BASE_IMAGE" \
    "${FILE_ARGS[@]}" -t "devteam-$name:$TAG" -
  end=$(date +%s%N)
  size=$(docker image inspect --format '{{.Size}}' "devteam-$name:$TAG")
  ms=$(((end - start) / 1000000))
  printf 'built devteam-%s:%s in %d.%01d s, %d MB\n' "$name" "$TAG" "$((ms / 1000))" \
    "$((ms % 1000 / 100))" "$((size / 1000000))"
done
