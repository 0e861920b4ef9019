"""The admin REST API for OpenID Connect clients (docs/admin-api.md) as an operator's script
uses it: a service-account client registered with `twofold client add ... --role admin` gets a
token by client_credentials with `resource=<issuer>/admin` (python3-authlib), then creates,
lists, shows, updates, rotates and deletes clients over HTTPS (python3-requests), and the
created client really obtains tokens with the secret it was given. Negative paths: every way
a token can be wrong (401/403), every way a body can be wrong (400/409/415/413), unknown ids
(404) — and nothing ever answers 5xx."""
import base64
import json
import os
import re
import time
import unittest
from urllib.parse import parse_qs, urlencode, urlparse

import requests
from authlib.integrations.requests_client import OAuth2Session
from authlib.jose import JsonWebKey, jwt

from browser import Browser
from harness import ServerTestCase
from test_login import RelyingParty, pkce


class AdminApiCase(ServerTestCase):

    def setUp(self):
        super().setUp()
        self.http = requests.Session()
        self.http.trust_env = False  # else REQUESTS_CA_BUNDLE would override verify
        self.http.verify = self.server.ca
        self.meta = self.http.get(self.server.url + "/.well-known/openid-configuration").json()
        self.api = self.server.url + "/admin/api/clients"
        self.audience = self.server.url + "/admin"

    def tearDown(self):
        self.http.close()
        super().tearDown()

    def add_client(self, *flags):
        return self.server.add_client(self.unique_id("bot"), *flags)

    def oauth(self, client_id, secret):
        session = OAuth2Session(client_id, secret, token_endpoint_auth_method="client_secret_basic")
        session.trust_env = False
        session.verify = self.server.ca
        return session

    def fetch(self, client_id, secret, **params):
        with self.oauth(client_id, secret) as session:
            return session.fetch_token(self.meta["token_endpoint"],
                                       grant_type="client_credentials", **params)

    def admin_token(self, *extra_flags):
        """The documented way: a client_credentials service account with the admin role."""
        client_id, secret = self.add_client("--grant", "client_credentials", "--role", "admin",
                                            *extra_flags)
        return client_id, secret, self.fetch(client_id, secret,
                                             resource=self.audience)["access_token"]

    def call(self, method, url, token=None, **kwargs):
        headers = kwargs.pop("headers", {})
        if token is not None:
            headers["Authorization"] = "Bearer " + token
        r = self.http.request(method, url, headers=headers, timeout=15, **kwargs)
        self.assertLess(r.status_code, 500, r.text)
        return r

    def assertError(self, r, status, error=None):
        self.assertEqual(r.status_code, status, r.text)
        body = r.json()
        self.assertIn("error", body)
        self.assertIn("error_description", body)
        if error:
            self.assertEqual(body["error"], error, body)


class ClientLifecycle(AdminApiCase):

    def test_admin_token_is_an_rfc9068_token_for_the_admin_audience(self):
        _, _, token = self.admin_token()
        jwks = JsonWebKey.import_key_set(self.http.get(self.meta["jwks_uri"]).json())
        claims = jwt.decode(token, jwks, claims_options={
            "iss": {"essential": True, "value": self.server.url},
            "aud": {"essential": True, "value": self.audience}})
        claims.validate()
        self.assertEqual(claims["roles"], ["admin"])

    def test_create_list_show_update_rotate_delete(self):
        _, _, token = self.admin_token()
        new_id = self.unique_id("svc")
        r = self.call("POST", self.api, token, json={
            "client_id": new_id, "name": "Orders service", "grant_types": ["client_credentials"],
            "scopes": ["orders.read"], "audience": "https://orders.example"})
        self.assertEqual(r.status_code, 201, r.text)
        self.assertEqual(r.headers["Location"], "/admin/api/clients/" + new_id)
        created = r.json()
        secret = created["client_secret"]
        self.assertTrue(secret.startswith("tfs_"))
        self.assertEqual(created["client_id"], new_id)

        # The created client really works, with the secret it was given.
        issued = self.fetch(new_id, secret, scope="orders.read")
        self.assertEqual(issued["scope"], "orders.read")

        r = self.call("GET", self.api, token)
        self.assertEqual(r.status_code, 200)
        ids = [c["client_id"] for c in r.json()["clients"]]
        self.assertIn(new_id, ids)
        self.assertNotIn("tfs_", r.text)
        self.assertNotIn('"client_secret"', r.text)

        r = self.call("GET", self.api + "/" + new_id, token)
        self.assertEqual(r.status_code, 200)
        shown = r.json()
        self.assertEqual(shown["name"], "Orders service")
        self.assertEqual(shown["audience"], "https://orders.example")
        self.assertNotIn('"client_secret"', r.text)

        r = self.call("PATCH", self.api + "/" + new_id, token, json={
            "name": "Orders", "scopes": ["orders.read", "orders.write"],
            "access_token_signed_response_alg": "ES256"})
        self.assertEqual(r.status_code, 200, r.text)
        self.assertEqual(r.json()["scopes"], ["orders.read", "orders.write"])
        self.assertEqual(r.json()["grant_types"], ["client_credentials"], "untouched fields stay")
        self.assertNotIn('"client_secret"', r.text)
        issued = self.fetch(new_id, secret, scope="orders.write")  # the update took effect
        header = json.loads(base64.urlsafe_b64decode(issued["access_token"].split(".")[0] + "=="))
        self.assertEqual(header["alg"], "ES256")

        r = self.call("POST", self.api + "/" + new_id + "/rotate-secret", token)
        self.assertEqual(r.status_code, 200, r.text)
        rotated = r.json()["client_secret"]
        self.assertNotEqual(rotated, secret)
        self.assertIn("access_token", self.fetch(new_id, rotated))
        r = self.http.post(self.meta["token_endpoint"], auth=(new_id, secret),
                           data={"grant_type": "client_credentials"})
        self.assertEqual(r.status_code, 401, "the old secret is gone")
        self.assertEqual(r.json()["error"], "invalid_client")

        r = self.call("DELETE", self.api + "/" + new_id, token)
        self.assertEqual(r.status_code, 204)
        self.assertEqual(r.content, b"")
        self.assertError(self.call("GET", self.api + "/" + new_id, token), 404, "not_found")
        r = self.http.post(self.meta["token_endpoint"], auth=(new_id, rotated),
                           data={"grant_type": "client_credentials"})
        self.assertEqual(r.status_code, 401, "a deleted client gets no tokens")

        # The CLI sees what the API did (one registry).
        listed = self.server.cli("client", "list").stdout
        self.assertNotIn(new_id, listed)

        # The secrets never reached the log.
        log = self.server.output()
        for s in (secret, rotated):
            self.assertNotIn(s, log)
        self.assertIn("created client " + new_id, log)

    def test_code_flow_client_with_generated_id(self):
        _, _, token = self.admin_token()
        r = self.call("POST", self.api, token, json={
            "redirect_uris": ["https://app.example/cb", "http://127.0.0.1:8080/cb"],
            "post_logout_redirect_uris": ["https://app.example/bye"],
            "default_acr": "urn:twofold:acr:2fa", "skip_consent": False})
        self.assertEqual(r.status_code, 201, r.text)
        body = r.json()
        self.assertRegex(body["client_id"], r"^[0-9a-f]{32}$")
        self.assertEqual(body["grant_types"], ["authorization_code", "refresh_token"])
        self.assertFalse(body["skip_consent"])
        shown = json.loads(self.server.cli("client", "show", body["client_id"]).stdout)
        self.assertEqual(shown["redirect_uris"], body["redirect_uris"])

    def test_bad_bodies_are_400_409_415_and_unknown_ids_404(self):
        _, _, token = self.admin_token()
        taken, _ = self.add_client("--grant", "client_credentials")
        json_type = {"Content-Type": "application/json"}
        cases = [
            ("fragment", {"client_id": "x1", "redirect_uris": ["https://a.example/cb#f"]}, 400),
            ("relative", {"client_id": "x1", "redirect_uris": ["/cb"]}, 400),
            ("plain http", {"client_id": "x1", "redirect_uris": ["http://a.example/cb"]}, 400),
            ("unknown field", {"client_id": "x1", "colour": "red"}, 400),
            ("secret given", {"client_id": "x1", "client_secret": "mine"}, 400),
            ("wrong type", {"client_id": "x1", "redirect_uris": "https://a.example/cb"}, 400),
            ("wrong type 2", {"client_id": "x1", "skip_consent": "no"}, 400),
            ("number id", {"client_id": 5}, 400),
            ("bad grant", {"client_id": "x1", "grant_types": ["password"]}, 400),
            ("bad alg", {"client_id": "x1", "id_token_signed_response_alg": "none"}, 400),
            ("duplicate id", {"client_id": taken, "grant_types": ["client_credentials"]}, 409),
        ]
        for name, body, status in cases:
            with self.subTest(name):
                self.assertError(self.call("POST", self.api, token, json=body), status)
        raw = [
            ("malformed JSON", b'{"client_id": "x1",', json_type, 400),
            ("array", b'[]', json_type, 400),
            ("not UTF-8", b'{"name": "\xff"}', json_type, 400),
            ("deep", b'{"a":' + b'[' * 3000 + b']' * 3000 + b'}', json_type, 400),
            ("form body", b'client_id=x1', {"Content-Type": "application/x-www-form-urlencoded"},
             415),
            ("no type", b'{"client_id":"x1"}', {}, 415),
            ("huge", b'{"name":"' + b'x' * 100000 + b'"}', json_type, 413),
        ]
        for name, body, headers, status in raw:
            with self.subTest(name):
                self.assertError(self.call("POST", self.api, token, data=body, headers=headers),
                                 status)
        r = self.call("GET", self.api + "/x1", token)
        self.assertError(r, 404)

        for method, path, kwargs in (("GET", "/nope", {}), ("PATCH", "/nope", {"json": {}}),
                                     ("DELETE", "/nope", {}),
                                     ("POST", "/nope/rotate-secret", {})):
            with self.subTest(method + " unknown"):
                self.assertError(self.call(method, self.api + path, token, **kwargs), 404,
                                 "not_found")
        self.assertError(self.call("PATCH", self.api + "/" + taken, token,
                                   json={"client_id": "other"}), 400)
        self.assertError(self.call("PATCH", self.api + "/" + taken, token,
                                   json={"redirect_uris": ["https://a.example/#x"]}), 400)
        r = self.call("PUT", self.api + "/" + taken, token, json={})
        self.assertError(r, 405)
        self.assertEqual(r.headers["Allow"], "GET, PATCH, DELETE")


class Head(AdminApiCase):
    """HEAD is GET without the body: the same status and headers, Content-Length of the GET
    body, and not one byte after the head (read off a raw TLS socket, where a body would
    show; a client library would skip it, then misread the next answer)."""

    def raw(self, method, path, token=None):
        auth = ["Authorization: Bearer " + token] if token else []
        return self.server.raw(self.server.request_bytes(method, path, auth))

    def test_head_has_the_get_headers_and_no_body(self):
        _, _, token = self.admin_token()
        api = "/admin/api/clients"
        one = api + "/" + self.add_client("--grant", "client_credentials")[0]
        for path, auth in ((api, token), (one, token), (api + "/nobody", token), (api, None),
                           ("/.well-known/openid-configuration", None), ("/healthz", None)):
            with self.subTest(path=path, token=bool(auth)):
                status, headers, body = self.raw("GET", path, auth)
                self.assertGreater(len(body), 0)
                self.assertEqual(int(headers["content-length"]), len(body))
                head_status, head_headers, nothing = self.raw("HEAD", path, auth)
                self.assertEqual(nothing, b"", "HEAD answered with a body")
                self.assertEqual(head_status, status)
                self.assertEqual(head_headers["content-length"], headers["content-length"])
                self.assertEqual(head_headers.get("content-type"), headers.get("content-type"))
                self.assertLess(status, 500)
        # On a kept-alive connection the answer after a HEAD is read intact (a body sent
        # after the HEAD's head would be taken for the next answer).
        conn = self.server.connection()
        try:
            for method in ("HEAD", "GET", "HEAD", "GET"):
                conn.request(method, api, headers={"Authorization": "Bearer " + token})
                r = conn.getresponse()
                body = r.read()
                self.assertEqual(r.status, 200, (method, body[:200]))
                self.assertEqual(len(body), 0 if method == "HEAD" else
                                 int(r.getheader("Content-Length")))
            self.assertIn("clients", json.loads(body))
        finally:
            conn.close()


class Authorisation(AdminApiCase):

    def assertRefused(self, r, status, error):
        self.assertError(r, status, error)
        challenge = r.headers.get("WWW-Authenticate", "")
        self.assertTrue(challenge.startswith("Bearer realm="), challenge)
        self.assertIn(f'error="{error}"', challenge)

    def test_no_token_or_a_garbage_one(self):
        r = self.call("GET", self.api)
        self.assertEqual(r.status_code, 401)
        self.assertEqual(r.headers["WWW-Authenticate"], 'Bearer realm="twofold"')
        self.assertRefused(self.call("GET", self.api, "garbage"), 401, "invalid_token")
        self.assertRefused(self.call("GET", self.api, "a.b.c"), 401, "invalid_token")
        r = self.call("GET", self.api, headers={"Authorization": "Basic YWRtaW46YWRtaW4="})
        self.assertRefused(r, 401, "invalid_token")

    def test_cookies_do_not_authenticate(self):
        _, _, token = self.admin_token()
        r = self.call("GET", self.api, cookies={"access_token": token,
                                                "__Host-twofold_session": token})
        self.assertEqual(r.status_code, 401)

    def test_token_signed_by_another_key(self):
        _, _, token = self.admin_token()
        header = json.loads(base64.urlsafe_b64decode(token.split(".")[0] + "=="))
        claims = json.loads(base64.urlsafe_b64decode(token.split(".")[1] + "=="))
        # Same claims and kid, but signed by a key of our own making.
        forged_key = JsonWebKey.generate_key("RSA", 2048, is_private=True)
        forged = jwt.encode({"alg": "RS256", "typ": "at+jwt", "kid": header.get("kid")}, claims,
                            forged_key).decode()
        self.assertRefused(self.call("GET", self.api, forged), 401, "invalid_token")
        # And an unsigned one.
        unsigned = (base64.urlsafe_b64encode(b'{"alg":"none","typ":"at+jwt"}').rstrip(b"=")
                    .decode() + "." + token.split(".")[1] + ".")
        self.assertRefused(self.call("GET", self.api, unsigned), 401, "invalid_token")

    def test_wrong_audience(self):
        client_id, secret = self.add_client("--grant", "client_credentials", "--role", "admin")
        for params in ({}, {"resource": "https://api.example"}):
            with self.subTest(params):
                token = self.fetch(client_id, secret, **params)["access_token"]
                self.assertRefused(self.call("GET", self.api, token), 401, "invalid_token")

    def test_a_non_admin_clients_token_is_forbidden(self):
        client_id, secret = self.add_client("--grant", "client_credentials", "--role", "auditor")
        token = self.fetch(client_id, secret, resource=self.audience)["access_token"]
        self.assertRefused(self.call("GET", self.api, token), 403, "insufficient_scope")
        self.assertRefused(self.call("POST", self.api, token, json={"client_id": "x2"}), 403,
                           "insufficient_scope")
        self.assertRefused(self.call("DELETE", self.api + "/" + client_id, token), 403,
                           "insufficient_scope")

    def test_revoked_token(self):
        client_id, secret, token = self.admin_token()
        self.assertEqual(self.call("GET", self.api, token).status_code, 200)
        with self.oauth(client_id, secret) as session:
            r = session.revoke_token(self.meta["revocation_endpoint"], token=token,
                                     token_type_hint="access_token")
            self.assertEqual(r.status_code, 200)
        r = self.call("GET", self.api, token)
        self.assertRefused(r, 401, "invalid_token")
        self.assertIn("revoked", r.json()["error_description"])

    def test_removing_the_role_or_the_client_takes_effect_at_once(self):
        client_id, _, token = self.admin_token()
        _, _, root = self.admin_token()
        self.assertEqual(self.call("GET", self.api, token).status_code, 200)
        r = self.call("PATCH", self.api + "/" + client_id, root, json={"roles": []})
        self.assertEqual(r.status_code, 200, r.text)
        self.assertRefused(self.call("GET", self.api, token), 403, "insufficient_scope")
        self.assertEqual(self.call("DELETE", self.api + "/" + client_id, root).status_code, 204)
        self.assertRefused(self.call("GET", self.api, token), 401, "invalid_token")


class AdminUser(AdminApiCase):
    """An admin person rather than a script: the first ID enrolled on a server is admin; it signs
    in through the code flow (headless Chromium, push approved by the access pass) with scope
    `roles` and `resource=<issuer>/admin`, and its access token opens the API."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.rp = RelyingParty()
        cls.redirect_uri = cls.rp.base + "/cb"
        out = cls.server.cli("client", "add", "console", "--redirect-uri", cls.redirect_uri).stdout
        cls.client_secret = re.search(r"client_secret: (\S+)", out).group(1)

    @classmethod
    def tearDownClass(cls):
        cls.rp.close()
        super().tearDownClass()

    def user_token(self, user, phone):
        verifier, challenge = pkce()
        browser = Browser()
        try:
            browser.goto(self.server.url + "/oidc/authorize?" + urlencode({
                "client_id": "console", "redirect_uri": self.redirect_uri,
                "response_type": "code", "scope": "openid roles", "state": "s1",
                "nonce": "n1", "code_challenge": challenge, "code_challenge_method": "S256",
                "resource": self.audience}))
            browser.fill("#login", user)
            browser.fill("#password", "")
            browser.click("button[value=identify]")
            src = browser.attr("#access-pass", "src")
            path = os.path.join(self.tmp, "pass.png")
            with open(path, "wb") as f:
                f.write(base64.b64decode(src.split(",", 1)[1], validate=True))
            self.assertIn("ACCEPTED", phone.run("approve", "--match", path).stdout)
            landed = self.rp.wait(len(self.rp.hits) + 1)
        finally:
            browser.close()
        query = {k: v[0] for k, v in parse_qs(urlparse(landed[-1]).query).items()}
        with OAuth2Session("console", self.client_secret, redirect_uri=self.redirect_uri) as rp:
            rp.trust_env = False
            rp.verify = self.server.ca
            return rp.fetch_token(self.meta["token_endpoint"], grant_type="authorization_code",
                                  code=query["code"], code_verifier=verifier)["access_token"]

    def test_admin_user_manages_clients_and_a_plain_user_may_not(self):
        admin = self.unique_id("root")
        admin_phone = self.device(admin)  # the first ID on this server: admin
        token = self.user_token(admin, admin_phone)
        claims = json.loads(base64.urlsafe_b64decode(token.split(".")[1] + "=="))
        self.assertEqual(claims["aud"], self.audience)
        self.assertIn("admin", claims["roles"])
        r = self.call("POST", self.api, token, json={"client_id": "made-by-a-person",
                                                     "grant_types": ["client_credentials"]})
        self.assertEqual(r.status_code, 201, r.text)
        self.assertIn("made-by-a-person", self.call("GET", self.api, token).text)
        self.assertIn("by user " + admin.lower(), self.server.output())

        plain = self.unique_id("plain")
        token = self.user_token(plain, self.device(plain))
        claims = json.loads(base64.urlsafe_b64decode(token.split(".")[1] + "=="))
        self.assertEqual(claims["roles"], [])
        r = self.call("GET", self.api, token)
        self.assertError(r, 403, "insufficient_scope")


class ExpiredToken(AdminApiCase):
    options = {("oidc", "access_token_seconds"): "30"}

    def test_expired_token(self):
        _, _, token = self.admin_token()
        self.assertEqual(self.call("GET", self.api, token).status_code, 200)
        time.sleep(31.5)
        r = self.call("GET", self.api, token)
        self.assertError(r, 401, "invalid_token")
        self.assertIn("expired", r.json()["error_description"])


if __name__ == "__main__":
    unittest.main()
