"""The LDAP credential source (R-C2) and the mixed orders (R-C3, R-C6) against real OpenLDAP
servers (slapd on 127.0.0.1, see ldap_server.py): an LDAP user signs in through the real login
page in Chromium with the push approved by `twofold-auth`; everything else is driven through
`twofold source test`, the admin's check of the configured sources, which builds the very same
sources as the server. TLS (ldaps:// and StartTLS) under a throw-away CA, failover to a second
server, a hanging server bounded by the configured timeout, filter injection, groups by search
and by memberOf (the memberof overlay), every order with IDs that have only an LDAP id,
only a database password, or both, and the re-check (R-P2) that signs out a user whose entry
was deleted from the directory."""
import os
import re
import secrets
import subprocess
import time
import unittest

import test_login as tl
from browser import Browser
from harness import TWOFOLD, Server, ServerTestCase, set_option
from ldap_server import (ADMIN_DN, ADMIN_PASSWORD, GROUPS, PEOPLE, SERVICE_DN, SERVICE_PASSWORD,
                         SUFFIX, HangingServer, Slapd, TestCA, people_dn)

ROOT_PASSWORD = "Root-Pass-1"
DORA_PASSWORD = "Dora-Db-1"
MIXED_DB_PASSWORD = "Mixed-Db-1"
DIRECT = f'"uid={{user}},ou=people,{SUFFIX}"'


class LdapSources(ServerTestCase):

    @classmethod
    def setUpClass(cls):
        import tempfile
        cls.ca_dir = tempfile.mkdtemp(prefix="twofold-ldap-ca-")
        cls.ca = TestCA(cls.ca_dir)
        cls.slapd = Slapd(tls=cls.ca).start()
        cls.server = Server({
            ("sources", "order"): '"ldap,database"',
            ("ldap", "servers"): f'["{cls.slapd.uri}"]',
            ("ldap", "user_dn_template"): DIRECT,
            ("ldap", "group_search_base"): f'"ou=groups,{SUFFIX}"',
            ("ldap", "network_timeout_seconds"): "2",
            ("ldap", "operation_timeout_seconds"): "2",
            ("password", "argon2_memlimit_kib"): "8192",
            # R-P2's re-check at its shortest, so that one test can wait it out.
            ("regulation", "validity_check_minutes"): "1",
        })
        with open(cls.server.config, "a") as f:
            f.write('\n[ldap.group_roles]\nadmins = ["admin"]\n'
                    f'"cn=staff,ou=groups,{SUFFIX}" = ["staff", "reader"]\n')
        cls.server.start()
        cli = cls.server.cli
        # The first ID is the initial admin (R-C6): a database password, no LDAP id.
        cls.cli_input("user", "add", "root", "--password-stdin", input=ROOT_PASSWORD)
        for name in ("alice", "bob", "lena", "dora", "mixed", "inj", "nolink"):
            cli("user", "add", name)
        cli("source", "link", "alice", "alice")
        cli("source", "link", "bob", "bob")
        cli("source", "link", "lena", "carol")  # LDAP only
        cli("source", "link", "mixed", "mixed")  # both
        cli("source", "link", "inj", "*)(uid=*")
        cls.cli_input("user", "passwd", "dora", input=DORA_PASSWORD)  # database only
        cls.cli_input("user", "passwd", "mixed", input=MIXED_DB_PASSWORD)

    @classmethod
    def tearDownClass(cls):
        try:
            super().tearDownClass()
        finally:
            cls.slapd.cleanup()
            import shutil
            shutil.rmtree(cls.ca_dir, ignore_errors=True)

    @classmethod
    def cli_input(cls, *args, input, config=None):
        return subprocess.run([TWOFOLD, "--config", config or cls.server.config, *args],
                              input=input + "\n", text=True, capture_output=True, timeout=60,
                              check=True)

    def setUp(self):
        super().setUp()
        self.extra = []

    def tearDown(self):
        for thing in self.extra:
            (thing.cleanup if hasattr(thing, "cleanup") else thing.close)()
        super().tearDown()

    # --- helpers ----------------------------------------------------------------------------
    def variant(self, order=None, **ldap):
        """A copy of the server's configuration with other [sources]/[ldap] values (TOML)."""
        with open(self.server.config) as f:
            text = f.read()
        if order:
            text = set_option(text, "sources", "order", f'"{order}"')
        for key, value in ldap.items():
            text = set_option(text, "ldap", key, value)
        path = os.path.join(self.server.dir, f"variant-{secrets.token_hex(4)}.toml")
        with open(path, "w") as f:
            f.write(text)
        return path

    def check(self, user, password, config=None, timeout=30):
        """`twofold source test USER` with the password on standard input."""
        started = time.monotonic()
        proc = subprocess.run([TWOFOLD, "--config", config or self.server.config, "source", "test",
                               user], input=password + "\n", text=True, capture_output=True,
                              timeout=timeout)
        proc.elapsed = time.monotonic() - started
        self.assertNotIn(password, proc.stdout + proc.stderr)  # never echoed, never logged
        return proc

    def accepted_by(self, user, password, config=None):
        proc = self.check(user, password, config)
        if proc.returncode != 0:
            return proc.stdout.split(":")[0]  # "refused" or "unavailable"
        return re.search(r"^accepted by (\S+)", proc.stdout, re.M).group(1)

    # --- direct bind, attributes, groups ------------------------------------------------------
    def test_direct_bind_accepts_maps_and_refuses(self):
        ok = self.check("alice", PEOPLE["alice"][0])
        self.assertEqual(ok.returncode, 0, ok.stdout + ok.stderr)
        self.assertIn("accepted by ldap (order ldap,database)", ok.stdout)
        self.assertIn("name: Alice Liddell", ok.stdout)
        self.assertIn("email: alice@example.org", ok.stdout)
        self.assertIn("roles: admin, staff, reader", ok.stdout)
        self.assertIn(f"cn=admins,ou=groups,{SUFFIX}", ok.stdout)
        self.assertIn(f"LDAP {self.slapd.uri} as {people_dn('alice')}", ok.stdout)
        # bob has no displayName: the cn stands in; only staff.
        bob = self.check("Bob", PEOPLE["bob"][0])
        self.assertEqual(bob.returncode, 0, bob.stdout)
        self.assertIn("name: Bob Builder", bob.stdout)
        self.assertIn("roles: staff, reader", bob.stdout)

        wrong = self.check("alice", "Not-Her-Pass-1")
        self.assertEqual(wrong.returncode, 1, wrong.stdout)
        self.assertIn("refused: wrong_password", wrong.stdout)
        self.assertIn("Invalid credentials", wrong.stdout)
        # Another user's LDAP password does not open alice.
        self.assertEqual(self.check("alice", PEOPLE["bob"][0]).returncode, 1)
        # No LDAP id, no password: nothing to check against.
        nolink = self.check("nolink", PEOPLE["alice"][0])
        self.assertEqual(nolink.returncode, 1)
        self.assertIn("refused: not_applicable", nolink.stdout)
        self.assertIn("has no LDAP id", nolink.stdout)
        unknown = self.check("nobody", "Not-Her-Password-7")
        self.assertIn("refused: unknown_user", unknown.stdout)

    def test_search_then_bind_with_a_service_account(self):
        pw_file = os.path.join(self.server.dir, "ldap-bind.pw")
        with open(pw_file, "w") as f:
            f.write(SERVICE_PASSWORD + "\n")
        config = self.variant(user_dn_template='""', bind_dn=f'"{SERVICE_DN}"',
                              bind_password_file='"ldap-bind.pw"',
                              user_search_base=f'"ou=people,{SUFFIX}"',
                              user_search_filter='"(&(objectClass=inetOrgPerson)(uid={user}))"')
        ok = self.check("alice", PEOPLE["alice"][0], config)
        self.assertEqual(ok.returncode, 0, ok.stdout + ok.stderr)
        self.assertIn("roles: admin, staff, reader", ok.stdout)
        self.assertIn("email: alice@example.org", ok.stdout)
        wrong = self.check("alice", "Wrong-Pass-1", config)
        self.assertIn("refused: wrong_password", wrong.stdout)

        # Injection: the LDAP id `*)(uid=*` is escaped and matches no entry at all, so no
        # password of anybody works (unescaped, the filter would match every person).
        for who in ("alice", "bob", "carol"):
            inj = self.check("inj", PEOPLE[who][0], config)
            self.assertEqual(inj.returncode, 1, inj.stdout)
            self.assertIn("refused: unknown_user", inj.stdout)
            self.assertIn(r"(uid=\2a\29\28uid=\2a)", inj.stdout)
            self.assertIn("found 0 entries", inj.stdout)
        # The same id as a DN value in direct-bind mode: escaped, refused.
        direct = self.check("inj", PEOPLE["alice"][0])
        self.assertEqual(direct.returncode, 1, direct.stdout)
        self.assertIn("refused: wrong_password", direct.stdout)
        self.assertIn(r"bind as uid=*)(uid\=*,ou=people", direct.stdout)
        # A typed login that is not an ID never reaches the directory.
        typed = self.check("*)(uid=*", PEOPLE["alice"][0], config)
        self.assertIn("refused: unknown_user", typed.stdout)

        # A wrong service password is the directory's problem: unavailable, exit 3.
        with open(pw_file, "w") as f:
            f.write("not-the-password\n")
        down = self.check("alice", PEOPLE["alice"][0], config)
        self.assertEqual(down.returncode, 3, down.stdout)
        self.assertIn("service account bind", down.stdout)

    def test_groups_from_the_member_of_attribute(self):
        config = self.variant(group_search_base='""', member_of_attribute='"memberOf"')
        ok = self.check("alice", PEOPLE["alice"][0], config)
        self.assertEqual(ok.returncode, 0, ok.stdout + ok.stderr)
        self.assertIn("roles: admin, staff, reader", ok.stdout)
        bob = self.check("bob", PEOPLE["bob"][0], config)
        self.assertIn("roles: staff, reader", bob.stdout)
        carol = self.check("lena", PEOPLE["carol"][0], config)  # in no group
        self.assertIn("roles: -", carol.stdout)

    # --- TLS -----------------------------------------------------------------------------------
    def test_ldaps_and_starttls_verify_the_server(self):
        ca = f'"{self.ca.ca_crt}"'
        ldaps = self.variant(servers=f'["{self.slapd.ldaps_uri}"]', ca_file=ca)
        ok = self.check("alice", PEOPLE["alice"][0], ldaps)
        self.assertEqual(ok.returncode, 0, ok.stdout + ok.stderr)
        self.assertIn(f"LDAP {self.slapd.ldaps_uri} as", ok.stdout)

        starttls = self.variant(servers=f'["{self.slapd.uri}"]', starttls="true", ca_file=ca)
        ok = self.check("alice", PEOPLE["alice"][0], starttls)
        self.assertEqual(ok.returncode, 0, ok.stdout + ok.stderr)
        self.assertIn("refused: wrong_password",
                      self.check("alice", "Wrong-Pass-1", starttls).stdout)

        # Another CA (twofold's own): verification fails, nothing is sent, exit 3.
        other = f'"{self.server.ca}"'
        for config in (self.variant(servers=f'["{self.slapd.ldaps_uri}"]', ca_file=other),
                       self.variant(servers=f'["{self.slapd.uri}"]', starttls="true",
                                    ca_file=other)):
            bad = self.check("alice", PEOPLE["alice"][0], config)
            self.assertEqual(bad.returncode, 3, bad.stdout + bad.stderr)
            self.assertIn("unavailable", bad.stdout)
        # A missing CA file is a configuration error (exit 2) that names the setting.
        # (A password that cannot occur in the temp dir's random name, which the message shows.)
        missing = self.check("alice", "Not-Her-Password-7",
                             self.variant(ca_file='"no-such-ca.pem"'))
        self.assertEqual(missing.returncode, 2)
        self.assertIn("[ldap] ca_file", missing.stderr)

    # --- failover and timeouts ------------------------------------------------------------------
    def test_failover_to_the_next_server_when_the_first_stops(self):
        second = Slapd().start()
        self.extra.append(second)
        config = self.variant(servers=f'["{second.uri}", "{self.slapd.uri}"]')
        first = self.check("alice", PEOPLE["alice"][0], config)
        self.assertEqual(first.returncode, 0, first.stdout)
        self.assertIn(f"LDAP {second.uri} as", first.stdout)
        second.stop()  # the first server goes away mid-test
        after = self.check("alice", PEOPLE["alice"][0], config)
        self.assertEqual(after.returncode, 0, after.stdout + after.stderr)
        self.assertIn(f"LDAP {self.slapd.uri} as", after.stdout)
        self.assertIn(f"{second.uri}: bind as", after.stdout)  # why the first was skipped
        self.assertLess(after.elapsed, 10)
        # A wrong password is definitive on the first server that answers: refused.
        self.assertIn("refused: wrong_password",
                      self.check("alice", "Wrong-Pass-1", config).stdout)
        # Both gone: unavailable, with each server's reason.
        config = self.variant(servers=f'["{second.uri}"]')
        down = self.check("alice", PEOPLE["alice"][0], config)
        self.assertEqual(down.returncode, 3, down.stdout)
        self.assertIn("no LDAP server answered", down.stdout)

    def test_a_hanging_server_is_a_clear_timeout_within_the_configured_time(self):
        hang = HangingServer()
        self.extra.append(hang)
        config = self.variant(servers=f'["{hang.uri}"]')  # 2 s network and operation timeouts
        proc = self.check("alice", PEOPLE["alice"][0], config)
        self.assertEqual(proc.returncode, 3, proc.stdout + proc.stderr)
        self.assertIn("unavailable: unavailable", proc.stdout)
        self.assertIn("no answer within 2000 ms", proc.stdout)
        self.assertGreaterEqual(proc.elapsed, 1.9)
        self.assertLess(proc.elapsed, 8)
        # ldaps:// to a server that never completes the handshake: bounded as well.
        tls = self.variant(servers=f'["{hang.ldaps_uri}"]', ca_file=f'"{self.ca.ca_crt}"')
        proc = self.check("alice", PEOPLE["alice"][0], tls)
        self.assertEqual(proc.returncode, 3, proc.stdout + proc.stderr)
        self.assertIn("no connection or TLS handshake within 4000 ms", proc.stdout)
        self.assertLess(proc.elapsed, 10)
        # Behind the hanging server, a working one still signs alice in.
        config = self.variant(servers=f'["{hang.uri}", "{self.slapd.uri}"]')
        proc = self.check("alice", PEOPLE["alice"][0], config)
        self.assertEqual(proc.returncode, 0, proc.stdout + proc.stderr)
        self.assertLess(proc.elapsed, 10)

    # --- mixed orders (R-C3) and the initial admin (R-C6) ------------------------------------------
    def test_every_order_with_ldap_only_database_only_and_both(self):
        ldap_pw, cases = PEOPLE["carol"][0], None
        mixed_ldap = PEOPLE["mixed"][0]
        #            (ID, password):           database     ldap       ldap,database database,ldap
        cases = {("lena", ldap_pw):           ("refused",   "ldap",     "ldap",     "ldap"),
                 ("dora", DORA_PASSWORD):     ("database",  "refused",  "database", "database"),
                 ("mixed", mixed_ldap):       ("refused",   "ldap",     "ldap",     "ldap"),
                 ("mixed", MIXED_DB_PASSWORD): ("database", "refused",  "database", "database"),
                 ("mixed", "Neither-Pass-1"): ("refused",   "refused",  "refused",  "refused"),
                 ("root", ROOT_PASSWORD):     ("database",  "database", "database", "database")}
        orders = ("database", "ldap", "ldap,database", "database,ldap")
        configs = {order: self.variant(order=order) for order in orders}
        for (user, password), expected in cases.items():
            for order, want in zip(orders, expected):
                with self.subTest(user=user, order=order, password=password):
                    self.assertEqual(self.accepted_by(user, password, configs[order]), want)
        # In "database,ldap" the database is asked first, then LDAP: both answers are listed.
        proc = self.check("mixed", mixed_ldap, configs["database,ldap"])
        self.assertIn("database: wrong_password", proc.stdout)
        # In "ldap" mode the initial admin keeps the database (R-C6), others do not.
        proc = self.check("root", ROOT_PASSWORD, configs["ldap"])
        self.assertIn("order ldap,database(admins)", proc.stdout)
        proc = self.check("dora", DORA_PASSWORD, configs["ldap"])
        self.assertIn("admins only", proc.stdout)
        shown = self.server.cli("source", "show", "mixed").stdout
        self.assertIn('"ldap_id": "mixed"', shown)
        self.assertIn('"password": true', shown)

    # --- the real login page ---------------------------------------------------------------------
    def test_ldap_user_signs_in_through_the_login_page_and_gets_the_directory_claims(self):
        rp = tl.RelyingParty()
        self.extra.append(rp)
        redirect = rp.base + "/cb"
        out = self.server.cli("client", "add", "ldap-app", "--redirect-uri", redirect).stdout
        client_id = re.search(r"client_id: (\S+)", out).group(1)
        secret = re.search(r"client_secret: (\S+)", out).group(1)
        user = self.unique_id("web")
        phone = self.device(user)  # enrolled on the phone, then linked to alice's entry
        self.server.cli("source", "link", user, "alice")
        browser = Browser()
        self.extra.append(browser)
        verifier, challenge = tl.pkce()
        nonce = "n-" + secrets.token_hex(4)
        from urllib.parse import parse_qs, urlencode, urlparse
        url = self.server.url + "/oidc/authorize?" + urlencode({
            "client_id": client_id, "redirect_uri": redirect, "response_type": "code",
            "scope": "openid email profile roles", "state": "s1", "nonce": nonce,
            "code_challenge": challenge, "code_challenge_method": "S256"})

        browser.goto(url)
        browser.fill("#login", user)
        browser.fill("#password", "Wrong-Pass-1")
        browser.click("button[value=identify]")
        self.assertIn("The ID or password is wrong.", browser.state()["html"])
        browser.fill("#login", user)
        browser.fill("#password", PEOPLE["alice"][0])
        browser.click("button[value=identify]")
        # The push page: approve with the access pass shown there.
        src = browser.attr("#access-pass", "src")
        import base64
        png = os.path.join(self.tmp, "pass.png")
        with open(png, "wb") as f:
            f.write(base64.b64decode(src.split(",", 1)[1], validate=True))
        self.assertIn("ACCEPTED", phone.run("approve", "--match", png).stdout)
        landed = rp.wait(1)
        self.assertEqual(len(landed), 1, landed)
        browser.wait_url(redirect)  # the landing has finished before the next navigation
        query = {k: v[0] for k, v in parse_qs(urlparse(landed[0]).query).items()}
        self.assertEqual(query["state"], "s1")

        import requests
        with requests.Session() as http:
            http.trust_env = False
            http.verify = self.server.ca
            token = http.post(self.server.url + "/oidc/token", auth=(client_id, secret), data={
                "grant_type": "authorization_code", "code": query["code"],
                "redirect_uri": redirect, "code_verifier": verifier}, timeout=15).json()
            claims = http.get(self.server.url + "/oidc/userinfo", timeout=15, headers={
                "Authorization": "Bearer " + token["access_token"]}).json()
        self.assertEqual(claims["sub"], user.lower())
        self.assertEqual(claims["email"], "alice@example.org")
        self.assertEqual(claims["name"], "Alice Liddell")
        self.assertEqual(claims["roles"], ["admin", "staff", "reader"])
        profile = self.server.cli("user", "show", user).stdout
        self.assertIn('"email": "alice@example.org"', profile)
        # Single sign-on: the same browser goes straight back with a code.
        browser.goto(url.replace("state=s1", "state=s2"))
        self.assertIn("state=s2", rp.wait(2)[-1])
        browser.wait_url(redirect)
        # An LDAP-linked ID is not push-only: the ID alone is asked for its password.
        other = Browser()
        self.extra.append(other)
        other.goto(url)
        other.fill("#login", user)
        other.click("button[value=identify]")
        self.assertIn("Please enter your password.", other.state()["html"])

    def test_ldap_user_deleted_from_the_directory_loses_the_session_after_the_interval(self):
        """R-P2 with validity_check_minutes = 1: the deletion is noticed at the first single
        sign-on after a minute (not before), the session ends and the user must sign in again,
        which the directory now refuses. The test waits the minute out once (about 62 s)."""
        uid = "gone" + secrets.token_hex(3)
        password = "Gone-Pass-1"
        ldif = (f"dn: {people_dn(uid)}\nobjectClass: inetOrgPerson\nuid: {uid}\ncn: Gone\n"
                f"sn: Gone\nuserPassword: {password}\nmail: {uid}@example.org\n")
        ldap_cli = ["-x", "-H", self.slapd.uri, "-D", ADMIN_DN, "-w", ADMIN_PASSWORD]
        subprocess.run(["ldapadd", *ldap_cli], input=ldif, text=True, capture_output=True,
                       timeout=30, check=True)
        rp = tl.RelyingParty()
        self.extra.append(rp)
        redirect = rp.base + "/cb"
        out = self.server.cli("client", "add", "recheck-app", "--redirect-uri", redirect).stdout
        client_id = re.search(r"client_id: (\S+)", out).group(1)
        user = self.unique_id("gone")
        phone = self.device(user)
        self.server.cli("source", "link", user, uid)
        browser = Browser()
        self.extra.append(browser)
        _, challenge = tl.pkce()
        from urllib.parse import urlencode

        def authorize_url(state):
            return self.server.url + "/oidc/authorize?" + urlencode({
                "client_id": client_id, "redirect_uri": redirect, "response_type": "code",
                "scope": "openid", "state": state, "nonce": "n-" + state,
                "code_challenge": challenge, "code_challenge_method": "S256"})

        def sign_in(state):
            browser.goto(authorize_url(state))
            browser.fill("#login", user)
            browser.fill("#password", password)
            browser.click("button[value=identify]")

        sign_in("s1")
        src = browser.attr("#access-pass", "src")
        import base64
        png = os.path.join(self.tmp, "gone-pass.png")
        with open(png, "wb") as f:
            f.write(base64.b64decode(src.split(",", 1)[1], validate=True))
        self.assertIn("ACCEPTED", phone.run("approve", "--match", png).stdout)
        self.assertEqual(len(rp.wait(1)), 1)
        browser.wait_url(redirect)  # the landing has finished before the next navigation
        signed_in = time.monotonic()

        subprocess.run(["ldapdelete", *ldap_cli, people_dn(uid)], capture_output=True,
                       timeout=30, check=True)
        # Within the minute the directory is not asked again: single sign-on still works.
        browser.goto(authorize_url("s2"))
        self.assertIn("state=s2", rp.wait(2)[-1])
        browser.wait_url(redirect)
        self.assertNotIn(f"validity check of {user.lower()}", self.server.output())

        time.sleep(max(0.0, signed_in + 62 - time.monotonic()))
        browser.goto(authorize_url("s3"))
        state = browser.state()
        self.assertIn("/login?tx=", state["url"])
        self.assertEqual(len(rp.wait(3, timeout=2)), 2, rp.hits)  # no code for s3
        self.assertNotIn("__Host-twofold_session",
                         [c["name"] for c in browser.call("cookies")["cookies"]])
        self.assertIn(f"validity check of {user.lower()} (LDAP id {uid}): gone from the directory",
                      self.server.output())
        # Signing in again is refused: the directory no longer has the user.
        sign_in("s4")
        self.assertIn("The ID or password is wrong.", browser.state()["html"])
        self.assertEqual(len(rp.hits), 2)


if __name__ == "__main__":
    unittest.main()
