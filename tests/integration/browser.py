"""Headless Chromium for the integration tests: tests/browser/driver.js (playwright-core on
Debian's /usr/bin/chromium), one JSON command per line over a pipe."""
import json
import os
import subprocess

BROWSER_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "browser")
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")


def ensure_driver():
    """Installs playwright-core from the lock file when node_modules is missing."""
    if not os.path.isdir(os.path.join(BROWSER_DIR, "node_modules", "playwright-core")):
        subprocess.run(["npm", "ci", "--no-audit", "--no-fund"], cwd=BROWSER_DIR, check=True,
                       capture_output=True, timeout=300)


class Browser:
    def __init__(self, locale="en-US"):
        ensure_driver()
        env = dict(os.environ, CHROMIUM=CHROMIUM, LOCALE=locale)
        self.proc = subprocess.Popen(["node", os.path.join(BROWSER_DIR, "driver.js")],
                                     stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
                                     env=env, cwd=BROWSER_DIR)

    def call(self, cmd, **args):
        self.proc.stdin.write(json.dumps({"cmd": cmd, **args}) + "\n")
        self.proc.stdin.flush()
        line = self.proc.stdout.readline()
        if not line:
            raise AssertionError(f"browser driver exited ({self.proc.wait()})")
        answer = json.loads(line)
        if not answer.pop("ok"):
            raise AssertionError(f"browser {cmd}: {answer['error']}")
        return answer

    def goto(self, url):
        return self.call("goto", url=url)

    def wait_url(self, prefix):
        return self.call("wait_url", prefix=prefix)

    def fill(self, selector, value):
        return self.call("fill", selector=selector, value=value)

    def check(self, selector):
        """Ticks a checkbox (no navigation)."""
        return self.call("check", selector=selector)

    def click(self, selector):
        return self.call("click", selector=selector)

    def eval(self, script):
        return self.call("eval", script=script).get("value")

    def attr(self, selector, name):
        return self.call("attr", selector=selector, name=name)["value"]

    def state(self):
        return self.call("state")

    def cookies(self):
        return self.call("cookies")["cookies"]

    def new_context(self, cookies=()):
        """Opens a fresh context (its own cookie jar) with only `cookies` and makes it the
        current one; returns its index for use_context()."""
        return self.call("new_context", cookies=list(cookies))["index"]

    def use_context(self, index):
        return self.call("use_context", index=index)

    def screenshot(self, path):
        return self.call("screenshot", path=path)

    def close(self):
        if self.proc.poll() is None:
            try:
                self.call("close")
            except AssertionError:
                pass
            # The driver's line reader keeps node alive until its stdin ends.
            self.proc.stdin.close()
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        if not self.proc.stdin.closed:
            self.proc.stdin.close()
        self.proc.stdout.close()
