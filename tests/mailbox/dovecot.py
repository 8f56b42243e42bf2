"""A private Dovecot IMAP server on loopback, for tests and the benchmark: one server, and
one mailbox (a user of its own) per test on it (``Dovecot.add_user``).

Config facts: imap-login refuses to run as root, so the login and internal users
are dovenull / dovecot, a static userdb with uid=dovecot, ``chroot =`` for imap-login and
anvil, plaintext auth on, a passwd-file passdb with ``{PLAIN}`` passwords (one file per user), maildirs owned by
dovecot, base_dir / state_dir in a temp folder, an unused port.
"""

from __future__ import annotations

import contextlib
import itertools
import os
import pwd
import shutil
import signal
import socket
import subprocess
import tempfile
import threading
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
auth_failure_delay = 0
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
  args = scheme=PLAIN {root}/passwd/%u
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


def _self_signed(cert: Path, key: Path) -> None:
    """A self-signed certificate for 127.0.0.1 (IMAPS and STARTTLS)."""
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
            str(cert),
        ],
        check=True,
        capture_output=True,
    )


class Mailbox:
    """One user's mail on a running Dovecot: its HOSHO_IMAP_* settings, an IMAP client, and
    its maildir (INBOX at the top, other folders as ``.a.b`` sub-folders)."""

    def __init__(self, server: Dovecot, user: str, password: str) -> None:
        self.server = server
        self.host, self.port = server.host, server.port
        self.ssl_port, self.cert = server.ssl_port, server.cert
        self.user = user
        self.password = password
        self.maildir = server.root / "mail" / user
        self._seq = 0

    # Stop / start of the server, for the tests that take it down.
    def stop(self) -> None:
        self.server.stop()

    def start(self) -> None:
        self.server.start()

    def restart(self) -> None:
        self.server.restart()

    def log(self) -> str:
        return self.server.log()

    def env(self) -> dict[str, str]:
        """The HOSHO_IMAP_* settings pointing at this mailbox."""
        return {
            "HOSHO_IMAP_HOST": self.host,
            "HOSHO_IMAP_PORT": str(self.port),
            "HOSHO_IMAP_USER": self.user,
            "HOSHO_IMAP_PASSWORD": self.password,
            "HOSHO_IMAP_SECURITY": "none",
            "HOSHO_IMAP_FOLDER": "INBOX",
        }

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
        os.chown(tmp, self.server.uid, self.server.gid)
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

    def remove(self) -> None:
        """Drop the maildir (the user stays: user names are never reused)."""
        shutil.rmtree(self.maildir, ignore_errors=True)


class Dovecot(Mailbox):
    """One Dovecot on loopback; itself the mailbox of its first user (``town``), and
    ``add_user`` gives more, each with a fresh empty INBOX (one passwd-file per user: Dovecot
    reads a new user's file at its first login). With ``tls`` it also serves IMAPS and STARTTLS with a
    self-signed certificate (``cert``)."""

    def __init__(self, root: Path | None = None, *, tls: bool = False) -> None:
        self.root = Path(root or tempfile.mkdtemp(prefix="hosho-dovecot-"))
        self.host = "127.0.0.1"
        self.port = free_port()
        self.ssl_port = free_port() if tls else 0
        self.cert = self.root / "cert.pem"
        self.config = self.root / "dovecot.conf"
        pw = pwd.getpwnam("dovecot")
        self.uid, self.gid = pw.pw_uid, pw.pw_gid
        self._pid = 0
        self._numbers = itertools.count(2)
        for sub in ("run", "state", "mail"):
            (self.root / sub).mkdir(parents=True, exist_ok=True)
        ssl = "ssl = no"
        if tls:
            key = self.root / "key.pem"
            _self_signed(self.cert, key)
            ssl = f"ssl = yes\nssl_cert = <{self.cert}\nssl_key = <{key}"
        self.config.write_text(
            CONFIG.format(root=self.root, port=self.port, ssl=ssl, ssl_port=self.ssl_port)
        )
        os.chmod(self.root, 0o755)
        os.chown(self.root / "mail", self.uid, self.gid)
        (self.root / "passwd").mkdir()
        super().__init__(self, USER, PASSWORD)
        self._add(USER, PASSWORD)

    def add_user(self) -> Mailbox:
        """A new user (``town2``, ``town3``, ...) with an empty maildir."""
        name = f"{USER}{next(self._numbers)}"
        self._add(name, PASSWORD)
        return Mailbox(self, name, PASSWORD)

    def _add(self, user: str, password: str) -> None:
        maildir = self.root / "mail" / user
        for sub in ("cur", "new", "tmp"):
            (maildir / sub).mkdir(parents=True, exist_ok=True)
        for path in (maildir, *maildir.iterdir()):
            os.chown(path, self.uid, self.gid)
        (self.root / "passwd" / user).write_text(f"{user}:{{PLAIN}}{password}\n")

    def start(self) -> None:
        # The daemon keeps inherited pipes open: never capture its output.
        pid_file = self.root / "run" / "master.pid"
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
                pid = int(pid_file.read_text().split()[0]) if pid_file.exists() else 0
            except (OSError, ValueError, IndexError):
                pid = 0
            if pid and pid != self._pid and self.listening():
                self._pid = pid
                return
            time.sleep(0.02)
        raise RuntimeError(f"dovecot did not start on {self.port}: {self.log()}")

    def listening(self) -> bool:
        try:
            with socket.create_connection((self.host, self.port), timeout=0.5):
                return True
        except OSError:
            return False

    def stop(self) -> None:
        """SIGTERM to the master (what ``dovecot stop`` sends); back once it is gone (its
        pid file removed: it gives its log process a second) and the port is closed."""
        self._terminate()
        self._wait_stopped()

    def _terminate(self) -> None:
        if self._pid:
            with contextlib.suppress(ProcessLookupError):
                os.kill(self._pid, signal.SIGTERM)

    def _wait_stopped(self) -> None:
        pid_file = self.root / "run" / "master.pid"
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and (pid_file.exists() or self.listening()):
            time.sleep(0.02)

    def restart(self) -> None:
        self.stop()
        self.start()

    def log(self) -> str:
        path = self.root / "dovecot.log"
        return path.read_text(errors="replace")[-4000:] if path.exists() else ""

    def cleanup(self) -> None:
        """Stop the server and remove its folder; the caller does not wait for the master's
        exit (a thread does, and Python waits for it before it exits)."""
        self._terminate()
        threading.Thread(target=self._remove_when_stopped, name="dovecot-cleanup").start()

    def _remove_when_stopped(self) -> None:
        self._wait_stopped()
        shutil.rmtree(self.root, ignore_errors=True)
