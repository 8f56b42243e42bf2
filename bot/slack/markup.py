"""Slack's message markup at the border: core sees plain text and plain user ids.

On the way in (``plain_text``), as Slack formats message text
(https://api.slack.com/reference/surfaces/formatting):

* a user mention ``<@U123|name>`` or ``<@U123>`` becomes the plain id ``U123`` (what core's
  admin commands take, e.g. ``link U123 C00001``); the bot's own mention is dropped;
* a channel ``<#C123|general>`` becomes ``#general``; a link ``<https://…|label>`` its label
  (else the URL); ``<!here>``-like special mentions are dropped (a date keeps its text);
* ``&amp;``, ``&lt;``, ``&gt;`` become ``&``, ``<``, ``>``.

On the way out, ``mention`` renders a user core names in a reply (``UserRef``).
"""

from __future__ import annotations

import re

_MARKUP_RE = re.compile(r"<([^<>]*)>")


def plain_text(text: str, *, bot_user: str | None = None) -> str:
    """Slack message text as plain text for core (see the module docstring)."""

    def plain(match: re.Match[str]) -> str:
        target, _, label = match.group(1).partition("|")
        if target.startswith("@"):
            user = target[1:]
            return " " if user == bot_user else user
        if target.startswith("#"):
            return f"#{label}" if label else " "
        if target.startswith("!"):
            return label or " "
        return label or target

    text = _MARKUP_RE.sub(plain, text)
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&").strip()


def mention(user_id: str) -> str:
    """A user as a Slack mention (shown as @name)."""
    return f"<@{user_id}>"
