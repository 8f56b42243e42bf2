"""The main job (``hosho run``): the chat front end and the inbox poller in one process.

- Slack when the settings allow it (SocketMode with SLACK_APP_TOKEN, or the Events API with
  ``http_port``), else the terminal chat on stdin/stdout (or none with ``chat="none"``).
- The poller watches IMAP when HOSHO_IMAP_HOST is set, else the Maildir (var/inbox).
- SIGTERM/SIGINT (or the end of terminal input) stops it: the poller finishes and commits
  the message in hand, then connections are closed. A second signal while it stops is
  only logged (no error line).
- Slack unreachable at start-up (``auth.test`` fails) does not stop the process: the
  poller runs on and the Slack app is started again after a backoff (1 s doubling to
  SLACK_RETRY_MAX) until it starts; a setting missing (ConfigError) still stops it at once.
"""

from __future__ import annotations

import logging
import signal
import sys
import threading
from collections.abc import Callable
from typing import Any, Literal, TextIO

from hosho.core.events import SubmissionEvent, subscribe
from hosho.core.runtime import Runtime

log = logging.getLogger(__name__)

ChatMode = Literal["auto", "slack", "terminal", "none"]
STOP_GRACE_SECONDS = 60.0
SLACK_RETRY_FIRST = 1.0
SLACK_RETRY_MAX = 60.0


class Shutdown(Exception):
    """Raised in the main thread by the signal handler to leave a blocking read."""


class MainJob:
    """Starts and stops the poller and one chat front end."""

    def __init__(
        self,
        runtime: Runtime,
        *,
        chat: ChatMode = "auto",
        http_port: int | None = None,
        host: str = "127.0.0.1",
        stdin: TextIO | None = None,
        stdout: TextIO | None = None,
    ) -> None:
        from hosho.bot.slack.app import SlackBot
        from hosho.mailbox.poller import Poller
        from hosho.mailbox.staff_mail import staff_mail_sender

        self.runtime = runtime
        self.stdin = stdin or sys.stdin
        self.stdout = stdout or sys.stdout
        if chat == "auto":
            wanted = SlackBot.mode(runtime.settings)
            chat = (
                "slack" if wanted == "socket" or (wanted and http_port is not None) else "terminal"
            )
        self.chat = chat
        self.http_port, self.host = http_port, host
        self.poller = Poller(runtime)
        self.staff_mail = staff_mail_sender(runtime)  # HOSHO_STAFF_EMAIL, from the outbox
        self.slack: Any = None
        self._poller_thread: threading.Thread | None = None
        self._slack_thread: threading.Thread | None = None
        self._stop = threading.Event()
        self._unsubscribe: Callable[[], None] | None = None

    @property
    def inbox(self) -> str:
        """Where mail is taken from, for the start-up line."""
        s = self.runtime.settings
        return f"IMAP {s.imap_host}/{s.imap_folder}" if s.imap_host else f"Maildir {s.maildir}"

    def start(self) -> None:
        """Start the poller thread and the Slack app (the terminal chat runs in ``run``)."""
        self._poller_thread = self.poller.start_thread()
        if self.staff_mail is not None:
            self.staff_mail.start_thread()
        if self.chat == "slack" and not self._start_slack():
            self._slack_thread = threading.Thread(
                target=self._retry_slack, name="hosho-slack-start", daemon=True
            )
            self._slack_thread.start()
        elif self.chat == "terminal":
            self._unsubscribe = subscribe(self._print_staff_message)
        log.info("hosho run: chat=%s inbox=%s", self.chat, self.inbox)
        from hosho.core.documents.ocr import OcrLimits, what_is_off

        off = what_is_off(OcrLimits.of(self.runtime.settings))
        if off:
            log.warning("%s", off)

    def _start_slack(self) -> bool:
        """Start the Slack app; False (logged) when Slack cannot be reached."""
        from hosho.bot.slack.app import SlackBot
        from hosho.core.errors import ConfigError

        try:
            bot = SlackBot(self.runtime)
            bot.start(http_port=self.http_port, host=self.host)
        except ConfigError:
            raise
        except Exception as err:  # noqa: BLE001 - Slack down, DNS, a proxy: try again later
            log.warning("Slack not reachable at start-up (%s: %s)", type(err).__name__, err)
            return False
        self.slack = bot
        return True

    def _retry_slack(self) -> None:
        delay = SLACK_RETRY_FIRST
        while not self._stop.wait(delay):
            log.info("starting the Slack app again")
            if self._start_slack():
                if self._stop.is_set():  # stopped meanwhile: stop() may have missed it
                    self.slack.stop()
                    self.slack = None
                return
            delay = min(delay * 2, SLACK_RETRY_MAX)

    def _print_staff_message(self, event: SubmissionEvent) -> None:
        from hosho.core.submissions.staff_note import plain_staff_text

        text = plain_staff_text(event)
        self.stdout.write("\n[職員チャンネル] " + text.replace("\n", "\n  ") + "\n\n")
        self.stdout.flush()

    def run(self) -> int:
        """Block until stopped: by a signal, or the end of terminal input. Returns 0."""
        previous = {
            sig: signal.signal(sig, self._on_signal) for sig in (signal.SIGTERM, signal.SIGINT)
        }
        try:
            self.start()
            if self.chat == "terminal":
                from hosho.bot.conversation import TERMINAL, build_conversation
                from hosho.bot.terminal.console import Console

                settings = self.runtime.settings
                console = Console(
                    build_conversation(self.runtime, TERMINAL),
                    settings.chat_user,
                    settings.notice_dir,
                    self.stdout,
                )
                console.run(self.stdin)
            else:
                while not self._stop.wait(1.0):
                    pass
        except Shutdown:
            pass
        finally:
            self.stop()
            for sig, handler in previous.items():
                signal.signal(sig, handler)
        return 0

    def _on_signal(self, signum: int, _frame: object) -> None:
        name = signal.Signals(signum).name
        if self._stop.is_set():  # a second Ctrl+C while stopping: stopping already
            log.info("signal %s: already stopping", name)
            return
        log.info("signal %s: stopping", name)
        self._stop.set()
        if self.chat == "terminal":
            raise Shutdown

    def stop(self) -> None:
        """Stop the chat, let the poller commit the message in hand, close connections."""
        self._stop.set()
        self.poller.stop()
        if self._poller_thread is not None:
            self._poller_thread.join(STOP_GRACE_SECONDS)
            if self._poller_thread.is_alive():
                log.warning("poller still busy after %.0f s; exiting anyway", STOP_GRACE_SECONDS)
            self._poller_thread = None
        if self._slack_thread is not None:  # a start in progress ends before Slack stops
            self._slack_thread.join(STOP_GRACE_SECONDS)
            self._slack_thread = None
        if self.staff_mail is not None:  # after the poller; what is left waits in the outbox
            self.staff_mail.stop()
        if self.slack is not None:  # after the poller: its last staff messages still go out
            self.slack.stop()
            self.slack = None
        if self._unsubscribe is not None:  # after the poller: its last events still show
            self._unsubscribe()
            self._unsubscribe = None
        log.info("hosho run: stopped")
