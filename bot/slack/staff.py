"""Town staff's channel (HOSHO_STAFF_CHANNEL): one message per submission outcome.

Subscribes to ``hosho.core.events``; posting runs on one worker thread so the mail poller
never waits for Slack, and messages keep their order. Events never carry the 認証キー.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

from slack_sdk import WebClient

from hosho.bot.slack.blocks import escape
from hosho.core.chat.replies import local_time
from hosho.core.events import SubmissionEvent, subscribe

log = logging.getLogger(__name__)

#: 状態 (status) labels shown to staff.
LABELS = {
    "registered": "✅ 受付（D-Sure登録）",
    "duplicate": "🔁 重複",
    "wrong_document": "⚠️ 書類違い",
    "no_attachment": "⚠️ 添付なし",
    "unreadable": "⚠️ 読めないPDF",
    "unknown_contract": "❓ 不明な保証契約番号",
    "key_mismatch": "⚠️ 認証キー不一致",
    "not_covered": "🚫 対象外",
    "rejected_sender": "🚫 送信者拒否",
    "error": "❗ エラー",
}


def staff_text(event: SubmissionEvent) -> str:
    """The staff message: status, number, contractor, 工事名 (project), reason, sender."""
    lines = [
        f"*{LABELS.get(event.status, event.status)}* ({event.status})",
        f"保証契約番号: {event.contract_number or '-'}",
        f"受注者: {event.contractor_name or '-'}",
        f"工事名: {event.project_name or '-'}",
    ]
    if event.kind:
        lines.append(f"保証の種類: {event.kind}")
    if event.reason:
        lines.append(f"理由: {event.reason}")
    lines.append(f"差出人: {event.sender} / 件名: {event.subject}")
    lines.append(f"処理: {local_time(event.at)}")
    return "\n".join(escape(line) if i else line for i, line in enumerate(lines))


class StaffChannel:
    """Posts every SubmissionEvent to one channel until ``close()``."""

    def __init__(self, client: WebClient, channel: str) -> None:
        self.client, self.channel = client, channel
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="hosho-staff")
        self._unsubscribe: Callable[[], None] = subscribe(self._on_event)

    def _on_event(self, event: SubmissionEvent) -> None:
        self._pool.submit(self._post, event)

    def _post(self, event: SubmissionEvent) -> None:
        try:
            self.client.chat_postMessage(channel=self.channel, text=staff_text(event))
        except Exception:  # noqa: BLE001 - a Slack outage must not stop the poller
            log.exception("could not post a submission to the staff channel")

    def close(self, wait: bool = True) -> None:
        """Stop listening; with ``wait``, let queued messages go out first."""
        self._unsubscribe()
        self._pool.shutdown(wait=wait)
