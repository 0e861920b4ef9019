"""What the browser tests of the OpenID Connect provider share: a loopback relying party that
records where the browser lands, PKCE, and signing in through twofold's pages with the push
approved on `twofold-auth` by the access pass the page shows (test_login, test_logout)."""
import base64
import hashlib
import http.server
import os
import secrets
import threading
import time
from urllib.parse import parse_qs, urlencode, urlparse

import requests
from authlib.integrations.requests_client import OAuth2Session
from authlib.jose import JsonWebKey, jwt


class RelyingParty:
    """A loopback HTTP server in place of a client's redirect URI: records what arrives."""

    def __init__(self):
        hits = self.hits = []

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self):
                if self.path == "/favicon.ico":
                    self.send_error(404)
                    return
                hits.append(self.path)
                body = b"relying party"
                self.send_response(200)
                self.send_header("Content-Type", "text/plain")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.base = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    def wait(self, count=1, timeout=20):
        deadline = time.time() + timeout
        while len(self.hits) < count and time.time() < deadline:
            time.sleep(0.05)
        return list(self.hits)

    def close(self):
        self.httpd.shutdown()
        self.httpd.server_close()


def pkce():
    verifier = secrets.token_urlsafe(48)
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=")
    return verifier, challenge.decode()


class BrowserSignIn:
    """Mixin for a ServerTestCase with self.browser, self.rp, self.client_id,
    self.client_secret and self.redirect_uri."""

    def authorize_url(self, **override):
        params = {"client_id": self.client_id, "redirect_uri": self.redirect_uri,
                  "response_type": "code",
                  "scope": "openid email", "state": "st-" + secrets.token_hex(4),
                  "nonce": "n-" + secrets.token_hex(4)}
        params.update(override)
        return self.server.url + "/oidc/authorize?" + urlencode(
            {k: v for k, v in params.items() if v is not None})

    def approve_from_page(self, phone):
        """Reads the access pass off the push page and approves it on the phone."""
        src = self.browser.attr("#access-pass", "src")
        self.assertTrue(src.startswith("data:image/png;base64,"), src[:40])
        path = os.path.join(self.tmp, "pass.png")
        with open(path, "wb") as f:
            f.write(base64.b64decode(src.split(",", 1)[1], validate=True))
        result = phone.run("approve", "--match", path)
        self.assertIn("ACCEPTED", result.stdout)

    def sign_in(self, login, password="", **authorize):
        self.browser.goto(self.authorize_url(**authorize))
        self.browser.fill("#login", login)
        self.browser.fill("#password", password)
        return self.browser.click("button[value=identify]")

    def landed_query(self, count=1, path="/cb?"):
        landed = self.rp.wait(count)
        # The relying party saw the request; let the browser finish that navigation too, so the
        # test's next step does not interrupt it.
        self.browser.wait_url(self.rp.base + path.rstrip("?"))
        self.assertEqual(len(landed), count, landed)
        self.assertTrue(landed[-1].startswith(path), landed[-1])
        return {k: v[0] for k, v in parse_qs(urlparse(landed[-1]).query).items()}

    def exchange(self, code, verifier):
        with OAuth2Session(self.client_id, self.client_secret,
                           redirect_uri=self.redirect_uri) as rp:
            rp.trust_env = False
            rp.verify = self.server.ca
            return rp.fetch_token(self.server.url + "/oidc/token", grant_type="authorization_code",
                                  code=code, code_verifier=verifier)

    def id_token_claims(self, token, nonce):
        with requests.Session() as http:
            http.trust_env = False
            http.verify = self.server.ca
            jwks = JsonWebKey.import_key_set(http.get(self.server.url + "/oidc/jwks").json())
        claims = jwt.decode(token, jwks, claims_options={
            "iss": {"essential": True, "value": self.server.url},
            "aud": {"essential": True, "value": self.client_id},
            "nonce": {"essential": True, "value": nonce}})
        claims.validate()
        return claims

    def session_cookie(self):
        cookies = {c["name"]: c for c in self.browser.call("cookies")["cookies"]}
        return cookies.get("__Host-twofold_session")
