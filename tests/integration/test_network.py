"""Networking: published ports (busybox httpd reached on 127.0.0.1:HOSTPORT,
UDP, random ports, ports already taken), user-defined networks with names
and aliases, the default bridge without names, --network none and host,
container:NAME, DNS options and forwarding to a resolver on loopback, the
nftables rules, the network API and events through raw HTTP and the real
docker CLI, three compose-like services, survival of a kill -9 of
engined, and libnftables mapped only while rules are written. Each engined has its own bridge and 10.X.0.0/16 (harness.py);
traffic goes only to loopback and the test's own container addresses; and
every test checks that what it made is gone afterwards."""
import glob
import json
import os
import socket
import struct
import subprocess
import threading
import time
import unittest
import urllib.parse

from harness import ENGINED, Engined, EngineTestCase, main, nft_table


def free_port(family=socket.AF_INET, kind=socket.SOCK_STREAM):
    s = socket.socket(family, kind)
    s.bind(("", 0))
    p = s.getsockname()[1]
    s.close()
    return p


def http_get(host, port, path="/", timeout=5):
    """The body of GET path, or raises."""
    s = socket.create_connection((host, port), timeout=timeout)
    try:
        s.sendall(("GET %s HTTP/1.0\r\nHost: x\r\n\r\n" % path).encode())
        data = b""
        while True:
            chunk = s.recv(65536)
            if not chunk:
                break
            data += chunk
    finally:
        s.close()
    head, _, body = data.partition(b"\r\n\r\n")
    if b" 200 " not in head.split(b"\r\n")[0]:
        raise AssertionError("GET %s: %r" % (path, head[:80]))
    return body.decode()


def wait_http(host, port, path="/", timeout=10):
    deadline = time.time() + timeout
    while True:
        try:
            return http_get(host, port, path)
        except (OSError, AssertionError):
            if time.time() > deadline:
                raise
            time.sleep(0.05)


def veths():
    return {n for n in os.listdir("/sys/class/net") if n.startswith("veth")}


class Base(EngineTestCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.d.load_busybox()
        cls.www = os.path.join(cls.d.dir, "www")
        os.makedirs(cls.www, exist_ok=True)
        with open(os.path.join(cls.www, "index.html"), "w") as f:
            f.write("hello from busybox httpd\n")

    def setUp(self):
        self.veths_before = veths()

    def tearDown(self):
        for cid in self.ok(self.d.docker("ps", "-aq")).split():
            self.d.docker("rm", "-f", cid)
        for n in json.loads(self.d.api("GET", "/networks").body):
            if n["Name"] not in ("bridge", "host", "none"):
                self.d.docker("network", "rm", n["Id"])
        self.assertNothingLeft()

    def assertNothingLeft(self):
        ex = self.d.exec_root
        self.assertEqual(os.listdir(os.path.join(ex, "netns")), [])
        self.assertEqual([f for f in os.listdir(os.path.join(ex, "proxies"))], [])
        self.assertFalse(os.path.exists(os.path.join(ex, "dns", "engine-dns.pid")))
        self.assertEqual(os.listdir(os.path.join(ex, "sandboxes")), [])
        deadline = time.time() + 5
        while veths() - self.veths_before and time.time() < deadline:
            time.sleep(0.05)
        self.assertEqual(veths() - self.veths_before, set())
        with open("/proc/self/mounts") as f:
            netns = os.path.join(ex, "netns") + "/"
            self.assertEqual([l for l in f if l.split()[1].startswith(netns)], [])

    def ok(self, proc):
        self.assertEqual(proc.returncode, 0, proc.stdout.decode(errors="replace") + proc.stderr.decode(errors="replace"))
        return proc.stdout.decode()

    def run_d(self, *args):
        return self.ok(self.d.docker("run", "-d", *args)).strip()

    def inspect(self, ref):
        return json.loads(self.ok(self.d.docker("inspect", ref)))[0]

    def run_output(self, *args, timeout=30):
        """docker run -d ARGS; the exit code and stdout once it exits."""
        cid = self.run_d(*args)
        code = int(self.ok(self.d.docker("wait", cid, timeout=timeout)).strip())
        out = ""
        with open(self.inspect(cid)["LogPath"]) as f:
            for line in f:
                rec = json.loads(line)
                if rec["stream"] == "stdout":
                    out += rec["log"]
        self.d.docker("rm", "-f", cid)
        return code, out

    def httpd(self, *args):
        return self.run_d(*args, "-v", self.www + ":/www", "busybox", "httpd", "-f", "-p", "80", "-h", "/www")


class PublishedPorts(Base):
    def test_httpd_through_published_ports(self):
        hp, hp2 = free_port(), free_port()
        cid = self.httpd("-p", "127.0.0.1:%d:80" % hp, "-p", "%d:80" % hp2, "-p", "127.0.0.1::80")
        self.assertEqual(wait_http("127.0.0.1", hp), "hello from busybox httpd\n")
        self.assertEqual(wait_http("127.0.0.1", hp2), "hello from busybox httpd\n")
        info = self.inspect(cid)
        ns = info["NetworkSettings"]
        self.assertEqual(wait_http(ns["IPAddress"], 80), "hello from busybox httpd\n")
        ports = ns["Ports"]["80/tcp"]
        self.assertIn({"HostIp": "127.0.0.1", "HostPort": str(hp)}, ports)
        self.assertIn({"HostIp": "0.0.0.0", "HostPort": str(hp2)}, ports)
        rnd = [p for p in ports if p["HostIp"] == "127.0.0.1" and p["HostPort"] != str(hp)]
        self.assertEqual(len(rnd), 1)
        self.assertEqual(wait_http("127.0.0.1", int(rnd[0]["HostPort"])), "hello from busybox httpd\n")
        self.assertEqual(info["HostConfig"]["PortBindings"]["80/tcp"][0], {"HostIp": "127.0.0.1", "HostPort": str(hp)})
        out = self.ok(self.d.docker("port", cid, "80"))
        self.assertIn("127.0.0.1:%d" % hp, out.split())
        out = self.ok(self.d.engine("port", cid))
        self.assertIn("80/tcp -> 0.0.0.0:%d" % hp2, out.splitlines())
        ps = self.ok(self.d.docker("ps", "--format", "{{.Ports}}", "--filter", "id=" + cid))
        self.assertIn("127.0.0.1:%d->80/tcp" % hp, ps)
        lst = json.loads(self.d.api("GET", "/containers/json").body)
        mine = [c for c in lst if c["Id"] == cid][0]
        self.assertIn({"IP": "127.0.0.1", "PrivatePort": 80, "PublicPort": hp, "Type": "tcp"}, mine["Ports"])
        # The kernel rules: a DNAT for the all-addresses binding, none for loopback.
        rules = subprocess.run(["nft", "list", "table", "ip", nft_table(self.d.bridge)],
                               capture_output=True, text=True).stdout
        self.assertIn("tcp dport %d dnat to %s:80" % (hp2, ns["IPAddress"]), rules)
        self.assertNotIn("dport %d " % hp, rules)
        self.ok(self.d.docker("stop", "-t", "1", cid))
        self.assertEqual(self.inspect(cid)["NetworkSettings"]["Ports"], {})
        with self.assertRaises(OSError):
            http_get("127.0.0.1", hp, timeout=1)
        rules = subprocess.run(["nft", "list", "table", "ip", nft_table(self.d.bridge)],
                               capture_output=True, text=True).stdout
        self.assertNotIn("dnat", rules)

    def test_publish_all_and_expose(self):
        cid = self.run_d("-P", "--expose", "7000-7001", "--expose", "9000/udp", "busybox", "sleep", "60")
        ports = self.inspect(cid)["NetworkSettings"]["Ports"]
        self.assertEqual(sorted(ports), ["7000/tcp", "7001/tcp", "9000/udp"])
        for k, v in ports.items():
            self.assertTrue(v and all(int(b["HostPort"]) > 0 for b in v), (k, v))
        hp = free_port()
        while True:  # two consecutive free ports
            try:
                t = socket.socket()
                t.bind(("", hp + 1))
                t.close()
                break
            except OSError:
                hp = free_port()
        cid3 = self.run_d("-p", "%d-%d:7000-7001" % (hp, hp + 1), "busybox", "sleep", "60")
        ports = self.inspect(cid3)["NetworkSettings"]["Ports"]
        self.assertEqual(ports["7001/tcp"][0], {"HostIp": "0.0.0.0", "HostPort": str(hp + 1)})
        # docker/cli folds only ports published on themselves: engine ps prints the same.
        ps = self.ok(self.d.docker("ps", "--format", "{{.Ports}}", "--filter", "id=" + cid3))
        self.assertIn("0.0.0.0:%d->7000/tcp" % hp, ps)
        self.assertEqual(self.ok(self.d.engine("ps", "--format", "{{.Ports}}", "--filter", "id=" + cid3)), ps)
        p1 = free_port()
        cid4 = self.run_d("-p", "%d:%d" % (p1, p1), "--expose", "7000-7002", "-p", "127.0.0.1::7005", "busybox", "sleep", "60")
        ps = self.ok(self.d.docker("ps", "--format", "{{.Ports}}", "--filter", "id=" + cid4))
        self.assertIn("7000-7002/tcp", ps)
        self.assertIn("0.0.0.0:%d->%d/tcp" % (p1, p1), ps)
        self.assertEqual(self.ok(self.d.engine("ps", "--format", "{{.Ports}}", "--filter", "id=" + cid4)), ps)
        cid2 = self.run_d("--expose", "7000", "busybox", "sleep", "60")
        self.assertEqual(self.inspect(cid2)["NetworkSettings"]["Ports"], {"7000/tcp": None})
        lst = json.loads(self.d.api("GET", "/containers/json").body)
        mine = [c for c in lst if c["Id"] == cid2][0]
        self.assertEqual(mine["Ports"], [{"PrivatePort": 7000, "Type": "tcp"}])

    def test_udp(self):
        hp = free_port(kind=socket.SOCK_DGRAM)
        self.run_d("-p", "127.0.0.1:%d:5000/udp" % hp, "busybox", "nc", "-u", "-l", "-p", "5000", "-e", "echo", "pong")
        s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        s.settimeout(0.5)
        try:
            deadline = time.time() + 10
            while True:
                s.sendto(b"ping\n", ("127.0.0.1", hp))
                try:
                    data, _ = s.recvfrom(100)
                    break
                except socket.timeout:
                    if time.time() > deadline:
                        raise
            self.assertEqual(data, b"pong\n")
        finally:
            s.close()

    def test_port_already_allocated(self):
        hp = free_port()
        self.httpd("-p", "%d:80" % hp)
        p = self.d.docker("run", "-d", "-p", "%d:80" % hp, "busybox", "sleep", "60")
        self.assertNotEqual(p.returncode, 0)
        self.assertIn("Bind for 0.0.0.0:%d failed: port is already allocated" % hp, p.stderr.decode())
        # A port some other program holds fails the start as well.
        s = socket.socket()
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        s.bind(("127.0.0.1", 0))
        s.listen(1)
        try:
            taken = s.getsockname()[1]
            p = self.d.docker("run", "-d", "-p", "127.0.0.1:%d:80" % taken, "busybox", "sleep", "60")
            self.assertNotEqual(p.returncode, 0)
            self.assertIn("address already in use", p.stderr.decode())
        finally:
            s.close()
        # A failed start leaves nothing behind (checked in tearDown) and can be retried.
        bad = [c for c in json.loads(self.d.api("GET", "/containers/json?all=1").body) if c["State"] == "created"]
        self.assertTrue(bad)
        for c in bad:
            self.assertEqual(self.inspect(c["Id"])["NetworkSettings"]["Networks"]["bridge"]["IPAddress"], "")

    def test_bad_port_specs(self):
        for spec, msg in (("abc:80", "invalid hostPort: abc"), ("80:70000", "invalid containerPort: 70000"),
                          ("localhost:80:80", "invalid IP address: localhost"), ("80/icmp", "invalid proto: icmp")):
            p = self.d.docker("run", "-d", "-p", spec, "busybox", "true")
            self.assertNotEqual(p.returncode, 0, spec)
            self.assertIn(msg, p.stderr.decode())
            p = self.d.engine("run", "-d", "-p", spec, "busybox", "true")
            self.assertNotEqual(p.returncode, 0, spec)
            self.assertIn(msg, p.stderr.decode())
        body = {"Image": "busybox", "HostConfig": {"PortBindings": {"80/xyz": [{"HostPort": "1"}]}}}
        r = self.d.api("POST", "/containers/create", body)
        self.assertEqual(r.status, 400, r.body)
        body = {"Image": "busybox", "HostConfig": {"PortBindings": {"80/tcp": [{"HostPort": "x-y"}]}}}
        self.assertEqual(self.d.api("POST", "/containers/create", body).status, 400)


class Modes(Base):
    def test_none_has_only_lo(self):
        code, out = self.run_output("--network", "none", "busybox", "ip", "-o", "link")
        self.assertEqual(code, 0)
        names = [l.split(":")[1].strip() for l in out.splitlines()]
        self.assertEqual(names, ["lo"])
        self.assertIn("state UNKNOWN", out)  # up

    def test_host_sees_host_interfaces(self):
        code, out = self.run_output("--network", "host", "busybox", "ls", "/sys/class/net")
        self.assertEqual(code, 0)
        mine = sorted(os.listdir("/sys/class/net"))
        self.assertEqual(sorted(out.split()), mine)
        cid = self.run_d("--network", "host", "busybox", "sleep", "60")
        ns = self.inspect(cid)["NetworkSettings"]
        self.assertIn("host", ns["Networks"])
        self.assertEqual(ns["SandboxKey"], "")

    def test_default_bridge(self):
        code, out = self.run_output("busybox", "sh", "-c", "ip -o -4 addr show eth0; ip route; cat /etc/resolv.conf /etc/hosts; hostname")
        self.assertEqual(code, 0)
        self.assertIn("10.%d.0." % self.d.net_octet, out)
        self.assertIn("default via 10.%d.0.1 dev eth0" % self.d.net_octet, out)
        self.assertNotIn("127.0.0.11", out)
        host = out.split()[-1]
        self.assertRegex(out, r"10\.%d\.0\.\d+\t%s" % (self.d.net_octet, host))
        cid = self.run_d("busybox", "sleep", "60")
        ns = self.inspect(cid)["NetworkSettings"]
        ip = ns["IPAddress"]
        a = [int(x) for x in ip.split(".")]
        self.assertEqual(ns["MacAddress"], "02:42:%02x:%02x:%02x:%02x" % tuple(a))
        self.assertEqual(ns["Gateway"], "10.%d.0.1" % self.d.net_octet)
        self.assertEqual(ns["IPPrefixLen"], 24)
        self.assertEqual(ns["Networks"]["bridge"]["IPAddress"], ip)
        self.assertTrue(os.path.exists(ns["SandboxKey"]))
        # The default bridge has no names (Docker's behaviour).
        code, out = self.run_output("busybox", "nslookup", cid[:12])
        self.assertNotEqual(code, 0)

    def test_container_mode(self):
        a = self.httpd("--name", "web")
        code, out = self.run_output("--network", "container:web", "busybox", "wget", "-qO-", "http://127.0.0.1/")
        self.assertEqual(code, 0)
        self.assertEqual(out, "hello from busybox httpd\n")
        p = self.d.docker("create", "--network", "container:web", "-p", "80:80", "busybox")
        self.assertNotEqual(p.returncode, 0)
        self.assertIn("conflicting options: port publishing and the container type network mode", p.stderr.decode())
        self.ok(self.d.docker("stop", "-t", "1", a))
        p = self.d.docker("run", "-d", "--network", "container:web", "busybox", "true")
        self.assertNotEqual(p.returncode, 0)
        self.assertIn("cannot join network namespace of a non running container", p.stderr.decode())

    def test_dns_options_and_hosts(self):
        code, out = self.run_output("--dns", "192.0.2.53", "--dns-search", "corp.example", "--dns-option", "ndots:2",
                                    "--add-host", "db:10.1.2.3", "--add-host", "gw:host-gateway",
                                    "--hostname", "box1", "busybox", "sh", "-c",
                                    "cat /etc/resolv.conf /etc/hosts; hostname")
        self.assertEqual(code, 0)
        self.assertIn("nameserver 192.0.2.53\nsearch corp.example\noptions ndots:2\n", out)
        self.assertIn("10.1.2.3\tdb\n", out)
        self.assertIn("10.%d.0.1\tgw\n" % self.d.net_octet, out)
        self.assertRegex(out, r"10\.%d\.0\.\d+\tbox1\n" % self.d.net_octet)
        self.assertTrue(out.endswith("box1\n"))


class UserNetworks(Base):
    def test_names_and_aliases(self):
        self.ok(self.d.docker("network", "create", "app"))
        web = self.httpd("--name", "web", "--network", "app", "--network-alias", "www")
        code, out = self.run_output("--network", "app", "busybox", "sh", "-c",
                                    "cat /etc/resolv.conf; ping -c1 -W2 web && ping -c1 -W2 www && "
                                    "wget -qO- http://web/ && wget -qO- http://www/ && wget -qO- http://web.app/")
        self.assertEqual(code, 0, out)
        self.assertIn("nameserver 127.0.0.11", out)
        self.assertEqual(out.count("hello from busybox httpd"), 3)
        info = self.inspect(web)
        ep = info["NetworkSettings"]["Networks"]["app"]
        self.assertEqual(ep["Aliases"], ["www"])
        self.assertEqual(ep["DNSNames"], ["web", "www", web[:12]])
        # Reverse lookups name the container on the network.
        code, out = self.run_output("--network", "app", "busybox", "nslookup", ep["IPAddress"])
        self.assertIn("web.app", out)
        # Not on a network this container shares: no answer (the default bridge).
        code, out = self.run_output("busybox", "nslookup", "web")
        self.assertNotEqual(code, 0)

    def test_dns_tcp_and_hostile_packets(self):
        self.ok(self.d.docker("network", "create", "dnsnet"))
        web = self.run_d("--name", "web", "--network", "dnsnet", "busybox", "sleep", "60")
        ip = self.inspect(web)["NetworkSettings"]["Networks"]["dnsnet"]["IPAddress"]
        pid = self.inspect(web)["State"]["Pid"]
        # From inside the container's namespace: garbage over UDP, then a
        # real query over TCP and over UDP; the server must answer both.
        script = r"""
import os, socket, struct, sys
q = struct.pack(">HHHHHH", 0x4242, 0x0100, 1, 0, 0, 0) + b"\x03web\x00\x00\x01\x00\x01"
u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
u.settimeout(2)
for junk in (b"", b"\x00", os.urandom(11), os.urandom(512), b"\xc0\x0c" * 300,
             struct.pack(">HHHHHH", 1, 0x0100, 1, 0, 0, 0) + b"\xc0\x0c\x00\x01\x00\x01",
             struct.pack(">HHHHHH", 1, 0x8180, 1, 0, 0, 0) + b"\x03web\x00\x00\x01\x00\x01"):
    u.sendto(junk, ("127.0.0.11", 53))
t = socket.create_connection(("127.0.0.11", 53), timeout=2)
t.sendall(struct.pack(">H", len(q)) + q)
n = struct.unpack(">H", t.recv(2))[0]
a = b""
while len(a) < n:
    a += t.recv(n - len(a))
print(socket.inet_ntoa(a[-4:]))
while True:
    u.sendto(q, ("127.0.0.11", 53))
    r, _ = u.recvfrom(512)
    if r[:2] == b"\x42\x42":
        break
print(socket.inet_ntoa(r[-4:]))
"""
        p = subprocess.run(["nsenter", "-t", str(pid), "-n", "python3", "-c", script],
                           capture_output=True, timeout=20)
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertEqual(p.stdout.decode().split(), [ip, ip])

    def test_compose_like_three_services(self):
        self.ok(self.d.docker("network", "create", "proj_default"))
        for svc in ("db", "api", "front"):
            self.run_d("--name", "proj-%s-1" % svc, "--network", "proj_default", "--network-alias", svc,
                       "busybox", "sh", "-c",
                       "sleep 1; for p in db api front; do nslookup $p >/dev/null && echo $p-ok || echo $p-fail; done; sleep 60")
        time.sleep(2.5)
        for svc in ("db", "api", "front"):
            info = self.inspect("proj-%s-1" % svc)
            with open(info["LogPath"]) as f:
                out = "".join(json.loads(l)["log"] for l in f)
            self.assertEqual(out.split(), ["db-ok", "api-ok", "front-ok"], svc)

    def test_docker_compose(self):
        compose = "/usr/bin/docker-compose"
        if not os.path.exists(compose):
            self.skipTest("docker-compose is not installed")
        proj = os.path.join(self.d.dir, "compose")
        os.makedirs(proj, exist_ok=True)
        with open(os.path.join(proj, "docker-compose.yml"), "w") as f:
            f.write("version: '3'\nservices:\n")
            for svc in ("db", "api", "front"):
                f.write("  %s:\n    image: busybox\n    command: sleep 60\n" % svc)
        env = self.d.env()
        p = subprocess.run([compose, "-p", "proj", "up", "-d"], cwd=proj, env=env, capture_output=True, timeout=120)
        if p.returncode != 0:
            self.skipTest("docker-compose up needs endpoints engine lacks yet: %s" % p.stderr.decode()[-300:])
        try:
            code, out = self.run_output("--network", "proj_default", "busybox", "sh", "-c",
                                        "for p in db api front; do ping -c1 -W2 $p >/dev/null && echo $p-ok; done")
            self.assertEqual(out.split(), ["db-ok", "api-ok", "front-ok"])
        finally:
            subprocess.run([compose, "-p", "proj", "down"], cwd=proj, env=env, capture_output=True, timeout=120)

    def test_static_ip_range_and_connect(self):
        self.ok(self.d.docker("network", "create", "--subnet", "10.%d.200.0/24" % self.d.net_octet,
                              "--ip-range", "10.%d.200.128/25" % self.d.net_octet,
                              "--gateway", "10.%d.200.254" % self.d.net_octet, "fixed"))
        a = self.run_d("--network", "fixed", "--ip", "10.%d.200.10" % self.d.net_octet, "busybox", "sleep", "60")
        b = self.run_d("--network", "fixed", "busybox", "sleep", "60")
        self.assertEqual(self.inspect(a)["NetworkSettings"]["Networks"]["fixed"]["IPAddress"], "10.%d.200.10" % self.d.net_octet)
        ipb = self.inspect(b)["NetworkSettings"]["Networks"]["fixed"]["IPAddress"]
        self.assertGreaterEqual(int(ipb.split(".")[3]), 128)
        p = self.d.docker("run", "-d", "--network", "fixed", "--ip", "10.%d.200.10" % self.d.net_octet, "busybox", "sleep", "60")
        self.assertNotEqual(p.returncode, 0)
        self.assertIn("Address already in use", p.stderr.decode())
        p = self.d.docker("run", "-d", "--ip", "10.%d.0.50" % self.d.net_octet, "busybox", "sleep", "60")
        self.assertIn("user specified IP address is supported on user defined networks only", p.stderr.decode())
        # Connect a running container to a second network, then disconnect it.
        self.ok(self.d.docker("network", "create", "second"))
        self.ok(self.d.docker("network", "connect", "--alias", "alpha", "second", a))
        ns = self.inspect(a)["NetworkSettings"]["Networks"]
        self.assertIn("second", ns)
        self.assertTrue(ns["second"]["IPAddress"])
        code, out = self.run_output("--network", "second", "busybox", "ping", "-c1", "-W2", "alpha")
        self.assertEqual(code, 0, out)
        self.ok(self.d.docker("network", "disconnect", "second", a))
        self.assertNotIn("second", self.inspect(a)["NetworkSettings"]["Networks"])
        p = self.d.docker("network", "disconnect", "second", a)
        self.assertNotEqual(p.returncode, 0)
        # Addresses survive a restart of engined: no duplicate.
        self.d.stop()
        self.d.start()
        c = self.run_d("--network", "fixed", "busybox", "sleep", "60")
        ipc = self.inspect(c)["NetworkSettings"]["Networks"]["fixed"]["IPAddress"]
        self.assertNotIn(ipc, (ipb, "10.%d.200.10" % self.d.net_octet))

    def test_internal_network_rules(self):
        self.ok(self.d.docker("network", "create", "--internal", "closed"))
        self.ok(self.d.docker("network", "create", "open"))
        nets = {n["Name"]: n for n in json.loads(self.d.api("GET", "/networks").body)}
        self.assertTrue(nets["closed"]["Internal"])
        for name, internal in (("closed", True), ("open", False)):
            br = "br-" + nets[name]["Id"][:12]
            self.assertTrue(os.path.exists("/sys/class/net/" + br))
            rules = subprocess.run(["nft", "list", "table", "ip", nft_table(br)], capture_output=True, text=True).stdout
            self.assertEqual("masquerade" in rules, not internal, rules)
            self.assertEqual('iifname "%s" oifname != "%s" drop' % (br, br) in rules, internal, rules)
        with open("/proc/sys/net/ipv4/ip_forward") as f:
            self.assertEqual(f.read().strip(), "1")
        default = subprocess.run(["nft", "list", "table", "ip", nft_table(self.d.bridge)], capture_output=True, text=True).stdout
        self.assertIn("ip saddr 10.%d.0.0/24 masquerade" % self.d.net_octet, default)
        for name in ("closed", "open"):
            br = "br-" + nets[name]["Id"][:12]
            self.ok(self.d.docker("network", "rm", name))
            self.assertFalse(os.path.exists("/sys/class/net/" + br))
            p = subprocess.run(["nft", "list", "table", "ip", nft_table(br)], capture_output=True)
            self.assertNotEqual(p.returncode, 0)

    def test_dns_forwards_to_host_resolvers(self):
        # A resolver on this test's own loopback address answers ext.example.
        srv = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        addr = "127.0.%d.77" % self.d.net_octet
        srv.bind((addr, 53))
        stop = threading.Event()

        def serve():
            srv.settimeout(0.2)
            while not stop.is_set():
                try:
                    q, peer = srv.recvfrom(512)
                except socket.timeout:
                    continue
                qend = 12
                while q[qend] != 0:
                    qend += q[qend] + 1
                qend += 5
                ans = q[:2] + b"\x81\x80\x00\x01\x00\x01\x00\x00\x00\x00" + q[12:qend]
                ans += b"\xc0\x0c\x00\x01\x00\x01\x00\x00\x00\x3c\x00\x04" + bytes([192, 0, 2, 99])
                srv.sendto(ans, peer)

        t = threading.Thread(target=serve, daemon=True)
        t.start()
        try:
            self.ok(self.d.docker("network", "create", "fwd"))
            code, out = self.run_output("--network", "fwd", "--dns", addr, "busybox", "nslookup", "ext.example")
            self.assertEqual(code, 0, out)
            self.assertIn("192.0.2.99", out)
            # An internal network does not reach outside, not even for names.
            self.ok(self.d.docker("network", "create", "--internal", "inner"))
            code, out = self.run_output("--network", "inner", "--dns", addr, "busybox", "nslookup", "ext.example")
            self.assertNotEqual(code, 0)
        finally:
            stop.set()
            t.join()
            srv.close()


class NetworkAPI(Base):
    def test_docker_network_commands(self):
        out = self.ok(self.d.docker("network", "ls"))
        self.assertEqual(out.splitlines()[0].split(), ["NETWORK", "ID", "NAME", "DRIVER", "SCOPE"])
        self.assertEqual(sorted(l.split()[1] for l in out.splitlines()[1:]), ["bridge", "host", "none"])
        nid = self.ok(self.d.docker("network", "create", "--label", "team=net", "-o", "x=y", "n1")).strip()
        self.assertEqual(len(nid), 64)
        p = self.d.docker("network", "create", "n1")
        self.assertNotEqual(p.returncode, 0)
        self.assertIn("network with name n1 already exists", p.stderr.decode())
        self.assertEqual(self.ok(self.d.docker("network", "ls", "-q", "--filter", "label=team=net")).split(), [nid[:12]])
        self.assertEqual(self.ok(self.d.docker("network", "ls", "--format", "{{.Name}}", "--filter", "type=custom")).split(), ["n1"])
        self.assertEqual(self.ok(self.d.engine("network", "ls", "--format", "{{.Name}} {{.Driver}}", "--filter", "driver=bridge")).splitlines(),
                         ["bridge bridge", "n1 bridge"])
        info = json.loads(self.ok(self.d.docker("network", "inspect", "n1")))[0]
        self.assertEqual(info["Labels"], {"team": "net"})
        self.assertEqual(info["Options"], {"x": "y"})
        self.assertEqual(info["Driver"], "bridge")
        self.assertTrue(info["IPAM"]["Config"][0]["Subnet"].startswith("10.%d." % self.d.net_octet))
        cid = self.run_d("--network", "n1", "--name", "member", "busybox", "sleep", "60")
        info = json.loads(self.ok(self.d.engine("network", "inspect", "n1")))[0]
        self.assertEqual(info["Containers"][cid]["Name"], "member")
        p = self.d.docker("network", "rm", "n1")
        self.assertNotEqual(p.returncode, 0)
        self.assertIn("error while removing network: network n1 id %s has active endpoints" % nid, p.stderr.decode())
        p = self.d.docker("network", "rm", "bridge")
        self.assertIn("bridge is a pre-defined network and cannot be removed", p.stderr.decode())
        self.ok(self.d.docker("network", "disconnect", "n1", cid))
        self.ok(self.d.docker("network", "rm", "n1"))
        self.ok(self.d.docker("network", "create", "n2"))
        self.ok(self.d.docker("network", "create", "n3"))
        out = self.ok(self.d.docker("network", "prune", "-f"))
        self.assertEqual(sorted(out.split()), ["Deleted", "Networks:", "n2", "n3"])
        p = self.d.docker("network", "inspect", "n2")
        self.assertNotEqual(p.returncode, 0)
        # the engine CLI prints what the docker CLI prints
        self.ok(self.d.docker("network", "create", "n4"))
        self.assertEqual(self.ok(self.d.engine("network", "prune", "-f")), "Deleted Networks:\nn4\n")
        self.assertEqual(self.ok(self.d.engine("network", "prune", "-f")), "")
        p = self.d.engine("network", "prune", "-f", "--filter", "nokey")
        self.assertEqual(p.returncode, 1)

    def test_api_statuses(self):
        self.assertEqual(self.d.api("POST", "/networks/create", {"Name": "a"}).status, 201)
        self.assertEqual(self.d.api("POST", "/networks/create", {"Name": "a", "CheckDuplicate": True}).status, 409)
        self.assertEqual(self.d.api("POST", "/networks/create", {"Name": "b", "Driver": "overlay"}).status, 404)
        self.assertEqual(self.d.api("POST", "/networks/create", {"Name": "c", "Driver": "host"}).status, 403)
        self.assertEqual(self.d.api("POST", "/networks/create", {"Name": "bad name"}).status, 400)
        self.assertEqual(self.d.api("POST", "/networks/create", {}).status, 400)
        self.assertEqual(self.d.api("POST", "/networks/create", "[1]").status, 400)
        r = self.d.api("POST", "/networks/create", {"Name": "d", "IPAM": {"Config": [{"Subnet": "10.%d.128.0/24" % self.d.net_octet}]}})
        self.assertEqual(r.status, 403, r.body)  # overlaps "a", which took the pool's first subnet
        r = self.d.api("POST", "/networks/create", {"Name": "e", "IPAM": {"Config": [{"Subnet": "10.%d.250.0/24" % self.d.net_octet, "Gateway": "10.99.0.1"}]}})
        self.assertEqual(r.status, 400)
        self.assertIn("no matching subnet for gateway", r.json()["message"])
        self.assertEqual(self.d.api("DELETE", "/networks/none").status, 403)
        self.assertEqual(self.d.api("DELETE", "/networks/nosuch").status, 404)
        self.assertEqual(self.d.api("GET", "/networks/nosuch").status, 404)
        self.assertEqual(self.d.api("GET", "/networks?filters=" + urllib.parse.quote('{"bogus":{"x":true}}')).status, 400)
        self.assertEqual(self.d.api("GET", "/networks?filters=" + urllib.parse.quote('{"type":{"x":true}}')).status, 400)
        self.assertEqual(self.d.api("POST", "/networks/a/connect", {"Container": "nosuch"}).status, 404)
        self.assertEqual(self.d.api("POST", "/networks/a/connect", {}).status, 400)
        r = self.d.api("POST", "/containers/create", {"Image": "busybox", "HostConfig": {"NetworkMode": "nonet"}})
        self.assertEqual(r.status, 404)
        self.assertEqual(r.json()["message"], "network nonet not found")
        r = self.d.api("POST", "/containers/create", {"Image": "busybox", "HostConfig": {"Dns": ["x"]}})
        self.assertEqual(r.status, 400)
        r = self.d.api("POST", "/containers/create", {"Image": "busybox", "NetworkingConfig": {"EndpointsConfig": {"bridge": {"Aliases": ["x"]}}}})
        self.assertEqual(r.status, 400)
        # Hostile bodies: wrong types everywhere.
        for body in ({"Name": 5}, {"Name": "z", "IPAM": "x"}, {"Name": "z", "IPAM": {"Config": [5]}},
                     {"Name": "z", "Labels": [1]}, {"Name": "z", "Options": {"a": 1}}, {"Name": "z" * 300}):
            r = self.d.api("POST", "/networks/create", body)
            self.assertIn(r.status, (201, 400), (body, r.body))
            if r.status == 201:
                self.d.api("DELETE", "/networks/" + r.json()["Id"])
        self.assertEqual(self.d.api("POST", "/networks/prune").status, 200)

    def test_events(self):
        since = int(time.time()) - 1
        self.ok(self.d.docker("network", "create", "ev"))
        cid = self.run_d("--network", "ev", "busybox", "sleep", "60")
        self.ok(self.d.docker("stop", "-t", "1", cid))
        self.ok(self.d.docker("network", "rm", "ev"))
        out = self.ok(self.d.docker("events", "--since", str(since), "--until", str(int(time.time()) + 1),
                                    "--filter", "type=network", "--filter", "network=ev",
                                    "--format", "{{json .}}"))
        evs = [json.loads(l) for l in out.splitlines()]
        acts = [(e["Action"], e["Actor"]["Attributes"].get("name")) for e in evs]
        self.assertEqual(acts, [("create", "ev"), ("connect", "ev"), ("disconnect", "ev"), ("destroy", "ev")])
        self.assertEqual(evs[1]["Actor"]["Attributes"], {"container": cid, "name": "ev", "type": "bridge"})
        self.assertEqual(evs[0]["Actor"]["Attributes"], {"name": "ev", "type": "bridge"})


class Survival(Base):
    def test_port_and_dns_survive_kill9(self):
        hp = free_port()
        self.ok(self.d.docker("network", "create", "keep"))
        web = self.httpd("--name", "web", "--network", "keep", "-p", "127.0.0.1:%d:80" % hp)
        probe = self.run_d("--name", "probe", "--network", "keep", "busybox", "sleep", "300")
        self.assertEqual(wait_http("127.0.0.1", hp), "hello from busybox httpd\n")
        pid = self.inspect(probe)["State"]["Pid"]
        self.d.kill9()
        self.assertEqual(http_get("127.0.0.1", hp), "hello from busybox httpd\n")
        ns = ["nsenter", "-t", str(pid), "-n", "-m", "-p", "-u", "-i"]
        p = subprocess.run(ns + ["nslookup", "web"], capture_output=True, timeout=10)
        self.assertEqual(p.returncode, 0, p.stdout + p.stderr)
        self.d.start()
        self.assertEqual(http_get("127.0.0.1", hp), "hello from busybox httpd\n")
        self.run_d("--name", "late", "--network", "keep", "busybox", "sleep", "60")
        p = subprocess.run(ns + ["nslookup", "late"], capture_output=True, timeout=10)
        self.assertEqual(p.returncode, 0, p.stdout + p.stderr)
        # A forwarder that died while engined was away comes back at adoption.
        proxies = glob.glob(os.path.join(self.d.exec_root, "proxies", web + "-*.pid"))
        self.assertEqual(len(proxies), 1)
        self.d.kill9()
        with open(proxies[0]) as f:
            os.kill(int(f.read()), 9)
        time.sleep(0.2)
        self.d.start()
        self.assertEqual(wait_http("127.0.0.1", hp), "hello from busybox httpd\n")
        self.ok(self.d.docker("rm", "-f", web))
        with self.assertRaises(OSError):
            http_get("127.0.0.1", hp, timeout=1)

    def test_exit_while_engined_is_down(self):
        hp = free_port()
        cid = self.run_d("-p", "127.0.0.1:%d:80" % hp, "busybox", "sh", "-c", "httpd -p 80 -h /; sleep 1")
        ns = self.inspect(cid)["NetworkSettings"]["SandboxKey"]
        self.d.kill9()
        time.sleep(2)
        self.d.start()
        self.assertEqual(self.inspect(cid)["State"]["Status"], "exited")
        self.assertFalse(os.path.exists(ns))
        with self.assertRaises(OSError):
            http_get("127.0.0.1", hp, timeout=1)
        self.assertEqual(os.listdir(os.path.join(self.d.exec_root, "proxies")), [])


class IdleLibraries(unittest.TestCase):
    """engined does not link libnftables: it dlopen()s it to write a table
    (the default bridge's at start), and an idle engined maps neither it nor
    what it brings along once the linger (50 ms here) is over."""

    def heavy_mapped(self, pid, libs):
        with open("/proc/%d/maps" % pid) as f:
            return sorted({l.split()[-1] for l in f if any(x in l for x in libs)})

    def wait_unmapped(self, pid, libs):
        deadline = time.time() + 5
        while self.heavy_mapped(pid, libs) and time.time() < deadline:
            time.sleep(0.05)
        self.assertEqual(self.heavy_mapped(pid, libs), [])

    def test_nftables_only_while_used(self):
        ldd = subprocess.run(["ldd", ENGINED], capture_output=True, text=True, check=True).stdout
        self.assertNotIn("libnftables", ldd)
        # libgmp may come with libmicrohttpd's gnutls, and then stays
        libs = [l for l in ("libnftables", "libnftnl", "libxtables", "libjansson", "libgmp") if l not in ldd]
        d = Engined()
        try:
            d.start(env=dict(os.environ, ENGINE_LAZYLIB_LINGER_MS="50"))
            pid = d.proc.pid
            # the default bridge's table was written at start...
            rules = subprocess.run(["nft", "list", "table", "ip", nft_table(d.bridge)], capture_output=True, text=True)
            self.assertIn("ip saddr 10.%d.0.0/24 masquerade" % d.net_octet, rules.stdout, rules.stderr)
            # ...and libnftables is gone again
            self.wait_unmapped(pid, libs)
            # loaded again for a new network's table, and for its removal
            p = d.docker("network", "create", "lazy")
            self.assertEqual(p.returncode, 0, p.stderr)
            br = "br-" + json.loads(d.api("GET", "/networks/lazy").body)["Id"][:12]
            rules = subprocess.run(["nft", "list", "table", "ip", nft_table(br)], capture_output=True, text=True)
            self.assertIn("masquerade", rules.stdout, rules.stderr)
            self.wait_unmapped(pid, libs)
            p = d.docker("network", "rm", "lazy")
            self.assertEqual(p.returncode, 0, p.stderr)
            p = subprocess.run(["nft", "list", "table", "ip", nft_table(br)], capture_output=True)
            self.assertNotEqual(p.returncode, 0)
            self.wait_unmapped(pid, libs)
            self.assertEqual(d.api("GET", "/_ping").status, 200)
            self.assertEqual(d.stop(), 0, d.read_log()[-5000:])  # and no sanitizer report
        finally:
            d.cleanup()


if __name__ == "__main__":
    main()
