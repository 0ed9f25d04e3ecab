# nginx-slim: Debian's nginx binary and the libraries ldd names, on busybox, serving
# /usr/share/nginx/html on port 80 as PID 1 in the foreground, logs to stdout/stderr.
NAME=nginx-slim
REF=k8s.gcr.io/nginx-slim:0.8
BASE=busybox
PACKAGES=(nginx nginx-common)
BINARIES=(usr/sbin/nginx)
CONFIG='{"Cmd":["nginx","-g","daemon off;"],"Env":["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"],"ExposedPorts":{"80/tcp":{}},"StopSignal":"SIGQUIT"}'

populate() {
  local pkg=$1 layer=$2
  install -D -m 0755 "$pkg/usr/sbin/nginx" "$layer/usr/sbin/nginx"
  install -D -m 0644 "$pkg/etc/nginx/mime.types" "$layer/etc/nginx/mime.types"
  install -D -m 0644 "$RECIPE_DIR/nginx.conf" "$layer/etc/nginx/nginx.conf"
  install -D -m 0644 "$RECIPE_DIR/index.html" "$layer/usr/share/nginx/html/index.html"
  mkdir -p "$layer"/{var/lib/nginx,var/log/nginx,run}
}

check() {
  local rootfs=$1
  chroot "$rootfs" /usr/sbin/nginx -t
}
