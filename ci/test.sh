#!/usr/bin/env bash
# The test command: installs what is missing, builds, runs every test, then the same tests under
# AddressSanitizer + UndefinedBehaviorSanitizer. Idempotent. SKIP_SANITIZE=1 skips the second run.
set -euo pipefail
cd "$(dirname "$0")/.."
./ci/install-deps.sh
./ci/build.sh build
(cd build && ctest --output-on-failure -j "$(nproc)")
if [ "${SKIP_SANITIZE:-0}" != 1 ]; then
  ./ci/build.sh build-asan -DIMAGELINT_SANITIZE=ON -DCMAKE_BUILD_TYPE=Debug
  (cd build-asan && ASAN_OPTIONS=detect_leaks=1 ctest --output-on-failure -j "$(nproc)")
fi
