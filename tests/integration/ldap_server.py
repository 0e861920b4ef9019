"""Real OpenLDAP servers for the tests: `slapd` on 127.0.0.1 with a temporary slapd.conf, the
mdb backend, seeded with slapadd, optionally with ldaps:// and StartTLS under a throw-away CA
made with openssl. Also a TCP server that accepts and never answers (a hanging directory).
"""
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import threading
import time

from harness import free_port, run

SLAPD = shutil.which("slapd") or "/usr/sbin/slapd"
SLAPADD = shutil.which("slapadd") or "/usr/sbin/slapadd"
SUFFIX = "dc=example,dc=org"
ADMIN_DN = f"cn=admin,{SUFFIX}"
ADMIN_PASSWORD = "Ldap-Admin-1"
SERVICE_DN = f"cn=twofold,ou=services,{SUFFIX}"
SERVICE_PASSWORD = "Svc-Pass-42"

# People: uid → (password, cn, displayName or None, mail or None)
PEOPLE = {
    "alice": ("Alice-Pass-1", "Alice", "Alice Liddell", "alice@example.org"),
    "bob": ("Bob-Pass-1", "Bob Builder", None, "bob@example.org"),
    "carol": ("Carol-Pass-1", "Carol", "Carol Danvers", None),
    "mixed": ("Mixed-Ldap-1", "Mixed", "Mixed User", "mixed@example.org"),
    "admin2": ("Admin2-Ldap-1", "Second Admin", None, None),
}
GROUPS = {"admins": ["alice"], "staff": ["alice", "bob"], "empty": []}


def people_dn(uid):
    return f"uid={uid},ou=people,{SUFFIX}"


def seed_ldif():
    out = [f"dn: {SUFFIX}\nobjectClass: dcObject\nobjectClass: organization\no: Example\ndc: example\n",
           f"dn: ou=people,{SUFFIX}\nobjectClass: organizationalUnit\nou: people\n",
           f"dn: ou=groups,{SUFFIX}\nobjectClass: organizationalUnit\nou: groups\n",
           f"dn: ou=services,{SUFFIX}\nobjectClass: organizationalUnit\nou: services\n",
           f"dn: {SERVICE_DN}\nobjectClass: simpleSecurityObject\nobjectClass: organizationalRole\n"
           f"cn: twofold\nuserPassword: {SERVICE_PASSWORD}\n"]
    for uid, (password, cn, display, mail) in PEOPLE.items():
        entry = (f"dn: {people_dn(uid)}\nobjectClass: inetOrgPerson\nuid: {uid}\ncn: {cn}\n"
                 f"sn: {cn.split()[-1]}\nuserPassword: {password}\n")
        if display:
            entry += f"displayName: {display}\n"
        if mail:
            entry += f"mail: {mail}\n"
        # The memberof overlay keeps memberOf on LDAP writes; slapadd bypasses overlays, so
        # the seed writes the attribute itself (the overlay defines its type).
        for group, members in GROUPS.items():
            if uid in members:
                entry += f"memberOf: cn={group},ou=groups,{SUFFIX}\n"
        out.append(entry)
    for name, members in GROUPS.items():
        # groupOfNames needs a member: an empty group lists the service account.
        member_dns = [people_dn(m) for m in members] or [SERVICE_DN]
        out.append(f"dn: cn={name},ou=groups,{SUFFIX}\nobjectClass: groupOfNames\ncn: {name}\n"
                   + "".join(f"member: {dn}\n" for dn in member_dns))
    return "\n".join(out)


class TestCA:
    """A throw-away CA and a server certificate for 127.0.0.1 and localhost."""

    def __init__(self, directory):
        self.dir = directory
        self.ca_key = os.path.join(directory, "ca.key")
        self.ca_crt = os.path.join(directory, "ca.crt")
        self.key = os.path.join(directory, "server.key")
        self.crt = os.path.join(directory, "server.crt")
        run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256",
             "-nodes", "-keyout", self.ca_key, "-out", self.ca_crt, "-days", "2",
             "-subj", "/CN=twofold LDAP test CA"])
        csr = os.path.join(directory, "server.csr")
        run(["openssl", "req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
             "-keyout", self.key, "-out", csr, "-subj", "/CN=127.0.0.1"])
        ext = os.path.join(directory, "ext.cnf")
        with open(ext, "w") as f:
            f.write("subjectAltName = IP:127.0.0.1, DNS:localhost\n"
                    "extendedKeyUsage = serverAuth\n")
        run(["openssl", "x509", "-req", "-in", csr, "-CA", self.ca_crt, "-CAkey", self.ca_key,
             "-CAcreateserial", "-out", self.crt, "-days", "2", "-extfile", ext])
        os.chmod(self.key, 0o644)


class Slapd:
    """One slapd with its own directory and ports. `tls`: a TestCA for ldaps:// and StartTLS."""

    def __init__(self, tls=None):
        self.dir = tempfile.mkdtemp(prefix="twofold-slapd-")
        self.port = free_port()
        self.tls = tls
        self.ldaps_port = free_port() if tls else None
        self.proc = None
        os.mkdir(os.path.join(self.dir, "db"))
        self.conf = os.path.join(self.dir, "slapd.conf")
        tls_lines = ""
        if tls:
            tls_lines = (f"TLSCACertificateFile {tls.ca_crt}\nTLSCertificateFile {tls.crt}\n"
                         f"TLSCertificateKeyFile {tls.key}\n")
        with open(self.conf, "w") as f:
            f.write(f"""include /etc/ldap/schema/core.schema
include /etc/ldap/schema/cosine.schema
include /etc/ldap/schema/inetorgperson.schema
modulepath /usr/lib/ldap
moduleload back_mdb
moduleload memberof
pidfile {self.dir}/slapd.pid
argsfile {self.dir}/slapd.args
{tls_lines}
database mdb
maxsize 10485760
suffix "{SUFFIX}"
rootdn "{ADMIN_DN}"
rootpw {ADMIN_PASSWORD}
directory {self.dir}/db
index objectClass eq
index uid eq
index member eq
overlay memberof
access to attrs=userPassword by self write by anonymous auth by * none
access to * by users read by anonymous read
""")
        ldif = os.path.join(self.dir, "seed.ldif")
        with open(ldif, "w") as f:
            f.write(seed_ldif())
        run([SLAPADD, "-q", "-f", self.conf, "-l", ldif])
        self.uri = f"ldap://127.0.0.1:{self.port}"
        self.ldaps_uri = f"ldaps://127.0.0.1:{self.ldaps_port}" if tls else None

    def start(self, timeout=15):
        urls = self.uri + "/" + (f" {self.ldaps_uri}/" if self.tls else "")
        self.log = open(os.path.join(self.dir, "slapd.log"), "ab")
        # -d 0: stay in the foreground (so the test owns the process) without debug output.
        self.proc = subprocess.Popen([SLAPD, "-f", self.conf, "-h", urls, "-d", "0"],
                                     stdout=self.log, stderr=subprocess.STDOUT)
        deadline = time.time() + timeout
        while time.time() < deadline:
            if self.proc.poll() is not None:
                raise AssertionError(f"slapd exited with {self.proc.returncode}: {self.output()}")
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.2).close()
                return self
            except OSError:
                time.sleep(0.05)
        raise AssertionError("slapd did not listen within %d s" % timeout)

    def stop(self):
        if self.proc is None:
            return
        self.proc.send_signal(signal.SIGTERM)
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(timeout=10)
        self.proc = None
        self.log.close()

    def output(self):
        try:
            with open(os.path.join(self.dir, "slapd.log"), errors="replace") as f:
                return f.read()[-3000:]
        except OSError:
            return ""

    def cleanup(self):
        try:
            self.stop()
        finally:
            shutil.rmtree(self.dir, ignore_errors=True)


class HangingServer:
    """Accepts TCP connections and never answers: a directory that hangs."""

    def __init__(self):
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(64)
        self.port = self.sock.getsockname()[1]
        self.uri = f"ldap://127.0.0.1:{self.port}"
        self.ldaps_uri = f"ldaps://127.0.0.1:{self.port}"
        self.conns = []
        self.closed = False
        self.thread = threading.Thread(target=self._accept, daemon=True)
        self.thread.start()

    def _accept(self):
        while not self.closed:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            self.conns.append(conn)  # kept open, never read or answered

    def close(self):
        self.closed = True
        self.sock.close()
        for c in self.conns:
            c.close()
