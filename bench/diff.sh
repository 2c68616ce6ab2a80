#!/usr/bin/env bash
# bench/diff.sh: `imagelint diff` on two "rebuilds" of one large generated image (every mtime
# moved by an hour, CHANGED small files per layer, spread to the layer's end, with other content), timed next to
# `bsdtar -tf` over both images' layer blobs in the same run, best of N. Knobs (environment):
# LAYERS FILES SMALL_KIB BIG_MIB COMPRESSION CHANGED RUNS. Images are kept in build/bench.
set -euo pipefail
cd "$(dirname "$0")/.."
./ci/install-deps.sh
./ci/build.sh build
layers=${LAYERS:-8} files=${FILES:-4000} small=${SMALL_KIB:-48} big=${BIG_MIB:-24} comp=${COMPRESSION:-gzip}
changed=${CHANGED:-5} runs=${RUNS:-3}
out=build/bench/diff2-$layers-$files-$small-$big-$comp-$changed
for side in a b; do
  if [ ! -f "$out/$side/index.json" ]; then
    mkdir -p "$out"
    if [ $side = a ]; then m=1700000000 c=0; else m=1700003600 c=$changed; fi
    bench/make_recipe.sh "$layers" "$files" "$small" "$big" "$comp" $m $c > "$out/$side.json"
    echo "writing image $side ($out/$side) ..."
    build/imagelint-fixture --oci "$out/$side" "$out/$side.json"
  fi
done
blobs=()
for side in a b; do
  manifest=$(grep -o 'sha256:[0-9a-f]*' "$out/$side/index.json" | head -n1 | cut -d: -f2)
  mapfile -t -O "${#blobs[@]}" blobs < <(grep -o '"layers":\[.*\]' "$out/$side/blobs/sha256/$manifest" |
    grep -o 'sha256:[0-9a-f]*' | cut -d: -f2 | sed "s#^#$out/$side/blobs/sha256/#")
done

best() {
  local best_t="" t
  for _ in $(seq "$runs"); do
    local s e
    s=$(date +%s.%N); "$@" >/dev/null || true; e=$(date +%s.%N)
    t=$(echo "$e - $s" | bc -l)
    if [ -z "$best_t" ] || [ "$(echo "$t < $best_t" | bc -l)" = 1 ]; then best_t=$t; fi
  done
  printf '%.3f' "$best_t"
}
bsdtar_list() { local f; for f in "${blobs[@]}"; do bsdtar -tf "$f"; done; }

stored=$(cat "${blobs[@]}" | wc -c)
echo "pair: 2 x $layers layers ($comp), $((stored / 1048576)) MiB stored in all"
t_list=$(best bsdtar_list)
t_diff=$(best build/imagelint diff "oci:$out/a" "oci:$out/b")
rss=$( { /usr/bin/time -f %M build/imagelint diff "oci:$out/a" "oci:$out/b" >/dev/null || true; } 2>&1 | tail -n1)
printf '%-46s %8s s\n' "bsdtar -tf (list every layer of both)" "$t_list"
printf '%-46s %8s s  (%.2fx bsdtar -tf)\n' "imagelint diff" "$t_diff" "$(echo "$t_diff / $t_list" | bc -l)"
printf '%-46s %8s KiB\n' "imagelint diff peak RSS" "$rss"
build/imagelint diff "oci:$out/a" "oci:$out/b" | head -n 20 || true
