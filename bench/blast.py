#!/usr/bin/env python3
"""Fixed-count HTTP/1.1 load: N requests over C keep-alive connections, pipelined D deep.

wrk runs for a duration, not a count, so bulk set-up (enrolling the ID pool, creating the
100,000 pending sessions for the memory figure) uses this instead. Plain HTTP only.

  blast.py enrol  --port P --prefix p --ranges 0:100000 --pubkey key.pem
  blast.py create --port P --prefix p --ranges 0:50000,50000:100000

Prints one summary line; exits 1 if any answer was not the expected success.
"""
import argparse
import asyncio
import json
import sys
import time


def enrol_request(name, pem):
    body = json.dumps({"id": name, "device_name": "bench", "key_type": "p256",
                       "public_key": pem}).encode()
    return (b"POST /device/v1/enroll HTTP/1.1\r\nHost: 127.0.0.1\r\n"
            b"Content-Type: application/json\r\nContent-Length: %d\r\n\r\n" % len(body)) + body


def create_request(name):
    body = (f"request=ReqRequestAuthSession&secsignid={name}"
            "&servicename=bench&serviceaddress=127.0.0.1").encode()
    return (b"POST / HTTP/1.1\r\nHost: 127.0.0.1\r\n"
            b"Content-Type: application/x-www-form-urlencoded\r\n"
            b"Content-Length: %d\r\n\r\n" % len(body)) + body


async def read_response(reader):
    head = await reader.readuntil(b"\r\n\r\n")
    status = int(head[9:12])
    length = 0
    for line in head.split(b"\r\n")[1:]:
        if line[:15].lower() == b"content-length:":
            length = int(line[15:])
    body = await reader.readexactly(length) if length else b""
    return status, body


async def worker(port, jobs, depth, ok_status, tally):
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    try:
        while True:
            batch = [r for _, r in zip(range(depth), jobs)]  # shared iterator: no overlap
            if not batch:
                return
            writer.write(b"".join(batch))
            await writer.drain()
            for _ in batch:
                status, body = await read_response(reader)
                if status == ok_status and not body.startswith(b"error="):
                    tally["ok"] += 1
                    if body.find(b"authsessionstate=1&") >= 0:
                        tally["pending"] += 1
                else:
                    tally["bad"] += 1
                    if tally["bad"] <= 3:
                        print(f"blast: unexpected answer {status}: {body[:200]!r}", file=sys.stderr)
    finally:
        writer.close()


async def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("mode", choices=["enrol", "create"])
    ap.add_argument("--port", type=int, required=True)
    ap.add_argument("--prefix", default="p")
    ap.add_argument("--ranges", required=True, help="a:b[,c:d…] ID numbers, b exclusive")
    ap.add_argument("--pubkey")
    ap.add_argument("--conns", type=int, default=8)
    ap.add_argument("--depth", type=int, default=16)
    a = ap.parse_args()

    names = (f"{a.prefix}{i}" for r in a.ranges.split(",") if r
             for i in range(*map(int, r.split(":"))))
    if a.mode == "enrol":
        pem = open(a.pubkey).read()
        jobs, ok_status = (enrol_request(n, pem) for n in names), 201
    else:
        jobs, ok_status = (create_request(n) for n in names), 200

    tally = {"ok": 0, "bad": 0, "pending": 0}
    t0 = time.perf_counter()
    await asyncio.gather(*(worker(a.port, jobs, a.depth, ok_status, tally)
                           for _ in range(a.conns)))
    dt = time.perf_counter() - t0
    extra = f" pending={tally['pending']}" if a.mode == "create" else ""
    print(f"blast {a.mode}: ok={tally['ok']} bad={tally['bad']}{extra} "
          f"in {dt:.1f}s = {tally['ok'] / dt:.0f}/s")
    return 1 if tally["bad"] else 0


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
