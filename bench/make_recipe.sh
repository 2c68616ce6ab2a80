#!/usr/bin/env bash
# bench/make_recipe.sh LAYERS FILES_PER_LAYER SMALL_KIB BIG_MIB COMPRESSION [MTIME [CHANGED]] > recipe.json
# Writes a recipe for a large multi-layer image: per layer, FILES_PER_LAYER word-like files of
# 1..SMALL_KIB KiB spread over directories, two BIG_MIB files, and a whiteout of a lower file.
# Every entry gets MTIME (default 1700000000); CHANGED small files of each layer, spread evenly
# to its end, get other content (default 0): two recipes that differ in these are a "rebuild"
# for bench/diff.sh.
set -euo pipefail
layers=$1 files=$2 small=$3 big=$4 comp=$5 mtime=${6:-1700000000} changed=${7:-0}
awk -v L="$layers" -v F="$files" -v S="$small" -v B="$big" -v C="$comp" -v M="$mtime" -v X="$changed" 'BEGIN {
  srand(42);
  printf "{\"tag\":\"latest\",\"layers\":[\n";
  for (l = 0; l < L; l++) {
    printf "%s{\"compression\":\"%s\",\"created_by\":\"bench layer %d\",\"entries\":[\n", (l ? "," : ""), C, l;
    printf "{\"path\":\"usr/share/l%d\",\"type\":\"dir\",\"mtime\":%d}", l, M;
    for (f = 0; f < F; f++) {
      d = int(f / 100);
      if (f % 100 == 0) printf ",\n{\"path\":\"usr/share/l%d/d%d\",\"type\":\"dir\",\"mtime\":%d}", l, d, M;
      printf ",\n{\"path\":\"usr/share/l%d/d%d/f%d\",\"size\":%d,\"seed\":%d,\"text\":true,\"mtime\":%d}", l, d, f, 1024 * (1 + int(rand() * S)), l * 1000003 + f + (X > 0 && f % int(F / X) == int(F / X) - 1 ? 500000 : 0), M;
    }
    printf ",\n{\"path\":\"usr/lib/big%d-a\",\"size\":%d,\"seed\":%d,\"mtime\":%d}", l, B * 1048576, l + 1, M;
    printf ",\n{\"path\":\"usr/lib/big%d-b\",\"size\":%d,\"seed\":%d,\"text\":true,\"mtime\":%d}", l, B * 1048576, l + 100, M;
    if (l > 0) printf ",\n{\"path\":\"usr/share/l%d/d0/f0\",\"type\":\"whiteout\"}", l - 1;
    printf "\n]}\n";
  }
  printf "]}\n";
}'
