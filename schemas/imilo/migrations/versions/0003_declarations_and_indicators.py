"""declarations and indicators

Revision ID: 0003
Revises: 0002
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "ml_declaration",
        sa.Column("ml", sa.String(length=8), nullable=False),
        sa.Column(
            "rgs_certificate",
            sa.Text(),
            nullable=True,
            comment="file name of the declared RGS certificate",
        ),
        sa.Column("rgs_sha256", sa.String(length=64), nullable=True),
        sa.Column("rgs_declared_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("contractualisation_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("ml", name=op.f("pk_ml_declaration")),
        schema="migration",
        comment="One row per ML: what it declared before its cutover (RGS certificate, contract).",
    )
    op.create_table(
        "indicator",
        sa.Column("run_id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=64), nullable=False),
        sa.Column("label", sa.Text(), nullable=False),
        sa.Column("p3", sa.Numeric(precision=16, scale=2), nullable=False),
        sa.Column("imilo", sa.Numeric(precision=16, scale=2), nullable=False),
        sa.Column("criterion", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["run_id"], ["migration.run.id"], name=op.f("fk_indicator_run_id_run")
        ),
        sa.PrimaryKeyConstraint("run_id", "code", name=op.f("pk_indicator")),
        schema="migration",
        comment="One row per run and indicator: its value counted in P3 and in i-milo.",
    )


def downgrade() -> None:
    op.drop_table("indicator", schema="migration")
    op.drop_table("ml_declaration", schema="migration")
