"""Registries through engined: pull, push, search, login and logout, driven by
the engine CLI, the docker CLI, python3-docker and raw HTTP against Debian's
docker-registry (plain, htpasswd Basic auth, and behind a token server run
here), seeded by our own push and by skopeo for the formats engine does not
write (multi-platform OCI index with an attestation, Docker manifest list,
OCI manifest). A hostile registry in Python lies in every way the issue
lists; each time the pull must fail clearly, register nothing, leave no
file and keep the daemon serving. A pull whose client leaves, or whose
daemon is killed, resumes with a Range request on the next try. Every
process started here is stopped by PID."""
import base64
import gzip
import hashlib
import json
import os
import signal
import socket
import subprocess
import time
import unittest
import urllib.parse

import regserver
from harness import IMAGES, Engined, EngineTestCase, main
from regserver import PASSWORD, USER, Hostile, Image, Registry, TokenServer, sha

BUSYBOX = "busybox:1.38.0-musl"
BUSYBOX_ID = "sha256:654fc8fd836e35f4a64586bddf8f59b9029b48cf80f520834c6c98ca8ab5def9"
ALPINE_ID = "sha256:861e92ced24fb40a1f89054182e1b72281710d35e0a50889a7bbe3216b126484"
ENV = {"ENGINE_REGISTRY_STALL": "2", "ENGINE_PUSH_CHUNK": str(1 << 20),
       "ENGINE_LAZYLIB_LINGER_MS": "50"}


def q(obj):
    return urllib.parse.quote(json.dumps(obj))


def oci_layout(root, images, attestation=True):
    """An OCI layout at root holding one index over images ({platform: Image})."""
    blobs = os.path.join(root, "blobs", "sha256")
    os.makedirs(blobs, exist_ok=True)

    def put(data):
        with open(os.path.join(blobs, sha(data)[7:]), "wb") as f:
            f.write(data)
        return {"size": len(data), "digest": sha(data)}

    entries = []
    for plat, img in images.items():
        osname, arch, *variant = plat.split("/")
        m = json.dumps({"schemaVersion": 2, "mediaType": "application/vnd.oci.image.manifest.v1+json",
                        "config": dict(put(img.config), mediaType="application/vnd.oci.image.config.v1+json"),
                        "layers": [dict(put(b), mediaType="application/vnd.oci.image.layer.v1.tar+gzip")
                                   for b in img.blobs]}).encode()
        p = {"os": osname, "architecture": arch}
        if variant:
            p["variant"] = variant[0]
        entries.append(dict(put(m), mediaType="application/vnd.oci.image.manifest.v1+json", platform=p))
    if attestation:
        statement = json.dumps({"_type": "https://in-toto.io/Statement/v0.1"}).encode()
        cfg = json.dumps({"architecture": "unknown", "os": "unknown", "config": {},
                          "rootfs": {"type": "layers", "diff_ids": [sha(statement)]}}).encode()
        m = json.dumps({"schemaVersion": 2, "mediaType": "application/vnd.oci.image.manifest.v1+json",
                        "config": dict(put(cfg), mediaType="application/vnd.oci.image.config.v1+json"),
                        "layers": [dict(put(statement), mediaType="application/vnd.in-toto+json")]}).encode()
        entries.append(dict(put(m), mediaType="application/vnd.oci.image.manifest.v1+json",
                            platform={"os": "unknown", "architecture": "unknown"},
                            annotations={"vnd.docker.reference.type": "attestation-manifest",
                                         "vnd.docker.reference.digest": entries[0]["digest"]}))
    inner = json.dumps({"schemaVersion": 2, "mediaType": "application/vnd.oci.image.index.v1+json",
                        "manifests": entries}).encode()
    # skopeo copies one named image of a layout: the index is that image
    outer = json.dumps({"schemaVersion": 2, "mediaType": "application/vnd.oci.image.index.v1+json",
                        "manifests": [dict(put(inner), mediaType="application/vnd.oci.image.index.v1+json",
                                           annotations={"org.opencontainers.image.ref.name": "multi"})]}).encode()
    with open(os.path.join(root, "index.json"), "wb") as f:
        f.write(outer)
    with open(os.path.join(root, "oci-layout"), "w") as f:
        f.write('{"imageLayoutVersion": "1.0.0"}')


def skopeo(*args):
    p = subprocess.run(["skopeo", "--insecure-policy"] + list(args), capture_output=True, timeout=60)
    assert p.returncode == 0, p.stderr.decode()
    return p.stdout.decode()


class Registries(EngineTestCase):
    """One engined against a plain, a Basic and a token registry."""

    @classmethod
    def setUpClass(cls):
        cls.d = Engined()
        root = os.path.join(cls.d.dir, "regs")
        cls.servers = []
        try:
            cls.plain = Registry(os.path.join(root, "plain"))
            cls.servers.append(cls.plain)
            cls.basic = Registry(os.path.join(root, "basic"), auth="basic")
            cls.servers.append(cls.basic)
            cls.tokens = TokenServer(os.path.join(root, "tokens"))
            cls.servers.append(cls.tokens)
            cls.token = Registry(os.path.join(root, "token"), auth=cls.tokens)
            cls.servers.append(cls.token)
            cls.d.start(env=dict(os.environ, **ENV))
        except Exception:
            cls.tearDownClass()
            raise

    @classmethod
    def tearDownClass(cls):
        for s in reversed(getattr(cls, "servers", [])):
            s.stop()
        cls.d.cleanup()

    def setUp(self):
        for i in self.d.api("GET", "/v1.44/images/json?all=1").json():
            self.d.api("DELETE", "/v1.44/images/%s?force=1" % i["Id"])
        cfg = os.path.join(self.d.dir, "docker-config", "config.json")
        if os.path.exists(cfg):
            os.unlink(cfg)

    # ---- helpers ---------------------------------------------------------
    def load_busybox(self, tag=None):
        self.assertOk(self.d.docker("load", "-i", os.path.join(IMAGES, "busybox-1.38.0-musl.docker.tar")))
        if tag:
            self.assertOk(self.d.docker("tag", BUSYBOX, tag))

    def ids(self):
        return sorted(i["Id"] for i in self.d.api("GET", "/v1.44/images/json?all=1").json())

    def inspect(self, name):
        r = self.d.api("GET", "/v1.44/images/%s/json" % name)
        self.assertEqual(r.status, 200, r)
        return r.json()

    def pull_api(self, image, tag, auth="e30=", platform=None):
        path = "/v1.44/images/create?fromImage=%s&tag=%s" % (urllib.parse.quote(image), urllib.parse.quote(tag))
        if platform:
            path += "&platform=" + platform
        r = self.d.api("POST", path, headers={"X-Registry-Auth": auth}, timeout=60)
        msgs = [json.loads(l) for l in r.body.decode().splitlines() if l.strip()] if r.status == 200 else []
        return r, msgs

    def assertClean(self, ingest_empty=True):
        """Serving; no temp file, no half layer, no download left."""
        self.assertEqual(self.d.api("GET", "/_ping").status, 200)
        data = self.d.data
        self.assertEqual(os.listdir(os.path.join(data, "tmp")), [])
        for sub in ("layers", "images"):
            self.assertEqual([n for n in os.listdir(os.path.join(data, sub)) if n.startswith("tmp-")], [])
        ing = os.path.join(data, "ingest")
        if ingest_empty and os.path.isdir(ing):
            self.assertEqual(os.listdir(ing), [])

    def assertNothing(self):
        self.assertEqual(self.ids(), [])
        self.assertEqual([n for n in os.listdir(os.path.join(self.d.data, "layers"))], [])
        self.assertClean()

    def events(self, since, action):
        f = {"type": {"image": True}, "event": {action: True}}
        r = self.d.api("GET", "/v1.44/events?since=%.9f&until=%.9f&filters=%s" % (since, time.time(), q(f)))
        return [json.loads(l) for l in r.body.decode().splitlines() if l.strip()]

    # ---- push and pull, our CLI -------------------------------------------
    def test_push_pull_round_trip(self):
        repo = "%s/rt/busybox" % self.plain.addr
        self.load_busybox(repo + ":1")
        t0 = time.time()
        p = self.d.engine("push", repo + ":1")
        out = self.assertOk(p)
        self.assertIn("The push refers to repository [%s]" % repo, out)
        self.assertIn(": Pushed", out)
        digest = out.strip().splitlines()[-1].split("digest: ")[1].split()[0]
        self.assertIn("%s@%s" % (repo, digest), self.inspect(repo + ":1")["RepoDigests"])
        # a second push sends nothing new
        out = self.assertOk(self.d.engine("push", repo + ":1"))
        self.assertIn("Layer already exists", out)
        self.assertIn("1: digest: %s" % digest, out)
        push_ev = self.events(t0, "push")
        self.assertEqual(push_ev[-1]["Actor"]["ID"], repo + ":1")
        self.assertEqual(push_ev[-1]["Actor"]["Attributes"]["name"], repo)
        # pull it back after removing it: the digest a pull records is the one pushed
        self.assertOk(self.d.engine("rmi", repo + ":1", BUSYBOX))
        self.assertEqual(self.ids(), [])
        t1 = time.time()
        out = self.assertOk(self.d.engine("pull", repo + ":1"))
        lines = out.splitlines()
        self.assertEqual(lines[0], "1: Pulling from rt/busybox")
        self.assertIn("Pull complete", out)
        self.assertEqual(lines[-3:], ["Digest: %s" % digest,
                                      "Status: Downloaded newer image for %s:1" % repo, repo + ":1"])
        info = self.inspect(repo + ":1")
        self.assertEqual(info["Id"], BUSYBOX_ID)
        self.assertEqual(info["RepoDigests"], ["%s@%s" % (repo, digest)])
        self.assertEqual(info["Metadata"]["LastTagTime"], "0001-01-01T00:00:00Z")
        ev = self.events(t1, "pull")
        self.assertEqual([(e["Actor"]["ID"], e["Actor"]["Attributes"]["name"]) for e in ev],
                         [(repo + ":1", repo)])
        self.assertEqual(len(self.events(t1, "tag")), 1)
        out = self.assertOk(self.d.engine("pull", repo + ":1"))
        self.assertIn("Status: Image is up to date for %s:1" % repo, out)
        # by digest, quietly
        self.assertOk(self.d.engine("rmi", repo + ":1"))
        out = self.assertOk(self.d.engine("pull", "-q", "%s@%s" % (repo, digest)))
        self.assertEqual(out, "%s@%s\n" % (repo, digest))
        self.assertEqual(self.inspect("%s@%s" % (repo, digest))["Id"], BUSYBOX_ID)
        # the pulled image runs
        cid = self.assertOk(self.d.docker("run", "-d", "%s@%s" % (repo, digest), "true")).strip()
        self.assertEqual(self.assertOk(self.d.docker("wait", cid)).strip(), "0")
        self.d.docker("rm", "-f", cid)
        self.assertClean()

    def test_all_tags_and_the_stream(self):
        repo = "%s/tags/bb" % self.plain.addr
        self.load_busybox(repo + ":a")
        self.assertOk(self.d.docker("tag", BUSYBOX, repo + ":b"))
        out = self.assertOk(self.d.engine("push", "-a", repo))
        self.assertIn("a: digest:", out)
        self.assertIn("b: digest:", out)
        self.assertOk(self.d.engine("rmi", repo + ":a", repo + ":b", BUSYBOX))
        out = self.assertOk(self.d.engine("pull", "-a", repo))
        self.assertIn("a: Pulling from tags/bb", out)
        self.assertIn("b: Pulling from tags/bb", out)
        self.assertEqual(out.splitlines()[-2:], ["Status: Downloaded newer image for %s" % repo, repo])
        self.assertEqual(sorted(self.inspect(repo + ":a")["RepoTags"]), [repo + ":a", repo + ":b"])
        # the API's stream: Docker's messages in Docker's order
        self.assertOk(self.d.engine("rmi", repo + ":a", repo + ":b"))
        r, msgs = self.pull_api(repo, "a")
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.headers.get("Content-Type"), "application/json")
        self.assertEqual(msgs[0], {"status": "Pulling from tags/bb", "id": "a"})
        layer = msgs[1]["id"]
        order = [m["status"] for m in msgs if m.get("id") == layer]
        self.assertEqual(order[0], "Pulling fs layer")
        self.assertEqual([s for s in order if s != "Downloading"][1:],
                         ["Verifying Checksum", "Download complete", "Extracting", "Pull complete"])
        down = [m for m in msgs if m.get("status") == "Downloading"]
        self.assertTrue(down and down[-1]["progressDetail"]["current"] == down[-1]["progressDetail"]["total"])
        self.assertRegex(down[-1]["progress"], r"^\[=+>\] +[0-9.]+[kM]B/[0-9.]+[kM]B$")
        self.assertEqual(msgs[-1]["status"], "Status: Downloaded newer image for %s:a" % repo)
        self.assertTrue(r.body.endswith(b"}\r\n"))
        # a tag that is not there: 404 before the stream, Docker's words
        r, _ = self.pull_api(repo, "nosuch")
        self.assertEqual(r.status, 404)
        self.assertEqual(r.json()["message"], "manifest for %s:nosuch not found: manifest unknown: manifest unknown" % repo)
        p = self.d.engine("pull", repo + ":nosuch")
        self.assertEqual(p.returncode, 1)
        self.assertIn("Error response from daemon: manifest for %s:nosuch not found" % repo, p.stderr.decode())
        p = self.d.engine("pull", "-a", repo + ":a")
        self.assertEqual(p.returncode, 1)
        self.assertIn("tag can't be used with --all-tags/-a", p.stderr.decode())

    def test_chunked_upload_and_mount(self):
        repo = "%s/big/alpine" % self.plain.addr
        self.assertOk(self.d.docker("load", "-i", os.path.join(IMAGES, "alpine-3.20.3.docker.tar")))
        self.assertOk(self.d.docker("tag", "alpine:3.20.3", repo + ":1"))
        out = self.assertOk(self.d.engine("push", repo + ":1"))  # 7.8 MB layer, 1 MiB chunks
        self.assertIn("Pushed", out)
        digest = out.strip().splitlines()[-1].split("digest: ")[1].split()[0]
        # what the registry holds is what we pushed (skopeo's view)
        info = json.loads(skopeo("inspect", "--tls-verify=false", "docker://%s:1" % repo))
        self.assertEqual(info["Digest"], digest)
        # a second repository of the same registry: the layer is mounted, not sent
        other = "%s/copy/alpine:2" % self.plain.addr
        self.assertOk(self.d.docker("tag", repo + ":1", other))
        out = self.assertOk(self.d.engine("push", other))
        self.assertIn("Mounted from big/alpine", out)
        self.assertIn("2: digest: %s" % digest, out)
        self.assertOk(self.d.engine("rmi", "-f", ALPINE_ID))
        out = self.assertOk(self.d.engine("pull", other))
        self.assertEqual(self.inspect(other)["Id"], ALPINE_ID)

    def test_docker_cli_and_python_sdk(self):
        import docker
        repo = "%s/dk/busybox" % self.plain.addr
        self.load_busybox(repo + ":d")
        out = self.assertOk(self.d.docker("push", repo + ":d"))
        self.assertIn("d: digest: sha256:", out)
        self.assertOk(self.d.docker("rmi", repo + ":d", BUSYBOX))
        out = self.assertOk(self.d.docker("pull", repo + ":d"))
        self.assertIn("Status: Downloaded newer image for %s:d" % repo, out)
        self.assertEqual(out.splitlines()[-1], repo + ":d")
        # `docker run` of an image that is not there pulls it
        self.assertOk(self.d.docker("rmi", repo + ":d"))
        p = self.d.docker("run", "-d", repo + ":d", "true")
        self.assertOk(p)
        self.assertIn("Unable to find image '%s:d' locally" % repo, p.stderr.decode())
        self.assertIn("Pull complete", p.stderr.decode())
        self.d.docker("rm", "-f", p.stdout.decode().strip())
        c = docker.DockerClient(base_url="unix://" + self.d.sock, version="1.44")
        try:
            self.d.docker("rmi", "-f", BUSYBOX_ID)
            img = c.images.pull(repo, tag="d")
            self.assertEqual(img.id, BUSYBOX_ID)
            img.tag(repo, "py")
            lines = list(c.images.push(repo, tag="py", stream=True, decode=True))
            self.assertIn({"Tag": "py", "Digest": lines[-1]["aux"]["Digest"], "Size": lines[-1]["aux"]["Size"]},
                          [l.get("aux") for l in lines])
            with self.assertRaises(docker.errors.NotFound):
                c.images.pull(repo, tag="nosuch")
        finally:
            c.close()

    def test_formats_from_skopeo(self):
        amd = Image([[("hello-amd64", b"x86")]], arch="amd64")
        arm = Image([[("hello-arm64", b"arm")]], arch="arm64")
        armv7 = Image([[("hello-armv7", b"v7")]], arch="arm")
        layout = os.path.join(self.d.dir, "layout")
        oci_layout(layout, {"linux/amd64": amd, "linux/arm64/v8": arm, "linux/arm/v7": armv7})
        base = "%s/multi/app" % self.plain.addr
        skopeo("copy", "--all", "--dest-tls-verify=false", "oci:%s:multi" % layout, "docker://%s:oci" % base)
        plain = os.path.join(self.d.dir, "layout2")
        oci_layout(plain, {"linux/amd64": amd, "linux/arm64/v8": arm}, attestation=False)
        skopeo("copy", "--all", "--format", "v2s2", "--dest-tls-verify=false", "oci:%s:multi" % plain,
               "docker://%s:list" % base)
        skopeo("copy", "--format", "oci", "--dest-tls-verify=false",
               "docker-archive:" + os.path.join(IMAGES, "busybox-1.38.0-musl.docker.tar"),
               "docker://%s/oci/busybox:1" % self.plain.addr)
        # the index: this host's image, the attestation skipped
        idx = json.loads(skopeo("inspect", "--raw", "--tls-verify=false", "docker://%s:oci" % base))
        self.assertEqual(idx["mediaType"], "application/vnd.oci.image.index.v1+json")
        out = self.assertOk(self.d.engine("pull", base + ":oci"))
        self.assertEqual(self.inspect(base + ":oci")["Id"], amd.id)
        index_digest = out.splitlines()[-3].split()[1]
        self.assertIn("%s@%s" % (base, index_digest), self.inspect(base + ":oci")["RepoDigests"])
        # another platform, by the normalised names
        r, msgs = self.pull_api(base, "oci", platform="linux/aarch64")
        self.assertEqual(r.status, 200, r)
        self.assertEqual(self.inspect(base + ":oci")["Id"], arm.id)
        r, msgs = self.pull_api(base, "oci", platform="linux/armhf")
        self.assertEqual(self.inspect(base + ":oci")["Id"], armv7.id)
        r, msgs = self.pull_api(base, "oci", platform="linux/s390x")
        self.assertEqual(msgs[-1]["error"], "no matching manifest for linux/s390x in the manifest list entries")
        # a Docker manifest list
        lst = json.loads(skopeo("inspect", "--raw", "--tls-verify=false", "docker://%s:list" % base))
        self.assertEqual(lst["mediaType"], "application/vnd.docker.distribution.manifest.list.v2+json")
        self.assertOk(self.d.engine("pull", "--platform", "linux/arm64", base + ":list"))
        self.assertEqual(self.inspect(base + ":list")["Id"], arm.id)
        # an OCI image manifest (skopeo rewrote the config as an OCI one)
        m = json.loads(skopeo("inspect", "--raw", "--tls-verify=false", "docker://%s/oci/busybox:1" % self.plain.addr))
        self.assertEqual(m["mediaType"], "application/vnd.oci.image.manifest.v1+json")
        self.assertOk(self.d.engine("pull", "%s/oci/busybox:1" % self.plain.addr))
        self.assertEqual(self.inspect("%s/oci/busybox:1" % self.plain.addr)["Id"], m["config"]["digest"])
        self.assertClean()

    def test_search(self):
        self.load_busybox("%s/findme/one:1" % self.plain.addr)
        self.assertOk(self.d.engine("push", "%s/findme/one:1" % self.plain.addr))
        out = self.assertOk(self.d.engine("search", "%s/findme" % self.plain.addr))
        self.assertEqual(out.splitlines()[0].split(), ["NAME", "DESCRIPTION", "STARS", "OFFICIAL"])
        self.assertIn("%s/findme/one" % self.plain.addr, out)
        docker_out = self.assertOk(self.d.docker("search", "%s/findme" % self.plain.addr))
        self.assertEqual(out, docker_out)
        out = self.assertOk(self.d.engine("search", "--format", "{{.Name}}:{{.StarCount}}:{{.IsOfficial}}",
                                          "--limit", "1", "%s/findme" % self.plain.addr))
        self.assertEqual(out, "%s/findme/one:0:\n" % self.plain.addr)
        out = self.assertOk(self.d.engine("search", "-f", "is-official=true", "%s/findme" % self.plain.addr))
        self.assertEqual(len(out.splitlines()), 1)
        out = self.assertOk(self.d.engine("search", "-f", "stars=3", "%s/findme" % self.plain.addr))
        self.assertEqual(len(out.splitlines()), 1)
        r = self.d.api("GET", "/v1.44/images/search?term=x&limit=101")
        self.assertEqual((r.status, r.json()["message"]), (400, "limit 101 is outside the range of [1, 100]"))
        r = self.d.api("GET", "/v1.44/images/search?term=x&filters=%s" % q({"nope": {"1": True}}))
        self.assertEqual((r.status, r.json()["message"]), (400, "invalid filter 'nope'"))

    # ---- credentials -----------------------------------------------------
    def test_basic_auth(self):
        repo = "%s/private/bb" % self.basic.addr
        self.load_busybox(repo + ":1")
        p = self.d.engine("push", repo + ":1")
        self.assertEqual(p.returncode, 1)
        self.assertIn("no basic auth credentials", p.stderr.decode())
        p = self.d.engine("login", "-u", USER, "-p", "wrong", self.basic.addr)
        self.assertEqual(p.returncode, 1)
        self.assertIn("Error response from daemon: login attempt to http://%s/v2/ failed with status: 401 Unauthorized"
                      % self.basic.addr, p.stderr.decode())
        r = self.d.api("POST", "/v1.44/auth", body={"username": USER, "password": "wrong",
                                                     "serveraddress": self.basic.addr})
        self.assertEqual(r.status, 401)
        p = self.d.engine("login", "-u", USER, "--password-stdin", self.basic.addr,
                          input=(PASSWORD + "\n").encode())
        self.assertOk(p)
        self.assertEqual(p.stdout.decode(), "Login Succeeded\n")
        with open(os.path.join(self.d.dir, "docker-config", "config.json")) as f:
            auths = json.load(f)["auths"]
        self.assertEqual(base64.b64decode(auths[self.basic.addr]["auth"]).decode(), "%s:%s" % (USER, PASSWORD))
        self.assertOk(self.d.engine("push", repo + ":1"))
        self.assertOk(self.d.engine("rmi", repo + ":1", BUSYBOX))
        self.assertOk(self.d.engine("pull", repo + ":1"))
        # the docker CLI reads what engine login wrote
        self.assertOk(self.d.docker("rmi", repo + ":1"))
        self.assertOk(self.d.docker("pull", repo + ":1"))
        out = self.assertOk(self.d.engine("logout", self.basic.addr))
        self.assertEqual(out, "Removing login credentials for %s\n" % self.basic.addr)
        self.assertOk(self.d.docker("rmi", repo + ":1"))
        p = self.d.engine("pull", repo + ":1")
        self.assertEqual(p.returncode, 1)
        self.assertIn("no basic auth credentials", p.stderr.decode())
        # and engine reads what docker login wrote
        self.assertOk(self.d.docker("login", "-u", USER, "--password-stdin", self.basic.addr,
                                    input=PASSWORD.encode()))
        self.assertOk(self.d.engine("pull", repo + ":1"))
        # wrong credentials in X-Registry-Auth: 500, Docker's words, no login prompt
        bad = base64.urlsafe_b64encode(json.dumps({"username": USER, "password": "nope"}).encode()).decode()
        r, _ = self.pull_api(repo, "1", auth=bad)
        self.assertEqual((r.status, r.json()["message"]), (500, "unauthorized: authentication required"))
        self.assertClean()

    def test_token_auth(self):
        repo = "%s/team/bb" % self.token.addr
        self.load_busybox(repo + ":1")
        p = self.d.engine("push", repo + ":1")
        self.assertEqual(p.returncode, 1, p.stdout)
        p = self.d.engine("login", "-u", USER, "-p", "wrong", self.token.addr)
        self.assertEqual(p.returncode, 1)
        self.assertIn("unauthorized: incorrect username or password", p.stderr.decode())
        self.assertOk(self.d.engine("login", "-u", USER, "-p", PASSWORD, self.token.addr))
        with open(os.path.join(self.d.dir, "docker-config", "config.json")) as f:
            entry = json.load(f)["auths"][self.token.addr]
        self.assertIn("identitytoken", entry)  # the refresh token login asked for
        self.assertOk(self.d.engine("push", repo + ":1"))
        self.assertOk(self.d.engine("rmi", repo + ":1", BUSYBOX))
        before = len(self.tokens.requests)
        self.assertOk(self.d.engine("pull", repo + ":1"))
        self.assertEqual(self.inspect(repo + ":1")["Id"], BUSYBOX_ID)
        # the token is cached for its scope: pulling again asks for none
        used = len(self.tokens.requests)
        self.assertGreater(used, before)
        self.assertOk(self.d.engine("rmi", repo + ":1"))
        self.assertOk(self.d.engine("pull", repo + ":1"))
        self.assertEqual(len(self.tokens.requests), used)
        # anonymous: public/ may be pulled, the rest is denied
        self.assertOk(self.d.engine("tag", repo + ":1", "%s/public/bb:1" % self.token.addr))
        self.assertOk(self.d.engine("push", "%s/public/bb:1" % self.token.addr))
        self.assertOk(self.d.engine("logout", self.token.addr))
        self.assertOk(self.d.engine("rmi", "-f", BUSYBOX_ID))
        self.assertOk(self.d.engine("pull", "%s/public/bb:1" % self.token.addr))
        p = self.d.engine("pull", repo + ":1")
        self.assertEqual(p.returncode, 1)
        self.assertIn("pull access denied for %s, repository does not exist or may require 'docker login'"
                      % repo, p.stderr.decode())

    # ---- the hostile registry --------------------------------------------
    def hostile_pull(self, spoil_blob=None, spoil_manifest=None, img=None, ref="1", name="evil",
                     platform=None):
        h = Hostile()
        try:
            img = img or Image([[("a", b"A" * 5000)], [("b", os.urandom(70000))]])
            h.add(name, "1", img)
            if spoil_blob:
                h.spoil["blob"][sha(img.blobs[-1])] = spoil_blob
            if spoil_manifest:
                h.spoil["manifest"][(name, ref)] = spoil_manifest
            t0 = time.time()
            r, msgs = self.pull_api("%s/%s" % (h.addr, name), ref, platform=platform)
            took = time.time() - t0
            p = self.d.engine("pull", "%s/%s:%s" % (h.addr, name, ref))
            return r, msgs, p, took, h
        finally:
            h.stop()

    def assertPullFails(self, needle, status=200, **kw):
        r, msgs, p, took, h = self.hostile_pull(**kw)
        if status == 200:
            self.assertEqual(r.status, 200, r)
            self.assertIn(needle, msgs[-1]["errorDetail"]["message"])
            self.assertEqual(msgs[-1]["error"], msgs[-1]["errorDetail"]["message"])
        else:
            self.assertEqual(r.status, status, r)
            self.assertIn(needle, r.json()["message"])
        self.assertEqual(p.returncode, 1)
        self.assertIn(needle, p.stderr.decode())
        self.assertNothing()
        return took

    def test_hostile_blob_and_digests(self):
        self.assertPullFails("filesystem layer verification failed for digest", spoil_blob="wrong-bytes")
        self.assertPullFails("manifest verification failed for digest", status=400, spoil_manifest="lie-digest")
        self.assertPullFails("unexpected EOF", spoil_blob="truncate")
        lying = Image([[("a", b"A")]], diff_ids=["sha256:" + "0" * 64])
        self.assertPullFails("layers from manifest don't match image configuration", img=lying)

    def test_hostile_answers(self):
        # 404, garbage, slowness, unreachable
        self.assertPullFails("manifest for", status=404, ref="nope")
        self.assertPullFails("malformed HTTP response", status=500, spoil_manifest="garbage")
        took = self.assertPullFails("timeout", spoil_blob="slow")
        self.assertLess(took, 20)
        port = regserver.free_port()
        r, _ = self.pull_api("127.0.0.1:%d/x" % port, "1")
        self.assertEqual(r.status, 500)
        self.assertEqual(r.json()["message"], 'Get "http://127.0.0.1:%d/v2/": dial tcp 127.0.0.1:%d: connect: '
                         'connection refused' % (port, port))
        # schema 1, a list without our platform, an image for another OS
        h = Hostile()
        try:
            h.add_raw("old", "1", "application/vnd.docker.distribution.manifest.v1+prettyjws",
                      json.dumps({"schemaVersion": 1, "name": "old", "tag": "1", "fsLayers": []}).encode())
            arm = Image([[("a", b"A")]], arch="arm64")
            lst = json.dumps({"schemaVersion": 2,
                              "mediaType": "application/vnd.docker.distribution.manifest.list.v2+json",
                              "manifests": [{"mediaType": "application/vnd.docker.distribution.manifest.v2+json",
                                             "size": len(arm.manifest), "digest": arm.digest,
                                             "platform": {"architecture": "arm64", "os": "linux"}}]}).encode()
            h.add("armonly", "x", arm)
            h.add_raw("armonly", "1", "application/vnd.docker.distribution.manifest.list.v2+json", lst)
            win = Image([[("a", b"A")]], os_="windows")
            h.add("win", "1", win)
            _, msgs = self.pull_api("%s/old" % h.addr, "1")
            self.assertIn("[DEPRECATION NOTICE] Docker Image Format v1 and Docker Image manifest version 2, "
                          "schema 1 support is disabled", msgs[-1]["error"])
            _, msgs = self.pull_api("%s/armonly" % h.addr, "1")
            self.assertEqual(msgs[-1]["error"], "no matching manifest for linux/amd64 in the manifest list entries")
            _, msgs = self.pull_api("%s/win" % h.addr, "1")
            self.assertEqual(msgs[-1]["error"], 'image operating system "windows" cannot be used on this platform')
        finally:
            h.stop()
        self.assertNothing()

    # ---- interrupted pulls resume -----------------------------------------
    def start_dripping_pull(self, h, name):
        """A pull whose last layer drips slowly; returns the socket once some
        of it is in ingest/."""
        s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        s.connect(self.d.sock)
        s.sendall(("POST /v1.44/images/create?fromImage=%s/%s&tag=1 HTTP/1.1\r\nHost: x\r\n"
                   "X-Registry-Auth: e30=\r\nContent-Length: 0\r\n\r\n" % (h.addr, name)).encode())
        ing = os.path.join(self.d.data, "ingest")
        deadline = time.time() + 20
        while time.time() < deadline:
            sizes = [os.path.getsize(os.path.join(ing, f)) for f in os.listdir(ing)] if os.path.isdir(ing) else []
            if any(n > 100000 for n in sizes):
                return s
            time.sleep(0.05)
        s.close()
        self.fail("the download never started")

    def resumed(self, h, img):
        ranges = [r for (m, p, r) in h.requests if p.endswith(sha(img.blobs[-1])) and r]
        return ranges

    def test_client_gone_then_resume(self):
        h = Hostile()
        try:
            img = Image([[("big", os.urandom(3 << 20))]])
            h.add("drip", "1", img)
            h.spoil["blob"][sha(img.blobs[-1])] = "drip"
            s = self.start_dripping_pull(h, "drip")
            s.close()  # the client goes: the pull stops, the download stays
            time.sleep(0.5)
            self.assertEqual(self.ids(), [])
            ing = os.path.join(self.d.data, "ingest", sha(img.blobs[-1])[7:])
            partial = os.path.getsize(ing)
            self.assertTrue(0 < partial < len(img.blobs[-1]), partial)
            self.assertClean(ingest_empty=False)
            del h.spoil["blob"][sha(img.blobs[-1])]
            r, msgs = self.pull_api("%s/drip" % h.addr, "1")
            self.assertEqual(msgs[-1]["status"], "Status: Downloaded newer image for %s/drip:1" % h.addr)
            self.assertTrue(any(int(x[6:].split("-")[0]) > 0 for x in self.resumed(h, img)), h.requests)
            self.assertEqual(self.inspect("%s/drip:1" % h.addr)["Id"], img.id)
            self.assertClean()
        finally:
            h.stop()

    def test_kill9_then_resume(self):
        h = Hostile()
        try:
            img = Image([[("big", os.urandom(3 << 20))]])
            h.add("k9", "1", img)
            h.spoil["blob"][sha(img.blobs[-1])] = "drip"
            s = self.start_dripping_pull(h, "k9")
            self.d.kill9()
            self.d.log.close()
            s.close()
            self.d.start(env=dict(os.environ, **ENV))
            self.assertEqual(self.ids(), [])
            self.assertClean(ingest_empty=False)
            del h.spoil["blob"][sha(img.blobs[-1])]
            r, msgs = self.pull_api("%s/k9" % h.addr, "1")
            self.assertEqual(r.status, 200, r)
            self.assertEqual(msgs[-1]["status"], "Status: Downloaded newer image for %s/k9:1" % h.addr, msgs[-3:])
            self.assertTrue(self.resumed(h, img), h.requests)
            self.assertClean()
        finally:
            h.stop()

    # ---- mirrors -----------------------------------------------------------
    def test_registry_mirrors(self):
        """Docker Hub names go to registry-mirrors first, in order; a dead
        mirror is skipped; the image keeps its Hub name and digest; other
        registries never touch the mirrors."""
        dead = regserver.free_port()
        h = Hostile()
        d = None
        try:
            img = Image([[("m", b"from the mirror")]])
            h.add("library/mirrored", "1", img)
            h.add("team/app", "2", img)
            d = Engined(config={"registry-mirrors": ["http://127.0.0.1:%d" % dead, "http://%s/" % h.addr]})
            d.start(env=dict(os.environ, **ENV))
            info = d.api("GET", "/v1.44/info").json()
            self.assertEqual(info["RegistryConfig"]["Mirrors"],
                             ["http://127.0.0.1:%d/" % dead, "http://%s/" % h.addr])
            p = d.engine("pull", "mirrored:1")
            self.assertOk(p)
            self.assertIn("docker.io/library/mirrored:1", p.stdout.decode())
            got = d.api("GET", "/v1.44/images/mirrored:1/json").json()
            self.assertEqual(got["Id"], img.id)
            self.assertEqual(got["RepoTags"], ["mirrored:1"])
            self.assertEqual(got["RepoDigests"], ["mirrored@" + img.digest])
            self.assertIn(("GET", "/v2/library/mirrored/manifests/1", None), h.requests)
            p = d.engine("pull", "team/app:2")
            self.assertOk(p)
            self.assertEqual(d.api("GET", "/v1.44/images/team/app:2/json").json()["Id"], img.id)
            # a mirror that lacks the image: Hub is next, and unreachable here
            p = d.engine("pull", "absent:1")
            self.assertEqual(p.returncode, 1)
            self.assertIn("Error response from daemon", p.stderr.decode())
            n = len(h.requests)
            p = d.engine("pull", "127.0.0.1:%d/x:1" % dead)  # not Hub: no mirror asked
            self.assertEqual(p.returncode, 1)
            self.assertEqual(len(h.requests), n)
        finally:
            h.stop()
            if d:
                d.cleanup()

    def test_bad_mirror_refuses_start(self):
        for mirror, why in (("ftp://m.example", 'invalid mirror: unsupported scheme "ftp" in "ftp://m.example"'),
                            ("m.example", 'invalid mirror: unsupported scheme "" in "m.example"'),
                            ("https://m.example/v2/x",
                             'invalid mirror: path, query, or fragment at end of the URI "https://m.example/v2/x"')):
            d = Engined(config={"registry-mirrors": [mirror]})
            try:
                p = subprocess.run(d.args(), capture_output=True, timeout=10)
                self.assertNotEqual(p.returncode, 0)
                self.assertIn(why.replace('"', '\\"').encode(), p.stderr)  # logfmt escapes
            finally:
                d.cleanup()

    # ---- engined stays small ---------------------------------------------
    def test_no_registry_libraries_in_engined(self):
        repo = "%s/rss/bb" % self.plain.addr
        self.load_busybox(repo + ":1")
        self.assertOk(self.d.engine("push", repo + ":1"))
        self.assertOk(self.d.engine("rmi", repo + ":1", BUSYBOX))
        self.assertOk(self.d.engine("pull", repo + ":1"))
        time.sleep(0.3)  # the compression libraries linger 50 ms here
        with open("/proc/%d/maps" % self.d.proc.pid) as f:
            maps = f.read()
        libs = ["libcurl", "libcrypto", "libssl", "libarchive", "libz.so", "libzstd", "liblzma", "libbz2",
                "libsystemd", "libnss_"]
        if "libasan" not in maps:  # the sanitizer runtime itself needs libstdc++
            libs.append("libstdc++")
        mapped = sorted({l.split()[-1] for l in maps.splitlines() if any(x in l for x in libs)})
        self.assertEqual(mapped, [])
        # and the helper is gone
        kids = subprocess.run(["pgrep", "-P", str(self.d.proc.pid), "-f", "engine-fetch"], capture_output=True)
        self.assertEqual(kids.stdout, b"")


if __name__ == "__main__":
    main()
