"""The OpenID Connect provider as a relying party sees it, through an independent client
library (Debian's python3-authlib): discovery, JWKS, the client_credentials grant with
RFC 9068 access tokens verified against the published keys, key rotation, client
authentication methods and every error answer of the token endpoint; introspection
(RFC 7662), revocation (RFC 7009, surviving a restart) and userinfo's RFC 6750 errors for
those tokens. The code flow's token side is unit-tested (tests/unit/oidc_grants_test.cpp)
and driven end to end by the browser-login tests."""
import json
import re
import time
import unittest

import requests
from authlib.integrations.requests_client import OAuth2Session
from authlib.jose import JsonWebKey, jwt

from harness import ServerTestCase


class Provider(ServerTestCase):

    def setUp(self):
        super().setUp()
        self.http = requests.Session()
        self.http.trust_env = False  # else REQUESTS_CA_BUNDLE would override verify
        self.http.verify = self.server.ca
        self.meta = self.http.get(self.server.url + "/.well-known/openid-configuration").json()

    def tearDown(self):
        self.http.close()
        super().tearDown()

    def add_client(self, *flags):
        return self.server.add_client(self.unique_id("client"), *flags)

    def fetch(self, client_id, secret, method="client_secret_basic", **params):
        with OAuth2Session(client_id, secret, token_endpoint_auth_method=method) as session:
            session.trust_env = False
            session.verify = self.server.ca
            return session.fetch_token(self.meta["token_endpoint"],
                                       grant_type="client_credentials", **params)

    def verify_access_token(self, token):
        jwks = JsonWebKey.import_key_set(self.http.get(self.meta["jwks_uri"]).json())
        claims = jwt.decode(token, jwks)
        claims.validate()  # exp, iat
        header = json.loads(__import__("base64").urlsafe_b64decode(
            token.split(".")[0] + "=="))
        return header, claims

    def test_discovery_lists_only_what_is_served(self):
        self.assertEqual(self.meta["issuer"], self.server.url)
        for key in ("token_endpoint", "jwks_uri", "userinfo_endpoint", "introspection_endpoint",
                    "revocation_endpoint", "end_session_endpoint"):
            self.assertTrue(self.meta[key].startswith(self.server.url + "/"))
            self.assertLess(self.http.get(self.meta[key]).status_code, 500)
            self.assertLess(self.http.post(self.meta[key], data={}).status_code, 500)
        for grant in ("authorization_code", "refresh_token", "client_credentials"):
            self.assertIn(grant, self.meta["grant_types_supported"])
        self.assertEqual(self.meta["code_challenge_methods_supported"], ["S256"])
        keys = self.http.get(self.meta["jwks_uri"]).json()["keys"]
        self.assertEqual({k["alg"] for k in keys}, {"RS256", "ES256"})
        for k in keys:
            self.assertNotIn("d", k, "no private key material in the JWKS")

    def test_client_credentials_es256_and_rs256_tokens_verify(self):
        for alg in ("ES256", "RS256"):
            with self.subTest(alg):
                client_id, secret = self.add_client("--grant", "client_credentials",
                                                    "--access-token-alg", alg, "--scope",
                                                    "api.read", "--audience",
                                                    "https://api.example")
                token = self.fetch(client_id, secret, scope="api.read")
                self.assertEqual(token["token_type"].lower(), "bearer")
                self.assertEqual(token["scope"], "api.read")
                header, claims = self.verify_access_token(token["access_token"])
                self.assertEqual(header["alg"], alg)
                self.assertEqual(header["typ"], "at+jwt")
                self.assertEqual(claims["iss"], self.server.url)
                self.assertEqual(claims["aud"], "https://api.example")
                self.assertEqual(claims["client_id"], client_id)
                self.assertEqual(claims["sub"], client_id)
                self.assertEqual(claims["scope"], "api.read")
                self.assertTrue(claims["jti"])

    def test_resource_indicator_sets_the_audience(self):
        client_id, secret = self.add_client("--grant", "client_credentials")
        token = self.fetch(client_id, secret, resource="https://orders.example/api")
        _, claims = self.verify_access_token(token["access_token"])
        self.assertEqual(claims["aud"], "https://orders.example/api")

    def test_client_secret_post_and_method_mismatch(self):
        client_id, secret = self.add_client("--grant", "client_credentials", "--auth-method",
                                            "client_secret_post")
        self.assertIn("access_token", self.fetch(client_id, secret, method="client_secret_post"))
        r = self.http.post(self.meta["token_endpoint"], auth=(client_id, secret),
                           data={"grant_type": "client_credentials"})
        self.assertEqual(r.status_code, 401)
        self.assertEqual(r.json()["error"], "invalid_client")

    def test_token_endpoint_errors(self):
        client_id, secret = self.add_client("--grant", "client_credentials", "--scope", "a")
        url = self.meta["token_endpoint"]
        cases = [
            ("bad secret", dict(auth=(client_id, secret + "x"),
                                data={"grant_type": "client_credentials"}), 401, "invalid_client"),
            ("unknown client", dict(auth=("nobody", "x"),
                                    data={"grant_type": "client_credentials"}), 401,
             "invalid_client"),
            ("no authentication", dict(data={"grant_type": "client_credentials"}), 401,
             "invalid_client"),
            ("unsupported grant", dict(auth=(client_id, secret), data={"grant_type": "password"}),
             400, "unsupported_grant_type"),
            ("grant not allowed", dict(auth=(client_id, secret),
                                       data={"grant_type": "authorization_code", "code": "x"}),
             400, "unauthorized_client"),
            ("scope not allowed", dict(auth=(client_id, secret),
                                       data={"grant_type": "client_credentials", "scope": "b"}),
             400, "invalid_scope"),
            ("bad resource", dict(auth=(client_id, secret),
                                  data={"grant_type": "client_credentials", "resource": "x"}),
             400, "invalid_target"),
            ("no grant_type", dict(auth=(client_id, secret), data={}), 400, "invalid_request"),
            ("duplicate parameter", dict(auth=(client_id, secret),
                                         data="grant_type=client_credentials&grant_type=x",
                                         headers={"Content-Type":
                                                  "application/x-www-form-urlencoded"}),
             400, "invalid_request"),
            ("JSON body", dict(auth=(client_id, secret), data='{"grant_type":"x"}',
                               headers={"Content-Type": "application/json"}), 400,
             "invalid_request"),
            ("malformed Basic", dict(data={"grant_type": "client_credentials"},
                                     headers={"Authorization": "Basic !!!"}), 401,
             "invalid_client"),
        ]
        for name, kwargs, status, error in cases:
            with self.subTest(name):
                r = self.http.post(url, **kwargs)
                self.assertEqual(r.status_code, status, r.text)
                self.assertEqual(r.json()["error"], error)
                self.assertIn("no-store", r.headers.get("Cache-Control", ""))
        r = self.http.get(url)
        self.assertEqual(r.status_code, 405)

    def test_rotated_secret_and_deleted_client(self):
        client_id, secret = self.add_client("--grant", "client_credentials")
        new = re.search(r"client_secret: (\S+)",
                        self.server.cli("client", "rotate-secret", client_id).stdout).group(1)
        self.assertIn("access_token", self.fetch(client_id, new))
        time.sleep(2.2)  # the server caches clients for 2 s
        r = self.http.post(self.meta["token_endpoint"], auth=(client_id, secret),
                           data={"grant_type": "client_credentials"})
        self.assertEqual(r.status_code, 401)
        self.server.cli("client", "delete", client_id)
        time.sleep(2.2)
        r = self.http.post(self.meta["token_endpoint"], auth=(client_id, new),
                           data={"grant_type": "client_credentials"})
        self.assertEqual(r.status_code, 401)

    def test_client_registry_refuses_bad_clients(self):
        for flags in (["--redirect-uri", "http://evil.example/cb"],
                      ["--redirect-uri", "https://app.example/cb#frag"],
                      ["--grant", "implicit"],
                      ["--grant", "client_credentials", "--auth-method", "none"],
                      ["--grant", "authorization_code"]):
            with self.subTest(flags):
                result = self.server.cli("client", "add", self.unique_id("bad"), *flags,
                                         check=False)
                self.assertEqual(result.returncode, 2, result.stdout + result.stderr)
        client_id, _ = self.add_client("--redirect-uri", "https://app.example/cb")
        shown = json.loads(self.server.cli("client", "show", client_id).stdout)
        self.assertEqual(shown["redirect_uris"], ["https://app.example/cb"])
        self.assertNotIn("tfs_", json.dumps(shown))
        self.assertNotIn("secret_hash", shown)


class TokenManagement(ServerTestCase):
    """Introspection, revocation and userinfo for client_credentials tokens."""

    def setUp(self):
        super().setUp()
        self.http = requests.Session()
        self.http.trust_env = False
        self.http.verify = self.server.ca
        self.meta = self.http.get(self.server.url + "/.well-known/openid-configuration").json()

    def tearDown(self):
        self.http.close()
        super().tearDown()

    def add_client(self, *flags):
        return self.server.add_client(self.unique_id("client"), *flags)

    def session(self, client_id, secret, method="client_secret_basic"):
        s = OAuth2Session(client_id, secret, token_endpoint_auth_method=method,
                          revocation_endpoint_auth_method=method)
        s.trust_env = False
        s.verify = self.server.ca
        self.addCleanup(s.close)
        return s

    def machine_token(self, session, **params):
        return session.fetch_token(self.meta["token_endpoint"], grant_type="client_credentials",
                                   **params)["access_token"]

    def introspect(self, session, token, **kwargs):
        r = session.introspect_token(self.meta["introspection_endpoint"], token=token, **kwargs)
        self.assertEqual(r.status_code, 200, r.text)
        self.assertIn("no-store", r.headers.get("Cache-Control", ""))
        return r.json()

    def test_introspection(self):
        owner = self.session(*self.add_client("--grant", "client_credentials", "--scope", "api.read",
                                              "--audience", "https://orders.example"))
        token = self.machine_token(owner, scope="api.read")
        info = self.introspect(owner, token, token_type_hint="access_token")
        self.assertTrue(info["active"])
        self.assertEqual(info["client_id"], owner.client_id)
        self.assertEqual(info["sub"], owner.client_id)
        self.assertEqual(info["scope"], "api.read")
        self.assertEqual(info["aud"], "https://orders.example")
        self.assertEqual(info["iss"], self.server.url)
        self.assertGreater(info["exp"], time.time())

        # The resource server named in `aud` may introspect it; an unrelated client may not.
        resource = self.session(*self.add_client("--grant", "client_credentials", "--audience",
                                                 "https://orders.example"))
        self.assertTrue(self.introspect(resource, token)["active"])
        stranger = self.session(*self.add_client("--grant", "client_credentials"))
        self.assertEqual(self.introspect(stranger, token), {"active": False})

        header, payload, signature = token.split(".")
        forged = ".".join([header, payload, signature[:-4] + ("AAAA" if signature[-4:] != "AAAA"
                                                              else "BBBB")])
        self.assertEqual(self.introspect(owner, forged), {"active": False})
        self.assertEqual(self.introspect(owner, "not-a-token"), {"active": False})

        url = self.meta["introspection_endpoint"]
        r = self.http.post(url, data={"token": token})
        self.assertEqual(r.status_code, 401)
        self.assertEqual(r.json()["error"], "invalid_client")
        r = self.http.post(url, auth=(owner.client_id, "wrong"), data={"token": token})
        self.assertEqual(r.status_code, 401)
        r = self.http.post(url, auth=(owner.client_id, owner.client_secret), data={})
        self.assertEqual(r.status_code, 400)
        self.assertEqual(r.json()["error"], "invalid_request")
        self.assertEqual(self.http.get(url).status_code, 405)

    def test_revocation_survives_a_restart(self):
        owner = self.session(*self.add_client("--grant", "client_credentials",
                                              "--auth-method", "client_secret_post"),
                             method="client_secret_post")
        revoked, kept = self.machine_token(owner), self.machine_token(owner)
        stranger = self.session(*self.add_client("--grant", "client_credentials"))
        r = stranger.revoke_token(self.meta["revocation_endpoint"], token=revoked)
        self.assertEqual(r.status_code, 400, "a token of another client is refused")
        self.assertTrue(self.introspect(owner, revoked)["active"])

        r = owner.revoke_token(self.meta["revocation_endpoint"], token=revoked,
                               token_type_hint="access_token")
        self.assertEqual(r.status_code, 200, r.text)
        self.assertEqual(self.introspect(owner, revoked), {"active": False})
        self.assertTrue(self.introspect(owner, kept)["active"])
        for unknown in ("unknown", "tfr_" + "A" * 43, revoked):
            r = owner.revoke_token(self.meta["revocation_endpoint"], token=unknown)
            self.assertEqual(r.status_code, 200, "RFC 7009 §2.2: unknown tokens are fine")

        self.server.stop()
        self.server.start()
        self.assertEqual(self.introspect(owner, revoked), {"active": False},
                         "the deny-list is durable")
        self.assertTrue(self.introspect(owner, kept)["active"])

    def test_userinfo_errors(self):
        url = self.meta["userinfo_endpoint"]
        r = self.http.get(url)
        self.assertEqual(r.status_code, 401)
        self.assertEqual(r.headers["WWW-Authenticate"], 'Bearer realm="twofold"')
        r = self.http.get(url, headers={"Authorization": "Bearer nonsense"})
        self.assertEqual(r.status_code, 401)
        self.assertIn('error="invalid_token"', r.headers["WWW-Authenticate"])
        self.assertIn("no-store", r.headers.get("Cache-Control", ""))

        # A machine token has no `openid` scope and no user behind it.
        owner = self.session(*self.add_client("--grant", "client_credentials"))
        token = self.machine_token(owner)
        for method in ("GET", "POST"):
            r = self.http.request(method, url, headers={"Authorization": "Bearer " + token})
            self.assertEqual(r.status_code, 403, r.text)
            self.assertIn('error="insufficient_scope"', r.headers["WWW-Authenticate"])
        r = self.http.post(url, data={"access_token": token})
        self.assertEqual(r.status_code, 403)
        owner.revoke_token(self.meta["revocation_endpoint"], token=token)
        r = self.http.get(url, headers={"Authorization": "Bearer " + token})
        self.assertEqual(r.status_code, 401)
        self.assertIn("revoked", r.json()["error_description"])
        self.assertEqual(self.http.put(url).status_code, 405)


class KeyRotation(ServerTestCase):

    def test_rotation_publishes_new_keys_and_keeps_old_ones(self):
        http = requests.Session()
        http.trust_env = False
        http.verify = self.server.ca
        meta = http.get(self.server.url + "/.well-known/openid-configuration").json()
        before = {k["kid"] for k in http.get(meta["jwks_uri"]).json()["keys"]}
        out = self.server.cli("keys", "rotate").stdout
        new = set(re.findall(r"new key (\S+)", out))
        self.assertEqual(len(new), 2)
        deadline = time.time() + 15
        while time.time() < deadline:
            now = {k["kid"] for k in http.get(meta["jwks_uri"]).json()["keys"]}
            if new <= now:
                break
            time.sleep(0.5)
        self.assertTrue(new <= now, "the server did not pick up the rotated keys")
        self.assertTrue(before <= now, "retired keys stay published until their tokens expire")
        listed = self.server.cli("keys", "list").stdout
        self.assertEqual(listed.count("retired"), 2)
        self.assertEqual(listed.count("current"), 2)
        http.close()


class PreparedAnswers(ServerTestCase):
    """Discovery and JWKS are rendered once and sent as is on kept-alive HTTP/1.1 GETs and
    HEADs; a request with Connection: close or in HTTP/1.0 goes through the router instead.
    Both paths must give the same answer, over TLS and plain HTTP."""

    PATHS = ("/.well-known/openid-configuration", "/oidc/jwks")

    @staticmethod
    def split_answers(stream, methods):
        """Cuts a stream of pipelined answers into (head, body) pairs by Content-Length, no
        body after a HEAD; whatever follows the last one is returned as the rest."""
        answers = []
        for method in methods:
            head, sep, stream = stream.partition(b"\r\n\r\n")
            assert sep, f"an answer is cut short: {head[:200]!r}"
            length = int(re.search(rb"(?i)\r\ncontent-length: (\d+)", head).group(1))
            if method == "HEAD":
                length = 0
            answers.append((head, stream[:length]))
            stream = stream[length:]
        return answers, stream

    def test_kept_alive_get_and_head_match_the_routed_answer(self):
        # Pipelined on one connection, read off the raw socket (a client library would drop
        # bytes a HEAD answer wrongly carried): HEAD and GET kept alive, the prepared answer;
        # then a GET with Connection: close, which the router answers.
        for path in self.PATHS:
            for plain in (False, True):
                with self.subTest(path=path, plain=plain):
                    kept = f"{{}} {path} HTTP/1.1\r\nHost: localhost\r\n\r\n"
                    data = (kept.format("HEAD") + kept.format("GET") + kept.format("HEAD") +
                            f"GET {path} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n")
                    stream = self.server.raw_bytes(data.encode(), plain)
                    (h1, b1), (h2, b2), (h3, b3), (h4, b4) = self.split_answers(
                        stream, ("HEAD", "GET", "HEAD", "GET"))[0]
                    routed = dict(line.split(": ", 1) for line in
                                  h4.decode().lower().split("\r\n")[1:])
                    self.assertEqual(routed.get("connection"), "close")
                    self.assertGreater(len(b4), 0)
                    self.assertEqual(b2, b4)
                    self.assertEqual((b1, b3), (b"", b""))
                    for head in (h1, h2, h3):
                        fields = dict(line.split(": ", 1) for line in
                                      head.decode().lower().split("\r\n")[1:])
                        self.assertTrue(head.startswith(b"HTTP/1.1 200 OK\r\n"), head)
                        self.assertEqual(fields["content-length"], str(len(b4)))
                        for name in ("content-type", "cache-control", "x-content-type-options"):
                            self.assertEqual(fields[name], routed[name])
                        self.assertEqual("strict-transport-security" in fields, not plain)
                        self.assertNotIn("connection", fields)  # HTTP/1.1: kept alive

    def test_http_1_0_and_connection_close_are_answered_and_closed(self):
        for path in self.PATHS:
            for request in (f"GET {path} HTTP/1.0\r\n\r\n",
                            f"GET {path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
                            f"HEAD {path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"):
                with self.subTest(request=request):
                    answer = self.server.raw_bytes(request.encode(), plain=True)  # until closed
                    head, _, body = answer.partition(b"\r\n\r\n")
                    self.assertRegex(head, rb"^HTTP/1\.[01] 200 OK\r\n")
                    length = int(re.search(rb"(?i)content-length: (\d+)", head).group(1))
                    self.assertEqual(len(body), 0 if request.startswith("HEAD") else length)
                    self.assertGreater(length, 0)


if __name__ == "__main__":
    unittest.main()
