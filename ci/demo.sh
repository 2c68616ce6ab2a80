#!/usr/bin/env bash
# The quick start: installs what is missing, builds, writes the bundled example image from
# fixtures/recipes/example.json and runs imagelint on it. Idempotent.
set -euo pipefail
cd "$(dirname "$0")/.."
./ci/install-deps.sh
# The same build/ as ci/test.sh (Release), only the two programs the demo runs.
BUILD_TARGETS="imagelint imagelint-fixture" ./ci/build.sh build -DCMAKE_BUILD_TYPE=Release
out=build/example
rm -rf "$out" && mkdir -p "$out"
build/imagelint-fixture --oci-archive "$out/example.oci.tar" fixtures/recipes/example.json
set -x
build/imagelint inspect "oci-archive:$out/example.oci.tar:latest"
build/imagelint ls "$out/example.oci.tar" 'usr/lib/modules/**' --long
build/imagelint cat "$out/example.oci.tar" /etc/os-release
build/imagelint rules
# The example has findings on purpose (modules installed after depmod, no zfs package): exit 1.
build/imagelint check "$out/example.oci.tar" || echo "imagelint check exited $? (1 = findings)"
# A second build of the same recipe: other mtimes, a signed zfs module, one more registry in the
# container policy, a log. diff explains each difference (exit 1: the policy change is drift).
build/imagelint-fixture --oci-archive "$out/example-rebuild.oci.tar" fixtures/recipes/example-rebuild.json
build/imagelint diff "$out/example.oci.tar" "$out/example-rebuild.oci.tar" || echo "imagelint diff exited $? (1 = drift)"
# The reports other tools and people read: JUnit and Code Quality for GitLab, SARIF, the HTML
# page of the diff, and the trend of nights (here one night).
build/imagelint check "$out/example.oci.tar" --format junit --output "$out/junit.xml" \
  --format codequality --output "$out/gl-code-quality-report.json" --format sarif --output "$out/check.sarif" \
  --format markdown --output "$out/check.md" || true
build/imagelint diff "$out/example.oci.tar" "$out/example-rebuild.oci.tar" --quiet \
  --format html --output "$out/diff.html" --format json --output "$out/diff.json" || true
build/imagelint report "$out/diff.json" --output "$out/trend.html"
ls -l "$out"
