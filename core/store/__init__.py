"""Persistence: the SQLModel tables, engines and sessions, Alembic migrations, the audit log."""
