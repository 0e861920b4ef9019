"""The service API's wire and its defences against bad input: the parameter firewall,
oversized bodies, slow clients, TLS garbage. Every refusal is a clear 4xx with an
`error`/`errormsg` body (or a closed connection), and the server keeps serving."""
import os
import socket
import ssl
import threading
import time
import unittest
from urllib.parse import quote, urlencode

from harness import PENDING, ServerTestCase, parse_answer


class ParameterFirewall(ServerTestCase):

    def assert_technical_error(self, body, expect_in_msg=None, status=400):
        code, text = self.server.post_raw(body)
        self.assertEqual(code, status, text)
        self.assertFalse(text.endswith("\n"))
        answer = parse_answer(text)
        self.assertEqual(answer["error"], str(status))
        self.assertTrue(answer["errormsg"])
        if expect_in_msg:
            self.assertIn(expect_in_msg, answer["errormsg"])
        return answer

    def test_each_firewall_rule(self):
        valid = {"request": "ReqRequestAuthSession", "secsignid": "someone",
                 "servicename": "Demo", "serviceaddress": "https://demo.example"}
        cases = {
            "missing request": "secsignid=someone",
            "unknown request": "request=ReqDropTables&secsignid=x",
            "missing parameter": "request=ReqRequestAuthSession&secsignid=someone&servicename=D",
            "extra parameter": urlencode({**valid, "admin": "1"}),
            "duplicate parameter": urlencode(valid) + "&secsignid=other",
            "bad showaccesspass": urlencode({**valid, "showaccesspass": "maybe"}),
            "bad ID characters": urlencode({**valid, "secsignid": "a b*c"}),
            "overlong ID": urlencode({**valid, "secsignid": "a" * 300}),
            "ampersand in servicename": urlencode({**valid, "servicename": "A&B"}),
            "control character": urlencode({**valid, "servicename": "A\x07B"}),
            "non-UTF-8": "request=ReqRequestAuthSession&secsignid=someone&servicename=%FF%FE"
                         "&serviceaddress=x",
            "bidi override": urlencode({**valid, "servicename": "Bank\u202egro.live"}),
            "bad percent escape": "request=ReqRequestAuthSession&secsignid=some%zzone",
            "bad authsessionid": "request=ReqGetAuthSessionState&secsignid=a&authsessionid=12x"
                                 "&requestid=" + "A" * 64,
            "bad requestid": "request=ReqGetAuthSessionState&secsignid=a&authsessionid="
                             + "1" * 19 + "&requestid=XYZ",
            "empty body": "",
        }
        for name, body in cases.items():
            with self.subTest(name):
                self.assert_technical_error(body)

    def test_fields_decode_fully_in_any_order(self):
        user = self.unique_id()
        self.device(user)
        body = ("serviceaddress=https%3A%2F%2Fdemo.example%2Fa+b&servicename=My+Shop%20%C3%9C"
                f"&secsignid={quote(user)}&request=ReqRequestAuthSession&apimethod=")
        code, text = self.server.post_raw(body)
        self.assertEqual(code, 200, text)
        answer = parse_answer(text)
        self.assertEqual(answer["servicename"], "My Shop \u00dc")
        self.assertEqual(answer["serviceaddress"], "https://demo.example/a b")
        self.assertEqual(int(answer["authsessionstate"]), PENDING)
        self.assertNotIn("%", answer["authsessionicondata"], "values are sent raw")
        self.server.session_call("ReqCancelAuthSession", answer)

    def test_also_at_api_v1_and_with_charset(self):
        code, text = self.server.post_raw("request=ReqGetAuthSessionState", path="/api/v1/",
                                          headers={"Content-Type": "application/"
                                                   "x-www-form-urlencoded; charset=UTF-8"})
        self.assertEqual(code, 400)
        self.assertIn("error=400&errormsg=", text)

    def test_wrong_method_and_media_type(self):
        conn = self.server.connection()
        conn.request("PUT", "/", body="request=x")
        resp = conn.getresponse()
        self.assertEqual(resp.status, 405)
        self.assertIn("error=", resp.read().decode())
        conn.close()
        code, text = self.server.post_raw('{"request":"x"}', headers={"Content-Type":
                                                                       "application/json"})
        self.assertEqual(code, 415)
        self.assertIn("error=", text)

    def test_oversized_body(self):
        body = "request=ReqRequestAuthSession&secsignid=" + "a" * 17000
        code, text = self.server.post_raw(body)
        self.assertEqual(code, 413)
        self.assertIn("error=413", text)
        # the server still serves
        self.assert_technical_error("request=nothing")

    def test_slow_client_is_cut_off_and_others_are_served(self):
        ctx = self.server.tls_context()
        raw = socket.create_connection(("127.0.0.1", self.server.https_port))
        slow = ctx.wrap_socket(raw, server_hostname="localhost")
        slow.sendall(b"POST / HTTP/1.1\r\nHost: localhost\r\n")
        started = time.monotonic()
        # meanwhile another client is answered at once
        self.assert_technical_error("request=nothing")
        slow.settimeout(30)
        closed = False
        try:
            while time.monotonic() - started < 25:
                slow.sendall(b"X-Slow: 1\r\n")  # one header line per second: slowloris
                time.sleep(1)
        except (OSError, ssl.SSLError):
            closed = True
        elapsed = time.monotonic() - started
        slow.close()
        self.assertTrue(closed, "the slow client was never cut off")
        self.assertLess(elapsed, 15)

    def test_tls_garbage_and_plain_http_on_the_tls_port(self):
        for junk in (os.urandom(2048), b"\x16\x03\x01\xff\xff" + os.urandom(100),
                     b"GET / HTTP/1.1\r\nHost: x\r\n\r\n"):
            s = socket.create_connection(("127.0.0.1", self.server.https_port), timeout=10)
            try:
                s.sendall(junk)
                data = s.recv(4096)
                # a TLS alert or nothing, then the connection is closed
                while data:
                    data = s.recv(4096)
            except (ConnectionResetError, BrokenPipeError):
                pass
            finally:
                s.close()
        self.assert_technical_error("request=nothing")

    def test_many_bad_requests_in_parallel_leave_the_server_serving(self):
        errors = []

        def hammer():
            try:
                conn = self.server.connection()
                for i in range(20):
                    self.server.post_raw("request=ReqRequestAuthSession&secsignid=%00%ff" * (i + 1),
                                         conn=conn)
                conn.close()
            except Exception as e:  # noqa: BLE001 — collected and reported below
                errors.append(e)

        threads = [threading.Thread(target=hammer) for _ in range(8)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(60)
        self.assertEqual(errors, [])
        self.assert_technical_error("request=nothing")


class Compatibility(ServerTestCase):

    def test_node_keep_alive_client_reuses_its_socket(self):
        import json
        import shutil
        import subprocess
        node = shutil.which("node") or shutil.which("nodejs")
        self.assertIsNotNone(node, "Node.js is needed for this test (scripts/deps.sh)")
        script = os.path.join(os.path.dirname(os.path.abspath(__file__)), "node_keepalive.js")
        proc = subprocess.run([node, script, str(self.server.https_port), self.server.ca],
                              capture_output=True, text=True, timeout=60)
        self.assertEqual(proc.returncode, 0, proc.stderr)
        seen = json.loads(proc.stdout)
        self.assertEqual(len(seen), 20)
        # The property that matters is "no reset" (a reset rejects in node: exit 1 above).
        # Reuse itself is Node's choice: on a loaded machine (CI under ASan) it sometimes opens
        # a new socket after an idle pause, so only "keep-alive works at all" is asserted.
        self.assertGreaterEqual(sum(r["reused"] for r in seen[1:]), 12, seen)
        self.assertTrue(all(r["error"].startswith("error=") for r in seen))
        self.assertTrue(all(r["status"] < 500 for r in seen))

    def test_unknown_paths_and_get_answer_without_5xx(self):
        conn = self.server.connection()
        for method, path in (("GET", "/"), ("GET", "/nothing"), ("GET", "/device/v1/nothing"),
                             ("GET", "/healthz"), ("POST", "/device/v1/enroll")):
            conn.request(method, path, body="{" if method == "POST" else None)
            resp = conn.getresponse()
            resp.read()
            self.assertLess(resp.status, 500, (method, path))
        conn.close()

    def test_security_headers(self):
        conn = self.server.connection()
        conn.request("POST", "/", body="request=x",
                     headers={"Content-Type": "application/x-www-form-urlencoded"})
        resp = conn.getresponse()
        resp.read()
        self.assertIn("max-age", resp.getheader("Strict-Transport-Security", ""))
        self.assertEqual(resp.getheader("X-Content-Type-Options"), "nosniff")
        self.assertIn("no-store", resp.getheader("Cache-Control", ""))
        conn.close()


if __name__ == "__main__":
    unittest.main()
