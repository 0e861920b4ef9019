"""A tiny OpenID provider in Python for the refusal paths of R-C4 that a real provider will not
produce on purpose: ID tokens with a wrong audience or issuer, signed by another key, with
alg "none", expired, or with another nonce, and error=access_denied. The /auth endpoint
sends the browser straight back (no login page); /token answers according to `mode`."""
import base64
import http.server
import json
import secrets
import threading
import time
from urllib.parse import parse_qs, urlencode, urlparse

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa


def b64(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def uint(n):
    return b64(n.to_bytes((n.bit_length() + 7) // 8, "big"))


class FakeProvider:
    def __init__(self, client_id, client_secret):
        self.client_id, self.client_secret = client_id, client_secret
        self.key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        self.other_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        self.mode = "good"
        self.username = "nobody"
        self.codes = {}
        self.token_requests = []
        provider = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def reply(self, status, body=b"", content_type="application/json", location=None):
                self.send_response(status)
                if location:
                    self.send_header("Location", location)
                self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def do_GET(self):
                url = urlparse(self.path)
                if url.path == "/.well-known/openid-configuration":
                    self.reply(200, json.dumps(provider.metadata()).encode())
                elif url.path == "/jwks":
                    self.reply(200, json.dumps({"keys": [provider.jwk()]}).encode())
                elif url.path == "/auth":
                    q = {k: v[0] for k, v in parse_qs(url.query).items()}
                    if provider.mode == "access_denied":
                        back = {"error": "access_denied", "state": q["state"]}
                    else:
                        code = secrets.token_urlsafe(16)
                        provider.codes[code] = q
                        back = {"code": code, "state": q["state"]}
                    self.reply(303, location=q["redirect_uri"] + "?" + urlencode(back))
                else:
                    self.reply(404)

            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length", 0))).decode()
                form = {k: v[0] for k, v in parse_qs(body).items()}
                provider.token_requests.append((dict(self.headers), form))
                auth = self.headers.get("Authorization", "")
                expected = "Basic " + base64.b64encode(
                    f"{provider.client_id}:{provider.client_secret}".encode()).decode()
                q = provider.codes.pop(form.get("code"), None)
                if urlparse(self.path).path != "/token" or auth != expected or q is None:
                    self.reply(400, b'{"error":"invalid_grant"}')
                    return
                self.reply(200, json.dumps({"access_token": "at", "token_type": "Bearer",
                                            "id_token": provider.id_token(q)}).encode())

            def log_message(self, *args):
                pass

        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.issuer = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def close(self):
        self.httpd.shutdown()
        self.httpd.server_close()

    def metadata(self):
        return {"issuer": self.issuer, "authorization_endpoint": self.issuer + "/auth",
                "token_endpoint": self.issuer + "/token", "jwks_uri": self.issuer + "/jwks",
                "id_token_signing_alg_values_supported": ["RS256"],
                "code_challenge_methods_supported": ["S256"]}

    def jwk(self):
        n = self.key.public_key().public_numbers()
        return {"kty": "RSA", "kid": "k1", "use": "sig", "alg": "RS256",
                "n": uint(n.n), "e": uint(n.e)}

    def id_token(self, request):
        now = int(time.time())
        claims = {"iss": self.issuer, "sub": "sub-" + self.username, "aud": self.client_id,
                  "iat": now, "exp": now + 300, "nonce": request["nonce"],
                  "preferred_username": self.username}
        mode = self.mode
        if mode == "wrong_aud":
            claims["aud"] = "someone-else"
        elif mode == "wrong_iss":
            claims["iss"] = "http://127.0.0.1:1"
        elif mode == "expired":
            claims["iat"], claims["exp"] = now - 3600, now - 1800
        elif mode == "wrong_nonce":
            claims["nonce"] = "not-the-one"
        header = {"alg": "RS256", "kid": "k1", "typ": "JWT"}
        if mode == "alg_none":
            header = {"alg": "none", "typ": "JWT"}
        signing_input = (b64(json.dumps(header).encode()) + "." +
                         b64(json.dumps(claims).encode())).encode()
        if mode == "alg_none":
            return signing_input.decode() + "."
        key = self.other_key if mode == "other_key" else self.key
        signature = key.sign(signing_input, padding.PKCS1v15(), hashes.SHA256())
        return signing_input.decode() + "." + b64(signature)
