"""harness.py: a private engined for one integration suite.

Each suite starts its own engined on a temporary socket, data root and exec
root, talks to it through raw HTTP, the `engine` CLI, curl and the real docker
CLI, and on the way out stops every process it started (by PID), unmounts what
is mounted below its directory, removes its cgroups and deletes the directory.
"""
import contextlib
import glob
import http.client
import ipaddress
import json
import os
import random
import shutil
import signal
import socket
import subprocess
import tempfile
import time
import unittest

ENGINED = os.environ.get("ENGINED_BIN", "build/daemon/engined")
ENGINE = os.environ.get("ENGINE_BIN", "build/client/engine")
SHIM = os.environ.get("ENGINE_SHIM_BIN", "")
DOCKER = os.environ.get("DOCKER_BIN", "/usr/local/bin/docker")
IMAGES = os.environ.get("ENGINE_TEST_IMAGES", os.path.join(
    os.path.dirname(os.path.abspath(__file__)), "..", "..", "..", "shared", "images"))


class UnixHTTPConnection(http.client.HTTPConnection):
    """http.client over an AF_UNIX socket."""

    def __init__(self, path, timeout=30):
        super().__init__("localhost", timeout=timeout)
        self.path_ = path

    def connect(self):
        s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        s.settimeout(self.timeout)
        s.connect(self.path_)
        self.sock = s


class Response:
    def __init__(self, status, headers, body):
        self.status = status
        self.headers = headers
        self.body = body

    def json(self):
        return json.loads(self.body)

    def __repr__(self):
        return "<Response %d %r>" % (self.status, self.body[:200])


class Engined:
    """One engined process with its own directories."""

    def __init__(self, config=None, extra_args=(), tmp=None):
        self.dir = tmp or tempfile.mkdtemp(prefix="engine-it-")
        self.sock = os.path.join(self.dir, "engine.sock")
        self.data = os.path.join(self.dir, "data")
        self.exec_root = os.path.join(self.dir, "exec")
        self.pidfile = os.path.join(self.dir, "engined.pid")
        self.config_file = os.path.join(self.dir, "daemon.json")
        self.log_path = os.path.join(self.dir, "engined.log")
        self.extra_args = list(extra_args)
        self.proc = None
        # Containers' cgroups go under a parent named after this test's
        # directory, so cleanup finds exactly ours.
        self.cgroup_parent = os.path.basename(self.dir)
        # Its own bridge and addresses, so that tests never meet each other
        # or a real engined on the machine (see reserve_net).
        self.net_octet = reserve_net()
        self.bridge = "et%08x" % random.getrandbits(32)
        cfg = dict(config) if isinstance(config, dict) else config
        if cfg is None:
            cfg = {}
        if isinstance(cfg, dict):
            cfg.setdefault("cgroup-parent", self.cgroup_parent)
        self.write_config(cfg)

    # -- lifecycle -----------------------------------------------------
    def net_defaults(self):
        """The daemon.json keys that keep this engined's networks to itself."""
        x = self.net_octet
        return {"bridge": self.bridge, "bip": "10.%d.0.1/24" % x,
                "default-address-pools": [{"base": "10.%d.128.0/17" % x, "size": 24}]}

    def write_config(self, config):
        if isinstance(config, dict):
            config = dict(config)
            for k, v in self.net_defaults().items():
                config.setdefault(k, v)
        with open(self.config_file, "w") as f:
            if isinstance(config, str):
                f.write(config)
            else:
                json.dump(config, f)

    def args(self):
        return [ENGINED, "-H", "unix://" + self.sock, "--data-root", self.data,
                "--exec-root", self.exec_root, "--pidfile", self.pidfile,
                "--config-file", self.config_file] + self.extra_args

    def start(self, wait=True, env=None, pass_fds=()):
        self.log = open(self.log_path, "ab")
        self.proc = subprocess.Popen(self.args(), stdout=self.log, stderr=self.log,
                                     env=env, pass_fds=pass_fds)
        if wait:
            self.wait_ready()
        return self

    def wait_ready(self, timeout=10):
        deadline = time.time() + timeout
        while time.time() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError("engined exited with %s:\n%s" % (self.proc.returncode, self.read_log()))
            try:
                if self.api("GET", "/_ping").status == 200:
                    return
            except OSError:
                pass
            time.sleep(0.02)
        raise RuntimeError("engined did not answer within %ss:\n%s" % (timeout, self.read_log()))

    def read_log(self):
        try:
            with open(self.log_path, "rb") as f:
                return f.read().decode(errors="replace")
        except OSError:
            return ""

    def signal(self, sig):
        os.kill(self.proc.pid, sig)

    def stop(self, timeout=20):
        """SIGTERM, then SIGKILL; returns the exit status."""
        if self.proc and self.proc.poll() is not None and self.proc.returncode not in (0, -9):
            # It died before we stopped it: show why.
            import sys
            sys.stderr.write("engined exited with %s; its log:\n%s\n" % (self.proc.returncode, self.read_log()[-20000:]))
        if not self.proc or self.proc.poll() is not None:
            return self.proc.returncode if self.proc else None
        self.proc.send_signal(signal.SIGTERM)
        try:
            return self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            return self.proc.wait()

    def kill9(self):
        self.proc.kill()
        self.proc.wait()

    def cleanup(self):
        self.stop()
        if getattr(self, "log", None):
            self.log.close()
        kill_pids_under(self.exec_root)
        unmount_under(self.dir)
        remove_networks(self.data, self.bridge)
        remove_cgroups(os.path.basename(self.dir))
        shutil.rmtree(self.dir, ignore_errors=True)
        release_net(self.net_octet)

    # -- clients -------------------------------------------------------
    def api(self, method, path, body=None, headers=None, timeout=30):
        conn = UnixHTTPConnection(self.sock, timeout=timeout)
        try:
            if isinstance(body, (dict, list)):
                body = json.dumps(body)
                headers = dict(headers or {}, **{"Content-Type": "application/json"})
            conn.request(method, path, body=body, headers=headers or {})
            r = conn.getresponse()
            return Response(r.status, dict(r.getheaders()), r.read())
        finally:
            conn.close()

    def raw(self, data, timeout=10):
        """Sends raw bytes, returns everything read until the server closes."""
        s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        s.settimeout(timeout)
        s.connect(self.sock)
        try:
            try:
                s.sendall(data)
                s.shutdown(socket.SHUT_WR)
            except (BrokenPipeError, ConnectionResetError):
                pass  # the server answered and closed before reading it all
            out = b""
            while True:
                try:
                    chunk = s.recv(65536)
                except (ConnectionResetError, socket.timeout):
                    break
                if not chunk:
                    break
                out += chunk
            return out
        finally:
            s.close()

    def env(self):
        e = dict(os.environ)
        e["DOCKER_HOST"] = "unix://" + self.sock
        e.pop("ENGINE_HOST", None)
        e["DOCKER_CONFIG"] = os.path.join(self.dir, "docker-config")
        e["DOCKER_BUILDKIT"] = "0"
        return e

    def engine(self, *args, input=None, timeout=60, check=False):
        return subprocess.run([ENGINE, "-H", "unix://" + self.sock] + list(args), input=input,
                              capture_output=True, timeout=timeout, check=check, env=self.env())

    def load_busybox(self):
        """Loads the real busybox image and tags it busybox:latest."""
        p = self.docker("load", "-i", os.path.join(IMAGES, "busybox-1.38.0-musl.docker.tar"))
        assert p.returncode == 0, p.stderr
        p = self.docker("tag", "busybox:1.38.0-musl", "busybox:latest")
        assert p.returncode == 0, p.stderr

    def docker(self, *args, input=None, timeout=60, check=False):
        return subprocess.run([DOCKER] + list(args), input=input, capture_output=True,
                              timeout=timeout, check=check, env=self.env())

    def curl(self, *args, timeout=30):
        return subprocess.run(["curl", "-sS", "--unix-socket", self.sock] + list(args),
                              capture_output=True, timeout=timeout)


def kill_pids_under(root):
    """Kills every process whose pid file lives below root (shims, containers)."""
    if not os.path.isdir(root):
        return
    for dirpath, _, files in os.walk(root):
        for f in files:
            if not f.endswith(".pid") and f != "pid":
                continue
            try:
                with open(os.path.join(dirpath, f)) as fh:
                    pid = int(fh.read().strip() or "0")
                if pid > 1:
                    os.kill(pid, signal.SIGKILL)
            except (OSError, ValueError):
                pass


NET_MARKERS = "/run/engine-it-nets"


def host_routes():
    """The IPv4 destinations of the main routing table."""
    nets = []
    with open("/proc/net/route") as f:
        next(f)
        for line in f:
            p = line.split()
            dst, mask = int(p[1], 16), int(p[7], 16)
            if mask == 0:
                continue
            a = ipaddress.IPv4Address(dst.to_bytes(4, "little"))
            m = bin(mask).count("1")
            nets.append(ipaddress.ip_network("%s/%d" % (a, m), strict=False))
    return nets


def reserve_net():
    """A second octet X such that 10.X.0.0/16 meets no route of this machine,
    reserved for this process with a marker file (taken over when the
    process that left it is gone)."""
    os.makedirs(NET_MARKERS, exist_ok=True)
    routes = host_routes()
    for _ in range(1000):
        x = random.randint(64, 254)
        net = ipaddress.ip_network("10.%d.0.0/16" % x)
        if any(net.overlaps(r) for r in routes):
            continue
        marker = os.path.join(NET_MARKERS, str(x))
        try:
            fd = os.open(marker, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o644)
        except FileExistsError:
            try:
                with open(marker) as f:
                    os.kill(int(f.read().strip() or "0"), 0)
                continue
            except (OSError, ValueError):
                os.unlink(marker)
                continue
        os.write(fd, str(os.getpid()).encode())
        os.close(fd)
        return x
    raise RuntimeError("no free 10.X.0.0/16 for a test network")


def release_net(x):
    with contextlib.suppress(OSError):
        os.unlink(os.path.join(NET_MARKERS, str(x)))


def nft_table(bridge):
    return "engine_" + "".join(c if c.isalnum() else "_" for c in bridge)


def remove_networks(data_root, default_bridge):
    """Deletes the bridges and nftables tables of every network engined
    recorded (they outlive it, as docker0 outlives dockerd)."""
    bridges = {default_bridge}
    for path in glob.glob(os.path.join(data_root, "networks", "*.json")):
        with contextlib.suppress(OSError, ValueError):
            with open(path) as f:
                b = json.load(f).get("Engine", {}).get("Bridge")
            if b:
                bridges.add(b)
    for b in bridges:
        subprocess.run(["ip", "link", "del", b], capture_output=True)
        subprocess.run(["nft", "delete", "table", "ip", nft_table(b)], capture_output=True)


def unmount_under(root):
    root = os.path.realpath(root)
    for _ in range(3):
        with open("/proc/self/mounts") as f:
            points = [l.split()[1].replace("\\040", " ") for l in f]
        mine = sorted({p for p in points if p == root or p.startswith(root + "/")},
                      key=len, reverse=True)
        if not mine:
            return
        for p in mine:
            subprocess.run(["umount", "-l", p], capture_output=True)


def remove_cgroups(tag):
    """Removes cgroups whose path contains tag (tests name their cgroup parent after their dir)."""
    base = "/sys/fs/cgroup"
    if not tag:
        return
    for dirpath, dirnames, _ in os.walk(base, topdown=False):
        if tag in dirpath:
            with contextlib.suppress(OSError):
                os.rmdir(dirpath)


class EngineTestCase(unittest.TestCase):
    """A test case with one engined for the whole class."""
    config = None
    extra_args = ()

    @classmethod
    def setUpClass(cls):
        cls.d = Engined(config=cls.config, extra_args=cls.extra_args)
        try:
            cls.d.start()
        except Exception:
            cls.d.cleanup()
            raise

    @classmethod
    def tearDownClass(cls):
        cls.d.cleanup()

    def assertOk(self, proc, msg=None):
        self.assertEqual(proc.returncode, 0, msg or (proc.stdout.decode(errors="replace") +
                                                     proc.stderr.decode(errors="replace")))
        return proc.stdout.decode()


class SanitizedEngineTestCase(EngineTestCase):
    """One engined per class, busybox loaded, whose sanitizer reports (ASan
    and UBSan builds of engined and of the shims write them into a folder of
    the test's) fail the class, as does any container left behind.
    Subclasses may name more leftovers in leftovers()."""

    @classmethod
    def setUpClass(cls):
        cls.d = Engined()
        cls.d.write_config({"cgroup-parent": os.path.basename(cls.d.dir)})
        cls.sanlog = os.path.join(cls.d.dir, "sanitizers")
        os.makedirs(cls.sanlog)
        env = dict(os.environ)
        env["ASAN_OPTIONS"] = env.get("ASAN_OPTIONS", "") + ":log_path=%s/asan" % cls.sanlog
        env["UBSAN_OPTIONS"] = env.get("UBSAN_OPTIONS", "") + ":log_path=%s/ubsan" % cls.sanlog
        cls.env = env
        try:
            cls.d.start(env=env)
            cls.d.load_busybox()
        except BaseException:
            cls.d.cleanup()
            raise

    @classmethod
    def leftovers(cls):
        """{what: [items]} that must be empty once the class is done."""
        return {"containers": cls.d.docker("ps", "-aq").stdout.decode().split()}

    @classmethod
    def tearDownClass(cls):
        try:
            left = cls.leftovers()
            rc = cls.d.stop()
            log = cls.d.read_log()
            for f in os.listdir(cls.sanlog):
                with open(os.path.join(cls.sanlog, f), errors="replace") as fh:
                    log += "Sanitizer report %s:\n%s" % (f, fh.read())
        finally:
            cls.d.cleanup()
        assert rc == 0 and "Sanitizer" not in log, "engined: exit %s\n%s" % (rc, log[-4000:])
        for what, items in left.items():
            assert not items, "%s left behind: %s" % (what, items)


def main():
    unittest.main(verbosity=2)
