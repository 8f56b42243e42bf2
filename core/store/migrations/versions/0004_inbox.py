"""inbox: what was looked at and ignored, reply threading and rate limits

submission.no_reply (why the sender was not answered, for staff); an index on
submission.processed_at (the hourly reply limit counts recent rows); leftmessage (Maildir
messages looked at and left in place, so they are not read again).

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-30 11:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("submission") as batch:
        batch.add_column(sa.Column("no_reply", sa.Text(), nullable=False, server_default=""))
        batch.create_index(batch.f("ix_submission_processed_at"), ["processed_at"])
    op.create_table(
        "leftmessage",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("folder", sqlmodel.sql.sqltypes.AutoString(length=400), nullable=False),
        sa.Column("name", sqlmodel.sql.sqltypes.AutoString(length=255), nullable=False),
        sa.Column("at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("folder", "name", name="uq_leftmessage_name"),
    )


def downgrade() -> None:
    op.drop_table("leftmessage")
    with op.batch_alter_table("submission") as batch:
        batch.drop_index(batch.f("ix_submission_processed_at"))
        batch.drop_column("no_reply")
