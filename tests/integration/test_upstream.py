"""Signing in through an upstream OpenID provider (SPEC R-C4). Happy path against an
independent provider, panva's oidc-provider (tests/peers/oidc-provider, Node): twofold's login
page offers "Sign in with …", the browser (scripted HTTP, scripted_login.py) goes through the
provider's own login and consent pages, comes back, approves the push on `twofold-auth`, and
lands at the relying party with a code whose ID token says amr "fed". Refusals against a tiny
Python provider (fake_upstream.py): wrong audience, wrong issuer, another key's signature,
alg none, expired, another nonce, error=access_denied, an unknown or replayed state — each a
clear 4xx page, never a 5xx, never a code."""
import os
import re
import subprocess
import time
import unittest
from urllib.parse import parse_qs, urljoin, urlparse

from fake_upstream import FakeProvider
from harness import Server, ServerTestCase, free_port
from oidc_browser import BrowserSignIn, pkce
from scripted_login import ScriptedBrowser

PEER_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "peers", "oidc-provider")
REDIRECT_URI = "http://127.0.0.1:9/cb"  # the relying party's; never followed (scripted)


def upstream_options(issuer, secret_file):
    return {("upstream", "enabled"): "true",
            ("upstream", "display_name"): '"Example IdP"',
            ("upstream", "issuer"): f'"{issuer}"',
            ("upstream", "client_id"): '"twofold-rp"',
            ("upstream", "client_secret_file"): f'"{secret_file}"',
            ("upstream", "timeout_seconds"): "5"}


class UpstreamCase(BrowserSignIn, ServerTestCase):
    """Starts twofold after the provider (the provider needs twofold's callback URL and
    twofold needs the provider's issuer)."""
    secret = "upstream-secret-" + "x" * 16

    @classmethod
    def start_provider(cls, server):
        raise NotImplementedError

    @classmethod
    def stop_provider(cls):
        pass

    @classmethod
    def setUpClass(cls):
        cls.server = Server()
        try:
            secret_file = os.path.join(cls.server.dir, "upstream_secret.txt")
            with open(secret_file, "w") as f:
                f.write(cls.secret + "\n")
            issuer = cls.start_provider(cls.server)
            cls.server.configure(upstream_options(issuer, secret_file))
            cls.server.start()
        except BaseException:
            cls.stop_provider()
            cls.server.cleanup()
            raise
        cls.redirect_uri = REDIRECT_URI
        out = cls.server.cli("client", "add", "up-app", "--redirect-uri", REDIRECT_URI).stdout
        cls.client_id = re.search(r"client_id: (\S+)", out).group(1)
        cls.client_secret = re.search(r"client_secret: (\S+)", out).group(1)

    @classmethod
    def tearDownClass(cls):
        try:
            cls.server.cleanup()
        finally:
            cls.stop_provider()

    def browser(self, **extra):
        b = ScriptedBrowser(self.server)
        self.addCleanup(b.close)
        b.authorize(self.client_id, REDIRECT_URI, **extra)
        self.assertIn('name="login"', b.page)
        return b

    def button(self, b):
        m = re.search(r'<a id="upstream" class="button" href="([^"]+)">([^<]*)</a>', b.page)
        self.assertIsNotNone(m, "no upstream button on the identify page")
        self.assertEqual(m.group(2), "Sign in with Example IdP")
        return urljoin(self.server.url, m.group(1).replace("&amp;", "&"))

    def start_upstream(self, b):
        """Follows the button; returns where twofold sends the browser (the provider)."""
        r = b.http.get(self.button(b), allow_redirects=False, timeout=30)
        self.assertEqual(r.status_code, 303, r.text[:500])
        location = r.headers["Location"]
        query = parse_qs(urlparse(location).query)
        self.assertEqual(query["code_challenge_method"], ["S256"])
        self.assertEqual(query["redirect_uri"], [self.server.url + "/login/upstream/callback"])
        self.assertTrue(query["state"][0] and query["nonce"][0])
        return location

    def back_to_twofold(self, b, callback_url):
        """The provider's redirect to twofold's callback, and twofold's pages after it."""
        self.assertTrue(callback_url.startswith(self.server.url + "/login/upstream/callback?"),
                        callback_url)
        r = b.http.get(callback_url, allow_redirects=False, timeout=60)
        self.assertLess(r.status_code, 500, r.text[:500])
        return b._follow(r)


class RealProvider(UpstreamCase):
    @classmethod
    def start_provider(cls, server):
        port = free_port()
        cls.provider_log = open(os.path.join(server.dir, "oidc-provider.out"), "w+")
        cls.provider = subprocess.Popen(
            ["node", "provider.js", str(port), "twofold-rp", cls.secret,
             server.url + "/login/upstream/callback"],
            cwd=PEER_DIR, stdout=cls.provider_log, stderr=subprocess.STDOUT)
        deadline = time.time() + 30
        while time.time() < deadline:
            cls.provider_log.seek(0)
            if "ready " in cls.provider_log.read():
                return f"http://127.0.0.1:{port}"
            if cls.provider.poll() is not None:
                break
            time.sleep(0.1)
        cls.provider_log.seek(0)
        raise AssertionError("oidc-provider did not start:\n" + cls.provider_log.read())

    @classmethod
    def stop_provider(cls):
        proc = getattr(cls, "provider", None)
        if proc:
            proc.terminate()
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
            cls.provider_log.close()

    def provider_sign_in(self, b, location, login):
        """The provider's own (development) login and consent pages, as a browser fills them;
        returns the provider's redirect back to twofold."""
        http = b.http
        r = http.get(location, allow_redirects=False, timeout=30)
        for _ in range(12):
            if r.status_code in (302, 303):
                location = urljoin(location, r.headers["Location"])
                if location.startswith(self.server.url):
                    return location
                r = http.get(location, allow_redirects=False, timeout=30)
                continue
            self.assertEqual(r.status_code, 200, r.text[:1000])
            form = re.search(r'<form[^>]*action="([^"]+)"[^>]*method="post">(.*?)</form>', r.text,
                             re.S)
            self.assertIsNotNone(form, "no form on the provider's page:\n" + r.text[:2000])
            fields = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"',
                                     form.group(2)))
            if fields.get("prompt") == "login":
                fields.update(login=login, password="any-password")
            location = urljoin(location, form.group(1))
            r = http.post(location, data=fields, allow_redirects=False, timeout=30)
        self.fail("the provider never sent the browser back to twofold")

    def test_sign_in_through_the_provider_then_the_push(self):
        user = self.unique_id("fed")
        phone = self.device(user)
        verifier, challenge = pkce()
        b = self.browser(code_challenge=challenge, code_challenge_method="S256", nonce="n-fed")
        callback = self.provider_sign_in(b, self.start_upstream(b), user)
        r = self.back_to_twofold(b, callback)
        self.assertEqual(r.status_code, 200, r.text[:1000])
        self.assertIn('id="access-pass"', b.page)  # the second factor, as after a password
        r = b.approve_push(phone, self.tmp)
        self.assertEqual(r.status_code, 303, r.text[:1000])
        landed = r.headers["Location"]
        self.assertTrue(landed.startswith(REDIRECT_URI + "?code="), landed)
        code = parse_qs(urlparse(landed).query)["code"][0]
        claims = self.id_token_claims(self.exchange(code, verifier)["id_token"], "n-fed")
        self.assertEqual(claims["sub"], user.lower())
        self.assertIn("fed", claims.get("amr", []))
        self.assertNotIn("pwd", claims.get("amr", []))

    def test_unknown_user_gets_a_clear_page(self):
        b = self.browser()
        callback = self.provider_sign_in(b, self.start_upstream(b), "nobody-here")
        r = self.back_to_twofold(b, callback)
        self.assertEqual(r.status_code, 403)
        self.assertIn("There is no user here for your account at the external sign-in provider",
                      r.text)


class FakeProviderRefusals(UpstreamCase):
    @classmethod
    def start_provider(cls, server):
        cls.fake = FakeProvider("twofold-rp", cls.secret)
        return cls.fake.issuer

    @classmethod
    def stop_provider(cls):
        fake = getattr(cls, "fake", None)
        if fake:
            fake.close()

    def setUp(self):
        super().setUp()
        self.user = self.unique_id("fake")
        self.phone = self.device(self.user)
        self.fake.username = self.user
        self.fake.mode = "good"

    def round_trip(self, mode):
        """twofold → the provider → back to twofold's callback; returns the browser, the
        callback URL and twofold's answer."""
        self.fake.mode = mode
        b = self.browser()
        r = b.http.get(self.start_upstream(b), allow_redirects=False, timeout=30)
        self.assertEqual(r.status_code, 303)
        callback = r.headers["Location"]
        return b, callback, self.back_to_twofold(b, callback)

    def test_a_good_token_continues_to_the_second_factor(self):
        b, _, r = self.round_trip("good")
        self.assertEqual(r.status_code, 200, r.text[:1000])
        self.assertIn('id="access-pass"', r.text)
        headers, form = self.fake.token_requests[-1]
        self.assertEqual(form["grant_type"], "authorization_code")
        self.assertTrue(form["code_verifier"])
        self.assertNotIn("client_secret", form)  # client_secret_basic
        r = b.approve_push(self.phone, self.tmp)
        self.assertEqual(r.status_code, 303, r.text[:1000])
        self.assertTrue(r.headers["Location"].startswith(REDIRECT_URI + "?code="))

    def test_every_bad_token_is_refused_with_a_clear_page(self):
        for mode in ("wrong_aud", "wrong_iss", "other_key", "alg_none", "expired", "wrong_nonce"):
            with self.subTest(mode=mode):
                _, _, r = self.round_trip(mode)
                self.assertEqual(r.status_code, 403, r.text[:500])
                self.assertIn("could not be verified, so it was refused", r.text)
                self.assertNotIn("access-pass", r.text)
        log = self.server.output()
        for reason in ("wrong_audience", "wrong_issuer", "bad_signature", "bad_alg", "expired",
                       "wrong_nonce"):
            self.assertIn(reason, log)

    def test_provider_error_and_bad_state(self):
        b, callback, r = self.round_trip("access_denied")
        self.assertEqual(r.status_code, 403)
        self.assertIn("did not sign you in", r.text)
        self.assertIn("error=access_denied", r.text)
        # The same callback again: its state was used up.
        r = b.http.get(callback, allow_redirects=False, timeout=30)
        self.assertEqual(r.status_code, 400)
        self.assertIn("unknown, was already used or has expired", r.text)
        # An invented state, a callback without any, a malformed query.
        for url in ("/login/upstream/callback?code=x&state=invented",
                    "/login/upstream/callback?code=x", "/login/upstream/callback?%zz"):
            r = b.http.get(self.server.url + url, allow_redirects=False, timeout=30)
            self.assertEqual(r.status_code, 400, url)

    def test_a_callback_in_another_browser_goes_nowhere(self):
        b = self.browser()
        r = b.http.get(self.start_upstream(b), allow_redirects=False, timeout=30)
        other = ScriptedBrowser(self.server)
        self.addCleanup(other.close)
        r = other.http.get(r.headers["Location"], allow_redirects=False, timeout=30)
        self.assertEqual(r.status_code, 400)
        self.assertNotIn("access-pass", r.text)


class UnreachableProvider(UpstreamCase):
    """The provider is down: the login page says so and the password still works."""

    @classmethod
    def start_provider(cls, server):
        return f"http://127.0.0.1:{free_port()}"

    def test_the_identify_page_says_so(self):
        b = self.browser()
        r = b._follow(b.http.get(self.button(b), allow_redirects=False, timeout=30))
        self.assertEqual(r.status_code, 200)
        self.assertIn("Signing in through the external provider is not possible right now",
                      r.text)
        self.assertIn('name="login"', r.text)


if __name__ == "__main__":
    unittest.main()
