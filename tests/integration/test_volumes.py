"""Volumes: the local driver through the docker CLI, engine and the API;
named volumes used by containers (-v name:/path and --mount type=volume),
in-use protection, prune, df, events and hostile names."""
import json
import os
import time

from harness import EngineTestCase, main


class Volumes(EngineTestCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.d.load_busybox()

    def test_lifecycle_docker_cli(self):
        d = self.d
        start = time.time()
        self.assertEqual(self.assertOk(d.docker("volume", "create", "--label", "a=b", "data1")).strip(), "data1")
        info = json.loads(d.docker("volume", "inspect", "data1").stdout)[0]
        self.assertEqual(info["Driver"], "local")
        self.assertEqual(info["Labels"], {"a": "b"})
        self.assertEqual(info["Scope"], "local")
        self.assertTrue(os.path.isdir(info["Mountpoint"]))
        ls = self.assertOk(d.docker("volume", "ls"))
        self.assertIn("local     data1", ls)
        self.assertEqual(self.assertOk(d.engine("volume", "ls", "-q", "--filter", "label=a=b")).split(), ["data1"])
        # Creating it again answers with the same volume.
        self.assertOk(d.docker("volume", "create", "data1"))
        self.assertOk(d.docker("volume", "rm", "data1"))
        p = d.docker("volume", "inspect", "data1")
        self.assertNotEqual(p.returncode, 0)
        self.assertIn(b"no such volume", p.stderr)
        ev = d.docker("events", "--since", "%.3f" % start, "--until", "%.3f" % time.time(),
                      "--filter", "type=volume", "--format", "{{.Action}}")
        self.assertEqual(ev.stdout.decode().split(), ["create", "destroy"])

    def test_containers_share_a_volume(self):
        d = self.d
        p = d.docker("run", "-d", "-v", "shared:/data", "busybox", "sh", "-c", "echo hello > /data/f")
        self.assertEqual(p.returncode, 0, p.stderr)
        c1 = p.stdout.decode().strip()
        d.docker("wait", c1)
        p = d.docker("run", "-d", "--mount", "type=volume,source=shared,target=/v,readonly", "busybox",
                     "sh", "-c", "cat /v/f; touch /v/x 2>/dev/null || echo ro")
        c2 = p.stdout.decode().strip()
        self.assertEqual(d.docker("wait", c2).stdout.strip(), b"0")
        log = d.docker("inspect", "-f", "{{.LogPath}}", c2).stdout.decode().strip()
        out = "".join(json.loads(l)["log"] for l in open(log))
        self.assertEqual(out, "hello\nro\n")
        # In use: refused; dangling filter says who is unused.
        p = d.docker("volume", "rm", "shared")
        self.assertNotEqual(p.returncode, 0)
        self.assertIn(b"volume is in use", p.stderr)
        self.assertEqual(d.docker("volume", "ls", "-q", "--filter", "dangling=false").stdout.split(), [b"shared"])
        df = d.api("GET", "/v1.44/system/df").json()
        vol = [v for v in df["Volumes"] if v["Name"] == "shared"][0]
        self.assertEqual(vol["UsageData"], {"Size": 6, "RefCount": 2})
        d.docker("rm", c1, c2)
        self.assertOk(d.docker("volume", "rm", "shared"))

    def test_prune(self):
        d = self.d
        r = d.api("POST", "/v1.44/volumes/create", {})
        self.assertEqual(r.status, 201)
        anon = r.json()["Name"]
        self.assertEqual(len(anon), 64)
        d.docker("volume", "create", "named1")
        out = self.assertOk(d.docker("volume", "prune", "-f"))
        self.assertIn(anon, out)
        self.assertIn("named1", d.docker("volume", "ls", "-q").stdout.decode())
        out = self.assertOk(d.engine("volume", "prune", "-af"))
        self.assertIn("named1", out)
        self.assertEqual(d.docker("volume", "ls", "-q").stdout, b"")

    def test_hostile(self):
        d = self.d
        for name in ("../x", "a/b", "-x", "x", "ba d"):
            r = d.api("POST", "/v1.44/volumes/create", {"Name": name})
            self.assertEqual(r.status, 400, (name, r.body))
        self.assertEqual(d.api("POST", "/v1.44/volumes/create", {"Name": "v1", "Driver": "nfs"}).status, 404)
        self.assertEqual(d.api("POST", "/v1.44/volumes/create", {"Name": "v1", "Labels": []}).status, 400)
        self.assertEqual(d.api("POST", "/v1.44/volumes/create", b"[", {"Content-Type": "application/json"}).status, 400)
        self.assertEqual(d.api("GET", "/v1.44/volumes/..%2Fetc").status, 404)
        self.assertEqual(d.api("GET", "/v1.44/volumes?filters=%7B%22bogus%22%3A%5B%22x%22%5D%7D").status, 400)
        self.assertEqual(d.api("DELETE", "/v1.44/volumes/nosuch").status, 404)
        self.assertEqual(d.api("DELETE", "/v1.44/volumes/nosuch?force=1").status, 204)
        p = d.docker("run", "-d", "-v", "bad name:/x", "busybox", "true")
        self.assertNotEqual(p.returncode, 0)
        self.assertEqual(d.api("GET", "/_ping").status, 200)


if __name__ == "__main__":
    main()
