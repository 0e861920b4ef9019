"""The browser login driven by plain HTTP (python3-requests), for tests that need many sign-ins
fast or from several source addresses (127.0.0.x): the same requests a browser makes, with the
same cookies, CSRF field and Origin header, no JavaScript."""
import base64
import os
import re
import secrets
from urllib.parse import urlencode, urljoin

import requests
from requests.adapters import HTTPAdapter


class SourceAddressAdapter(HTTPAdapter):
    """Connects from a chosen loopback address, so one machine plays many clients."""

    def __init__(self, address, **kwargs):
        self.address = address
        super().__init__(**kwargs)

    def init_poolmanager(self, *args, **kwargs):
        kwargs["source_address"] = (self.address, 0)
        super().init_poolmanager(*args, **kwargs)


class ScriptedBrowser:
    def __init__(self, server, source_address="127.0.0.1", language="en"):
        self.server = server
        self.http = requests.Session()
        self.http.trust_env = False
        self.http.verify = server.ca
        self.http.headers["Accept-Language"] = language
        adapter = SourceAddressAdapter(source_address)
        self.http.mount("https://", adapter)
        self.tx = self.csrf = None
        self.page = ""

    def close(self):
        self.http.close()

    def authorize(self, client_id, redirect_uri, **extra):
        params = {"client_id": client_id, "redirect_uri": redirect_uri, "response_type": "code",
                  "scope": "openid", "state": "st-" + secrets.token_hex(4),
                  "nonce": "n-" + secrets.token_hex(4)}
        params.update(extra)
        r = self.http.get(self.server.url + "/oidc/authorize?" + urlencode(params),
                          allow_redirects=False, timeout=30)
        return self._follow(r)

    def _follow(self, r):
        """Follows redirects within twofold; stops at one that leaves it (the client's URI)."""
        for _ in range(5):
            if r.status_code not in (302, 303):
                break
            location = urljoin(self.server.url, r.headers["Location"])
            if not location.startswith(self.server.url + "/"):
                return r
            r = self.http.get(location, allow_redirects=False, timeout=30)
        self.page = r.text
        m = re.search(r'name="tx" value="([^"]*)"', self.page)
        if m:
            self.tx = m.group(1)
        m = re.search(r'name="csrf" value="([^"]*)"', self.page)
        if m:
            self.csrf = m.group(1)
        return r

    def submit(self, **fields):
        data = {"tx": self.tx, "csrf": self.csrf}
        data.update(fields)
        r = self.http.post(self.server.url + "/login", data=data, allow_redirects=False,
                           headers={"Origin": self.server.url}, timeout=60)
        return self._follow(r)

    def identify(self, login, password=""):
        return self.submit(action="identify", login=login, password=password)

    def approve_push(self, phone, directory):
        """Reads the access pass off the push page, approves it on `phone`, continues."""
        m = re.search(r'id="access-pass"[^>]*src="data:image/png;base64,([^"]+)"', self.page)
        if not m:
            m = re.search(r'src="data:image/png;base64,([^"]+)"[^>]*id="access-pass"', self.page)
        assert m, "no access pass on the page:\n" + self.page[:2000]
        path = os.path.join(directory, f"pass-{secrets.token_hex(4)}.png")
        with open(path, "wb") as f:
            f.write(base64.b64decode(m.group(1), validate=True))
        result = phone.run("approve", "--match", path)
        assert "ACCEPTED" in result.stdout, result.stdout + result.stderr
        return self.submit(action="push")
