"""rlm inputs and extract pins

Revision ID: 0002
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "compte_imilo",
        sa.Column("ml", sa.String(length=8), nullable=False),
        sa.Column("login_p3", sa.Text(), nullable=False),
        sa.Column("login_imilo", sa.Text(), nullable=False),
        sa.Column("nom", sa.Text(), nullable=True),
        sa.Column("prenom", sa.Text(), nullable=True),
        sa.Column(
            "loaded_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False
        ),
        sa.PrimaryKeyConstraint("ml", "login_p3", name=op.f("pk_compte_imilo")),
        schema="p3",
        comment="One row per i-milo account of an ML and the P3 login it takes over (RLM input).",
    )
    op.create_table(
        "reference_gel",
        sa.Column("ml", sa.String(length=8), nullable=False),
        sa.Column("table_name", sa.Text(), nullable=False),
        sa.Column("code", sa.Text(), nullable=False),
        sa.Column("id_reference", sa.Text(), nullable=True),
        sa.Column("niveau", sa.Text(), nullable=True),
        sa.Column("libelle", sa.Text(), nullable=True),
        sa.Column("actif", sa.Text(), nullable=True),
        sa.Column("visible", sa.Text(), nullable=True),
        sa.Column(
            "frozen_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False
        ),
        sa.PrimaryKeyConstraint("ml", "table_name", "code", name=op.f("pk_reference_gel")),
        schema="p3",
        comment="One row per local reference of an ML as MIG_REF took it: the freeze.",
    )
    op.create_table(
        "extract_pin",
        sa.Column("extract_id", sa.Integer(), nullable=False),
        sa.Column(
            "run_key", sa.String(length=64), nullable=False, comment="the Dagster run id reading it"
        ),
        sa.Column(
            "pinned_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False
        ),
        sa.ForeignKeyConstraint(
            ["extract_id"],
            ["p3.extract.id"],
            name=op.f("fk_extract_pin_extract_id_extract"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("extract_id", "run_key", name=op.f("pk_extract_pin")),
        schema="p3",
        comment="One row per run reading an extract: a pinned extract is never replaced under it.",
    )


def downgrade() -> None:
    op.drop_table("extract_pin", schema="p3")
    op.drop_table("reference_gel", schema="p3")
    op.drop_table("compte_imilo", schema="p3")
