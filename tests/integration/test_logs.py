#!/usr/bin/python3
"""test_logs.py: GET /containers/{id}/logs over the json-file log, through
the engine CLI, the docker CLI and the API: the streams, --tail, -t, --since,
--until, --details, tty containers, -f until the container stops and across
rotated files (--log-opt max-size/max-file), clients that hang up, the log
drivers that cannot be read.
"""
import json
import os
import re
import socket
import struct
import subprocess
import sys
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402

TS = re.compile(rb"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{9}Z ")


def frames(data):
    out = []
    while len(data) >= 8:
        n = struct.unpack(">I", data[4:8])[0]
        out.append((data[0], data[8:8 + n]))
        data = data[8 + n:]
    return out


class LogsTest(harness.SanitizedEngineTestCase):
    def run_c(self, *args, detach=False):
        r = self.d.docker("run", *(("-d",) if detach else ()), *args)
        self.assertOk(r)
        if detach:
            cid = r.stdout.decode().strip()
        else:
            cid = self.d.docker("ps", "-alq", "--no-trunc").stdout.decode().strip()
        self.addCleanup(self.d.docker, "rm", "-f", cid)
        return cid

    def both(self, *args):
        """The same logs command through engine and docker: equal results."""
        e = self.d.engine("logs", *args)
        d = self.d.docker("logs", *args)
        self.assertEqual((e.returncode, e.stdout, e.stderr), (d.returncode, d.stdout, d.stderr), args)
        return d

    def test_streams_tail_timestamps_details(self):
        cid = self.run_c("--name", "lines", "busybox", "sh", "-c",
                         "for i in 1 2 3 4 5; do echo out$i; echo err$i >&2; done; printf partial")
        r = self.both(cid)
        self.assertEqual(r.stdout, b"out1\nout2\nout3\nout4\nout5\npartial")
        self.assertEqual(r.stderr, b"err1\nerr2\nerr3\nerr4\nerr5\n")
        r = self.both("--tail", "3", "lines")
        self.assertEqual(len(r.stdout.splitlines()) + len(r.stderr.splitlines()), 3)
        self.assertTrue(r.stdout.endswith(b"partial"))
        self.assertEqual(self.both("--tail", "0", cid).stdout, b"")
        self.assertEqual(self.both("-n", "all", cid).stdout.count(b"\n"), 5)
        self.assertEqual(self.both("--tail", "bogus", cid).stdout.count(b"\n"), 5)  # moby: all
        r = self.both("-t", cid)
        for line in r.stdout.splitlines() + r.stderr.splitlines():
            self.assertRegex(line, TS)
        r = self.both("--details", cid)
        self.assertEqual(r.stdout.splitlines()[0], b" out1")
        # the API: frames, stream numbers, content types
        raw = self.d.api("GET", "/containers/%s/logs?stdout=1&stderr=1&tail=2" % cid)
        self.assertEqual(raw.headers["Content-Type"], "application/vnd.docker.multiplexed-stream")
        self.assertEqual(len(frames(raw.body)), 2)
        raw = self.d.api("GET", "/v1.41/containers/%s/logs?stderr=1" % cid)
        self.assertEqual(raw.headers["Content-Type"], "application/vnd.docker.raw-stream")
        self.assertEqual({s for s, _ in frames(raw.body)}, {2})
        self.assertEqual(self.d.api("GET", "/containers/%s/logs" % cid).status, 400)
        self.assertEqual(self.d.api("GET", "/containers/nope/logs?stdout=1").status, 404)

    def test_since_until(self):
        cid = self.run_c("busybox", "sh", "-c", "echo a; sleep 1.2; echo b; sleep 1.2; echo c")
        lines = self.d.docker("logs", "-t", cid).stdout.splitlines()
        self.assertEqual([l.split(b" ", 1)[1] for l in lines], [b"a", b"b", b"c"])
        t_b = lines[1].split(b" ")[0].decode()
        self.assertEqual(self.both("--since", t_b, cid).stdout, b"b\nc\n")
        self.assertEqual(self.both("--until", t_b, cid).stdout, b"a\nb\n")
        self.assertEqual(self.both("--since", "1h", cid).stdout, b"a\nb\nc\n")
        self.assertEqual(self.both("--until", "1h", cid).stdout, b"")
        self.assertEqual(self.both("--tail", "2", "--since", t_b, cid).stdout, b"b\nc\n")
        # unix seconds with nanoseconds, as the CLIs send them
        sec = time.mktime(time.strptime(t_b[:19], "%Y-%m-%dT%H:%M:%S")) - time.timezone
        r = self.d.api("GET", "/containers/%s/logs?stdout=1&since=%d.%s" % (cid, sec, t_b[20:29]))
        self.assertEqual(b"".join(p for _, p in frames(r.body)), b"b\nc\n")
        self.assertEqual(self.d.api("GET", "/containers/%s/logs?stdout=1&since=abc" % cid).status, 400)

    def test_tty_logs_are_raw(self):
        cid = self.run_c("-t", "busybox", "sh", "-c", "echo one; echo two >&2")
        r = self.both(cid)
        self.assertEqual((r.stdout, r.stderr), (b"one\r\ntwo\r\n", b""))
        raw = self.d.api("GET", "/containers/%s/logs?stdout=1&stderr=1" % cid)
        self.assertEqual(raw.headers["Content-Type"], "application/vnd.docker.raw-stream")
        self.assertEqual(raw.body, b"one\r\ntwo\r\n")

    def test_follow_until_stop_and_across_rotation(self):
        cid = self.run_c("--log-opt", "max-size=2k", "--log-opt", "max-file=3", "busybox", "sh", "-c",
                         "echo ready; while [ ! -e /go ]; do sleep 0.02; done; "
                         "i=0; while [ $i -lt 400 ]; do echo line-$i; i=$((i+1)); "
                         "[ $((i % 50)) = 0 ] && sleep 0.05; done", detach=True)
        procs = {w: subprocess.Popen(
            ([harness.ENGINE, "-H", "unix://" + self.d.sock] if w == "engine" else [harness.DOCKER]) +
            ["logs", "-f", cid], stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=self.d.env())
            for w in ("engine", "docker")}
        for p in procs.values():  # both follow now: the lines may come
            self.assertEqual(p.stdout.readline(), b"ready\n")
        self.assertOk(self.d.docker("exec", cid, "touch", "/go"))
        want = b"".join(b"line-%d\n" % i for i in range(400))
        for w, p in procs.items():
            out, err = p.communicate(timeout=30)  # ends by itself once the container stopped
            self.assertEqual(p.returncode, 0, (w, err))
            self.assertEqual(out, want, w)
        log = self.d.api("GET", "/containers/%s/json" % cid).json()["LogPath"]
        self.assertTrue(os.path.exists(log + ".1") and os.path.exists(log + ".2"))
        self.assertFalse(os.path.exists(log + ".3"))
        # what is kept, oldest first, ends with the last line
        kept = self.both(cid).stdout.splitlines()
        nums = [int(l.split(b"-")[1]) for l in kept if l.startswith(b"line-")]
        self.assertEqual(nums, list(range(nums[0], 400)))
        self.assertGreater(nums[0], 0)
        # -f on a stopped container: what there is, then the end
        r = self.d.docker("logs", "-f", "--tail", "1", cid, timeout=10)
        self.assertEqual(r.stdout, b"line-399\n")

    def test_follow_from_the_tail_and_until(self):
        cid = self.run_c("busybox", "sh", "-c", "echo old; sleep 0.5; echo new; sleep 1000", detach=True)
        time.sleep(0.2)
        r = self.d.api("GET", "/containers/%s/logs?stdout=1&follow=1&tail=0&until=%.3f" % (cid, time.time() + 1.5),
                       timeout=10)
        self.assertEqual(b"".join(p for _, p in frames(r.body)), b"new\n")

    def test_hangup_frees_the_stream(self):
        cid = self.run_c("busybox", "sh", "-c", "while true; do echo x; sleep 0.1; done", detach=True)
        fds = "/proc/%d/fd" % self.d.proc.pid

        def watches():  # each follower holds one inotify instance
            n = 0
            for f in os.listdir(fds):
                try:
                    n += os.readlink(os.path.join(fds, f)) == "anon_inode:inotify"
                except OSError:
                    pass
            return n

        before = watches()
        socks = []
        for _ in range(5):
            s = socket.socket(socket.AF_UNIX)
            s.connect(self.d.sock)
            s.sendall(b"GET /containers/%s/logs?stdout=1&follow=1 HTTP/1.1\r\nHost: x\r\n\r\n" % cid.encode())
            self.assertIn(b"200 OK", s.recv(4096))
            socks.append(s)
        self.assertEqual(watches(), before + 5)
        for s in socks:
            s.close()
        deadline = time.time() + 5
        while watches() > before and time.time() < deadline:
            time.sleep(0.05)
        self.assertEqual(watches(), before)
        self.assertTrue(self.d.api("GET", "/containers/%s/json" % cid).json()["State"]["Running"])
        self.assertEqual(self.d.api("GET", "/_ping").status, 200)

    def test_unreadable_drivers_and_empty_logs(self):
        cid = self.run_c("--log-driver", "none", "busybox", "echo", "x")
        r = self.d.api("GET", "/containers/%s/logs?stdout=1" % cid)
        self.assertEqual(r.status, 501)
        self.assertIn(b"configured logging driver does not support reading", r.body)
        for which in ("engine", "docker"):
            out = (self.d.engine if which == "engine" else self.d.docker)("logs", cid)
            self.assertNotEqual(out.returncode, 0)
            self.assertIn(b"does not support reading", out.stderr)
        r = self.d.docker("create", "busybox", "echo", "never")
        created = r.stdout.decode().strip()
        self.addCleanup(self.d.docker, "rm", "-f", created)
        self.assertEqual(self.both(created).stdout, b"")


if __name__ == "__main__":
    harness.main()
