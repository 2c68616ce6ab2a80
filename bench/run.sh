#!/usr/bin/env bash
# bench/run.sh: builds a large multi-layer OCI image from a generated recipe (kept in
# build/bench between runs) and times imagelint next to bsdtar over the same layer blobs, in the
# same run, best of N. Knobs (environment): LAYERS FILES SMALL_KIB BIG_MIB COMPRESSION RUNS.
# Defaults give about 1.2 GB unpacked in 8 layers (32,000 small files and 16 large ones).
set -euo pipefail
cd "$(dirname "$0")/.."
./ci/install-deps.sh
./ci/build.sh build
layers=${LAYERS:-8} files=${FILES:-4000} small=${SMALL_KIB:-48} big=${BIG_MIB:-24} comp=${COMPRESSION:-gzip}
runs=${RUNS:-3}
out=build/bench/$layers-$files-$small-$big-$comp
if [ ! -f "$out/oci/index.json" ]; then
  rm -rf "$out" && mkdir -p "$out"
  bench/make_recipe.sh "$layers" "$files" "$small" "$big" "$comp" > "$out/recipe.json"
  echo "writing the image ($out) ..."
  build/imagelint-fixture --oci "$out/oci" "$out/recipe.json"
fi
image="oci:$out/oci:latest"
manifest=$(grep -o 'sha256:[0-9a-f]*' "$out/oci/index.json" | head -n1 | cut -d: -f2)
mapfile -t blobs < <(grep -o '"layers":\[.*\]' "$out/oci/blobs/sha256/$manifest" | grep -o 'sha256:[0-9a-f]*' |
  cut -d: -f2 | sed "s#^#$out/oci/blobs/sha256/#")

# best-of-N wall time in seconds for a command
best() {
  local best_t="" t
  for _ in $(seq "$runs"); do
    local s e
    s=$(date +%s.%N); "$@" >/dev/null; e=$(date +%s.%N)
    t=$(echo "$e - $s" | bc -l)
    if [ -z "$best_t" ] || [ "$(echo "$t < $best_t" | bc -l)" = 1 ]; then best_t=$t; fi
  done
  printf '%.3f' "$best_t"
}
bsdtar_list() { local f; for f in "${blobs[@]}"; do bsdtar -tf "$f"; done; }
bsdtar_read() { local f; for f in "${blobs[@]}"; do bsdtar -xOf "$f"; done; }

stored=$(cat "${blobs[@]}" | wc -c)
files_in_image=$(build/imagelint ls "$image" | wc -l)
unpacked=$(build/imagelint inspect "$image" | sed -n 's/.*stored, \(.*\) unpacked/\1/p')
echo "image: ${#blobs[@]} layers ($comp), $((stored / 1048576)) MiB stored, $unpacked unpacked, $files_in_image paths in the final filesystem"
t_list=$(best bsdtar_list)
t_read=$(best bsdtar_read)
t_ls=$(best build/imagelint ls "$image")
t_inspect=$(best build/imagelint inspect "$image")
rss=$( { /usr/bin/time -f %M build/imagelint ls "$image" >/dev/null; } 2>&1 | tail -n1)
printf '%-44s %8s s\n' "bsdtar -tf (list every layer)" "$t_list"
printf '%-44s %8s s\n' "bsdtar -xOf (read every byte)" "$t_read"
printf '%-44s %8s s  (%.2fx bsdtar -tf, %.2fx bsdtar -xOf)\n' "imagelint ls (digests, diff_ids, xxh3 of all)" \
  "$t_ls" "$(echo "$t_ls / $t_list" | bc -l)" "$(echo "$t_ls / $t_read" | bc -l)"
printf '%-44s %8s s\n' "imagelint inspect" "$t_inspect"
printf '%-44s %8s KiB\n' "imagelint ls peak RSS" "$rss"
