#!/usr/bin/env bash
# Prepares the node and loads the built-in images into the store.
set -euo pipefail
cd "$(dirname "$0")/.."
CONFIG=${CONFIG:-release}
DATA_DIR=${DATA_DIR:-/var/lib/minikube-swift}
bin=".build/$CONFIG/minikube-swift"

# Images: the built-in OCI layouts (hack/build-images.sh) into <data-dir>/images. Loading is
# idempotent: blobs already in the store are skipped, layers are unpacked only once.
layouts=(images/out/*/)
if [ ! -f "${layouts[0]}index.json" ]; then
  echo "up: no images in images/out; build them first: hack/build-images.sh (make images)" >&2
  exit 1
fi
image_args=()
for layout in "${layouts[@]}"; do image_args+=(--images "$layout"); done

# The cluster: API server, controllers, scheduler and the node in the background (log in
# <data-dir>/minikube-swift.log, kubeconfig merged into ~/.kube/config); the images the store
# lacks are loaded first. Returns once the node is Ready.
"$bin" up --data-dir "$DATA_DIR" "${image_args[@]}"
