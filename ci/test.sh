#!/usr/bin/env bash
# The test command: installs what is missing, builds, compiles the build types CI does not
# otherwise use (a compile with warnings as errors, not the suite), runs every test, then the same
# tests under AddressSanitizer + UndefinedBehaviorSanitizer. Idempotent.
# Last, every libFuzzer target (fuzz/) is built and replays its seeds and regressions, then fuzzes
# for FUZZ_SECONDS (default 30) each: a smoke, the long runs are `ci/fuzz.sh 600` by hand.
# SKIP_BUILD_TYPES=1 skips the extra compiles, SKIP_SANITIZE=1 the sanitizer run, SKIP_FUZZ=1 the
# fuzz smoke.
set -euo pipefail
cd "$(dirname "$0")/.."
./ci/install-deps.sh
./ci/build.sh build
if [ "${SKIP_BUILD_TYPES:-0}" != 1 ]; then
  # The suite runs as RelWithDebInfo (build/) and Debug (build-asan/); a packager's Release (-O3)
  # and MinSizeRel (-Os) warn differently (GCC 12's -Wrestrict at -O3), so they compile here.
  for type in Release MinSizeRel; do
    echo "compiling build type $type"
    ./ci/build.sh "build-$type" -DCMAKE_BUILD_TYPE="$type"
  done
fi
(cd build && ctest --output-on-failure -j "$(nproc)")
if [ "${SKIP_SANITIZE:-0}" != 1 ]; then
  ./ci/build.sh build-asan -DIMAGELINT_SANITIZE=ON -DCMAKE_BUILD_TYPE=Debug
  (cd build-asan && ASAN_OPTIONS=detect_leaks=1 ctest --output-on-failure -j "$(nproc)")
fi
if [ "${SKIP_FUZZ:-0}" != 1 ]; then
  ./ci/fuzz.sh "${FUZZ_SECONDS:-30}"
fi
