"""The message town staff get about each submission (提出) outcome, as plain lines.

The chat front ends add their own markup: Slack makes the status label bold
(``hosho.bot.slack.staff``), the terminal prints it as it is. Never carries the 認証キー.
"""

from __future__ import annotations

from hosho.core.chat.replies import local_time
from hosho.core.contracts.authkey import redact
from hosho.core.events import SubmissionEvent
from hosho.core.submissions.statuses import label_of

#: The staff's note on a notice registered without a contract to check it (ledger mode).
FROM_NOTICE_ONLY = "通知書の記載のみ（保証会社の契約データとは未照合）"


def staff_lines(event: SubmissionEvent) -> list[str]:
    """The lines under the headline (the status's label, ``label_of``): number,
    contractor, 工事名 (project), kind, reason, sender and subject, why the sender got no
    reply (if so), and when it was processed (Japan time)."""
    lines = [
        f"保証契約番号: {event.contract_number or '-'}",
        f"受注者: {event.contractor_name or '-'}",
        f"工事名: {event.project_name or '-'}",
    ]
    if event.kind:
        lines.append(f"保証の種類: {event.kind}")
    if not event.verified:
        lines.append(f"照合: {FROM_NOTICE_ONLY}")
    if event.reason:
        lines.append(f"理由: {event.reason}")
    lines.append(f"差出人: {redact(event.sender)} / 件名: {redact(event.subject)}")
    if event.no_reply:
        lines.append(f"返信なし: {event.no_reply}")
    lines.append(f"処理: {local_time(event.at)}")
    return lines


def plain_staff_text(event: SubmissionEvent) -> str:
    """The whole message without markup (the terminal's staff channel)."""
    return "\n".join([f"{label_of(event.status)} ({event.status})", *staff_lines(event)])
