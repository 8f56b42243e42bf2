"""A waiting poller takes a message dropped into the local Maildir at once, not after
HOSHO_POLL_SECONDS; ordinary mail left in the folder does not make it scan again. (The
speed itself is measured by bench/bench_maildir_pickup.py.)"""

from __future__ import annotations

import mailbox
import threading
import time
from pathlib import Path

import pytest
from sqlmodel import Session, select

from hosho.core.store.models import Submission
from hosho.mailbox.maildir_source import MaildirSource
from hosho.mailbox.poller import Poller
from tests.mailbox.conftest import use_env
from tests.mailbox.ordinary import build
from tests.mailbox.town import notice_message


class CountingScan(MaildirSource):
    """A Maildir source that counts its scans."""

    def __init__(self, path: Path) -> None:
        super().__init__(path)
        self.scans = 0
        self.scanned = threading.Event()

    def scan(self):  # type: ignore[no-untyped-def]
        found = super().scan()
        self.scans += 1
        self.scanned.set()
        return found


def _status(engine, message_id: str) -> str | None:  # type: ignore[no-untyped-def]
    with Session(engine) as session:
        return session.exec(
            select(Submission.status).where(Submission.message_id == message_id)
        ).first()


def test_a_dropped_message_is_taken_without_waiting_the_poll_interval(  # type: ignore[no-untyped-def]
    town, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / "inbox"
    runtime = use_env(monkeypatch, {"HOSHO_MAILDIR": str(folder), "HOSHO_POLL_SECONDS": "600"})
    box = mailbox.Maildir(folder, create=True)
    box.add(build()[0].raw)  # an ordinary mail, left in new/
    source = CountingScan(folder)
    poller = Poller(runtime, source, mailer=None)
    thread = poller.start_thread()
    try:
        assert source.scanned.wait(30)
        time.sleep(1.5)  # three looks at the folder: nothing changed, no new scan
        assert source.scans == 1
        box.add(notice_message(1, message_id="<dropped@aya-kensetsu.example.jp>"))
        deadline = time.monotonic() + 30  # far below the 600 s poll interval
        while _status(runtime.engine, "<dropped@aya-kensetsu.example.jp>") is None:
            assert time.monotonic() < deadline, "not taken while the poller waited"
            time.sleep(0.05)
        assert _status(runtime.engine, "<dropped@aya-kensetsu.example.jp>") == "registered"
    finally:
        poller.stop()
        thread.join(10)
    assert not thread.is_alive()  # stop() ends the wait at once
    assert len(list((folder / "new").iterdir())) == 1  # the ordinary mail, where it was
