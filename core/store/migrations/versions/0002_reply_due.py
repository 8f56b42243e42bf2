"""submission.reply_due: the sender is owed a reply (sent at least once, retried)

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-26 00:40:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column(
        "submission",
        sa.Column("reply_due", sa.Boolean(), nullable=False, server_default=sa.false()),
    )


def downgrade() -> None:
    with op.batch_alter_table("submission") as batch:
        batch.drop_column("reply_due")
