"""The staff message of a submission outcome: Slack bolds the status label, the terminal
prints the same label plainly and leaves the sender's own text alone."""

from __future__ import annotations

from hosho.bot.slack.staff import staff_text
from hosho.core.events import SubmissionEvent
from hosho.core.submissions.staff_note import plain_staff_text
from hosho.core.submissions.statuses import Status

EVENT = SubmissionEvent(
    submission_id=3,
    status="wrong_subject",
    reason=Status.WRONG_SUBJECT.reason(detail="件名は「電子保証認証キー:工事名」としてください。"),
    sender="info1@aya-kensetsu.example.jp",
    subject="*至急* <認証キー>",
    contract_number="0000000005",
)


def test_slack_bolds_the_label_and_escapes_the_rest() -> None:
    first, *rest = staff_text(EVENT).splitlines()
    assert first == "*⚠️ 件名違い* (wrong_subject)"
    assert "件名: *至急* &lt;認証キー&gt;" in "\n".join(rest)


def test_the_terminal_shows_the_plain_label_and_the_subject_as_sent() -> None:
    first, *rest = plain_staff_text(EVENT).splitlines()
    assert first == "⚠️ 件名違い (wrong_subject)"
    assert "件名: *至急* <認証キー>" in "\n".join(rest)
    assert "保証契約番号: 0000000005" in rest


def test_an_unknown_status_shows_as_itself() -> None:
    event = SubmissionEvent(None, "from_the_future", "", "a@example.jp", "x")
    assert plain_staff_text(event).splitlines()[0] == "from_the_future (from_the_future)"
