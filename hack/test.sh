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

# The runtime's containers live under a `minikube-swift` cgroup in each hierarchy; the tests
# remove their own, and the parents are removed here unless they were there before.
parents=()
for hierarchy in /sys/fs/cgroup/*/ /sys/fs/cgroup/; do
  [ -d "${hierarchy}minikube-swift" ] || parents+=("${hierarchy}minikube-swift")
done
remove_parents() {
  for parent in "${parents[@]}"; do [ -d "$parent" ] && rmdir "$parent" 2>/dev/null || true; done
}
trap remove_parents EXIT
swift build --build-tests
swift test --skip-build "$@"
# End to end: the seed's demo on a real node with the real kubectl, in a network namespace of
# its own (skipped when not root or when only some tests were asked for).
if [ $# -eq 0 ]; then
  for e2e in seed kubelet logs; do hack/e2e/$e2e.sh; done
fi
