"""The browser login as a person meets it: headless Chromium fills twofold's login pages, the
`twofold-auth` phone approves the push by the access pass shown on the page, and the browser
lands on the relying party's redirect URI with a code that an independent client library
(python3-authlib) exchanges. Negative paths: untrusted redirect URIs never redirect, a form
without its CSRF token is refused."""
import base64
import hashlib
import http.server
import os
import re
import secrets
import subprocess
import threading
import time
import unittest
from urllib.parse import parse_qs, urlencode, urlparse

import requests
from authlib.integrations.requests_client import OAuth2Session
from authlib.jose import JsonWebKey, jwt

from browser import Browser
from harness import TWOFOLD, ServerTestCase



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


class Login(ServerTestCase):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.rp = RelyingParty()
        cls.evil = RelyingParty()
        cls.redirect_uri = cls.rp.base + "/cb"
        out = cls.server.cli("client", "add", "rp-app", "--name", "Demo <RP>",
                             "--redirect-uri", cls.redirect_uri).stdout
        cls.client_id = re.search(r"client_id: (\S+)", out).group(1)
        cls.client_secret = re.search(r"client_secret: (\S+)", out).group(1)

    @classmethod
    def tearDownClass(cls):
        cls.rp.close()
        cls.evil.close()
        super().tearDownClass()

    def setUp(self):
        super().setUp()
        self.rp.hits.clear()
        self.evil.hits.clear()
        self.browser = Browser()

    def tearDown(self):
        self.browser.close()
        super().tearDown()

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

    def landed_query(self, count=1):
        landed = self.rp.wait(count)
        # The relying party saw the request; let the browser finish that navigation too, so the
        # test's next step does not interrupt it.
        self.browser.wait_url(self.redirect_uri)
        self.assertEqual(len(landed), count, landed)
        self.assertTrue(landed[-1].startswith("/cb?"), landed[-1])
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

    def test_push_only_id_signs_in_and_the_code_is_exchanged(self):
        user = self.unique_id("push")
        phone = self.device(user)
        verifier, challenge = pkce()
        state, nonce = "state-" + secrets.token_hex(4), "nonce-" + secrets.token_hex(4)
        page = self.sign_in(user, state=state, nonce=nonce, code_challenge=challenge,
                            code_challenge_method="S256")
        self.assertEqual(page["status"], 200)
        html = self.browser.state()["html"]
        self.assertIn("Demo &lt;RP&gt;", html)  # the client's name, escaped
        self.approve_from_page(phone)
        # The page's script notices the approval and continues by itself.
        query = self.landed_query()
        self.assertEqual(query["state"], state)
        self.assertEqual(query["iss"], self.server.url)
        self.assertNotIn("error", query)
        cookies = {c["name"]: c for c in self.browser.call("cookies")["cookies"]}
        session = cookies["__Host-twofold_session"]
        self.assertTrue(session["secure"] and session["httpOnly"])
        self.assertEqual(session["sameSite"], "Lax")
        self.assertEqual(session["path"], "/")

        token = self.exchange(query["code"], verifier)
        claims = self.id_token_claims(token["id_token"], nonce)
        self.assertEqual(claims["sub"], user.lower())
        self.assertIn("mfa", claims.get("amr", []))
        self.assertTrue(claims.get("sid"))

        # Single sign-on: the same browser gets the next code without any page.
        self.browser.goto(self.authorize_url(state="again"))
        again = self.landed_query(count=2)
        self.assertEqual(again["state"], "again")
        self.assertNotEqual(again["code"], query["code"])

    def test_password_then_push_in_german(self):
        user = self.unique_id("pw")
        phone = self.device(user)
        subprocess.run([TWOFOLD, "--config", self.server.config, "user", "passwd", user],
                       input="Geheim123\n", text=True, check=True, capture_output=True)
        self.browser.goto(self.authorize_url(ui_locales="de"))
        self.assertIn("Anmelden", self.browser.state()["html"])
        self.browser.fill("#login", user)
        self.browser.click("button[value=identify]")  # no password: asked for it
        self.assertIn("Bitte geben Sie Ihr Passwort ein.", self.browser.state()["html"])
        self.sign_in(user, "falsch1A", ui_locales="de")
        self.assertIn("ID oder Passwort ist falsch.", self.browser.state()["html"])
        self.sign_in(user, "Geheim123", ui_locales="de")
        self.assertIn("Auf dem Gerät bestätigen", self.browser.state()["html"])
        self.approve_from_page(phone)
        query = self.landed_query()
        self.assertTrue(query["code"])
        self.assertEqual(self.evil.hits, [])

    def test_untrusted_redirect_uris_get_an_error_page_and_never_a_redirect(self):
        rp, evil = self.redirect_uri, self.evil.base + "/cb"
        host = rp.split("//", 1)[1]
        attempts = [evil, rp + "/", rp + "?next=" + evil, rp + "/../cb", rp.upper(),
                    rp.replace("http://", "https://"), evil + "#" + rp, evil + "?@" + host,
                    "http://" + host.split(":")[0] + "@" + evil.split("//", 1)[1],
                    "//" + evil.split("//", 1)[1], "/cb", "javascript:alert(1)", ""]
        for uri in attempts:
            with self.subTest(uri):
                result = self.browser.goto(self.authorize_url(redirect_uri=uri or None))
                self.assertEqual(result["status"], 400)
                self.assertTrue(result["url"].startswith(self.server.url), result["url"])
                self.assertIn("Sign-in not possible", self.browser.state()["html"])
        result = self.browser.goto(self.authorize_url(client_id="no-such-client"))
        self.assertEqual(result["status"], 400)
        result = self.browser.goto(self.authorize_url(client_id="no-such-client",
                                                      redirect_uri=evil))
        self.assertEqual(result["status"], 400)
        self.assertEqual(self.evil.hits, [])
        self.assertEqual(self.rp.hits, [])
        # A bad request from a registered client and URI is reported to that URI only.
        self.browser.goto(self.authorize_url(response_type="token", state="t1"))
        query = self.landed_query()
        self.assertEqual(query["error"], "unsupported_response_type")
        self.assertEqual(query["state"], "t1")
        self.assertEqual(query["iss"], self.server.url)
        self.assertEqual(self.evil.hits, [])

    def test_form_without_csrf_token_is_refused(self):
        user = self.unique_id("csrf")
        self.device(user)
        self.browser.goto(self.authorize_url())
        self.browser.fill("#login", user)
        self.browser.eval("document.querySelector('input[name=csrf]').remove()")
        result = self.browser.click("button[value=identify]")
        self.assertEqual(result["status"], 400)
        self.assertIn("could not be verified", self.browser.state()["html"])
        self.assertEqual(self.rp.hits, [])

    def test_prompt_none_without_session_reports_login_required(self):
        self.browser.goto(self.authorize_url(prompt="none", state="pn"))
        query = self.landed_query()
        self.assertEqual(query["error"], "login_required")
        self.assertEqual(query["state"], "pn")


if __name__ == "__main__":
    unittest.main()
