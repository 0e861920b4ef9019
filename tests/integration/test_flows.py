"""Every auth-session flow of the service API, driven by a website (HTTP) and a device
(`twofold-auth` or a raw device-API client) against the real twofoldd over TLS."""
import json
import subprocess
import time
import unittest

from harness import (ACCEPTED, CANCELED, DENIED, EXPIRED, FETCHED, PENDING, SUSPENDED,
                     TWOFOLD_AUTH, DeviceKey, ServerTestCase, correct_symbol, write_png)


class ApprovalFlows(ServerTestCase):

    def test_accept_with_the_access_pass_the_website_shows(self):
        user = self.unique_id()
        phone = self.device(user)
        status, answer = self.server.request_auth(user, servicename="Shop",
                                                  serviceaddress="https://shop.example/login")
        self.assertEqual(status, 200)
        self.assertEqual(int(answer["authsessionstate"]), PENDING)
        self.assertEqual(answer["servicename"], "Shop")
        self.assertEqual(answer["serviceaddress"], "https://shop.example/login")
        self.assertRegex(answer["authsessionid"], r"^\d{19}$")
        self.assertRegex(answer["requestid"], r"^[0-9A-F]{64}$")
        self.assertEqual(self.server.state(answer), PENDING)

        listed = phone.run("pending").stdout
        self.assertIn(answer["authsessionid"], listed)
        self.assertIn("Shop", listed)
        self.assertIn("https://shop.example/login", listed)
        self.assertEqual(self.server.state(answer), FETCHED)

        result = phone.run("approve", "--match", write_png(answer, self.tmp))
        self.assertIn("ACCEPTED", result.stdout)
        self.assertEqual(self.server.state(answer), ACCEPTED)

        status, released = self.server.session_call("ReqReleaseAuthSession", answer)
        self.assertEqual(status, 200)
        self.assertEqual(released["authsessionid"], answer["authsessionid"])
        self.assertIn("authsessionstate", released)
        audit = self.server.cli("audit", "--id", user).stdout
        self.assertIn("ACCEPTED", audit)
        self.assertIn("Shop", audit)

    def test_deny(self):
        user = self.unique_id()
        phone = self.device(user)
        _, answer = self.server.request_auth(user)
        phone.run("deny")
        self.assertEqual(self.server.state(answer), DENIED)

    def test_wrong_symbol_is_a_denial(self):
        user = self.unique_id()
        raw = DeviceKey(self.server, self.tmp)
        raw.enrol(user)
        phone = self.device()
        # the same ID on a twofold-auth device, through an activation code from the admin CLI
        code = self.server.cli("activation-code", user).stdout.strip()
        phone.enrol(user, activation_code=code)
        _, answer = self.server.request_auth(user)
        candidates = raw.candidates(answer["authsessionid"])
        self.assertEqual(len(candidates), 4)
        self.assertEqual(len({c["symbol"] for c in candidates}), 4)
        right = correct_symbol(candidates, answer)
        wrong = next(c["symbol"] for c in candidates if c["symbol"] != right)
        result = phone.run("approve", "--symbol", str(wrong), check=False)
        self.assertEqual(result.returncode, 3, result.stderr)
        self.assertEqual(self.server.state(answer), DENIED)
        self.assertIn("DENIED", self.server.cli("audit", "--id", user).stdout)

    def test_website_cancels(self):
        user = self.unique_id()
        phone = self.device(user)
        _, answer = self.server.request_auth(user)
        status, cancelled = self.server.session_call("ReqCancelAuthSession", answer)
        self.assertEqual(status, 200)
        self.assertEqual(int(cancelled["authsessionstate"]), CANCELED)
        # R-S4: afterwards the session no longer exists and a state query is a context error
        _, after = self.server.session_call("ReqGetAuthSessionState", answer)
        self.assertEqual(after["error"], "400")
        self.assertEqual(phone.run("pending", check=False).returncode, 1)
        # a cancelled session cannot be approved any more
        self.assertNotEqual(phone.run("approve", "--match", write_png(answer, self.tmp),
                                      check=False).returncode, 0)

    def test_release_forgets_the_session(self):
        user = self.unique_id()
        self.device(user)
        _, answer = self.server.request_auth(user)
        self.server.session_call("ReqReleaseAuthSession", answer)
        _, after = self.server.session_call("ReqGetAuthSessionState", answer)
        self.assertIn("error", after)
        self.assertIn(user, self.server.cli("audit", "--id", user).stdout)

    def test_unknown_id_is_error_500_does_not_exist(self):
        status, answer = self.server.request_auth("nobody.here")
        self.assertEqual(answer["error"], "500")
        self.assertIn("does not exist", answer["errormsg"])
        self.assertNotEqual(status // 100, 5, "clients ignore the status, but no 5xx")

    def test_wrong_requestid_is_refused_and_changes_nothing(self):
        user = self.unique_id()
        self.device(user)
        _, answer = self.server.request_auth(user)
        _, wrong = self.server.session_call("ReqCancelAuthSession", answer, requestid="A" * 64)
        self.assertIn("error", wrong)
        int(wrong["error"])  # the PHP client needs an integer
        self.assertTrue(wrong["errormsg"])
        self.assertEqual(self.server.state(answer), PENDING)
        _, other_id = self.server.session_call("ReqGetAuthSessionState", answer,
                                               secsignid="someone.else")
        self.assertIn("error", other_id)

    def test_ids_match_case_insensitively(self):
        user = self.unique_id("Mixed")
        phone = self.device(user)
        _, answer = self.server.request_auth(user.upper())
        self.assertEqual(int(answer["authsessionstate"]), PENDING)
        phone.run("approve", "--match", write_png(answer, self.tmp))
        self.assertEqual(self.server.state(answer), ACCEPTED)

    def test_replayed_and_forged_answers_are_refused(self):
        user = self.unique_id()
        raw = DeviceKey(self.server, self.tmp)
        raw.enrol(user)
        _, answer = self.server.request_auth(user)
        session = raw.sessions()[0]
        symbol = correct_symbol(raw.candidates(answer["authsessionid"]), answer)

        forged = raw.answer_body(session, "accept", symbol)
        forged["signature"] = raw.answer_body(session, "deny", 0)["signature"]
        status, _ = raw.answer(session, forged)
        self.assertGreaterEqual(status, 400)
        self.assertLess(status, 500)
        self.assertEqual(self.server.state(answer), FETCHED)

        body = raw.answer_body(session, "accept", symbol)
        status, result = raw.answer(session, body)
        self.assertEqual(status, 200, result)
        self.assertEqual(result["state"], "ACCEPTED")
        status, replay = raw.answer(session, body)
        self.assertGreaterEqual(status, 400, replay)
        self.assertLess(status, 500)
        self.assertEqual(self.server.state(answer), ACCEPTED)

    def test_session_without_access_pass(self):
        user = self.unique_id()
        phone = self.device(user)
        _, answer = self.server.request_auth(user, showaccesspass="false")
        self.assertIn("authsessionicondata", answer)  # always present (R-S2)
        phone.run("approve")
        self.assertEqual(self.server.state(answer), ACCEPTED)

    def test_rsa2048_device(self):
        user = self.unique_id()
        phone = self.device(user, key_type="rsa2048")
        _, answer = self.server.request_auth(user)
        phone.run("approve", "--match", write_png(answer, self.tmp))
        self.assertEqual(self.server.state(answer), ACCEPTED)

    def test_two_devices_for_one_id(self):
        user = self.unique_id()
        first = self.device(user)
        self.assertNotEqual(self.device().enrol(user, check=False).returncode, 0,
                            "an existing ID needs an activation code")
        code = first.run("activation-code").stdout.strip()
        second = self.device(user, activation_code=code)
        self.assertNotEqual(self.device().enrol(user, activation_code=code,
                                                check=False).returncode, 0, "codes are single use")
        _, answer = self.server.request_auth(user)
        self.assertIn(answer["authsessionid"], first.run("pending").stdout)
        self.assertIn(answer["authsessionid"], second.run("pending").stdout)
        second.run("approve", "--match", write_png(answer, self.tmp))
        self.assertEqual(self.server.state(answer), ACCEPTED)
        self.assertEqual(first.run("pending", check=False).returncode, 1)

    def test_not_me_denies_everything_and_locks_the_id(self):
        user = self.unique_id()
        phone = self.device(user)
        _, answer = self.server.request_auth(user)
        phone.run("deny", "--not-me")
        self.assertEqual(self.server.state(answer), DENIED)
        self.assertIn("Locked:                 yes", phone.run("status").stdout)
        _, refused = self.server.request_auth(user)
        self.assertIn("error", refused)
        self.assertIn("ADMIN NOTICE", self.server.output())
        phone.run("unlock")
        _, again = self.server.request_auth(user)
        self.assertEqual(int(again["authsessionstate"]), PENDING)

    def test_long_poll_wakes_the_device(self):
        user = self.unique_id()
        phone = self.device(user)
        waiting = subprocess.Popen(
            [TWOFOLD_AUTH, "--state", phone.state, "pending", "--wait", "20"],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
            env={"TWOFOLD_PIN": phone.pin, "PATH": "/usr/bin:/bin"})
        time.sleep(1.0)  # the device is now waiting on the server
        started = time.monotonic()
        _, answer = self.server.request_auth(user)
        out, err = waiting.communicate(timeout=20)
        elapsed = time.monotonic() - started
        self.assertEqual(waiting.returncode, 0, err)
        self.assertIn(answer["authsessionid"], out)
        self.assertLess(elapsed, 5.0, "the long-poll returned only when it timed out")

    def test_keep_alive_and_plain_http_listener(self):
        user = self.unique_id()
        self.device(user)
        for plain in (False, True):
            conn = self.server.connection(plain=plain)
            _, answer = self.server.service("ReqRequestAuthSession", conn=conn, secsignid=user,
                                            servicename="KA", serviceaddress="ka")
            for _ in range(5):
                _, state = self.server.service("ReqGetAuthSessionState", conn=conn,
                                               secsignid=user,
                                               authsessionid=answer["authsessionid"],
                                               requestid=answer["requestid"])
                self.assertIn(int(state["authsessionstate"]), (PENDING, SUSPENDED))
            self.server.service("ReqCancelAuthSession", conn=conn, secsignid=user,
                                authsessionid=answer["authsessionid"],
                                requestid=answer["requestid"])
            conn.close()


class SuspensionAndPriorityCodes(ServerTestCase):

    def test_double_request_suspends_and_a_repeat_needs_a_priority_code(self):
        user = self.unique_id()
        phone = self.device(user)
        _, first = self.server.request_auth(user)
        _, second = self.server.request_auth(user)
        self.assertEqual(int(second["authsessionstate"]), SUSPENDED)
        self.assertEqual(self.server.state(first), SUSPENDED)
        self.assertIn("Suspended:              yes", phone.run("status").stdout)
        _, while_suspended = self.server.request_auth(user)
        self.assertEqual(int(while_suspended["authsessionstate"]), SUSPENDED)

        phone.run("resume")
        _, third = self.server.request_auth(user)
        self.assertEqual(int(third["authsessionstate"]), PENDING)
        _, fourth = self.server.request_auth(user)  # again within the window
        self.assertEqual(int(fourth["authsessionstate"]), SUSPENDED)
        phone.run("resume")
        _, plain = self.server.request_auth(user)
        self.assertNotEqual(int(plain.get("authsessionstate", -1)), PENDING,
                            "after a repeat the ID needs a priority code")

        code = phone.run("priority-code").stdout.strip()
        self.assertRegex(code, r"^\d{8}$")
        _, prio = self.server.request_auth(code)
        self.assertEqual(int(prio["authsessionstate"]), PENDING, prio)
        phone.run("approve", "--match", write_png(prio, self.tmp))
        _, accepted = self.server.session_call("ReqGetAuthSessionState", prio)
        self.assertEqual(int(accepted["authsessionstate"]), ACCEPTED)
        self.assertEqual(accepted["secsignid"].lower(), user.lower(), "R-S3: the real ID")
        _, reused = self.server.request_auth(code)
        self.assertIn("error", reused, "priority codes are single use")


class Expiry(ServerTestCase):
    options = {("authsession", "timeout_seconds"): "5"}

    def test_pending_session_expires_and_late_answers_are_refused(self):
        user = self.unique_id()
        raw = DeviceKey(self.server, self.tmp)
        raw.enrol(user)
        _, answer = self.server.request_auth(user)
        session = raw.sessions()[0]
        symbol = correct_symbol(raw.candidates(answer["authsessionid"]), answer)
        body = raw.answer_body(session, "accept", symbol)
        time.sleep(6.5)
        self.assertEqual(self.server.state(answer), EXPIRED)
        status, late = raw.answer(session, body)
        self.assertGreaterEqual(status, 400, late)
        self.assertLess(status, 500)
        self.assertEqual(self.server.state(answer), EXPIRED)
        self.assertIn("EXPIRED", self.server.cli("audit", "--id", user).stdout)


if __name__ == "__main__":
    unittest.main()
