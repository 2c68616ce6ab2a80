#!/usr/bin/env python3
"""make_fleet.py BASE_LAYOUT OUT_LAYOUT N [TAG]: N tier-3 instance images on one base, for the fleet
benchmark (bench/fleet.sh) and tests. OUT_LAYOUT is an OCI layout whose tags host001..hostN each name
the base image (TAG in BASE_LAYOUT, default "latest") plus one small gzip layer of its own: the
host's name, a service user in /etc/passwd and /etc/group, its SSH key, a machine-info file; every
tenth host also leaves a world-writable file (so that verdicts differ). The base's blobs are hard
links (a copy across file systems), never changed. Deterministic: the same N gives the same digests."""
import gzip
import hashlib
import io
import json
import os
import shutil
import sys
import tarfile


def blob_path(layout, digest):
    return os.path.join(layout, "blobs", "sha256", digest.split(":", 1)[1])


def put_blob(layout, data):
    digest = "sha256:" + hashlib.sha256(data).hexdigest()
    path = blob_path(layout, digest)
    if not os.path.exists(path):
        with open(path + ".tmp", "wb") as f:
            f.write(data)
        os.rename(path + ".tmp", path)
    return digest, len(data)


def add(tar, name, data=b"", mode=0o644, uid=0, gid=0, kind=tarfile.REGTYPE):
    ti = tarfile.TarInfo(name)
    ti.type, ti.mode, ti.uid, ti.gid, ti.mtime = kind, mode, uid, gid, 1700000000
    ti.size = len(data) if kind == tarfile.REGTYPE else 0
    tar.addfile(ti, io.BytesIO(data) if kind == tarfile.REGTYPE else None)


def instance_layer(i):
    host = "host%03d" % i
    raw = io.BytesIO()
    with tarfile.open(fileobj=raw, mode="w", format=tarfile.PAX_FORMAT) as t:
        add(t, "etc", kind=tarfile.DIRTYPE, mode=0o755)
        add(t, "etc/hostname", (host + "\n").encode())
        add(t, "etc/machine-info", ("PRETTY_HOSTNAME=%s\nDEPLOYMENT=fleet\n" % host).encode())
        add(t, "etc/passwd", b"root:x:0:0:root:/root:/bin/bash\nsvc-app:x:2001:2001::/var/home/svc-app:/sbin/nologin\n")
        add(t, "etc/group", b"root:x:0:\nsvc-app:x:2001:\n")
        add(t, "var", kind=tarfile.DIRTYPE, mode=0o755)
        add(t, "var/home", kind=tarfile.DIRTYPE, mode=0o755)
        add(t, "var/home/svc-app", kind=tarfile.DIRTYPE, mode=0o700, uid=2001, gid=2001)
        add(t, "var/home/svc-app/.ssh", kind=tarfile.DIRTYPE, mode=0o700, uid=2001, gid=2001)
        key = hashlib.sha256(host.encode()).hexdigest()
        add(t, "var/home/svc-app/.ssh/authorized_keys", ("ssh-ed25519 AAAA%s %s\n" % (key, host)).encode(), 0o600, 2001, 2001)
        if i % 10 == 0:
            add(t, "etc/fleet-scratch", b"left by the build\n", 0o666)
    tar_bytes = raw.getvalue()
    gz = io.BytesIO()
    with gzip.GzipFile(fileobj=gz, mode="wb", mtime=0, compresslevel=6) as g:
        g.write(tar_bytes)
    return gz.getvalue(), "sha256:" + hashlib.sha256(tar_bytes).hexdigest()


def main():
    base, out, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
    tag = sys.argv[4] if len(sys.argv) > 4 else "latest"
    idx = json.load(open(os.path.join(base, "index.json")))
    desc = next(m for m in idx["manifests"] if m.get("annotations", {}).get("org.opencontainers.image.ref.name") == tag)
    manifest = json.load(open(blob_path(base, desc["digest"])))
    config = json.load(open(blob_path(base, manifest["config"]["digest"])))
    os.makedirs(os.path.join(out, "blobs", "sha256"), exist_ok=True)
    with open(os.path.join(out, "oci-layout"), "w") as f:
        json.dump({"imageLayoutVersion": "1.0.0"}, f)
    for l in manifest["layers"]:
        src, dst = blob_path(base, l["digest"]), blob_path(out, l["digest"])
        if not os.path.exists(dst):
            try:
                os.link(src, dst)
            except OSError:
                shutil.copyfile(src, dst)
    manifests = []
    base_digest, base_size = put_blob(out, open(blob_path(base, desc["digest"]), "rb").read())
    manifests.append({"mediaType": desc["mediaType"], "digest": base_digest, "size": base_size,
                      "annotations": {"org.opencontainers.image.ref.name": "base"}})
    put_blob(out, open(blob_path(base, manifest["config"]["digest"]), "rb").read())
    for i in range(1, n + 1):
        layer, diff_id = instance_layer(i)
        ld, ls = put_blob(out, layer)
        c = json.loads(json.dumps(config))
        c["rootfs"]["diff_ids"].append(diff_id)
        c.setdefault("history", []).append({"created": "2023-11-15T00:00:00Z", "created_by": "COPY host%03d/ /" % i})
        cd, cs = put_blob(out, json.dumps(c, sort_keys=True).encode())
        m = json.loads(json.dumps(manifest))
        m["config"] = {"mediaType": manifest["config"]["mediaType"], "digest": cd, "size": cs}
        m["layers"].append({"mediaType": "application/vnd.oci.image.layer.v1.tar+gzip", "digest": ld, "size": ls})
        md, ms = put_blob(out, json.dumps(m, sort_keys=True).encode())
        manifests.append({"mediaType": desc["mediaType"], "digest": md, "size": ms,
                          "annotations": {"org.opencontainers.image.ref.name": "host%03d" % i}})
    with open(os.path.join(out, "index.json.tmp"), "w") as f:
        json.dump({"schemaVersion": 2, "manifests": manifests}, f)
    os.rename(os.path.join(out, "index.json.tmp"), os.path.join(out, "index.json"))


if __name__ == "__main__":
    main()
