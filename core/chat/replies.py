"""What the chat dispatcher answers: plain values that each front end renders its own way
(Block Kit and an upload on Slack, lines and a file on the terminal)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Literal

from hosho.core.wareki import JST

ReplyKind = Literal[
    "answer",  # a Q&A answer
    "fallback",  # 「分かりません」 with the town's contact
    "notice",  # the 認証キー等のお知らせ PDF, with where to send it
    "status",  # whether the town has registered a contract's notice
    "refusal",  # the neutral "can't answer about that number" / not allowed
    "link",  # linking by one-time code
    "admin",  # result of an admin command
    "help",
    "error",
]


@dataclass(frozen=True)
class Document:
    """A file to hand to the user (the notice PDF). ``title`` is what people see."""

    filename: str
    title: str
    content: bytes = field(repr=False)


@dataclass(frozen=True)
class Reply:
    """One message back to the user.

    ``suggestions`` are (item_id, title) of nearby Q&A topics (buttons on Slack);
    ``document`` a file to deliver privately; ``private`` asks the front end to answer in
    a direct message rather than in a shared channel (contract-specific replies).
    """

    kind: ReplyKind
    text: str
    suggestions: tuple[tuple[str, str], ...] = ()
    document: Document | None = None
    private: bool = False


def local_time(value: datetime) -> str:
    """A stored UTC time as Japan time, e.g. 2024-10-05 14:03."""
    aware = value if value.tzinfo else value.replace(tzinfo=UTC)
    return aware.astimezone(JST).strftime("%Y-%m-%d %H:%M")
