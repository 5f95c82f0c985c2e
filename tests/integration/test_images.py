"""The image store through its clients: the real docker CLI, python3-docker,
curl and raw HTTP (and the engine CLI where it has the command) against one
engined: load, images, inspect, history, tag, rmi, save/load round trips,
import, system df, prune, Docker's image events, and hostile archives that
must leave the daemon serving, nothing registered and nothing in tmp."""
import gzip
import hashlib
import io
import json
import os
import subprocess
import tarfile
import time
import urllib.parse

from harness import IMAGES, EngineTestCase, main

BUSYBOX = "busybox:1.38.0-musl"
BUSYBOX_ID = "sha256:654fc8fd836e35f4a64586bddf8f59b9029b48cf80f520834c6c98ca8ab5def9"
ALPINE = "alpine:3.20.3"
ALPINE_ID = "sha256:861e92ced24fb40a1f89054182e1b72281710d35e0a50889a7bbe3216b126484"
HELLO_ID = "sha256:1485efea8146de0874b6c3f6dd9146d1171e586f5f358d07393cf612dbf9ac9c"


def img(name):
    return os.path.join(IMAGES, name)


def q(obj):
    return urllib.parse.quote(json.dumps(obj))


# ---- archives built in memory -------------------------------------------

def tar_of(members, fmt=tarfile.PAX_FORMAT):
    """members: (TarInfo-ish dict, bytes) pairs -> tar bytes."""
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w", format=fmt) as t:
        for spec, data in members:
            ti = tarfile.TarInfo(spec["name"])
            ti.type = spec.get("type", tarfile.REGTYPE)
            ti.linkname = spec.get("linkname", "")
            ti.mode = spec.get("mode", 0o644)
            ti.size = len(data or b"")
            t.addfile(ti, io.BytesIO(data or b""))
    return buf.getvalue()


def layer_of(files):
    return tar_of([({"name": n}, d) for n, d in files])


def docker_archive(layers, tag="hostile:test", diff_ids=None, extra=()):
    """A `docker save` archive: layers are blobs as stored (plain tars unless
    said otherwise); diff_ids default to the sha256 of each blob."""
    diff_ids = diff_ids or ["sha256:" + hashlib.sha256(l).hexdigest() for l in layers]
    config = json.dumps({"architecture": "amd64", "os": "linux", "config": {"Cmd": ["/x"]},
                         "created": "2024-01-02T03:04:05Z",
                         "rootfs": {"type": "layers", "diff_ids": diff_ids}}).encode()
    cid = hashlib.sha256(config).hexdigest()
    names = ["layer%d.tar" % i for i in range(len(layers))]
    manifest = json.dumps([{"Config": cid + ".json", "RepoTags": [tag] if tag else None,
                            "Layers": names}]).encode()
    members = [({"name": cid + ".json"}, config)]
    members += [({"name": n}, l) for n, l in zip(names, layers)]
    members += list(extra)
    members.append(({"name": "manifest.json"}, manifest))
    return tar_of(members)


class Images(EngineTestCase):
    """One engined; every test starts from an empty store."""

    def setUp(self):
        self.wipe()

    # ---- helpers ---------------------------------------------------------
    def wipe(self):
        for i in self.d.api("GET", "/v1.44/images/json?all=1").json():
            self.d.api("DELETE", "/v1.44/images/%s?force=1" % i["Id"])
        self.assertEqual(self.d.api("GET", "/v1.44/images/json?all=1").json(), [])

    def load(self, name):
        with open(img(name), "rb") as f:
            r = self.d.api("POST", "/v1.44/images/load?quiet=1", body=f.read(),
                           headers={"Content-Type": "application/x-tar"})
        self.assertEqual(r.status, 200, r)
        return r

    def ids(self):
        return sorted(i["Id"] for i in self.d.api("GET", "/v1.44/images/json?all=1").json())

    def events(self, since, **filters):
        f = dict({"type": {"image": True}}, **{k: {v: True} for k, v in filters.items()})
        r = self.d.api("GET", "/v1.44/events?since=%.9f&until=%.9f&filters=%s" %
                       (since, time.time(), q(f)))
        self.assertEqual(r.status, 200)
        return [json.loads(l) for l in r.body.decode().splitlines() if l.strip()]

    def assertClean(self):
        """Serving, and no temp file left in the data root."""
        self.assertEqual(self.d.api("GET", "/_ping").status, 200)
        tmp = os.path.join(self.d.data, "tmp")
        self.assertEqual(os.listdir(tmp) if os.path.isdir(tmp) else [], [])
        for sub in ("layers", "images"):
            left = [n for n in os.listdir(os.path.join(self.d.data, sub)) if n.startswith("tmp-")]
            self.assertEqual(left, [], sub)

    def assertRefused(self, archive, needle, status=400):
        r = self.d.api("POST", "/v1.44/images/load?quiet=1", body=archive)
        self.assertEqual(r.status, status, r)
        self.assertIn(needle, r.json()["message"])
        self.assertEqual(self.ids(), [])
        self.assertEqual(os.listdir(os.path.join(self.d.data, "layers")), [])
        self.assertClean()

    # ---- the docker CLI --------------------------------------------------
    def test_docker_load_images_inspect_history(self):
        out = self.assertOk(self.d.docker("load", "-i", img("busybox-1.38.0-musl.docker.tar")))
        self.assertEqual(out, "Loaded image: %s\n" % BUSYBOX)
        out = self.assertOk(self.d.docker("load", "-i", img("alpine-3.20.3.oci.tar")))
        self.assertEqual(out, "Loaded image: %s\n" % ALPINE)
        lines = self.assertOk(self.d.docker("images")).splitlines()
        self.assertEqual(lines[0].split(), ["REPOSITORY", "TAG", "IMAGE", "ID", "CREATED", "SIZE"])
        rows = sorted(l.split()[:3] + [l.split()[-1]] for l in lines[1:])
        self.assertEqual(rows, [["alpine", "3.20.3", ALPINE_ID[7:19], "7.8MB"],
                                ["busybox", "1.38.0-musl", BUSYBOX_ID[7:19], "1.53MB"]])
        self.assertRegex(lines[1], r"(months|years) ago")
        out = self.assertOk(self.d.docker("images", "-q", "--no-trunc", "busybox"))
        self.assertEqual(out, BUSYBOX_ID + "\n")
        out = self.assertOk(self.d.docker("image", "inspect", "--format",
                                          "{{.Os}} {{.Architecture}} {{.Id}} {{.RootFS.Type}} "
                                          "{{len .RootFS.Layers}} {{.GraphDriver.Name}}", BUSYBOX))
        self.assertEqual(out, "linux amd64 %s layers 1 overlay2\n" % BUSYBOX_ID)
        self.assertEqual(self.assertOk(self.d.docker("inspect", "-f", "{{.Config.Cmd}}", ALPINE)),
                         "[/bin/sh]\n")
        hist = self.assertOk(self.d.docker("history", "--no-trunc", "--format",
                                           "{{.ID}}|{{.CreatedBy}}|{{.Size}}", ALPINE)).splitlines()
        self.assertEqual(hist, [ALPINE_ID + "|ADD alpine-minirootfs-3.20.3-x86_64.tar.gz /|7.8MB"])
        r = self.d.docker("image", "inspect", "nosuch")
        self.assertEqual(r.returncode, 1)
        self.assertIn("No such image: nosuch", r.stderr.decode())

    def test_docker_tag_and_rmi(self):
        self.load("busybox-1.38.0-musl.oci.tar")
        self.assertOk(self.d.docker("tag", BUSYBOX, "localhost:5000/team/bb:v1"))
        self.assertOk(self.d.docker("tag", BUSYBOX, "mine"))
        out = self.assertOk(self.d.docker("images", "--format", "{{.Repository}}:{{.Tag}} {{.ID}}"))
        self.assertEqual(sorted(out.splitlines()), sorted(
            ["busybox:1.38.0-musl " + BUSYBOX_ID[7:19], "localhost:5000/team/bb:v1 " + BUSYBOX_ID[7:19],
             "mine:latest " + BUSYBOX_ID[7:19]]))
        # inspect through a name with a registry and slashes
        out = self.assertOk(self.d.docker("inspect", "-f", "{{.Id}}", "localhost:5000/team/bb:v1"))
        self.assertEqual(out.strip(), BUSYBOX_ID)
        self.assertEqual(self.assertOk(self.d.docker("rmi", "mine")), "Untagged: mine:latest\n")
        r = self.d.docker("rmi", BUSYBOX_ID[7:19])
        self.assertEqual(r.returncode, 1)
        self.assertIn("conflict: unable to delete %s (must be forced) - image is referenced in "
                      "multiple repositories" % BUSYBOX_ID[7:19], r.stderr.decode())
        out = self.assertOk(self.d.docker("rmi", "localhost:5000/team/bb:v1", BUSYBOX))
        self.assertEqual(out.splitlines()[:3], ["Untagged: localhost:5000/team/bb:v1",
                                                "Untagged: " + BUSYBOX, "Deleted: " + BUSYBOX_ID])
        self.assertEqual(self.ids(), [])
        r = self.d.docker("rmi", "nosuch:1")
        self.assertEqual(r.returncode, 1)
        self.assertEqual(r.stderr.decode(), "Error response from daemon: No such image: nosuch:1\n")
        r = self.d.docker("tag", "nosuch", "x")
        self.assertIn("No such image: nosuch:latest", r.stderr.decode())
        self.assertClean()

    def test_docker_save_load_round_trip(self):
        self.load("busybox-1.38.0-musl.docker.tar")
        self.load("alpine-3.20.3-whiteout.oci.tar")
        before = self.ids()
        save = subprocess.Popen([__import__("harness").DOCKER, "save", BUSYBOX, "alpine:3.20.3-whiteout"],
                                stdout=subprocess.PIPE, env=self.d.env())
        data = save.stdout.read()
        self.assertEqual(save.wait(), 0)
        names = tarfile.open(fileobj=io.BytesIO(data)).getnames()
        for n in ("manifest.json", "index.json", "oci-layout", "repositories"):
            self.assertIn(n, names)
        self.wipe()
        out = self.assertOk(self.d.docker("load", input=data))
        self.assertEqual(sorted(out.splitlines()), ["Loaded image: alpine:3.20.3-whiteout",
                                                    "Loaded image: " + BUSYBOX])
        self.assertEqual(self.ids(), before)
        # -o FILE, and `docker save | docker load` through a shell pipe
        path = os.path.join(self.d.dir, "bb.tar")
        self.assertOk(self.d.docker("save", "-o", path, BUSYBOX))
        self.assertTrue(tarfile.is_tarfile(path))
        self.wipe()
        self.assertOk(self.d.docker("load", "-i", path))
        self.assertEqual(self.ids(), [BUSYBOX_ID])
        r = self.d.docker("save", "-o", path, "nosuch")
        self.assertEqual(r.returncode, 1)
        self.assertIn("No such image: nosuch", r.stderr.decode())
        self.assertClean()

    def test_docker_import(self):
        out = self.assertOk(self.d.docker("import", "-c", 'CMD ["/bin/sh"]', "-c", "ENV A=b",
                                          "-m", "from the test", img("alpine-minirootfs-3.20.3-x86_64.tar.gz"),
                                          "imported:1"))
        iid = out.strip()
        self.assertRegex(iid, r"^sha256:[0-9a-f]{64}$")
        out = self.assertOk(self.d.docker("inspect", "-f", "{{.Id}} {{.Config.Cmd}} {{.Config.Env}} "
                                          "{{.Comment}} {{.RepoTags}}", "imported:1"))
        self.assertEqual(out, "%s [/bin/sh] [A=b] from the test [imported:1]\n" % iid)
        hist = self.assertOk(self.d.docker("history", "--format", "{{.Comment}}", "imported:1"))
        self.assertEqual(hist, "from the test\n")
        # from stdin, untagged; the layer is shared with the first import
        with open(img("alpine-minirootfs-3.20.3-x86_64.tar.gz"), "rb") as f:
            out = self.assertOk(self.d.docker("import", "-", input=f.read()))
        self.assertRegex(out.strip(), r"^sha256:[0-9a-f]{64}$")
        self.assertEqual(len(os.listdir(os.path.join(self.d.data, "layers"))), 1)
        r = self.d.docker("import", "-c", "FROBNICATE x", img("alpine-minirootfs-3.20.3-x86_64.tar.gz"))
        self.assertEqual(r.returncode, 1)
        self.assertIn("frobnicate is not a valid change command", r.stderr.decode())
        self.assertClean()

    def test_docker_system_df_and_info(self):
        self.load("busybox-1.38.0-musl.oci.tar")
        self.load("alpine-3.20.3.docker.tar")
        lines = self.assertOk(self.d.docker("system", "df")).splitlines()
        self.assertEqual(lines[1].split(), ["Images", "2", "0", "9.331MB", "9.331MB", "(100%)"])
        df = self.d.api("GET", "/v1.44/system/df").json()
        self.assertEqual(sorted(i["Id"] for i in df["Images"]), [BUSYBOX_ID, ALPINE_ID])
        self.assertEqual(df["LayersSize"], sum(i["Size"] for i in df["Images"]))
        for i in df["Images"]:
            self.assertEqual(i["SharedSize"], 0)
            self.assertEqual(i["Containers"], 0)
        out = self.assertOk(self.d.docker("system", "df", "-v"))
        self.assertIn("Images space usage:", out)
        self.assertIn("busybox      1.38.0-musl", out)
        self.assertEqual(self.d.api("GET", "/v1.44/info").json()["Images"], 2)
        self.assertEqual(self.assertOk(self.d.docker("info", "--format", "{{.Images}}")), "2\n")

    def test_docker_prune(self):
        self.load("busybox-1.38.0-musl.oci.tar")
        self.load("hello-world-latest.oci.tar")
        out = self.assertOk(self.d.docker("image", "prune", "-f"))
        self.assertEqual(out, "Total reclaimed space: 0B\n")
        out = self.assertOk(self.d.docker("image", "prune", "-af"))
        self.assertIn("untagged: " + BUSYBOX, out)
        self.assertIn("deleted: " + HELLO_ID, out)
        self.assertTrue(out.endswith("\nTotal reclaimed space: 1.543MB\n"), out)
        self.assertEqual(self.ids(), [])
        self.assertEqual(os.listdir(os.path.join(self.d.data, "layers")), [])
        self.assertEqual(os.listdir(os.path.join(self.d.data, "blobs", "sha256")), [])
        self.assertClean()

    # ---- the engine CLI, beside the docker CLI ----------------------------
    def both(self, *args, input=None, sort=False):
        """Runs args through engine and docker; asserts the same exit code
        and output (rows sorted when docker's own order is a Go map's)."""
        e = self.d.engine(*args, input=input)
        d = self.d.docker(*args, input=input)
        self.assertEqual(e.returncode, d.returncode, (args, e.stderr, d.stderr))
        eo, do = e.stdout.decode(), d.stdout.decode()
        if sort:
            eo, do = sorted(eo.splitlines()), sorted(do.splitlines())
        self.assertEqual(eo, do, args)
        return e

    def test_engine_cli_lists_like_docker(self):
        out = self.assertOk(self.d.engine("load", "-i", img("busybox-1.38.0-musl.oci.tar")))
        self.assertEqual(out, "Loaded image: %s\n" % BUSYBOX)
        with open(img("alpine-3.20.3-whiteout.oci.tar"), "rb") as f:
            out = self.assertOk(self.d.engine("load", input=f.read()))
        self.assertEqual(out, "Loaded image: alpine:3.20.3-whiteout\n")
        # a dangling image of a fixed age (an import would be seconds old, and
        # "1 second ago" could tick between the two commands)
        r = self.d.api("POST", "/v1.44/images/load", body=docker_archive([layer_of([("f", b"x")])], tag=None))
        self.assertEqual(r.status, 200, r)
        self.assertOk(self.d.engine("tag", BUSYBOX, "localhost:5000/a/b:x"))
        for args in (["images"], ["image", "ls", "-a"], ["images", "-q"], ["images", "--no-trunc"],
                     ["images", "--digests"], ["images", "busybox"], ["images", "--filter", "dangling=true"],
                     ["images", "--filter", "reference=*/a/*"], ["images", "--format", "table {{.ID}}\t{{.Tag}}"],
                     ["images", "--format", "{{.Repository}}:{{.Tag}} {{.Size}} {{.VirtualSize}} {{.Containers}}"],
                     ["images", "--format", "raw"], ["images", "--digests", "--format", "table {{.ID}}"]):
            self.both(*args, sort=True)
        e = self.assertOk(self.d.engine("images", "--format", "{{json .}}"))
        d = self.assertOk(self.d.docker("images", "--format", "{{json .}}"))
        self.assertEqual(sorted(map(json.loads, e.splitlines()), key=json.dumps),
                         sorted(map(json.loads, d.splitlines()), key=json.dumps))
        for args in (["history", ALPINE + "-whiteout"], ["image", "history", "-H=false", BUSYBOX],
                     ["history", "--no-trunc", BUSYBOX], ["history", "-q", ALPINE + "-whiteout"],
                     ["history", "--format", "{{.ID}} {{.CreatedAt}} {{.Size}}", BUSYBOX]):
            self.both(*args)
        for args in (["image", "inspect", BUSYBOX, "alpine:3.20.3-whiteout"],
                     ["inspect", "-f", "{{.Os}} {{json .Config.Cmd}} {{.RootFS.Layers}}", "localhost:5000/a/b:x"],
                     ["inspect", "--type", "image", "-f", "{{.Id}}", BUSYBOX_ID[7:19]]):
            self.both(*args)
        self.both("system", "df")
        self.both("system", "df", "-v")
        self.both("system", "df", "--format", "{{.Type}}={{.TotalCount}}")
        # errors: the same message and status
        for args in (["rmi", "nosuch", "nosuch:2"], ["inspect", "nosuch"], ["image", "inspect", "nosuch"],
                     ["history", "nosuch"], ["tag", BUSYBOX, "BAD"], ["images", "--filter", "bogus=1"],
                     ["save", "-o", "/nonexistent/x.tar", BUSYBOX]):
            e = self.d.engine(*args)
            d = self.d.docker(*args)
            self.assertEqual((e.returncode, e.stderr.decode()), (d.returncode, d.stderr.decode()), args)
        r = self.d.engine("rmi", "nosuch", "localhost:5000/a/b:x")
        self.assertEqual((r.returncode, r.stdout, r.stderr), (1, b"Untagged: localhost:5000/a/b:x\n",
                                                             b"Error response from daemon: No such image: nosuch:latest\n"))

    def test_engine_cli_save_load_import_prune(self):
        self.load("busybox-1.38.0-musl.docker.tar")
        self.load("hello-world-latest.oci.tar")
        before = self.ids()
        save = subprocess.run([__import__("harness").ENGINE, "-H", "unix://" + self.d.sock, "save", BUSYBOX,
                               "hello-world"], capture_output=True, timeout=60)
        self.assertEqual(save.returncode, 0, save.stderr)
        self.wipe()
        out = self.assertOk(self.d.engine("load", input=save.stdout))
        self.assertEqual(sorted(out.splitlines()), ["Loaded image: " + BUSYBOX, "Loaded image: hello-world:latest"])
        self.assertEqual(self.ids(), before)
        # -o writes beside the target and renames; docker load reads it back
        path = os.path.join(self.d.dir, "e.tar")
        self.assertOk(self.d.engine("save", "-o", path, "hello-world"))
        self.assertEqual(os.stat(path).st_mode & 0o777, 0o600)
        self.assertEqual([n for n in os.listdir(self.d.dir) if n.startswith(".engine_temp_")], [])
        self.assertOk(self.d.engine("rmi", "hello-world"))
        self.assertEqual(self.assertOk(self.d.docker("load", "-i", path)), "Loaded image: hello-world:latest\n")
        # a terminal on stdout is refused, as docker does
        import pty
        master, slave = pty.openpty()
        try:
            r = subprocess.run([__import__("harness").ENGINE, "-H", "unix://" + self.d.sock, "save", BUSYBOX],
                               stdout=slave, stderr=subprocess.PIPE, timeout=30)
        finally:
            os.close(slave)
            os.close(master)
        self.assertEqual(r.returncode, 1)
        self.assertEqual(r.stderr, b"cowardly refusing to save to a terminal. Use the -o flag or redirect\n")
        # import from a file and from stdin, with changes and a message
        out = self.assertOk(self.d.engine("import", "-c", "ENV A=1", "-c", 'ENTRYPOINT ["/bin/sh"]', "-m", "msg",
                                          img("alpine-minirootfs-3.20.3-x86_64.tar.gz"), "eimp:1"))
        iid = out.strip()
        self.assertEqual(self.assertOk(self.d.docker("inspect", "-f", "{{.Id}} {{.Config.Env}} {{.Config.Entrypoint}} "
                                                     "{{.Comment}}", "eimp:1")),
                         "%s [A=1] [/bin/sh] msg\n" % iid)
        with open(img("alpine-minirootfs-3.20.3-x86_64.tar.gz"), "rb") as f:
            out = self.assertOk(self.d.engine("image", "import", "-", "eimp:2", input=f.read()))
        self.assertRegex(out, r"^sha256:[0-9a-f]{64}\n$")
        r = self.d.engine("import", "/nonexistent.tar")
        self.assertEqual((r.returncode, r.stderr), (1, b"open /nonexistent.tar: no such file or directory\n"))
        r = self.d.engine("load", "-i", img("../images/README.md"))
        self.assertEqual(r.returncode, 1)
        self.assertIn(b"Error response from daemon: invalid archive", r.stderr)
        # prune: the prompt, then -af
        r = self.d.engine("image", "prune", "-a", input=b"n\n")
        self.assertEqual(r.returncode, 0)
        self.assertEqual(r.stdout, b"WARNING! This will remove all images without at least one container associated "
                                   b"to them.\nAre you sure you want to continue? [y/N] ")
        self.assertEqual(len(self.ids()), 4)
        out = self.assertOk(self.d.engine("image", "prune", "-f"))
        self.assertEqual(out, "Total reclaimed space: 0B\n")
        out = self.assertOk(self.d.engine("image", "prune", "-a", input=b"y\n"))
        self.assertIn("Deleted Images:\nuntagged: ", out)
        self.assertRegex(out, r"\n\nTotal reclaimed space: [0-9.]+MB\n$")
        self.assertEqual(self.ids(), [])
        self.assertClean()

    # ---- containers hold their images ------------------------------------
    def test_containers_hold_images(self):
        self.load("busybox-1.38.0-musl.oci.tar")
        cid = self.assertOk(self.d.docker("create", "--name", "holder", BUSYBOX, "true")).strip()
        try:
            r = self.d.docker("rmi", BUSYBOX)
            self.assertEqual(r.returncode, 1)
            self.assertEqual(r.stderr.decode(), 'Error response from daemon: conflict: unable to remove repository '
                             'reference "%s" (must force) - container %s is using its referenced image %s\n'
                             % (BUSYBOX, cid[:12], BUSYBOX_ID[7:19]))
            self.assertEqual(self.assertOk(self.d.docker("image", "prune", "-af")), "Total reclaimed space: 0B\n")
            df = self.d.api("GET", "/v1.44/system/df").json()
            self.assertEqual([(i["Id"], i["Containers"]) for i in df["Images"]], [(BUSYBOX_ID, 1)])
            self.both("system", "df")
            out = self.assertOk(self.d.engine("system", "df"))
            self.assertEqual(out.splitlines()[1].split(), ["Images", "1", "1", "1.533MB", "0B", "(0%)"])
            self.assertIn(cid[:12], self.assertOk(self.d.engine("system", "df", "-v")))
            # rmi -f untags and deletes the image; the container keeps its layers
            out = self.assertOk(self.d.engine("rmi", "-f", BUSYBOX))
            self.assertEqual(out, "Untagged: %s\nDeleted: %s\n" % (BUSYBOX, BUSYBOX_ID))
            self.assertEqual(len(os.listdir(os.path.join(self.d.data, "layers"))), 1)
        finally:
            self.assertOk(self.d.docker("rm", "-f", "holder"))
        self.assertEqual(os.listdir(os.path.join(self.d.data, "layers")), [])
        self.assertClean()

    # ---- python3-docker --------------------------------------------------
    def test_python_docker(self):
        import docker
        c = docker.DockerClient(base_url="unix://" + self.d.sock, version="1.44")
        try:
            with open(img("busybox-1.38.0-musl.docker.tar"), "rb") as f:
                loaded = c.images.load(f.read())
            self.assertEqual([i.id for i in loaded], [BUSYBOX_ID])
            self.assertEqual(loaded[0].tags, [BUSYBOX])
            self.assertEqual([i.id for i in c.images.list()], [BUSYBOX_ID])
            im = c.images.get(BUSYBOX)
            self.assertEqual(im.attrs["Os"], "linux")
            self.assertTrue(im.tag("pyrepo", "t1"))
            self.assertIn("pyrepo:t1", c.images.get(BUSYBOX_ID).tags)
            data = b"".join(im.save(named=True))
            c.images.remove("pyrepo:t1")
            c.images.remove(BUSYBOX)
            self.assertEqual(c.images.list(all=True), [])
            again = c.images.load(data)
            self.assertEqual([i.id for i in again], [BUSYBOX_ID])
            with self.assertRaises(docker.errors.ImageNotFound):
                c.images.get("nosuch")
            with self.assertRaises(docker.errors.APIError):
                c.images.load(b"not an archive at all")
            with self.assertRaises(docker.errors.APIError) as cm:
                c.images.pull("127.0.0.1:1/busybox", tag="latest")  # nothing listens there
            self.assertIn("connect: connection refused", str(cm.exception))
        finally:
            c.close()

    # ---- curl ------------------------------------------------------------
    def test_curl(self):
        r = self.d.curl("-X", "POST", "--data-binary", "@" + img("hello-world-latest.docker.tar"),
                        "-H", "Content-Type: application/x-tar", "http://x/v1.44/images/load?quiet=0")
        self.assertEqual(r.returncode, 0, r.stderr)
        lines = [json.loads(l) for l in r.stdout.decode().splitlines()]
        self.assertEqual(lines[-1], {"stream": "Loaded image: hello-world:latest\n"})
        self.assertTrue(all(l.get("status") == "Loading layer" for l in lines[:-1]), lines)
        self.assertTrue(r.stdout.endswith(b"}\r\n"))
        r = self.d.curl("-i", "http://x/v1.44/images/nosuch/json")
        self.assertIn(b"404 Not Found", r.stdout)
        self.assertTrue(r.stdout.endswith(b'{"message":"No such image: nosuch:latest"}\n'), r.stdout)
        r = self.d.curl("-s", "-o", "/dev/null", "-w", "%{http_code} %{content_type}",
                        "http://x/v1.44/images/hello-world/get")
        self.assertEqual(r.stdout, b"200 application/x-tar")
        r = self.d.curl("-s", "-w", "%{http_code}", "http://x/v1.44/images/get?names=hello-world&names=nosuch")
        self.assertTrue(r.stdout.endswith(b"404"), r.stdout)
        self.assertIn(b"No such image: nosuch", r.stdout)

    # ---- raw API shapes --------------------------------------------------
    def test_api_shapes_and_versions(self):
        self.load("busybox-1.38.0-musl.oci.tar")
        s = self.d.api("GET", "/v1.44/images/json").json()[0]
        self.assertEqual(sorted(s), ["Containers", "Created", "Id", "Labels", "ParentId", "RepoDigests",
                                     "RepoTags", "SharedSize", "Size"])
        self.assertEqual(s["RepoDigests"], [])  # as Docker: a load records no repository digest
        old = self.d.api("GET", "/v1.41/images/json").json()[0]
        self.assertEqual(old["VirtualSize"], old["Size"])
        i = self.d.api("GET", "/v1.44/images/%s/json" % BUSYBOX).json()
        for k in ("Id", "RepoTags", "RepoDigests", "Parent", "Comment", "Created", "DockerVersion",
                  "Author", "Config", "Architecture", "Os", "Size", "GraphDriver", "RootFS", "Metadata"):
            self.assertIn(k, i)
        self.assertNotIn("VirtualSize", i)
        # overlay2's data: one layer has no LowerDir, two layers have one
        self.assertEqual(sorted(i["GraphDriver"]["Data"]), ["MergedDir", "UpperDir", "WorkDir"])
        self.load("alpine-3.20.3-whiteout.oci.tar")
        w = self.d.api("GET", "/v1.44/images/alpine:3.20.3-whiteout/json").json()
        self.assertEqual(sorted(w["GraphDriver"]["Data"]), ["LowerDir", "MergedDir", "UpperDir", "WorkDir"])
        self.assertEqual(len(w["RootFS"]["Layers"]), 2)
        self.assertIn("VirtualSize", self.d.api("GET", "/v1.43/images/%s/json" % BUSYBOX).json())
        h = self.d.api("GET", "/v1.44/images/%s/history" % BUSYBOX).json()
        self.assertEqual(h[0]["Id"], BUSYBOX_ID)
        self.assertEqual(h[0]["Tags"], [BUSYBOX])
        # the legacy `filter` parameter before 1.41
        self.assertEqual(len(self.d.api("GET", "/v1.40/images/json?filter=busy*").json()), 1)
        self.assertEqual(len(self.d.api("GET", "/v1.40/images/json?filter=nope*").json()), 0)
        r = self.d.api("POST", "/v1.44/images/%s/tag?repo=tagged&tag=x" % BUSYBOX)
        self.assertEqual((r.status, r.body), (201, b""))
        r = self.d.api("DELETE", "/v1.44/images/tagged:x")
        self.assertEqual(r.json(), [{"Untagged": "tagged:x"}])
        r = self.d.api("POST", "/v1.44/images/create?fromImage=127.0.0.1:1/busybox&tag=latest")
        self.assertEqual(r.status, 500)
        self.assertEqual(r.json()["message"], 'Get "http://127.0.0.1:1/v2/": dial tcp 127.0.0.1:1: connect: '
                         'connection refused')

    # ---- events ----------------------------------------------------------
    def test_events(self):
        t0 = time.time()
        self.load("hello-world-latest.oci.tar")
        alpine_size = 7797760  # the imported layer, as `docker images` counts it
        self.assertOk(self.d.docker("tag", "hello-world", "hw:ev"))
        self.assertOk(self.d.docker("save", "-o", os.path.join(self.d.dir, "hw.tar"), "hw:ev"))
        self.assertOk(self.d.docker("rmi", "hw:ev"))
        self.assertOk(self.d.docker("rmi", "hello-world"))
        self.assertOk(self.d.docker("import", "-c", "LABEL team=images", img("alpine-minirootfs-3.20.3-x86_64.tar.gz"),
                                    "imp:ev"))
        self.assertOk(self.d.docker("image", "prune", "-af"))
        evs = self.events(t0)
        got = [(e["Action"], e["Actor"]["ID"], e["Actor"]["Attributes"].get("name")) for e in evs]
        imp = [e["Actor"]["ID"] for e in evs if e["Action"] == "import"][0]
        self.assertEqual(got[:6], [("load", HELLO_ID, HELLO_ID), ("tag", HELLO_ID, "hw:ev"),
                                   ("save", HELLO_ID, HELLO_ID), ("untag", HELLO_ID, HELLO_ID),
                                   ("untag", HELLO_ID, HELLO_ID), ("delete", HELLO_ID, HELLO_ID)])
        self.assertEqual(got[6:8], [("tag", imp, "imp:ev"), ("import", imp, imp)])
        # the image's labels ride along, as Docker copies them into the attributes
        self.assertEqual(evs[7]["Actor"]["Attributes"], {"name": imp, "team": "images"})
        self.assertEqual(got[-1][0], "prune")
        self.assertEqual(evs[-1]["Actor"]["ID"], "")
        self.assertEqual(evs[-1]["Actor"]["Attributes"], {"reclaimed": str(alpine_size)})
        for e in evs:
            self.assertEqual((e["Type"], e["scope"]), ("image", "local"))
        # the docker CLI's own filter and format
        out = self.assertOk(self.d.docker("events", "--since", "%.3f" % t0, "--until", "%.3f" % time.time(),
                                          "--filter", "event=tag", "--format", "{{.Action}} {{.Actor.Attributes.name}}"))
        self.assertEqual(out, "tag hw:ev\ntag imp:ev\n")

    # ---- hostile input ---------------------------------------------------
    def test_truncated_archives(self):
        with open(img("alpine-3.20.3.docker.tar"), "rb") as f:
            data = f.read()
        for cut in (100, 5000, 600000, len(data) - 3000):
            self.assertRefused(data[:cut], "invalid archive")
        with open(img("busybox-1.38.0-musl.oci.tar"), "rb") as f:
            data = f.read()
        self.assertRefused(data[:len(data) // 2], "invalid archive: unexpected end of archive (truncated)")

    def test_corrupt_gzip_layer(self):
        good = gzip.compress(layer_of([("f", b"x" * 100000)]))
        bad = good[:40] + bytes(b ^ 0x55 for b in good[40:400]) + good[400:]
        diff = "sha256:" + hashlib.sha256(layer_of([("f", b"x" * 100000)])).hexdigest()
        self.assertRefused(docker_archive([bad], diff_ids=[diff]), "gzip decompression failed")
        # a gzip stream cut short
        self.assertRefused(docker_archive([good[:len(good) // 2]], diff_ids=[diff]), "gzip decompression failed: unexpected end of data")

    def test_wrong_digests(self):
        layer = layer_of([("f", b"data")])
        self.assertRefused(docker_archive([layer], diff_ids=["sha256:" + "2" * 64]),
                           "invalid diffID for layer 0")
        # an OCI layout whose blob does not hash to its name
        with open(img("hello-world-latest.oci.tar"), "rb") as f:
            t = tarfile.open(fileobj=io.BytesIO(f.read()))
        members = []
        for m in t.getmembers():
            data = t.extractfile(m).read() if m.isfile() else None
            if m.name.endswith("65c2ca0b1ca936f0eb68e3e5503902a320db1b0b78c8d48371986050eb965dff"):
                data = data[:-1] + bytes([data[-1] ^ 1])
            spec = {"name": m.name, "type": m.type, "mode": m.mode}
            members.append((spec, data))
        self.assertRefused(tar_of(members), "does not match its digest")
        # a manifest naming a layer that is not there
        arch = tarfile.open(fileobj=io.BytesIO(docker_archive([layer])))
        members = [({"name": m.name}, arch.extractfile(m).read()) for m in arch.getmembers()
                   if m.name != "layer0.tar"]
        self.assertRefused(tar_of(members), "layer0.tar not found")

    def test_paths_that_escape(self):
        outside = os.path.join(self.d.dir, "escaped")
        for name, why in (("../../../../../../escaped", "escapes the archive root"),
                          ("a/../../escaped", "escapes the archive root"),
                          ("/escaped", "absolute path /escaped is not allowed")):
            self.assertRefused(docker_archive([layer_of([(name, b"pwned")])]), why)
            self.assertFalse(os.path.exists(outside))
        # a symlink out of the layer, then a file written through it
        link = tar_of([({"name": "l", "type": tarfile.SYMTYPE, "linkname": self.d.dir}, None),
                       ({"name": "l/escaped"}, b"pwned")])
        self.assertRefused(docker_archive([link]), "is not a directory (a symlink or a file)")
        self.assertFalse(os.path.exists(outside))
        # `..` in the archive itself, and a layer path that leaves the archive
        self.assertRefused(docker_archive([layer_of([("f", b"1")])],
                                          extra=[({"name": "../outer-escape"}, b"x")]),
                           "invalid archive: path ../outer-escape escapes the archive root (..)")
        self.assertFalse(os.path.exists(os.path.join(self.d.dir, "outer-escape")))

    def test_huge_header_name(self):
        long_name = "d/" * 200000 + "f"
        self.assertRefused(docker_archive([layer_of([(long_name, b"x")])]), "path of 400001 bytes is too long")
        self.assertRefused(tar_of([({"name": "x" * 2000000}, b"y")]), "invalid archive: path of 2000000 bytes is too long")

    def test_bad_filters_and_names(self):
        self.load("hello-world-latest.oci.tar")
        cases = [
            ("GET", "/v1.44/images/json?filters=" + q({"bogus": {"x": True}}), 400, "invalid filter 'bogus'"),
            ("GET", "/v1.44/images/json?filters=" + q({"dangling": {"maybe": True}}), 400,
             "invalid filter 'dangling=[maybe]'"),
            ("GET", "/v1.44/images/json?filters=%7Bnot-json", 400, "invalid filter"),
            ("GET", "/v1.44/images/json?filters=" + q({"before": {"nosuch": True}}), 404,
             "No such image: nosuch:latest"),
            ("GET", "/v1.44/images/json?filters=" + q({"until": {"2024-13-01": True}}), 400, "month out of range"),
            ("POST", "/v1.44/images/prune?filters=" + q({"bogus": {"x": True}}), 400, "invalid filter 'bogus'"),
            ("GET", "/v1.44/images/x/json", 404, "No such image: x:latest"),
            ("GET", "/v1.44/images/x/history", 404, "No such image: x:latest"),
            ("POST", "/v1.44/images/x/tag?repo=y", 404, "No such image: x:latest"),
            ("DELETE", "/v1.44/images/x", 404, "No such image: x:latest"),
            ("GET", "/v1.44/images/x/get", 404, "No such image: x:latest"),
            ("GET", "/v1.44/images/UPPER/json", 400, "invalid reference format: repository name (library/UPPER) must be lowercase"),
            ("POST", "/v1.44/images/hello-world/tag?repo=BAD", 400, "must be lowercase"),
            ("POST", "/v1.44/images/hello-world/tag?repo=a&tag=-bad", 400, "invalid tag format"),
            ("POST", "/v1.44/images/create?fromSrc=http://example.com/x.tar", 501, "fromSrc=-"),
        ]
        for method, path, status, needle in cases:
            r = self.d.api(method, path)
            self.assertEqual(r.status, status, (path, r))
            self.assertIn(needle, r.json()["message"], path)
        self.assertEqual(self.ids(), [HELLO_ID])
        self.assertClean()

    def test_import_bad_input(self):
        r = self.d.api("POST", "/v1.44/images/create?fromSrc=-&repo=imp", body=b"\x1f\x8b\x08\x00garbage")
        self.assertEqual(r.status, 400, r)
        r = self.d.api("POST", "/v1.44/images/create?fromSrc=-&repo=imp",
                       body=layer_of([("../escape", b"x")]))
        self.assertEqual(r.status, 400, r)
        r = self.d.api("POST", "/v1.44/images/create?fromSrc=-&repo=imp@sha256:" + "a" * 64, body=layer_of([("f", b"x")]))
        self.assertEqual(r.status, 400, r)
        self.assertEqual(self.ids(), [])
        self.assertClean()

    def test_client_leaves_mid_save_and_mid_load(self):
        self.load("alpine-3.20.3.docker.tar")
        # read a little of a save, then hang up
        s = __import__("socket").socket(__import__("socket").AF_UNIX)
        s.connect(self.d.sock)
        s.sendall(b"GET /v1.44/images/alpine:3.20.3/get HTTP/1.1\r\nHost: x\r\n\r\n")
        self.assertTrue(s.recv(4096).startswith(b"HTTP/1.1 200"))
        s.close()
        # send half a load body, then hang up
        with open(img("busybox-1.38.0-musl.docker.tar"), "rb") as f:
            data = f.read()
        s = __import__("socket").socket(__import__("socket").AF_UNIX)
        s.connect(self.d.sock)
        s.sendall(b"POST /v1.44/images/load HTTP/1.1\r\nHost: x\r\nContent-Length: %d\r\n\r\n" % len(data))
        s.sendall(data[:len(data) // 2])
        s.close()
        deadline = time.time() + 10
        while time.time() < deadline and os.listdir(os.path.join(self.d.data, "tmp")):
            time.sleep(0.05)
        self.assertEqual(self.ids(), [ALPINE_ID])
        self.assertClean()


if __name__ == "__main__":
    main()
