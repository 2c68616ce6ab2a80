# bench/lib.sh: what the benchmark scripts share (sourced, from the repository root; callers set
# `runs` and `tmp`, a scratch file).

# bench_image VARIANT: the bench image build/bench/speed/VARIANT/oci (bench/make_image.py, written
# by build/imagelint-fixture once, about 3 minutes, and kept).
bench_image() {
  local dir=build/bench/speed/$1
  [ -f "$dir/oci/index.json" ] && return
  echo "writing bench image $1 ..." >&2
  rm -rf "$dir" && mkdir -p "$dir"
  python3 bench/make_image.py "$1" > "$dir/recipe.json"
  build/imagelint-fixture --oci "$dir/oci.tmp" "$dir/recipe.json"
  mv "$dir/oci.tmp" "$dir/oci"
}

# median: the median of the numbers on stdin.
median() { sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

# measure NAME CMD...: RUNS runs; sets med (median wall s) and rss (max peak RSS KiB). With
# $before set, it runs (untimed) before each run.
measure() {
  local name=$1; shift
  local times=() r=0 out
  for _ in $(seq "$runs"); do
    [ -n "${before:-}" ] && eval "$before"
    /usr/bin/time -o "$tmp" -f '%e %M' "$@" >/dev/null 2>&1 || true
    out=$(tail -n1 "$tmp")
    times+=("${out% *}")
    [ "${out#* }" -gt "$r" ] && r=${out#* }
  done
  med=$(printf '%s\n' "${times[@]}" | median)
  rss=$r
  printf '  %-44s median %7.2f s of %s, peak RSS %d MB\n' "$name" "$med" "$(echo "${times[@]}")" $((r / 1024)) >&2
}
