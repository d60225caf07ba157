"""campaign runs, stages, regional lock, national and regional data

Revision ID: 0005
Revises: 0004
"""

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "referentiel_national",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column(
            "source",
            sa.String(length=64),
            nullable=False,
            comment="the mapping table it comes from",
        ),
        sa.Column("code", sa.Text(), nullable=False),
        sa.Column("libelle", sa.Text(), nullable=True),
        sa.Column(
            "valeur_imilo", sa.Text(), nullable=True, comment="what the code becomes in i-milo"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_referentiel_national")),
        schema="imilo",
        comment="The national referential and the P3 → i-milo code mappings (MIG_NATIONAL).",
    )
    op.create_index(
        op.f("ix_referentiel_national_source_code"),
        "referentiel_national",
        ["source", "code"],
        unique=True,
        schema="imilo",
    )
    op.create_table(
        "referentiel_regional",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("region", sa.Text(), nullable=False),
        sa.Column("objet", sa.String(length=16), nullable=False, comment="reference or dispositif"),
        sa.Column("table_name", sa.Text(), nullable=False),
        sa.Column("code", sa.Text(), nullable=False),
        sa.Column("libelle", sa.Text(), nullable=True),
        sa.Column(
            "ml_source",
            sa.String(length=8),
            nullable=True,
            comment="the ML whose extract gave the row",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_referentiel_regional")),
        schema="imilo",
        comment="A region's shared data (MIG_REGIONAL): regional references and dispositifs.",
    )
    op.create_index(
        op.f("ix_referentiel_regional_region_objet_table_name_code"),
        "referentiel_regional",
        ["region", "objet", "table_name", "code"],
        unique=True,
        schema="imilo",
    )
    op.create_table(
        "structure_nationale",
        sa.Column("code", sa.String(length=16), nullable=False),
        sa.Column(
            "niveau",
            sa.String(length=16),
            nullable=False,
            comment="NATIONAL, REGIONAL, DEPARTEMENTAL",
        ),
        sa.Column("nom", sa.Text(), nullable=False),
        sa.Column("parent", sa.String(length=16), nullable=True),
        sa.PrimaryKeyConstraint("code", name=op.f("pk_structure_nationale")),
        schema="imilo",
        comment="The structure skeleton above the MLs: nation, regions, départements.",
    )
    op.create_table(
        "livraison",
        sa.Column("vague", sa.Integer(), nullable=False),
        sa.Column("date_mep", sa.Date(), nullable=False),
        sa.Column("livree_le", sa.DateTime(timezone=True), nullable=False),
        sa.Column(
            "dossier", sa.Text(), nullable=False, comment="the delivery folder of the reports"
        ),
        sa.Column("rapports", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("vague", "date_mep", name=op.f("pk_livraison")),
        schema="migration",
        comment="One row per wave whose cutover reports were delivered (Monday 10:00).",
    )
    op.create_table(
        "verrou_regional",
        sa.Column("region", sa.Text(), nullable=False),
        sa.Column("pose_le", sa.DateTime(timezone=True), nullable=False),
        sa.Column("pose_par_run", sa.Integer(), nullable=True),
        sa.Column("leve_le", sa.DateTime(timezone=True), nullable=True),
        sa.Column("leve_par_run", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["leve_par_run"], ["migration.run.id"], name=op.f("fk_verrou_regional_leve_par_run_run")
        ),
        sa.ForeignKeyConstraint(
            ["pose_par_run"], ["migration.run.id"], name=op.f("fk_verrou_regional_pose_par_run_run")
        ),
        sa.PrimaryKeyConstraint("region", name=op.f("pk_verrou_regional")),
        schema="migration",
        comment="One row per region whose regional data is in production: locked until its last ML is migrated (MIG), then lifted.",
    )
    op.add_column(
        "object_count",
        sa.Column(
            "stage",
            sa.String(length=16),
            server_default="",
            nullable=False,
            comment="MIG step: ACTIF or ARCHIVE for dossiers, GEL for the freeze control",
        ),
        schema="migration",
    )
    op.add_column(
        "run",
        sa.Column(
            "scope",
            sa.Text(),
            nullable=True,
            comment="what the run covers: NATIONAL, a region, or an ML code",
        ),
        schema="migration",
    )
    op.add_column(
        "run",
        sa.Column("message", sa.Text(), nullable=True, comment="why a run was refused or failed"),
        schema="migration",
    )
    op.add_column(
        "run",
        sa.Column(
            "avertissements", sa.Text(), nullable=True, comment="warnings of the run, one per line"
        ),
        schema="migration",
    )
    op.add_column(
        "run",
        sa.Column(
            "conserve",
            sa.Boolean(),
            nullable=True,
            comment="MAB: its production data kept (--keep)",
        ),
        schema="migration",
    )
    op.alter_column(
        "run",
        "ml",
        existing_type=sa.VARCHAR(length=8),
        nullable=True,
        comment="the ML of a local run; empty for a region",
        schema="migration",
    )
    op.alter_column(
        "run",
        "status",
        existing_type=sa.VARCHAR(length=16),
        comment="EN_COURS, TERMINE, ECHEC or REFUSE",
        existing_comment="EN_COURS, TERMINE or ECHEC",
        existing_nullable=False,
        schema="migration",
    )
    op.create_table_comment(
        "run",
        "One row per migration run, refused ones included.",
        existing_comment="One row per migration run of an ML.",
        schema="migration",
    )
    op.drop_constraint("pk_object_count", "object_count", schema="migration")
    op.create_primary_key(
        "pk_object_count", "object_count", ["run_id", "object_type", "stage"], schema="migration"
    )
    # i-milo asks this before a regional action (the product's lock.allowed asks it too).
    op.execute(LOCK_FUNCTION)


LOCK_FUNCTION = """
CREATE FUNCTION migration.region_verrouillee(p_region text) RETURNS boolean
LANGUAGE sql STABLE AS $$
    SELECT EXISTS (
        SELECT 1 FROM migration.verrou_regional
         WHERE lower(btrim(region)) = lower(btrim(p_region)) AND leve_le IS NULL)
$$
"""


def downgrade() -> None:
    op.execute("DROP FUNCTION migration.region_verrouillee(text)")
    op.drop_constraint("pk_object_count", "object_count", schema="migration")
    op.create_primary_key(
        "pk_object_count", "object_count", ["run_id", "object_type"], schema="migration"
    )
    op.create_table_comment(
        "run",
        "One row per migration run of an ML.",
        existing_comment="One row per migration run, refused ones included.",
        schema="migration",
    )
    op.alter_column(
        "run",
        "status",
        existing_type=sa.VARCHAR(length=16),
        comment="EN_COURS, TERMINE or ECHEC",
        existing_comment="EN_COURS, TERMINE, ECHEC or REFUSE",
        existing_nullable=False,
        schema="migration",
    )
    op.alter_column(
        "run",
        "ml",
        existing_type=sa.VARCHAR(length=8),
        nullable=False,
        comment=None,
        existing_comment="the ML of a local run; empty for a region",
        schema="migration",
    )
    op.drop_column("run", "conserve", schema="migration")
    op.drop_column("run", "avertissements", schema="migration")
    op.drop_column("run", "message", schema="migration")
    op.drop_column("run", "scope", schema="migration")
    op.drop_column("object_count", "stage", schema="migration")
    op.drop_table("verrou_regional", schema="migration")
    op.drop_table("livraison", schema="migration")
    op.drop_table("structure_nationale", schema="imilo")
    op.drop_index(
        op.f("ix_referentiel_regional_region_objet_table_name_code"),
        table_name="referentiel_regional",
        schema="imilo",
    )
    op.drop_table("referentiel_regional", schema="imilo")
    op.drop_index(
        op.f("ix_referentiel_national_source_code"),
        table_name="referentiel_national",
        schema="imilo",
    )
    op.drop_table("referentiel_national", schema="imilo")
