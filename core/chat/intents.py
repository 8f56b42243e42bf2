"""What a chat message asks for: one of a few fixed intents, else a question for the Q&A.

The forms contractors type (full-width digits and letters are fine, NFKC is applied):

* 「認証キー等のお知らせ 0123456789」 — send me the notice PDF of this 保証契約番号
  (surety contract number);
* 「提出状況 0123456789」 — has the town received (registered) it;
* 「連携 C00001」 — link my chat user to this お客様ID (customer ID at the surety company);
* 「確認コード 123456」 — the one-time code e-mailed for the link;
* 「ヘルプ」 / ``help`` — what the bot can do;
* ``/hosho …`` (or ``hosho …``) — an admin command (the terminal twin and DMs);
* anything else — a question answered from the knowledge base.

The text is plain: each front end removes its own markup (e.g. the bot's mention) first.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

from hosho.core.text import nfkc, normalize_number

IntentKind = Literal["notice", "status", "link", "confirm", "help", "admin", "question"]

_NUMBER_RE = re.compile(r"[0-9A-Z][0-9A-Z-]{2,62}[0-9A-Z]")
_CODE_RE = re.compile(r"^\d{6}$")
_HELP_WORDS = {"help", "ヘルプ", "使い方", "つかいかた", "?", "？"}


@dataclass(frozen=True)
class Intent:
    """A parsed message: ``kind`` and its argument (a number, an ID, a code or the text)."""

    kind: IntentKind
    argument: str = ""


def find_number(text: str) -> str | None:
    """The first token that looks like a 保証契約番号 (at least 4 digits), normalised."""
    flat = "".join(_ascii_or_space(c) for c in nfkc(text))
    for token in _NUMBER_RE.findall(flat):
        if sum(c.isdigit() for c in token) >= 4:
            return token
    return None


def _ascii_or_space(char: str) -> str:
    value = normalize_number(char)
    return value if value.isascii() and value else " "


def parse(text: str) -> Intent:
    """Decide what a message asks for (see the module docstring)."""
    clean = nfkc(text).strip()
    words = clean.split()
    head = words[0].lower() if words else ""
    rest = clean[len(words[0]) :].strip() if words else ""
    if head in ("/hosho", "hosho"):
        return Intent("admin", rest)
    if clean.lower() in _HELP_WORDS:
        return Intent("help")
    if clean.startswith("確認コード"):
        code = normalize_number(clean.removeprefix("確認コード")).strip(":")
        return Intent("confirm", code)
    if clean.startswith("連携"):
        return Intent("link", normalize_number(clean.removeprefix("連携")).strip(":"))
    number = find_number(clean)
    if any(w in clean for w in ("提出状況", "受付状況", "届いて")):
        return Intent("status", number or "")
    if number is not None and ("認証キー" in clean or "お知らせ" in clean):
        return Intent("notice", number)
    return Intent("question", clean)


def is_code(value: str) -> bool:
    """True for a well-formed 6-digit one-time code."""
    return bool(_CODE_RE.match(value))
