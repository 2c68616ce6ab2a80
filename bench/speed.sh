#!/usr/bin/env bash
# bench/speed.sh: the speed benchmark of issue 11. Builds the bench images (bench/make_image.py,
# written by build/imagelint-fixture into build/bench/speed, kept between runs), then times
# imagelint next to serial `bsdtar -tf` over the same layer blobs, in the same run, RUNS times
# each (default 5), and prints medians, ratios and peak RSS as a markdown table.
#   bench/speed.sh            # everything
#   RUNS=3 bench/speed.sh     # fewer repetitions
# Knobs: RUNS, IMAGELINT_THREADS (worker threads; default: the cores).
# Every cold run passes --no-cache, but for the diff row that starts from an empty cache (what a
# fresh machine does: the layers B shares with A are read once); the layer cache rows prime a
# fresh cache directory first.
set -euo pipefail
cd "$(dirname "$0")/.."
./ci/install-deps.sh >/dev/null
./ci/build.sh build >/dev/null
runs=${RUNS:-5}
root=build/bench/speed
. bench/lib.sh
for v in gzip rebuild shared zstd plain; do bench_image "$v"; done

blobs() {  # the layer blobs of a bench image, in order
  python3 - "$root/$1/oci" <<'PY'
import json, sys
d = sys.argv[1]
idx = json.load(open(d + "/index.json"))
m = json.load(open(d + "/blobs/sha256/" + idx["manifests"][0]["digest"][7:]))
print("\n".join(d + "/blobs/sha256/" + l["digest"][7:] for l in m["layers"]))
PY
}

tmp=$(mktemp)
trap 'rm -f "$tmp"' EXIT
# measure_warm NAME PRIME_IMAGE IMAGE: `check IMAGE` on a cache that a check of PRIME_IMAGE filled
# just before (a fresh cache directory each run; the priming is not timed, and synced to disk).
measure_warm() {
  local cache
  cache=$(mktemp -d)
  before="rm -rf '$cache' && mkdir -p '$cache' && { build/imagelint --cache '$cache' check '$2' >/dev/null 2>&1 || true; } && sync" \
    measure "$1" build/imagelint --cache "$cache" check "$3"
  rm -rf "$cache"
}
ratio() { awk -v a="$1" -v b="$2" 'BEGIN {printf "%.2f", a / b}'; }

img() { echo "oci:$root/$1/oci:latest"; }
mapfile -t gz < <(blobs gzip)
mapfile -t zs < <(blobs zstd)
mapfile -t pl < <(blobs plain)
mapfile -t rb < <(blobs rebuild)
stored=$(cat "${gz[@]}" | wc -c)
il=(build/imagelint --no-cache)
files=$("${il[@]}" ls "$(img gzip)" | wc -l)
modules=$("${il[@]}" ls "$(img gzip)" | grep -c '\.ko\.xz$' || true)
echo "bench image (gzip): ${#gz[@]} layers, $((stored / 1048576)) MiB stored, $files paths, $modules .ko.xz modules;" \
  "$(nproc) cores, $runs runs, IMAGELINT_THREADS=${IMAGELINT_THREADS:-default}" >&2

rows=()
row() { rows+=("| $1 | $2 s | $3 s | **$(ratio "$2" "$3")×** | $4 | $(( $5 / 1024 )) MB |"); }

bsdtar_all=(bash -c 'for f in "$@"; do bsdtar -tf "$f" >/dev/null; done' bsdtar_all)
measure "bsdtar -tf, gzip image" "${bsdtar_all[@]}" "${gz[@]}"; base_gz=$med
measure "bsdtar -tf, zstd image" "${bsdtar_all[@]}" "${zs[@]}"; base_zs=$med
measure "bsdtar -tf, plain-module image" "${bsdtar_all[@]}" "${pl[@]}"; base_pl=$med
measure "bsdtar -tf, both builds" "${bsdtar_all[@]}" "${gz[@]}" "${rb[@]}"; base_diff=$med

measure "imagelint ls (gzip)" "${il[@]}" ls "$(img gzip)"; row "ls, gzip" "$med" "$base_gz" "≤ 0.7" "$rss"
measure "imagelint ls (zstd)" "${il[@]}" ls "$(img zstd)"; row "ls, zstd" "$med" "$base_zs" "≤ 0.7" "$rss"
measure "imagelint check (plain .ko)" "${il[@]}" check "$(img plain)"; row "check, modules not compressed" "$med" "$base_pl" "≤ 0.7" "$rss"
measure "imagelint check (.ko.xz)" "${il[@]}" check "$(img gzip)"; row "check, 4,096 .ko.xz" "$med" "$base_gz" "≤ 1.0" "$rss"
measure "imagelint check (.ko.xz, zstd layers)" "${il[@]}" check "$(img zstd)"; row "check, 4,096 .ko.xz, zstd layers" "$med" "$base_zs" "≤ 1.0" "$rss"
measure "imagelint inspect (signatures: whole modules)" "${il[@]}" inspect "$(img gzip)"; row "inspect (reads every module whole)" "$med" "$base_gz" "—" "$rss"
measure "imagelint diff gzip rebuild" "${il[@]}" diff "$(img gzip)" "$(img rebuild)"; row "diff of two builds, --no-cache (every layer of both read)" "$med" "$base_diff" "—" "$rss"
# The default: a layer cache, empty at the start of each run; B replays the layers it shares with
# A from what A's read recorded in the same run.
empty=$(mktemp -d)
before="rm -rf '$empty'" measure "imagelint diff gzip rebuild, empty cache" build/imagelint --cache "$empty" diff "$(img gzip)" "$(img rebuild)"
row "diff of two builds, cache empty at the start (shared layers read once)" "$med" "$base_diff" "≤ 0.7" "$rss"
rm -rf "$empty"

# The layer cache: an instance image that shares all but its last layer with one checked before.
cache_rows=()
measure "imagelint check (shared), no cache" "${il[@]}" check "$(img shared)"; cold_shared=$med
measure_warm "imagelint check (shared), cache from gzip" "$(img gzip)" "$(img shared)"
cache_rows+=("| check of the image sharing all but its last layer, cache filled by a check of the gzip image | $med s | $cold_shared s (the same check, --no-cache) | **$(ratio "$med" "$cold_shared")×** | ≤ 0.1 | $(( rss / 1024 )) MB |")
measure_warm "imagelint check (shared), cache from itself" "$(img shared)" "$(img shared)"
cache_rows+=("| the same check again (every layer cached) | $med s | $cold_shared s | **$(ratio "$med" "$cold_shared")×** | — | $(( rss / 1024 )) MB |")

echo
echo "| run | imagelint | bsdtar -tf (same blobs, serial) | ratio | target | peak RSS |"
echo "|---|---|---|---|---|---|"
printf '%s\n' "${rows[@]}"

echo
echo "| layer cache | warm | cold | ratio | target | peak RSS |"
echo "|---|---|---|---|---|---|"
printf '%s\n' "${cache_rows[@]}"
