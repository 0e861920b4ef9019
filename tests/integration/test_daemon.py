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
