"""Linking is no oracle and no mail cannon: 「連携 お客様ID」 answers alike for an existing
and an unknown ID, limits each chat user, and mails one code per contractor per 15 min."""

from __future__ import annotations

from datetime import timedelta

from hosho.bot.conversation import SLACK
from hosho.core.chat import linking
from hosho.core.runtime import Runtime
from hosho.core.store.models import utcnow
from tests.bot.slack.test_linking import Outbox, conversation


def test_six_requests_answer_the_same_for_a_known_and_an_unknown_id(runtime: Runtime) -> None:
    outbox = Outbox()
    chat = conversation(runtime, outbox)
    known = [chat.handle("UPROBE1", "連携 C00002")[0].text for _ in range(6)]
    unknown = [chat.handle("UPROBE2", "連携 C99999")[0].text for _ in range(6)]
    assert known == unknown == [linking.REQUESTED] * 5 + [linking.TOO_MANY]
    # the victim: one code mail
    assert [to for to, _subject, _body in outbox.sent] == ["info2@aya-kensetsu.example.jp"]


def test_one_code_mail_per_contractor_per_15_minutes_whoever_asks(runtime: Runtime) -> None:
    outbox = Outbox()
    engine, profile, start = runtime.engine, runtime.profile, utcnow()

    def ask(user: str, minutes: float) -> str:
        when = start + timedelta(minutes=minutes)
        return linking.request_code(
            engine, user, "C00002", profile=profile, send=outbox, platform=SLACK, now=when
        )

    assert ask("UA", 0) == linking.REQUESTED
    for n, user in enumerate(["UB", "UC", "UD", "UA"]):  # other users, and the same again
        assert ask(user, 1 + n) == linking.REQUESTED
    assert len(outbox.sent) == 1
    assert ask("UB", 15.5) == linking.REQUESTED  # the first code has expired: a new one
    assert len(outbox.sent) == 2
