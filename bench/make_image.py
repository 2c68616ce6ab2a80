#!/usr/bin/env python3
"""bench/make_image.py VARIANT > recipe.json

A deterministic recipe for a realistic OS image (for build/imagelint-fixture): 24 layers, about
1.1 GB unpacked, 52,000 files with a real spread of sizes (most a few KiB, some MiB, a few tens of
MiB) and of compressibility (text, code-like, already compressed), and 4,096 kernel modules with a
.modinfo about a fifth of the way in and an appended signature, as DKMS and the distribution ship
them.

Variants:
  gzip      the image, layers gzip-compressed, modules .ko.xz
  zstd      the same, layers zstd-compressed
  plain     no compressed modules: the same modules as plain .ko (check's other target)
  shared    gzip with only its last layer different (a tier-3 instance on a shared base)
  rebuild   a second uncached build of gzip: other mtimes in the layers a build touches, the DKMS
            modules signed with another build key, a log and a cache that change every build

Every number comes from a seeded generator: the same variant is the same image byte for byte.
"""
import json
import random
import sys

LAYERS = 24
FILES = 52_000
MODULES = 4_096
KVER = "6.12.0-55.el10.x86_64"
MTIME = 1_700_000_000


def sizes(rng, n):
    """File sizes with the shape of a real root: many small, a tail of large ones."""
    out = []
    for _ in range(n):
        r = rng.random()
        if r < 0.65:
            out.append(rng.randint(64, 8 << 10))
        elif r < 0.95:
            out.append(rng.randint(8 << 10, 32 << 10))
        elif r < 0.999:
            out.append(rng.randint(32 << 10, 128 << 10))
        else:
            out.append(rng.randint(1 << 20, 6 << 20))
    return out


def main():
    variant = sys.argv[1] if len(sys.argv) > 1 else "gzip"
    if variant not in ("gzip", "zstd", "plain", "shared", "rebuild"):
        sys.exit(f"make_image.py: unknown variant {variant!r} (gzip zstd plain shared rebuild)")
    rng = random.Random(42)
    compression = "zstd" if variant == "zstd" else "gzip"
    rebuild = variant == "rebuild"
    layers = [{"compression": compression, "created_by": f"RUN step {i}", "entries": []} for i in range(LAYERS)]

    def add(layer, entry):
        entry.setdefault("mtime", MTIME + (86400 if rebuild and layer >= LAYERS - 6 else 0))
        layers[layer]["entries"].append(entry)

    # Files: layer 0 holds the base OS (a third of them), the rest spread over the other layers.
    made_dirs = [set() for _ in range(LAYERS)]
    all_sizes = sizes(rng, FILES)
    for i, size in enumerate(all_sizes):
        layer = 0 if i < FILES // 3 else 1 + (i * 7919) % (LAYERS - 1)
        top = ("usr/share", "usr/lib64", "usr/bin", "etc", "usr/libexec", "var/lib")[i % 6]
        d = f"{top}/pkg{(i // 6) % 166}"
        if d not in made_dirs[layer]:
            made_dirs[layer].add(d)
            add(layer, {"path": d, "type": "dir"})
        kind = rng.random()
        entry = {"path": f"{d}/f{i}", "size": size, "seed": i + 1}
        if kind < 0.70:
            entry["text"] = True  # text and binaries: compress 3-5:1
        # else: random bytes, as already-compressed files (.gz, .png, .rpm) are
        add(layer, entry)

    # Kernel modules in the kernel layer (2) and DKMS's (ZFS, NVIDIA) in layer 3.
    mod_layer_dirs = set()
    compress = "none" if variant == "plain" else "xz"
    suffix = ".ko" if variant == "plain" else ".ko.xz"
    dep_lines = []
    for m in range(MODULES):
        dkms = m >= MODULES - 16
        layer = 3 if dkms else 2
        sub = "extra/zfs" if dkms and m % 2 else "extra/nvidia" if dkms else f"kernel/drivers/d{m % 61}"
        d = f"usr/lib/modules/{KVER}/{sub}"
        for p in [f"usr/lib/modules/{KVER}", f"usr/lib/modules/{KVER}/kernel", f"usr/lib/modules/{KVER}/extra", d]:
            if (layer, p) not in mod_layer_dirs:
                mod_layer_dirs.add((layer, p))
                add(layer, {"path": p, "type": "dir"})
        name = f"mod{m}"
        size = rng.randint(8 << 10, 200 << 10) if not dkms else rng.randint(1 << 20, 8 << 20)
        key = "build-2-key" if rebuild and dkms else "build-key"
        add(layer, {"path": f"{d}/{name}{suffix}", "compress": compress, "signed": key, "module_size": size,
                    "seed": m + 7, "modinfo": [["license", "GPL"], ["description", f"driver {m}"],
                                               ["version", "2.2.7" if dkms else ""],
                                               ["depends", "" if m % 5 else "mod0"], ["intree", "Y"],
                                               ["name", name], ["vermagic", f"{KVER} SMP preempt mod_unload modversions"]]})
        dep_lines.append(f"{sub}/{name}{suffix}:" + ("" if m % 5 else f" kernel/drivers/d0/mod0{suffix}"))
    add(3, {"path": f"usr/lib/modules/{KVER}/modules.dep", "content": "\n".join(dep_lines) + "\n"})
    add(2, {"path": f"usr/lib/modules/{KVER}/vmlinuz", "size": 14 << 20, "seed": 99})

    # What changes in every build: a log, a cache, the rpm database's timestamps.
    last = LAYERS - 1
    for p in ("var/log", "var/cache/dnf"):
        add(last, {"path": p, "type": "dir"})
    add(last, {"path": "var/log/dnf.log", "size": 200_000, "seed": 2 if rebuild else 1, "text": True})
    add(last, {"path": "var/cache/dnf/expired_repos.json", "content": "[]\n" if not rebuild else "[\"appstream\"]\n"})
    if variant == "shared":  # the instance's own last layer: other users, keys and config
        add(last, {"path": "etc/hostname", "content": "host-b\n"})
        add(last, {"path": "var/lib/instance-b.conf", "size": 300_000, "seed": 1234, "text": True})
    json.dump({"tag": "latest", "labels": {"containers.bootc": "1"}, "layers": layers}, sys.stdout, separators=(",", ":"))


if __name__ == "__main__":
    main()
