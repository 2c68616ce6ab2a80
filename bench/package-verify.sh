#!/bin/bash
# bench/package-verify.sh [DIR]: package-verify on a real Debian root, against dpkg --verify, and
# what it costs. debootstrap --variant=minbase bookworm into DIR/rootfs (kept between runs), an OCI
# image DIR/img:t made with GNU tar + umoci: layer 0 the root as debootstrap left it, layer 1 a
# `RUN` that edits three packaged files (a conffile, a file under usr/, and /bin/hostname, which
# the package lists through the bin -> usr/bin link). Prints dpkg --verify's report beside
# imagelint's findings, then the median of RUNS (default 5) `check --no-cache` with bootc-base
# as shipped, without the rule, and with "baseline": "none" (every file digested in the pass).
# Needs root, network to the Debian mirror (first run only), debootstrap, umoci.
set -euo pipefail
cd "$(dirname "$0")/.."
D=${1:-/tmp/imagelint-package-verify}
B=$PWD/build/imagelint
[ -x "$B" ] || ./ci/build.sh build >/dev/null
MIRROR=$(awk '/^URIs:/ && $2 ~ /\/debian\/?$/ {print $2; exit}' /etc/apt/sources.list.d/*.sources 2>/dev/null || true)
mkdir -p "$D"
if [ ! -x "$D/rootfs/usr/bin/dpkg" ]; then
  debootstrap --variant=minbase bookworm "$D/rootfs" "${MIRROR:-http://deb.debian.org/debian}" >"$D/debootstrap.log"
fi
R=$D/rootfs
rm -rf "$D/img" "$D/l0.tar" "$D/l1.tar" "$D/tree"
umoci init --layout "$D/img" && umoci new --image "$D/img:t"
tar -C "$R" --numeric-owner --xattrs -cf "$D/l0.tar" .
umoci raw add-layer --image "$D/img:t" --history.created_by "debootstrap --variant=minbase bookworm" "$D/l0.tar"
# The edits, on a copy of the three files (the kept rootfs stays as debootstrap left it).
T=$D/tree
mkdir -p "$T/etc" "$T/usr/lib" "$T/usr/bin"
sed 's/^UMASK.*/UMASK 002/' "$R/etc/login.defs" >"$T/etc/login.defs"
{ cat "$R/usr/lib/os-release"; echo 'VARIANT="site"'; } >"$T/usr/lib/os-release"
printf '#!/bin/sh\necho site-host\n' >"$T/usr/bin/hostname"
chmod 0644 "$T/etc/login.defs" "$T/usr/lib/os-release"
chmod 0755 "$T/usr/bin/hostname"
tar -C "$T" --numeric-owner -cf "$D/l1.tar" etc/login.defs usr/lib/os-release usr/bin/hostname
umoci raw add-layer --image "$D/img:t" --history.created_by "RUN sed -i s/UMASK/ /etc/login.defs && echo VARIANT >> /usr/lib/os-release && cp hostname /usr/bin/" "$D/l1.tar"

# The oracle: dpkg --verify on the root with the same edits (a copy: overlay the three files).
V=$D/verify-root
rm -rf "$V" && cp -a "$R" "$V" && cp -a "$T/." "$V/"
echo "== dpkg --root $V --verify"
dpkg --root="$V" --verify || true
echo "== imagelint check oci:$D/img:t --rules bootc-base (package-verify)"
{ "$B" check "oci:$D/img:t" --rules bootc-base --no-cache --format json || true; } |
  python3 -c 'import json,sys; [print(f["severity"], f["path"], "|", f["message"], "| layer", f["layer"]) for f in json.load(sys.stdin)["findings"] if f["rule"]=="package-verify"]'

python3 - "$PWD/rules/bootc-base.json" "$D" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
base = dict(d, extends=[])
json.dump(dict(base, name="no-package-verify", rules=[r for r in d["rules"] if r["id"] != "package-verify"]),
          open(sys.argv[2] + "/no-pv.json", "w"))
rules = [dict(r, params=dict(r.get("params", {}), baseline="none")) if r["id"] == "package-verify" else r for r in d["rules"]]
json.dump(dict(base, name="pv-none", rules=rules), open(sys.argv[2] + "/pv-none.json", "w"))
PY
median() {  # median wall seconds of RUNS runs of a check with the given pack
  for _ in $(seq "${RUNS:-5}"); do
    /usr/bin/time -f %e "$B" check "oci:$D/img:t" --rules "$1" --no-cache >/dev/null 2>>"$D/t.$$" || true
    tail -1 "$D/t.$$"
  done | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'
  rm -f "$D/t.$$"
}
without=$(median "$D/no-pv.json")
with=$(median bootc-base)
none=$(median "$D/pv-none.json")
echo "== check --no-cache, median of ${RUNS:-5}"
printf 'without package-verify   %s s\n' "$without"
printf 'bootc-base as shipped    %s s  (%.2fx)\n' "$with" "$(echo "$with / $without" | bc -l)"
printf 'baseline none            %s s  (%.2fx)\n' "$none" "$(echo "$none / $without" | bc -l)"
