"""submission: kept received files, verified flag, waiting notices (person in the loop)

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-30 11:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("submission") as batch:
        batch.add_column(
            sa.Column("verified", sa.Boolean(), nullable=False, server_default=sa.true())
        )
        batch.add_column(
            sa.Column("decided_by", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True)
        )
    op.create_table(
        "receivedfile",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("submission_id", sa.Integer(), nullable=False),
        sa.Column("filename", sqlmodel.sql.sqltypes.AutoString(length=400), nullable=False),
        sa.Column("content_type", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("sha256", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("data", sa.LargeBinary(), nullable=True),
        sa.Column("purged_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(["submission_id"], ["submission.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("receivedfile") as batch:
        batch.create_index(batch.f("ix_receivedfile_submission_id"), ["submission_id"])
    op.create_table(
        "noticerecord",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("contract_number", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("auth_key", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("kind", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=True),
        sa.Column("orderer", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=True),
        sa.Column("project_name", sqlmodel.sql.sqltypes.AutoString(length=400), nullable=True),
        sa.Column("submission_id", sa.Integer(), nullable=True),
        sa.Column("registered_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("registered_by", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.ForeignKeyConstraint(["submission_id"], ["submission.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("noticerecord") as batch:
        batch.create_index(
            batch.f("ix_noticerecord_contract_number"), ["contract_number"], unique=True
        )


def downgrade() -> None:
    op.drop_table("noticerecord")
    op.drop_table("receivedfile")
    with op.batch_alter_table("submission") as batch:
        batch.drop_column("decided_by")
        batch.drop_column("verified")
