#!/usr/bin/env bash
# Prepares the node and loads the built-in images into the store.
set -euo pipefail
cd "$(dirname "$0")/.."
CONFIG=${CONFIG:-release}
DATA_DIR=${DATA_DIR:-/var/lib/minikube-swift}
bin=".build/$CONFIG/minikube-swift"
for layout in images/out/*/; do
  "$bin" image load --data-dir "$DATA_DIR" "$layout"
done
"$bin" image ls --data-dir "$DATA_DIR"
