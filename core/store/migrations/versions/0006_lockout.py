"""lock-out per actor and number, linking limits, mail that failed

The lock-out counts failures per actor (``lookupattempt.actor``) and the linking limit
counts a chat user's requests in the audit log (``auditlog.actor``): both looked up by actor.
``mailfailure`` counts the passes that failed to record one message (set aside after a few).

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-30 11:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "mailfailure",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("message_key", sqlmodel.sql.sqltypes.AutoString(length=998), nullable=False),
        sa.Column("tries", sa.Integer(), nullable=False),
        sa.Column("last_error", sqlmodel.sql.sqltypes.AutoString(length=300), nullable=False),
        sa.Column("first_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("last_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("shunted_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.UniqueConstraint("message_key", name="uq_mailfailure_key"),
    )
    with op.batch_alter_table("lookupattempt", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_lookupattempt_actor"), ["actor"], unique=False)
    with op.batch_alter_table("auditlog", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_auditlog_actor"), ["actor"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("auditlog", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_auditlog_actor"))
    with op.batch_alter_table("lookupattempt", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_lookupattempt_actor"))
    op.drop_table("mailfailure")
