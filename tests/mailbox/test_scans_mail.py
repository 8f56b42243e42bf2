"""Scans and photos of notices through the whole mail path (real Dovecot and SMTP, the
``hosho`` command): a scan read right is registered; a key OCR read that is not the
imported key, or a number never imported, waits for a person (``needs_review``), told as
such, never registered and never answered with the key; without OCR a scan is
``unreadable`` with a reason asking for the STEP4 PDF."""

from __future__ import annotations

import json
import shutil

import pytest

from hosho.core.contracts.importing import import_contracts
from hosho.core.store.db import get_engine
from tests.conftest import Cli, require_or_skip
from tests.core.documents.producers import PRODUCERS, Facts
from tests.core.documents.scans import Scan, require_ocr, scanned
from tests.mailbox.test_person_in_the_loop import env_for
from tests.mailbox.town import UNKNOWN, contracts_csv, key_for, message, notice, number

pytestmark = [pytest.mark.imap, pytest.mark.smtp]

SCAN = Scan(dpi=150, angle=1.5, speckles=300)
PHOTO = Scan(dpi=150, angle=-2.0, speckles=300, blur=0.8, fmt="JPEG")
#: A key that differs from key_for(7) in characters that are not look-alikes.
WRONG_KEY = "HJKM-NPQR-TUVW-XY34"


def other_producer(n: int, key: str | None = None) -> bytes:
    """Contract ``n``'s notice as another program lays it out (a table, fpdf2 + CFF font)."""
    return PRODUCERS["fpdf2-otf"](Facts(number=number(n), key=key or key_for(n)))


def submission(name: str, data: bytes, ctype: str, sender: str = "info1") -> bytes:
    return message(
        subject="認証キー等のお知らせの提出",
        sender=f"{sender}@aya-kensetsu.example.jp",  # replies are limited per sender and hour
        attachments=[(name, data, ctype)],
    )


def listed(cli: Cli, env: dict[str, str]) -> dict[str, dict[str, object]]:
    out = cli("submissions", "list", "--json", env=env)
    assert out.returncode == 0, out.stderr
    return {row["contract_number"]: row for row in json.loads(out.stdout)}


# OCR costs 1-3 s a page: once, on SQLite (the decision's PostgreSQL path is in
# tests/core/submissions/test_ocr_decision.py)
@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_scans_and_photos_are_registered_or_wait_for_a_person(  # type: ignore[no-untyped-def]
    db_url: str, dovecot, smtp, cli: Cli
) -> None:
    require_ocr()
    env = env_for(dovecot, smtp, db_url)
    import_contracts(get_engine(db_url), contracts_csv(10, specials=False), actor="test")
    dovecot.append(
        [
            submission("scan.pdf", scanned(other_producer(5), SCAN), "application/pdf", "a"),
            submission("photo.jpg", scanned(other_producer(6), PHOTO), "image/jpeg", "b"),
            submission(
                "7.pdf", scanned(other_producer(7, WRONG_KEY), SCAN), "application/pdf", "c"
            ),
            submission("photo.jpg", scanned(other_producer(UNKNOWN), PHOTO), "image/jpeg", "d"),
        ]
    )
    polled = cli("poll", "--once", env=env)
    assert polled.returncode == 0, polled.stderr
    rows = listed(cli, env)
    assert {n: r["status"] for n, r in rows.items()} == {
        number(5): "registered",
        number(6): "registered",
        number(7): "needs_review",  # the key read is not the imported one: never guessed
        number(UNKNOWN): "needs_review",  # the same answer as for a wrong key
    }
    for n in (7, UNKNOWN):
        looked = cli("dsure", "lookup", number(n), "--key", key_for(n), "--json", env=env)
        assert json.loads(looked.stdout or "{}").get("registered") is not True
    smtp.wait(4)
    texts = [text for _, _, text in smtp.texts()]
    assert sum("担当者が内容を確認しています" in text for text in texts) == 2
    for key in (key_for(5), key_for(6), key_for(7), WRONG_KEY, key_for(UNKNOWN)):
        assert all(key not in text for text in texts)


def test_without_ocr_a_scan_is_unreadable_and_the_sender_is_asked_for_the_step4_pdf(  # type: ignore[no-untyped-def]
    db_url: str, dovecot, smtp, cli: Cli
) -> None:
    env = env_for(dovecot, smtp, db_url, HOSHO_OCR="false")
    import_contracts(get_engine(db_url), contracts_csv(5, specials=False), actor="test")
    if shutil.which("pdftoppm") is None:
        require_or_skip("pdftoppm is not installed (apt-get install poppler-utils)")
    photo = scanned(notice(5), Scan(dpi=100, fmt="JPEG"))
    dovecot.append([submission("photo.jpg", photo, "image/jpeg")])
    assert cli("poll", "--once", env=env).returncode == 0
    out = cli("submissions", "list", "--json", env=env)
    (row,) = json.loads(out.stdout)
    assert row["status"] == "unreadable"
    smtp.wait(1)
    ((_, _, text),) = smtp.texts()
    assert "STEP4" in text and "画像" in text
