#!/usr/bin/env bash
# The test command: installs what is missing, builds and runs every test twice, each build once:
#   1. build/       the packager's Release (-O3), warnings as errors: unit, e2e and fuzz-replay sets;
#   2. build-asan/  AddressSanitizer + UndefinedBehaviorSanitizer (-O1): the same sets.
# The fuzz set replays every fuzz target's seeds and fuzz/regressions/ deterministically (no
# timed random fuzzing here: a crash found by chance would block an unrelated change; the timed
# runs are `ci/fuzz.sh SECONDS`, a nightly job). Idempotent.
# SKIP_SANITIZE=1 skips the second build. CTEST_ARGS="-L unit" (or e2e, fuzz) runs one set.
set -euo pipefail
cd "$(dirname "$0")/.."
start=$SECONDS
./ci/install-deps.sh
# shellcheck disable=SC2086
# One more test than cores: the end-to-end tests wait on the processes they run.
ctest_args=(--output-on-failure -j "$(($(nproc) + 1))" ${CTEST_ARGS:-})
./ci/build.sh build -DCMAKE_BUILD_TYPE=Release
(cd build && ctest "${ctest_args[@]}")
echo "ci/test.sh: Release build and tests done at $((SECONDS - start)) s"
if [ "${SKIP_SANITIZE:-0}" != 1 ]; then
  ./ci/build.sh build-asan -DIMAGELINT_SANITIZE=ON -DCMAKE_BUILD_TYPE=Debug
  # Allocation stacks of 4 frames (the default is 30) name where a bad block came from, and make
  # the suite about a tenth faster; crash stacks are whole.
  (cd build-asan && ASAN_OPTIONS=detect_leaks=1:malloc_context_size=4 ctest "${ctest_args[@]}")
fi
echo "ci/test.sh: passed in $((SECONDS - start)) s"
