#!/usr/bin/env bash
# Stops the cluster started by hack/up.sh; the store and PV data stay.
set -euo pipefail
cd "$(dirname "$0")/.."
CONFIG=${CONFIG:-release}
DATA_DIR=${DATA_DIR:-/var/lib/minikube-swift}
".build/$CONFIG/minikube-swift" down --data-dir "$DATA_DIR"
