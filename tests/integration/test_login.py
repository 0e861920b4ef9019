"""The browser login as a person meets it: headless Chromium fills twofold's login pages, the
`twofold-auth` phone approves the push by the access pass shown on the page, and the browser
lands on the relying party's redirect URI with a code that an independent client library
(python3-authlib) exchanges. Negative paths: untrusted redirect URIs never redirect, a form
without its CSRF token is refused."""
import secrets
import subprocess
import unittest

from browser import Browser
from harness import TWOFOLD, ServerTestCase
from oidc_browser import BrowserSignIn, RelyingParty, pkce


class Login(BrowserSignIn, ServerTestCase):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.rp = RelyingParty()
        cls.evil = RelyingParty()
        cls.redirect_uri = cls.rp.base + "/cb"
        cls.client_id, cls.client_secret = cls.server.add_client("rp-app", "--name", "Demo <RP>",
                             "--redirect-uri", cls.redirect_uri)

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
