""""Stay signed in" (R-P4) in headless Chromium after a real push sign-in: with the box ticked
the session cookie is persistent (Max-Age of the configured hours) and survives a browser
restart (a fresh context that keeps only cookies with an expiry): the next authorize lands on
the relying party without any page, with the same `sid` and `auth_time`. Without the box the
cookie dies with the browser. The cookie secret rotates after `stay_signed_in_rotate_minutes`
(1, the smallest allowed): the old value still works within the 60 s grace, and presented
after it (a copied cookie) ends the session for every holder. `stay_signed_in_hours = 0`
hides the box.

The rotation needs real time (1 min to rotate, 1 min of grace): its session is signed in
first, in setUpClass, and the other tests run while its rotation period passes."""
import secrets
import time
import unittest
from urllib.parse import urlencode

from browser import Browser
from harness import Server, ServerTestCase
from oidc_browser import BrowserSignIn, RelyingParty, pkce

COOKIE = "__Host-twofold_session"
HOURS = 3
ROTATE_SECONDS = 60  # stay_signed_in_rotate_minutes = 1
GRACE_SECONDS = 60


class StaySignedIn(BrowserSignIn, ServerTestCase):
    options = {("login", "stay_signed_in_hours"): str(HOURS),
               ("login", "stay_signed_in_rotate_minutes"): "1"}

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.rp = RelyingParty()
        cls.redirect_uri = cls.rp.base + "/cb"
        cls.client_id, cls.client_secret = cls.server.add_client(
            "rp-stay", "--redirect-uri", cls.redirect_uri)
        cls.browser = Browser()
        try:
            cls.sign_in_rotation_session()
        except BaseException:
            cls.tearDownClass()
            raise

    @classmethod
    def sign_in_rotation_session(cls):
        """The session test_4 rotates, signed in first so that its minute passes while the
        other tests run."""
        case = cls("test_4_rotation_and_a_replayed_old_secret")
        case.setUp()
        try:
            index = cls.browser.new_context()
            _, claims = case.signed_in(stay=True)
            cls.rotation = {"context": index, "claims": claims, "landed": time.time(),
                            "cookie": case.session_cookie()}
        finally:
            case.tearDown()

    @classmethod
    def tearDownClass(cls):
        cls.browser.close()
        cls.rp.close()
        super().tearDownClass()

    def setUp(self):
        super().setUp()
        self.rp.hits.clear()

    # --- helpers ---------------------------------------------------------------------------
    def session_cookie(self):
        return {c["name"]: c for c in self.browser.cookies()}.get(COOKIE)

    def signed_in(self, stay):
        """Signs a new push-only ID in within the current context; returns (token, claims)."""
        user = self.unique_id("stay")
        phone = self.device(user)
        verifier, challenge = pkce()
        nonce = "n-" + secrets.token_hex(4)
        self.browser.goto(self.authorize_url(nonce=nonce, code_challenge=challenge,
                                             code_challenge_method="S256"))
        self.browser.fill("#login", user)
        self.assertIn("Stay signed in", self.browser.state()["html"])
        if stay:
            self.browser.check("input[name=stay]")
        self.browser.click("button[value=identify]")
        self.approve_from_page(phone)
        query = self.landed_query()
        self.rp.hits.clear()
        token = self.exchange(query["code"], verifier)
        return token, self.id_token_claims(token["id_token"], nonce)

    def silent_sign_in(self):
        """An authorize that must land on the relying party without any page: its claims."""
        verifier, challenge = pkce()
        nonce = "n-" + secrets.token_hex(4)
        self.browser.goto(self.authorize_url(nonce=nonce, code_challenge=challenge,
                                             code_challenge_method="S256"))
        query = self.landed_query()
        self.rp.hits.clear()
        token = self.exchange(query["code"], verifier)
        return self.id_token_claims(token["id_token"], nonce)

    def asks_for_login(self):
        result = self.browser.goto(self.authorize_url())
        self.assertEqual(result["status"], 200)
        self.assertTrue(result["url"].startswith(self.server.url + "/login?"), result["url"])
        self.assertIn('id="login"', self.browser.state()["html"])
        self.assertEqual(self.rp.hits, [])

    def restart(self):
        """What a browser restart keeps: cookies with an expiry, in a fresh context."""
        kept = [c for c in self.browser.cookies() if c["expires"] > 0]
        self.browser.new_context(kept)
        return kept

    # --- tests -----------------------------------------------------------------------------
    def test_1_a_ticked_box_survives_a_browser_restart(self):
        self.browser.new_context()
        _, claims = self.signed_in(stay=True)
        cookie = self.session_cookie()
        self.assertTrue(cookie["secure"] and cookie["httpOnly"], cookie)
        self.assertEqual(cookie["sameSite"], "Lax")
        self.assertEqual(cookie["path"], "/")
        self.assertAlmostEqual(cookie["expires"], time.time() + HOURS * 3600, delta=120)

        kept = self.restart()
        self.assertIn(COOKIE, [c["name"] for c in kept])
        again = self.silent_sign_in()
        self.assertEqual(again["sid"], claims["sid"])
        self.assertEqual(again["auth_time"], claims["auth_time"])
        self.assertEqual(again["sub"], claims["sub"])

    def test_2_without_the_box_the_cookie_dies_with_the_browser(self):
        self.browser.new_context()
        self.signed_in(stay=False)
        cookie = self.session_cookie()
        self.assertEqual(cookie["expires"], -1, "a session cookie: no Expires, no Max-Age")
        self.silent_sign_in()  # single sign-on within the running browser
        kept = self.restart()
        self.assertNotIn(COOKIE, [c["name"] for c in kept])
        self.asks_for_login()

    def test_3_the_box_is_hidden_when_not_offered(self):
        server = Server({("login", "stay_signed_in_hours"): "0"}).start()
        try:
            client_id, _ = server.add_client("rp-nostay", "--redirect-uri", self.redirect_uri)
            self.browser.new_context()
            result = self.browser.goto(server.url + "/oidc/authorize?" + urlencode({
                "client_id": client_id, "redirect_uri": self.redirect_uri,
                "response_type": "code", "scope": "openid", "state": "s", "nonce": "n"}))
            self.assertEqual(result["status"], 200)
            html = self.browser.state()["html"]
            self.assertIn('id="login"', html)
            self.assertNotIn('name="stay"', html)
            self.assertNotIn("Stay signed in", html)
        finally:
            server.cleanup()

    def test_4_rotation_and_a_replayed_old_secret(self):
        first = type(self).rotation
        # Wait out the rotation period of the session signed in by setUpClass (created
        # before it landed).
        time.sleep(max(0.0, first["landed"] + ROTATE_SECONDS + 0.5 - time.time()))
        self.browser.use_context(first["context"])
        old = self.session_cookie()
        self.assertEqual(old["value"], first["cookie"]["value"], "not rotated before its time")
        claims = self.silent_sign_in()
        rotated_by = time.time()
        self.assertEqual(claims["sid"], first["claims"]["sid"])
        new = self.session_cookie()
        self.assertNotEqual(new["value"], old["value"], "the secret rotated")
        self.assertGreater(new["expires"], 0, "still persistent")
        self.assertAlmostEqual(new["expires"], old["expires"], delta=120)

        # Within the grace the old secret still works (a request that raced the rotation).
        self.browser.new_context([old])
        self.assertEqual(self.silent_sign_in()["sid"], claims["sid"])

        # After the grace it is a copied cookie: the session ends, for the thief...
        time.sleep(max(0.0, rotated_by + GRACE_SECONDS + 0.5 - time.time()))
        self.browser.new_context([old])
        self.asks_for_login()
        # ...and for the browser holding the current secret.
        self.browser.use_context(first["context"])
        self.assertEqual(self.session_cookie()["value"], new["value"])
        self.asks_for_login()


if __name__ == "__main__":
    unittest.main()
