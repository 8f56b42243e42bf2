"""The hostile corpus through a real Dovecot and a real SMTP server: every message ends in
exactly one submission row with its expected status, is moved out of the inbox (or, when
it is no submission at all, left in it), and gets a reply only when it should; no reply
ever holds an auth key."""

from __future__ import annotations

import email
from email import policy

import pytest
from sqlmodel import select

from hosho.core.events import subscribe
from hosho.core.store.db import session_scope
from hosho.core.store.models import Submission
from hosho.mailbox.poller import Poller
from tests.mailbox.conftest import use_env
from tests.mailbox.corpus import build
from tests.mailbox.town import CONTRACTS, all_keys

pytestmark = [pytest.mark.imap, pytest.mark.smtp]


def _row_of(rows: list[Submission], tag: str) -> Submission:
    found = [
        r for r in rows if f"[{tag}]" in r.subject or (r.message_id or "").startswith(f"<{tag}.")
    ]
    assert len(found) == 1, (tag, [(r.subject, r.status) for r in found])
    return found[0]


def test_corpus_over_imap(town, dovecot, smtp, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    cases = build(CONTRACTS)
    assert len(cases) >= 30
    dovecot.append([c.raw for c in cases])
    runtime = use_env(
        monkeypatch,
        {
            **dovecot.env(),
            "HOSHO_SMTP_HOST": "127.0.0.1",
            "HOSHO_SMTP_PORT": str(smtp.port),
            "HOSHO_SMTP_SECURITY": "none",
            "HOSHO_MAIL_FROM": "zaisei@town.aya.lg.jp",
            # every case comes from one sender: no hourly reply limit here
            "HOSHO_REPLY_LIMIT_PER_HOUR": "1000",
        },
    )
    events = []
    unsubscribe = subscribe(events.append)
    poller = Poller(runtime)
    try:
        stats = poller.run_once()
        again = poller.run_once()
    finally:
        poller.close()
        unsubscribe()
    assert stats.seen == len(cases) and stats.processed == len(cases)
    assert again.seen == 0 and again.processed == 0
    with session_scope(runtime.engine) as session:
        rows = list(session.exec(select(Submission)).all())
    assert len(rows) == len(cases)
    problems = []
    for case in cases:
        row = _row_of(rows, case.tag)
        if row.status != case.status:
            problems.append(f"{case.name}: {row.status} ({row.reason}) != {case.status}")
        if case.subject_has and case.subject_has not in row.subject:
            problems.append(f"{case.name}: subject {row.subject!r}")
        if case.reason_has and case.reason_has not in row.reason:
            problems.append(f"{case.name}: reason {row.reason!r}")
        if row.status != "registered" and not row.reason:
            problems.append(f"{case.name}: no reason")
        if case.replied is not None and row.replied != case.replied:
            problems.append(f"{case.name}: replied={row.replied}")
    assert not problems, "\n".join(problems)
    registered = sum(c.status == "registered" for c in cases)
    ignored = sum(c.status == "ignored" for c in cases)
    assert dovecot.count("INBOX") == ignored > 0
    assert dovecot.count("hosho/registered") == registered
    assert dovecot.count("hosho/rejected") == len(cases) - registered - ignored
    assert len(events) == len(cases) - ignored
    assert {e.status for e in events} == {c.status for c in cases} - {"ignored"}
    # replies: one per replied row, to the sender, never an auth key
    assert len(smtp.messages) == sum(r.replied for r in rows) > 0
    keys = all_keys(CONTRACTS)
    for _from, rcpts, content in smtp.messages:
        text = email.message_from_bytes(content, policy=policy.default)
        body = text.get_body(preferencelist=("plain",)).get_content()  # type: ignore[union-attr]
        compact = body.replace("-", "")
        assert not any(k.replace("-", "") in compact for k in keys)
        assert rcpts and all("@" in r for r in rcpts)
        assert any(r.reason in body for r in rows if r.replied)
    accepted = [
        m
        for m in smtp.messages
        if "【受付】" in str(email.message_from_bytes(m[2], policy=policy.default)["Subject"])
    ]
    assert len(accepted) == registered - sum(
        1 for r in rows if r.status == "registered" and not r.replied
    )
