"""``hosho chat``: the same dispatcher as the Slack app, on stdin and stdout.

One message a line; HOSHO_CHAT_USER is who you are: a chat user of platform TERMINAL
(``hosho.bot.conversation``), linked apart from Slack users (``hosho demo seed`` links the demo one). Text
goes to core as typed; a user a reply names is shown as its plain id. A notice PDF is
written under HOSHO_NOTICE_DIR and its path printed. Typing the number of a
suggested topic asks that topic. ``/hosho import FILE.csv`` reads the CSV from disk (the
terminal's stand-in for a Slack attachment). End of input ends the session cleanly.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TextIO

from hosho.bot.files import write_private
from hosho.core.chat.conversation import Conversation
from hosho.core.chat.intents import parse
from hosho.core.chat.replies import Reply

PROMPT = "> "


class Console:
    """A terminal session for one chat user (give it a conversation for TERMINAL)."""

    def __init__(
        self,
        conversation: Conversation,
        user: str,
        notice_dir: Path,
        out: TextIO | None = None,
    ) -> None:
        self.conversation, self.user, self.notice_dir, self.out = (
            conversation,
            user,
            notice_dir,
            sys.stdout if out is None else out,  # looked up now, not at import
        )
        self._suggestions: tuple[tuple[str, str], ...] = ()

    def ask(self, line: str) -> list[Reply]:
        """Answer one line (a suggestion number picks that topic)."""
        text = line.strip()
        if text.isdigit() and 1 <= int(text) <= len(self._suggestions):
            item_id, title = self._suggestions[int(text) - 1]
            return [self.conversation.topic(item_id, title)]
        intent = parse(text)
        attachment = None
        words = intent.argument.split()
        if intent.kind == "admin" and words[:1] == ["import"] and len(words) > 1:
            path = Path(" ".join(words[1:])).expanduser()
            attachment = path.read_bytes() if path.is_file() else None
        return self.conversation.handle(self.user, text, attachment=attachment)

    def show(self, reply: Reply) -> None:
        """Print a reply: text, the saved file's path, numbered suggestions."""
        self.out.write("".join(str(part) for part in reply.pieces()).rstrip() + "\n")
        if reply.document is not None:
            path = self.notice_dir / reply.document.filename
            write_private(path, reply.document.content)
            self.out.write(f"[PDF] {reply.document.title}: {path.resolve()}\n")
        if reply.suggestions:
            self._suggestions = reply.suggestions
            label = "こちらの質問ですか？" if reply.kind == "fallback" else "関連する質問"
            topics = "  ".join(f"{i}) {t}" for i, (_, t) in enumerate(reply.suggestions, 1))
            self.out.write(f"{label}（番号で選べます）: {topics}\n")
        self.out.write("\n")
        self.out.flush()

    def run(self, stdin: TextIO | None = None) -> int:
        """Read lines until end of input (default: ``sys.stdin``); returns the number of
        messages handled."""
        stdin = sys.stdin if stdin is None else stdin
        interactive = stdin.isatty()
        handled = 0
        while True:
            if interactive:
                self.out.write(PROMPT)
                self.out.flush()
            line = stdin.readline()
            if not line:
                break
            if not line.strip():
                continue
            try:
                replies = self.ask(line)
            except OSError as err:
                replies = [Reply("error", f"ファイルを読めません: {err}")]
            for reply in replies:
                self.show(reply)
            handled += 1
        return handled
