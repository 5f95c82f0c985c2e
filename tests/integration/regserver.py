"""regserver.py: registries for the registry tests, all on 127.0.0.1.

- Registry: Debian's docker-registry (distribution 2.8) started with a config
  file written here: plain, with htpasswd Basic auth (bcrypt hash from
  Python's crypt), or behind TokenServer. Stopped by PID.
- TokenServer: a Distribution token server (docs/spec/auth/token.md) in
  Python: RS256 JWTs signed by a throwaway key (openssl), the certificate
  in the x5c header and in the registry's rootcertbundle. Counts requests.
- Hostile: a registry that lies on purpose (wrong bytes, lying digests,
  truncated or slow answers, garbage), serving images built in memory.
"""
import base64
import gzip
import hashlib
import http.server
import io
import json
import os
import secrets
import signal
import socket
import subprocess
import tarfile
import threading
import time
import urllib.parse

REGISTRY_BIN = "docker-registry"
USER, PASSWORD = "alice", "s3cret"


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def wait_port(port, timeout=10):
    deadline = time.time() + timeout
    while time.time() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return
        except OSError:
            time.sleep(0.02)
    raise RuntimeError("nothing listens on port %d" % port)


def bcrypt_hash(password):
    import warnings
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        import crypt
    return crypt.crypt(password, crypt.mksalt(crypt.METHOD_BLOWFISH))


class Registry:
    """docker-registry on a free port; auth is None, "basic" or a TokenServer."""

    def __init__(self, root, auth=None):
        self.root = root
        self.port = free_port()
        self.addr = "127.0.0.1:%d" % self.port
        os.makedirs(root, exist_ok=True)
        lines = ["version: 0.1", "log:", "  level: error", "storage:", "  filesystem:",
                 "    rootdirectory: %s/data" % root, "  delete:", "    enabled: true",
                 "http:", "  addr: %s" % self.addr]
        if auth == "basic":
            with open(os.path.join(root, "htpasswd"), "w") as f:
                f.write("%s:%s\n" % (USER, bcrypt_hash(PASSWORD)))
            lines += ["auth:", "  htpasswd:", "    realm: engine-test",
                      "    path: %s/htpasswd" % root]
        elif auth is not None:
            lines += ["auth:", "  token:", "    realm: %s" % auth.realm,
                      "    service: %s" % auth.service, "    issuer: %s" % auth.issuer,
                      "    rootcertbundle: %s" % auth.cert]
        self.config = os.path.join(root, "config.yml")
        with open(self.config, "w") as f:
            f.write("\n".join(lines) + "\n")
        self.log = open(os.path.join(root, "registry.log"), "wb")
        self.proc = subprocess.Popen([REGISTRY_BIN, "serve", self.config], stdout=self.log,
                                     stderr=self.log)
        try:
            wait_port(self.port)
        except Exception:
            self.stop()
            raise

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(5)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.log.close()


def b64url(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


class TokenServer:
    """Issues tokens for USER (everything asked) and anonymous users (pull of
    public/* only); counts the token requests it answered."""
    service = "engine-test-registry"
    issuer = "engine-test-issuer"

    def __init__(self, root):
        self.root = root
        self.key = os.path.join(root, "token.key")
        self.cert = os.path.join(root, "token.crt")
        os.makedirs(root, exist_ok=True)
        subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes",
                        "-keyout", self.key, "-out", self.cert, "-subj", "/CN=engine-test-token",
                        "-days", "2"], check=True, capture_output=True)
        der = subprocess.run(["openssl", "x509", "-in", self.cert, "-outform", "DER"],
                             check=True, capture_output=True).stdout
        self.x5c = base64.b64encode(der).decode()
        self.requests = []
        self.refresh_tokens = set()
        self.lifetime = 300
        server = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def log_message(self, *a):
                pass

            def do_GET(self):
                q = urllib.parse.urlparse(self.path)
                server.answer(self, urllib.parse.parse_qs(q.query), self.headers.get("Authorization"))

            def do_POST(self):
                n = int(self.headers.get("Content-Length") or 0)
                form = urllib.parse.parse_qs(self.rfile.read(n).decode())
                server.answer(self, form, None)

        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.httpd.server_address[1]
        self.realm = "http://127.0.0.1:%d/token" % self.port
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    def sign(self, claims):
        header = {"typ": "JWT", "alg": "RS256", "x5c": [self.x5c]}
        signing = b64url(json.dumps(header).encode()) + "." + b64url(json.dumps(claims).encode())
        sig = subprocess.run(["openssl", "dgst", "-sha256", "-sign", self.key], input=signing.encode(),
                             check=True, capture_output=True).stdout
        return signing + "." + b64url(sig)

    def answer(self, h, params, authz):
        user = None
        if params.get("grant_type") == ["refresh_token"]:
            if params.get("refresh_token", [""])[0] not in self.refresh_tokens:
                return self.fail(h, "invalid refresh token")
            user = USER
        elif authz and authz.startswith("Basic "):
            u, _, p = base64.b64decode(authz[6:]).decode().partition(":")
            if (u, p) != (USER, PASSWORD):
                return self.fail(h, "incorrect username or password")
            user = u
        scopes = params.get("scope", [])
        self.requests.append({"user": user, "scopes": scopes})
        access = []
        for sc in scopes:
            for one in sc.split(" "):
                kind, _, rest = one.partition(":")
                name, _, actions = rest.rpartition(":")
                acts = actions.split(",")
                if user is None:
                    acts = [a for a in acts if a == "pull" and name.startswith("public/")]
                if acts:
                    access.append({"type": kind, "name": name, "actions": acts})
        now = int(time.time())
        token = self.sign({"iss": self.issuer, "sub": user or "", "aud": self.service,
                           "exp": now + self.lifetime, "nbf": now - 10, "iat": now,
                           "jti": secrets.token_hex(8), "access": access})
        body = {"token": token, "access_token": token, "expires_in": self.lifetime,
                "issued_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(now))}
        if user and params.get("offline_token") == ["true"]:
            rt = secrets.token_hex(16)
            self.refresh_tokens.add(rt)
            body["refresh_token"] = rt
        self.send(h, 200, body)

    def fail(self, h, why):
        self.send(h, 401, {"details": why})

    @staticmethod
    def send(h, status, obj):
        data = json.dumps(obj).encode()
        h.send_response(status)
        h.send_header("Content-Type", "application/json")
        h.send_header("Content-Length", str(len(data)))
        h.end_headers()
        h.wfile.write(data)

    def stop(self):
        self.httpd.shutdown()
        self.httpd.server_close()


# ---- images built in memory --------------------------------------------

def sha(data):
    return "sha256:" + hashlib.sha256(data).hexdigest()


def layer_tar(files):
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w", format=tarfile.PAX_FORMAT) as t:
        for name, data in files:
            ti = tarfile.TarInfo(name)
            ti.size = len(data)
            ti.mode = 0o755
            t.addfile(ti, io.BytesIO(data))
    return buf.getvalue()


class Image:
    """A schema 2 image: gzip layers, a config with their diff_ids."""

    def __init__(self, layers, arch="amd64", os_="linux", cmd=("/x",), diff_ids=None, gz=True):
        self.tars = [layer_tar(files) for files in layers]
        self.blobs = [gzip.compress(t, mtime=0) if gz else t for t in self.tars]
        diffs = diff_ids or [sha(t) for t in self.tars]
        self.config = json.dumps({"architecture": arch, "os": os_, "config": {"Cmd": list(cmd)},
                                  "created": "2024-01-02T03:04:05Z",
                                  "rootfs": {"type": "layers", "diff_ids": diffs}}).encode()
        lmt = "application/vnd.docker.image.rootfs.diff.tar.gzip" if gz else \
            "application/vnd.oci.image.layer.v1.tar"
        self.manifest = json.dumps({
            "schemaVersion": 2,
            "mediaType": "application/vnd.docker.distribution.manifest.v2+json",
            "config": {"mediaType": "application/vnd.docker.container.image.v1+json",
                       "size": len(self.config), "digest": sha(self.config)},
            "layers": [{"mediaType": lmt, "size": len(b), "digest": sha(b)} for b in self.blobs],
        }, indent=3).encode()
        self.id = sha(self.config)
        self.digest = sha(self.manifest)


class Hostile:
    """A v2 registry in Python whose answers a test can spoil.

    manifests[(name, ref)] = (media type, bytes); blobs[digest] = bytes.
    spoil: {"blob": {digest: mode}, "manifest": {(name, ref): mode}}, modes:
      "wrong-bytes", "truncate", "slow", "garbage", "lie-digest", "drip"
      (the body a few KB at a time, slowly, for cancellation tests)."""

    def __init__(self):
        self.manifests = {}
        self.blobs = {}
        self.spoil = {"blob": {}, "manifest": {}}
        self.requests = []
        self.slow_seconds = 5
        server = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *a):
                pass

            def do_GET(self):
                server.handle(self, body=True)

            def do_HEAD(self):
                server.handle(self, body=False)

        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.port = self.httpd.server_address[1]
        self.addr = "127.0.0.1:%d" % self.port
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    def add(self, name, ref, img, also_digest=True):
        mt = json.loads(img.manifest).get("mediaType", "application/vnd.oci.image.manifest.v1+json")
        self.manifests[(name, ref)] = (mt, img.manifest)
        if also_digest:
            self.manifests[(name, img.digest)] = (mt, img.manifest)
        self.blobs[sha(img.config)] = img.config
        for b in img.blobs:
            self.blobs[sha(b)] = b

    def add_raw(self, name, ref, mt, body):
        self.manifests[(name, ref)] = (mt, body)

    def handle(self, h, body):
        path = urllib.parse.urlparse(h.path).path
        self.requests.append((h.command, path, h.headers.get("Range")))
        if path == "/v2/":
            return self.send(h, 200, {"Content-Type": "application/json"}, b"{}", body)
        parts = path[4:].split("/")
        if len(parts) >= 3 and parts[-2] == "manifests":
            name, ref = "/".join(parts[:-2]), parts[-1]
            if (name, ref) not in self.manifests:
                return self.error(h, 404, "MANIFEST_UNKNOWN", "manifest unknown", body)
            mt, data = self.manifests[(name, ref)]
            mode = self.spoil["manifest"].get((name, ref))
            headers = {"Content-Type": mt, "Docker-Content-Digest": sha(data)}
            if mode == "lie-digest":
                headers["Docker-Content-Digest"] = sha(data + b"x")
            return self.send(h, 200, headers, data, body, mode)
        if len(parts) >= 3 and parts[-2] == "blobs":
            dg = parts[-1]
            if dg not in self.blobs:
                return self.error(h, 404, "BLOB_UNKNOWN", "blob unknown to registry", body)
            data = self.blobs[dg]
            mode = self.spoil["blob"].get(dg)
            if mode == "wrong-bytes":
                data = bytes(b ^ 0x55 for b in data)
            start = 0
            rng = h.headers.get("Range")
            if rng and rng.startswith("bytes=") and mode != "wrong-bytes":
                start = int(rng[6:].split("-")[0])
            headers = {"Content-Type": "application/octet-stream", "Docker-Content-Digest": dg}
            if start:
                headers["Content-Range"] = "bytes %d-%d/%d" % (start, len(data) - 1, len(data))
                return self.send(h, 206, headers, data[start:], body, mode)
            return self.send(h, 200, headers, data, body, mode)
        return self.error(h, 404, "NAME_UNKNOWN", "repository name not known to registry", body)

    def error(self, h, status, code, msg, body):
        data = json.dumps({"errors": [{"code": code, "message": msg, "detail": None}]}).encode()
        self.send(h, status, {"Content-Type": "application/json"}, data, body)

    def send(self, h, status, headers, data, body, mode=None):
        try:
            if mode == "garbage":
                h.wfile.write(b"\x00\x01garbage, not HTTP\r\n\r\n" + os.urandom(64))
                h.close_connection = True
                return
            if mode == "slow":
                time.sleep(self.slow_seconds)
            h.send_response(status)
            for k, v in headers.items():
                h.send_header(k, v)
            h.send_header("Content-Length", str(len(data)))
            h.send_header("Docker-Distribution-Api-Version", "registry/2.0")
            h.end_headers()
            if not body:
                return
            if mode == "truncate":
                h.wfile.write(data[:len(data) // 2])
                h.wfile.flush()
                h.close_connection = True
                h.connection.shutdown(socket.SHUT_RDWR)
                return
            if mode == "drip":
                for i in range(0, len(data), 4096):
                    h.wfile.write(data[i:i + 4096])
                    h.wfile.flush()
                    time.sleep(0.05)
                return
            h.wfile.write(data)
        except (BrokenPipeError, ConnectionResetError, OSError):
            h.close_connection = True

    def stop(self):
        self.httpd.shutdown()
        self.httpd.server_close()
