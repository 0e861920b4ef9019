#!/usr/bin/env python3
"""bench/ldap.py: LDAP logins per second against a local slapd (prints figures, no target).

Starts a throw-away slapd on 127.0.0.1 (tests/integration/ldap_server.py), sets up a twofold
configuration with `[sources] order = "ldap"`, direct bind and a group search with a role
table, links an ID to an LDAP entry and runs `twofold source test ID --repeat N --threads T`:
the server's own source code path (failover loop, bind, entry read, group search, mapping)
with a fresh connection per login, as the login page does. Also the same over ldaps://.
  python3 bench/ldap.py [BUILD_APPS_DIR]   (default build/release/apps)
  BENCH_LDAP_LOGINS=2000  BENCH_LDAP_THREADS=4
"""
import os
import re
import shutil
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "tests", "integration"))
APPS = sys.argv[1] if len(sys.argv) > 1 else os.path.join(ROOT, "build", "release", "apps")
os.environ["TWOFOLD_BIN_DIR"] = APPS

from harness import set_option  # noqa: E402
from ldap_server import PEOPLE, SUFFIX, Slapd, TestCA  # noqa: E402

TWOFOLD = os.path.join(APPS, "twofold", "twofold")
LOGINS = int(os.environ.get("BENCH_LDAP_LOGINS", "2000"))
THREADS = int(os.environ.get("BENCH_LDAP_THREADS", "4"))


def main():
    tmp = tempfile.mkdtemp(prefix="twofold-bench-ldap-")
    slapd = None
    try:
        ca = TestCA(tmp)
        slapd = Slapd(tls=ca).start()
        subprocess.run([TWOFOLD, "setup", "--quick", "--dir", tmp, "--https-port", "1"],
                       check=True, capture_output=True, timeout=120)
        config = os.path.join(tmp, "twofold.toml")
        with open(config) as f:
            text = f.read()
        for key, value in {("sources", "order"): '"ldap"',
                           ("ldap", "servers"): f'["{slapd.uri}"]',
                           ("ldap", "user_dn_template"): f'"uid={{user}},ou=people,{SUFFIX}"',
                           ("ldap", "group_search_base"): f'"ou=groups,{SUFFIX}"',
                           ("ldap", "ca_file"): f'"{ca.ca_crt}"'}.items():
            text = set_option(text, *key, value)
        text += '\n[ldap.group_roles]\nadmins = ["admin"]\nstaff = ["staff"]\n'
        with open(config, "w") as f:
            f.write(text)
        tls_config = os.path.join(tmp, "tls.toml")
        with open(tls_config, "w") as f:
            f.write(set_option(text, "ldap", "servers", f'["{slapd.ldaps_uri}"]'))
        cli = [TWOFOLD, "--config", config]
        subprocess.run(cli + ["user", "add", "root"], check=True, capture_output=True)
        subprocess.run(cli + ["user", "add", "alice"], check=True, capture_output=True)
        subprocess.run(cli + ["source", "link", "alice", "alice"], check=True, capture_output=True)
        for name, path in (("ldap://", config), ("ldaps://", tls_config)):
            proc = subprocess.run([TWOFOLD, "--config", path, "source", "test", "alice", "--repeat",
                                   str(LOGINS), "--threads", str(THREADS)],
                                  input=PEOPLE["alice"][0] + "\n", text=True,
                                  capture_output=True, timeout=600)
            if proc.returncode != 0:
                sys.exit(f"bench/ldap: {name} run failed:\n{proc.stdout}{proc.stderr}")
            m = re.search(r"([\d.]+) per second, p50 ([\d.]+) ms, p99 ([\d.]+) ms", proc.stdout)
            print(f"RESULT LDAP logins/s ({name}, bind + entry + groups, {THREADS} threads)"
                  f"  {m.group(1)} /s  p50 {m.group(2)} ms  p99 {m.group(3)} ms"
                  f"  ({LOGINS} logins)")
    finally:
        if slapd:
            slapd.cleanup()
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
