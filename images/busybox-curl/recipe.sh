# busybox-curl: Debian's curl and the libraries ldd names, on busybox, for in-cluster checks.
NAME=busybox-curl
REF=docker.io/library/busybox-curl:latest
BASE=busybox
# libcurl4 from the same source version as curl, so the pair matches whatever the host has.
PACKAGES=(curl libcurl4)
BINARIES=(usr/bin/curl)
CONFIG='{"Cmd":["sh"],"Env":["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"]}'

populate() {
  local pkg=$1 layer=$2
  install -D -m 0755 "$pkg/usr/bin/curl" "$layer/usr/bin/curl"
}

check() {
  local rootfs=$1
  chroot "$rootfs" /usr/bin/curl --version
}
