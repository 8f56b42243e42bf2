"""Block Kit rendering of the dispatcher's replies (``hosho.core.chat.replies.Reply``)."""

from __future__ import annotations

import json
from typing import Any

from hosho.bot.slack.markup import mention
from hosho.core.chat.replies import Reply

#: action_id prefix of the suggestion buttons (``listeners/actions``).
TOPIC_ACTION = "qa_topic"
_SECTION_LIMIT = 2900


def escape(text: str) -> str:
    """Slack mrkdwn escaping of &, < and > (no text of ours becomes markup)."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def mrkdwn(reply: Reply) -> str:
    """The reply's text as mrkdwn: text escaped, the users it names as mentions."""
    return "".join(
        escape(part) if isinstance(part, str) else mention(part.user_id) for part in reply.pieces()
    )


def _sections(text: str) -> list[dict[str, Any]]:
    chunks, current = [], ""
    for line in text.splitlines() or [""]:
        if len(current) + len(line) + 1 > _SECTION_LIMIT and current:
            chunks.append(current)
            current = ""
        current = f"{current}\n{line}" if current else line[:_SECTION_LIMIT]
    chunks.append(current or " ")
    return [{"type": "section", "text": {"type": "mrkdwn", "text": c}} for c in chunks]


def topic_value(item_id: str, title: str) -> str:
    """The button value: which topic, and its title (asked as the question)."""
    return json.dumps({"id": item_id, "t": title[:150]}, ensure_ascii=False)


def parse_topic_value(value: str) -> tuple[str, str]:
    """(item_id, title) from a button value; ("", "") when it is not ours."""
    try:
        data = json.loads(value)
        return str(data.get("id", "")), str(data.get("t", ""))
    except (ValueError, AttributeError):
        return "", ""


def blocks_for(reply: Reply) -> list[dict[str, Any]]:
    """The answer as sections, then up to three buttons for nearby topics."""
    blocks = _sections(mrkdwn(reply))
    if reply.suggestions:
        label = "こちらの質問ですか？" if reply.kind == "fallback" else "関連する質問"
        blocks.append({"type": "context", "elements": [{"type": "mrkdwn", "text": label}]})
        blocks.append(
            {
                "type": "actions",
                "block_id": "qa_suggestions",
                "elements": [
                    {
                        "type": "button",
                        "action_id": f"{TOPIC_ACTION}_{i}",
                        "text": {"type": "plain_text", "text": title[:75] or item_id},
                        "value": topic_value(item_id, title),
                    }
                    for i, (item_id, title) in enumerate(reply.suggestions[:3])
                ],
            }
        )
    return blocks


def fallback_text(reply: Reply) -> str:
    """The notification text (``text`` next to ``blocks``), in the same markup."""
    return mrkdwn(reply)[:3000]
