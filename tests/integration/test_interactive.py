#!/usr/bin/python3
"""test_interactive.py: a container's stdio as clients see it: run with and
without -i/-t, attach (before and after the start, several at once, detach
keys, logs=1), exec (exit codes, tty, python3-docker's exec_run), resize,
engined restarts under live streams, clients that vanish; through the
`engine` CLI, the real docker CLI (interactive ones in tmux), python3-docker
and raw sockets. Each test removes what it made; the suite checks at the end
that no container, shim or process is left.
"""
import concurrent.futures
import json
import os
import re
import shutil
import signal
import socket
import struct
import subprocess
import sys
import time
import unittest
import urllib.parse

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402



def frames(data):
    """Splits Docker's multiplexed stream into {stream: bytes}."""
    out = {0: b"", 1: b"", 2: b"", 3: b""}
    while len(data) >= 8:
        n = struct.unpack(">I", data[4:8])[0]
        out[data[0]] += data[8:8 + n]
        data = data[8 + n:]
    return out


class Tmux:
    """One terminal: a command in a private tmux server, read with capture-pane."""

    def __init__(self, cmd, env, width=100, height=30):
        self.sock = "engine-it-%d-%d" % (os.getpid(), id(self))
        self.env = env
        shell = "%s; echo EXIT=$?; sleep 60" % cmd
        subprocess.run(["tmux", "-L", self.sock, "new-session", "-d", "-s", "t", "-x", str(width),
                        "-y", str(height), shell], check=True, env=env)

    def tmux(self, *args):
        return subprocess.run(["tmux", "-L", self.sock] + list(args), capture_output=True, env=self.env)

    def send(self, *keys):
        self.tmux("send-keys", "-t", "t", *keys)

    def line(self, text):
        self.send(text, "Enter")

    def screen(self):
        return self.tmux("capture-pane", "-t", "t", "-p").stdout.decode(errors="replace")

    def wait_for(self, pattern, timeout=15):
        deadline = time.time() + timeout
        while time.time() < deadline:
            text = self.screen()
            m = re.search(pattern, text)
            if m:
                return m
            time.sleep(0.05)
        raise AssertionError("%r never showed up; the screen:\n%s" % (pattern, self.screen()))

    def resize(self, width, height):
        self.tmux("resize-window", "-t", "t", "-x", str(width), "-y", str(height))

    def close(self):
        self.tmux("kill-server")


class RawClient:
    """The API over a raw socket, for hijacked streams."""

    def __init__(self, sock_path):
        self.path = sock_path

    def hijack(self, method, path, body=None, upgrade=True):
        s = socket.socket(socket.AF_UNIX)
        s.settimeout(20)
        s.connect(self.path)
        data = json.dumps(body).encode() if body is not None else b""
        head = "%s %s HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: %d\r\n" % (
            method, path, len(data))
        if upgrade:
            head += "Connection: Upgrade\r\nUpgrade: tcp\r\n"
        s.sendall(head.encode() + b"\r\n" + data)
        buf = b""
        while b"\r\n\r\n" not in buf:
            chunk = s.recv(4096)
            if not chunk:
                break
            buf += chunk
        head, _, rest = buf.partition(b"\r\n\r\n")
        return s, head.decode(), rest

    @staticmethod
    def read_all(s, rest=b""):
        out = rest
        while True:
            try:
                chunk = s.recv(65536)
            except socket.timeout:
                break
            if not chunk:
                break
            out += chunk
        return out


class InteractiveTest(harness.SanitizedEngineTestCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.raw = RawClient(cls.d.sock)

    @classmethod
    def leftovers(cls):
        left = super().leftovers()
        left["shims"] = subprocess.run(["pgrep", "-f", "engine-shim --id .*%s" % cls.d.exec_root],
                                       capture_output=True).stdout.split()
        return left

    # -- helpers ------------------------------------------------------------
    def cli(self, which, *args, **kw):
        return (self.d.engine if which == "engine" else self.d.docker)(*args, **kw)

    def cli_cmd(self, which):
        if which == "engine":
            return "%s -H unix://%s" % (harness.ENGINE, self.d.sock)
        return harness.DOCKER

    def run_d(self, *args):
        r = self.d.docker("run", "-d", *args)
        self.assertOk(r)
        cid = r.stdout.decode().strip()
        self.addCleanup(self.d.docker, "rm", "-f", cid)
        return cid

    def api_json(self, method, path, body=None):
        r = self.d.api(method, path, body)
        return r.status, (r.json() if r.body.strip() else None)

    def state(self, cid):
        return self.d.api("GET", "/containers/%s/json" % cid).json()["State"]

    def wait_state(self, cid, running, timeout=10):
        deadline = time.time() + timeout
        while time.time() < deadline:
            r = self.d.api("GET", "/containers/%s/json" % cid)
            if r.status == 404 and not running:
                return None
            if r.status == 200 and r.json()["State"]["Running"] == running:
                return r.json()["State"]
            time.sleep(0.05)
        self.fail("container %s never reached running=%s" % (cid, running))

    def wait_gone(self, cid, timeout=10):
        deadline = time.time() + timeout
        while time.time() < deadline:
            if self.d.api("GET", "/containers/%s/json" % cid).status == 404:
                return
            time.sleep(0.05)
        self.fail("container %s was not removed" % cid)

    def tmux(self, cmd, **kw):
        t = Tmux(cmd, self.d.env(), **kw)
        self.addCleanup(t.close)
        return t

    # -- run: output, exit codes, stdin ---------------------------------------
    def test_run_echo_every_time(self):
        """docker run attaches before the start: a command that ends at once
        must still deliver its output, every time (100 runs, 4 at once)."""
        def one(i):
            r = self.d.docker("run", "--rm", "busybox", "echo", "hello-%d" % i)
            return i, r.returncode, r.stdout.decode(), r.stderr.decode()

        with concurrent.futures.ThreadPoolExecutor(4) as pool:
            for i, rc, out, err in pool.map(one, range(100)):
                self.assertEqual((rc, out), (0, "hello-%d\n" % i), err)
        for i in range(20):
            r = self.d.engine("run", "--rm", "busybox", "echo", "e-%d" % i)
            self.assertEqual((r.returncode, r.stdout), (0, b"e-%d\n" % i), r.stderr)
        self.assertEqual(self.d.docker("ps", "-aq").stdout, b"")

    def test_run_streams_and_exit_code(self):
        for which in ("engine", "docker"):
            r = self.cli(which, "run", "--rm", "busybox", "sh", "-c", "echo out; echo err >&2; exit 3")
            self.assertEqual(r.returncode, 3, which)
            self.assertEqual(r.stdout, b"out\n", which)
            self.assertIn(b"err\n", r.stderr, which)
            r = self.cli(which, "run", "--rm", "-a", "stderr", "busybox", "sh", "-c", "echo out; echo err >&2")
            self.assertEqual((r.stdout, r.returncode), (b"", 0), which)
            self.assertIn(b"err", r.stderr)
            r = self.cli(which, "run", "--rm", "busybox", "nope")
            self.assertEqual(r.returncode, 127, which)
        self.assertEqual(self.d.docker("ps", "-aq").stdout, b"")

    def test_stdin_pipe(self):
        for which in ("engine", "docker"):
            r = self.cli(which, "run", "-i", "--rm", "busybox", "cat", input=b"hi\n")
            self.assertEqual((r.returncode, r.stdout), (0, b"hi\n"), (which, r.stderr))
            big = os.urandom(300000).hex().encode()  # several pipe buffers each way
            r = self.cli(which, "run", "-i", "--rm", "busybox", "md5sum", input=big)
            import hashlib
            self.assertEqual(r.stdout.split()[0].decode(), hashlib.md5(big).hexdigest(), which)
            r = self.cli(which, "run", "-i", "--rm", "busybox", "sh", "-c", "cat; echo done", input=b"x\n")
            self.assertEqual(r.stdout, b"x\ndone\n", which)

    def test_large_output_is_complete(self):
        for which in ("engine", "docker"):
            r = self.cli(which, "run", "--rm", "busybox", "sh", "-c",
                         "head -c 20000000 /dev/zero | tr '\\0' a; echo; echo end >&2")
            self.assertEqual(r.returncode, 0, which)
            self.assertEqual(len(r.stdout), 20000001, which)
            self.assertIn(b"end", r.stderr, which)

    def test_non_tty_signal_proxy(self):
        """SIGTERM to an attached non-tty CLI reaches the container."""
        for which in ("engine", "docker"):
            name = "proxy-" + which
            p = subprocess.Popen((harness.ENGINE if which == "engine" else harness.DOCKER).split() +
                                 (["-H", "unix://" + self.d.sock] if which == "engine" else []) +
                                 ["run", "--rm", "--name", name, "busybox", "sh", "-c",
                                  "trap 'echo got-term; exit 42' TERM; echo ready; while true; do sleep 0.05; done"],
                                 stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=self.d.env())
            try:
                self.assertEqual(p.stdout.readline(), b"ready\n")
                p.send_signal(signal.SIGTERM)
                out, err = p.communicate(timeout=20)
            finally:
                if p.poll() is None:
                    p.kill()
                    p.wait()
            self.assertIn(b"got-term", out, (which, err))
            self.assertEqual(p.returncode, 42, which)

    # -- tty sessions in tmux --------------------------------------------------
    def tty_session(self, which):
        name = "tty-" + which
        cli = self.cli_cmd(which)
        t = self.tmux("%s run -it --rm --name %s busybox sh" % (cli, name))
        t.wait_for(r"/ #")
        t.line("tty; stty size; echo $TERM")
        t.wait_for(r"/dev/pts/0\s+30 100\s+xterm")
        t.resize(90, 25)
        time.sleep(0.2)
        t.line("stty size")
        t.wait_for(r"25 90")
        t.line("echo mark-$((6*7))")
        t.wait_for(r"mark-42")
        t.send("C-p", "C-q")
        t.wait_for(r"EXIT=0")
        self.assertTrue(self.state(name)["Running"])
        # attach comes back to the same shell
        t2 = self.tmux("%s attach %s" % (cli, name))
        t2.wait_for(r"/ #")
        t2.line("echo back-$((1+1))")
        t2.wait_for(r"back-2")
        t2.line("exit 5")
        t2.wait_for(r"EXIT=5")
        self.wait_gone(name)  # --rm

    def test_tty_session_engine(self):
        self.tty_session("engine")

    def test_tty_session_docker(self):
        self.tty_session("docker")

    def test_detach_keys_custom_and_daemon_default(self):
        for which in ("engine", "docker"):
            name = "keys-" + which
            cli = self.cli_cmd(which)
            t = self.tmux("%s run -it --name %s --detach-keys ctrl-a,x busybox sh" % (cli, name))
            self.addCleanup(self.d.docker, "rm", "-f", name)
            t.wait_for(r"/ #")
            t.send("C-p", "C-q")  # not the keys now: goes to the shell
            t.line("echo still-here")
            t.wait_for(r"still-here")
            t.send("C-a", "x")
            t.wait_for(r"EXIT=0")
            self.assertTrue(self.state(name)["Running"])
        # daemon-side matching: a client that sends the keys itself is detached by the shim
        cid = self.run_d("-it", "busybox", "sh")
        s, head, rest = self.raw.hijack("POST", "/containers/%s/attach?stream=1&stdin=1&stdout=1&detachKeys=ctrl-e,e" % cid)
        self.assertIn("101", head.splitlines()[0])
        self.assertIn("application/vnd.docker.raw-stream", head)
        s.sendall(b"echo mark-$((1+2))\n")
        buf = rest
        while b"mark-3" not in buf:
            buf += s.recv(4096)
        s.sendall(b"\x05e")
        t = time.time()
        RawClient.read_all(s)  # the stream ends: detached
        self.assertLess(time.time() - t, 5)
        s.close()
        self.assertTrue(self.state(cid)["Running"])
        # daemon.json's detach-keys are the default of an attach (SIGHUP reloads them)
        base = {"cgroup-parent": os.path.basename(self.d.dir)}
        self.d.write_config(dict(base, **{"detach-keys": "ctrl-x,y"}))
        self.addCleanup(self.d.write_config, base)
        self.addCleanup(self.d.signal, signal.SIGHUP)
        self.d.signal(signal.SIGHUP)
        deadline = time.time() + 10
        while time.time() < deadline and b"reload" not in self.d.api(
                "GET", "/events?since=0&until=%d&filters=%s" % (time.time() + 0.2, urllib.parse.quote(
                    json.dumps({"type": ["daemon"]})))).body:
            time.sleep(0.05)
        s, head, rest = self.raw.hijack("POST", "/containers/%s/attach?stream=1&stdin=1&stdout=1" % cid)
        s.sendall(b"echo cfg-$((2+2))\n")
        buf = rest
        while b"cfg-4" not in buf:
            buf += s.recv(4096)
        s.sendall(b"\x18y")
        t = time.time()
        RawClient.read_all(s)  # detached by the configured keys: the stream ends at once
        self.assertLess(time.time() - t, 5)
        s.close()
        self.assertTrue(self.state(cid)["Running"])
        ev = self.d.api("GET", "/events?since=0&until=%d&filters=%s" % (
            time.time() + 1, urllib.parse.quote(json.dumps({"event": ["detach"], "container": [cid]}))))
        self.assertIn(b'"detach"', ev.body)

    def test_exec_tty_in_tmux(self):
        cid = self.run_d("busybox", "sleep", "1000")
        for which in ("engine", "docker"):
            t = self.tmux("%s exec -it %s sh" % (self.cli_cmd(which), cid), width=80, height=20)
            t.wait_for(r"/ #")
            t.line("tty; stty size")
            t.wait_for(r"/dev/pts/\d+\s+20 80")
            t.resize(70, 15)
            time.sleep(0.2)
            t.line("stty size")
            t.wait_for(r"15 70")
            t.line("exit 9")
            t.wait_for(r"EXIT=9")

    # -- exec ------------------------------------------------------------------
    def test_exec_exit_codes_and_options(self):
        cid = self.run_d("-e", "A=1", "-w", "/tmp", "busybox", "sleep", "1000")
        for which in ("engine", "docker"):
            r = self.cli(which, "exec", cid, "sh", "-c", "echo $A $B; pwd; id -u; exit 4")
            self.assertEqual((r.returncode, r.stdout), (4, b"1\n/tmp\n0\n"), which)
            r = self.cli(which, "exec", "-e", "B=2", "-w", "/", "-u", "nobody", cid, "sh", "-c", "echo $A $B; pwd; id -un")
            self.assertEqual((r.returncode, r.stdout), (0, b"1 2\n/\nnobody\n"), (which, r.stderr))
            r = self.cli(which, "exec", cid, "nope")
            self.assertEqual(r.returncode, 127, which)
            self.assertIn(b'exec: "nope": executable file not found in $PATH', r.stdout + r.stderr)
            r = self.cli(which, "exec", cid, "/etc/passwd")
            self.assertEqual(r.returncode, 126, which)
            r = self.cli(which, "exec", "-i", cid, "cat", input=b"piped\n")
            self.assertEqual(r.stdout, b"piped\n", which)
            r = self.cli(which, "exec", "-d", cid, "sh", "-c", "echo detached > /tmp/d-" + which)
            self.assertEqual(r.returncode, 0, which)
            r = self.cli(which, "exec", "--privileged", cid, "sh", "-c", "grep CapEff /proc/self/status")
            self.assertRegex(r.stdout, rb"CapEff:\s+000001ff[0-9a-f]{8}", which)
            r = self.cli(which, "exec", cid, "sh", "-c", "grep CapEff /proc/self/status")
            self.assertIn(b"00000000a80425fb", r.stdout, which)
            r = self.cli(which, "exec", "nosuchcontainer", "true")
            self.assertEqual(r.returncode, 1)
            self.assertIn(b"No such container", r.stderr)
        time.sleep(0.2)
        r = self.d.docker("exec", cid, "cat", "/tmp/d-engine", "/tmp/d-docker")
        self.assertEqual(r.stdout, b"detached\ndetached\n")
        # the exec shares the container's namespaces and cgroup
        r = self.d.docker("exec", cid, "sh", "-c", "hostname; tr \"\\\\0\" \" \" < /proc/1/cmdline; echo")
        lines = r.stdout.decode().split()
        self.assertEqual(lines[0], cid[:12])
        self.assertEqual(lines[1:3], ["sleep", "1000"])
        info = self.d.api("GET", "/containers/%s/json" % cid).json()
        self.assertGreaterEqual(len(info["ExecIDs"]), 10)

    def test_exec_api(self):
        cid = self.run_d("busybox", "sleep", "1000")
        st, c = self.api_json("POST", "/containers/%s/exec" % cid, {"Cmd": []})
        self.assertEqual(st, 400)
        st, c = self.api_json("POST", "/containers/%s/exec" % cid, {"Cmd": ["sh"], "DetachKeys": "ctrl-pp"})
        self.assertEqual(st, 400)
        st, c = self.api_json("POST", "/containers/%s/exec" % cid,
                              {"Cmd": ["sh", "-c", "echo o; echo e >&2; exit 3"], "AttachStdout": True,
                               "AttachStderr": True, "User": "nobody"})
        self.assertEqual(st, 201)
        eid = c["Id"]
        st, j = self.api_json("GET", "/exec/%s/json" % eid)
        self.assertEqual((j["Running"], j["ExitCode"], j["Pid"]), (False, None, 0))
        self.assertEqual(j["ProcessConfig"], {"arguments": ["-c", "echo o; echo e >&2; exit 3"],
                                              "entrypoint": "sh", "tty": False, "user": "nobody"})
        self.assertEqual(j["ContainerID"], cid)
        s, head, rest = self.raw.hijack("POST", "/exec/%s/start" % eid, {"Detach": False, "Tty": False})
        self.assertIn("101", head.splitlines()[0])
        self.assertIn("application/vnd.docker.multiplexed-stream", head)
        f = frames(RawClient.read_all(s, rest))
        s.close()
        self.assertEqual((f[1], f[2]), (b"o\n", b"e\n"))
        st, j = self.api_json("GET", "/exec/%s/json" % eid)
        self.assertEqual((j["Running"], j["ExitCode"], j["CanRemove"]), (False, 3, True))
        self.assertGreater(j["Pid"], 0)
        st, j = self.api_json("POST", "/exec/%s/start" % eid, {"Detach": True})
        self.assertEqual(st, 409)
        self.assertEqual(self.d.api("GET", "/exec/nope/json").status, 404)
        # no Upgrade header: 200 and the output
        st, c = self.api_json("POST", "/containers/%s/exec" % cid, {"Cmd": ["echo", "plain"], "AttachStdout": True})
        r = self.d.api("POST", "/exec/%s/start" % c["Id"], {"Detach": False})
        self.assertEqual(r.status, 200)
        self.assertEqual(frames(r.body)[1], b"plain\n")
        # resize of an exec with a tty; 409 once it is over
        st, c = self.api_json("POST", "/containers/%s/exec" % cid,
                              {"Cmd": ["sh", "-c", "read x; stty size"], "AttachStdin": True, "AttachStdout": True,
                               "Tty": True, "ConsoleSize": [11, 22]})
        s, head, rest = self.raw.hijack("POST", "/exec/%s/start" % c["Id"], {"Detach": False, "Tty": True})
        self.assertIn("application/vnd.docker.raw-stream", head)
        time.sleep(0.2)
        self.assertEqual(self.d.api("POST", "/exec/%s/resize?h=33&w=44" % c["Id"]).status, 200)
        s.sendall(b"\n")
        out = RawClient.read_all(s, rest)
        s.close()
        self.assertIn(b"33 44", out)
        self.assertEqual(self.d.api("POST", "/exec/%s/resize?h=1&w=1" % c["Id"]).status, 409)
        self.assertEqual(self.d.api("POST", "/exec/%s/resize?h=x&w=1" % c["Id"]).status, 400)
        # events
        ev = self.d.api("GET", "/events?since=0&until=%d&filters=%s" % (
            time.time() + 1, urllib.parse.quote(json.dumps({"container": [cid]})))).body.decode()
        actions = [json.loads(l)["Action"] for l in ev.splitlines()]
        self.assertIn("exec_create: sh -c echo o; echo e >&2; exit 3", actions)
        self.assertIn("exec_start: sh -c echo o; echo e >&2; exit 3", actions)
        dies = [json.loads(l) for l in ev.splitlines() if json.loads(l)["Action"] == "exec_die"]
        self.assertIn({"execID": eid, "exitCode": "3"}, [{k: d["Actor"]["Attributes"][k] for k in ("execID", "exitCode")} for d in dies])
        # a stopped container has no execs
        self.d.docker("stop", "-t", "0", cid)
        self.assertEqual(self.d.api("GET", "/exec/%s/json" % eid).status, 404)
        st, c = self.api_json("POST", "/containers/%s/exec" % cid, {"Cmd": ["true"]})
        self.assertEqual(st, 409)

    def test_python_docker_exec_and_attach_socket(self):
        import docker
        client = docker.DockerClient(base_url="unix://" + self.d.sock)
        try:
            ctr = client.containers.run("busybox", ["sleep", "1000"], detach=True)
            self.addCleanup(self.d.docker, "rm", "-f", ctr.id)
            code, out = ctr.exec_run(["sh", "-c", "echo py; exit 6"])
            self.assertEqual((code, out), (6, b"py\n"))
            code, (out, err) = ctr.exec_run(["sh", "-c", "echo o; echo e >&2"], demux=True)
            self.assertEqual((code, out, err), (0, b"o\n", b"e\n"))
            code, out = ctr.exec_run("tty", tty=True)
            self.assertEqual(code, 0)
            self.assertTrue(out.startswith(b"/dev/pts/"), out)
            # the attach socket of an interactive container
            cat = client.containers.create("busybox", ["cat"], stdin_open=True)
            self.addCleanup(self.d.docker, "rm", "-f", cat.id)
            sock = cat.attach_socket(params={"stdin": 1, "stdout": 1, "stderr": 1, "stream": 1})
            cat.start()
            raw = sock._sock
            raw.sendall(b"via-socket\n")
            raw.settimeout(10)
            got = b""
            while b"via-socket" not in frames(got)[1]:
                got += raw.recv(4096)
            raw.close()
            self.assertEqual(client.api.inspect_container(cat.id)["State"]["Running"], True)
            logs = cat.logs(stdout=True, stderr=False)
            self.assertEqual(logs, b"via-socket\n")
        finally:
            client.close()

    # -- attach ------------------------------------------------------------------
    def test_attach_before_start_several_and_logs(self):
        st, c = self.api_json("POST", "/containers/create",
                              {"Image": "busybox", "Cmd": ["sh", "-c", "echo first; read x; echo got-$x; echo bye >&2"],
                               "OpenStdin": True, "StdinOnce": True, "AttachStdin": True})
        cid = c["Id"]
        self.addCleanup(self.d.docker, "rm", "-f", cid)
        a1 = self.raw.hijack("POST", "/containers/%s/attach?stream=1&stdin=1&stdout=1&stderr=1" % cid)
        a2 = self.raw.hijack("POST", "/containers/%s/attach?stream=1&stdout=1" % cid)
        a2[0].shutdown(socket.SHUT_WR)  # a client without stdin half-closes at once (docker does)
        self.assertEqual(self.d.api("POST", "/containers/%s/start" % cid).status, 204)
        s1, head, rest = a1
        buf = rest
        while b"first" not in frames(buf)[1]:
            buf += s1.recv(4096)
        s1.sendall(b"input\n")
        s1.shutdown(socket.SHUT_WR)  # StdinOnce: closes the container's stdin, output goes on
        f1 = frames(RawClient.read_all(s1, buf))
        f2 = frames(RawClient.read_all(a2[0], a2[2]))
        self.assertEqual((f1[1], f1[2]), (b"first\ngot-input\n", b"bye\n"))
        self.assertEqual((f2[1], f2[2]), (b"first\ngot-input\n", b""))
        for s, _, _ in (a1, a2):
            s.close()
        # logs=1&stream=0: the replay only; API < 1.42: raw-stream content type, same frames
        s, head, rest = self.raw.hijack("POST", "/v1.41/containers/%s/attach?logs=1&stdout=1&stderr=1" % cid)
        self.assertIn("application/vnd.docker.raw-stream", head)
        f = frames(RawClient.read_all(s, rest))
        s.close()
        self.assertEqual((f[1], f[2]), (b"first\ngot-input\n", b"bye\n"))
        # no Upgrade: 200 and the stream
        r = self.d.api("POST", "/containers/%s/attach?logs=1&stdout=1" % cid)
        self.assertEqual((r.status, frames(r.body)[1]), (200, b"first\ngot-input\n"))
        self.assertEqual(self.d.api("POST", "/containers/nope/attach?stream=1").status, 404)
        self.assertEqual(self.d.api("POST", "/containers/%s/attach?stream=1&detachKeys=ctrl-zz" % cid).status, 400)

    def test_start_attach_engine_and_docker(self):
        for which in ("engine", "docker"):
            r = self.d.docker("create", "-i", "busybox", "sh", "-c", "read x; echo got-$x; exit 2")
            cid = r.stdout.decode().strip()
            self.addCleanup(self.d.docker, "rm", "-f", cid)
            r = self.cli(which, "start", "-a", "-i", cid, input=b"yes\n")
            self.assertEqual((r.returncode, r.stdout), (2, b"got-yes\n"), (which, r.stderr))
            r = self.cli(which, "attach", cid)
            self.assertNotEqual(r.returncode, 0)
            self.assertIn(b"stopped container", r.stderr)

    def test_resize_api(self):
        cid = self.run_d("-t", "busybox", "sh", "-c", "sleep 0.5; stty size; sleep 1000")
        self.assertEqual(self.d.api("POST", "/containers/%s/resize?h=12&w=34" % cid).status, 200)
        time.sleep(1)
        self.assertIn(b"12 34", self.d.docker("logs", cid).stdout)
        self.assertEqual(self.d.api("POST", "/containers/%s/resize?h=&w=3" % cid).status, 400)
        plain = self.run_d("busybox", "sleep", "1000")
        self.assertEqual(self.d.api("POST", "/containers/%s/resize?h=5&w=5" % plain).status, 200)
        self.d.docker("rm", "-f", plain)
        st, c = self.api_json("POST", "/containers/create", {"Image": "busybox", "Cmd": ["true"]})
        self.addCleanup(self.d.docker, "rm", "-f", c["Id"])
        self.assertEqual(self.d.api("POST", "/containers/%s/resize?h=5&w=5" % c["Id"]).status, 409)
        # ConsoleSize at create is the size the process starts with
        r = self.d.engine("run", "--rm", "-t", "busybox", "stty", "size")
        self.assertEqual(r.returncode, 0)

    def test_console_size_at_create(self):
        st, c = self.api_json("POST", "/containers/create",
                              {"Image": "busybox", "Cmd": ["stty", "size"], "Tty": True,
                               "HostConfig": {"ConsoleSize": [17, 71]}})
        cid = c["Id"]
        self.addCleanup(self.d.docker, "rm", "-f", cid)
        s, head, rest = self.raw.hijack("POST", "/containers/%s/attach?stream=1&stdout=1" % cid)
        self.assertEqual(self.d.api("POST", "/containers/%s/start" % cid).status, 204)
        out = RawClient.read_all(s, rest)
        s.close()
        self.assertEqual(out, b"17 71\r\n")

    # -- clients that vanish, engined restarts -----------------------------------
    def test_client_vanishes_mid_stream(self):
        cid = self.run_d("busybox", "sh", "-c", "while true; do echo tick; done")
        for i in range(3):
            s, head, rest = self.raw.hijack("POST", "/containers/%s/attach?stream=1&stdout=1" % cid)
            s.recv(65536)
            s.close()  # gone without a word
        p = subprocess.Popen([harness.DOCKER, "attach", cid], stdout=subprocess.DEVNULL, env=self.d.env())
        time.sleep(0.3)
        p.kill()
        p.wait()
        p = subprocess.Popen([harness.DOCKER, "logs", "-f", cid], stdout=subprocess.DEVNULL, env=self.d.env())
        time.sleep(0.3)
        p.kill()
        p.wait()
        time.sleep(0.2)
        self.assertTrue(self.state(cid)["Running"])
        self.assertEqual(self.d.api("GET", "/_ping").status, 200)
        r = self.d.docker("exec", cid, "echo", "fine")
        self.assertEqual(r.stdout, b"fine\n")
        # the shim does not hold the output of a client that left
        self.assertEqual(self.d.docker("stop", "-t", "1", cid).returncode, 0)

    def test_streams_survive_engined_restart(self):
        cid = self.run_d("-i", "busybox", "cat")
        st, c = self.api_json("POST", "/containers/%s/exec" % cid,
                              {"Cmd": ["sh", "-c", "while read x; do echo got-$x; done; exit 7"], "AttachStdin": True,
                               "AttachStdout": True, "AttachStderr": True})
        eid = c["Id"]
        ex, head, exrest = self.raw.hijack("POST", "/exec/%s/start" % eid, {"Detach": False})
        at, head, atrest = self.raw.hijack("POST", "/containers/%s/attach?stream=1&stdin=1&stdout=1" % cid)

        def roundtrip(s, buf, word, want):
            s.sendall(word + b"\n")
            while want not in frames(buf)[1]:
                chunk = s.recv(4096)
                self.assertTrue(chunk, "the stream ended")
                buf += chunk
            return buf

        exbuf = roundtrip(ex, exrest, b"a", b"got-a")  # both streams are with the shim now
        atbuf = roundtrip(at, atrest, b"warm", b"warm")
        self.d.kill9()
        self.d.start(env=self.env)
        # the streams opened before the restart still work
        roundtrip(at, atbuf, b"old-attach", b"old-attach")
        at.close()
        r = self.d.api("GET", "/exec/%s/json" % eid)
        self.assertTrue(r.json()["Running"], r)
        roundtrip(ex, exbuf, b"hello", b"got-hello")
        ex.shutdown(socket.SHUT_WR)
        RawClient.read_all(ex)
        ex.close()
        self.assertEqual(self.d.api("GET", "/exec/%s/json" % eid).json()["ExitCode"], 7)
        # a new attach after the restart
        s, head, rest = self.raw.hijack("POST", "/containers/%s/attach?stream=1&stdin=1&stdout=1" % cid)
        roundtrip(s, rest, b"new-attach", b"new-attach")
        s.close()
        r = self.d.docker("exec", cid, "echo", "exec-after")
        self.assertEqual(r.stdout, b"exec-after\n")

    # -- top -----------------------------------------------------------------------
    def test_top(self):
        cid = self.run_d("busybox", "sh", "-c", "sleep 1000 & sleep 2000; true")
        time.sleep(0.2)
        for which in ("engine", "docker"):
            r = self.cli(which, "top", cid)
            self.assertOk(r)
            lines = r.stdout.decode().splitlines()
            self.assertTrue(lines[0].startswith("UID"), lines)
            self.assertEqual(len(lines), 4, lines)  # sh, and its two sleeps
            self.assertTrue(any(l.endswith("sleep 2000") for l in lines))
            r = self.cli(which, "top", cid, "-o", "pid,comm")
            self.assertEqual(r.stdout.decode().split()[:2], ["PID", "COMMAND"], which)
        st, j = self.api_json("GET", "/containers/%s/top?ps_args=aux" % cid)
        self.assertIn("%CPU", j["Titles"])
        self.assertEqual(len(j["Processes"]), 3)
        st, j = self.api_json("GET", "/containers/%s/top?ps_args=-o%%20x=PID" % cid)
        self.assertEqual(st, 400)
        self.d.docker("stop", "-t", "0", cid)
        self.assertEqual(self.d.api("GET", "/containers/%s/top" % cid).status, 409)


if __name__ == "__main__":
    harness.main()
