#!/usr/bin/env bash
# Builds the built-in images from Debian packages into OCI image layouts under images/out/<name>/:
#   busybox      → docker.io/library/busybox:latest
#   nginx-slim   → k8s.gcr.io/nginx-slim:0.8       (busybox layer + nginx layer)
#   busybox-curl → docker.io/library/busybox-curl:latest (busybox layer + curl layer)
# No registry: `apt-get download` into images/cache/, `dpkg -x`, libraries by `ldd`.
# Reproducible: sorted pax tars with fixed owners and mtime, `gzip -n`, JSON with sorted keys;
# an image is rebuilt only when its inputs (recipe, .debs, libraries, this script, its base)
# changed. As root, each image is unpacked and run with chroot (nginx -t, curl --version).
#
# Usage: hack/build-images.sh [--force] [--check-reproducible] [NAME...]
set -euo pipefail
cd "$(dirname "$0")/.."
umask 022
export LC_ALL=C

IMAGES_DIR=$PWD/images
CACHE=$IMAGES_DIR/cache
OUT=${IMAGES_OUT:-$IMAGES_DIR/out}
SCRIPT=$PWD/hack/build-images.sh
ALL=(busybox nginx-slim busybox-curl)
FORCE=0
CHECK_REPRO=0
names=()
for arg in "$@"; do
  case "$arg" in
    --force) FORCE=1 ;;
    --check-reproducible) CHECK_REPRO=1 ;;
    -h|--help) sed -n '2,12p' "$0"; exit 0 ;;
    -*) echo "build-images: unknown option $arg" >&2; exit 2 ;;
    *) names+=("$arg") ;;
  esac
done
[ ${#names[@]} -gt 0 ] || names=("${ALL[@]}")

for tool in apt-get dpkg-deb tar gzip sha256sum ldd python3; do
  command -v "$tool" >/dev/null || { echo "build-images: $tool is missing (run hack/install-deps.sh)" >&2; exit 1; }
done

mkdir -p "$CACHE" "$OUT"
WORK=$(mktemp -d "$CACHE/work.XXXXXX")
trap 'rm -rf "$WORK"' EXIT

log() { echo "build-images: $*" >&2; }

# fetch PKG...: makes sure a .deb of each package is in the cache; prints their paths.
fetch() {
  local pkg deb
  for pkg in "$@"; do
    deb=$(ls "$CACHE/${pkg}_"*.deb 2>/dev/null | sort | tail -n 1 || true)
    if [ -z "$deb" ]; then
      log "downloading $pkg"
      if ! (cd "$CACHE" && apt-get download -q -o APT::Sandbox::User=root "$pkg" >/dev/null 2>&1); then
        log "download of $pkg failed; refreshing package lists"
        apt-get update -qq
        (cd "$CACHE" && apt-get download -q -o APT::Sandbox::User=root "$pkg" >/dev/null)
      fi
      deb=$(ls "$CACHE/${pkg}_"*.deb | sort | tail -n 1)
    fi
    echo "$deb"
  done
}

# libraries PKGROOT BINARY...: the shared objects ldd names for the binaries, one path a line,
# preferring libraries unpacked from the image's own packages over the host's.
libraries() {
  local pkg=$1; shift
  local libdirs="$pkg/usr/lib/x86_64-linux-gnu:$pkg/lib/x86_64-linux-gnu:$pkg/usr/lib/$(uname -m)-linux-gnu"
  local bin out
  for bin in "$@"; do
    out=$(LD_LIBRARY_PATH=$libdirs ldd "$pkg/$bin") || { log "ldd $bin failed"; return 1; }
    if grep -q 'not found' <<<"$out"; then
      log "ldd $bin: missing libraries (install them on the host):"; grep 'not found' <<<"$out" >&2; return 1
    fi
    awk '$2 == "=>" && $3 ~ /^\// { print $3 } $1 ~ /^\// { print $1 }' <<<"$out"
  done | sort -u
}

# copy_library PKGROOT LAYER LIB: copies LIB (resolved) into the layer at its canonical path.
copy_library() {
  local pkg=$1 layer=$2 lib=$3 dest
  dest=${lib#"$pkg"}
  # The host has merged /usr; the image keeps Debian's canonical /lib paths.
  case "$dest" in /usr/lib/x86_64-linux-gnu/*) dest=/lib/x86_64-linux-gnu/${dest##*/} ;; esac
  install -D -m 0644 "$(readlink -f "$lib")" "$layer$dest"
  case "$dest" in */ld-linux*.so*) chmod 0755 "$layer$dest" ;; esac
}

# make_layer DIR TAR: a reproducible tar of DIR (names without ./, sorted, root-owned, mtime 0).
make_layer() {
  local dir=$1 tarball=$2
  (cd "$dir" && find . -mindepth 1 | sed 's|^\./||' | sort > "$WORK/filelist")
  tar --create --file "$tarball" --directory "$dir" --no-recursion --files-from "$WORK/filelist" \
    --format=pax --pax-option='exthdr.name=%d/PaxHeaders/%f,delete=atime,delete=ctime' \
    --numeric-owner --owner=0 --group=0 --mtime=@0 --sort=name
}

sha() { sha256sum "$1" | cut -d' ' -f1; }

# inputs_hash: everything an image depends on, hashed (recipe files, debs, libraries, script, base).
inputs_hash() {
  local recipe_dir=$1 base_hash=$2; shift 2
  {
    echo "script $(sha "$SCRIPT")"
    echo "base $base_hash"
    (cd "$recipe_dir" && find . -type f | sort | xargs sha256sum)
    local f
    for f in "$@"; do echo "input $(basename "$f") $(sha "$f")"; done
  } | sha256sum | cut -d' ' -f1
}

declare -A HASH

# build NAME: builds images/out/NAME unless its inputs are unchanged.
build() {
  local name=$1
  local RECIPE_DIR=$IMAGES_DIR/$name
  # shellcheck source=/dev/null
  source "$RECIPE_DIR/recipe.sh"
  local pkgroot=$WORK/$name/pkg layer=$WORK/$name/layer
  mkdir -p "$pkgroot" "$layer"

  local debs deb libs=()
  mapfile -t debs < <(fetch "${PACKAGES[@]}")
  for deb in "${debs[@]}"; do dpkg-deb -x "$deb" "$pkgroot"; done
  if [ ${#BINARIES[@]} -gt 0 ]; then
    mapfile -t libs < <(libraries "$pkgroot" "${BINARIES[@]}")
    [ ${#libs[@]} -gt 0 ] || { log "$name: no libraries found by ldd"; return 1; }
  fi

  local base_hash=none
  [ -z "$BASE" ] || base_hash=${HASH[$BASE]:?base $BASE must be built first}
  local hash
  hash=$(inputs_hash "$RECIPE_DIR" "$base_hash" "${debs[@]}" "${libs[@]}")
  HASH[$name]=$hash
  if [ "$FORCE" = 0 ] && [ -f "$OUT/$name/.inputs" ] && [ "$(cat "$OUT/$name/.inputs")" = "$hash" ]; then
    log "$name: up to date ($(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["manifests"][0]["digest"])' "$OUT/$name/index.json"))"
    return 0
  fi

  populate "$pkgroot" "$layer"
  local lib
  for lib in "${libs[@]}"; do copy_library "$pkgroot" "$layer" "$lib"; done

  local stage=$WORK/$name/oci
  mkdir -p "$stage/blobs/sha256"
  make_layer "$layer" "$WORK/$name/layer.tar"
  local diff_id
  diff_id=$(sha "$WORK/$name/layer.tar")
  gzip -n -9 "$WORK/$name/layer.tar"
  local digest
  digest=$(sha "$WORK/$name/layer.tar.gz")
  mv "$WORK/$name/layer.tar.gz" "$stage/blobs/sha256/$digest"

  # The base image's layers go underneath.
  local base_layers='[]' base_diff_ids='[]'
  if [ -n "$BASE" ]; then
    read -r base_layers base_diff_ids < <(python3 - "$OUT/$BASE" <<'PY'
import json, sys
d = sys.argv[1]
index = json.load(open(f"{d}/index.json"))
m = json.load(open(f"{d}/blobs/sha256/" + index["manifests"][0]["digest"].split(":")[1]))
c = json.load(open(f"{d}/blobs/sha256/" + m["config"]["digest"].split(":")[1]))
print(json.dumps(m["layers"], separators=(",", ":")), json.dumps(c["rootfs"]["diff_ids"], separators=(",", ":")))
PY
)
    local blob
    for blob in $(python3 -c 'import json,sys; [print(l["digest"].split(":")[1]) for l in json.loads(sys.argv[1])]' "$base_layers"); do
      cp "$OUT/$BASE/blobs/sha256/$blob" "$stage/blobs/sha256/$blob"
    done
  fi

  python3 - "$stage" "$REF" "$CONFIG" "$base_layers" "$base_diff_ids" "$digest" "$diff_id" \
    "$(stat -c %s "$stage/blobs/sha256/$digest")" "$name" <<'PY'
import hashlib, json, sys
stage, ref, config, base_layers, base_diff_ids, digest, diff_id, size, name = sys.argv[1:]

def blob(obj):
    data = json.dumps(obj, sort_keys=True, separators=(",", ":")).encode()
    d = hashlib.sha256(data).hexdigest()
    open(f"{stage}/blobs/sha256/{d}", "wb").write(data)
    return {"digest": "sha256:" + d, "size": len(data)}

layers = json.loads(base_layers) + [{
    "mediaType": "application/vnd.oci.image.layer.v1.tar+gzip",
    "digest": "sha256:" + digest, "size": int(size)}]
image_config = {
    "architecture": "amd64", "os": "linux",
    "config": json.loads(config),
    "rootfs": {"type": "layers", "diff_ids": json.loads(base_diff_ids) + ["sha256:" + diff_id]},
    "history": [{"created_by": f"hack/build-images.sh {name}"}],
}
config_desc = dict(mediaType="application/vnd.oci.image.config.v1+json", **blob(image_config))
manifest = {"schemaVersion": 2, "mediaType": "application/vnd.oci.image.manifest.v1+json",
            "config": config_desc, "layers": layers}
manifest_desc = dict(mediaType="application/vnd.oci.image.manifest.v1+json", **blob(manifest))
manifest_desc["annotations"] = {"io.containerd.image.name": ref, "org.opencontainers.image.ref.name": ref}
manifest_desc["platform"] = {"architecture": "amd64", "os": "linux"}
index = {"schemaVersion": 2, "mediaType": "application/vnd.oci.image.index.v1+json", "manifests": [manifest_desc]}
open(f"{stage}/index.json", "w").write(json.dumps(index, sort_keys=True, indent=2) + "\n")
open(f"{stage}/oci-layout", "w").write('{"imageLayoutVersion":"1.0.0"}\n')

PY

  # Run it: unpack every layer as the runtime stacks them, then chroot.
  if [ "$(id -u)" = 0 ]; then
    local rootfs=$WORK/$name/rootfs
    mkdir -p "$rootfs"
    local l
    for l in $(python3 -c 'import json,sys; idx=json.load(open(sys.argv[1]+"/index.json")); m=json.load(open(sys.argv[1]+"/blobs/sha256/"+idx["manifests"][0]["digest"][7:])); [print(x["digest"][7:]) for x in m["layers"]]' "$stage"); do
      tar -xzf "$stage/blobs/sha256/$l" -C "$rootfs"
    done
    if ! check "$rootfs" >"$WORK/$name/check.log" 2>&1; then
      log "$name: check failed:"; cat "$WORK/$name/check.log" >&2; return 1
    fi
    log "$name: check passed ($(head -n 1 "$WORK/$name/check.log"))"
  else
    log "$name: not root, skipping the chroot check"
  fi

  echo "$hash" > "$stage/.inputs"
  rm -rf "$OUT/.$name.old"
  [ ! -e "$OUT/$name" ] || mv "$OUT/$name" "$OUT/.$name.old"
  mv "$stage" "$OUT/$name"
  rm -rf "$OUT/.$name.old"
  log "$name: built $REF $(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["manifests"][0]["digest"])' "$OUT/$name/index.json") ($(du -sh "$OUT/$name" | cut -f1))"
}

# Bases first, whatever order the names came in.
for name in "${ALL[@]}"; do
  for want in "${names[@]}"; do
    if [ "$want" = "$name" ] || { [ "$name" = busybox ]; }; then build "$name"; break; fi
  done
done
for want in "${names[@]}"; do
  [[ " ${ALL[*]} " == *" $want "* ]] || { echo "build-images: unknown image $want (known: ${ALL[*]})" >&2; exit 2; }
done

if [ "$CHECK_REPRO" = 1 ]; then
  log "checking reproducibility: building everything again into a scratch dir"
  scratch=$(mktemp -d "$CACHE/repro.XXXXXX")
  IMAGES_OUT=$scratch "$SCRIPT" --force "${names[@]}" 2>/dev/null
  status=0
  for name in "${names[@]}"; do
    a=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["manifests"][0]["digest"])' "$OUT/$name/index.json")
    b=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["manifests"][0]["digest"])' "$scratch/$name/index.json")
    if [ "$a" = "$b" ]; then log "$name: reproducible ($a)"; else log "$name: NOT reproducible: $a vs $b"; status=1; fi
  done
  rm -rf "$scratch"
  exit $status
fi
