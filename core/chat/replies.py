"""What the chat dispatcher answers: plain values that each front end renders its own way
(Block Kit and an upload on Slack, lines and a file on the terminal).

Core knows a chat user only as the plain id its front end gave it; a reply that names a
user keeps a ``UserRef`` in its ``parts``, which each front end renders in its own markup
(a mention on Slack, the id itself on the terminal).
"""

from __future__ import annotations

from collections.abc import Sequence
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
class UserRef:
    """A chat user named in a reply: the plain id its front end passed to core."""

    user_id: str

    def __str__(self) -> str:
        return self.user_id


#: A piece of a reply's text: plain text, or a user the front end renders its own way.
Part = str | UserRef


@dataclass(frozen=True)
class Reply:
    """One message back to the user.

    ``text`` is the plain text (users as their ids); ``parts`` the same text with the
    users kept as ``UserRef`` when it names any (build such a reply with ``naming``).
    ``suggestions`` are (item_id, title) of nearby Q&A topics (buttons on Slack);
    ``document`` a file to deliver privately; ``private`` asks the front end to answer in
    a direct message rather than in a shared channel (contract-specific replies).
    """

    kind: ReplyKind
    text: str
    suggestions: tuple[tuple[str, str], ...] = ()
    document: Document | None = None
    private: bool = False
    parts: tuple[Part, ...] = ()

    @classmethod
    def naming(cls, kind: ReplyKind, parts: Sequence[Part], *, private: bool = False) -> Reply:
        """A reply whose text is ``parts`` joined, the users in it kept as references."""
        named = any(isinstance(part, UserRef) for part in parts)
        text = "".join(str(part) for part in parts)
        return cls(kind, text, private=private, parts=tuple(parts) if named else ())

    def pieces(self) -> tuple[Part, ...]:
        """The text as parts to render: plain strings and ``UserRef``s."""
        return self.parts or (self.text,)


def local_time(value: datetime) -> str:
    """A stored UTC time as Japan time, e.g. 2024-10-05 14:03."""
    aware = value if value.tzinfo else value.replace(tzinfo=UTC)
    return aware.astimezone(JST).strftime("%Y-%m-%d %H:%M")
