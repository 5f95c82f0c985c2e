"""Containers: real isolation checked from inside, the lifecycle through the
engine CLI, the docker CLI and docker-py, restart policies, kill -9 of
engined while containers run, hostile create bodies, and nothing left behind."""
import json
import os
import signal
import subprocess
import time
import unittest

from harness import Engined, EngineTestCase, main


def cgroup_dirs(tag):
    found = []
    for root, dirs, _ in os.walk("/sys/fs/cgroup"):
        for d in dirs:
            if tag in os.path.join(root, d):
                found.append(os.path.join(root, d))
    return found


class Base(EngineTestCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.d.load_busybox()

    def run_output(self, *args, timeout=30):
        """docker run -d ARGS, wait for the exit, return (exit code, stdout text from the log)."""
        p = self.d.docker("run", "-d", *args)
        self.assertEqual(p.returncode, 0, p.stderr)
        cid = p.stdout.decode().strip()
        w = self.d.docker("wait", cid, timeout=timeout)
        code = int(w.stdout.decode().strip())
        info = json.loads(self.d.docker("inspect", cid).stdout)[0]
        out = ""
        with open(info["LogPath"]) as f:
            for line in f:
                rec = json.loads(line)
                if rec["stream"] == "stdout":
                    out += rec["log"]
        self.d.docker("rm", "-f", cid)
        return code, out


class Isolation(Base):
    def test_pid_hostname_root(self):
        code, out = self.run_output("--hostname", "box1", "busybox", "sh", "-c",
                                    "echo pid=$$; hostname; ls /proc | grep -c '^[0-9]'; test -e /work && echo host || echo image")
        self.assertEqual(code, 0)
        lines = out.split()
        self.assertEqual(lines[0], "pid=1")
        self.assertEqual(lines[1], "box1")
        self.assertLessEqual(int(lines[2]), 3)  # sh, ls, grep: no host processes
        self.assertEqual(lines[3], "image")

    def test_capabilities_seccomp(self):
        code, out = self.run_output("busybox", "grep", "-E", "CapEff|Seccomp:|NoNewPrivs", "/proc/self/status")
        self.assertIn("CapEff:\t00000000a80425fb", out)
        self.assertIn("Seccomp:\t2", out)
        code, out = self.run_output("--cap-drop", "ALL", "--security-opt", "no-new-privileges", "busybox",
                                    "grep", "-E", "CapEff|NoNewPrivs", "/proc/self/status")
        self.assertIn("CapEff:\t0000000000000000", out)
        self.assertIn("NoNewPrivs:\t1", out)
        code, out = self.run_output("--privileged", "busybox", "grep", "Seccomp:", "/proc/self/status")
        self.assertIn("Seccomp:\t0", out)

    def test_limits_in_host_cgroup(self):
        p = self.d.docker("run", "-d", "--memory", "64m", "--pids-limit", "50", "--cpus", "0.5",
                          "busybox", "sleep", "30")
        self.assertEqual(p.returncode, 0, p.stderr)
        cid = p.stdout.decode().strip()
        try:
            dirs = cgroup_dirs(cid)
            self.assertTrue(dirs, "no cgroup for the container")
            mem = [d for d in dirs if "/memory/" in d or d.startswith("/sys/fs/cgroup/" + self.d.cgroup_parent)]
            readings = {}
            for d in dirs:
                for f in ("memory.limit_in_bytes", "memory.max", "pids.max", "cpu.cfs_quota_us", "cpu.max"):
                    path = os.path.join(d, f)
                    if os.path.exists(path):
                        readings[f] = open(path).read().strip()
            self.assertIn(readings.get("memory.limit_in_bytes", readings.get("memory.max")), ("67108864",))
            self.assertEqual(readings.get("pids.max"), "50")
            self.assertIn(readings.get("cpu.cfs_quota_us", readings.get("cpu.max", "").split(" ")[0]), ("50000",))
        finally:
            self.d.docker("rm", "-f", cid)
        self.assertEqual(cgroup_dirs(cid), [])

    def test_user_env_workdir(self):
        code, out = self.run_output("-u", "nobody", "-e", "FOO=bar", "-w", "/tmp", "busybox", "sh", "-c",
                                    "id -u; echo $FOO; pwd; echo $HOSTNAME")
        lines = out.split()
        self.assertEqual(lines[:3], ["65534", "bar", "/tmp"])
        self.assertEqual(len(lines[3]), 12)

    def test_group_add_by_name_and_id(self):
        # names resolve in the container's /etc/group (busybox: daemon is 1)
        code, out = self.run_output("-u", "nobody", "--group-add", "daemon", "--group-add", "4242",
                                    "busybox", "id", "-G")
        self.assertEqual(code, 0, out)
        self.assertEqual(set(out.split()) & {"1", "4242"}, {"1", "4242"})
        p = self.d.docker("run", "--rm", "--group-add", "nosuchgroup", "busybox", "true")
        self.assertEqual(p.returncode, 125, p.stderr)
        self.assertIn(b"unable to find group nosuchgroup: no matching entries in group file", p.stderr)
        p = self.d.docker("create", "--group-add", "a,b", "busybox", "true")
        self.assertEqual(p.returncode, 1, p.stderr)
        self.assertIn(b"invalid group name in --group-add: a,b", p.stderr)

    def test_binds_and_read_only(self):
        host = os.path.join(self.d.dir, "shared")
        os.makedirs(host)
        with open(os.path.join(host, "in"), "w") as f:
            f.write("from host\n")
        code, out = self.run_output("-v", host + ":/data", "--read-only", "busybox", "sh", "-c",
                                    "cat /data/in; echo out > /data/out; touch /x 2>/dev/null || echo ro")
        self.assertEqual(out.split("\n")[:2], ["from host", "ro"])
        self.assertEqual(open(os.path.join(host, "out")).read(), "out\n")

    def test_exit_codes(self):
        p = self.d.docker("run", "-d", "busybox", "nosuchcommand")
        self.assertEqual(p.returncode, 127, p.stderr)
        self.assertIn(b'executable file not found in $PATH', p.stderr)
        p = self.d.docker("run", "-d", "busybox", "/etc/passwd")
        self.assertEqual(p.returncode, 126, p.stderr)
        code, _ = self.run_output("busybox", "sh", "-c", "exit 7")
        self.assertEqual(code, 7)
        every = set(self.d.docker("ps", "-aq", "--no-trunc").stdout.decode().split())
        ids = every - set(self.d.docker("ps", "-q", "--no-trunc").stdout.decode().split())
        self.assertTrue(ids)
        p = self.d.engine("container", "prune", "-f")
        self.assertEqual(p.returncode, 0, p.stderr)
        lines = p.stdout.decode().split("\n")
        self.assertEqual(lines[0], "Deleted Containers:")
        self.assertEqual(set(lines[1:1 + len(ids)]), ids)
        self.assertEqual(lines[1 + len(ids)], "")
        self.assertTrue(lines[2 + len(ids)].startswith("Total reclaimed space: "), lines)
        p = self.d.engine("container", "prune", "-f", "--filter", "until=notatime")
        self.assertNotEqual(p.returncode, 0)


class Lifecycle(Base):
    def test_docker_cli_lifecycle_and_events(self):
        start = time.time()
        d = self.d
        p = d.docker("create", "--name", "life", "-l", "k=v", "busybox", "sleep", "60")
        self.assertEqual(p.returncode, 0, p.stderr)
        cid = p.stdout.decode().strip()
        self.assertEqual(d.docker("inspect", "-f", "{{.State.Status}}", "life").stdout.strip(), b"created")
        self.assertOk(d.docker("start", "life"))
        self.assertEqual(d.docker("inspect", "-f", "{{.State.Status}} {{.State.Running}}", "life").stdout.strip(),
                         b"running true")
        pid = int(d.docker("inspect", "-f", "{{.State.Pid}}", "life").stdout)
        self.assertTrue(os.path.exists("/proc/%d" % pid))
        self.assertOk(d.docker("pause", "life"))
        self.assertIn(b"(Paused)", d.docker("ps", "--filter", "name=life", "--format", "{{.Status}}").stdout)
        self.assertOk(d.docker("unpause", "life"))
        self.assertOk(d.docker("rename", "life", "life2"))
        self.assertOk(d.docker("restart", "-t", "1", "life2"))
        self.assertOk(d.docker("stop", "-t", "1", "life2"))
        st = d.docker("inspect", "-f", "{{.State.Status}} {{.State.ExitCode}}", "life2").stdout.split()
        self.assertEqual(st, [b"exited", b"137"])
        self.assertIn(b"Exited (137)", d.docker("ps", "-a", "--format", "{{.Status}}").stdout)
        # stop of a stopped container: 304, no error
        self.assertOk(d.docker("stop", "life2"))
        self.assertOk(d.docker("rm", "life2"))
        self.assertNotEqual(d.docker("inspect", "life2").returncode, 0)
        ev = d.docker("events", "--since", "%.3f" % start, "--until", "%.3f" % time.time(),
                      "--filter", "container=" + cid, "--format", "{{.Action}}")
        actions = ev.stdout.decode().split()
        for a in ("create", "start", "pause", "unpause", "rename", "kill", "die", "stop", "restart", "destroy"):
            self.assertIn(a, actions)
        ev = d.docker("events", "--since", "%.3f" % start, "--until", "%.3f" % time.time(),
                      "--filter", "event=die", "--format", "{{json .}}")
        die = json.loads(ev.stdout.decode().splitlines()[-1])
        self.assertEqual(die["Actor"]["Attributes"]["exitCode"], "137")
        self.assertEqual(die["Actor"]["Attributes"]["k"], "v")

    def test_engine_cli(self):
        d = self.d
        out = self.assertOk(d.engine("run", "-d", "--name", "e1", "busybox", "sleep", "60"))
        self.assertEqual(len(out.strip()), 64)
        ps = self.assertOk(d.engine("ps"))
        self.assertIn("e1", ps)
        self.assertTrue(ps.startswith("CONTAINER ID   IMAGE     COMMAND"))
        self.assertEqual(self.assertOk(d.engine("ps", "--format", "{{.Names}}:{{.Image}}")).strip(), "e1:busybox")
        self.assertEqual(self.assertOk(d.engine("inspect", "-f", "{{.Name}}", "e1")).strip(), "/e1")
        self.assertOk(d.engine("kill", "e1"))
        self.assertEqual(self.assertOk(d.engine("wait", "e1")).strip(), "137")
        p = d.engine("rm", "nosuch")
        self.assertEqual(p.returncode, 1)
        self.assertIn(b"No such container: nosuch", p.stderr)
        self.assertOk(d.engine("rm", "e1"))
        # docker ps and engine ps print the same table for the same state.
        self.assertOk(d.engine("run", "-d", "--name", "same", "busybox", "sleep", "60"))
        a = d.engine("ps", "--format", "table {{.Names}}\t{{.Image}}\t{{.Command}}").stdout
        b = d.docker("ps", "--format", "table {{.Names}}\t{{.Image}}\t{{.Command}}").stdout
        self.assertEqual(a, b)
        self.assertOk(d.engine("rm", "-f", "same"))

    def test_wait_conditions_and_autoremove(self):
        d = self.d
        p = d.docker("run", "-d", "--rm", "busybox", "sh", "-c", "sleep 0.3; exit 3")
        cid = p.stdout.decode().strip()
        r = d.api("POST", "/v1.44/containers/%s/wait?condition=removed" % cid)
        self.assertEqual(r.json(), {"Error": None, "StatusCode": 3})
        self.assertEqual(d.api("GET", "/v1.44/containers/%s/json" % cid).status, 404)
        self.assertEqual(d.api("POST", "/v1.44/containers/%s/wait?condition=bogus" % cid).status, 400)

    def test_restart_policies(self):
        d = self.d
        p = d.docker("run", "-d", "--restart", "on-failure:2", "busybox", "sh", "-c", "exit 1")
        cid = p.stdout.decode().strip()
        deadline = time.time() + 15
        while time.time() < deadline:
            st = d.docker("inspect", "-f", "{{.State.Status}} {{.RestartCount}}", cid).stdout.split()
            if st == [b"exited", b"2"]:
                break
            time.sleep(0.1)
        self.assertEqual(st, [b"exited", b"2"])
        p = d.docker("run", "-d", "--restart", "always", "busybox", "sh", "-c", "sleep 0.2")
        cid2 = p.stdout.decode().strip()
        time.sleep(1.5)
        self.assertGreaterEqual(int(d.docker("inspect", "-f", "{{.RestartCount}}", cid2).stdout), 1)
        self.assertOk(d.docker("stop", "-t", "1", cid2))
        count = d.docker("inspect", "-f", "{{.RestartCount}}", cid2).stdout
        time.sleep(0.8)
        self.assertEqual(d.docker("inspect", "-f", "{{.State.Status}}", cid2).stdout.strip(), b"exited")
        self.assertEqual(d.docker("inspect", "-f", "{{.RestartCount}}", cid2).stdout, count)
        d.docker("rm", "-f", cid, cid2)

    def test_python_sdk(self):
        code = """
import docker, json, sys
c = docker.DockerClient(base_url='unix://%s')
ct = c.containers.run('busybox', ['sh', '-c', 'echo hi; exit 4'], detach=True, labels={'a': 'b'})
r = ct.wait()
ct.reload()
print(json.dumps([r['StatusCode'], ct.status, ct.labels['a'], len(c.containers.list(all=True))]))
ct.remove()
""" % self.d.sock
        p = subprocess.run(["/usr/bin/python3", "-c", code], capture_output=True, timeout=60)
        self.assertEqual(p.returncode, 0, p.stderr)
        out = json.loads(p.stdout)
        self.assertEqual(out[:3], [4, "exited", "b"])

    def test_ps_filters(self):
        d = self.d
        d.docker("run", "-d", "--name", "fa", "-l", "color=red", "busybox", "sleep", "60")
        d.docker("run", "-d", "--name", "fb", "busybox", "sh", "-c", "exit 2")
        d.docker("wait", "fb")
        self.assertEqual(d.docker("ps", "-a", "--filter", "label=color=red", "--format", "{{.Names}}").stdout, b"fa\n")
        self.assertEqual(d.docker("ps", "-a", "--filter", "exited=2", "--format", "{{.Names}}").stdout, b"fb\n")
        self.assertEqual(d.docker("ps", "--filter", "status=running", "--format", "{{.Names}}").stdout, b"fa\n")
        self.assertEqual(d.docker("ps", "-aq", "--filter", "name=f[ab]").stdout.count(b"\n"), 2)
        self.assertEqual(d.api("GET", "/v1.44/containers/json?filters=%7B%22status%22%3A%5B%22bogus%22%5D%7D").status, 400)
        d.docker("rm", "-f", "fa", "fb")


class Hostile(Base):
    def create(self, body, name=None):
        path = "/v1.44/containers/create" + ("?name=" + name if name else "")
        return self.d.api("POST", path, body if not isinstance(body, bytes) else body,
                          headers={"Content-Type": "application/json"})

    def count(self):
        return len(self.d.api("GET", "/v1.44/containers/json?all=1").json())

    def test_bad_bodies(self):
        before = self.count()
        cases = [
            (b"{", 400), (b"[]", 400), (b"{}", 400), ({"Image": 5}, 400),
            ({"Image": "busybox", "Cmd": "ls"}, 400), ({"Image": "busybox", "Env": [1]}, 400),
            ({"Image": "busybox", "HostConfig": {"Memory": "lots"}}, 400),
            ({"Image": "busybox", "HostConfig": {"Memory": 1024}}, 400),
            ({"Image": "busybox", "HostConfig": {"RestartPolicy": {"Name": "sometimes"}}}, 400),
            ({"Image": "busybox", "HostConfig": {"CapAdd": ["CAP_NOPE"]}}, 400),
            ({"Image": "busybox", "HostConfig": {"Binds": ["/proc:/host/proc"]}}, 400),
            ({"Image": "busybox", "HostConfig": {"Binds": [self.d.sock + ":/s.sock"]}}, 400),
            ({"Image": "busybox", "HostConfig": {"Binds": [self.d.dir + ":/d"]}}, 400),
            ({"Image": "busybox", "HostConfig": {"Binds": ["bad name:/x"]}}, 400),
            ({"Image": "busybox", "HostConfig": {"Binds": ["/tmp:/"]}}, 400),
            ({"Image": "nosuchimage"}, 404),
            ({"Image": "busybox", "HostConfig": {"NetworkMode": "nonet"}}, 404),
            ({"Image": "busybox", "HostConfig": {"Ulimits": [{"Name": "nofile", "Soft": 10, "Hard": 5}]}}, 400),
        ]
        for body, status in cases:
            r = self.create(body)
            self.assertEqual(r.status, status, (body, r.body))
            self.assertIn("message", r.json())
        big = {"Image": "busybox", "Env": ["K%d=%s" % (i, "v" * 100) for i in range(20000)]}
        self.assertEqual(self.create(big).status, 400)
        huge = {"Image": "busybox", "Env": ["K=" + "v" * (9 << 20)]}
        self.assertEqual(self.create(huge).status, 413)
        self.assertEqual(self.count(), before)
        self.assertEqual(self.d.api("GET", "/_ping").status, 200)

    def test_names(self):
        self.assertEqual(self.create({"Image": "busybox"}, name="bad%20name").status, 400)
        self.assertEqual(self.create({"Image": "busybox"}, name="x").status, 400)
        r = self.create({"Image": "busybox", "Cmd": ["true"]}, name="taken")
        self.assertEqual(r.status, 201)
        r2 = self.create({"Image": "busybox", "Cmd": ["true"]}, name="taken")
        self.assertEqual(r2.status, 409)
        self.assertIn('The container name "/taken" is already in use', r2.json()["message"])
        self.d.docker("rm", "taken")

    def test_unknown_container(self):
        for method, path in (("POST", "start"), ("POST", "stop"), ("POST", "kill"), ("GET", "json"),
                             ("POST", "wait"), ("POST", "pause")):
            r = self.d.api(method, "/v1.44/containers/nosuch/" + path)
            self.assertEqual(r.status, 404)
            self.assertEqual(r.json()["message"], "No such container: nosuch")
        self.assertEqual(self.d.api("DELETE", "/v1.44/containers/nosuch").status, 404)


class SurvivesDaemon(unittest.TestCase):
    def test_kill9_engined_and_readopt(self):
        d = Engined().start()
        try:
            d.load_busybox()
            p = d.docker("run", "-d", "--name", "long", "busybox", "sh", "-c", "while true; do echo tick; sleep 0.1; done")
            self.assertEqual(p.returncode, 0, p.stderr)
            p = d.docker("run", "-d", "--name", "short", "busybox", "sh", "-c", "sleep 1; exit 5")
            pid = int(d.docker("inspect", "-f", "{{.State.Pid}}", "long").stdout)
            logpath = d.docker("inspect", "-f", "{{.LogPath}}", "long").stdout.decode().strip()
            d.kill9()
            size1 = os.path.getsize(logpath)
            time.sleep(1.5)  # "short" exits while engined is away
            self.assertTrue(os.path.exists("/proc/%d" % pid), "container died with engined")
            self.assertGreater(os.path.getsize(logpath), size1, "log stopped growing")
            d.start()
            self.assertEqual(int(d.docker("inspect", "-f", "{{.State.Pid}}", "long").stdout), pid)
            self.assertEqual(d.docker("inspect", "-f", "{{.State.Status}}", "long").stdout.strip(), b"running")
            st = d.docker("inspect", "-f", "{{.State.Status}} {{.State.ExitCode}}", "short").stdout.split()
            self.assertEqual(st, [b"exited", b"5"])
            p = d.docker("stop", "-t", "1", "long")
            self.assertEqual(p.returncode, 0, p.stderr)
            self.assertFalse(os.path.exists("/proc/%d" % pid))
            d.docker("rm", "-f", "long", "short")
        finally:
            d.cleanup()
        with open("/proc/self/mounts") as f:
            self.assertNotIn(d.dir, f.read())


if __name__ == "__main__":
    main()
