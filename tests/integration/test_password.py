"""Passwords the user changes: an expired database password is replaced at the login (R-C1)
and a forgotten one is reset through a link by email (R-C5). The real twofoldd, a real SMTP
server (aiosmtpd) whose mailbox the test reads, headless Chromium where the pages matter and
scripted requests (python3-requests) where a browser adds nothing."""
import re
import secrets
import sqlite3
import subprocess
import time
import unittest
from urllib.parse import urlparse

import requests

from browser import Browser
from harness import TWOFOLD, ServerTestCase
from mail_sink import MailSinkSignIn, code_of
from oidc_browser import BrowserSignIn, pkce
from scripted_login import ScriptedBrowser

PASSWORD = "Geheim123"


def reset_link(message):
    body = message.get_body(("plain",)).get_content()
    return re.search(r"(https://\S+/login/reset\?token=[A-Za-z0-9_-]+)", body).group(1)


def notice(html):
    m = re.search(r'class="notice"[^>]*>([^<]*)<', html)
    return m.group(1) if m else ""


class Passwords(MailSinkSignIn, BrowserSignIn, ServerTestCase):
    # Every test asks for links often (all from 127.0.0.1); both limits are tested in the
    # unit tests.
    extra_options = {("password_reset", "id_interval_minutes"): "0",
                     ("password_reset", "per_address_per_hour"): "100"}

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.db = cls.server.dir + "/twofold.db"

    def setUp(self):
        super().setUp()
        self.rp.hits.clear()
        self.browser = None

    def tearDown(self):
        if self.browser:
            self.browser.close()
        super().tearDown()

    # --- helpers -----------------------------------------------------------------------------
    def add_user(self, user, address=None, password=PASSWORD):
        args = [TWOFOLD, "--config", self.server.config, "user", "add", user]
        if password:
            args.append("--password-stdin")
        if address:
            args += ["--email", address]
        subprocess.run(args, input=(password or "") + "\n", text=True, check=True,
                       capture_output=True, timeout=60)

    def sql(self, statement, *args):
        with sqlite3.connect(self.db, timeout=10) as db:
            return db.execute(statement, args).fetchall()

    def html(self):
        return self.browser.state()["html"]

    def scripted(self, language="en"):
        b = ScriptedBrowser(self.server, language=language)
        self.addCleanup(b.close)
        b.authorize(self.client_id, self.redirect_uri)
        return b

    def ask_for_link(self, login, language="en"):
        """The forgot page of a fresh login, answered for `login`; returns the page."""
        b = self.scripted(language)
        self.assertIn('value="forgot"', b.page)
        b.submit(action="forgot")
        self.assertIn('value="send_reset"', b.page)
        r = b.submit(action="send_reset", login=login)
        self.assertEqual(r.status_code, 200)
        return b.page

    def sign_in_scripted(self, login, password):
        b = self.scripted()
        r = b.identify(login, password)
        self.assertEqual(r.status_code, 200)
        return b.page

    def get(self, path):
        with requests.Session() as http:
            http.trust_env = False
            http.verify = self.server.ca
            return http.get(self.server.url + path, allow_redirects=False, timeout=30)

    def refresh(self, token):
        with requests.Session() as http:
            http.trust_env = False
            http.verify = self.server.ca
            return http.post(self.server.url + "/oidc/token",
                             data={"grant_type": "refresh_token", "refresh_token": token},
                             auth=(self.client_id, self.client_secret), timeout=30)

    # --- R-C1 --------------------------------------------------------------------------------
    def test_expired_password_is_changed_at_the_login(self):
        user = self.unique_id("exp")
        address = user + "@example.test"
        self.add_user(user, address)
        # Changed 6,000 days ago: older than the default maximum age of 5,500 days.
        old = int((time.time() - 6000 * 86400) * 1000)
        self.sql("UPDATE passwords SET changed_ms = ? WHERE identity_key = ?", old, user.lower())

        self.browser = Browser()
        verifier, challenge = pkce()
        nonce = "n-" + secrets.token_hex(4)
        self.sign_in(user, PASSWORD, nonce=nonce, code_challenge=challenge,
                     code_challenge_method="S256")
        self.assertIn("Your password has expired. Choose a new one", self.html())
        self.assertIn("At least 7 characters", self.html())
        for new, repeat, expected in (
                ("Neu2024x", "Neu2024y", "The two passwords are not the same."),
                ("kurz", "kurz", "This password does not follow the rules"),
                (PASSWORD, PASSWORD, "You used this password recently.")):
            self.browser.fill("#new_password", new)
            self.browser.fill("#repeat_password", repeat)
            self.browser.click("button[value=set_password]")
            self.assertIn(expected, self.html())
            self.assertIn('id="new_password"', self.html())
        self.assertEqual(self.rp.hits, [])
        self.browser.fill("#new_password", "Neu2024x")
        self.browser.fill("#repeat_password", "Neu2024x")
        self.browser.click("button[value=set_password]")
        # On exactly as after a password: the second factor (the email code), then the app.
        self.assertIn("Check your email", self.html())
        self.browser.fill("#code", code_of(self.mailbox.wait(address)[0]))
        self.browser.click("button[value=code]")
        query = self.landed_query()
        claims = self.id_token_claims(self.exchange(query["code"], verifier)["id_token"], nonce)
        self.assertEqual(claims["sub"], user.lower())
        self.assertIn("pwd", claims["amr"])
        self.assertIn("otp", claims["amr"])

        # The old password is refused, the new one is taken (and not expired).
        self.assertIn("The ID or password is wrong.", self.sign_in_scripted(user, PASSWORD))
        page = self.sign_in_scripted(user, "Neu2024x")
        self.assertIn("Check your email", page)
        self.assertNotIn("new_password", page)

    def test_expired_password_form_needs_the_old_password(self):
        b = self.scripted()
        r = b.submit(action="set_password", new_password="Neu2024x", repeat_password="Neu2024x")
        self.assertLess(r.status_code, 500)
        self.assertNotIn("new_password", b.page)

    # --- R-C5 --------------------------------------------------------------------------------
    def test_reset_by_email_link(self):
        user = self.unique_id("reset")
        address = user + "@example.test"
        self.add_user(user, address)
        self.browser = Browser()
        # Signed in first, with a refresh token, so the reset has a session to end.
        verifier, challenge = pkce()
        self.sign_in(user, PASSWORD, code_challenge=challenge, code_challenge_method="S256")
        self.browser.fill("#code", code_of(self.mailbox.wait(address)[0]))
        self.browser.click("button[value=code]")
        refresh_token = self.exchange(self.landed_query()["code"], verifier)["refresh_token"]
        refreshed = self.refresh(refresh_token)
        self.assertEqual(refreshed.status_code, 200, refreshed.text)
        refresh_token = refreshed.json()["refresh_token"]  # rotated
        self.rp.hits.clear()

        # The identify page links to the forgot page; unknown and known IDs read the same.
        self.browser.goto(self.authorize_url(prompt="login"))
        # Enter in the password field still signs in (the form's first button).
        self.assertEqual(self.browser.eval(
            "document.querySelector('form button[type=submit]').value"), "identify")
        self.browser.click("#forgot")
        self.assertIn("Enter your ID or email address.", self.html())
        before = len(self.mailbox.messages)
        self.browser.fill("#login", "nobody-" + secrets.token_hex(4))
        started = time.monotonic()
        self.browser.click("button[value=send_reset]")
        unknown_time = time.monotonic() - started
        unknown = notice(self.html())
        self.browser.fill("#login", user)
        started = time.monotonic()
        self.browser.click("button[value=send_reset]")
        known_time = time.monotonic() - started
        self.assertEqual(notice(self.html()), unknown)
        self.assertIn("If the ID exists and has an email address, a link was sent", unknown)
        # The mail goes out after the answer: the known ID's page is not slower by an SMTP
        # round trip (a generous bound; the point is no order-of-magnitude difference).
        self.assertLess(known_time, unknown_time + 2.0)

        mails = self.mailbox.wait(address, count=2)
        mail = mails[-1]
        self.assertEqual(mail["Subject"], "Choose a new twofold password")
        time.sleep(0.3)
        self.assertEqual(len(self.mailbox.messages), before + 1)  # none for the unknown ID
        link = reset_link(mail)
        self.assertTrue(link.startswith(self.server.url + "/login/reset?token="), link)
        token = link.split("token=", 1)[1]
        self.assertNotIn(token, self.server.output())
        stored = self.sql("SELECT token_hash FROM password_reset_tokens WHERE identity_key = ?",
                          user.lower())
        self.assertEqual(len(stored), 1)
        self.assertNotEqual(stored[0][0], token)

        # The link opens the new-password page (the token leaves the address bar).
        result = self.browser.goto(link)
        self.assertIn("/login?tx=", result["url"])
        self.assertIn("Choose a new password for your ID.", self.html())
        self.browser.fill("#new_password", "kurz")
        self.browser.fill("#repeat_password", "kurz")
        self.browser.click("button[value=set_password]")
        self.assertIn("This password does not follow the rules", self.html())
        self.browser.fill("#new_password", "Zurueck42")
        self.browser.fill("#repeat_password", "Zurueck42")
        self.browser.click("button[value=set_password]")
        self.assertIn("Your password was changed and you were signed out everywhere", self.html())
        self.assertEqual(self.sql("SELECT COUNT(*) FROM browser_sessions WHERE identity_key = ?",
                                  user.lower()), [(0,)])
        # The application's refresh token bound to the ended session is revoked too.
        refused = self.refresh(refresh_token)
        self.assertEqual(refused.status_code, 400, refused.text)
        self.assertEqual(refused.json()["error"], "invalid_grant")
        # Signed out: the application gets no code without a new sign-in.
        self.browser.goto(self.authorize_url(prompt="none"))
        self.assertEqual(self.landed_query()["error"], "login_required")
        self.rp.hits.clear()

        # The same link again: refused, a clear 400.
        again = self.get(urlparse(link).path + "?" + urlparse(link).query)
        self.assertEqual(again.status_code, 400)
        self.assertIn("invalid, expired or already used", again.text)
        # The new password signs in, the old one does not.
        self.assertIn("The ID or password is wrong.", self.sign_in_scripted(user, PASSWORD))
        self.assertIn("Check your email", self.sign_in_scripted(user, "Zurueck42"))

    def test_expired_and_bad_links_are_refused(self):
        user = self.unique_id("late")
        address = user + "@example.test"
        self.add_user(user, address)
        self.ask_for_link(user)
        link = reset_link(self.mailbox.wait(address)[0])
        self.assertEqual(self.get(urlparse(link).path + "?" + urlparse(link).query).status_code,
                         303)
        # A second link replaces the first.
        self.ask_for_link(address)  # by email address this time
        second = reset_link(self.mailbox.wait(address, count=2)[1])
        self.assertEqual(self.get("/login/reset?" + urlparse(link).query).status_code, 400)
        # Past its expiry (24 hours by default): refused.
        self.sql("UPDATE password_reset_tokens SET expires_ms = ? WHERE identity_key = ?",
                 int((time.time() - 60) * 1000), user.lower())
        r = self.get("/login/reset?" + urlparse(second).query)
        self.assertEqual(r.status_code, 400)
        self.assertIn("invalid, expired or already used", r.text)
        for query in ("token=", "token=abc", "token=" + "A" * 43, "token=%ff%00", ""):
            self.assertEqual(self.get("/login/reset?" + query).status_code, 400, query)
        # Nothing was changed: the old password still signs in.
        self.assertIn("Check your email", self.sign_in_scripted(user, PASSWORD))

    def test_no_mail_for_ldap_linked_or_passwordless_ids(self):
        linked = self.unique_id("ldap")
        self.add_user(linked, linked + "@example.test")
        self.server.cli("source", "link", linked, "uid=" + linked)
        pushy = self.unique_id("push")
        self.add_user(pushy, pushy + "@example.test", password=None)
        plain = self.unique_id("plain")
        self.add_user(plain, plain + "@example.test")
        pages = [notice(self.ask_for_link(login)) for login in (linked, pushy, plain)]
        self.assertEqual(len(set(pages)), 1, pages)
        # Requests run one after another: once the last one's mail is here, the others are done.
        self.mailbox.wait(plain + "@example.test")
        time.sleep(0.3)
        self.assertEqual(self.mailbox.to(linked + "@example.test"), [])
        self.assertEqual(self.mailbox.to(pushy + "@example.test"), [])
        log = self.server.output()
        self.assertIn(f"password reset for {linked.lower()}: not offered (linked to LDAP)", log)
        self.assertIn(f"password reset for {pushy.lower()}: not offered (no database password)",
                      log)

    def test_reset_in_german(self):
        user = self.unique_id("de")
        address = user + "@example.test"
        self.add_user(user, address)
        page = self.ask_for_link(user, language="de")
        self.assertIn("Wenn die ID existiert und eine E-Mail-Adresse hat", notice(page))
        self.assertIn("Passwort vergessen?", page)
        mail = self.mailbox.wait(address)[0]
        self.assertEqual(mail["Subject"], "Neues Passwort für twofold wählen")
        self.assertIn("Der Link funktioniert einmal und 24 Stunden lang.",
                      mail.get_body(("plain",)).get_content())
        b = ScriptedBrowser(self.server, language="de")
        self.addCleanup(b.close)
        link = reset_link(mail)
        b._follow(b.http.get(link, allow_redirects=False, timeout=30))
        self.assertIn("Wählen Sie ein neues Passwort für Ihre ID.", b.page)
        self.assertIn("Mindestens 7 Zeichen", b.page)
        b.submit(action="set_password", new_password=PASSWORD, repeat_password=PASSWORD)
        self.assertIn("Dieses Passwort haben Sie kürzlich verwendet.", b.page)
        r = b.submit(action="set_password", new_password="Passwort1", repeat_password="Passwort1")
        self.assertEqual(r.status_code, 200)
        self.assertIn("Ihr Passwort wurde geändert", b.page)


if __name__ == "__main__":
    unittest.main()
