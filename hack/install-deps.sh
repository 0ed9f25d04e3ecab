#!/usr/bin/env bash
# Installs every system package minikube-swift needs, from Debian's archive.
# Idempotent: packages already present are skipped, apt-get update runs only when needed.
set -euo pipefail

packages=(
  # build: C shims
  libseccomp-dev libcap-dev libarchive-dev libsqlite3-dev pkg-config
  # images are built from Debian packages (busybox, nginx, curl) with dpkg
  busybox-static nginx curl ca-certificates
  # node networking and cluster DNS checks
  iproute2 nftables dnsutils
  # tests and benchmarks: peers and load tools
  crun runc wrk hyperfine python3-pip
)

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
# The nginx package starts a host-wide nginx on port 80; the project only borrows its files.
if command -v systemctl >/dev/null && systemctl is-active --quiet nginx 2>/dev/null; then
  systemctl disable --now nginx >/dev/null 2>&1 || true
fi
echo "install-deps: done"
