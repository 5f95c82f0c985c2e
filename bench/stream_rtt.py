#!/usr/bin/python3
"""stream_rtt.py SOCKET CONTAINER N: the round-trip time of one byte through
`exec -i cat` over the hijacked exec stream (the Docker API, so it measures
engined and dockerd alike): exec create, exec start with Upgrade, then N
times "send a byte, wait for its frame". Prints the median and the 99th
percentile in microseconds."""
import json
import socket
import sys
import time


def request(path_sock, method, path, body, upgrade):
    s = socket.socket(socket.AF_UNIX)
    s.connect(path_sock)
    data = json.dumps(body).encode()
    up = "Connection: Upgrade\r\nUpgrade: tcp\r\n" if upgrade else ""
    s.sendall(("%s %s HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: %d\r\n%s\r\n"
               % (method, path, len(data), up)).encode() + data)
    buf = b""
    while b"\r\n\r\n" not in buf:
        buf += s.recv(4096)
    head, _, rest = buf.partition(b"\r\n\r\n")
    return s, head, rest


def main():
    sock, ctr, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
    s, head, rest = request(sock, "POST", "/v1.41/containers/%s/exec" % ctr,
                            {"Cmd": ["cat"], "AttachStdin": True, "AttachStdout": True}, False)
    while rest.count(b"}") < 1:
        rest += s.recv(4096)
    if b"Content-Length" in head:
        body = rest
    else:  # chunked
        body = rest.split(b"\r\n", 1)[1]
    eid = json.loads(body[body.index(b"{"):body.rindex(b"}") + 1])["Id"]
    s.close()
    s, head, rest = request(sock, "POST", "/v1.41/exec/%s/start" % eid, {"Detach": False, "Tty": False}, True)
    if not head.startswith(b"HTTP/1.1 101"):
        sys.exit("exec start: %r" % head)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 1 << 16)
    times = []
    for _ in range(n):
        t = time.perf_counter()
        s.sendall(b"x")
        got = b""
        while len(got) < 9:  # an 8-byte header and the byte
            got += s.recv(64)
        times.append((time.perf_counter() - t) * 1e6)
    s.shutdown(socket.SHUT_WR)
    s.close()
    times.sort()
    print("%.0f %.0f" % (times[len(times) // 2], times[int(len(times) * 0.99)]))


if __name__ == "__main__":
    main()
