#!/usr/bin/env bash
# Installs what imagelint needs to build and test on Debian 12, only what is missing. Idempotent.
set -euo pipefail
packages=(
  # build
  cmake ninja-build ccache pkg-config g++
  # cpack -G DEB (dpkg-shlibdeps finds the package's library dependencies)
  dpkg-dev file
  # libraries (see README "Dependencies")
  libarchive-dev libxxhash-dev nlohmann-json3-dev libre2-dev libcli11-dev libfmt-dev
  libssl-dev zlib1g-dev libisal-dev libzstd-dev liblzma-dev libgtest-dev libsqlite3-dev libtomlplusplus-dev
  # real tools the tests use as oracles, and the benchmark baseline
  umoci skopeo libarchive-tools zstd xz-utils gzip rpm binutils python3
  # zstd:chunked layers for the tests, written by containers/storage's own compressor (Go, offline)
  golang-go golang-github-containers-storage-dev
  # validators of the report formats against the official schemas (../shared/schemas)
  python3-jsonschema libxml2-utils
  # the GitLab CI templates' test reads their YAML
  python3-yaml
  # the HTML diff report's test renders it headless
  chromium
  # the benchmark
  time bc
)
# `install-deps.sh --fuzz` (ci/fuzz.sh): the timed fuzzers need clang 16 (14 and 15 cannot compile
# the tree), libFuzzer and the sanitizer runtimes (only Recommended by clang-16), llvm-symbolizer
# for the stack traces. The test command does not: it replays the fuzz inputs with g++.
if [ "${1:-}" = --fuzz ]; then
  packages+=(clang-16 libclang-rt-16-dev llvm-16)
fi
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "installing: ${missing[*]}"
  sudo_cmd=()
  [ "$(id -u)" -ne 0 ] && sudo_cmd=(sudo)
  "${sudo_cmd[@]}" apt-get update -qq
  DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi
