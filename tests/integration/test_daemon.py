"""The admin CLI and the daemon's life cycle: setup, start/stop/status/kill with a PID file,
SIGTERM, and pending auth sessions that survive a restart."""
import os
import shutil
import tempfile
import unittest

from harness import (ACCEPTED, PENDING, TWOFOLD, TWOFOLDD, Authenticator, Server,
                     free_port, read_text, run, write_png)


class DaemonLifeCycle(unittest.TestCase):

    def setUp(self):
        self.server = Server()
        self.tmp = tempfile.mkdtemp(prefix="twofold-it-daemon-")

    def tearDown(self):
        self.server.cli("kill", check=False)
        self.server.cleanup()
        shutil.rmtree(self.tmp, ignore_errors=True)

    def test_start_status_stop_kill(self):
        status = self.server.cli("status", check=False)
        self.assertEqual(status.returncode, 3, status.stdout + status.stderr)
        self.assertIn("stopped", status.stdout + status.stderr)

        self.server.cli("start")
        status = self.server.cli("status")
        self.assertIn("running", status.stdout)
        self.assertIn(str(self.server.https_port), status.stdout)
        self.assertIn(str(self.server.http_port), status.stdout)
        pid_file = os.path.join(self.server.dir, "twofoldd.pid")
        pid = int(read_text(pid_file))
        self.assertTrue(os.path.exists(f"/proc/{pid}"))
        self.server.cli("start")  # already running: still success, no second daemon
        self.assertEqual(int(read_text(pid_file)), pid)

        self.server.cli("stop")
        self.assertEqual(self.server.cli("status", check=False).returncode, 3)
        self.assertFalse(os.path.exists(pid_file))
        log = read_text(os.path.join(self.server.dir, "twofoldd.log"))
        self.assertIn("twofoldd stopped", log)
        self.assertNotIn("Sanitizer", log)

        self.server.cli("start")
        self.server.cli("kill")
        self.assertEqual(self.server.cli("status", check=False).returncode, 3)

    def test_pending_session_survives_a_restart(self):
        self.server.start()
        phone = Authenticator(self.server)
        try:
            phone.enrol("restart.user")
            _, answer = self.server.request_auth("restart.user")
            self.assertEqual(int(answer["authsessionstate"]), PENDING)
            self.server.stop()  # SIGTERM: exits 0 without sanitizer reports (checked)
            self.server.start()
            self.assertEqual(self.server.state(answer), PENDING)
            phone.run("approve", "--match", write_png(answer, self.tmp))
            self.assertEqual(self.server.state(answer), ACCEPTED)
        finally:
            phone.cleanup()

    def test_wrong_pin_is_refused_and_nothing_is_sent(self):
        self.server.start()
        phone = Authenticator(self.server)
        try:
            phone.enrol("pin.user")
            _, answer = self.server.request_auth("pin.user")
            phone.pin = "9999"
            result = phone.run("approve", "--match", write_png(answer, self.tmp), check=False)
            self.assertEqual(result.returncode, 1)
            self.assertIn("PIN", result.stderr)
            self.assertNotEqual(self.server.state(answer), ACCEPTED)
        finally:
            phone.cleanup()


class SetupAndConfiguration(unittest.TestCase):

    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix="twofold-it-setup-")

    def tearDown(self):
        shutil.rmtree(self.tmp, ignore_errors=True)

    def test_quick_setup_writes_everything_and_refuses_to_overwrite(self):
        d = os.path.join(self.tmp, "srv")
        out = run([TWOFOLD, "setup", "--quick", "--dir", d, "--host", "auth.example",
                   "--host", "127.0.0.1", "--https-port", str(free_port())]).stdout
        for f in ("twofold.toml", "tls/ca.crt", "tls/server.crt", "tls/server.key",
                  "keys/signing-rs256.pem", "keys/signing-es256.pem", "twofold.db"):
            self.assertTrue(os.path.exists(os.path.join(d, f)), f)
        self.assertEqual(os.stat(os.path.join(d, "tls/server.key")).st_mode & 0o077, 0)
        self.assertIn("CA certificate SHA-256", out)
        san = run(["openssl", "x509", "-in", os.path.join(d, "tls/server.crt"), "-noout",
                   "-ext", "subjectAltName"]).stdout
        self.assertIn("auth.example", san)
        self.assertIn("127.0.0.1", san)
        again = run([TWOFOLD, "setup", "--quick", "--dir", d], check=False)
        self.assertEqual(again.returncode, 2)
        run([TWOFOLD, "setup", "--quick", "--dir", d, "--force"])

    def test_bad_setup_options_and_config_errors_are_clear(self):
        bad = run([TWOFOLD, "setup", "--quick", "--dir", os.path.join(self.tmp, "x"), "--host",
                   "not a host"], check=False)
        self.assertEqual(bad.returncode, 2)
        self.assertIn("not a host", bad.stderr)
        config = os.path.join(self.tmp, "broken.toml")
        with open(config, "w") as f:
            f.write("[server]\nhttps_prot = 1\n")
        for args in ([TWOFOLDD, "--config", config], [TWOFOLD, "--config", config, "status"]):
            result = run(args, check=False)
            self.assertEqual(result.returncode, 2, result.stderr)
            self.assertIn("https_prot", result.stderr)


if __name__ == "__main__":
    unittest.main()


class ServiceKeysAndStorageFailures(unittest.TestCase):

    def setUp(self):
        self.server = Server({("service", "require_api_key"): "true",
                              ("storage", "busy_timeout_ms"): "200"})
        self.server.start()
        self.phone = Authenticator(self.server)
        self.phone.enrol("keyed.user")

    def tearDown(self):
        self.phone.cleanup()
        self.server.cleanup()

    def test_only_services_with_a_key_are_answered(self):
        _, refused = self.server.request_auth("keyed.user")
        self.assertEqual(refused["error"], "401")
        key = self.server.cli("service-key", "add", "intranet").stdout.strip()
        self.assertRegex(key, r"^tfk_[A-Za-z0-9_-]{43}$")
        self.assertIn("intranet", self.server.cli("service-key", "list").stdout)
        self.assertNotIn(key, self.server.cli("service-key", "list").stdout)
        wrong_key = key[:-1] + ("B" if key.endswith("A") else "A")
        _, wrong = self.server.request_auth("keyed.user", apikey=wrong_key)
        self.assertEqual(wrong["error"], "401")
        _, answer = self.server.request_auth("keyed.user", apikey=key)
        self.assertEqual(int(answer["authsessionstate"]), PENDING)
        _, state = self.server.session_call("ReqGetAuthSessionState", answer, apikey=key)
        self.assertEqual(int(state["authsessionstate"]), PENDING)
        self.server.cli("service-key", "remove", "intranet")
        _, gone = self.server.session_call("ReqGetAuthSessionState", answer, apikey=key)
        self.assertEqual(gone["error"], "401")

    def test_a_locked_database_is_a_context_error_and_loses_nothing(self):
        import sqlite3
        key = self.server.cli("service-key", "add", "web").stdout.strip()
        _, answer = self.server.request_auth("keyed.user", apikey=key)
        db = sqlite3.connect(os.path.join(self.server.dir, "twofold.db"), timeout=5,
                             isolation_level=None)
        db.execute("BEGIN EXCLUSIVE")
        try:
            status, refused = self.server.session_call("ReqCancelAuthSession", answer,
                                                       apikey=key)
            self.assertIn("error", refused)
            self.assertTrue(refused["errormsg"])
        finally:
            db.execute("ROLLBACK")
            db.close()
        self.assertIn("database", self.server.output().lower())
        # the session is as it was, and the server works again
        _, state = self.server.session_call("ReqGetAuthSessionState", answer, apikey=key)
        self.assertEqual(int(state["authsessionstate"]), PENDING)
        _, cancelled = self.server.session_call("ReqCancelAuthSession", answer, apikey=key)
        self.assertEqual(int(cancelled["authsessionstate"]), 6)
