#!/bin/bash
# bench/real-pair-update.sh ROOT_A ROOT_B [DIR]: two uncached builds of one root (e.g. two runs
# of `debootstrap --variant=minbase bookworm`), each split the same way into six layers by GNU
# tar (--sort=name, numeric owners, mtimes as the build left them) and `umoci raw add-layer`,
# into DIR/img:a and DIR/img:b; then `imagelint diff` with its update section, and the totals
# held against a sum over the two manifests.
set -euo pipefail
cd "$(dirname "$0")/.."
A=$1
B=$2
D=${3:-/tmp/imagelint-real-pair}
IL=$PWD/build/imagelint
rm -rf "$D" && mkdir -p "$D"
umoci init --layout "$D/img"
split() {  # root tag
  local root=$1 tag=$2 n=0
  umoci new --image "$D/img:$tag"
  for part in "usr/bin usr/sbin" "usr/lib" "usr/share" "etc" "var" "OTHER"; do
    local list=() args=()
    if [ "$part" = OTHER ]; then
      # The usr directory entry itself, and everything outside usr, etc and var (bin, lib, boot, ...).
      args=(--no-recursion)
      mapfile -t list < <(cd "$root" && { echo usr; find $(ls -A | grep -vxE 'usr|etc|var'); } | sort)
    else
      read -ra list <<<"$part"
    fi
    tar -C "$root" --sort=name --numeric-owner --xattrs "${args[@]}" -cf "$D/$tag.$n.tar" "${list[@]}"
    umoci raw add-layer --image "$D/img:$tag" --history.created_by "layer $n: $part" "$D/$tag.$n.tar"
    n=$((n + 1))
  done
}
split "$A" a
split "$B" b
"$IL" diff "oci:$D/img:a" "oci:$D/img:b" --no-cache --hosts 300 --format text --output "$D/diff.txt" --format json --output "$D/diff.json" || true
sed -n '1,/^Layers of B/p' "$D/diff.txt"
python3 - "$D" <<'PY'
import json, sys
d = sys.argv[1]
def layers(tag):
    idx = json.load(open(d + '/img/index.json'))
    m = [x for x in idx['manifests'] if x.get('annotations', {}).get('org.opencontainers.image.ref.name') == tag][0]
    return [(l['digest'], l['size']) for l in json.load(open(d + '/img/blobs/' + m['digest'].replace(':', '/')))['layers']]
a, b = layers('a'), layers('b')
have = {x for x, _ in a}
u = json.load(open(d + '/diff.json'))['update']
want = sum(s for x, s in b if x not in have)
print(f"manifests: B {sum(s for _, s in b)} bytes, to download {want}; imagelint: {u['image_bytes']}, {u['download_bytes']}:",
      "equal" if (u['download_bytes'], u['image_bytes']) == (want, sum(s for _, s in b)) else "DIFFERENT")
PY
