#!/usr/bin/env bash
# fuzz/seeds.sh OUT_DIR [IMAGELINT_FIXTURE]: fills OUT_DIR/<target>/ with seed inputs for each
# fuzz target (fuzz/<target>_fuzz.cc) from ../shared/corpus (when present), fixtures/recipes
# (built into images with imagelint-fixture, default build-fuzz/imagelint-fixture; skipped when
# missing) and a few inputs written here. Idempotent: seeds are named by content.
# Needs python3, gcc, objcopy, tar, gzip, xz, zstd (all in ci/install-deps.sh).
set -euo pipefail
cd "$(dirname "$0")/.."
out=${1:?usage: fuzz/seeds.sh OUT_DIR [IMAGELINT_FIXTURE]}
fixture=${2:-build-fuzz/imagelint-fixture}
corpus=../shared/corpus
targets=(rpm_header kmod unit_file policy users layer oci archive tar_split)
for t in "${targets[@]}"; do mkdir -p "$out/$t"; done
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
# seed TARGET FILE...: copies each file in under its sha1.
seed() {
  local t=$1 f
  shift
  for f in "$@"; do
    [ -s "$f" ] && cp "$f" "$out/$t/$(sha1sum "$f" | cut -c1-40)"
  done
  return 0
}
have_corpus=0
[ -d "$corpus" ] && have_corpus=1 || echo "seeds: $corpus not found; corpus seeds skipped" >&2

# --- images from fixtures/recipes (oci layouts, docker-archive and oci-archive tars) ---
images=$tmp/images
mkdir -p "$images"
if [ -x "$fixture" ]; then
  for r in fixtures/recipes/*.json; do
    n=$(basename "$r" .json)
    ASAN_OPTIONS=detect_leaks=0 "$fixture" --oci "$images/$n" "$r" >/dev/null
    ASAN_OPTIONS=detect_leaks=0 "$fixture" --docker-archive "$images/$n.docker.tar" "$r" >/dev/null
    ASAN_OPTIONS=detect_leaks=0 "$fixture" --oci-archive "$images/$n.oci.tar" "$r" >/dev/null
  done
else
  echo "seeds: $fixture not built; image seeds from fixtures/ skipped" >&2
fi

# --- python: rpm header blobs, OCI layouts in oci_fuzz's format, layer stacks, recipe texts ---
python3 - "$out" "$corpus" "$images" <<'PY'
import glob, hashlib, json, os, sqlite3, sys
out, corpus, images = sys.argv[1:4]

def put(target, data):
    if isinstance(data, str):
        data = data.encode()
    if data:
        with open(os.path.join(out, target, hashlib.sha1(data).hexdigest()), "wb") as f:
            f.write(data)

# rpm_header: every Packages blob of rpm's own test database (opened immutable: no -shm/-wal).
for db in glob.glob(os.path.join(corpus, "rpm/tests/data/misc/rpmdb.sqlite")):
    con = sqlite3.connect("file:%s?immutable=1" % db, uri=True)
    for (blob,) in con.execute("SELECT blob FROM Packages"):
        put("rpm_header", bytes(blob))

# oci: a layout as documents separated by NUL: index.json first, then each blob it reaches, with
# "sha256:<hex>" of a later document written "sha256:@K" and its size "@sK" (see oci_fuzz.cc).
# load_oci checks a layer's size, not its bytes: a big or binary blob (a NUL would split it)
# becomes a stub, and the descriptors' size follows.
def digests_in(v, refs):
    if isinstance(v, dict):
        if isinstance(v.get("digest"), str):
            refs.append(v["digest"])
        for x in v.values():
            digests_in(x, refs)
    elif isinstance(v, list):
        for x in v:
            digests_in(x, refs)
    return refs

def layout_seed(index, read_blob):
    docs, sizes, order, queue = [index], [len(index)], {}, [0]
    while queue:
        try:
            refs = digests_in(json.loads(docs[queue.pop(0)]), [])
        except ValueError:
            continue
        for d in refs:
            b = read_blob(d[7:]) if d.startswith("sha256:") and d not in order and len(docs) < 16 else None
            if b is None:
                continue
            order[d] = len(docs)
            sizes.append(len(b))
            docs.append(b if len(b) < 16384 and b"\0" not in b else b"stub layer")
            try:
                json.loads(docs[-1])
                queue.append(order[d])
            except ValueError:
                pass
    out_docs = []
    for i, b in enumerate(docs):
        s = b.decode("latin-1")
        for d, k in order.items():
            if k > i and d in s:
                s = s.replace('"size": %d' % sizes[k], '"size": @s%d' % k).replace('"size":%d' % sizes[k], '"size":@s%d' % k)
                s = s.replace(d, "sha256:@%d" % k)
        out_docs.append(s.encode("latin-1"))
    put("oci", b"\0".join(out_docs))

def dir_layout(path):
    def blob(h):
        p = os.path.join(path, "blobs/sha256", h)
        return open(p, "rb").read() if os.path.isfile(p) else None
    if os.path.isfile(os.path.join(path, "index.json")):
        layout_seed(open(os.path.join(path, "index.json"), "rb").read(), blob)

for idx in glob.glob(os.path.join(corpus, "containers-image/oci/layout/fixtures/*/index.json")):
    dir_layout(os.path.dirname(idx))
for idx in glob.glob(os.path.join(images, "*/index.json")):
    dir_layout(os.path.dirname(idx))
# Manifests and lists from containers-image and containers-common, each under a one-entry index.
for m in glob.glob(os.path.join(corpus, "containers-image/manifest/fixtures/*.json")) + \
         glob.glob(os.path.join(corpus, "containers-image/internal/manifest/testdata/*.json")) + \
         glob.glob(os.path.join(corpus, "containers-common/pkg/manifests/testdata/*.json")):
    b = open(m, "rb").read()
    try:
        mt = json.loads(b).get("mediaType", "")
    except (ValueError, AttributeError):
        continue
    idx = json.dumps({"schemaVersion": 2, "manifests": [{"mediaType": mt, "digest": "sha256:@1", "size": 0}]})
    put("oci", idx.replace('"size": 0', '"size": @s1').encode() + b"\0" + b)

# layer: each layer blob of the fixture images, compressed as built and decompressed, and each
# image's whole stack joined by layer_fuzz's separator (whiteouts act on lower layers).
SEP = b"--imagelint-fuzz-layer--"
import gzip, lzma, subprocess
def plain(b):
    if b[:2] == b"\x1f\x8b": return gzip.decompress(b)
    if b[:6] == b"\xfd7zXZ\x00": return lzma.decompress(b)
    if b[:4] == b"\x28\xb5\x2f\xfd":
        return subprocess.run(["zstd", "-dc"], input=b, capture_output=True, check=True).stdout
    return b
for idx in glob.glob(os.path.join(images, "*/index.json")):
    root = os.path.dirname(idx)
    blob = lambda d: open(os.path.join(root, "blobs/sha256", d[7:]), "rb").read()
    for desc in json.load(open(idx))["manifests"]:
        man = json.loads(blob(desc["digest"]))
        layers = [blob(l["digest"]) for l in man.get("layers", [])]
        for l in layers:
            put("layer", l)
            put("layer", plain(l))
        put("layer", SEP.join(layers))
        put("layer", SEP.join(plain(l) for l in layers))

# users, unit_file, policy: file contents the recipes write.
kinds = {"users": ("passwd", "group", "shadow", "sysusers.d/", "tmpfiles.d/", "os-release"),
         "unit_file": (".container", ".service", ".pod", ".volume", ".network", ".kube", ".conf"),
         "policy": ("policy.json",)}
for r in glob.glob("fixtures/recipes/*.json"):
    for layer in json.load(open(r)).get("layers", []):
        for e in layer.get("entries", []):
            if isinstance(e.get("content"), str):
                for target, pats in kinds.items():
                    if any(p in e["path"] for p in pats):
                        put(target, e["content"])
PY

if [ "$have_corpus" = 1 ]; then
  # rpm_header: go-rpmdb's one-header blob.
  seed rpm_header "$corpus/go-rpmdb/pkg/testdata/blob.bin"
  # policy: every policy.json of the corpus (valid, default and the rejected "accept" one).
  while IFS= read -r -d '' f; do seed policy "$f"; done < <(find "$corpus" -name '*policy*.json' -print0)
  # unit_file: podman's quadlet units; a unit with drop-ins is the unit, NUL, each drop-in.
  q=$corpus/podman/test/e2e/quadlet
  while IFS= read -r -d '' f; do seed unit_file "$f"; done < <(find "$q" -type f ! -path '*.d/*' -print0)
  for d in "$q"/*.d; do
    [ -d "$d" ] || continue
    u=$q/$(basename "$d" .d)
    [ -f "$u" ] || u=/dev/null
    { cat "$u"; for c in "$d"/*.conf; do printf '\0'; cat "$c"; done; } >"$tmp/dropins"
    seed unit_file "$tmp/dropins"
  done
  # kmod: the .modinfo text of built-in modules (parse_modinfo's input).
  while IFS= read -r -d '' f; do seed kmod "$f"; done < <(find "$corpus/kmod" -name 'modules.builtin.modinfo' -print0)
  # archive: a real `docker save` archive.
  seed archive "$corpus/containers-image/docker/archive/fixtures/almostempty.tar"
fi

# --- kmod: real ELF objects with a .modinfo section, as the tests build them ---
printf 'int answer = 42;\nint f(void) { return answer; }\n' >"$tmp/m.c"
printf 'name=zfs\0version=2.2.7-1\0license=CDDL\0srcversion=ABCDEF0123\0depends=spl,znvpair\0vermagic=6.12.0-55.el10.x86_64 SMP preempt mod_unload modversions\0' >"$tmp/m.modinfo"
gcc -c -O2 "$tmp/m.c" -o "$tmp/m.o"
objcopy --add-section .modinfo="$tmp/m.modinfo" --set-section-flags .modinfo=alloc,readonly "$tmp/m.o" "$tmp/m.ko"
objcopy -O elf32-i386 "$tmp/m.ko" "$tmp/m32.ko" 2>/dev/null || true
{ cat "$tmp/m.ko"; head -c 300 /dev/zero; printf '~Module signature appended~\n'; } >"$tmp/s.ko"
xz --check=crc32 -k "$tmp/m.ko"
zstd -q -k "$tmp/m.ko"
gzip -n -k "$tmp/m.ko"
seed kmod "$tmp/m.ko" "$tmp/m32.ko" "$tmp/s.ko" "$tmp/m.ko.xz" "$tmp/m.ko.zst" "$tmp/m.ko.gz" "$tmp/m.modinfo"

# --- users: one of each file kind ---
printf 'root:x:0:0:root:/root:/bin/bash\nsvc:x:1001:1001:Service,,,:/home/svc:/sbin/nologin\n+nis::::::\n' >"$tmp/passwd"
printf 'root:x:0:\nwheel:x:10:alice,bob\n' >"$tmp/group"
printf 'root:*:19000:0:99999:7:::\nalice:$6$salt$hash:19000::::::\nbob:!!:19000::::::\n' >"$tmp/shadow"
printf '%s\n' '# sysusers.d' 'u svc 1001:1001 "Service user" /var/lib/svc /sbin/nologin' 'g grp -' 'm svc grp' \
  'r - 500-900' 'u! locked - "Locked"' 'u fromfile /etc/x -' >"$tmp/sysusers"
printf '%s\n' 'd /var/lib/svc 0750 svc svc -' 'f+ /var/lib/systemd/linger/svc - - - -' 'L? /etc/x - - - - ../usr/x' \
  'w /proc/sys/x - - - - "a b\x41"' 'z /var/log 2755 root root 10d' >"$tmp/tmpfiles"
printf 'NAME="CentOS Stream"\nID=centos\nVERSION_ID="10"\nPRETTY_NAME='"'"'x y'"'"'\n' >"$tmp/os-release"
seed users "$tmp/passwd" "$tmp/group" "$tmp/shadow" "$tmp/sysusers" "$tmp/tmpfiles" "$tmp/os-release"

# --- layer: tars with whiteouts, opaque markers, links, long names and pax headers ---
mkdir -p "$tmp/l1/etc" "$tmp/l1/usr/bin" "$tmp/l2/etc" "$tmp/l2/usr/bin"
echo root:x:0:0::/root:/bin/sh >"$tmp/l1/etc/passwd"
echo a >"$tmp/l1/usr/bin/a"
ln -s ../usr/bin "$tmp/l1/etc/bin"
ln "$tmp/l1/usr/bin/a" "$tmp/l1/usr/bin/hard"
touch "$tmp/l2/etc/.wh.passwd" "$tmp/l2/usr/bin/.wh..wh..opq" "$tmp/l2/usr/bin/$(printf 'n%.0s' $(seq 200))"
tar --format=gnu -C "$tmp/l1" -cf "$tmp/l1.tar" .
tar --format=pax -C "$tmp/l2" -cf "$tmp/l2.tar" .
seed layer "$tmp/l1.tar" "$tmp/l2.tar"
{ cat "$tmp/l1.tar"; printf -- '--imagelint-fuzz-layer--'; cat "$tmp/l2.tar"; } >"$tmp/stack"
seed layer "$tmp/stack"

# --- archive: the fixture images as docker-archive and oci-archive tars ---
for f in "$images"/*.tar; do [ -f "$f" ] && seed archive "$f"; done

# --- tar_split: streams naming the fuzz target's tree (a, lib/os-release through the lib symlink,
# and names that climb out), plain and gzip'd, as containers/storage writes them ---
python3 - "$tmp" <<'PY'
import base64, io, json, sys, tarfile
out = sys.argv[1]
def split(files, name):
    t = io.BytesIO()
    with tarfile.open(fileobj=t, mode="w", format=tarfile.PAX_FORMAT) as tf:
        for n, data in files:
            ti = tarfile.TarInfo(n); ti.size = len(data); tf.addfile(ti, io.BytesIO(data))
    raw, lines, emitted = t.getvalue(), [], 0
    with tarfile.open(fileobj=io.BytesIO(raw)) as tf:
        for m in tf.getmembers():
            seg = raw[emitted:m.offset_data]
            lines.append({"type": 2, "payload": base64.b64encode(seg).decode(), "position": len(lines)})
            lines.append({"type": 1, "name": m.name, "size": m.size, "payload": "AAAAAAAAAAA=", "position": len(lines)})
            emitted = m.offset_data + m.size
    lines.append({"type": 2, "payload": base64.b64encode(raw[emitted:]).decode(), "position": len(lines)})
    open(f"{out}/{name}", "w").write("".join(json.dumps(l) + "\n" for l in lines))
split([("a", b"x"), ("lib/os-release", b"o" * 512)], "ts1")
split([("up/etc/passwd", b"x")], "ts2")
split([("etc/passwd", b"x" * 3)], "ts3")
PY
for f in ts1 ts2 ts3; do gzip -kn "$tmp/$f"; done
seed tar_split "$tmp/ts1" "$tmp/ts2" "$tmp/ts3" "$tmp/ts1.gz" "$tmp/ts2.gz" "$tmp/ts3.gz"

for t in "${targets[@]}"; do printf '%s: %s seeds\n' "$t" "$(find "$out/$t" -type f | wc -l)"; done
