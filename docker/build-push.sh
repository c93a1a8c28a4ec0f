#!/usr/bin/env bash
# Builds and pushes the compare_images runtime image, tagged with a hash of what goes into it (the lock file,
# the Dockerfile and the weights manifest), and prints the FINDME_IMAGE value for `npm run deploy`.
#   docker/build-push.sh <registry/repository>      e.g. docker/build-push.sh docker.io/acme/findme-compare
set -euo pipefail
cd "$(dirname "$0")/.."
repository="${1:-${FINDME_REPOSITORY:-}}"
if [ -z "$repository" ]; then
  echo "usage: docker/build-push.sh <registry/repository> (or set FINDME_REPOSITORY)" >&2
  exit 2
fi
# Fills and verifies weights/ against weights/manifest.json; the Dockerfile copies it.
npm run build
tag="$(cat package-lock.json docker/Dockerfile weights/manifest.json | sha256sum | cut -c1-16)"
image="${repository}:${tag}"
docker build --file docker/Dockerfile --tag "$image" .
docker push "$image"
echo "FINDME_IMAGE=${image}"
