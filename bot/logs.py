"""Logging for long-running hosho processes: one JSON object a line, auth keys masked."""

from __future__ import annotations

import json
import logging
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import TextIO

from hosho.core.contracts.authkey import redact


class RedactKeys(logging.Filter):
    """Masks anything shaped like an 認証キー in the message and its arguments."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        clean = redact(message)
        if clean != message or record.args:
            record.msg, record.args = clean, None
        if record.exc_info and record.exc_info[1] is not None:
            record.exc_text = redact(logging.Formatter().formatException(record.exc_info))
            record.exc_info = None
        return True


def mask_keys() -> None:
    """Mask keys in what a command logs without ``configure``: the root logger's handlers
    (``logging.basicConfig``) and Python's last-resort handler (warnings on stderr)."""
    for handler in [*logging.getLogger().handlers, logging.lastResort]:
        if handler is not None and not any(isinstance(f, RedactKeys) for f in handler.filters):
            handler.addFilter(RedactKeys())


class JsonFormatter(logging.Formatter):
    """{"ts", "level", "logger", "msg", "thread"[, "exc"]} per line."""

    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "ts": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "msg": record.getMessage(),
            "thread": record.threadName,
        }
        if record.exc_text:
            entry["exc"] = record.exc_text
        elif record.exc_info:
            entry["exc"] = redact(self.formatException(record.exc_info))
        return json.dumps(entry, ensure_ascii=False)


def configure(
    level: str = "INFO", *, file: Path | None = None, stream: TextIO | None = None
) -> None:
    """Send hosho's logs as JSON lines to ``file`` (created) or ``stream`` (stderr)."""
    if file is not None:
        file.parent.mkdir(parents=True, exist_ok=True)
        handler: logging.Handler = logging.FileHandler(file, encoding="utf-8")
    else:
        handler = logging.StreamHandler(stream or sys.stderr)
    handler.setFormatter(JsonFormatter())
    handler.addFilter(RedactKeys())
    root = logging.getLogger()
    for old in list(root.handlers):
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(level)
    for noisy in ("pypdf", "slack_sdk", "slack_bolt", "urllib3", "websocket", "imapclient"):
        logging.getLogger(noisy).setLevel(max(logging.WARNING, root.level))
