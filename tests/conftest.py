"""Shared fixtures: a fresh database per test on SQLite (a copy of one migrated per run), and
on PostgreSQL when HOSHO_TEST_POSTGRES_URL is set (one database per test run, dropped after);
``cli`` runs the ``hosho`` command in-process."""

from __future__ import annotations

import contextlib
import functools
import io
import logging
import os
import shutil
import subprocess
import sys
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from hosho.core import settings as settings_module
from hosho.core.contracts.importing import import_contracts
from hosho.core.store.db import get_engine, head_revision, upgrade
from tests.mailbox.town import CONTRACTS, contracts_csv

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


def _empty_postgres(url: str) -> None:
    """Every table emptied (identities restarted) when the schema is the migrated one, as
    an earlier test left it; else dropped and migrated afresh."""
    from sqlmodel import SQLModel

    from hosho.core.store import models  # noqa: F401 - registers the tables

    wanted = {*SQLModel.metadata.tables, "alembic_version"}
    with get_engine(url).begin() as conn:
        tables = {
            row[0]
            for row in conn.exec_driver_sql(
                "SELECT tablename FROM pg_tables WHERE schemaname = 'public'"
            )
        }
        if tables == wanted:
            version = conn.exec_driver_sql("SELECT version_num FROM alembic_version").all()
            if version == [(_head_revision(url),)]:
                names = ", ".join(f'"{name}"' for name in sorted(tables - {"alembic_version"}))
                conn.exec_driver_sql(f"TRUNCATE {names} RESTART IDENTITY CASCADE")
                return
    _reset_postgres(url)
    upgrade(url)


@functools.cache
def _head_revision(url: str) -> str:
    return head_revision(url)


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A SQLite file migrated once per run; each test gets a copy (tests/core/store/
    test_migrations.py runs the real migrations)."""
    path = tmp_path_factory.mktemp("template") / "hosho.db"
    url = f"sqlite:///{path}"
    upgrade(url)
    get_engine(url).dispose()  # the last connection folds the WAL into the file
    return path


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """An empty, migrated database: SQLite in tmp_path, and the same test on PostgreSQL
    (migrated when the run first needs it, emptied for each test after)."""
    if request.param == "sqlite":
        path = tmp_path / "hosho.db"
        shutil.copyfile(request.getfixturevalue("sqlite_template"), path)
        url = f"sqlite:///{path}"
    else:
        url = request.getfixturevalue("postgres_server_url")
        _empty_postgres(url)
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


def run_cli(
    *args: str, env: dict[str, str] | None = None, stdin: str = "", cwd: Path | None = None
) -> subprocess.CompletedProcess[str]:
    """``hosho ARGS`` run in this process, with ``env`` added to the environment, ``stdin``
    as its input and ``cwd`` as its folder (settings read afresh); returns what a subprocess
    would: the exit code, stdout and stderr. tests/test_packaging.py runs the real script."""
    from hosho.bot.cli.main import main

    out, err = _text_stream(), _text_stream()
    code: int | str | None = 0
    with pytest.MonkeyPatch.context() as patch:
        for name, value in (env or {}).items():
            patch.setenv(name, value)
        if cwd is not None:
            patch.chdir(cwd)
        patch.setattr(sys, "stdin", _text_stream(stdin))
        settings_module.get_settings.cache_clear()
        # A relative SQLite URL (the default var/hosho.db) names another file in another
        # folder: no engine from an earlier call may be reused.
        get_engine.cache_clear()
        # Warnings logged go to stderr, as Python's last-resort handler prints them.
        logged = logging.StreamHandler(err)
        logged.setLevel(logging.WARNING)
        logging.getLogger().addHandler(logged)
        try:
            with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
                main(list(args))
        except SystemExit as done:
            code = done.code
        finally:
            logging.getLogger().removeHandler(logged)
            settings_module.get_settings.cache_clear()
            get_engine.cache_clear()
    if not isinstance(code, int):  # SystemExit("message") exits 1 after printing it
        err.write(f"{code}\n" if code is not None else "")
        code = 0 if code is None else 1
    return subprocess.CompletedProcess(["hosho", *args], code, _read(out), _read(err))


Cli = Callable[..., "subprocess.CompletedProcess[str]"]


@pytest.fixture
def cli() -> Cli:
    """``cli("db", "upgrade", env={...}, stdin="...", cwd=path)``: ``run_cli``."""
    return run_cli


def _text_stream(text: str = "") -> io.TextIOWrapper:
    """A text stream over bytes, like a process's (it has ``.buffer`` and ``reconfigure``)."""
    return io.TextIOWrapper(io.BytesIO(text.encode("utf-8")), encoding="utf-8")


def _read(stream: io.TextIOWrapper) -> str:
    stream.flush()
    return stream.buffer.getvalue().decode("utf-8")  # type: ignore[attr-defined]


@pytest.fixture
def town(db_url: str, monkeypatch: pytest.MonkeyPatch) -> str:
    """The database with contracts 1..CONTRACTS (tests/mailbox/town.py) and the special ones; HOSHO_DATABASE_URL set."""
    monkeypatch.setenv("HOSHO_DATABASE_URL", db_url)
    settings_module.get_settings.cache_clear()
    import_contracts(get_engine(db_url), contracts_csv(CONTRACTS), actor="test")
    return db_url
