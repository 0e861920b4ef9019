"""The code factors in the browser login, as a person meets them: headless Chromium sets up
an authenticator app on /account (the QR code page, the typed key, the first code) and then
signs in to an OpenID Connect client with password + TOTP; the email code travels through a
real SMTP server (aiosmtpd) into the test's mailbox, "remember this browser" skips it on the
next sign-in. Codes are computed here per RFC 6238 with hmac/hashlib, and python3-authlib
exchanges the authorization codes."""
import base64
import hashlib
import hmac
import secrets
import struct
import subprocess
import time
import unittest

from browser import Browser
from harness import TWOFOLD, ServerTestCase
from mail_sink import MailSinkSignIn, code_of
from oidc_browser import BrowserSignIn, pkce

PASSWORD = "Geheim123"


def totp(secret_base32, step, digits=6):
    """RFC 6238 (HOTP of RFC 4226 over the time step) with HMAC-SHA-1."""
    key = base64.b32decode(secret_base32 + "=" * (-len(secret_base32) % 8))
    mac = hmac.new(key, struct.pack(">Q", step), hashlib.sha1).digest()
    offset = mac[-1] & 0x0F
    value = (struct.unpack(">I", mac[offset:offset + 4])[0] & 0x7FFFFFFF) % 10 ** digits
    return str(value).zfill(digits)


def other_code(code):
    """A code of the same length that is not `code`."""
    return code[:-1] + str((int(code[-1]) + 5) % 10)


class Factors(MailSinkSignIn, BrowserSignIn, ServerTestCase):
    extra_options = {("email_code", "skip_users"): '["skipper"]'}

    def setUp(self):
        super().setUp()
        self.rp.hits.clear()
        self.browser = Browser()

    def tearDown(self):
        self.browser.close()
        super().tearDown()

    def add_user(self, user, address=None):
        args = [TWOFOLD, "--config", self.server.config, "user", "add", user, "--password-stdin"]
        if address:
            args += ["--email", address]
        subprocess.run(args, input=PASSWORD + "\n", text=True, check=True, capture_output=True,
                       timeout=60)

    def html(self):
        return self.browser.state()["html"]

    def cookies(self):
        return {c["name"]: c for c in self.browser.call("cookies")["cookies"]}

    def enter_code(self, code, remember=False):
        self.browser.fill("#code", code)
        if remember:
            self.browser.eval("document.querySelector('#remember').checked = true")
        return self.browser.click("button[value=code]")

    def test_totp_set_up_on_the_account_page_then_sign_in_with_it(self):
        user = self.unique_id("totp")
        self.add_user(user)
        # No session: the account page sends the browser through the login and back.
        result = self.browser.goto(self.server.url + "/account")
        self.assertIn("/login?tx=", result["url"])
        self.assertIn("your twofold account", self.html())
        self.browser.fill("#login", user)
        self.browser.fill("#password", PASSWORD)
        result = self.browser.click("button[value=identify]")
        self.assertEqual(result["url"], self.server.url + "/account")
        self.assertIn("No authenticator app is set up.", self.html())

        self.browser.click("button[value=begin]")
        src = self.browser.attr("#totp-qr", "src")
        self.assertTrue(src.startswith("data:image/png;base64,"), src[:40])
        self.assertTrue(base64.b64decode(src.split(",", 1)[1]).startswith(b"\x89PNG\r\n\x1a\n"))
        secret = self.browser.eval("document.querySelector('#totp-secret').textContent")
        secret = secret.replace(" ", "")
        self.assertRegex(secret, r"^[A-Z2-7]{32}$")
        step = int(time.time()) // 30
        self.browser.fill("#code", other_code(totp(secret, step)))
        result = self.browser.click("button[value=confirm]")
        self.assertEqual(result["status"], 400)
        self.assertIn("The code is wrong.", self.html())
        self.browser.fill("#code", totp(secret, step))  # the same key is still on the page
        self.browser.click("button[value=confirm]")
        self.assertIn("An authenticator app is set up.", self.html())

        # The setup session is not single sign-on: the client gets a full login.
        verifier, challenge = pkce()
        nonce = "n-" + secrets.token_hex(4)
        self.sign_in(user, PASSWORD, nonce=nonce, code_challenge=challenge,
                     code_challenge_method="S256")
        self.assertIn("Enter your code", self.html())
        self.enter_code(other_code(totp(secret, step + 1)))
        self.assertIn("The code is wrong.", self.html())
        # The next step's code: inside the ±1 window, and not the step used to confirm.
        code = totp(secret, step + 1)
        self.enter_code(code)
        query = self.landed_query()
        claims = self.id_token_claims(self.exchange(query["code"], verifier)["id_token"], nonce)
        self.assertEqual(claims["sub"], user.lower())
        for value in ("pwd", "otp", "mfa"):
            self.assertIn(value, claims["amr"])
        self.assertEqual(claims["acr"], "urn:twofold:acr:2fa")

        # The same code again (a new login): refused as a replay.
        self.sign_in(user, PASSWORD, prompt="login")
        self.enter_code(code)
        self.assertIn("This code was already used.", self.html())
        self.assertEqual(len(self.rp.hits), 1)

        # Removing the app takes a current code or the password.
        self.browser.goto(self.server.url + "/account")
        self.assertIn("An authenticator app is set up.", self.html())
        self.browser.fill("#proof", "Wrong123")
        result = self.browser.click("button[value=remove]")
        self.assertEqual(result["status"], 403)
        self.assertIn("The authenticator app was not removed.", self.html())
        self.browser.fill("#proof", PASSWORD)
        self.browser.click("button[value=remove]")
        self.assertIn("The authenticator app was removed.", self.html())
        self.assertIn("No authenticator app is set up.", self.html())

    def test_email_code_and_remember_this_browser(self):
        user = self.unique_id("mail")
        address = user + "@example.test"
        self.add_user(user, address)
        verifier, challenge = pkce()
        nonce = "n-" + secrets.token_hex(4)
        page = self.sign_in(user, PASSWORD, nonce=nonce, code_challenge=challenge,
                            code_challenge_method="S256")
        self.assertEqual(page["status"], 200)
        self.assertIn("Check your email", self.html())
        mail = self.mailbox.wait(address)[0]
        self.assertEqual(mail["Subject"], "Your twofold sign-in code")
        code = code_of(mail)
        # A wrong code, then "send a new code" at once: refused, no second mail.
        self.enter_code(other_code(code))
        self.assertIn("The code is wrong.", self.html())
        self.browser.click("button[value=resend]")
        self.assertIn("A code was sent a moment ago.", self.html())
        self.assertEqual(len(self.mailbox.to(address)), 1)

        self.enter_code(code, remember=True)
        query = self.landed_query()
        claims = self.id_token_claims(self.exchange(query["code"], verifier)["id_token"], nonce)
        self.assertIn("otp", claims["amr"])
        self.assertIn("pwd", claims["amr"])
        remember = self.cookies()["__Host-twofold_remember"]
        self.assertTrue(remember["secure"] and remember["httpOnly"])
        self.assertEqual(remember["sameSite"], "Lax")
        self.assertEqual(remember["path"], "/")
        self.assertGreater(remember["expires"], time.time() + 29 * 86400)

        # Next sign-in in this browser: the password, and no email code.
        verifier, challenge = pkce()
        nonce = "n-" + secrets.token_hex(4)
        self.sign_in(user, PASSWORD, prompt="login", nonce=nonce, code_challenge=challenge,
                     code_challenge_method="S256")
        query = self.landed_query(count=2)
        claims = self.id_token_claims(self.exchange(query["code"], verifier)["id_token"], nonce)
        self.assertEqual(claims["amr"], ["pwd"])
        self.assertEqual(len(self.mailbox.to(address)), 1)

        # Another user in the same browser is not remembered.
        other = self.unique_id("mail")
        self.add_user(other, other + "@example.test")
        self.sign_in(other, PASSWORD, prompt="login")
        self.assertIn("Check your email", self.html())
        self.mailbox.wait(other + "@example.test")

    def test_email_code_in_german(self):
        user = self.unique_id("post")
        address = user + "@example.test"
        self.add_user(user, address)
        self.sign_in(user, PASSWORD, ui_locales="de")
        self.assertIn("E-Mail prüfen", self.html())
        mail = self.mailbox.wait(address)[0]
        self.assertEqual(mail["Subject"], "Ihr Anmeldecode für twofold")
        code = code_of(mail)
        self.enter_code(other_code(code))
        self.assertIn("Der Code ist falsch.", self.html())
        self.assertIn("Diesen Browser merken", self.html())
        self.enter_code(code)
        self.assertIn("code", self.landed_query())

    def test_undeliverable_mail_is_a_notice_and_the_skip_list_needs_no_code(self):
        user = self.unique_id("bounce")
        self.add_user(user, user + "@example.test")
        page = self.sign_in(user, PASSWORD)
        self.assertEqual(page["status"], 200)
        self.assertIn("The email could not be sent.", self.html())
        self.assertEqual(self.rp.hits, [])
        self.assertIn("email code for", self.server.output())

        # On [email_code] skip_users and without another factor: the password alone.
        self.add_user("Skipper", "skipper@example.test")
        verifier, challenge = pkce()
        nonce = "n-" + secrets.token_hex(4)
        self.sign_in("Skipper", PASSWORD, nonce=nonce, code_challenge=challenge,
                     code_challenge_method="S256")
        query = self.landed_query()
        claims = self.id_token_claims(self.exchange(query["code"], verifier)["id_token"], nonce)
        self.assertEqual(claims["amr"], ["pwd"])
        self.assertEqual(claims["acr"], "urn:twofold:acr:1fa")
        self.assertEqual(self.mailbox.to("skipper@example.test"), [])


if __name__ == "__main__":
    unittest.main()
