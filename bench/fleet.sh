#!/usr/bin/env bash
# bench/fleet.sh: the fleet benchmark (issue 23). The bench base (bench/make_image.py gzip, 24
# layers, 57k paths) and N instances on it (bench/make_fleet.py: one small layer each), then:
#   - a cold `check` of one instance (--no-cache), the baseline every ratio is against;
#   - a warm `check` of another instance whose base chain a `check --base` of the first cached;
#   - `check --base BASE --images` of all N, from an empty cache and from a warm one, peak RSS;
#   - the N per-host JSON reports against separate `check --no-cache --base` runs (findings and image).
#   N=100 RUNS=3 IDENTITY=10 bench/fleet.sh     # defaults; IDENTITY=all compares every host
set -euo pipefail
cd "$(dirname "$0")/.."
./ci/install-deps.sh >/dev/null
./ci/build.sh build >/dev/null
n=${N:-100}; runs=${RUNS:-3}; identity=${IDENTITY:-10}
root=build/bench/speed
. bench/lib.sh
bench_image gzip
fleet=build/bench/fleet/oci
rm -rf build/bench/fleet && python3 bench/make_fleet.py "$root/gzip/oci" "$fleet" "$n"
base="oci:$fleet:base"
list=$(mktemp); tmp=$(mktemp); work=$(mktemp -d)
trap 'rm -rf "$list" "$tmp" "$work"' EXIT
for i in $(seq 1 "$n"); do printf 'oci:%s:host%03d\n' "$fleet" "$i"; done > "$list"
il=build/imagelint

ratio() { awk -v a="$1" -v b="$2" 'BEGIN {printf "%.3f", a / b}'; }

echo "fleet: base 24 layers + $n instances of one layer; $(nproc) cores, $runs runs" >&2
measure "check host001 --no-cache (cold)" $il --no-cache check "oci:$fleet:host001"
cold=$med; cold_rss=$rss
cache="$work/cache"
# The base's chain cached once (by a check --base of host001), then each run checks another host:
# its own layer is new, the chain is loaded.
$il --cache "$cache" check --base "$base" "oci:$fleet:host001" >/dev/null 2>&1 || true
sync
times=()
for k in $(seq 2 $((runs + 1))); do
  /usr/bin/time -o "$tmp" -f '%e %M' $il --cache "$cache" check "$(printf 'oci:%s:host%03d' "$fleet" "$k")" >/dev/null 2>&1 || true
  times+=("$(tail -n1 "$tmp" | cut -d' ' -f1)")
done
warm=$(printf '%s\n' "${times[@]}" | median)
printf '  %-44s median %7.2f s of %s\n' "check host002.., base chain cached" "$warm" "$(echo "${times[@]}")" >&2
before="rm -rf '$cache' '$work/out'" measure "check --images ($n), empty cache" $il --cache "$cache" check --base "$base" --images "$list" --output-dir "$work/out"
fleet_cold=$med; fleet_rss=$rss
before="rm -rf '$work/out'" measure "check --images ($n), warm cache" $il --cache "$cache" check --base "$base" --images "$list" --output-dir "$work/out"
fleet_warm=$med

# Identity: every (or IDENTITY) host's JSON report against a separate --no-cache run.
checked=0; differ=0
[ "$identity" = all ] && identity=$n
for i in $(seq 1 "$n"); do
  [ "$checked" -ge "$identity" ] && break
  h=$(printf 'host%03d' "$i")
  $il --no-cache check --base "$base" "oci:$fleet:$h" --format json > "$work/alone.json" 2>/dev/null || true
  if ! python3 - "$work/alone.json" "$work/out/$h.json" <<'PY'
import json, sys
a, b = (json.load(open(p)) for p in sys.argv[1:3])
sys.exit(0 if a["findings"] == b["findings"] and a["image"] == b["image"] else 1)
PY
  then differ=$((differ + 1)); echo "  $h: differs from its separate run" >&2; fi
  checked=$((checked + 1))
done

echo
echo "| run | time | ratio to one cold check | target | peak RSS |"
echo "|---|---|---|---|---|"
echo "| one instance, cold (--no-cache) | $cold s | 1 | — | $((cold_rss / 1024)) MB |"
echo "| one instance, base chain cached | $warm s | $(ratio "$warm" "$cold") | ≤ 0.03 | — |"
echo "| $n instances, check --images, empty cache | $fleet_cold s | $(ratio "$fleet_cold" "$cold") | ≤ 5 | $((fleet_rss / 1024)) MB ($(ratio "$fleet_rss" "$cold_rss")× one check; target ≤ 1.5) |"
echo "| $n instances, check --images, warm cache | $fleet_warm s | $(ratio "$fleet_warm" "$cold") | ≤ 5 | — |"
echo
echo "identity: $checked host(s) compared with separate --no-cache runs, $differ differ"
