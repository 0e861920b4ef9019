"""JWT client authentication (R-O2) as relying parties do it, with an independent client
library (Debian's python3-authlib and its ClientSecretJWT / PrivateKeyJWT auth classes):
client_secret_jwt (HS256 with the client secret, stored sealed), private_key_jwt with an
inline JWKS and with a jwks_uri served by a loopback HTTP server in the test; and the
assertions that must fail: a replayed jti, a wrong audience, an expired one, alg none, a key
the client never registered, HS256 for a private_key_jwt client, an unreachable jwks_uri."""
import base64
import http.server
import json
import os
import re
import threading
import time
import unittest
import uuid

import requests
from authlib.integrations.requests_client import OAuth2Session
from authlib.jose import JsonWebKey, jwt
from authlib.oauth2.rfc7523 import (ClientSecretJWT, PrivateKeyJWT, client_secret_jwt_sign,
                                    private_key_jwt_sign)

from harness import ServerTestCase, free_port


class JwksServer:
    """A client's jwks_uri on loopback: serves `document`, counts the fetches; with `delay`
    it answers that many seconds after a fetch arrives (`fetching` is set meanwhile)."""

    def __init__(self, delay=0.0):
        self.document = {"keys": []}
        self.fetches = 0
        self.fetching = threading.Event()
        outer = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self):
                outer.fetches += 1
                outer.fetching.set()
                time.sleep(delay)
                body = json.dumps(outer.document).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}/jwks.json"
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def close(self):
        self.httpd.shutdown()
        self.httpd.server_close()


def new_key(kty, kid):
    crv_or_size = "P-256" if kty == "EC" else 2048
    key = JsonWebKey.generate_key(kty, crv_or_size, is_private=True)
    public = key.as_dict(is_private=False)
    public.update({"kid": kid, "use": "sig", "alg": "ES256" if kty == "EC" else "RS256"})
    return key, public


class ClientAuthentication(ServerTestCase):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.jwks = JwksServer()
        cls.ec_key, ec_public = new_key("EC", "ec-1")
        cls.jwks.document = {"keys": [ec_public]}
        cls.rsa_key, rsa_public = new_key("RSA", "rsa-1")
        cls.jwks_file = os.path.join(cls.server.dir, "client-jwks.json")
        with open(cls.jwks_file, "w") as f:
            json.dump({"keys": [rsa_public]}, f)

    @classmethod
    def tearDownClass(cls):
        cls.jwks.close()
        super().tearDownClass()

    def setUp(self):
        super().setUp()
        self.http = requests.Session()
        self.http.trust_env = False
        self.http.verify = self.server.ca
        self.meta = self.http.get(self.server.url + "/.well-known/openid-configuration").json()
        self.token_url = self.meta["token_endpoint"]

    def tearDown(self):
        self.http.close()
        super().tearDown()

    def add_client(self, *flags):
        return self.server.add_client(self.unique_id("m2m"), "--grant", "client_credentials",
                                      *flags)

    def session(self, client_id, key, auth):
        s = OAuth2Session(client_id, key, token_endpoint_auth_method=auth)
        s.trust_env = False
        s.verify = self.server.ca
        self.addCleanup(s.close)
        return s

    def post_assertion(self, client_id, assertion, **extra):
        return self.http.post(self.token_url, data={
            "grant_type": "client_credentials", "client_id": client_id,
            "client_assertion_type": "urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
            "client_assertion": assertion, **extra})

    def assert_invalid_client(self, response, hint=""):
        self.assertEqual(response.status_code, 401, response.text)
        self.assertEqual(response.json()["error"], "invalid_client")
        self.assertIn(hint, response.json().get("error_description", ""))

    def verify_access_token(self, token, client_id):
        jwks = JsonWebKey.import_key_set(self.http.get(self.meta["jwks_uri"]).json())
        claims = jwt.decode(token, jwks)
        claims.validate()
        self.assertEqual(claims["sub"], client_id)

    def test_discovery_advertises_the_jwt_methods(self):
        for field in ("token_endpoint_auth_methods_supported",
                      "introspection_endpoint_auth_methods_supported",
                      "revocation_endpoint_auth_methods_supported"):
            self.assertIn("client_secret_jwt", self.meta[field])
            self.assertIn("private_key_jwt", self.meta[field])
        self.assertEqual(set(self.meta["token_endpoint_auth_signing_alg_values_supported"]),
                         {"HS256", "RS256", "ES256"})

    def test_client_secret_jwt_with_authlib_and_a_replayed_assertion(self):
        client_id, secret = self.add_client("--auth", "client_secret_jwt")
        token = self.session(client_id, secret, ClientSecretJWT(self.token_url)).fetch_token(
            self.token_url, grant_type="client_credentials")
        self.verify_access_token(token["access_token"], client_id)
        # The same assertion twice: its jti is single use.
        assertion = client_secret_jwt_sign(secret, client_id, self.token_url)
        self.assertEqual(self.post_assertion(client_id, assertion).status_code, 200)
        self.assert_invalid_client(self.post_assertion(client_id, assertion), "jti")
        # Basic is not this client's method, and the secret is no HS256 key for someone else.
        r = self.http.post(self.token_url, data={"grant_type": "client_credentials"},
                           auth=(client_id, secret))
        self.assert_invalid_client(r)
        # After rotate-secret the old secret signs nothing valid, the new one does.
        new = re.search(r"client_secret: (\S+)",
                        self.server.cli("client", "rotate-secret", client_id).stdout).group(1)
        time.sleep(2.2)  # the server caches clients for 2 s
        self.assert_invalid_client(self.post_assertion(
            client_id, client_secret_jwt_sign(secret, client_id, self.token_url)))
        self.assertEqual(self.post_assertion(
            client_id, client_secret_jwt_sign(new, client_id, self.token_url)).status_code, 200)

    def test_bad_assertions_are_invalid_client(self):
        client_id, secret = self.add_client("--auth", "client_secret_jwt")
        now = int(time.time())

        def signed(claims=None, key=secret, **kwargs):
            return client_secret_jwt_sign(key, client_id, self.token_url, claims=claims, **kwargs)

        self.assert_invalid_client(self.post_assertion(
            client_id, client_secret_jwt_sign(secret, client_id, "https://other.example/token")),
            "aud")
        self.assert_invalid_client(self.post_assertion(
            client_id, signed(issued_at=now - 600, expires_at=now - 60)), "expired")
        self.assert_invalid_client(self.post_assertion(
            client_id, signed(expires_at=now + 86400)), "exp")
        self.assert_invalid_client(self.post_assertion(client_id, signed(key=secret + "x")))
        def b64(obj):
            return base64.urlsafe_b64encode(json.dumps(obj).encode()).rstrip(b"=").decode()
        unsigned = b64({"alg": "none", "typ": "JWT"}) + "." + b64({
            "iss": client_id, "sub": client_id, "aud": self.token_url, "exp": now + 60,
            "jti": str(uuid.uuid4())}) + "."
        self.assert_invalid_client(self.post_assertion(client_id, unsigned))
        self.assert_invalid_client(self.post_assertion(client_id, "not.a.jwt"))
        r = self.post_assertion(client_id, signed(), client_secret=secret)
        self.assertEqual(r.status_code, 400, r.text)  # two methods at once

    def test_private_key_jwt_with_a_jwks_uri(self):
        client_id, secret = self.add_client("--auth", "private_key_jwt", "--jwks-uri",
                                            self.jwks.url, "--access-token-alg", "ES256")
        self.assertIsNone(secret, "private_key_jwt clients get no secret")
        pem = self.ec_key.as_pem(is_private=True)
        session = self.session(client_id, pem, PrivateKeyJWT(self.token_url, alg="ES256",
                                                              headers={"kid": "ec-1"}))
        before = self.jwks.fetches
        for _ in range(2):
            token = session.fetch_token(self.token_url, grant_type="client_credentials")
            self.verify_access_token(token["access_token"], client_id)
        self.assertEqual(self.jwks.fetches - before, 1, "the JWKS is cached")
        # A key the client never published, HS256 with anything, and a replay: refused.
        other, _ = new_key("EC", "ec-1")
        self.assert_invalid_client(self.post_assertion(client_id, private_key_jwt_sign(
            other.as_pem(is_private=True), client_id, self.token_url, alg="ES256",
            headers={"kid": "ec-1"})))
        self.assert_invalid_client(self.post_assertion(
            client_id, client_secret_jwt_sign("x" * 40, client_id, self.token_url)))
        assertion = private_key_jwt_sign(pem, client_id, self.token_url, alg="ES256")
        self.assertEqual(self.post_assertion(client_id, assertion).status_code, 200)
        self.assert_invalid_client(self.post_assertion(client_id, assertion), "jti")

    def test_private_key_jwt_with_an_inline_jwks_and_introspection(self):
        client_id, _ = self.add_client("--auth", "private_key_jwt", "--jwks-file",
                                       self.jwks_file)
        pem = self.rsa_key.as_pem(is_private=True)
        session = self.session(client_id, pem, PrivateKeyJWT(self.token_url))
        token = session.fetch_token(self.token_url, grant_type="client_credentials")
        self.verify_access_token(token["access_token"], client_id)
        # The same authentication at the introspection endpoint (aud: its URL is accepted).
        url = self.meta["introspection_endpoint"]
        r = self.http.post(url, data={
            "token": token["access_token"],
            "client_assertion_type": "urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
            "client_assertion": private_key_jwt_sign(pem, client_id, url)})
        self.assertEqual(r.status_code, 200, r.text)
        self.assertTrue(r.json()["active"])

    def test_an_unreachable_jwks_uri_is_invalid_client_quickly(self):
        dead = f"http://127.0.0.1:{free_port()}/jwks.json"
        client_id, _ = self.add_client("--auth", "private_key_jwt", "--jwks-uri", dead)
        pem = self.ec_key.as_pem(is_private=True)
        started = time.time()
        r = self.post_assertion(client_id, private_key_jwt_sign(pem, client_id, self.token_url,
                                                                alg="ES256"))
        self.assert_invalid_client(r)
        self.assertLess(time.time() - started, 5)
        self.assertEqual(self.server.cli("client", "add", self.unique_id("bad"), "--auth",
                                         "private_key_jwt", "--jwks-uri",
                                         "http://jwks.example/keys", check=False).returncode, 2)


class SlowJwksUri(ServerTestCase):
    """A jwks_uri that takes 2 s to answer holds up only the request that needs it: with one
    I/O thread, a fetch on it would stall every other request of the server meanwhile."""
    options = {("server", "threads"): "1"}

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.jwks = JwksServer(delay=2.0)
        cls.ec_key, ec_public = new_key("EC", "slow-1")
        cls.jwks.document = {"keys": [ec_public]}

    @classmethod
    def tearDownClass(cls):
        cls.jwks.close()
        super().tearDownClass()

    def new_session(self):
        s = requests.Session()
        s.trust_env = False
        s.verify = self.server.ca
        self.addCleanup(s.close)
        return s

    def test_other_requests_are_answered_while_the_jwks_uri_is_slow(self):
        token_url = self.server.url + "/oidc/token"
        slow_id, _ = self.server.add_client("slow-m2m", "--grant", "client_credentials",
                                            "--auth", "private_key_jwt", "--jwks-uri",
                                            self.jwks.url)
        fast_id, fast_secret = self.server.add_client("fast-m2m", "--grant",
                                                      "client_credentials")
        assertion = private_key_jwt_sign(self.ec_key.as_pem(is_private=True), slow_id,
                                         token_url, alg="ES256")
        slow = {}

        def slow_request():
            started = time.monotonic()
            slow["response"] = self.new_session().post(token_url, timeout=15, data={
                "grant_type": "client_credentials", "client_id": slow_id,
                "client_assertion_type": "urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
                "client_assertion": assertion})
            slow["seconds"] = time.monotonic() - started

        thread = threading.Thread(target=slow_request, daemon=True)
        thread.start()
        self.assertTrue(self.jwks.fetching.wait(10), "the server fetched the jwks_uri")
        # While the fetch waits: fresh connections (the single I/O thread serves them all).
        for name, call in (
                ("discovery", lambda s: s.get(self.server.url +
                                              "/.well-known/openid-configuration", timeout=15)),
                ("token", lambda s: s.post(token_url, data={"grant_type": "client_credentials"},
                                           auth=(fast_id, fast_secret), timeout=15))):
            with self.subTest(name):
                started = time.monotonic()
                r = call(self.new_session())
                elapsed = time.monotonic() - started
                self.assertEqual(r.status_code, 200, r.text)
                self.assertLess(elapsed, 1.0, f"{name} waited for the jwks_uri fetch")
        self.assertTrue(thread.is_alive(), "the slow fetch was still under way")
        thread.join(15)
        self.assertEqual(slow["response"].status_code, 200, slow["response"].text)
        self.assertGreaterEqual(slow["seconds"], 1.9)
        self.assertEqual(self.jwks.fetches, 1)

    def test_shutdown_while_a_fetch_is_under_way(self):
        # Runs last in this class: it stops the server. A URI not cached yet: a new fetch.
        token_url = self.server.url + "/oidc/token"
        client_id, _ = self.server.add_client("late-m2m", "--grant", "client_credentials",
                                              "--auth", "private_key_jwt", "--jwks-uri",
                                              self.jwks.url + "?late")
        assertion = private_key_jwt_sign(self.ec_key.as_pem(is_private=True), client_id,
                                         token_url, alg="ES256")
        self.jwks.fetching.clear()

        def request():
            try:
                self.new_session().post(token_url, timeout=15, data={
                    "grant_type": "client_credentials", "client_id": client_id,
                    "client_assertion_type":
                        "urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
                    "client_assertion": assertion})
            except requests.RequestException:
                pass  # the server may close the connection while stopping

        thread = threading.Thread(target=request, daemon=True)
        thread.start()
        self.assertTrue(self.jwks.fetching.wait(10))
        started = time.monotonic()
        # SIGTERM; asserts exit status 0 and no sanitizer report: the worker's answer arrives
        # after the I/O contexts stopped, and must not touch freed ones.
        self.server.stop()
        self.assertLess(time.monotonic() - started, 10)
        thread.join(15)


if __name__ == "__main__":
    unittest.main()
