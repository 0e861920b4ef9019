#!/usr/bin/env python3
"""bench/login.py: password logins per second against the database source (issues 3 and 4).

Starts a throw-away release twofoldd on free loopback ports (as bench/run does), then:
  * the hashing bound: `twofold source test ID --repeat N --threads <cores>` (the server's own
    password check, Argon2id at the configured cost) on the idle machine;
  * TOTP for BENCH_LOGIN_USERS IDs, set up through the real /account page (sign in with the
    password, "begin", read the secret off the page, confirm an RFC 6238 code);
  * the password step alone: authorize -> /login -> ID + password -> the code page, from
    BENCH_LOGIN_CLIENTS parallel clients for BENCH_LOGIN_SECONDS;
  * full logins: authorize -> ID + password -> TOTP code -> redirect to the client with a code.
    A TOTP step is accepted once per ID, so every full login uses an ID of its own;
  * the same at 1,000 and at 1,000,000 IDs in the database (rows inserted directly in one
    transaction, with the password hash of a real ID, so every ID can sign in);
  * Glewlwyd's password logins (../shared/anchors/glewlwyd, PBKDF2 150k) when present.
Prints RESULT lines. Only ever touches its own temp directory and 127.0.0.1.
  python3 bench/login.py [BUILD_APPS_DIR]   (default build/release/apps)
  BENCH_LOGIN_CLIENTS=4  BENCH_LOGIN_SECONDS=10  BENCH_LOGIN_BIG=1000000
  BENCH_LOGIN_USERS=N (TOTP IDs per size; default: hashing bound x seconds, at most 400)
  BENCH_LOGIN_PEER=1 (0 skips Glewlwyd)
"""
import base64
import hashlib
import hmac
import os
import queue
import re
import shutil
import socket
import sqlite3
import struct
import subprocess
import sys
import tempfile
import threading
import time
import types

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "tests", "integration"))
APPS = sys.argv[1] if len(sys.argv) > 1 else os.path.join(ROOT, "build", "release", "apps")

os.environ.setdefault("TWOFOLD_BIN_DIR", APPS)
from harness import set_option  # noqa: E402
from scripted_login import ScriptedBrowser  # noqa: E402

TWOFOLD = os.path.join(APPS, "twofold", "twofold")
TWOFOLDD = os.path.join(APPS, "twofoldd", "twofoldd")
CLIENTS = int(os.environ.get("BENCH_LOGIN_CLIENTS", "4"))
SECONDS = float(os.environ.get("BENCH_LOGIN_SECONDS", "10"))
# TOTP IDs per database size (one full login each); by default enough for about
# BENCH_LOGIN_SECONDS of full logins at the measured hashing bound.
USERS = int(os.environ.get("BENCH_LOGIN_USERS", "0"))
BIG = int(os.environ.get("BENCH_LOGIN_BIG", "1000000"))
PEER = os.environ.get("BENCH_LOGIN_PEER", "1") == "1"
SMALL = 1000
PASSWORD = "Bench-Passw0rd-1"
REDIRECT = "https://127.0.0.1:9/cb"  # never followed: the login ends at the redirect
CORES = os.cpu_count() or 1
ANCHORS = os.path.join(os.path.dirname(ROOT), "shared", "anchors")
if not os.path.isdir(ANCHORS):
    ANCHORS = "/work/shared/anchors"


def uid(i):
    """The bench's IDs: zero-padded, so the inserts go in key order."""
    return f"b{i:07d}"


def log(msg):
    print(f"== [{time.monotonic() - T0:5.0f}s] {msg}", file=sys.stderr, flush=True)


def die(msg):
    sys.exit(f"bench/login: {msg}")


def totp(secret_base32, step, digits=6):
    key = base64.b32decode(secret_base32 + "=" * (-len(secret_base32) % 8))
    mac = hmac.new(key, struct.pack(">Q", step), hashlib.sha1).digest()
    offset = mac[-1] & 0x0F
    value = struct.unpack(">I", mac[offset:offset + 4])[0] & 0x7FFFFFFF
    return str(value % 10**digits).zfill(digits)


def free_ports(n):
    socks = [socket.socket() for _ in range(n)]
    for s in socks:
        s.bind(("127.0.0.1", 0))
    ports = [s.getsockname()[1] for s in socks]
    for s in socks:
        s.close()
    return ports


def config_value(text, section, key):
    m = re.search(rf"^\[{re.escape(section)}\]\n(?:(?!\[).*\n)*?#?\s*{re.escape(key)}\s*=\s*(\S+)",
                  text, re.M)
    return m.group(1) if m else "?"


class Bench:
    def __init__(self, tmp):
        self.tmp = tmp
        self.proc = None
        self.https, self.http = free_ports(2)
        subprocess.run([TWOFOLD, "setup", "--quick", "--dir", tmp, "--https-port",
                        str(self.https), "--http-port", str(self.http)],
                       check=True, capture_output=True, timeout=120)
        self.config = os.path.join(tmp, "twofold.toml")
        with open(self.config) as f:
            text = f.read()
        # A user may sign in at most 10 times a minute by default (R-P1); the bench signs the
        # same IDs in far more often. The log goes to a file, not the terminal.
        text = set_option(text, "regulation", "sessions_per_user_per_minute", "0")
        text = set_option(text, "log", "file", '"twofoldd.log"')
        with open(self.config, "w") as f:
            f.write(text)
        self.cost = (f"argon2_opslimit={config_value(text, 'password', 'argon2_opslimit')}, "
                     f"memlimit={config_value(text, 'password', 'argon2_memlimit_kib')} KiB")
        self.db = os.path.join(tmp, "twofold.db")
        self.url = f"https://localhost:{self.https}"
        self.ca = os.path.join(tmp, "tls", "ca.crt")
        self.count = 0

    def cli(self, *args, stdin=None):
        proc = subprocess.run([TWOFOLD, "--config", self.config, *args], input=stdin, text=True,
                              capture_output=True, timeout=600)
        if proc.returncode != 0:
            die(f"twofold {' '.join(args)} failed:\n{proc.stdout}{proc.stderr}")
        return proc.stdout

    def start(self):
        self.out = open(os.path.join(self.tmp, "twofoldd.out"), "wb")
        self.proc = subprocess.Popen([TWOFOLDD, "--config", self.config], stdout=self.out,
                                     stderr=subprocess.STDOUT)
        deadline = time.time() + 30
        while time.time() < deadline:
            if self.proc.poll() is not None:
                die("twofoldd exited at start: " + open(os.path.join(self.tmp, "twofoldd.out")).read()[-1500:])
            try:
                socket.create_connection(("127.0.0.1", self.https), timeout=0.2).close()
                # the port must be ours, not another server's
                ss = subprocess.run(["ss", "-Hltnp", f"sport = :{self.https}"],
                                    capture_output=True, text=True).stdout
                if f"pid={self.proc.pid}," not in ss:
                    die(f"port {self.https} is not served by our twofoldd")
                return
            except OSError:
                time.sleep(0.05)
        die("twofoldd did not listen within 30 s")

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.proc = None

    def fill(self, total, hash_row):
        """Adds IDs uid(count) … uid(total-1) with a copy of a real password hash, one transaction
        (generated inside SQLite, in key order: a million rows take seconds, the CLI hours)."""
        db = sqlite3.connect(self.db, timeout=30)
        now = int(time.time() * 1000)
        first, last = self.count, total - 1
        numbers = "WITH RECURSIVE n(i) AS (SELECT ? UNION ALL SELECT i + 1 FROM n WHERE i < ?) "
        with db:
            db.execute(numbers + "INSERT INTO identities(key, name, created_ms) "
                       "SELECT printf('b%07d', i), printf('b%07d', i), ? FROM n", (first, last, now))
            db.execute(numbers + "INSERT INTO passwords(identity_key, hash, changed_ms) "
                       "SELECT printf('b%07d', i), ?, ? FROM n", (first, last, hash_row, now))
        n = db.execute("SELECT COUNT(*) FROM passwords").fetchone()[0]
        db.close()
        self.count = total
        return n

    def checks_per_second(self, user, count, threads):
        out = self.cli("source", "test", user, "--repeat", str(count), "--threads", str(threads),
                       stdin=PASSWORD + "\n")
        m = re.search(r"([\d.]+) per second, p50 ([\d.]+) ms, p99 ([\d.]+) ms, (\d+) accepted",
                      out)
        if not m or int(m.group(4)) != count:
            die(f"source test did not accept every check: {out}")
        return float(m.group(1)), float(m.group(2))


def browser(bench):
    return ScriptedBrowser(types.SimpleNamespace(url=bench.url, ca=bench.ca))


def enrol_totp(bench, b, user):
    """Signs in on /account with the password and sets up an authenticator app."""
    b.http.cookies.clear()
    r = b._follow(b.http.get(bench.url + "/account", allow_redirects=False, timeout=30))
    if "/login" not in r.url:
        die(f"/account did not ask for a sign-in: {r.status_code} {r.url}")
    r = b.identify(user, PASSWORD)
    if "No authenticator app is set up." not in b.page:
        die(f"no account page after the sign-in of {user}: {r.status_code}\n{b.page[:1500]}")
    post = dict(headers={"Origin": bench.url}, allow_redirects=False, timeout=30)
    r = b.http.post(bench.url + "/account", data={"csrf": b.csrf, "action": "begin"}, **post)
    m = re.search(r'id="totp-secret">([^<]+)<', r.text)
    if not m:
        die(f"no TOTP secret on the page: {r.status_code}\n{r.text[:1500]}")
    secret = m.group(1).replace(" ", "")
    step = int(time.time()) // 30
    r = b.http.post(bench.url + "/account",
                    data={"csrf": b.csrf, "action": "confirm", "code": totp(secret, step)}, **post)
    if "An authenticator app is set up." not in r.text:
        die(f"TOTP not confirmed for {user}: {r.status_code}\n{r.text[:1500]}")
    return secret, step


def password_step(bench, b, client_id, user):
    """authorize -> /login -> ID + password; ends on the code page (the password was accepted)."""
    b.http.cookies.clear()  # a new browser each time (keeps the TLS connection)
    b.authorize(client_id, REDIRECT)
    r = b.identify(user, PASSWORD)
    if 'name="code"' not in b.page:
        die(f"password step for {user} did not reach the code page: {r.status_code}\n"
            f"{b.page[:1500]}")


def full_login(bench, b, client_id, user, secret, enrolled_step):
    password_step(bench, b, client_id, user)
    # Every step is accepted once per ID: the enrolment used its step, so take a later one
    # (inside the ±1 window when the login happens in the same 30 s step).
    step = max(int(time.time()) // 30, enrolled_step + 1)
    r = b.submit(action="code", code=totp(secret, step))
    location = r.headers.get("Location", "")
    if r.status_code not in (302, 303) or not location.startswith(REDIRECT + "?code="):
        die(f"full login of {user} did not end at the client with a code: {r.status_code} "
            f"{location}\n{b.page[:1500]}")


def parallel(bench, clients, work, seconds=None):
    """Runs work(b, i) on `clients` threads (each with its own browser) until `seconds` pass
    or work raises StopIteration. Returns (completed, elapsed s, client CPU s, p50 ms)."""
    done, lat, errors = [0], [], []
    lock = threading.Lock()
    start = time.monotonic()
    cpu0 = time.process_time()
    deadline = start + seconds if seconds else None

    def run():
        b = browser(bench)
        try:
            while deadline is None or time.monotonic() < deadline:
                t0 = time.monotonic()
                try:
                    work(b)
                except StopIteration:
                    return
                with lock:
                    done[0] += 1
                    lat.append(time.monotonic() - t0)
        except BaseException as e:  # noqa: B902 — reported below, the bench fails
            errors.append(e)
        finally:
            b.close()

    threads = [threading.Thread(target=run) for _ in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    if errors:
        raise errors[0]
    elapsed = time.monotonic() - start
    lat.sort()
    p50 = lat[len(lat) // 2] * 1000 if lat else 0
    return done[0], elapsed, time.process_time() - cpu0, p50


def result(name, value, unit, extra=""):
    print(f"RESULT {name:<66} {value:>9.1f} {unit:<4} {extra}", flush=True)


def measure_size(bench, client_id, users, label):
    """The password step and full logins with the database at its current size."""
    names = [u for u, _, _ in users]
    it = iter(range(10**9))
    lock = threading.Lock()

    def step_work(b):
        with lock:
            user = names[next(it) % len(names)]
        password_step(bench, b, client_id, user)

    log(f"{label}: password step, {CLIENTS} clients, {SECONDS:.0f} s")
    n, secs, cpu, p50 = parallel(bench, CLIENTS, step_work, SECONDS)
    step_rate = n / secs
    result(f"password step/s ({label}: authorize, ID+password -> code page)", step_rate, "/s",
           f"({n} in {secs:.1f} s, p50 {p50:.0f} ms, client CPU {cpu / secs * 100:.0f}% of a core)")

    pool = queue.SimpleQueue()
    for u in users:
        pool.put(u)

    def full_work(b):
        try:
            user, secret, step = pool.get_nowait()
        except queue.Empty:
            raise StopIteration
        full_login(bench, b, client_id, user, secret, step)

    log(f"{label}: {len(users)} full logins (password + TOTP), {CLIENTS} clients")
    n, secs, cpu, p50 = parallel(bench, CLIENTS, full_work)
    full_rate = n / secs
    result(f"full logins/s ({label}: password + TOTP -> client redirect)", full_rate, "/s",
           f"({n} in {secs:.1f} s, p50 {p50:.0f} ms, client CPU {cpu / secs * 100:.0f}% of a core)")
    return step_rate, full_rate


def glewlwyd():
    """Glewlwyd's own scripts: the password grant and the authorization-code login."""
    here = os.path.join(ANCHORS, "glewlwyd")
    if not os.path.isfile(os.path.join(here, "bench.sh")):
        return None, "no ../shared/anchors/glewlwyd"
    run = tempfile.mkdtemp(prefix="twofold-bench-glewlwyd-")
    port = free_ports(1)[0]
    env = dict(os.environ, RUN=run, PORT=str(port), DUR="10", CONC="16", QUIET_WAIT="0",
               ONLY="^(ropc_password_grant_rs256|authcode_login_rs256)$")
    try:
        p = subprocess.run([os.path.join(here, "setup.sh")], env=env, capture_output=True,
                           text=True, timeout=300)
        if p.returncode != 0:
            return None, "setup.sh failed: " + (p.stdout + p.stderr)[-300:]
        p = subprocess.run([os.path.join(here, "bench.sh")], env=env, capture_output=True,
                           text=True, timeout=300)
        text = open(os.path.join(run, "results.txt")).read() if os.path.exists(
            os.path.join(run, "results.txt")) else ""
        ropc = re.search(r"^glewlwyd ropc_password_grant_rs256 req_s=([\d.]+).*?other_cpu_s=(\S+)",
                         text, re.M)
        code = re.search(r"^glewlwyd authcode_login_rs256 logins_s=([\d.]+).*?other_cpu_s=(\S+)",
                         text, re.M)
        if not ropc:
            return None, "bench.sh gave no figure: " + (p.stdout + p.stderr)[-300:]
        return (float(ropc.group(1)), float(code.group(1)) if code else None), (
            f"other CPU {ropc.group(2)}/{code.group(2) if code else '?'} s")
    finally:
        shutil.rmtree(run, ignore_errors=True)


def main():
    tmp = tempfile.mkdtemp(prefix="twofold-bench-login-")
    bench = Bench(tmp)
    load_start = open("/proc/loadavg").read().split()[:3]
    try:
        out = bench.cli("client", "add", "bench-login", "--name", "Bench", "--redirect-uri",
                        REDIRECT)
        client_id = re.search(r"client_id: (\S+)", out).group(1)
        bench.cli("user", "add", "seed", "--password-stdin", stdin=PASSWORD + "\n")
        db = sqlite3.connect(bench.db)
        hash_row = db.execute("SELECT hash FROM passwords WHERE identity_key = 'seed'").fetchone()[0]
        db.close()
        total = bench.fill(SMALL - 1, hash_row)  # with "seed": 1,000 IDs
        log(f"{total} IDs with a password; starting twofoldd")
        bench.start()

        log(f"hashing bound: twofold source test, {CORES} threads ({bench.cost})")
        one_rate, one_p50 = bench.checks_per_second(uid(7), 4, 1)
        bound, bound_p50 = bench.checks_per_second(uid(7), 8 * CORES, CORES)
        by_time = CORES * 1000 / one_p50
        users = USERS or max(2 * CLIENTS, min(400, round(bound * SECONDS)))

        log(f"setting up TOTP for {2 * users} IDs through /account ({CLIENTS} clients)")
        todo = queue.SimpleQueue()
        for i in range(2 * users):
            todo.put(uid(i))
        enrolled, lock = [], threading.Lock()

        def enrol_work(b):
            try:
                user = todo.get_nowait()
            except queue.Empty:
                raise StopIteration
            secret, step = enrol_totp(bench, b, user)
            with lock:
                enrolled.append((user, secret, step))

        n, secs, _, _ = parallel(bench, CLIENTS, enrol_work)
        log(f"{n} IDs enrolled in {secs:.1f} s")
        enrolled.sort(key=lambda u: int(u[0][1:]))
        small = measure_size(bench, client_id, enrolled[:users], "1,000 IDs")
        small_checks, _ = bench.checks_per_second(uid(SMALL - 2), 8 * CORES, CORES)

        log(f"inserting IDs up to {BIG:,} (one transaction)")
        t0 = time.monotonic()
        total = bench.fill(BIG - 1, hash_row)
        log(f"{total:,} IDs with a password (+{time.monotonic() - t0:.1f} s)")
        big = measure_size(bench, client_id, enrolled[users:], f"{total:,} IDs")
        big_checks, _ = bench.checks_per_second(uid(BIG - 2), 8 * CORES, CORES)
        load_mid = open("/proc/loadavg").read().split()[:3]
        bench.stop()

        peer, peer_note = (None, "skipped (BENCH_LOGIN_PEER=0)")
        if PEER:
            log("Glewlwyd: setup.sh + bench.sh (password grant, code-flow login, 10 s each)")
            peer, peer_note = glewlwyd()

        print()
        print(f"twofold login bench — {CORES} cores, {bench.cost}, {CLIENTS} clients; "
              f"load average at start {' '.join(load_start)}, after twofold "
              f"{' '.join(load_mid)}")
        result(f"hashing bound: source test checks/s, {CORES} threads (1,000 IDs)", bound, "/s",
               f"(p50 {bound_p50:.0f} ms; one thread: {one_rate:.1f}/s, p50 {one_p50:.0f} ms -> "
               f"cores/t = {by_time:.1f}/s)")
        # Each size against the source test run right after it: the machine's load drifts.
        for label, (step_rate, full_rate), checks in (("1,000 IDs", small, small_checks),
                                                     (f"{BIG:,} IDs", big, big_checks)):
            print(f"RESULT {'full logins / hashing bound (' + label + ')':<66} "
                  f"{full_rate / checks * 100:>9.0f} %    (target >= 90 %; bound {checks:.1f}/s "
                  f"measured right after; password step alone {step_rate / checks * 100:.0f} %)")
        print(f"RESULT {f'flat: {BIG:,} vs 1,000 IDs':<66} "
              f"{big[1] / small[1] * 100:>9.0f} %    (full logins; password step "
              f"{big[0] / small[0] * 100:.0f} %, source test {big_checks:.1f} vs "
              f"{small_checks:.1f}/s = {big_checks / small_checks * 100:.0f} %)")
        if peer:
            ropc, code = peer
            print(f"RESULT {'Glewlwyd 2.7.5 password grant logins/s (PBKDF2 150k, measured)':<66} "
                  f"{ropc:>9.1f} /s   (code-flow login "
                  f"{code if code is not None else 'n/a'}/s; {peer_note}; issue's figure 37/s)")
        else:
            print(f"RESULT {'Glewlwyd password logins/s (the issue figure, not measured)':<66} "
                  f"{37.0:>9.1f} /s   ({peer_note})")
    finally:
        bench.stop()
        shutil.rmtree(tmp, ignore_errors=True)


T0 = time.monotonic()
if __name__ == "__main__":
    main()
