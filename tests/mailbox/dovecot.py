"""A private Dovecot IMAP server on loopback, for tests and the benchmark.

Config facts (DESIGN.md): imap-login refuses to run as root, so the login and internal users
are dovenull / dovecot, a static userdb with uid=dovecot, ``chroot =`` for imap-login and
anvil, plaintext auth on, a passwd-file passdb with ``{PLAIN}`` passwords, maildirs owned by
dovecot, base_dir / state_dir in a temp folder, an unused port.
"""

from __future__ import annotations

import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path

DOVECOT = "/usr/sbin/dovecot"
USER = "town"
PASSWORD = "secret-pass"

CONFIG = """\
protocols = imap
listen = 127.0.0.1
base_dir = {root}/run
state_dir = {root}/state
instance_name = hosho-test-{port}
log_path = {root}/dovecot.log
info_log_path = {root}/dovecot.log
{ssl}
disable_plaintext_auth = no
auth_mechanisms = plain login
default_login_user = dovenull
default_internal_user = dovecot
mail_location = maildir:{root}/mail/%u
mail_uid = dovecot
mail_gid = dovecot
first_valid_uid = 1
mail_fsync = never
imap_idle_notify_interval = 1 secs
passdb {{
  driver = passwd-file
  args = scheme=PLAIN {root}/passwd
}}
userdb {{
  driver = static
  args = uid=dovecot gid=dovecot home={root}/mail/%u
}}
service imap-login {{
  chroot =
  inet_listener imap {{
    address = 127.0.0.1
    port = {port}
  }}
  inet_listener imaps {{
    address = 127.0.0.1
    port = {ssl_port}
  }}
}}
service anvil {{
  chroot =
}}
service stats {{
  unix_listener stats-writer {{
    mode = 0666
  }}
}}
"""


def available() -> bool:
    """True when the dovecot binary is installed (and we may start it)."""
    return os.path.exists(DOVECOT)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class Dovecot:
    """One running Dovecot with one user (``town``) whose INBOX is a maildir."""

    def __init__(self, root: Path | None = None, *, tls: bool = False) -> None:
        self.root = Path(root or tempfile.mkdtemp(prefix="hosho-dovecot-"))
        self.port = free_port()
        self.host = "127.0.0.1"
        self.user = USER
        self.password = PASSWORD
        self.config = self.root / "dovecot.conf"
        self.maildir = self.root / "mail" / USER
        pw = pwd.getpwnam("dovecot")
        self._uid, self._gid = pw.pw_uid, pw.pw_gid
        for sub in ("run", "state", "mail"):
            (self.root / sub).mkdir(parents=True, exist_ok=True)
        for sub in ("cur", "new", "tmp"):
            (self.maildir / sub).mkdir(parents=True, exist_ok=True)
        (self.root / "passwd").write_text(f"{USER}:{{PLAIN}}{PASSWORD}\n")
        self.ssl_port = free_port() if tls else 0
        self.cert = self.root / "cert.pem"
        ssl = "ssl = no"
        if tls:  # a self-signed certificate for 127.0.0.1 (IMAPS and STARTTLS)
            key = self.root / "key.pem"
            subprocess.run(
                [
                    "openssl",
                    "req",
                    "-x509",
                    "-newkey",
                    "rsa:2048",
                    "-nodes",
                    "-days",
                    "2",
                    "-subj",
                    "/CN=127.0.0.1",
                    "-addext",
                    "subjectAltName=IP:127.0.0.1",
                    "-keyout",
                    str(key),
                    "-out",
                    str(self.cert),
                ],
                check=True,
                capture_output=True,
            )
            ssl = f"ssl = yes\nssl_cert = <{self.cert}\nssl_key = <{key}"
        self.config.write_text(
            CONFIG.format(root=self.root, port=self.port, ssl=ssl, ssl_port=self.ssl_port)
        )
        os.chmod(self.root, 0o755)
        for path in [self.root / "mail", *self.maildir.parent.rglob("*")]:
            os.chown(path, self._uid, self._gid)
        os.chown(self.root / "mail", self._uid, self._gid)
        self._seq = 0

    def env(self) -> dict[str, str]:
        """The HOSHO_IMAP_* settings pointing at this server."""
        return {
            "HOSHO_IMAP_HOST": self.host,
            "HOSHO_IMAP_PORT": str(self.port),
            "HOSHO_IMAP_USER": self.user,
            "HOSHO_IMAP_PASSWORD": self.password,
            "HOSHO_IMAP_SECURITY": "none",
            "HOSHO_IMAP_FOLDER": "INBOX",
        }

    def start(self) -> None:
        # The daemon keeps inherited pipes open: never capture its output.
        with open(self.root / "start.log", "ab") as out:
            subprocess.run(
                [DOVECOT, "-c", str(self.config)],
                check=True,
                stdout=out,
                stderr=out,
                stdin=subprocess.DEVNULL,
            )
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                with socket.create_connection((self.host, self.port), timeout=0.5):
                    return
            except OSError:
                time.sleep(0.05)
        raise RuntimeError(f"dovecot did not listen on {self.port}: {self.log()}")

    def stop(self) -> None:
        subprocess.run(
            [DOVECOT, "-c", str(self.config), "stop"],
            check=False,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                with socket.create_connection((self.host, self.port), timeout=0.2):
                    time.sleep(0.05)
            except OSError:
                return

    def restart(self) -> None:
        self.stop()
        self.start()

    def log(self) -> str:
        path = self.root / "dovecot.log"
        return path.read_text(errors="replace")[-4000:] if path.exists() else ""

    def cleanup(self) -> None:
        self.stop()
        shutil.rmtree(self.root, ignore_errors=True)

    def imap(self):  # type: ignore[no-untyped-def]
        """A logged-in IMAPClient (caller logs out)."""
        from imapclient import IMAPClient

        client = IMAPClient(self.host, port=self.port, ssl=False, timeout=10)
        client.login(self.user, self.password)
        return client

    def append(self, messages: list[bytes], folder: str = "INBOX") -> None:
        """APPEND messages over IMAP, in order (UIDs follow the list)."""
        client = self.imap()
        try:
            for raw in messages:
                client.append(folder, raw)
        finally:
            client.logout()

    # -- filling and reading the mailbox directly (fast, no IMAP) --------------------------

    def deliver(self, raw: bytes, folder: str = "INBOX") -> None:
        """Drop one message into a folder's maildir as a delivery agent would."""
        base = self.folder_path(folder)
        self._seq += 1
        name = f"{time.time_ns()}.P{os.getpid()}Q{self._seq}.hosho"
        tmp = base / "tmp" / name
        tmp.write_bytes(raw)
        os.chown(tmp, self._uid, self._gid)
        os.rename(tmp, base / "new" / name)

    def folder_path(self, folder: str) -> Path:
        if folder.upper() == "INBOX":
            return self.maildir
        return self.maildir / ("." + folder.replace("/", "."))

    def count(self, folder: str = "INBOX") -> int:
        """Messages in a folder, read from the maildir (expunged ones are gone)."""
        base = self.folder_path(folder)
        if not base.exists():
            return 0
        return sum(len(os.listdir(base / sub)) for sub in ("new", "cur"))

    def messages(self, folder: str) -> list[bytes]:
        base = self.folder_path(folder)
        if not base.exists():
            return []
        return [p.read_bytes() for sub in ("new", "cur") for p in sorted((base / sub).iterdir())]
