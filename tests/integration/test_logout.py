"""Signing out (RP-Initiated Logout 1.0, R-O1) in headless Chromium after a real sign-in (push
approved on `twofold-auth` by the access pass): with an id_token_hint the session ends at once
and the browser lands on the registered post_logout_redirect_uri with its state; the cookie is
gone, the next authorize asks for the login again, the refresh token is refused and the access
token is revoked. Without a hint a page asks first (English, German; CSRF-protected); an
unregistered post_logout_redirect_uri is never redirected to. The test client's ID tokens are
ES256 (R-O3) and authlib verifies them against the JWKS."""
import base64
import json
import secrets
import unittest
from urllib.parse import urlencode

import requests

from browser import Browser
from harness import ServerTestCase
from oidc_browser import BrowserSignIn, RelyingParty, pkce


class Logout(BrowserSignIn, ServerTestCase):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.rp = RelyingParty()
        cls.evil = RelyingParty()
        cls.redirect_uri = cls.rp.base + "/cb"
        cls.bye_uri = cls.rp.base + "/bye"
        cls.client_id, cls.client_secret = cls.server.add_client("rp-logout", "--name", "Logout RP",
                             "--redirect-uri", cls.redirect_uri,
                             "--post-logout-redirect-uri", cls.bye_uri,
                             "--id-token-alg", "ES256")

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
        self.http = requests.Session()
        self.http.trust_env = False
        self.http.verify = self.server.ca

    def tearDown(self):
        self.http.close()
        self.browser.close()
        super().tearDown()

    def signed_in(self):
        """Signs a push-only ID in; returns the token answer of the code exchange."""
        user = self.unique_id("out")
        phone = self.device(user)
        verifier, challenge = pkce()
        nonce = "n-" + secrets.token_hex(4)
        self.sign_in(user, nonce=nonce, code_challenge=challenge, code_challenge_method="S256")
        self.approve_from_page(phone)
        query = self.landed_query()
        self.rp.hits.clear()
        token = self.exchange(query["code"], verifier)
        token["claims"] = self.id_token_claims(token["id_token"], nonce)
        self.assertIsNotNone(self.session_cookie())
        return token

    def logout_url(self, **params):
        return self.server.url + "/oidc/logout?" + urlencode(params)

    def refresh(self, refresh_token):
        return self.http.post(self.server.url + "/oidc/token", data={
            "grant_type": "refresh_token", "refresh_token": refresh_token},
            auth=(self.client_id, self.client_secret))

    def userinfo(self, access_token):
        return self.http.get(self.server.url + "/oidc/userinfo",
                             headers={"Authorization": "Bearer " + access_token})

    def test_discovery_names_the_end_session_endpoint(self):
        meta = self.http.get(self.server.url + "/.well-known/openid-configuration").json()
        self.assertEqual(meta["end_session_endpoint"], self.server.url + "/oidc/logout")

    def test_id_tokens_are_es256_when_the_client_asks(self):
        token = self.signed_in()
        header = json.loads(base64.urlsafe_b64decode(token["id_token"].split(".")[0] + "=="))
        self.assertEqual(header["alg"], "ES256")
        # id_token_claims() above verified it with authlib against the JWKS.
        self.assertTrue(token["claims"]["sid"])

    def test_logout_with_hint_ends_the_session_and_its_tokens(self):
        token = self.signed_in()
        r = self.refresh(token["refresh_token"])
        self.assertEqual(r.status_code, 200, r.text)
        live = r.json()  # rotated: this refresh token and its access token are the live ones
        self.assertEqual(self.userinfo(live["access_token"]).status_code, 200)

        self.browser.goto(self.logout_url(id_token_hint=token["id_token"],
                                          post_logout_redirect_uri=self.bye_uri, state="s 1"))
        landed = self.landed_query(path="/bye?")
        self.assertEqual(landed, {"state": "s 1"})
        self.assertIsNone(self.session_cookie(), "the session cookie is gone")

        r = self.refresh(live["refresh_token"])
        self.assertEqual(r.status_code, 400, r.text)
        self.assertEqual(r.json()["error"], "invalid_grant")
        self.assertEqual(self.userinfo(live["access_token"]).status_code, 401,
                         "the access token issued with the session's refresh token is denied")
        # Single sign-on is over: authorize shows the login page again.
        self.browser.goto(self.authorize_url())
        self.assertIn('id="login"', self.browser.state()["html"])
        self.assertEqual(self.rp.hits, ["/bye?state=s%201"])
        self.assertEqual(self.evil.hits, [])

    def test_without_hint_the_user_confirms_and_bad_uris_never_redirect(self):
        self.signed_in()
        # Unregistered or unattributable post-logout URIs: an error page, no redirect.
        for params in ({"client_id": self.client_id,
                        "post_logout_redirect_uri": self.evil.base + "/bye"},
                       {"client_id": self.client_id, "post_logout_redirect_uri": self.bye_uri + "/"},
                       {"post_logout_redirect_uri": self.bye_uri},
                       {"client_id": "nobody", "post_logout_redirect_uri": self.bye_uri}):
            with self.subTest(params):
                result = self.browser.goto(self.logout_url(**params))
                self.assertEqual(result["status"], 400)
                self.assertTrue(result["url"].startswith(self.server.url), result["url"])
                self.assertIn("Sign-out not possible", self.browser.state()["html"])
        self.assertIsNotNone(self.session_cookie(), "nothing ended")

        # No hint: a page asks (logout CSRF); a forged form token is refused.
        self.browser.goto(self.logout_url(client_id=self.client_id,
                                          post_logout_redirect_uri=self.bye_uri, state="q"))
        self.assertIn("Do you want to sign out?", self.browser.state()["html"])
        self.browser.eval("document.querySelector('input[name=csrf]').value = 'forged'")
        result = self.browser.click("button[value=logout]")
        self.assertEqual(result["status"], 400)
        self.assertIsNotNone(self.session_cookie())

        self.browser.goto(self.logout_url(client_id=self.client_id,
                                          post_logout_redirect_uri=self.bye_uri, state="q"))
        self.browser.click("button[value=logout]")
        self.assertEqual(self.landed_query(path="/bye?"), {"state": "q"})
        self.assertIsNone(self.session_cookie())
        self.assertEqual(self.evil.hits, [])

    def test_german_confirm_page_and_signed_out_page(self):
        self.signed_in()
        self.browser.goto(self.logout_url(ui_locales="de"))
        self.assertIn("Möchten Sie sich abmelden?", self.browser.state()["html"])
        self.browser.click("button[value=logout]")
        html = self.browser.state()["html"]
        self.assertIn("Sie sind abgemeldet.", html)
        self.assertIsNone(self.session_cookie())
        self.assertEqual(self.rp.hits, [])


class MalformedRequests(ServerTestCase):
    """Whatever arrives at /oidc/logout and the other browser endpoints gets their HTML error
    page, at the OAuth endpoints their JSON error: a clear 4xx, never the service API's
    `error=` format, never a 5xx. Sent over a raw TLS socket: a client library would refuse
    to send most of it."""

    FORM = ["Content-Type: application/x-www-form-urlencoded"]

    def send(self, method, target, headers=(), body=b""):
        return self.server.raw(self.server.request_bytes(method, target, headers, body))

    def assertPage(self, answer, status, text):
        code, headers, body = answer
        self.assertEqual(code, status, body[:300])
        self.assertTrue(headers["content-type"].startswith("text/html"), headers)
        self.assertIn(text, body.decode())
        self.assertIn("frame-ancestors 'none'", headers.get("content-security-policy", ""))
        self.assertNotIn(b"error=", body)

    def assertOAuthError(self, answer, status):
        code, headers, body = answer
        self.assertEqual(code, status, body[:300])
        self.assertEqual(headers["content-type"], "application/json")
        self.assertEqual(json.loads(body)["error"], "invalid_request")

    def test_logout_answers_its_error_page(self):
        bad = "Sign-out not possible"
        big = "x" * 5000  # within the 8 KiB header, over the 4 KiB value limit
        for target in ("/oidc/logout?client_id=%zz", "/oidc/logout?state=%",
                       "/oidc/logout?client_id=a&client_id=b",
                       "/oidc/logout?state=%ff%fe", "/oidc/logout?state=a%00b",
                       "/oidc/logout?state=" + big):
            with self.subTest(target=target[:60]):
                self.assertPage(self.send("GET", target), 400, bad)
        for body in (b"client_id=%zz", b"state=%C3%28", b"state=" + big.encode() * 2):
            with self.subTest(body=body[:60]):
                self.assertPage(self.send("POST", "/oidc/logout", self.FORM, body), 400, bad)
        # A well-formed POST is relayed to a GET (the session cookie is SameSite=Lax), which
        # refuses what is wrong with it.
        code, headers, _ = self.send("POST", "/oidc/logout", self.FORM,
                                     b"state=1&state=2&client_id=%C3%A9")
        self.assertEqual(code, 303)
        self.assertTrue(headers["location"].startswith("/oidc/logout?"), headers)
        self.assertPage(self.send("GET", headers["location"]), 400, bad)
        for content_type in ("application/json", "text/plain", "multipart/form-data; b=x"):
            with self.subTest(content_type=content_type):
                self.assertPage(self.send("POST", "/oidc/logout",
                                          ["Content-Type: " + content_type], b'{"a":1}'),
                                400, bad)
        with self.subTest("no content type"):
            self.assertPage(self.send("POST", "/oidc/logout", body=b"state=1"), 400, bad)
        with self.subTest("wrong method"):
            answer = self.send("PUT", "/oidc/logout", self.FORM, b"state=1")
            self.assertPage(answer, 405, bad)
            self.assertEqual(answer[1]["allow"], "GET, POST")
        with self.subTest("query over the header limit"):
            self.assertPage(self.send("GET", "/oidc/logout?state=" + "y" * 9000), 431, bad)
        with self.subTest("body over the limit"):  # refused by its Content-Length alone
            self.assertPage(self.server.raw(
                b"POST /oidc/logout HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n"
                b"Content-Type: application/x-www-form-urlencoded\r\n"
                b"Content-Length: 999999\r\n\r\n"), 413, bad)
        with self.subTest("not HTTP"):
            self.assertPage(self.server.raw(
                b"GET /oidc/logout?state=1 HTTP/1.1\r\nHost: localhost\r\nbroken header\r\n"
                b"\r\n"), 400, bad)

    def test_authorize_and_login_answer_their_error_page(self):
        bad = "Sign-in not possible"
        for target in ("/oidc/authorize?client_id=%zz", "/oidc/authorize?scope=%ff",
                       "/login?tx=%"):
            with self.subTest(target=target):
                code, headers, body = self.send("GET", target)
                self.assertLess(code, 500)
                self.assertGreaterEqual(code, 400)
                self.assertTrue(headers["content-type"].startswith("text/html"), headers)
                self.assertNotIn(b"error=", body)
        for target in ("/oidc/authorize?client_id=%zz", "/oidc/authorize?client_id=a&client_id=b",
                       "/oidc/authorize?redirect_uri=%ff", "/oidc/authorize?state=" + "s" * 5000):
            with self.subTest(target=target[:60]):
                self.assertPage(self.send("GET", target), 400, bad)
        self.assertPage(self.send("POST", "/oidc/authorize", self.FORM, b"client_id=%zz"), 400,
                        bad)
        self.assertPage(self.send("GET", "/oidc/authorize?state=" + "y" * 9000), 431, bad)
        self.assertPage(self.send("POST", "/login", ["Content-Type: application/json"], b"{}"),
                        415, bad)

    def test_oauth_endpoints_answer_json(self):
        with self.subTest("userinfo"):
            code, headers, body = self.send("POST", "/oidc/userinfo", self.FORM, b"x=%zz")
            self.assertIn(code, (400, 401), body)
            self.assertEqual(headers["content-type"], "application/json")
        for path in ("/oidc/token", "/oidc/introspect", "/oidc/revoke"):
            for body in (b"grant_type=%zz", b"token=%ff", b"a=1&a=2"):
                with self.subTest(path=path, body=body):
                    self.assertOAuthError(self.send("POST", path, self.FORM, body), 400)
            with self.subTest(path=path, body="json"):
                self.assertOAuthError(self.send("POST", path, ["Content-Type: application/json"],
                                                b"{}"), 400)
            with self.subTest(path=path, body="too large"):
                self.assertOAuthError(self.server.raw(
                    f"POST {path} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n"
                    f"Content-Type: application/x-www-form-urlencoded\r\n"
                    f"Content-Length: 999999\r\n\r\n".encode()), 413)
            with self.subTest(path=path, body="header too large"):
                self.assertOAuthError(self.send("POST", path + "?" + "z" * 9000, self.FORM,
                                                b"a=1"), 431)


if __name__ == "__main__":
    unittest.main()
