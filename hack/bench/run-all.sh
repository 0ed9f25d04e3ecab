#!/usr/bin/env bash
# Runs every benchmark in hack/bench/ (release build). Each writes its own section of
# docs/BENCHMARKS.md; peers (crun, runc, a bare endpoint) run in the same script.
set -euo pipefail
cd "$(dirname "$0")/../.."
swift build -c release --static-swift-stdlib
for bench in hack/bench/*.sh; do
  [ "$(basename "$bench")" = run-all.sh ] && continue
  echo "== $bench"
  "$bench"
done
