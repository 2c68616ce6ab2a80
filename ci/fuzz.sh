#!/usr/bin/env bash
# ci/fuzz.sh [SECONDS]: builds the libFuzzer targets (fuzz/*_fuzz.cc, ASan+UBSan) with clang in
# build-fuzz/, seeds them (fuzz/seeds.sh), replays fuzz/regressions/<target>/*, then fuzzes each
# target for SECONDS (default 30). Exits 1 if any target crashed (or leaked, hung, ran out of
# memory), printing the reproducer's path; rerun one with build-fuzz/<target>_fuzz FILE.
# Corpus growth is kept in build-fuzz/corpus/<target> across runs; artifacts in build-fuzz/artifacts.
# FUZZ_JOBS=N fuzzes N targets at a time; FUZZ_TARGETS="policy layer" only those.
# clang 16 is needed (clang 14/15 cannot compile the tree: lambdas capture structured bindings);
# ci/install-deps.sh installs it. CLANGXX=... picks another clang++ (16 or later).
set -euo pipefail
cd "$(dirname "$0")/.."
secs=${1:-30}
dir=build-fuzz
clangxx=${CLANGXX:-clang++-16}

./ci/install-deps.sh --fuzz  # clang-16, libclang-rt-16-dev (libFuzzer), llvm-16 (the symbolizer)
symbolizer=$(command -v llvm-symbolizer-16 || command -v llvm-symbolizer || true)

cmake -S . -B "$dir" -G Ninja -DIMAGELINT_FUZZ=ON -DCMAKE_CXX_COMPILER="$clangxx" >/dev/null
cmake --build "$dir" -j "$(nproc)" --target imagelint_fuzzers imagelint-fixture
rm -rf "$dir/seeds"
fuzz/seeds.sh "$dir/seeds" "$dir/imagelint-fixture"

export ASAN_SYMBOLIZER_PATH=$symbolizer
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=0}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
# target:max_len. Bigger for the tar streams (a layer stack, a whole archive).
targets=(rpm_header:65536 kmod:65536 unit_file:16384 policy:16384 users:8192 layer:131072 oci:65536 archive:131072 tar_split:65536)
if [ -n "${FUZZ_TARGETS:-}" ]; then
  picked=()
  for spec in "${targets[@]}"; do
    if [[ " $FUZZ_TARGETS " == *" ${spec%%:*} "* ]]; then picked+=("$spec"); fi
  done
  targets=("${picked[@]}")
fi
# One target: its regressions, then SECONDS of fuzzing. Writes artifacts/<t>.summary, and
# artifacts/<t>.failed when it failed (the targets may run in parallel: FUZZ_JOBS).
fuzz_one() {
  local spec=$1 t max_len bin art log dict rc execs rate cov repro
  t=${spec%%:*}
  max_len=${spec#*:}
  bin=$dir/${t}_fuzz
  art=$dir/artifacts/$t/
  mkdir -p "$dir/corpus/$t" "$art"
  log=$dir/artifacts/$t.log
  dict=()
  [ -f "fuzz/$t.dict" ] && dict=(-dict="fuzz/$t.dict")
  # Known crashers first: each must now pass.
  if compgen -G "fuzz/regressions/$t/*" >/dev/null; then
    if ! "$bin" -rss_limit_mb=2048 -timeout=25 fuzz/regressions/"$t"/* >"$log.regressions" 2>&1; then
      echo "fuzz: $t: a regression input still fails (fuzz/regressions/$t/); see $log.regressions"
      grep -m1 -E '^Running: ' "$log.regressions" | tail -1 || true
      echo "$t (regression)" >"$dir/artifacts/$t.failed"
    fi
  fi
  set +e
  "$bin" "$dir/corpus/$t" "$dir/seeds/$t" -max_total_time="$secs" -max_len="$max_len" -rss_limit_mb=2048 \
    -timeout=25 -artifact_prefix="$art" -print_final_stats=1 "${dict[@]}" >"$log" 2>&1
  rc=$?
  set -e
  execs=$(grep -m1 -oE 'stat::number_of_executed_units: [0-9]+' "$log" | grep -oE '[0-9]+$' || echo '?')
  rate=$(grep -m1 -oE 'stat::average_exec_per_sec: +[0-9]+' "$log" | grep -oE '[0-9]+$' || echo '?')
  cov=$(grep -E '^#[0-9]+' "$log" | tail -1 | grep -oE 'cov: [0-9]+' || true)
  printf '%-11s %10s execs %7s/s  %s\n' "$t" "$execs" "$rate" "$cov" >"$dir/artifacts/$t.summary"
  if [ $rc -ne 0 ]; then
    repro=$(grep -oE 'Test unit written to [^ ]+' "$log" | tail -1 | sed 's/Test unit written to //')
    echo "fuzz: $t CRASHED (exit $rc); reproducer: ${repro:-none written}; log: $log"
    grep -m1 -E 'ERROR: (AddressSanitizer|libFuzzer|LeakSanitizer)|runtime error:|terminate called' "$log" || true
    # The top frames, without the runtimes' own (sanitizers, libFuzzer, libc, the C++ runtime).
    grep -E '^ +#[0-9]+ .* in ' "$log" |
      grep -v -E 'fuzzer::|__sanitizer|__asan|__ubsan|__cxa_|compiler-rt|nptl/|stdlib/|signal/|csu/|libc\.so|libstdc\+\+\.so' |
      head -6 || true
    echo "$t" >"$dir/artifacts/$t.failed"
  fi
}

# FUZZ_JOBS targets at a time (default 1); each is one libFuzzer process.
at_once=${FUZZ_JOBS:-1}
mkdir -p "$dir/artifacts"
rm -f "$dir"/artifacts/*.summary "$dir"/artifacts/*.failed
for spec in "${targets[@]}"; do
  while [ "$(jobs -rp | wc -l)" -ge "$at_once" ]; do wait -n || true; done
  fuzz_one "$spec" &
done
wait
summary=()
failed=()
for spec in "${targets[@]}"; do
  t=${spec%%:*}
  if [ -f "$dir/artifacts/$t.summary" ]; then summary+=("$(cat "$dir/artifacts/$t.summary")"); fi
  if [ -f "$dir/artifacts/$t.failed" ]; then failed+=("$(cat "$dir/artifacts/$t.failed")"); fi
done
printf '%s\n' "${summary[@]}"
if [ ${#failed[@]} -gt 0 ]; then
  echo "fuzz: FAILED: ${failed[*]}"
  exit 1
fi
echo "fuzz: no crash in ${#targets[@]} targets x ${secs}s"
