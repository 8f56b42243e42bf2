"""submission.sent_to: the town's own addresses the mail was sent to

The address rule (a town with one address per kind of guarantee) is checked again when a
submission is decided again (a notice that waited for its contract, ``submissions retry``
and ``accept``): ``sent_to`` keeps the town's addresses among the mail's To/Cc, lower-case
and comma-separated (never anyone else's address). Rows recorded before have "" (the rule
is not checked again for them).

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-30 13:40:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("submission", schema=None) as batch_op:
        batch_op.add_column(sa.Column("sent_to", sa.Text(), nullable=False, server_default=""))


def downgrade() -> None:
    with op.batch_alter_table("submission", schema=None) as batch_op:
        batch_op.drop_column("sent_to")
