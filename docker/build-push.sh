#!/usr/bin/env bash
# Builds and pushes the compare_images runtime image, tagged with a hash of what goes into it (the image's lock
# file, the Dockerfile, its check script and the weights manifest). Only `FINDME_IMAGE=<image>` goes to stdout, everything
# else to stderr, so `export "$(docker/build-push.sh …)"` sets it for `npm run deploy`.
#   docker/build-push.sh <registry/repository>      e.g. docker/build-push.sh docker.io/acme/findme-compare
set -euo pipefail
cd "$(dirname "$0")/.."
repository="${1:-${FINDME_REPOSITORY:-}}"
if [ -z "$repository" ]; then
  echo "usage: docker/build-push.sh <registry/repository> (or set FINDME_REPOSITORY)" >&2
  exit 2
fi
# Fetches the model files into weights/ and verifies them against weights/manifest.json; the Dockerfile copies them.
npm run build >&2
tag="$(cat docker/image/package-lock.json docker/Dockerfile docker/check-image.mjs weights/manifest.json | sha256sum | cut -c1-16)"
image="${repository}:${tag}"
# For the invokers' platform, not this machine's: usually amd64, where tfjs-node's binding comes prebuilt.
docker build --platform "${FINDME_PLATFORM:-linux/amd64}" --file docker/Dockerfile --tag "$image" . >&2
docker push "$image" >&2
echo "FINDME_IMAGE=${image}"
