"""Shared fixtures: a fresh database per test on SQLite, and on PostgreSQL when
HOSHO_TEST_POSTGRES_URL is set (one database per test run, dropped after)."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from hosho.core import settings as settings_module
from hosho.core.store.db import get_engine, upgrade

pytest_plugins = ["tests.servers"]  # the dovecot and smtp fixtures

POSTGRES_URL = os.environ.get("HOSHO_TEST_POSTGRES_URL", "")
REQUIRE_SERVICES = os.environ.get("HOSHO_REQUIRE_SERVICES") == "1"


def require_or_skip(reason: str) -> None:
    """Skip with a reason, or fail when CI demands every service (HOSHO_REQUIRE_SERVICES=1)."""
    if REQUIRE_SERVICES:
        pytest.fail(f"required service missing: {reason}")
    pytest.skip(reason)


@pytest.fixture(scope="session")
def postgres_server_url() -> Iterator[str]:
    """A database of this test run's own on the PostgreSQL server, dropped at the end."""
    if not POSTGRES_URL:
        require_or_skip("HOSHO_TEST_POSTGRES_URL is not set")
    try:
        import psycopg
    except ImportError:
        require_or_skip("psycopg is not installed (pip install -e '.[postgres]')")
    from sqlalchemy.engine import make_url

    base = make_url(POSTGRES_URL.replace("postgresql://", "postgresql+psycopg://", 1))
    name = f"hosho_test_{uuid.uuid4().hex[:10]}"
    admin_dsn = base.set(drivername="postgresql", database=base.database or "postgres")
    dsn = admin_dsn.render_as_string(hide_password=False)
    try:
        with psycopg.connect(dsn, autocommit=True, connect_timeout=5) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
    except psycopg.OperationalError as err:
        require_or_skip(f"PostgreSQL not reachable: {err}")
    yield base.set(database=name).render_as_string(hide_password=False)
    get_engine.cache_clear()
    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _reset_postgres(url: str) -> None:
    engine = get_engine(url)
    with engine.begin() as conn:
        conn.exec_driver_sql("DROP SCHEMA public CASCADE")
        conn.exec_driver_sql("CREATE SCHEMA public")


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """An empty, migrated database: SQLite in tmp_path, and the same test on PostgreSQL."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'hosho.db'}"
    else:
        url = request.getfixturevalue("postgres_server_url")
        _reset_postgres(url)
    upgrade(url)
    yield url
    get_engine(url).dispose()


@pytest.fixture
def engine(db_url: str):  # type: ignore[no-untyped-def]
    """The SQLAlchemy engine of ``db_url``."""
    return get_engine(db_url)


@pytest.fixture(autouse=True)
def _isolated_settings(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[None]:
    """Each test starts from default settings, in its own working folder, without .env."""
    for name in list(os.environ):
        if (name.startswith("HOSHO_") or name.startswith("SLACK_")) and name not in (
            "HOSHO_TEST_POSTGRES_URL",
            "HOSHO_REQUIRE_SERVICES",
        ):
            monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(tmp_path)
    settings_module.get_settings.cache_clear()
    yield
    settings_module.get_settings.cache_clear()
