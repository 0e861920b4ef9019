"""Login regulation through the real server (SPEC R-P1, R-P5): the 11th sign-in of a user
within a minute gets the seed's message (English and German); guessing one user's password
from many addresses slows that user down for a capped moment but never locks them out;
guessing many users from one address holds that address only. Sign-ins are scripted HTTP
(scripted_login.py) from several loopback addresses (127.0.0.x), with `twofold-auth` as
the phone."""
import re
import subprocess
import time
import unittest

from harness import TWOFOLD, ServerTestCase
from scripted_login import ScriptedBrowser

TOO_OFTEN_EN = ("You have signed in too often in the last minute. "
                "Please wait a moment before signing in again.")
TOO_OFTEN_DE = ("Sie haben sich in der letzten Minute zu häufig angemeldet. "
                "Bitte warten Sie einen Moment mit einer Neuanmeldung.")
THROTTLED = "Too many failed attempts. Please wait a moment and try again."


class Regulation(ServerTestCase):
    options = {
        ("regulation", "user_free_failures"): "3",
        ("regulation", "user_max_delay_seconds"): "4",
        ("regulation", "address_free_failures"): "5",
        ("regulation", "address_max_delay_seconds"): "4",
    }

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.redirect_uri = "http://127.0.0.1:9/cb"  # never followed
        cls.client_id, _ = cls.server.add_client("reg-app", "--redirect-uri", cls.redirect_uri)

    def browser(self, address="127.0.0.1", language="en"):
        b = ScriptedBrowser(self.server, address, language)
        self.addCleanup(b.close)
        b.authorize(self.client_id, self.redirect_uri)
        self.assertIn('name="login"', b.page)
        return b

    def assertOnPage(self, text, browser):
        if text not in browser.page:
            notice = re.search(r'<p class="notice"[^>]*>([^<]*)</p>', browser.page)
            self.fail(f"{text!r} not on the page; its notice: {notice.group(1) if notice else None}")

    def user_with_password(self, password="Geheim123"):
        user = self.unique_id("reg")
        phone = self.device(user)
        subprocess.run([TWOFOLD, "--config", self.server.config, "user", "passwd", user],
                       input=password + "\n", text=True, check=True, capture_output=True)
        return user, phone

    def test_the_eleventh_sign_in_within_a_minute_is_refused(self):
        user = self.unique_id("often")
        phone = self.device(user)  # push only: the ID alone, then the phone
        started = time.monotonic()
        for i in range(10):
            b = self.browser()
            b.identify(user)
            r = b.approve_push(phone, self.tmp)
            self.assertEqual(r.status_code, 303, r.text[:500])
            self.assertTrue(r.headers["Location"].startswith(self.redirect_uri + "?code="), i)
        self.assertLess(time.monotonic() - started, 55, "ten sign-ins took too long to test")
        b = self.browser()
        b.identify(user)
        r = b.approve_push(phone, self.tmp)
        self.assertEqual(r.status_code, 429)
        self.assertIn(TOO_OFTEN_EN, r.text)
        b = self.browser(language="de")
        b.identify(user)
        r = b.approve_push(phone, self.tmp)
        self.assertEqual(r.status_code, 429)
        self.assertIn(TOO_OFTEN_DE, r.text)

    def test_guessing_one_user_from_many_addresses_slows_but_never_locks(self):
        user, _ = self.user_with_password()
        # Three free failures, then 1 s, then 2 s: a hold long enough to see on a loaded machine.
        for i in range(5):
            if i == 4:
                time.sleep(1.1)  # the fourth failure's 1 s hold
            b = self.browser(f"127.0.0.{2 + i}")
            b.identify(user, "Falsch123")
            self.assertOnPage("The ID or password is wrong.", b)
        b = self.browser("127.0.0.7")
        b.identify(user, "Geheim123")
        self.assertOnPage(THROTTLED, b)  # held: not even the right password is checked
        self.assertNotIn('id="access-pass"', b.page)
        time.sleep(2.3)
        b.identify(user, "Geheim123")
        self.assertOnPage('id="access-pass"', b)  # the hold has passed

        # More guesses double the hold (4 s, 8 s, 16 s…), capped at 4 s: each guess made
        # after waiting the cap is checked again.
        for i in range(3):
            if i:
                time.sleep(4.1)
            b = self.browser(f"127.0.0.{10 + i}")
            b.identify(user, "Falsch123")
            self.assertOnPage("The ID or password is wrong.", b)
        b = self.browser("127.0.0.30")
        b.identify(user, "Geheim123")
        self.assertOnPage(THROTTLED, b)
        time.sleep(4.1)
        b.identify(user, "Geheim123")
        self.assertOnPage('id="access-pass"', b)

    def test_a_known_browser_is_not_held_by_a_strangers_guesses(self):
        user, phone = self.user_with_password()
        own = self.browser("127.0.0.50")
        own.identify(user, "Geheim123")
        r = own.approve_push(phone, self.tmp)
        self.assertEqual(r.status_code, 303)  # signed in: this browser has its device cookie
        self.assertIn("__Host-twofold_device", own.http.cookies.keys())
        for i in range(5):  # a stranger from elsewhere: the user is held (for 2 s)
            if i == 4:
                time.sleep(1.1)
            b = self.browser(f"127.0.0.{51 + i}")
            b.identify(user, "Falsch123")
        b = self.browser("127.0.0.56")
        b.identify(user, "Geheim123")
        self.assertOnPage(THROTTLED, b)
        own.authorize(self.client_id, self.redirect_uri, prompt="login")
        own.identify(user, "Geheim123")
        self.assertOnPage('id="access-pass"', own)  # the user's own browser goes ahead

    def test_guessing_many_users_from_one_address_holds_that_address(self):
        user, _ = self.user_with_password()
        for i in range(7):  # five free failures, then 1 s, then 2 s
            if i == 6:
                time.sleep(1.1)
            b = self.browser("127.0.0.40")
            b.identify(self.unique_id("nobody"), "Falsch123")
            self.assertOnPage("The ID or password is wrong.", b)
        b = self.browser("127.0.0.40")
        b.identify(user, "Geheim123")
        self.assertOnPage(THROTTLED, b)
        b = self.browser("127.0.0.41")  # another address is not held
        b.identify(user, "Geheim123")
        self.assertOnPage('id="access-pass"', b)


if __name__ == "__main__":
    unittest.main()
