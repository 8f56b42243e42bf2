"""Helpers of the mail tests (the servers are in tests/servers.py, the ``town`` database
fixture in tests/conftest.py)."""

from __future__ import annotations

import pytest

from hosho.core.runtime import Runtime
from hosho.core.settings import Settings, get_settings


def set_env(monkeypatch: pytest.MonkeyPatch, values: dict[str, str]) -> Settings:
    """Set settings in the environment and read them again."""
    for name, value in values.items():
        monkeypatch.setenv(name, value)
    get_settings.cache_clear()
    return get_settings()


def use_env(monkeypatch: pytest.MonkeyPatch, values: dict[str, str]) -> Runtime:
    """Set settings in the environment and open a runtime on them."""
    return Runtime.open(set_env(monkeypatch, values))
