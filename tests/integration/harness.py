"""Test harness: real twofoldd over TLS on loopback, the real `twofold` and `twofold-auth`.

Binaries come from TWOFOLD_BIN_DIR (the build tree's apps/ folder). Every server gets its own
temporary directory and free ports, and is stopped (SIGTERM, exit code checked) at the end.
"""
import base64
import http.client
import os
import re
import shutil
import signal
import socket
import ssl
import subprocess
import tempfile
import time
import unittest

BIN_DIR = os.environ.get("TWOFOLD_BIN_DIR", os.path.join(os.path.dirname(__file__),
                                                          "../../build/asan/apps"))
TWOFOLDD = os.path.join(BIN_DIR, "twofoldd", "twofoldd")
TWOFOLD = os.path.join(BIN_DIR, "twofold", "twofold")
TWOFOLD_AUTH = os.path.join(BIN_DIR, "twofold-auth", "twofold-auth")

# Session states of the service API (SPEC R-S3).
NOSTATE, PENDING, EXPIRED, ACCEPTED, DENIED, SUSPENDED, CANCELED, FETCHED, INVALID = range(9)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def parse_answer(body):
    """Splits a service API answer as the public clients do: on '&' and the first '='."""
    if not body:
        raise AssertionError("empty answer body")
    out = {}
    for pair in body.split("&"):
        key, _, value = pair.partition("=")
        out[key] = value
    return out


def set_option(config_text, section, key, value):
    """Sets `key = value` in `[section]` of the TOML that `twofold setup` writes."""
    lines = config_text.split("\n")
    start = lines.index(f"[{section}]")
    end = next((i for i in range(start + 1, len(lines)) if lines[i].startswith("[")), len(lines))
    pattern = re.compile(rf"^#?\s*{re.escape(key)}\s*=")
    for i in range(start + 1, end):
        if pattern.match(lines[i]):
            lines[i] = f"{key} = {value}"
            return "\n".join(lines)
    lines.insert(end, f"{key} = {value}")
    return "\n".join(lines)


class Server:
    """One twofoldd in its own directory. `options` maps (section, key) to a TOML value."""

    def __init__(self, options=None, http_port=True):
        self.dir = tempfile.mkdtemp(prefix="twofold-it-")
        self.https_port = free_port()
        self.http_port = free_port() if http_port else 0
        while self.http_port == self.https_port:  # the kernel may hand out a port twice
            self.http_port = free_port()
        run([TWOFOLD, "setup", "--quick", "--dir", self.dir, "--https-port", str(self.https_port),
             "--http-port", str(self.http_port)])
        self.config = os.path.join(self.dir, "twofold.toml")
        self.ca = os.path.join(self.dir, "tls", "ca.crt")
        self.log = os.path.join(self.dir, "twofoldd.out")
        self.configure(options or {})
        self.proc = None
        self.url = f"https://localhost:{self.https_port}"

    def configure(self, options):
        with open(self.config) as f:
            text = f.read()
        for (section, key), value in options.items():
            text = set_option(text, section, key, value)
        with open(self.config, "w") as f:
            f.write(text)

    def start(self):
        self.log_file = open(self.log, "ab")
        self.proc = subprocess.Popen([TWOFOLDD, "--config", self.config],
                                     stdout=self.log_file, stderr=subprocess.STDOUT)
        deadline = time.time() + 30
        while time.time() < deadline:
            if self.proc.poll() is not None:
                raise AssertionError(f"twofoldd exited with {self.proc.returncode}:\n{self.output()}")
            try:
                socket.create_connection(("127.0.0.1", self.https_port), timeout=0.2).close()
                return self
            except OSError:
                time.sleep(0.05)
        raise AssertionError("twofoldd did not start listening within 30 s")

    def stop(self):
        """SIGTERM; asserts a clean exit (0) without sanitizer reports."""
        if self.proc is None:
            return
        self.proc.send_signal(signal.SIGTERM)
        try:
            code = self.proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
            raise AssertionError("twofoldd did not stop within 20 s of SIGTERM")
        finally:
            self.proc = None
            self.log_file.close()
        out = self.output()
        if code != 0 or "Sanitizer" in out or "runtime error" in out:
            raise AssertionError(f"twofoldd exited with {code}:\n{out[-4000:]}")

    def output(self):
        return read_text(self.log)

    def cleanup(self):
        try:
            self.stop()
        finally:
            shutil.rmtree(self.dir, ignore_errors=True)

    # --- service API -------------------------------------------------------------------------
    def tls_context(self):
        ctx = ssl.create_default_context(cafile=self.ca)
        return ctx

    def connection(self, plain=False):
        if plain:
            return http.client.HTTPConnection("127.0.0.1", self.http_port, timeout=15)
        return http.client.HTTPSConnection("localhost", self.https_port, timeout=15,
                                           context=self.tls_context())

    def post_raw(self, body, path="/", headers=None, conn=None):
        """POSTs `body` (str or bytes); returns (status, body text)."""
        own = conn is None
        conn = conn or self.connection()
        hdrs = {"Content-Type": "application/x-www-form-urlencoded"}
        hdrs.update(headers or {})
        conn.request("POST", path, body=body, headers=hdrs)
        resp = conn.getresponse()
        text = resp.read().decode("utf-8", errors="replace")
        if own:
            conn.close()
        return resp.status, text

    def raw_bytes(self, data, plain=False):
        """Sends `data` (bytes) as is over TLS, or plain HTTP, and returns every byte the
        server sends until it closes."""
        port = self.http_port if plain else self.https_port
        with socket.create_connection(("127.0.0.1", port), timeout=15) as tcp:
            conn = tcp if plain else self.tls_context().wrap_socket(
                tcp, server_hostname="localhost")
            with conn:
                conn.sendall(data)
                answer = b""
                try:
                    while chunk := conn.recv(65536):
                        answer += chunk
                except (ConnectionResetError, ssl.SSLError):
                    pass  # the server may close without close_notify after a refusal
        return answer

    def raw(self, data):
        """Sends `data` (bytes, a whole request, Connection: close) over TLS as is and reads
        to the end: (status, {lower-case name: value}, the bytes after the head). Shows what
        a client library would hide (a body after HEAD) and sends what it would refuse."""
        head, _, rest = self.raw_bytes(data).partition(b"\r\n\r\n")
        status_line, *fields = head.decode("latin-1").split("\r\n")
        headers = {k.lower(): v for k, _, v in (f.partition(": ") for f in fields)}
        return int(status_line.split(" ")[1]), headers, rest

    def request_bytes(self, method, target, headers=(), body=b""):
        """A request as raw bytes (for raw()), with Host, Connection: close, Content-Length."""
        lines = [f"{method} {target} HTTP/1.1", f"Host: localhost:{self.https_port}",
                 "Connection: close", *headers]
        if body or method in ("POST", "PUT"):
            lines.append(f"Content-Length: {len(body)}")
        return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + body

    def service(self, request, conn=None, **params):
        """One service API request; returns (HTTP status, parsed answer)."""
        from urllib.parse import urlencode
        status, body = self.post_raw(urlencode({"request": request, **params}), conn=conn)
        return status, parse_answer(body)

    def request_auth(self, secsignid, servicename="Demo", serviceaddress="https://demo.example",
                     **extra):
        return self.service("ReqRequestAuthSession", secsignid=secsignid, servicename=servicename,
                            serviceaddress=serviceaddress, apimethod="it-test", **extra)

    def session_call(self, request, session, **override):
        params = {k: session[k] for k in ("secsignid", "authsessionid", "requestid")}
        params.update(override)
        return self.service(request, **params)

    def state(self, session):
        status, answer = self.session_call("ReqGetAuthSessionState", session)
        if "error" in answer:
            raise AssertionError(f"state query failed: {status} {answer}")
        return int(answer["authsessionstate"])

    def cli(self, *args, check=True):
        return run([TWOFOLD, "--config", self.config, *args], check=check)

    def add_client(self, *args):
        """`twofold client add ARGS…`: the new client's id and secret (None without one)."""
        out = self.cli("client", "add", *args).stdout
        secret = re.search(r"client_secret: (\S+)", out)
        return re.search(r"client_id: (\S+)", out).group(1), secret.group(1) if secret else None


class Authenticator:
    """A `twofold-auth` state directory: one simulated phone."""

    def __init__(self, server, pin="4711"):
        self.server = server
        self.state = tempfile.mkdtemp(prefix="twofold-auth-it-")
        self.pin = pin

    def run(self, *args, check=True, timeout=60):
        env = dict(os.environ, TWOFOLD_PIN=self.pin, TWOFOLD_AUTH_FAST_KDF="1")
        return run([TWOFOLD_AUTH, "--state", self.state, *args], env=env, check=check,
                   timeout=timeout)

    def enrol(self, secsignid, key_type="p256", activation_code=None, check=True):
        args = ["enrol", "--server", self.server.url, "--ca", self.server.ca, "--id", secsignid,
                "--key-type", key_type, "--device-name", "it-" + secsignid]
        if activation_code:
            args += ["--activation-code", activation_code]
        return self.run(*args, check=check)

    def cleanup(self):
        shutil.rmtree(self.state, ignore_errors=True)


def run(args, env=None, check=True, timeout=60):
    proc = subprocess.run(args, env=env, capture_output=True, text=True, timeout=timeout)
    if check and proc.returncode != 0:
        raise AssertionError(f"{' '.join(args)} exited with {proc.returncode}:\n"
                             f"{proc.stdout}\n{proc.stderr}")
    return proc


def read_text(path):
    with open(path, errors="replace") as f:
        return f.read()


def write_png(answer, directory):
    """Writes the access pass of a session answer to a file, as a website would show it."""
    path = os.path.join(directory, f"pass-{answer['authsessionid']}.png")
    with open(path, "wb") as f:
        f.write(base64.b64decode(answer["authsessionicondata"], validate=True))
    return path


class ServerTestCase(unittest.TestCase):
    """A fresh server per test class (fast) with helpers to enrol IDs."""
    options = {}

    @classmethod
    def setUpClass(cls):
        cls.server = Server(cls.options).start()

    @classmethod
    def tearDownClass(cls):
        cls.server.cleanup()

    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix="twofold-it-case-")
        self.devices = []

    def tearDown(self):
        for d in self.devices:
            d.cleanup()
        shutil.rmtree(self.tmp, ignore_errors=True)

    def device(self, secsignid=None, key_type="p256", activation_code=None):
        d = Authenticator(self.server)
        self.devices.append(d)
        if secsignid:
            d.enrol(secsignid, key_type=key_type, activation_code=activation_code)
        return d

    def unique_id(self, prefix="user"):
        ServerTestCase._counter = getattr(ServerTestCase, "_counter", 0) + 1
        return f"{prefix}{ServerTestCase._counter}.{os.getpid()}"


class DeviceKey:
    """A device driven straight through the device API, signing with the openssl CLI: lets a
    test send what `twofold-auth` never would (replays, late answers, forged signatures)."""

    def __init__(self, server, directory):
        self.server = server
        self.key = os.path.join(directory, f"key-{time.monotonic_ns()}.pem")
        run(["openssl", "ecparam", "-genkey", "-name", "prime256v1", "-noout", "-out", self.key])
        self.public_pem = run(["openssl", "pkey", "-in", self.key, "-pubout"]).stdout
        self.token = None

    def call(self, method, path, body=None):
        import json
        conn = self.server.connection()
        headers = {"Content-Type": "application/json"}
        if self.token:
            headers["Authorization"] = "Bearer " + self.token
        conn.request(method, path, body=json.dumps(body) if body is not None else None,
                     headers=headers)
        resp = conn.getresponse()
        data = resp.read()
        conn.close()
        return resp.status, (json.loads(data) if data else None)

    def enrol(self, secsignid, activation_code=None):
        body = {"id": secsignid, "device_name": "raw", "key_type": "p256",
                "public_key": self.public_pem}
        if activation_code:
            body["activation_code"] = activation_code
        status, answer = self.call("POST", "/device/v1/enroll", body)
        if status != 201:
            raise AssertionError(f"enrol failed: {status} {answer}")
        self.token = answer["device_token"]
        return answer

    def sign(self, message):
        proc = subprocess.run(["openssl", "dgst", "-sha256", "-sign", self.key],
                              input=message.encode(), capture_output=True, check=True)
        return base64.b64encode(proc.stdout).decode()

    def sessions(self, wait=0):
        status, answer = self.call("GET", f"/device/v1/sessions?wait={wait}")
        if status != 200:
            raise AssertionError(f"sessions failed: {status} {answer}")
        return answer["sessions"]

    def candidates(self, authsessionid):
        status, answer = self.call("GET", f"/device/v1/sessions/{authsessionid}/symbols")
        if status != 200:
            raise AssertionError(f"symbols failed: {status} {answer}")
        return answer["candidates"]

    def answer_body(self, session, decision, symbol):
        message = "\n".join(["twofold-answer-v1", session["authsessionid"], str(symbol),
                             session["nonce"], decision])
        return {"decision": decision, "symbol": symbol, "nonce": session["nonce"],
                "signature": self.sign(message)}

    def answer(self, session, body):
        return self.call("POST", f"/device/v1/sessions/{session['authsessionid']}/answer", body)


def correct_symbol(candidates, answer):
    """The candidate whose PNG is the access pass the website got."""
    matches = [c["symbol"] for c in candidates if c["png"] == answer["authsessionicondata"]]
    if len(matches) != 1:
        raise AssertionError(f"access pass matches {len(matches)} candidates")
    return matches[0]
