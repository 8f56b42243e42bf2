"""Logs of long-running processes: JSON lines, and anything shaped like a key is masked."""

from __future__ import annotations

import io
import json
import logging

from hosho.bot import logs
from hosho.core.contracts.authkey import generate_key, redact


def test_redact_masks_keys_in_any_spelling() -> None:
    key = generate_key()
    for spelled in (key, key.replace("-", ""), key.replace("-", " "), key.lower()):
        masked = redact(f"key={spelled}; done")
        assert masked == "key=[認証キー省略]; done", spelled
    assert redact("保証契約番号 0012024090101") == "保証契約番号 0012024090101"  # numbers stay


def test_json_lines_without_keys() -> None:
    stream = io.StringIO()
    logs.configure("INFO", stream=stream)
    key = generate_key()
    log = logging.getLogger("hosho.test")
    log.info("notice for %s with key %s", "0012024090101", key)
    try:
        raise ValueError(f"bad key {key}")
    except ValueError:
        log.exception("failed")
    lines = [json.loads(line) for line in stream.getvalue().splitlines()]
    assert lines[0]["msg"].startswith("notice for 0012024090101 with key ")
    assert lines[0]["level"] == "info" and lines[0]["logger"] == "hosho.test"
    assert "ValueError" in lines[1]["exc"]
    assert key not in stream.getvalue()
    logging.getLogger().handlers.clear()
