"""Alembic migrations of hosho's database (run by ``hosho db upgrade``)."""
