"""lock-out per actor and number, linking limits

The lock-out counts failures per actor (``lookupattempt.actor``) and the linking limit
counts a chat user's requests in the audit log (``auditlog.actor``): both looked up by actor.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-30 11:00:00
"""

from __future__ import annotations

from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("lookupattempt", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_lookupattempt_actor"), ["actor"], unique=False)
    with op.batch_alter_table("auditlog", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_auditlog_actor"), ["actor"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("auditlog", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_auditlog_actor"))
    with op.batch_alter_table("lookupattempt", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_lookupattempt_actor"))
