#!/usr/bin/env python3
"""Wake-up latency: how long after a service sends ReqRequestAuthSession does a device's
long-poll (GET /device/v1/sessions?wait=30) return with that session?

Everything over TLS on 127.0.0.1 (devices and services use HTTPS), the certificate checked
against the setup's CA under the name "localhost". Each sample cancels its session before the
next, so the ID never has two live sessions and is never suspended (R-S7).

  latency.py --port P1 --ca tls/ca.crt --pubkey dev.pub [--samples 200]
"""
import argparse
import http.client
import json
import math
import socket
import ssl
import statistics
import sys
import threading
import time


class TLSConnection(http.client.HTTPSConnection):
    """Connects to 127.0.0.1 but checks the certificate for "localhost"."""

    def connect(self):
        sock = socket.create_connection((self.host, self.port), self.timeout)
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.sock = self._context.wrap_socket(sock, server_hostname="localhost")


def form(fields):
    return "&".join(f"{k}={v}" for k, v in fields.items())


def parse_answer(body):
    # Service API answers are raw key=value&… (values are not URL-encoded, R-S1).
    return dict(kv.split("=", 1) for kv in body.decode().split("&"))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--port", type=int, required=True)
    ap.add_argument("--ca", required=True)
    ap.add_argument("--pubkey", required=True)
    ap.add_argument("--id", default="latency")
    ap.add_argument("--samples", type=int, default=200)
    a = ap.parse_args()
    sys.setswitchinterval(0.0002)  # the waiting thread must not queue for the GIL for 5 ms

    ctx = ssl.create_default_context(cafile=a.ca)
    mk = lambda: TLSConnection("127.0.0.1", a.port, context=ctx, timeout=40)
    device, service = mk(), mk()  # two keep-alive connections, like a phone and a website
    form_headers = {"Content-Type": "application/x-www-form-urlencoded"}

    # Enrol our own device (a new ID needs no activation code) to get a bearer token.
    device.request("POST", "/device/v1/enroll", headers={"Content-Type": "application/json"},
                   body=json.dumps({"id": a.id, "device_name": "latency", "key_type": "p256",
                                    "public_key": open(a.pubkey).read()}))
    r = device.getresponse()
    enrolled = json.loads(r.read())
    if r.status != 201:
        sys.exit(f"latency: enrol failed: {r.status} {enrolled}")
    auth = {"Authorization": "Bearer " + enrolled["device_token"]}

    samples = []
    for _ in range(a.samples):
        got = {}

        def long_poll():
            device.request("GET", "/device/v1/sessions?wait=30", headers=auth)
            resp = device.getresponse()
            body = resp.read()
            got["t"], got["status"], got["body"] = time.perf_counter(), resp.status, body

        waiter = threading.Thread(target=long_poll)
        waiter.start()
        time.sleep(0.02)  # let the long-poll reach the server and park there
        t0 = time.perf_counter()
        service.request("POST", "/", headers=form_headers, body=form({
            "request": "ReqRequestAuthSession", "secsignid": a.id,
            "servicename": "latency", "serviceaddress": "127.0.0.1"}))
        created = parse_answer(service.getresponse().read())
        waiter.join(35)
        if "error" in created or created.get("authsessionstate") != "1":
            sys.exit(f"latency: creation failed or not pending: {created}")
        listed = json.loads(got.get("body") or b"{}").get("sessions", [])
        if got.get("status") != 200 or [s["authsessionid"] for s in listed] != [created["authsessionid"]]:
            sys.exit(f"latency: long-poll did not return the new session: {got}")
        samples.append((got["t"] - t0) * 1000)

        service.request("POST", "/", headers=form_headers, body=form({
            "request": "ReqCancelAuthSession", "secsignid": a.id,
            "authsessionid": created["authsessionid"], "requestid": created["requestid"]}))
        cancelled = parse_answer(service.getresponse().read())
        if "error" in cancelled:
            sys.exit(f"latency: cancel failed: {cancelled}")

    samples.sort()
    pct = lambda p: samples[max(0, math.ceil(p / 100 * len(samples)) - 1)]  # nearest rank
    print(f"LAT n={len(samples)} p50_ms={pct(50):.2f} p99_ms={pct(99):.2f} "
          f"max_ms={samples[-1]:.2f} mean_ms={statistics.fmean(samples):.2f}")


if __name__ == "__main__":
    main()
