"""The foundation: engined's socket, flags, the system endpoints, version
negotiation, endpoints of features engine lacks, hostile requests, reload,
socket activation and sd_notify, through raw HTTP, curl, engine and docker."""
import json
import os
import platform
import signal
import socket
import stat
import subprocess
import tempfile
import time
import unittest

from harness import DOCKER, ENGINED, Engined, EngineTestCase, main


class SystemEndpoints(EngineTestCase):
    def test_ping_headers(self):
        for method in ("GET", "HEAD"):
            r = self.d.api(method, "/_ping")
            self.assertEqual(r.status, 200)
            self.assertEqual(r.body, b"OK" if method == "GET" else b"")
            self.assertEqual(r.headers["Api-Version"], "1.44")
            self.assertEqual(r.headers["Ostype"], "linux")
            self.assertEqual(r.headers["Docker-Experimental"], "false")
            self.assertEqual(r.headers["Swarm"], "inactive")
            self.assertEqual(r.headers["Builder-Version"], "1")
            self.assertIn("no-cache", r.headers["Cache-Control"])
            self.assertTrue(r.headers["Server"].startswith("Docker/"))

    def test_version_fields(self):
        v = self.d.api("GET", "/v1.44/version").json()
        self.assertEqual(v["ApiVersion"], "1.44")
        self.assertEqual(v["MinAPIVersion"], "1.24")
        self.assertEqual(v["KernelVersion"], platform.release())
        eng = [c for c in v["Components"] if c["Name"] == "Engine"]
        self.assertEqual(len(eng), 1)
        self.assertEqual(eng[0]["Details"]["ApiVersion"], "1.44")

    def test_info_real_values(self):
        i = self.d.api("GET", "/v1.44/info").json()
        self.assertEqual(i["KernelVersion"], platform.release())
        self.assertEqual(i["NCPU"], os.cpu_count())
        self.assertEqual(i["Name"], socket.gethostname())
        self.assertEqual(i["Architecture"], platform.machine())
        self.assertEqual(i["DockerRootDir"], self.d.data)
        self.assertEqual(i["Driver"], "overlay2")
        self.assertEqual(i["CgroupDriver"], "cgroupfs")
        with open("/proc/self/mounts") as f:
            cg2 = " /sys/fs/cgroup cgroup2 " in f.read()
        self.assertEqual(i["CgroupVersion"], "2" if cg2 else "1")
        self.assertEqual(i["Swarm"]["LocalNodeState"], "inactive")
        self.assertEqual(i["OSType"], "linux")
        with open("/etc/os-release") as f:
            pretty = [l.split("=", 1)[1].strip().strip('"') for l in f if l.startswith("PRETTY_NAME=")][0]
        self.assertEqual(i["OperatingSystem"], pretty)
        with open("/proc/meminfo") as f:
            kb = int(f.readline().split()[1])
        self.assertAlmostEqual(i["MemTotal"], kb * 1024, delta=kb * 1024 // 100)
        for k in ("Containers", "ContainersRunning", "ContainersPaused", "ContainersStopped", "Images"):
            self.assertIsInstance(i[k], int)
        self.assertTrue(i["ID"])

    def test_system_df_shape(self):
        df = self.d.api("GET", "/v1.44/system/df").json()
        for k in ("LayersSize", "Images", "Containers", "Volumes", "BuildCache"):
            self.assertIn(k, df)
        self.assertEqual(self.d.api("GET", "/v1.44/system/df?type=bogus").status, 400)

    def test_version_prefixes(self):
        self.assertEqual(self.d.api("GET", "/version").status, 200)
        self.assertEqual(self.d.api("GET", "/v1.24/version").status, 200)
        r = self.d.api("GET", "/v1.45/version")
        self.assertEqual(r.status, 400)
        self.assertIn("client version 1.45 is too new", r.json()["message"])
        r = self.d.api("GET", "/v1.12/version")
        self.assertEqual(r.status, 400)
        self.assertIn("too old", r.json()["message"])
        self.assertEqual(self.d.api("GET", "/v1.x/version").status, 404)

    def test_unknown_path(self):
        r = self.d.api("GET", "/v1.44/nothing/here")
        self.assertEqual(r.status, 404)
        self.assertEqual(r.json(), {"message": "page not found"})
        self.assertEqual(self.d.api("DELETE", "/v1.44/version").status, 404)
        for h in ("Api-Version", "Server", "Ostype"):
            self.assertIn(h, r.headers)

    def test_absent_features(self):
        for method, path in (("GET", "/swarm"), ("POST", "/swarm/leave"), ("GET", "/services"),
                             ("GET", "/nodes"), ("GET", "/tasks"), ("GET", "/secrets"),
                             ("GET", "/configs"), ("GET", "/services/abc")):
            r = self.d.api(method, "/v1.44" + path)
            self.assertEqual(r.status, 503, path)
            self.assertIn("This node is not a swarm manager", r.json()["message"])
        self.assertEqual(self.d.api("GET", "/v1.44/plugins").json(), [])
        for path in ("/grpc", "/session"):
            r = self.d.api("POST", "/v1.44" + path)
            self.assertEqual(r.status, 501)
            self.assertIn("BuildKit", r.json()["message"])


class Hostile(EngineTestCase):
    def alive(self):
        self.assertEqual(self.d.api("GET", "/_ping").status, 200)

    def test_malformed_filters(self):
        for f in ('{', '[]', '{"type":5}', '{"type":{"x":"yes"}}', '{"nope":["x"]}', '{"type":["a"]} x'):
            r = self.d.api("GET", "/v1.44/events?until=1&filters=" + __import__("urllib.parse").parse.quote(f))
            self.assertEqual(r.status, 400, f)
            self.assertIn("message", r.json())
        self.alive()

    def test_bad_since_until(self):
        for q in ("since=abc", "until=1x", "since=1.2.3", "until=99999999999999999999",
                  "since=10q"):
            r = self.d.api("GET", "/v1.44/events?" + q)
            self.assertEqual(r.status, 400, q)
            self.assertIn(q.split("=")[0], r.json()["message"])
        self.alive()

    def test_huge_header(self):
        r = self.d.raw(b"GET /_ping HTTP/1.1\r\nHost: x\r\nX-Big: " + b"a" * 400000 + b"\r\n\r\n")
        self.assertTrue(r.startswith(b"HTTP/1.1 4"), r[:100])
        self.alive()

    def test_huge_body(self):
        body = b"x" * (9 << 20)
        r = self.d.raw(b"POST /v1.44/swarm/init HTTP/1.1\r\nHost: x\r\nContent-Length: %d\r\n\r\n" % len(body) + body)
        self.assertTrue(r.startswith(b"HTTP/1.1 413"), r[:100])
        self.alive()

    def test_truncated_body(self):
        r = self.d.raw(b"POST /v1.44/swarm/init HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n{\"a\":")
        self.assertFalse(r.startswith(b"HTTP/1.1 2"), r[:100])
        self.alive()

    def test_garbage_request(self):
        for junk in (b"\x00\x01\x02\r\n\r\n", b"GET\r\n\r\n", b"GET /_ping HTTP/9.9\r\n\r\n",
                     b"GET /" + b"a/" * 5000 + b" HTTP/1.1\r\nHost: x\r\n\r\n"):
            self.d.raw(junk)
        self.alive()

    def test_client_vanishes_mid_stream(self):
        for _ in range(20):
            s = socket.socket(socket.AF_UNIX)
            s.connect(self.d.sock)
            s.sendall(b"GET /v1.44/events HTTP/1.1\r\nHost: x\r\n\r\n")
            s.recv(10)
            s.close()
        self.alive()
        nthreads = len(os.listdir("/proc/%d/task" % self.d.proc.pid))
        self.assertLess(nthreads, 10)


class Clients(EngineTestCase):
    def test_engine_version_and_info(self):
        out = self.assertOk(self.d.engine("version"))
        self.assertIn("API version:      1.44 (minimum version 1.24)", out)
        out = self.assertOk(self.d.engine("info"))
        self.assertIn("Kernel Version: " + platform.release(), out)
        self.assertIn("Storage Driver: overlay2", out)

    def test_engine_format(self):
        out = self.assertOk(self.d.engine("version", "--format", "{{.Server.ApiVersion}}"))
        self.assertEqual(out.strip(), "1.44")
        out = self.assertOk(self.d.engine("info", "--format", "{{.KernelVersion}}"))
        self.assertEqual(out.strip(), platform.release())
        p = self.d.engine("info", "--format", "{{.Nope")
        self.assertEqual(p.returncode, 125)
        self.assertIn(b"template parsing error", p.stderr)

    def test_docker_cli(self):
        out = self.assertOk(self.d.docker("version"))
        self.assertIn("Server: engine", out)
        out = self.assertOk(self.d.docker("info", "--format", "{{.KernelVersion}}"))
        self.assertEqual(out.strip(), platform.release())

    def test_curl(self):
        p = self.d.curl("http://localhost/v1.44/_ping")
        self.assertEqual(p.stdout, b"OK")

    def test_python_sdk(self):
        code = ("import docker,sys; c=docker.DockerClient(base_url='unix://%s'); "
                "print(c.version()['ApiVersion']); print(c.info()['Driver']); print(c.ping())" % self.d.sock)
        p = subprocess.run(["/usr/bin/python3", "-c", code], capture_output=True, timeout=60)
        self.assertEqual(p.stdout.decode().split(), ["1.44", "overlay2", "True"], p.stderr)

    def test_cannot_connect(self):
        p = subprocess.run([__import__("harness").ENGINE, "-H", "unix:///nonexistent/engine.sock", "info"],
                           capture_output=True)
        self.assertNotEqual(p.returncode, 0)
        self.assertIn(b"unix:///nonexistent/engine.sock", p.stderr)
        self.assertEqual(len(p.stderr.decode().strip().splitlines()), 1, p.stderr)


class Lifecycle(unittest.TestCase):
    def test_refuses_second_daemon(self):
        a = Engined().start()
        try:
            b = Engined(tmp=tempfile.mkdtemp(prefix="engine-it-"))
            # Same data root, other socket.
            b.data = a.data
            p = subprocess.run(b.args(), capture_output=True, timeout=10)
            self.assertNotEqual(p.returncode, 0)
            self.assertIn(b"already running with data root", p.stderr)
            # Same socket, other data root: the live socket stays.
            b.data = os.path.join(b.dir, "data")
            b.sock = a.sock
            p = subprocess.run(b.args(), capture_output=True, timeout=10)
            self.assertNotEqual(p.returncode, 0)
            self.assertIn(b"in use by another daemon", p.stderr)
            self.assertEqual(a.api("GET", "/_ping").status, 200)
            b.cleanup()
        finally:
            a.cleanup()

    def test_socket_mode_pidfile_and_clean_stop(self):
        d = Engined().start()
        try:
            st = os.stat(d.sock)
            self.assertEqual(stat.S_IMODE(st.st_mode), 0o660)
            with open(d.pidfile) as f:
                self.assertEqual(int(f.read()), d.proc.pid)
            self.assertEqual(d.stop(), 0)
            self.assertFalse(os.path.exists(d.sock))
            self.assertFalse(os.path.exists(d.pidfile))
        finally:
            d.cleanup()

    def test_stale_socket_is_replaced(self):
        d = Engined()
        try:
            s = socket.socket(socket.AF_UNIX)
            s.bind(d.sock)
            s.close()  # a socket file nobody listens on
            d.start()
            self.assertEqual(d.api("GET", "/_ping").status, 200)
        finally:
            d.cleanup()

    def test_unreaped_dead_daemon_does_not_hold_the_pidfile(self):
        d = Engined()
        try:
            # A parent that does not reap: the killed engined stays a zombie.
            code = ("import os, sys, time\n"
                    "pid = os.fork()\n"
                    "if pid == 0:\n    os.execv(sys.argv[1], sys.argv[1:])\n"
                    "print(pid, flush=True)\ntime.sleep(30)\n")
            parent = subprocess.Popen(["/usr/bin/python3", "-c", code] + d.args(),
                                      stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
            pid = int(parent.stdout.readline())
            deadline = time.time() + 10
            while not os.path.exists(d.pidfile) and time.time() < deadline:
                time.sleep(0.02)
            os.kill(pid, signal.SIGKILL)
            time.sleep(0.2)
            with open("/proc/%d/stat" % pid) as f:
                self.assertIn(") Z", f.read())
            os.unlink(d.sock)  # a stale socket file, as a crash leaves it
            d.start()
            self.assertEqual(d.api("GET", "/_ping").status, 200)
            parent.kill()
            parent.wait()
        finally:
            d.cleanup()

    def test_bad_config_refuses_start(self):
        d = Engined(config={"bogus-key": 1})
        try:
            p = subprocess.run(d.args(), capture_output=True, timeout=10)
            self.assertNotEqual(p.returncode, 0)
            self.assertIn(b"don't match any configuration option: bogus-key", p.stderr)
        finally:
            d.cleanup()

    def test_flag_and_file_conflict(self):
        d = Engined(config={"debug": True}, extra_args=["--debug"])
        try:
            p = subprocess.run(d.args(), capture_output=True, timeout=10)
            self.assertNotEqual(p.returncode, 0)
            self.assertIn(b"both as a flag and in the configuration file: debug", p.stderr)
        finally:
            d.cleanup()

    def test_id_stable_across_restart(self):
        d = Engined().start()
        try:
            first = d.api("GET", "/info").json()["ID"]
            d.stop()
            d.start()
            self.assertEqual(d.api("GET", "/info").json()["ID"], first)
        finally:
            d.cleanup()

    def test_version_flag(self):
        p = subprocess.run([ENGINED, "--version"], capture_output=True)
        self.assertEqual(p.returncode, 0)
        self.assertIn(b"engined version", p.stdout)
        p = subprocess.run([ENGINED, "--no-such-flag"], capture_output=True)
        self.assertNotEqual(p.returncode, 0)


class ReloadAndEvents(unittest.TestCase):
    def test_sighup_reload_event_via_docker_cli(self):
        d = Engined().start()
        try:
            start = time.time()
            d.write_config({"debug": True, "labels": ["team=core"]})
            d.signal(signal.SIGHUP)
            deadline = time.time() + 5
            while time.time() < deadline and not d.api("GET", "/info").json()["Debug"]:
                time.sleep(0.02)
            self.assertTrue(d.api("GET", "/info").json()["Debug"])
            self.assertEqual(d.api("GET", "/info").json()["Labels"], ["team=core"])
            # A bad file keeps the running configuration.
            d.write_config("{not json")
            d.signal(signal.SIGHUP)
            time.sleep(0.3)
            self.assertTrue(d.api("GET", "/info").json()["Debug"])
            self.assertIn("reload failed", d.read_log())
            p = d.docker("system", "events", "--since", "%.3f" % (start - 1), "--until", "%.3f" % time.time(),
                         "--filter", "type=daemon", "--format", "{{json .}}")
            self.assertEqual(p.returncode, 0, p.stderr)
            evs = [json.loads(l) for l in p.stdout.decode().splitlines()]
            self.assertEqual(len(evs), 1, evs)
            self.assertEqual(evs[0]["Type"], "daemon")
            self.assertEqual(evs[0]["Action"], "reload")
            self.assertEqual(evs[0]["Actor"]["Attributes"]["debug"], "true")
            # The engine CLI reads the same events, with its own default line.
            p = d.engine("system", "events", "--since", "%.3f" % (start - 1), "--until", "%.3f" % time.time(),
                         "--filter", "type=daemon")
            self.assertEqual(p.returncode, 0, p.stderr)
            line = p.stdout.decode().strip()
            self.assertRegex(line, r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{9}(Z|[+-]\d\d:\d\d) daemon reload \S+ \(.*debug=true")
            p = d.engine("events", "--since", "10m", "--until", "%.3f" % time.time(), "--format", "{{json .}}",
                         "--filter", "event=reload")
            self.assertEqual(json.loads(p.stdout)["Action"], "reload")
            self.assertNotEqual(d.engine("events", "--since", "bogus").returncode, 0)
            # The ring survives a restart.
            d.stop()
            d.write_config({})
            d.start()
            p = d.docker("events", "--since", "%.3f" % (start - 1), "--until", "%.3f" % time.time(),
                         "--filter", "event=reload", "--format", "{{.Action}}")
            self.assertEqual(p.stdout.decode().split(), ["reload"])
        finally:
            d.cleanup()

    def test_follow_streams_new_events(self):
        d = Engined().start()
        try:
            conn = __import__("harness").UnixHTTPConnection(d.sock, timeout=10)
            conn.request("GET", "/v1.44/events?filters=" + __import__("urllib.parse").parse.quote('{"type":{"daemon":true}}'))
            r = conn.getresponse()
            self.assertEqual(r.status, 200)
            d.signal(signal.SIGHUP)
            line = r.fp.readline()  # chunk size
            body = r.fp.readline()
            self.assertEqual(json.loads(body)["Action"], "reload", (line, body))
            conn.close()
        finally:
            d.cleanup()


class SystemdIntegration(unittest.TestCase):
    def test_socket_activation_and_notify(self):
        d = Engined()
        try:
            notify_path = os.path.join(d.dir, "notify.sock")
            n = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
            n.bind(notify_path)
            n.settimeout(10)
            # systemd-socket-activate creates the socket and hands it over as
            # fd 3 with LISTEN_FDS/LISTEN_PID, as systemd does.
            args = d.args()
            args[args.index("-H") + 1] = "fd://"
            env = dict(os.environ, NOTIFY_SOCKET=notify_path)
            d.log = open(d.log_path, "ab")
            d.proc = subprocess.Popen(["systemd-socket-activate", "-E", "NOTIFY_SOCKET", "-l", d.sock] + args, env=env,
                                      stdout=d.log, stderr=d.log)
            # The daemon starts on the first connection, as with systemd
            # (the socket may exist a moment before it listens).
            deadline = time.time() + 5
            while True:
                try:
                    self.assertEqual(d.api("GET", "/_ping").status, 200)
                    break
                except OSError:
                    if time.time() > deadline:
                        raise
                    time.sleep(0.02)
            self.assertIn(b"READY=1", n.recv(4096))
            d.signal(signal.SIGHUP)
            self.assertIn(b"RELOADING=1", n.recv(4096))
            self.assertIn(b"READY=1", n.recv(4096))
            d.signal(signal.SIGTERM)
            self.assertIn(b"STOPPING=1", n.recv(4096))
            self.assertEqual(d.proc.wait(10), 0)
            n.close()
        finally:
            d.cleanup()

    def test_units_verify(self):
        root = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "systemd")
        units = [os.path.join(root, u) for u in ("engine.service", "engine.socket")]
        for u in units:
            self.assertTrue(os.path.exists(u), u)
        if not os.path.exists("/usr/bin/systemd-analyze"):
            self.skipTest("systemd-analyze is not installed")
        tmp = tempfile.mkdtemp(prefix="engine-units-")
        try:
            # Point ExecStart at the built binary so verify can find it.
            for u in units:
                text = open(u).read().replace("/usr/sbin/engined", ENGINED if os.path.isabs(ENGINED) else os.path.abspath(ENGINED))
                with open(os.path.join(tmp, os.path.basename(u)), "w") as f:
                    f.write(text)
            p = subprocess.run(["systemd-analyze", "verify", "--man=no"] +
                               [os.path.join(tmp, os.path.basename(u)) for u in units],
                               capture_output=True, timeout=60)
            errors = [l for l in p.stderr.decode().splitlines()
                      if "engine." in l and "Failed to" not in l.split(":", 1)[0]]
            self.assertEqual(p.returncode, 0, p.stderr.decode())
        finally:
            __import__("shutil").rmtree(tmp)


if __name__ == "__main__":
    main()
