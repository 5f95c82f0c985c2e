#!/usr/bin/python3
"""make_big_image.py OUT: a generated 200 MB image, 5 layers of 4 random
10 MB files (incompressible), tagged bench/big:200mb, in docker-save format.
Used by bench/images.sh and bench/registry.sh."""
import hashlib, io, json, os, sys, tarfile
out = sys.argv[1]
layers, diffs = [], []
for i in range(5):
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w") as t:
        for j in range(4):
            data = os.urandom(10 << 20)
            ti = tarfile.TarInfo("layer%d/file%d" % (i, j))
            ti.size = len(data)
            t.addfile(ti, io.BytesIO(data))
    layers.append(buf.getvalue())
    diffs.append("sha256:" + hashlib.sha256(layers[-1]).hexdigest())
config = json.dumps({"architecture": "amd64", "os": "linux", "config": {"Cmd": ["/bin/sh"]},
                     "created": "2024-01-02T03:04:05Z",
                     "rootfs": {"type": "layers", "diff_ids": diffs},
                     "history": [{"created": "2024-01-02T03:04:05Z", "created_by": "bench layer %d" % i}
                                 for i in range(5)]}).encode()
cid = hashlib.sha256(config).hexdigest()
names = ["%s/layer.tar" % d[7:] for d in diffs]
manifest = json.dumps([{"Config": cid + ".json", "RepoTags": ["bench/big:200mb"], "Layers": names}]).encode()
with tarfile.open(out, "w") as t:
    def add(name, data):
        ti = tarfile.TarInfo(name)
        ti.size = len(data)
        t.addfile(ti, io.BytesIO(data))
    add(cid + ".json", config)
    for n, l in zip(names, layers):
        add(n, l)
    add("manifest.json", manifest)
