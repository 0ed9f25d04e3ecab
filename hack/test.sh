#!/usr/bin/env bash
# Runs every test: unit tests anywhere, privileged integration tests when root.
# Debug configuration only: CI builds from a clean clone, one configuration is enough.
set -euo pipefail
cd "$(dirname "$0")/.."

export SWIFT_BACKTRACE=enable=no
if [ "$(id -u)" -ne 0 ]; then
  echo "test: not root; the privileged integration tests will be skipped (run: sudo make test)"
fi
# The integration tests find the built images here.
export MINIKUBE_SWIFT_IMAGES="$PWD/images/out"
swift build --build-tests
swift test --skip-build "$@"
