# busybox: busybox-static, its applet links, and the few /etc files a shell and nginx need.
NAME=busybox
REF=docker.io/library/busybox:latest
BASE=
PACKAGES=(busybox-static)
BINARIES=()
CONFIG='{"Cmd":["sh"],"Env":["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"]}'

# populate PKGROOT LAYER: fill the layer directory from the unpacked packages.
populate() {
  local pkg=$1 layer=$2
  install -D -m 0755 "$pkg/bin/busybox" "$layer/bin/busybox"
  # The links `busybox --install -s` makes, without chroot: one symlink per applet path.
  local applet
  for applet in $("$layer/bin/busybox" --list-full); do
    [ "$applet" = bin/busybox ] && continue
    mkdir -p "$layer/$(dirname "$applet")"
    ln -sf /bin/busybox "$layer/$applet"
  done
  mkdir -p "$layer"/{dev,proc,sys,run,var/run,var/log,home,usr/local/bin}
  install -d -m 0700 "$layer/root"
  install -d -m 1777 "$layer/tmp"
  cp -a "$RECIPE_DIR/etc" "$layer/"
}

check() {
  local rootfs=$1
  chroot "$rootfs" /bin/sh -c 'id -un && ls /bin/ls >/dev/null && grep -q www-data /etc/passwd'
}
