"""A real SMTP server (aiosmtpd) on loopback whose mailbox the tests read, and the class
fixture of the login tests that need mail: twofoldd with that server as [mail], cheap Argon2id
hashes, and a relying party "rp-app" registered."""
import email
import email.policy
import re
import threading
import time

from aiosmtpd.controller import Controller

from harness import free_port
from oidc_browser import RelyingParty


class Mailbox:
    """The handler of a real aiosmtpd server: keeps every message; refuses recipients whose
    address starts with "bounce" (550), like a server that does not know them."""

    def __init__(self):
        self.messages = []
        self.lock = threading.Lock()

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address.startswith("bounce"):
            return "550 5.1.1 no such mailbox"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        with self.lock:
            self.messages.append((list(envelope.rcpt_tos), message))
        return "250 OK"

    def to(self, address):
        with self.lock:
            return [m for rcpt, m in self.messages if address in rcpt]

    def wait(self, address, count=1, timeout=15):
        deadline = time.time() + timeout
        while time.time() < deadline:
            found = self.to(address)
            if len(found) >= count:
                return found
            time.sleep(0.05)
        raise AssertionError(f"no mail #{count} to {address} within {timeout} s")


def code_of(message):
    body = message.get_body(("plain",)).get_content()
    return re.search(r"^\s+(\d{6})\s*$", body, re.M).group(1)


class MailSinkSignIn:
    """Mix in before ServerTestCase: starts the SMTP server, configures it (plus the class's
    `extra_options`), registers the relying party and stops both after the class."""
    extra_options = {}

    @classmethod
    def setUpClass(cls):
        cls.mailbox = Mailbox()
        cls.smtp = Controller(cls.mailbox, hostname="127.0.0.1", port=free_port())
        cls.smtp.start()
        cls.options = {("mail", "host"): '"127.0.0.1"',
                       ("mail", "port"): str(cls.smtp.port),
                       ("mail", "security"): '"none"',
                       ("mail", "timeout_seconds"): "10",
                       # Cheap password hashes: these tests are not about the hash cost.
                       ("password", "argon2_opslimit"): "1",
                       ("password", "argon2_memlimit_kib"): "8192",
                       **cls.extra_options}
        try:
            super().setUpClass()
        except BaseException:
            cls.smtp.stop()
            raise
        cls.rp = RelyingParty()
        cls.redirect_uri = cls.rp.base + "/cb"
        cls.client_id, cls.client_secret = cls.server.add_client(
            "rp-app", "--name", "Demo", "--redirect-uri", cls.redirect_uri)

    @classmethod
    def tearDownClass(cls):
        cls.rp.close()
        cls.smtp.stop()
        super().tearDownClass()
