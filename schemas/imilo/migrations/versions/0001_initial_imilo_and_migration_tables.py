"""initial imilo and migration tables

Revision ID: 0001
Revises:
"""

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "contexte_dossier",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("ml", sa.String(length=8), nullable=False),
        sa.Column("code_structure", sa.String(length=16), nullable=True),
        sa.Column("code", sa.Text(), nullable=True),
        sa.Column("libelle", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_contexte_dossier")),
        schema="imilo",
        comment="One row per migrated P3 contexte_dossier.",
    )
    op.create_index(
        op.f("ix_contexte_dossier_ml"), "contexte_dossier", ["ml"], unique=False, schema="imilo"
    )
    op.create_table(
        "decisionnel_mensuel",
        sa.Column("ml", sa.String(length=8), nullable=False),
        sa.Column("mois", sa.Date(), nullable=False, comment="first day of the month"),
        sa.Column(
            "dossiers_actifs",
            sa.Integer(),
            nullable=False,
            comment="dossiers with an event (rendez-vous, actualité, proposition) in the month",
        ),
        sa.Column("premiers_accueils", sa.Integer(), nullable=False),
        sa.Column("propositions", sa.Integer(), nullable=False),
        sa.Column("versements", sa.Integer(), nullable=False),
        sa.Column("montant_versements", sa.Numeric(precision=14, scale=2), nullable=False),
        sa.PrimaryKeyConstraint("ml", "mois", name=op.f("pk_decisionnel_mensuel")),
        schema="imilo",
        comment="One row per ML and month: the décisionnel built from migrated data.",
    )
    op.create_table(
        "dispositif",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("ml", sa.String(length=8), nullable=False),
        sa.Column("code_structure", sa.String(length=16), nullable=True),
        sa.Column("code", sa.Text(), nullable=True),
        sa.Column("libelle", sa.Text(), nullable=True),
        sa.Column("niveau", sa.Text(), nullable=True),
        sa.Column("type", sa.Text(), nullable=True),
        sa.Column("date_debut", sa.Date(), nullable=True),
        sa.Column("date_fin", sa.Date(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_dispositif")),
        schema="imilo",
        comment="One row per migrated P3 dispositif.",
    )
    op.create_index(op.f("ix_dispositif_ml"), "dispositif", ["ml"], unique=False, schema="imilo")
    op.create_table(
        "dossier",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("ml", sa.String(length=8), nullable=False),
        sa.Column("code_structure", sa.String(length=16), nullable=True),
        sa.Column("numero", sa.Text(), nullable=True),
        sa.Column("civilite", sa.Text(), nullable=True),
        sa.Column("nom", sa.Text(), nullable=True),
        sa.Column("prenom", sa.Text(), nullable=True),
        sa.Column("date_naissance", sa.Date(), nullable=True),
        sa.Column("email", sa.Text(), nullable=True),
        sa.Column("telephone", sa.Text(), nullable=True),
        sa.Column("identifiant_pe", sa.Text(), nullable=True),
        sa.Column("date_premier_accueil", sa.Date(), nullable=True),
        sa.Column("statut", sa.Text(), nullable=True),
        sa.Column("login_referent", sa.Text(), nullable=True),
        sa.Column("code_connaissance", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_dossier")),
        schema="imilo",
        comment="One row per migrated P3 dossier.",
    )
    op.create_index(op.f("ix_dossier_ml"), "dossier", ["ml"], unique=False, schema="imilo")
    op.create_table(
        "entreprise",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("ml", sa.String(length=8), nullable=False),
        sa.Column("code_structure", sa.String(length=16), nullable=True),
        sa.Column("raison_sociale", sa.Text(), nullable=True),
        sa.Column("siret", sa.Text(), nullable=True),
        sa.Column("code_naf", sa.Text(), nullable=True),
        sa.Column("adresse", sa.Text(), nullable=True),
        sa.Column("code_postal", sa.Text(), nullable=True),
        sa.Column("commune", sa.Text(), nullable=True),
        sa.Column("telephone", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_entreprise")),
        schema="imilo",
        comment="One row per migrated P3 entreprise.",
    )
    op.create_index(op.f("ix_entreprise_ml"), "entreprise", ["ml"], unique=False, schema="imilo")
    op.create_table(
        "intitule_formation",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("ml", sa.String(length=8), nullable=False),
        sa.Column("code_structure", sa.String(length=16), nullable=True),
        sa.Column("libelle", sa.Text(), nullable=True),
        sa.Column("organisme", sa.Text(), nullable=True),
        sa.Column("code_formacode", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_intitule_formation")),
        schema="imilo",
        comment="One row per migrated P3 intitule_formation.",
    )
    op.create_index(
        op.f("ix_intitule_formation_ml"), "intitule_formation", ["ml"], unique=False, schema="imilo"
    )
    op.create_table(
        "reference",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("ml", sa.String(length=8), nullable=False),
        sa.Column("code_structure", sa.String(length=16), nullable=True),
        sa.Column("table_name", sa.Text(), nullable=True),
        sa.Column("niveau", sa.Text(), nullable=True),
        sa.Column("code", sa.Text(), nullable=True),
        sa.Column("libelle", sa.Text(), nullable=True),
        sa.Column("actif", sa.Boolean(), nullable=True),
        sa.Column("visible", sa.Boolean(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_reference")),
        schema="imilo",
        comment="One row per migrated P3 reference.",
    )
    op.create_index(op.f("ix_reference_ml"), "reference", ["ml"], unique=False, schema="imilo")
    op.create_table(
        "rubrique",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("ml", sa.String(length=8), nullable=False),
        sa.Column("code_structure", sa.String(length=16), nullable=True),
        sa.Column("libelle", sa.Text(), nullable=True),
        sa.Column("theme", sa.Text(), nullable=True),
        sa.Column("modalite", sa.Text(), nullable=True),
        sa.Column("utilisation", sa.Text(), nullable=True),
        sa.Column("acte_service", sa.Text(), nullable=True),
        sa.Column("type_offre", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_rubrique")),
        schema="imilo",
        comment="One row per migrated P3 rubrique.",
    )
    op.create_index(op.f("ix_rubrique_ml"), "rubrique", ["ml"], unique=False, schema="imilo")
    op.create_table(
        "structure",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("ml", sa.String(length=8), nullable=False),
        sa.Column("code_structure", sa.String(length=16), nullable=True),
        sa.Column("code", sa.Text(), nullable=True),
        sa.Column("id_structure_parent", sa.Text(), nullable=True),
        sa.Column("nom", sa.Text(), nullable=True),
        sa.Column("type", sa.Text(), nullable=True),
        sa.Column("adresse", sa.Text(), nullable=True),
        sa.Column("code_postal", sa.Text(), nullable=True),
        sa.Column("commune", sa.Text(), nullable=True),
        sa.Column("region", sa.Text(), nullable=True),
        sa.Column("telephone", sa.Text(), nullable=True),
        sa.Column("email", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_structure")),
        schema="imilo",
        comment="One row per migrated P3 structure.",
    )
    op.create_index(op.f("ix_structure_ml"), "structure", ["ml"], unique=False, schema="imilo")
    op.create_table(
        "utilisateur",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("ml", sa.String(length=8), nullable=False),
        sa.Column("code_structure", sa.String(length=16), nullable=True),
        sa.Column("login", sa.Text(), nullable=True),
        sa.Column("nom", sa.Text(), nullable=True),
        sa.Column("prenom", sa.Text(), nullable=True),
        sa.Column("civilite", sa.Text(), nullable=True),
        sa.Column("date_naissance", sa.Date(), nullable=True),
        sa.Column("profil", sa.Text(), nullable=True),
        sa.Column("fonction", sa.Text(), nullable=True),
        sa.Column("actif", sa.Boolean(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_utilisateur")),
        schema="imilo",
        comment="One row per migrated P3 utilisateur.",
    )
    op.create_index(op.f("ix_utilisateur_ml"), "utilisateur", ["ml"], unique=False, schema="imilo")
    op.create_table(
        "run",
        sa.Column("id", sa.Integer(), sa.Identity(always=False), nullable=False),
        sa.Column("dagster_run_id", sa.String(length=64), nullable=True),
        sa.Column("run_kind", sa.String(length=16), nullable=False),
        sa.Column("ml", sa.String(length=8), nullable=False),
        sa.Column("environment", sa.String(length=16), nullable=False),
        sa.Column("plateforme", sa.Integer(), nullable=True),
        sa.Column("extract_id", sa.Integer(), nullable=True),
        sa.Column("extracted_at", sa.DateTime(), nullable=True),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column(
            "status", sa.String(length=16), nullable=False, comment="EN_COURS, TERMINE or ECHEC"
        ),
        sa.Column("report_path", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_run")),
        sa.UniqueConstraint("dagster_run_id", name=op.f("uq_run_dagster_run_id")),
        schema="migration",
        comment="One row per migration run of an ML.",
    )
    op.create_index(op.f("ix_run_ml"), "run", ["ml"], unique=False, schema="migration")
    op.create_table(
        "actualite_dossier",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("ml", sa.String(length=8), nullable=False),
        sa.Column("code_structure", sa.String(length=16), nullable=True),
        sa.Column("dossier_id", sa.BigInteger(), nullable=True),
        sa.Column("date_actualite", sa.Date(), nullable=True),
        sa.Column("type", sa.Text(), nullable=True),
        sa.Column("libelle", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["dossier_id"],
            ["imilo.dossier.id"],
            name=op.f("fk_actualite_dossier_dossier_id_dossier"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_actualite_dossier")),
        schema="imilo",
        comment="One row per migrated P3 actualite_dossier.",
    )
    op.create_index(
        op.f("ix_actualite_dossier_dossier_id"),
        "actualite_dossier",
        ["dossier_id"],
        unique=False,
        schema="imilo",
    )
    op.create_index(
        op.f("ix_actualite_dossier_ml"), "actualite_dossier", ["ml"], unique=False, schema="imilo"
    )
    op.create_table(
        "actualite_entreprise",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("ml", sa.String(length=8), nullable=False),
        sa.Column("code_structure", sa.String(length=16), nullable=True),
        sa.Column("entreprise_id", sa.BigInteger(), nullable=True),
        sa.Column("date_actualite", sa.Date(), nullable=True),
        sa.Column("libelle", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["entreprise_id"],
            ["imilo.entreprise.id"],
            name=op.f("fk_actualite_entreprise_entreprise_id_entreprise"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_actualite_entreprise")),
        schema="imilo",
        comment="One row per migrated P3 actualite_entreprise.",
    )
    op.create_index(
        op.f("ix_actualite_entreprise_entreprise_id"),
        "actualite_entreprise",
        ["entreprise_id"],
        unique=False,
        schema="imilo",
    )
    op.create_index(
        op.f("ix_actualite_entreprise_ml"),
        "actualite_entreprise",
        ["ml"],
        unique=False,
        schema="imilo",
    )
    op.create_table(
        "adresse",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("ml", sa.String(length=8), nullable=False),
        sa.Column("code_structure", sa.String(length=16), nullable=True),
        sa.Column("dossier_id", sa.BigInteger(), nullable=True),
        sa.Column("ligne1", sa.Text(), nullable=True),
        sa.Column("code_postal", sa.Text(), nullable=True),
        sa.Column("commune", sa.Text(), nullable=True),
        sa.Column("date_debut", sa.Date(), nullable=True),
        sa.ForeignKeyConstraint(
            ["dossier_id"], ["imilo.dossier.id"], name=op.f("fk_adresse_dossier_id_dossier")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_adresse")),
        schema="imilo",
        comment="One row per migrated P3 adresse.",
    )
    op.create_index(
        op.f("ix_adresse_dossier_id"), "adresse", ["dossier_id"], unique=False, schema="imilo"
    )
    op.create_index(op.f("ix_adresse_ml"), "adresse", ["ml"], unique=False, schema="imilo")
    op.create_table(
        "configuration_dispositif",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("ml", sa.String(length=8), nullable=False),
        sa.Column("code_structure", sa.String(length=16), nullable=True),
        sa.Column("dispositif_id", sa.BigInteger(), nullable=True),
        sa.Column("parametre", sa.Text(), nullable=True),
        sa.Column("valeur", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["dispositif_id"],
            ["imilo.dispositif.id"],
            name=op.f("fk_configuration_dispositif_dispositif_id_dispositif"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_configuration_dispositif")),
        schema="imilo",
        comment="One row per migrated P3 configuration_dispositif.",
    )
    op.create_index(
        op.f("ix_configuration_dispositif_dispositif_id"),
        "configuration_dispositif",
        ["dispositif_id"],
        unique=False,
        schema="imilo",
    )
    op.create_index(
        op.f("ix_configuration_dispositif_ml"),
        "configuration_dispositif",
        ["ml"],
        unique=False,
        schema="imilo",
    )
    op.create_table(
        "connaissance",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("ml", sa.String(length=8), nullable=False),
        sa.Column("code_structure", sa.String(length=16), nullable=True),
        sa.Column("dossier_id", sa.BigInteger(), nullable=True),
        sa.Column("code_connaissance", sa.Text(), nullable=True),
        sa.Column("date_connaissance", sa.Date(), nullable=True),
        sa.ForeignKeyConstraint(
            ["dossier_id"], ["imilo.dossier.id"], name=op.f("fk_connaissance_dossier_id_dossier")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_connaissance")),
        schema="imilo",
        comment="One row per migrated P3 connaissance.",
    )
    op.create_index(
        op.f("ix_connaissance_dossier_id"),
        "connaissance",
        ["dossier_id"],
        unique=False,
        schema="imilo",
    )
    op.create_index(
        op.f("ix_connaissance_ml"), "connaissance", ["ml"], unique=False, schema="imilo"
    )
    op.create_table(
        "cursus",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("ml", sa.String(length=8), nullable=False),
        sa.Column("code_structure", sa.String(length=16), nullable=True),
        sa.Column("dossier_id", sa.BigInteger(), nullable=True),
        sa.Column("niveau_formation", sa.Text(), nullable=True),
        sa.Column("diplome", sa.Text(), nullable=True),
        sa.Column("date_fin", sa.Date(), nullable=True),
        sa.Column("niveau_imilo", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["dossier_id"], ["imilo.dossier.id"], name=op.f("fk_cursus_dossier_id_dossier")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_cursus")),
        schema="imilo",
        comment="One row per migrated P3 cursus.",
    )
    op.create_index(
        op.f("ix_cursus_dossier_id"), "cursus", ["dossier_id"], unique=False, schema="imilo"
    )
    op.create_index(op.f("ix_cursus_ml"), "cursus", ["ml"], unique=False, schema="imilo")
    op.create_table(
        "demande_jeune",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("ml", sa.String(length=8), nullable=False),
        sa.Column("code_structure", sa.String(length=16), nullable=True),
        sa.Column("dossier_id", sa.BigInteger(), nullable=True),
        sa.Column("date_demande", sa.Date(), nullable=True),
        sa.Column("libelle", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["dossier_id"], ["imilo.dossier.id"], name=op.f("fk_demande_jeune_dossier_id_dossier")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_demande_jeune")),
        schema="imilo",
        comment="One row per migrated P3 demande_jeune.",
    )
    op.create_index(
        op.f("ix_demande_jeune_dossier_id"),
        "demande_jeune",
        ["dossier_id"],
        unique=False,
        schema="imilo",
    )
    op.create_index(
        op.f("ix_demande_jeune_ml"), "demande_jeune", ["ml"], unique=False, schema="imilo"
    )
    op.create_table(
        "demat",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("ml", sa.String(length=8), nullable=False),
        sa.Column("code_structure", sa.String(length=16), nullable=True),
        sa.Column("dossier_id", sa.BigInteger(), nullable=True),
        sa.Column("type_demat", sa.Text(), nullable=True),
        sa.Column("type_aide", sa.Text(), nullable=True),
        sa.Column("date_demande", sa.Date(), nullable=True),
        sa.Column("statut", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["dossier_id"], ["imilo.dossier.id"], name=op.f("fk_demat_dossier_id_dossier")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_demat")),
        schema="imilo",
        comment="One row per migrated P3 demat.",
    )
    op.create_index(
        op.f("ix_demat_dossier_id"), "demat", ["dossier_id"], unique=False, schema="imilo"
    )
    op.create_index(op.f("ix_demat_ml"), "demat", ["ml"], unique=False, schema="imilo")
    op.create_table(
        "dispositif_instance",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("ml", sa.String(length=8), nullable=False),
        sa.Column("code_structure", sa.String(length=16), nullable=True),
        sa.Column("dossier_id", sa.BigInteger(), nullable=True),
        sa.Column("dispositif_id", sa.BigInteger(), nullable=True),
        sa.Column("date_entree", sa.Date(), nullable=True),
        sa.Column("date_sortie", sa.Date(), nullable=True),
        sa.Column("statut", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["dispositif_id"],
            ["imilo.dispositif.id"],
            name=op.f("fk_dispositif_instance_dispositif_id_dispositif"),
        ),
        sa.ForeignKeyConstraint(
            ["dossier_id"],
            ["imilo.dossier.id"],
            name=op.f("fk_dispositif_instance_dossier_id_dossier"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_dispositif_instance")),
        schema="imilo",
        comment="One row per migrated P3 dispositif_instance.",
    )
    op.create_index(
        op.f("ix_dispositif_instance_dispositif_id"),
        "dispositif_instance",
        ["dispositif_id"],
        unique=False,
        schema="imilo",
    )
    op.create_index(
        op.f("ix_dispositif_instance_dossier_id"),
        "dispositif_instance",
        ["dossier_id"],
        unique=False,
        schema="imilo",
    )
    op.create_index(
        op.f("ix_dispositif_instance_ml"),
        "dispositif_instance",
        ["ml"],
        unique=False,
        schema="imilo",
    )
    op.create_table(
        "historique_statut",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("ml", sa.String(length=8), nullable=False),
        sa.Column("code_structure", sa.String(length=16), nullable=True),
        sa.Column("dossier_id", sa.BigInteger(), nullable=True),
        sa.Column("statut", sa.Text(), nullable=True),
        sa.Column("date_statut", sa.Date(), nullable=True),
        sa.ForeignKeyConstraint(
            ["dossier_id"],
            ["imilo.dossier.id"],
            name=op.f("fk_historique_statut_dossier_id_dossier"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_historique_statut")),
        schema="imilo",
        comment="One row per migrated P3 historique_statut.",
    )
    op.create_index(
        op.f("ix_historique_statut_dossier_id"),
        "historique_statut",
        ["dossier_id"],
        unique=False,
        schema="imilo",
    )
    op.create_index(
        op.f("ix_historique_statut_ml"), "historique_statut", ["ml"], unique=False, schema="imilo"
    )
    op.create_table(
        "langue",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("ml", sa.String(length=8), nullable=False),
        sa.Column("code_structure", sa.String(length=16), nullable=True),
        sa.Column("dossier_id", sa.BigInteger(), nullable=True),
        sa.Column("langue", sa.Text(), nullable=True),
        sa.Column("niveau", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["dossier_id"], ["imilo.dossier.id"], name=op.f("fk_langue_dossier_id_dossier")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_langue")),
        schema="imilo",
        comment="One row per migrated P3 langue.",
    )
    op.create_index(
        op.f("ix_langue_dossier_id"), "langue", ["dossier_id"], unique=False, schema="imilo"
    )
    op.create_index(op.f("ix_langue_ml"), "langue", ["ml"], unique=False, schema="imilo")
    op.create_table(
        "loisirs",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("ml", sa.String(length=8), nullable=False),
        sa.Column("code_structure", sa.String(length=16), nullable=True),
        sa.Column("dossier_id", sa.BigInteger(), nullable=True),
        sa.Column("libelle", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["dossier_id"], ["imilo.dossier.id"], name=op.f("fk_loisirs_dossier_id_dossier")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_loisirs")),
        schema="imilo",
        comment="One row per migrated P3 loisirs.",
    )
    op.create_index(
        op.f("ix_loisirs_dossier_id"), "loisirs", ["dossier_id"], unique=False, schema="imilo"
    )
    op.create_index(op.f("ix_loisirs_ml"), "loisirs", ["ml"], unique=False, schema="imilo")
    op.create_table(
        "moyen_garde",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("ml", sa.String(length=8), nullable=False),
        sa.Column("code_structure", sa.String(length=16), nullable=True),
        sa.Column("dossier_id", sa.BigInteger(), nullable=True),
        sa.Column("type_garde", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["dossier_id"], ["imilo.dossier.id"], name=op.f("fk_moyen_garde_dossier_id_dossier")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_moyen_garde")),
        schema="imilo",
        comment="One row per migrated P3 moyen_garde.",
    )
    op.create_index(
        op.f("ix_moyen_garde_dossier_id"),
        "moyen_garde",
        ["dossier_id"],
        unique=False,
        schema="imilo",
    )
    op.create_index(op.f("ix_moyen_garde_ml"), "moyen_garde", ["ml"], unique=False, schema="imilo")
    op.create_table(
        "moyen_locomotion",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("ml", sa.String(length=8), nullable=False),
        sa.Column("code_structure", sa.String(length=16), nullable=True),
        sa.Column("dossier_id", sa.BigInteger(), nullable=True),
        sa.Column("type_locomotion", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["dossier_id"],
            ["imilo.dossier.id"],
            name=op.f("fk_moyen_locomotion_dossier_id_dossier"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_moyen_locomotion")),
        schema="imilo",
        comment="One row per migrated P3 moyen_locomotion.",
    )
    op.create_index(
        op.f("ix_moyen_locomotion_dossier_id"),
        "moyen_locomotion",
        ["dossier_id"],
        unique=False,
        schema="imilo",
    )
    op.create_index(
        op.f("ix_moyen_locomotion_ml"), "moyen_locomotion", ["ml"], unique=False, schema="imilo"
    )
    op.create_table(
        "permis_conduire",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("ml", sa.String(length=8), nullable=False),
        sa.Column("code_structure", sa.String(length=16), nullable=True),
        sa.Column("dossier_id", sa.BigInteger(), nullable=True),
        sa.Column("categorie", sa.Text(), nullable=True),
        sa.Column("date_obtention", sa.Date(), nullable=True),
        sa.ForeignKeyConstraint(
            ["dossier_id"], ["imilo.dossier.id"], name=op.f("fk_permis_conduire_dossier_id_dossier")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_permis_conduire")),
        schema="imilo",
        comment="One row per migrated P3 permis_conduire.",
    )
    op.create_index(
        op.f("ix_permis_conduire_dossier_id"),
        "permis_conduire",
        ["dossier_id"],
        unique=False,
        schema="imilo",
    )
    op.create_index(
        op.f("ix_permis_conduire_ml"), "permis_conduire", ["ml"], unique=False, schema="imilo"
    )
    op.create_table(
        "personne_ressource",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("ml", sa.String(length=8), nullable=False),
        sa.Column("code_structure", sa.String(length=16), nullable=True),
        sa.Column("entreprise_id", sa.BigInteger(), nullable=True),
        sa.Column("nom", sa.Text(), nullable=True),
        sa.Column("prenom", sa.Text(), nullable=True),
        sa.Column("email", sa.Text(), nullable=True),
        sa.Column("telephone", sa.Text(), nullable=True),
        sa.Column("fonction", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["entreprise_id"],
            ["imilo.entreprise.id"],
            name=op.f("fk_personne_ressource_entreprise_id_entreprise"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_personne_ressource")),
        schema="imilo",
        comment="One row per migrated P3 personne_ressource.",
    )
    op.create_index(
        op.f("ix_personne_ressource_entreprise_id"),
        "personne_ressource",
        ["entreprise_id"],
        unique=False,
        schema="imilo",
    )
    op.create_index(
        op.f("ix_personne_ressource_ml"), "personne_ressource", ["ml"], unique=False, schema="imilo"
    )
    op.create_table(
        "projet",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("ml", sa.String(length=8), nullable=False),
        sa.Column("code_structure", sa.String(length=16), nullable=True),
        sa.Column("dossier_id", sa.BigInteger(), nullable=True),
        sa.Column("libelle", sa.Text(), nullable=True),
        sa.Column("date_projet", sa.Date(), nullable=True),
        sa.ForeignKeyConstraint(
            ["dossier_id"], ["imilo.dossier.id"], name=op.f("fk_projet_dossier_id_dossier")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_projet")),
        schema="imilo",
        comment="One row per migrated P3 projet.",
    )
    op.create_index(
        op.f("ix_projet_dossier_id"), "projet", ["dossier_id"], unique=False, schema="imilo"
    )
    op.create_index(op.f("ix_projet_ml"), "projet", ["ml"], unique=False, schema="imilo")
    op.create_table(
        "rattachement",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("ml", sa.String(length=8), nullable=False),
        sa.Column("code_structure", sa.String(length=16), nullable=True),
        sa.Column("dossier_id", sa.BigInteger(), nullable=True),
        sa.Column("code_structure_rattachement", sa.Text(), nullable=True),
        sa.Column("date_debut", sa.Date(), nullable=True),
        sa.ForeignKeyConstraint(
            ["dossier_id"], ["imilo.dossier.id"], name=op.f("fk_rattachement_dossier_id_dossier")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_rattachement")),
        schema="imilo",
        comment="One row per migrated P3 rattachement.",
    )
    op.create_index(
        op.f("ix_rattachement_dossier_id"),
        "rattachement",
        ["dossier_id"],
        unique=False,
        schema="imilo",
    )
    op.create_index(
        op.f("ix_rattachement_ml"), "rattachement", ["ml"], unique=False, schema="imilo"
    )
    op.create_table(
        "referent",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("ml", sa.String(length=8), nullable=False),
        sa.Column("code_structure", sa.String(length=16), nullable=True),
        sa.Column("dossier_id", sa.BigInteger(), nullable=True),
        sa.Column("login_referent", sa.Text(), nullable=True),
        sa.Column("date_debut", sa.Date(), nullable=True),
        sa.ForeignKeyConstraint(
            ["dossier_id"], ["imilo.dossier.id"], name=op.f("fk_referent_dossier_id_dossier")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_referent")),
        schema="imilo",
        comment="One row per migrated P3 referent.",
    )
    op.create_index(
        op.f("ix_referent_dossier_id"), "referent", ["dossier_id"], unique=False, schema="imilo"
    )
    op.create_index(op.f("ix_referent_ml"), "referent", ["ml"], unique=False, schema="imilo")
    op.create_table(
        "rendez_vous",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("ml", sa.String(length=8), nullable=False),
        sa.Column("code_structure", sa.String(length=16), nullable=True),
        sa.Column("dossier_id", sa.BigInteger(), nullable=True),
        sa.Column("date_rdv", sa.Date(), nullable=True),
        sa.Column("objet", sa.Text(), nullable=True),
        sa.Column("login_conseiller", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["dossier_id"], ["imilo.dossier.id"], name=op.f("fk_rendez_vous_dossier_id_dossier")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_rendez_vous")),
        schema="imilo",
        comment="One row per migrated P3 rendez_vous.",
    )
    op.create_index(
        op.f("ix_rendez_vous_dossier_id"),
        "rendez_vous",
        ["dossier_id"],
        unique=False,
        schema="imilo",
    )
    op.create_index(op.f("ix_rendez_vous_ml"), "rendez_vous", ["ml"], unique=False, schema="imilo")
    op.create_table(
        "ressource",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("ml", sa.String(length=8), nullable=False),
        sa.Column("code_structure", sa.String(length=16), nullable=True),
        sa.Column("dossier_id", sa.BigInteger(), nullable=True),
        sa.Column("type_ressource", sa.Text(), nullable=True),
        sa.Column("montant", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["dossier_id"], ["imilo.dossier.id"], name=op.f("fk_ressource_dossier_id_dossier")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ressource")),
        schema="imilo",
        comment="One row per migrated P3 ressource.",
    )
    op.create_index(
        op.f("ix_ressource_dossier_id"), "ressource", ["dossier_id"], unique=False, schema="imilo"
    )
    op.create_index(op.f("ix_ressource_ml"), "ressource", ["ml"], unique=False, schema="imilo")
    op.create_table(
        "service_entreprise",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("ml", sa.String(length=8), nullable=False),
        sa.Column("code_structure", sa.String(length=16), nullable=True),
        sa.Column("entreprise_id", sa.BigInteger(), nullable=True),
        sa.Column("intitule_poste", sa.Text(), nullable=True),
        sa.Column("nb_postes", sa.Text(), nullable=True),
        sa.Column("type_contrat", sa.Text(), nullable=True),
        sa.Column("salaire", sa.Text(), nullable=True),
        sa.Column("duree_travail", sa.Text(), nullable=True),
        sa.Column("date_debut", sa.Date(), nullable=True),
        sa.Column("date_fin", sa.Date(), nullable=True),
        sa.Column("statut", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["entreprise_id"],
            ["imilo.entreprise.id"],
            name=op.f("fk_service_entreprise_entreprise_id_entreprise"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_service_entreprise")),
        schema="imilo",
        comment="One row per migrated P3 service_entreprise.",
    )
    op.create_index(
        op.f("ix_service_entreprise_entreprise_id"),
        "service_entreprise",
        ["entreprise_id"],
        unique=False,
        schema="imilo",
    )
    op.create_index(
        op.f("ix_service_entreprise_ml"), "service_entreprise", ["ml"], unique=False, schema="imilo"
    )
    op.create_table(
        "situation",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("ml", sa.String(length=8), nullable=False),
        sa.Column("code_structure", sa.String(length=16), nullable=True),
        sa.Column("dossier_id", sa.BigInteger(), nullable=True),
        sa.Column("code_situation", sa.Text(), nullable=True),
        sa.Column("code_contrat", sa.Text(), nullable=True),
        sa.Column("date_debut", sa.Date(), nullable=True),
        sa.Column("date_fin", sa.Date(), nullable=True),
        sa.ForeignKeyConstraint(
            ["dossier_id"], ["imilo.dossier.id"], name=op.f("fk_situation_dossier_id_dossier")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_situation")),
        schema="imilo",
        comment="One row per migrated P3 situation.",
    )
    op.create_index(
        op.f("ix_situation_dossier_id"), "situation", ["dossier_id"], unique=False, schema="imilo"
    )
    op.create_index(op.f("ix_situation_ml"), "situation", ["ml"], unique=False, schema="imilo")
    op.create_table(
        "structure_administrative",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("ml", sa.String(length=8), nullable=False),
        sa.Column("code_structure", sa.String(length=16), nullable=True),
        sa.Column("structure_id", sa.BigInteger(), nullable=True),
        sa.Column("siret", sa.Text(), nullable=True),
        sa.Column("raison_sociale", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["structure_id"],
            ["imilo.structure.id"],
            name=op.f("fk_structure_administrative_structure_id_structure"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_structure_administrative")),
        schema="imilo",
        comment="One row per migrated P3 structure_administrative.",
    )
    op.create_index(
        op.f("ix_structure_administrative_ml"),
        "structure_administrative",
        ["ml"],
        unique=False,
        schema="imilo",
    )
    op.create_index(
        op.f("ix_structure_administrative_structure_id"),
        "structure_administrative",
        ["structure_id"],
        unique=False,
        schema="imilo",
    )
    op.create_table(
        "tache",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("ml", sa.String(length=8), nullable=False),
        sa.Column("code_structure", sa.String(length=16), nullable=True),
        sa.Column("dossier_id", sa.BigInteger(), nullable=True),
        sa.Column("libelle", sa.Text(), nullable=True),
        sa.Column("date_echeance", sa.Date(), nullable=True),
        sa.ForeignKeyConstraint(
            ["dossier_id"], ["imilo.dossier.id"], name=op.f("fk_tache_dossier_id_dossier")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_tache")),
        schema="imilo",
        comment="One row per migrated P3 tache.",
    )
    op.create_index(
        op.f("ix_tache_dossier_id"), "tache", ["dossier_id"], unique=False, schema="imilo"
    )
    op.create_index(op.f("ix_tache_ml"), "tache", ["ml"], unique=False, schema="imilo")
    op.create_table(
        "zone_couverture",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("ml", sa.String(length=8), nullable=False),
        sa.Column("code_structure", sa.String(length=16), nullable=True),
        sa.Column("structure_id", sa.BigInteger(), nullable=True),
        sa.Column("code_commune_insee", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["structure_id"],
            ["imilo.structure.id"],
            name=op.f("fk_zone_couverture_structure_id_structure"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_zone_couverture")),
        schema="imilo",
        comment="One row per migrated P3 zone_couverture.",
    )
    op.create_index(
        op.f("ix_zone_couverture_ml"), "zone_couverture", ["ml"], unique=False, schema="imilo"
    )
    op.create_index(
        op.f("ix_zone_couverture_structure_id"),
        "zone_couverture",
        ["structure_id"],
        unique=False,
        schema="imilo",
    )
    op.create_table(
        "id_map",
        sa.Column("ml", sa.String(length=8), nullable=False),
        sa.Column("object_type", sa.String(length=64), nullable=False),
        sa.Column("plateforme", sa.Integer(), nullable=False),
        sa.Column("id_p3", sa.Text(), nullable=False),
        sa.Column("imilo_id", sa.BigInteger(), nullable=False),
        sa.Column("run_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["run_id"], ["migration.run.id"], name=op.f("fk_id_map_run_id_run")
        ),
        sa.PrimaryKeyConstraint("ml", "object_type", "plateforme", "id_p3", name=op.f("pk_id_map")),
        schema="migration",
        comment="One row per migrated object of an ML: its P3 id on its plateforme, its i-milo id.",
    )
    op.create_table(
        "object_count",
        sa.Column("run_id", sa.Integer(), nullable=False),
        sa.Column("object_type", sa.String(length=64), nullable=False),
        sa.Column("family", sa.String(length=32), nullable=False),
        sa.Column("read", sa.Integer(), nullable=False),
        sa.Column("migrated", sa.Integer(), nullable=False),
        sa.Column("rejected", sa.Integer(), nullable=False),
        sa.Column("migrated_with_errors", sa.Integer(), nullable=False),
        sa.Column("out_of_scope", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["run_id"], ["migration.run.id"], name=op.f("fk_object_count_run_id_run")
        ),
        sa.PrimaryKeyConstraint("run_id", "object_type", name=op.f("pk_object_count")),
        schema="migration",
        comment="One row per run and object type: the conservation counts.",
    )
    op.create_table(
        "out_of_scope",
        sa.Column("run_id", sa.Integer(), nullable=False),
        sa.Column("object_type", sa.String(length=64), nullable=False),
        sa.Column("line_no", sa.Integer(), nullable=False),
        sa.Column("id_p3", sa.Text(), nullable=True),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["run_id"], ["migration.run.id"], name=op.f("fk_out_of_scope_run_id_run")
        ),
        sa.PrimaryKeyConstraint("run_id", "object_type", "line_no", name=op.f("pk_out_of_scope")),
        schema="migration",
        comment="One row per P3 row a run read but left out of its scope, with the reason.",
    )
    op.create_table(
        "reject",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("run_id", sa.Integer(), nullable=False),
        sa.Column("regle", sa.String(length=64), nullable=False),
        sa.Column("blocking", sa.Boolean(), nullable=False),
        sa.Column("niveau", sa.String(length=8), nullable=False),
        sa.Column("heure", sa.DateTime(timezone=True), nullable=False),
        sa.Column("type_objet", sa.String(length=64), nullable=False),
        sa.Column("id_p3", sa.Text(), nullable=True),
        sa.Column("id_parent", sa.Text(), nullable=True),
        sa.Column("info_complementaire", sa.Text(), nullable=True),
        sa.Column("info_demat", sa.Text(), nullable=True),
        sa.Column("info_objet", sa.Text(), nullable=True),
        sa.Column("info2_objet", sa.Text(), nullable=True),
        sa.Column("vide", sa.Text(), nullable=True),
        sa.Column("plateforme", sa.Integer(), nullable=True),
        sa.Column("code_structure", sa.Text(), nullable=True),
        sa.Column("type_erreur", sa.Text(), nullable=True),
        sa.Column("libelle_element", sa.Text(), nullable=True),
        sa.Column("champ", sa.Text(), nullable=True),
        sa.Column("valeur", sa.Text(), nullable=True),
        sa.Column("bloquant", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["run_id"], ["migration.run.id"], name=op.f("fk_reject_run_id_run")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_reject")),
        schema="migration",
        comment="One row per fault found in a run: the rule code and the report's columns A–Q.",
    )
    op.create_index(
        op.f("ix_reject_run_id_type_objet_blocking"),
        "reject",
        ["run_id", "type_objet", "blocking"],
        unique=False,
        schema="migration",
    )
    op.create_table(
        "avenant",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("ml", sa.String(length=8), nullable=False),
        sa.Column("code_structure", sa.String(length=16), nullable=True),
        sa.Column("demat_id", sa.BigInteger(), nullable=True),
        sa.Column("secteur", sa.Text(), nullable=True),
        sa.Column("date_avenant", sa.Date(), nullable=True),
        sa.ForeignKeyConstraint(
            ["demat_id"], ["imilo.demat.id"], name=op.f("fk_avenant_demat_id_demat")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_avenant")),
        schema="imilo",
        comment="One row per migrated P3 avenant.",
    )
    op.create_index(
        op.f("ix_avenant_demat_id"), "avenant", ["demat_id"], unique=False, schema="imilo"
    )
    op.create_index(op.f("ix_avenant_ml"), "avenant", ["ml"], unique=False, schema="imilo")
    op.create_table(
        "engagement",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("ml", sa.String(length=8), nullable=False),
        sa.Column("code_structure", sa.String(length=16), nullable=True),
        sa.Column("dispositif_instance_id", sa.BigInteger(), nullable=True),
        sa.Column("date_engagement", sa.Date(), nullable=True),
        sa.Column("libelle", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["dispositif_instance_id"],
            ["imilo.dispositif_instance.id"],
            name=op.f("fk_engagement_dispositif_instance_id_dispositif_instance"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_engagement")),
        schema="imilo",
        comment="One row per migrated P3 engagement.",
    )
    op.create_index(
        op.f("ix_engagement_dispositif_instance_id"),
        "engagement",
        ["dispositif_instance_id"],
        unique=False,
        schema="imilo",
    )
    op.create_index(op.f("ix_engagement_ml"), "engagement", ["ml"], unique=False, schema="imilo")
    op.create_table(
        "proposition",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("ml", sa.String(length=8), nullable=False),
        sa.Column("code_structure", sa.String(length=16), nullable=True),
        sa.Column("rubrique_id", sa.BigInteger(), nullable=True),
        sa.Column("service_entreprise_id", sa.BigInteger(), nullable=True),
        sa.Column("dossier_id", sa.BigInteger(), nullable=True),
        sa.Column("date_proposition", sa.Date(), nullable=True),
        sa.Column("modalite", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["dossier_id"], ["imilo.dossier.id"], name=op.f("fk_proposition_dossier_id_dossier")
        ),
        sa.ForeignKeyConstraint(
            ["rubrique_id"], ["imilo.rubrique.id"], name=op.f("fk_proposition_rubrique_id_rubrique")
        ),
        sa.ForeignKeyConstraint(
            ["service_entreprise_id"],
            ["imilo.service_entreprise.id"],
            name=op.f("fk_proposition_service_entreprise_id_service_entreprise"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_proposition")),
        schema="imilo",
        comment="One row per migrated P3 proposition.",
    )
    op.create_index(
        op.f("ix_proposition_dossier_id"),
        "proposition",
        ["dossier_id"],
        unique=False,
        schema="imilo",
    )
    op.create_index(op.f("ix_proposition_ml"), "proposition", ["ml"], unique=False, schema="imilo")
    op.create_index(
        op.f("ix_proposition_rubrique_id"),
        "proposition",
        ["rubrique_id"],
        unique=False,
        schema="imilo",
    )
    op.create_index(
        op.f("ix_proposition_service_entreprise_id"),
        "proposition",
        ["service_entreprise_id"],
        unique=False,
        schema="imilo",
    )
    op.create_table(
        "versement",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("ml", sa.String(length=8), nullable=False),
        sa.Column("code_structure", sa.String(length=16), nullable=True),
        sa.Column("dispositif_instance_id", sa.BigInteger(), nullable=True),
        sa.Column("date_versement", sa.Date(), nullable=True),
        sa.Column("montant", sa.Numeric(precision=12, scale=2), nullable=True),
        sa.ForeignKeyConstraint(
            ["dispositif_instance_id"],
            ["imilo.dispositif_instance.id"],
            name=op.f("fk_versement_dispositif_instance_id_dispositif_instance"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_versement")),
        schema="imilo",
        comment="One row per migrated P3 versement.",
    )
    op.create_index(
        op.f("ix_versement_dispositif_instance_id"),
        "versement",
        ["dispositif_instance_id"],
        unique=False,
        schema="imilo",
    )
    op.create_index(op.f("ix_versement_ml"), "versement", ["ml"], unique=False, schema="imilo")


def downgrade() -> None:
    op.drop_index(op.f("ix_versement_ml"), table_name="versement", schema="imilo")
    op.drop_index(
        op.f("ix_versement_dispositif_instance_id"), table_name="versement", schema="imilo"
    )
    op.drop_table("versement", schema="imilo")
    op.drop_index(
        op.f("ix_proposition_service_entreprise_id"), table_name="proposition", schema="imilo"
    )
    op.drop_index(op.f("ix_proposition_rubrique_id"), table_name="proposition", schema="imilo")
    op.drop_index(op.f("ix_proposition_ml"), table_name="proposition", schema="imilo")
    op.drop_index(op.f("ix_proposition_dossier_id"), table_name="proposition", schema="imilo")
    op.drop_table("proposition", schema="imilo")
    op.drop_index(op.f("ix_engagement_ml"), table_name="engagement", schema="imilo")
    op.drop_index(
        op.f("ix_engagement_dispositif_instance_id"), table_name="engagement", schema="imilo"
    )
    op.drop_table("engagement", schema="imilo")
    op.drop_index(op.f("ix_avenant_ml"), table_name="avenant", schema="imilo")
    op.drop_index(op.f("ix_avenant_demat_id"), table_name="avenant", schema="imilo")
    op.drop_table("avenant", schema="imilo")
    op.drop_index(
        op.f("ix_reject_run_id_type_objet_blocking"), table_name="reject", schema="migration"
    )
    op.drop_table("reject", schema="migration")
    op.drop_table("out_of_scope", schema="migration")
    op.drop_table("object_count", schema="migration")
    op.drop_table("id_map", schema="migration")
    op.drop_index(
        op.f("ix_zone_couverture_structure_id"), table_name="zone_couverture", schema="imilo"
    )
    op.drop_index(op.f("ix_zone_couverture_ml"), table_name="zone_couverture", schema="imilo")
    op.drop_table("zone_couverture", schema="imilo")
    op.drop_index(op.f("ix_tache_ml"), table_name="tache", schema="imilo")
    op.drop_index(op.f("ix_tache_dossier_id"), table_name="tache", schema="imilo")
    op.drop_table("tache", schema="imilo")
    op.drop_index(
        op.f("ix_structure_administrative_structure_id"),
        table_name="structure_administrative",
        schema="imilo",
    )
    op.drop_index(
        op.f("ix_structure_administrative_ml"),
        table_name="structure_administrative",
        schema="imilo",
    )
    op.drop_table("structure_administrative", schema="imilo")
    op.drop_index(op.f("ix_situation_ml"), table_name="situation", schema="imilo")
    op.drop_index(op.f("ix_situation_dossier_id"), table_name="situation", schema="imilo")
    op.drop_table("situation", schema="imilo")
    op.drop_index(op.f("ix_service_entreprise_ml"), table_name="service_entreprise", schema="imilo")
    op.drop_index(
        op.f("ix_service_entreprise_entreprise_id"), table_name="service_entreprise", schema="imilo"
    )
    op.drop_table("service_entreprise", schema="imilo")
    op.drop_index(op.f("ix_ressource_ml"), table_name="ressource", schema="imilo")
    op.drop_index(op.f("ix_ressource_dossier_id"), table_name="ressource", schema="imilo")
    op.drop_table("ressource", schema="imilo")
    op.drop_index(op.f("ix_rendez_vous_ml"), table_name="rendez_vous", schema="imilo")
    op.drop_index(op.f("ix_rendez_vous_dossier_id"), table_name="rendez_vous", schema="imilo")
    op.drop_table("rendez_vous", schema="imilo")
    op.drop_index(op.f("ix_referent_ml"), table_name="referent", schema="imilo")
    op.drop_index(op.f("ix_referent_dossier_id"), table_name="referent", schema="imilo")
    op.drop_table("referent", schema="imilo")
    op.drop_index(op.f("ix_rattachement_ml"), table_name="rattachement", schema="imilo")
    op.drop_index(op.f("ix_rattachement_dossier_id"), table_name="rattachement", schema="imilo")
    op.drop_table("rattachement", schema="imilo")
    op.drop_index(op.f("ix_projet_ml"), table_name="projet", schema="imilo")
    op.drop_index(op.f("ix_projet_dossier_id"), table_name="projet", schema="imilo")
    op.drop_table("projet", schema="imilo")
    op.drop_index(op.f("ix_personne_ressource_ml"), table_name="personne_ressource", schema="imilo")
    op.drop_index(
        op.f("ix_personne_ressource_entreprise_id"), table_name="personne_ressource", schema="imilo"
    )
    op.drop_table("personne_ressource", schema="imilo")
    op.drop_index(op.f("ix_permis_conduire_ml"), table_name="permis_conduire", schema="imilo")
    op.drop_index(
        op.f("ix_permis_conduire_dossier_id"), table_name="permis_conduire", schema="imilo"
    )
    op.drop_table("permis_conduire", schema="imilo")
    op.drop_index(op.f("ix_moyen_locomotion_ml"), table_name="moyen_locomotion", schema="imilo")
    op.drop_index(
        op.f("ix_moyen_locomotion_dossier_id"), table_name="moyen_locomotion", schema="imilo"
    )
    op.drop_table("moyen_locomotion", schema="imilo")
    op.drop_index(op.f("ix_moyen_garde_ml"), table_name="moyen_garde", schema="imilo")
    op.drop_index(op.f("ix_moyen_garde_dossier_id"), table_name="moyen_garde", schema="imilo")
    op.drop_table("moyen_garde", schema="imilo")
    op.drop_index(op.f("ix_loisirs_ml"), table_name="loisirs", schema="imilo")
    op.drop_index(op.f("ix_loisirs_dossier_id"), table_name="loisirs", schema="imilo")
    op.drop_table("loisirs", schema="imilo")
    op.drop_index(op.f("ix_langue_ml"), table_name="langue", schema="imilo")
    op.drop_index(op.f("ix_langue_dossier_id"), table_name="langue", schema="imilo")
    op.drop_table("langue", schema="imilo")
    op.drop_index(op.f("ix_historique_statut_ml"), table_name="historique_statut", schema="imilo")
    op.drop_index(
        op.f("ix_historique_statut_dossier_id"), table_name="historique_statut", schema="imilo"
    )
    op.drop_table("historique_statut", schema="imilo")
    op.drop_index(
        op.f("ix_dispositif_instance_ml"), table_name="dispositif_instance", schema="imilo"
    )
    op.drop_index(
        op.f("ix_dispositif_instance_dossier_id"), table_name="dispositif_instance", schema="imilo"
    )
    op.drop_index(
        op.f("ix_dispositif_instance_dispositif_id"),
        table_name="dispositif_instance",
        schema="imilo",
    )
    op.drop_table("dispositif_instance", schema="imilo")
    op.drop_index(op.f("ix_demat_ml"), table_name="demat", schema="imilo")
    op.drop_index(op.f("ix_demat_dossier_id"), table_name="demat", schema="imilo")
    op.drop_table("demat", schema="imilo")
    op.drop_index(op.f("ix_demande_jeune_ml"), table_name="demande_jeune", schema="imilo")
    op.drop_index(op.f("ix_demande_jeune_dossier_id"), table_name="demande_jeune", schema="imilo")
    op.drop_table("demande_jeune", schema="imilo")
    op.drop_index(op.f("ix_cursus_ml"), table_name="cursus", schema="imilo")
    op.drop_index(op.f("ix_cursus_dossier_id"), table_name="cursus", schema="imilo")
    op.drop_table("cursus", schema="imilo")
    op.drop_index(op.f("ix_connaissance_ml"), table_name="connaissance", schema="imilo")
    op.drop_index(op.f("ix_connaissance_dossier_id"), table_name="connaissance", schema="imilo")
    op.drop_table("connaissance", schema="imilo")
    op.drop_index(
        op.f("ix_configuration_dispositif_ml"),
        table_name="configuration_dispositif",
        schema="imilo",
    )
    op.drop_index(
        op.f("ix_configuration_dispositif_dispositif_id"),
        table_name="configuration_dispositif",
        schema="imilo",
    )
    op.drop_table("configuration_dispositif", schema="imilo")
    op.drop_index(op.f("ix_adresse_ml"), table_name="adresse", schema="imilo")
    op.drop_index(op.f("ix_adresse_dossier_id"), table_name="adresse", schema="imilo")
    op.drop_table("adresse", schema="imilo")
    op.drop_index(
        op.f("ix_actualite_entreprise_ml"), table_name="actualite_entreprise", schema="imilo"
    )
    op.drop_index(
        op.f("ix_actualite_entreprise_entreprise_id"),
        table_name="actualite_entreprise",
        schema="imilo",
    )
    op.drop_table("actualite_entreprise", schema="imilo")
    op.drop_index(op.f("ix_actualite_dossier_ml"), table_name="actualite_dossier", schema="imilo")
    op.drop_index(
        op.f("ix_actualite_dossier_dossier_id"), table_name="actualite_dossier", schema="imilo"
    )
    op.drop_table("actualite_dossier", schema="imilo")
    op.drop_index(op.f("ix_run_ml"), table_name="run", schema="migration")
    op.drop_table("run", schema="migration")
    op.drop_index(op.f("ix_utilisateur_ml"), table_name="utilisateur", schema="imilo")
    op.drop_table("utilisateur", schema="imilo")
    op.drop_index(op.f("ix_structure_ml"), table_name="structure", schema="imilo")
    op.drop_table("structure", schema="imilo")
    op.drop_index(op.f("ix_rubrique_ml"), table_name="rubrique", schema="imilo")
    op.drop_table("rubrique", schema="imilo")
    op.drop_index(op.f("ix_reference_ml"), table_name="reference", schema="imilo")
    op.drop_table("reference", schema="imilo")
    op.drop_index(op.f("ix_intitule_formation_ml"), table_name="intitule_formation", schema="imilo")
    op.drop_table("intitule_formation", schema="imilo")
    op.drop_index(op.f("ix_entreprise_ml"), table_name="entreprise", schema="imilo")
    op.drop_table("entreprise", schema="imilo")
    op.drop_index(op.f("ix_dossier_ml"), table_name="dossier", schema="imilo")
    op.drop_table("dossier", schema="imilo")
    op.drop_index(op.f("ix_dispositif_ml"), table_name="dispositif", schema="imilo")
    op.drop_table("dispositif", schema="imilo")
    op.drop_table("decisionnel_mensuel", schema="imilo")
    op.drop_index(op.f("ix_contexte_dossier_ml"), table_name="contexte_dossier", schema="imilo")
    op.drop_table("contexte_dossier", schema="imilo")
