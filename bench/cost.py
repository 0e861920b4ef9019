#!/usr/bin/env python3
"""bench/cost.py: sends N keep-alive requests one after the other on C connections (plain
HTTP, loopback) and checks every answer is 200; bench/cost.sh counts the server's
instructions meanwhile. A fixed count, unlike wrk's fixed time, makes callgrind figures
comparable between builds.
  cost.py HOST PORT N C METHOD PATH [BASIC_B64 BODY]"""
import socket
import sys


def main():
    host, port, n, c, method, path = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), \
        int(sys.argv[4]), sys.argv[5], sys.argv[6]
    headers = f"{method} {path} HTTP/1.1\r\nHost: {host}:{port}\r\n"
    body = b""
    if len(sys.argv) > 7:
        body = sys.argv[8].encode()
        headers += (f"Authorization: Basic {sys.argv[7]}\r\n"
                    "Content-Type: application/x-www-form-urlencoded\r\n"
                    f"Content-Length: {len(body)}\r\n")
    request = (headers + "\r\n").encode() + body
    conns = [socket.create_connection((host, port), timeout=60) for _ in range(c)]
    bufs = [b""] * c
    for i in range(n):
        k = i % c
        s = conns[k]
        s.sendall(request)
        buf = bufs[k]
        while b"\r\n\r\n" not in buf:
            chunk = s.recv(65536)
            if not chunk:
                sys.exit("connection closed")
            buf += chunk
        head, _, rest = buf.partition(b"\r\n\r\n")
        status = head.split(b" ", 2)[1]
        if status != b"200":
            sys.exit(f"answer {status!r}: {buf[:300]!r}")
        length = 0
        for line in head.split(b"\r\n")[1:]:
            name, _, value = line.partition(b":")
            if name.strip().lower() == b"content-length":
                length = int(value)
        while len(rest) < length:
            chunk = s.recv(65536)
            if not chunk:
                sys.exit("connection closed")
            rest += chunk
        bufs[k] = rest[length:]
    for s in conns:
        s.close()


main()
