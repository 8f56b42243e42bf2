"""Helpers of the mail tests (the servers are in tests/servers.py, the ``town`` database
fixture in tests/conftest.py)."""

from __future__ import annotations

import pytest

from hosho.core.runtime import Runtime
from hosho.core.settings import get_settings


def use_env(monkeypatch: pytest.MonkeyPatch, values: dict[str, str]) -> Runtime:
    """Set settings in the environment and open a runtime on them."""
    for name, value in values.items():
        monkeypatch.setenv(name, value)
    get_settings.cache_clear()
    return Runtime.open(get_settings())
