"""campaign plan and P3 closures

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
    op.create_table(
        "fermeture",
        sa.Column("ml", sa.String(length=8), nullable=False),
        sa.Column("fermee_le", sa.DateTime(timezone=True), nullable=False),
        sa.Column(
            "par", sa.Text(), nullable=False, comment="who closed it: a schedule, an operator"
        ),
        sa.PrimaryKeyConstraint("ml", name=op.f("pk_fermeture")),
        schema="p3",
        comment="One row per ML whose P3 is closed (read-only) for its cutover.",
    )
    op.create_table(
        "vague",
        sa.Column("ml", sa.String(length=8), nullable=False),
        sa.Column("region", sa.Text(), nullable=False),
        sa.Column("vague", sa.Integer(), nullable=False),
        sa.Column("date_mep", sa.Date(), nullable=False, comment="the Monday the ML goes live"),
        sa.Column(
            "arret_flux_asp",
            sa.Date(),
            nullable=True,
            comment="when the ML's ASP flows stopped (empty: not yet)",
        ),
        sa.Column(
            "dossier_extrait",
            sa.Text(),
            nullable=True,
            comment="where the Friday 21:00 extract of the ML lands",
        ),
        sa.Column(
            "loaded_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False
        ),
        sa.PrimaryKeyConstraint("ml", name=op.f("pk_vague")),
        schema="p3",
        comment="The campaign plan: one row per ML with its region, wave and go-live date.",
    )


def downgrade() -> None:
    op.drop_table("vague", schema="p3")
    op.drop_table("fermeture", schema="p3")
