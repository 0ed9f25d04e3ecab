#!/usr/bin/env bash
# Installs every system package minikube-swift needs, from Debian's archive.
# Idempotent: packages already present are skipped, apt-get update runs only when needed.
set -euo pipefail

packages=(
  # build: C shims
  libseccomp-dev libcap-dev libarchive-dev libsqlite3-dev zlib1g-dev pkg-config
  # images are built from Debian packages (busybox, nginx, curl): the .debs are downloaded and
  # unpacked, never installed (a host nginx would start listening); ldd needs their libraries
  busybox-static curl ca-certificates libpcre2-8-0 libssl3 zlib1g libcrypt1
  # node networking (bridge, Service proxy), cluster DNS checks
  iproute2 nftables procps conntrack dnsutils
  # tests and benchmarks: peers and load tools
  crun runc wrk hyperfine dnsperf python3-kubernetes
  # image tests: a second OCI tool (umoci writes whiteout layers); image builds: python3 for JSON
  umoci python3
)

# The Python `kubernetes` client for the API server's tests (the interpreter on PATH, which may
# not be Debian's).
python3 -c 'import kubernetes' 2>/dev/null || python3 -m pip install --quiet kubernetes || true

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done

if [ ${#missing[@]} -eq 0 ]; then
  echo "install-deps: all ${#packages[@]} packages present"
  exit 0
fi

if [ "$(id -u)" -ne 0 ]; then
  echo "install-deps: missing ${missing[*]}; run as root: sudo $0" >&2
  exit 1
fi

echo "install-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
echo "install-deps: done"
