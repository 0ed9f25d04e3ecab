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
"$bin" image load --data-dir "$DATA_DIR" "${layouts[@]}"
"$bin" image ls --data-dir "$DATA_DIR"

# The cluster: API server, controllers and scheduler in one background process; its log is
# <data-dir>/minikube-swift.log and its kubeconfig is merged into ~/.kube/config.
"$bin" up --data-dir "$DATA_DIR"
cat <<MSG

Next:
  kubectl get nodes,pods -A
  kubectl apply -f examples/seed/
  sudo make down        # stop it (the store and PV data stay)
MSG
