"""The ``hosho`` sub-commands, one module per noun; each has ``register(app)``."""

from __future__ import annotations

import json
import sys
from typing import Any


def echo_json(value: Any) -> None:
    """Print one JSON value on one line (UTF-8 text, not \\u escapes)."""
    json.dump(value, sys.stdout, ensure_ascii=False)
    sys.stdout.write("\n")
