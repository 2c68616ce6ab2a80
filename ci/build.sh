#!/usr/bin/env bash
# ci/build.sh [BUILD_DIR] [extra cmake args...]: configure (once) and build with Ninja.
set -euo pipefail
cd "$(dirname "$0")/.."
dir=${1:-build}
shift || true
cmake -S . -B "$dir" -G Ninja -DIMAGELINT_WERROR=ON "$@" >/dev/null
cmake --build "$dir" -j "$(nproc)"
