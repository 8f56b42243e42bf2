"""Fixtures of the mail tests: a real Dovecot on loopback, a real SMTP server (aiosmtpd),
and a town database (SQLite, and PostgreSQL when HOSHO_TEST_POSTGRES_URL is set)."""

from __future__ import annotations

import pytest

from hosho.core.contracts.importing import import_contracts
from hosho.core.runtime import Runtime
from hosho.core.settings import get_settings
from hosho.core.store.db import get_engine
from tests.mailbox.town import contracts_csv

CONTRACTS = 40


@pytest.fixture
def town(db_url: str, monkeypatch: pytest.MonkeyPatch) -> str:
    """The database with contracts 1..CONTRACTS and the special ones; HOSHO_DATABASE_URL set."""
    monkeypatch.setenv("HOSHO_DATABASE_URL", db_url)
    get_settings.cache_clear()
    import_contracts(get_engine(db_url), contracts_csv(CONTRACTS), actor="test")
    return db_url


def use_env(monkeypatch: pytest.MonkeyPatch, values: dict[str, str]) -> Runtime:
    """Set settings in the environment and open a runtime on them."""
    for name, value in values.items():
        monkeypatch.setenv(name, value)
    get_settings.cache_clear()
    return Runtime.open(get_settings())
