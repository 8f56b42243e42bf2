"""What the ``hosho`` sub-commands print for ``--json``: one JSON value on one line."""

from __future__ import annotations

import json
import sys
from typing import Any


def echo_json(value: Any) -> None:
    """Print one JSON value on one line (UTF-8 text, not \\u escapes)."""
    json.dump(value, sys.stdout, ensure_ascii=False)
    sys.stdout.write("\n")
