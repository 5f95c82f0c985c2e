"""Integration tests of the runtime and engine-shim: real namespaces,
cgroups, overlayfs, pivot_root, capabilities and seccomp, on a busybox-static
rootfs, driven through shim_client (the shimctl tool). Every test checks that
nothing is left behind: no overlay mounts, no cgroups, no processes.

Needs root. Environment: ENGINE_SHIM, ENGINE_INIT, SHIMCTL (set by meson)."""
import json
import os
import shutil
import signal
import socket
import struct
import subprocess
import sys
import tempfile
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import rtbundle  # noqa: E402

SHIM = os.environ.get("ENGINE_SHIM", "engine-shim")
INIT = os.environ.get("ENGINE_INIT", "engine-init")
SHIMCTL = os.environ.get("SHIMCTL", "shimctl")
CG_ROOT = "/sys/fs/cgroup"
CG_V2 = os.path.exists(os.path.join(CG_ROOT, "cgroup.controllers"))


def cgroup_dir(controller, path):
    if CG_V2:
        return os.path.join(CG_ROOT, path)
    return os.path.join(CG_ROOT, controller, path)


def cgroup_hierarchies():
    if CG_V2:
        return [CG_ROOT]
    out = []
    for name in os.listdir(CG_ROOT):
        p = os.path.join(CG_ROOT, name)
        if os.path.isdir(p) and not os.path.islink(p) and os.path.exists(os.path.join(p, "cgroup.procs")):
            out.append(p)
    return out


def alive(pid):
    try:
        with open("/proc/%d/stat" % pid) as f:
            return f.read().split(")")[-1].split()[0] != "Z"
    except FileNotFoundError:
        return False


def wait_gone(pid, timeout=5.0):
    end = time.time() + timeout
    while alive(pid) and time.time() < end:
        time.sleep(0.01)
    return not alive(pid)


class RuntimeTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        if os.geteuid() != 0:
            raise unittest.SkipTest("needs root")
        cls.tmp = tempfile.mkdtemp(prefix="rt-test-")
        cls.lower = os.path.join(cls.tmp, "lower")
        rtbundle.make_lower(cls.lower)
        cls.cache = os.path.join(cls.tmp, "cache")
        # Sanitizer builds: reports of the detached shims land here, and fail the test.
        cls.sanlog = os.path.join(cls.tmp, "sanitizers")
        os.makedirs(cls.sanlog)
        os.environ["ASAN_OPTIONS"] = "log_path=%s/asan" % cls.sanlog
        os.environ["UBSAN_OPTIONS"] = "log_path=%s/ubsan:print_stacktrace=1" % cls.sanlog
        cls.cg_parent = "engine-test-%d" % os.getpid()
        cls.shim_cg = cls.cg_parent + "/shim"
        cls.n = 0

    @classmethod
    def tearDownClass(cls):
        for h in cgroup_hierarchies():
            for rel in (cls.shim_cg, cls.cg_parent):
                try:
                    os.rmdir(os.path.join(h, rel))
                except FileNotFoundError:
                    pass
        if not os.environ.get("KEEP_TMP"):
            shutil.rmtree(cls.tmp, ignore_errors=True)

    def setUp(self):
        self.pids = []
        self.ids = []

    def tearDown(self):
        try:  # shims are born children of shimctl's parent, us: reap them
            while os.waitpid(-1, os.WNOHANG)[0] > 0:
                pass
        except ChildProcessError:
            pass
        for pid in self.pids:
            if alive(pid):
                os.kill(pid, signal.SIGKILL)
            self.assertTrue(wait_gone(pid), "process %d left behind" % pid)
        with open("/proc/self/mounts") as f:
            mounts = f.read()
        self.assertNotIn(self.tmp, mounts, "a mount was left on the host")
        for name in os.listdir(self.sanlog):
            with open(os.path.join(self.sanlog, name)) as f:
                report = f.read()
            os.unlink(os.path.join(self.sanlog, name))
            self.fail("sanitizer report from %s:\n%s" % (name, report[:4000]))
        for cid in self.ids:
            for h in cgroup_hierarchies():
                self.assertFalse(os.path.exists(os.path.join(h, self.cg_parent, cid)),
                                 "cgroup %s left in %s" % (cid, h))

    # -- helpers -----------------------------------------------------------

    def container(self, args, mutate=None, lowers=None):
        """A bundle for a new container; returns (id, paths)."""
        RuntimeTest.n += 1
        cid = "c%d" % RuntimeTest.n
        d = os.path.join(self.tmp, cid)
        paths = {"bundle": os.path.join(d, "bundle"), "state": os.path.join(d, "state"),
                 "log": os.path.join(d, "log.json")}
        cfg = rtbundle.default_config(args, hostname=cid)
        if mutate:
            mutate(cfg)
        rtbundle.write_bundle(paths["bundle"], cfg, lowers or [self.lower],
                              os.path.join(d, "upper"), os.path.join(d, "work"))
        self.ids.append(cid)
        return cid, paths

    def shim_args(self, cid, p, extra=()):
        return ["--shim", SHIM, "--id", cid, "--bundle", p["bundle"], "--state", p["state"],
                "--log", p["log"], "--cgroup-parent", self.cg_parent, "--shim-cgroup", self.shim_cg,
                "--init", INIT, "--cache", self.cache] + list(extra)

    def run_container(self, args, mutate=None, extra=(), lowers=None):
        """Runs to the end; returns (exit file dict, stdout log text, stderr log text, rc)."""
        cid, p = self.container(args, mutate, lowers)
        r = subprocess.run([SHIMCTL, "run"] + self.shim_args(cid, p, extra),
                           capture_output=True, text=True, timeout=60)
        lines = r.stdout.splitlines()
        if lines and lines[0].startswith("{\"pid\""):
            st = json.loads(lines[0])
            self.pids += [st["pid"], st["shim_pid"]]
            self.assertTrue(wait_gone(st["shim_pid"]), "shim did not exit")
        out, err = self.read_log(p["log"])
        with open(os.path.join(p["state"], "exit")) as f:
            ex = json.load(f)
        return ex, out, err, r

    def spawn(self, args, mutate=None, extra=()):
        cid, p = self.container(args, mutate)
        r = subprocess.run([SHIMCTL, "spawn"] + self.shim_args(cid, p, extra),
                           capture_output=True, text=True, timeout=60)
        self.assertEqual(r.returncode, 0, r.stderr)
        st = json.loads(r.stdout.splitlines()[0])
        self.pids += [st["pid"], st["shim_pid"]]
        return cid, p, st

    def ctl(self, state, *args, check=True):
        r = subprocess.run([SHIMCTL] + list(args[:1]) + [state] + list(args[1:]),
                           capture_output=True, text=True, timeout=30)
        if check:
            self.assertEqual(r.returncode, 0, r.stderr)
        return r

    def wait(self, p):
        return json.loads(self.ctl(p["state"], "wait").stdout)

    @staticmethod
    def read_log(path, raw=False):
        entries = []
        with open(path) as f:
            for line in f:
                entries.append(json.loads(line))
        if raw:
            return entries
        out = "".join(e["log"] for e in entries if e["stream"] == "stdout")
        err = "".join(e["log"] for e in entries if e["stream"] == "stderr")
        return out, err

    # -- the container's view ----------------------------------------------

    def test_isolation_and_identity(self):
        script = ("echo pid=$$; hostname; cat /marker; ls /proc | grep -c '^[0-9]'; "
                  "grep -E '^(CapEff|CapBnd|Seccomp|NoNewPrivs):' /proc/self/status; "
                  "grep -E '^Sig(Blk|Ign):' /proc/self/status; "
                  "id; echo home=$HOME; ls /dev; ip -o link | wc -l; exit 3")
        ex, out, err, r = self.run_container(["/bin/sh", "-c", script])
        self.assertEqual(ex["exit_code"], 3, err)
        self.assertEqual(r.returncode, 3)
        lines = out.splitlines()
        self.assertEqual(lines[0], "pid=1")
        self.assertEqual(lines[1], "c%d" % RuntimeTest.n)
        self.assertEqual(lines[2], "image-marker")
        self.assertLessEqual(int(lines[3]), 4, "host processes visible: %s" % out)
        self.assertIn("CapEff:\t00000000a80425fb", out)
        self.assertIn("CapBnd:\t00000000a80425fb", out)
        self.assertIn("Seccomp:\t2", out)
        self.assertIn("NoNewPrivs:\t0", out)
        self.assertIn("SigBlk:\t0000000000000000", out)  # nothing of the shim's signal state
        self.assertIn("SigIgn:\t0000000000000000", out)
        self.assertIn("uid=0(root) gid=0(root)", out)
        self.assertIn("home=/root", out)
        for dev in ("null", "zero", "full", "random", "urandom", "tty", "ptmx", "pts", "shm", "mqueue"):
            self.assertIn(dev, out.split())
        self.assertEqual(lines[-1], "1", "only lo in a new network namespace")

    def test_no_new_privileges_and_readonly_root(self):
        def m(c):
            c["process"]["noNewPrivileges"] = True
            c["root"]["readonly"] = True
        ex, out, err, _ = self.run_container(
            ["/bin/sh", "-c", "grep NoNewPrivs /proc/self/status; touch /x || echo ro-ok; "
                              "touch /dev/shm/x && echo shm-ok"], m)
        self.assertIn("NoNewPrivs:\t1", out)
        self.assertIn("ro-ok", out)
        self.assertIn("shm-ok", out)

    def test_masked_and_readonly_paths(self):
        ex, out, err, _ = self.run_container(
            ["/bin/sh", "-c", "wc -c < /proc/keys; ls /sys/firmware | wc -l; "
                              "echo 1 > /proc/sys/kernel/domainname || echo sys-ro; "
                              "echo x > /proc/sysrq-trigger || echo sysrq-ro; "
                              "mount -t tmpfs t /mnt 2>/dev/null || echo no-mount"])
        lines = out.splitlines()
        self.assertEqual(lines[0], "0")
        self.assertEqual(lines[1], "0")
        self.assertIn("sys-ro", out)
        self.assertIn("sysrq-ro", out)
        self.assertIn("no-mount", out)

    def test_seccomp_profiles(self):
        # Docker's default denies unshare without CAP_SYS_ADMIN; unconfined does not filter.
        ex, out, _, _ = self.run_container(["/bin/sh", "-c", "unshare -U true 2>&1; echo rc=$?"])
        self.assertIn("Operation not permitted", out)
        ex, out, _, _ = self.run_container(
            ["/bin/sh", "-c", "grep Seccomp: /proc/self/status"],
            lambda c: c["annotations"].update({"org.engine.seccomp": "unconfined"}))
        self.assertIn("Seccomp:\t0", out)
        # A profile in linux.seccomp, Docker's file format: deny mkdir with EACCES.
        profile = {"defaultAction": "SCMP_ACT_ALLOW",
                   "syscalls": [{"names": ["mkdir", "mkdirat"], "action": "SCMP_ACT_ERRNO",
                                 "errnoRet": 13}]}
        ex, out, err, _ = self.run_container(
            ["/bin/sh", "-c", "mkdir /tmp/d 2>&1; echo rc=$?"],
            lambda c: c["linux"].update({"seccomp": profile}))
        self.assertIn("Permission denied", out)

    def test_user_and_groups(self):
        ex, out, _, _ = self.run_container(
            ["/bin/sh", "-c", "id; echo home=$HOME; grep CapEff /proc/self/status"],
            lambda c: c["annotations"].update({"org.engine.user": "user"}))
        self.assertIn("uid=1000(user) gid=1000(user) groups=2000(extra)", out)
        self.assertIn("home=/home/user", out)
        self.assertIn("CapEff:\t0000000000000000", out)
        ex, out, _, _ = self.run_container(
            ["/bin/sh", "-c", "id"], lambda c: c["annotations"].update({"org.engine.user": "4242:nogroup"}))
        self.assertIn("uid=4242 gid=65534(nogroup)", out)
        ex, out, err, r = self.run_container(
            ["/bin/true"], lambda c: c["annotations"].update({"org.engine.user": "nosuch"}))
        self.assertIn("unable to find user nosuch: no matching entries in passwd file", r.stderr)

    # -- start failures ----------------------------------------------------

    def test_exit_127_missing_binary(self):
        ex, out, err, r = self.run_container(["foo"])
        self.assertEqual(r.returncode, 127)
        self.assertIn('exec: "foo": executable file not found in $PATH', r.stderr)
        self.assertEqual(ex["exit_code"], 127)
        self.assertIn("executable file not found", ex["error"])

    def test_exit_126_not_executable(self):
        ex, out, err, r = self.run_container(["/etc/notexec"])
        self.assertEqual(r.returncode, 126)
        self.assertIn('exec: "/etc/notexec": permission denied', r.stderr)
        ex, out, err, r = self.run_container(["/bin"])
        self.assertEqual(r.returncode, 126)

    def test_cgroup_failure_cleans_up(self):
        # The cgroup is made while the child mounts its root: a limit the kernel
        # refuses must stop the child and leave nothing behind (checked in tearDown).
        ex, out, err, r = self.run_container(
            ["/bin/true"], lambda c: c["linux"]["resources"]["cpu"].update({"cpus": "4000-4001"}))
        self.assertEqual(r.returncode, 128, r.stderr)
        self.assertIn("cpuset.cpus", r.stderr)
        self.assertEqual(ex["exit_code"], 128)

    def test_child_error_wins_over_cgroup_error(self):
        # The child fails (a lower dir is missing) while the parent makes its
        # cgroup: the child's reason is the one reported.
        ex, out, err, r = self.run_container(["/bin/true"], lowers=["/nonexistent-layer-dir"])
        self.assertEqual(r.returncode, 128, r.stderr)
        self.assertIn("mount the overlay rootfs", r.stderr)

    # -- resources ---------------------------------------------------------

    def test_limits_visible_on_host(self):
        cid, p, st = self.spawn(["/bin/sleep", "60"])
        rel = "%s/%s" % (self.cg_parent, cid)
        if CG_V2:
            with open(cgroup_dir("memory", rel) + "/memory.max") as f:
                self.assertEqual(f.read().strip(), "67108864")
            with open(cgroup_dir("pids", rel) + "/pids.max") as f:
                self.assertEqual(f.read().strip(), "100")
            with open(cgroup_dir("cpu", rel) + "/cpu.max") as f:
                self.assertEqual(f.read().strip(), "50000 100000")
        else:
            with open(cgroup_dir("memory", rel) + "/memory.limit_in_bytes") as f:
                self.assertEqual(f.read().strip(), "67108864")
            with open(cgroup_dir("pids", rel) + "/pids.max") as f:
                self.assertEqual(f.read().strip(), "100")
            with open(cgroup_dir("cpu", rel) + "/cpu.cfs_quota_us") as f:
                self.assertEqual(f.read().strip(), "50000")
            with open(cgroup_dir("cpu", rel) + "/cpu.shares") as f:
                self.assertEqual(f.read().strip(), "512")
        with open(cgroup_dir("pids", rel) + "/cgroup.procs") as f:
            self.assertIn(str(st["pid"]), f.read().split())
        pids = json.loads(self.ctl(p["state"], "pids").stdout)["pids"]
        self.assertEqual(pids, [st["pid"]])
        # The shim leaves the spawner's cgroup once the container settled (10 ms).
        for _ in range(100):
            with open("/proc/%d/cgroup" % st["shim_pid"]) as f:
                cgroups = f.read()
            if self.shim_cg in cgroups:
                break
            time.sleep(0.01)
        self.assertIn(self.shim_cg, cgroups)
        self.ctl(p["state"], "kill", "KILL")
        ex = self.wait(p)
        self.assertEqual(ex["exit_code"], 137)
        self.assertEqual(ex["signal"], 9)
        self.assertTrue(wait_gone(st["shim_pid"]))

    def test_busy_container_still_settles(self):
        # Continuous output keeps the shim's loop busy; it must still leave the
        # spawner's cgroup after 10 ms (and rotation keeps the log small).
        cid, p, st = self.spawn(["/bin/sh", "-c", "while true; do echo flood; done"],
                                extra=["--max-size", "100000", "--max-file", "2"])
        for _ in range(200):
            with open("/proc/%d/cgroup" % st["shim_pid"]) as f:
                if self.shim_cg in f.read():
                    break
            time.sleep(0.01)
        else:
            self.fail("the shim never left the spawner's cgroup")
        self.ctl(p["state"], "kill", "KILL")
        self.assertEqual(self.wait(p)["exit_code"], 137)
        self.assertLess(os.path.getsize(p["log"]), 100000 + 200)

    def test_pids_limit(self):
        ex, out, err, _ = self.run_container(
            ["/bin/sh", "-c", "(i=0; while [ $i -lt 30 ]; do sleep 5 & i=$((i+1)); done); "
                              "set -- /proc/[0-9]*; echo $#"],
            lambda c: c["linux"]["resources"].update({"pids": {"limit": 10}}))
        self.assertIn("can't fork", err)
        self.assertLessEqual(int(out.split()[-1]), 10, out + err)

    def test_oom_killed(self):
        ex, out, err, r = self.run_container(
            ["/bin/sh", "-c", "x=$(head -c 200000000 /dev/zero | tr '\\0' a); echo survived"],
            lambda c: c["linux"]["resources"].update({"memory": {"limit": 16 << 20, "swap": 16 << 20}}))
        self.assertNotIn("survived", out)
        self.assertTrue(ex["oom_killed"], ex)

    def test_oom_event_while_running(self):
        cid, p, st = self.spawn(
            ["/bin/sh", "-c", "sleep 0.3; (x=$(head -c 200000000 /dev/zero | tr '\\0' a)); echo survived"],
            lambda c: c["linux"]["resources"].update({"memory": {"limit": 16 << 20, "swap": 16 << 20}}))
        r = self.ctl(p["state"], "events")  # through shim_events()/shim_event_read()
        events = [json.loads(line) for line in r.stdout.splitlines()]
        self.assertEqual(events[0], {"event": "oom"})
        self.assertEqual(events[-1]["event"], "exit")
        self.assertTrue(events[-1]["oom_killed"])

    def test_pause_resume(self):
        cid, p, st = self.spawn(["/bin/sh", "-c", "while true; do echo tick; sleep 0.05; done"])
        time.sleep(0.2)
        self.ctl(p["state"], "pause")
        status = json.loads(self.ctl(p["state"], "status").stdout)
        self.assertTrue(status["paused"])
        n = len(self.read_log(p["log"], raw=True))
        time.sleep(0.3)
        self.assertEqual(len(self.read_log(p["log"], raw=True)), n, "output while frozen")
        self.ctl(p["state"], "resume")
        time.sleep(0.3)
        self.assertGreater(len(self.read_log(p["log"], raw=True)), n)
        self.ctl(p["state"], "kill", "KILL", "all")
        self.assertEqual(self.wait(p)["exit_code"], 137)

    # -- the shim ----------------------------------------------------------

    def test_survives_death_of_spawner(self):
        cid, p = self.container(["/bin/sleep", "60"])
        # shimctl --hold plays engined: it spawns through shim_client and stays.
        spawner = subprocess.Popen([SHIMCTL, "spawn", "--hold"] + self.shim_args(cid, p),
                                   stdout=subprocess.PIPE, text=True)
        st = json.loads(spawner.stdout.readline())
        self.pids += [st["pid"], st["shim_pid"], spawner.pid]
        with open("/proc/%d/stat" % st["shim_pid"]) as f:
            ppid = int(f.read().split(")")[-1].split()[1])
        self.assertNotEqual(ppid, spawner.pid, "the shim must not be the spawner's child")
        os.kill(spawner.pid, signal.SIGKILL)  # nothing but the spawning process
        spawner.wait()
        spawner.stdout.close()
        time.sleep(0.1)
        self.assertTrue(alive(st["pid"]) and alive(st["shim_pid"]))
        status = json.loads(self.ctl(p["state"], "status").stdout)  # a second client
        self.assertTrue(status["running"])
        self.assertEqual(status["pid"], st["pid"])
        self.ctl(p["state"], "kill", "9")
        ex = self.wait(p)
        self.assertEqual(ex["exit_code"], 137)
        r = self.ctl(p["state"], "kill", "9", check=False)
        self.assertEqual(r.returncode, 3, "a kill after the exit is a conflict")

    def test_restart_in_the_same_state_dir(self):
        # A restart reuses the state dir while the old shim may still be
        # finishing: it must not remove the new shim's socket or exit file.
        cid, p = self.container(["/bin/true"])
        for i in range(30):
            r = subprocess.run([SHIMCTL, "run"] + self.shim_args(cid, p), capture_output=True, text=True,
                               timeout=60)
            self.assertEqual(r.returncode, 0, "run %d: %s" % (i, r.stderr))
            st = json.loads(r.stdout.splitlines()[0])
            self.pids += [st["pid"], st["shim_pid"]]

    def test_json_log_lines_and_partials(self):
        script = ("printf 'a\\tb<&>\\n'; printf 'no-newline'; printf '\\n'; "
                  "head -c 40000 /dev/zero | tr '\\0' x; echo; printf 'tail'; echo e >&2")
        ex, _, _, _ = self.run_container(["/bin/sh", "-c", script])
        entries = self.read_log(self.log_path_of_last(), raw=True)
        logs = [(e["stream"], e["log"]) for e in entries]
        self.assertEqual(logs[0], ("stdout", "a\tb<&>\n"))
        with open(self.log_path_of_last()) as f:
            self.assertIn(r'"log":"a\u0009b\u003c\u0026\u003e\n","stream":"stdout","time":"', f.readline())
        self.assertIn(("stdout", "no-newline\n"), logs)
        big = [e for e in entries if e["log"].startswith("xxx")]
        self.assertEqual([len(e["log"]) for e in big], [16384, 16384, 40000 - 32768 + 1])
        self.assertEqual(len({e["time"] for e in big}), 1, "partials share the first part's time")
        self.assertEqual(logs[-1][1] if logs[-1][0] == "stdout" else logs[-2][1], "tail")
        self.assertIn(("stderr", "e\n"), logs)
        for e in entries:
            self.assertRegex(e["time"], r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d*[1-9])?Z$")

    def log_path_of_last(self):
        return os.path.join(self.tmp, "c%d" % RuntimeTest.n, "log.json")

    def test_log_rotation(self):
        self.run_container(["/bin/sh", "-c", "for i in $(seq 1 200); do echo line-$i; done"],
                           extra=["--max-size", "1000", "--max-file", "3"])
        log = self.log_path_of_last()
        self.assertTrue(os.path.exists(log + ".1") and os.path.exists(log + ".2"))
        self.assertFalse(os.path.exists(log + ".3"))
        for path in (log, log + ".1"):
            self.assertLess(os.path.getsize(path), 1000 + 200)
        last = self.read_log(log, raw=True)[-1]["log"]
        self.assertEqual(last, "line-200\n")

    def test_attach_stdin_and_output(self):
        cid, p, st = self.spawn(["/bin/sh", "-c", "while read l; do echo got-$l; echo e-$l >&2; done; echo bye"],
                                extra=["--stdin"])
        s = socket.socket(socket.AF_UNIX)
        s.connect(os.path.join(p["state"], "ctl.sock"))
        s.sendall(b"attach stdin stdout stderr stdin-once\nhello\n")
        f = s.makefile("rb")
        self.assertEqual(json.loads(f.readline()), {"ok": True})
        got = {1: b"", 2: b""}
        while b"got-hello" not in got[1] or b"e-hello" not in got[2]:
            hdr = f.read(8)
            stream, n = hdr[0], struct.unpack(">I", hdr[4:])[0]
            got[stream] += f.read(n)
        s.shutdown(socket.SHUT_WR)  # stdin-once: closes the container's stdin
        rest = f.read()
        f.close()
        s.close()
        self.assertIn(b"bye", rest)
        self.assertEqual(self.wait(p)["exit_code"], 0)

    def test_control_protocol_errors(self):
        cid, p, st = self.spawn(["/bin/sleep", "60"])
        s = socket.socket(socket.AF_UNIX)
        s.connect(os.path.join(p["state"], "ctl.sock"))
        f = s.makefile("rwb")
        for req, want in ((b"bogus\n", "unknown command"), (b"kill NOPE\n", "invalid signal"),
                          (b"resize 10 10\n", "no tty"), (b"attach stdweird\n", "unknown stream")):
            f.write(req)
            f.flush()
            reply = json.loads(f.readline())
            self.assertFalse(reply["ok"])
            self.assertIn(want, reply["error"])
        f.close()
        s.close()
        self.ctl(p["state"], "kill", "SIGKILL")
        self.wait(p)

    # -- init, exec, mounts, layers ------------------------------------------

    def test_terminal(self):
        def m(c):
            c["process"]["terminal"] = True
        ex, out, err, _ = self.run_container(
            ["/bin/sh", "-c", "tty; test -t 0 && test -t 1 && echo both-tty; ls -l /dev/console; "
                              "stty size; echo err >&2"], m)
        self.assertEqual(ex["exit_code"], 0)
        self.assertIn("/dev/pts/0\r\n", out)  # a pty of the container's own devpts instance
        self.assertIn("both-tty", out)
        self.assertIn("err\r\n", out)      # with a tty everything is "stdout", as in Docker
        self.assertEqual(err, "")
        cid, p, st = self.spawn(["/bin/sh", "-c", "sleep 0.5; stty size"], m)
        self.ctl(p["state"], "resize", "30", "100")
        self.assertEqual(self.wait(p)["exit_code"], 0)
        self.assertIn("30 100", self.read_log(p["log"])[0])

    def test_init(self):
        ex, out, err, _ = self.run_container(
            ["/bin/sh", "-c", "cat /proc/1/comm; echo me=$$; sleep 0.1 & exit 7"],
            lambda c: c["annotations"].update({"org.engine.init": "true"}))
        lines = out.splitlines()
        self.assertEqual(lines[0], "engine-init")
        self.assertNotEqual(lines[1], "me=1")
        self.assertEqual(ex["exit_code"], 7)

    def test_exec_in_running_container(self):
        cid, p, st = self.spawn(["/bin/sleep", "60"])
        r = subprocess.run([SHIMCTL, "exec", p["bundle"], cid, str(st["pid"]), "/bin/sh", "-c",
                            "hostname; ls /proc | grep -c '^[0-9]'; cat /marker; "
                            "grep -E '^(CapEff|Seccomp):' /proc/self/status; cat /proc/1/cmdline"],
                           capture_output=True, text=True, timeout=30,
                           env=dict(os.environ, ENGINE_CGROUP_PARENT=self.cg_parent))
        self.assertEqual(r.returncode, 0, r.stderr)
        lines = r.stdout.splitlines()
        self.assertEqual(lines[0], cid)
        self.assertLessEqual(int(lines[1]), 4)
        self.assertEqual(lines[2], "image-marker")
        self.assertIn("CapEff:\t00000000a80425fb", r.stdout)
        self.assertIn("Seccomp:\t2", r.stdout)
        self.assertIn("/bin/sleep", r.stdout)
        r = subprocess.run([SHIMCTL, "exec", p["bundle"], cid, str(st["pid"]), "nope"],
                           capture_output=True, text=True, timeout=30,
                           env=dict(os.environ, ENGINE_CGROUP_PARENT=self.cg_parent))
        self.assertEqual(r.returncode, 127, r.stderr)
        self.ctl(p["state"], "kill", "KILL")
        self.wait(p)

    def test_bind_tmpfs_and_hostile_symlink(self):
        src = os.path.join(self.tmp, "hostname-src")
        with open(src, "w") as f:
            f.write("from-host\n")
        vol = os.path.join(self.tmp, "vol")
        os.makedirs(vol, exist_ok=True)
        outside = os.path.join(self.tmp, "outside")
        evil = os.path.join(self.tmp, "evil-layer")
        os.makedirs(os.path.join(evil, "etc"), exist_ok=True)
        if not os.path.lexists(os.path.join(evil, "etc", "hostname")):
            os.symlink("../../../../../../.." + outside, os.path.join(evil, "etc", "hostname"))

        def m(c):
            c["mounts"] += [
                {"destination": "/etc/hostname", "type": "bind", "source": src, "options": ["rbind", "ro"]},
                {"destination": "/data", "type": "bind", "source": vol, "options": ["rbind", "rprivate"]},
                {"destination": "/scratch", "type": "tmpfs", "source": "tmpfs", "options": ["size=1m"]},
            ]
        ex, out, err, _ = self.run_container(
            ["/bin/sh", "-c", "cat /etc/hostname; echo hi > /etc/hostname || echo bind-ro; "
                              "echo v > /data/f; df /scratch | tail -1"], m, lowers=[evil, self.lower])
        self.assertIn("from-host", out)
        self.assertIn("bind-ro", out)
        with open(os.path.join(vol, "f")) as f:
            self.assertEqual(f.read(), "v\n")
        self.assertFalse(os.path.exists(outside), "a symlink in the image redirected a mount to the host")

    def test_many_layers(self):
        lowers = []
        for i in range(120):
            d = os.path.join(self.tmp, "layers", "%064x" % i, "diff")
            os.makedirs(d, exist_ok=True)
            with open(os.path.join(d, "layer-%d" % i), "w") as f:
                f.write("%d\n" % i)
            lowers.append(d)
        self.assertGreater(len(":".join(lowers)), 4096)
        ex, out, err, _ = self.run_container(["/bin/sh", "-c", "ls / | grep -c layer-; cat /layer-0 /layer-119"],
                                             lowers=lowers + [self.lower])
        self.assertEqual(out.split(), ["120", "0", "119"], err)

    def test_join_network_namespace_by_path(self):
        # How engined will hand over a prepared network (bridge, veth): a netns path.
        name = "engtest-%d" % os.getpid()
        subprocess.run(["ip", "netns", "add", name], check=True)
        try:
            subprocess.run(["ip", "-n", name, "link", "add", "veth-test0", "type", "veth", "peer", "name",
                            "veth-test1"], check=True)

            def m(c):
                for n in c["linux"]["namespaces"]:
                    if n["type"] == "network":
                        n["path"] = "/run/netns/" + name
            ex, out, err, _ = self.run_container(["/bin/sh", "-c", "ip -o link"], m)
            self.assertIn("veth-test0", out)
            self.assertIn("lo: <LOOPBACK>", out)  # a joined namespace is left as it is
        finally:
            subprocess.run(["ip", "netns", "del", name], check=True)

    def test_cgroup_v2_path_on_the_unified_mount(self):
        # A hybrid host's cgroup2 mount has no controllers, but it runs the real
        # v2 code: the cgroup, cgroup.freeze, cgroup.kill, the BPF device filter,
        # a cgroup2 mount in the container. (On a pure v2 host every test does.)
        unified = os.path.join(CG_ROOT, "unified")
        if CG_V2 or not os.path.exists(os.path.join(unified, "cgroup.procs")):
            self.skipTest("no separate cgroup2 mount")

        def m(c):
            res = c["linux"]["resources"]
            for k in ("memory", "cpu", "pids"):
                res.pop(k)
            res["devices"] = [{"allow": False, "access": "rwm"},
                              {"allow": True, "type": "c", "major": 1, "minor": 3, "access": "rwm"}]
        cid, p, st = self.spawn(
            ["/bin/sh", "-c", "cat /proc/self/cgroup | grep ^0::; grep ' /sys/fs/cgroup ' /proc/mounts; "
                              "echo x > /dev/null && echo null-ok; head -c1 /dev/zero || echo zero-denied; "
                              "while true; do echo tick; sleep 0.05; done"],
            m, extra=["--cgroup-root", unified])
        time.sleep(0.3)
        self.ctl(p["state"], "pause")
        with open(os.path.join(unified, self.cg_parent, cid, "cgroup.freeze")) as f:
            self.assertEqual(f.read().strip(), "1")
        self.ctl(p["state"], "resume")
        self.ctl(p["state"], "kill", "KILL", "all")  # cgroup.kill
        self.assertEqual(self.wait(p)["exit_code"], 137)
        out, err = self.read_log(p["log"])
        self.assertIn("0::/\n", out)
        self.assertIn("cgroup2", out)
        self.assertIn("null-ok", out)
        self.assertIn("zero-denied", out)
        self.assertIn("Operation not permitted", err)

    def test_network_host(self):
        def m(c):
            c["linux"]["namespaces"] = [n for n in c["linux"]["namespaces"] if n["type"] != "network"]
        host_links = len(subprocess.run(["ip", "-o", "link"], capture_output=True, text=True).stdout.splitlines())
        ex, out, err, _ = self.run_container(["/bin/sh", "-c", "ip -o link | wc -l"], m)
        self.assertEqual(int(out.strip()), host_links)


if __name__ == "__main__":
    unittest.main(verbosity=2)
