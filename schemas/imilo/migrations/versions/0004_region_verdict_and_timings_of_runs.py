"""region, verdict and timings of runs

Revision ID: 0004
Revises: 0003
"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column(
        "object_count",
        sa.Column(
            "seconds", sa.Float(), nullable=True, comment="time the run took on this object type"
        ),
        schema="migration",
    )
    op.add_column(
        "run",
        sa.Column(
            "region",
            sa.Text(),
            nullable=True,
            comment="the ML's region, from its structure in the extract",
        ),
        schema="migration",
    )
    op.add_column(
        "run",
        sa.Column(
            "verdict",
            sa.String(length=8),
            nullable=True,
            comment="GO or NO GO, once the controls are computed",
        ),
        schema="migration",
    )


def downgrade() -> None:
    op.drop_column("run", "verdict", schema="migration")
    op.drop_column("run", "region", schema="migration")
    op.drop_column("object_count", "seconds", schema="migration")
