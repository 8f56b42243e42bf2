"""The Alembic migrations build exactly the schema the models describe, on both databases."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlmodel import SQLModel

from hosho.core.store import models  # noqa: F401 - registers the tables
from hosho.core.store.db import get_engine, head_revision


def test_migrated_schema_matches_the_models(db_url: str) -> None:
    with get_engine(db_url).connect() as connection:
        context = MigrationContext.configure(connection)
        assert context.get_current_revision() == head_revision(db_url)
        assert compare_metadata(context, SQLModel.metadata) == []
