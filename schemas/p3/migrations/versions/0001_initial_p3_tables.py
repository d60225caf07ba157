"""initial p3 tables

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
        "extract",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("path", sa.Text(), nullable=False),
        sa.Column("plateforme", sa.Integer(), nullable=False),
        sa.Column("extracted_at", sa.DateTime(), nullable=False),
        sa.Column("encoding", sa.String(length=32), nullable=False),
        sa.Column("structures", sa.JSON(), nullable=False),
        sa.Column(
            "loaded_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_extract")),
        schema="p3",
        comment="One row per P3 extract loaded (manifest.json of the extract folder).",
    )
    op.create_table(
        "actualite_dossier",
        sa.Column("extract_id", sa.Integer(), nullable=False),
        sa.Column(
            "line_no", sa.Integer(), nullable=False, comment="line of the row in its CSV file"
        ),
        sa.Column("id_actualite_dossier", sa.Text(), nullable=True),
        sa.Column("code_structure", sa.Text(), nullable=True),
        sa.Column("id_dossier", sa.Text(), nullable=True),
        sa.Column("date_actualite", sa.Text(), nullable=True),
        sa.Column("type", sa.Text(), nullable=True),
        sa.Column("libelle", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["extract_id"],
            ["p3.extract.id"],
            name=op.f("fk_actualite_dossier_extract_id_extract"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("extract_id", "line_no", name=op.f("pk_actualite_dossier")),
        schema="p3",
        comment="One row per line of actualite_dossier.csv of an extract, values as read.",
    )
    op.create_index(
        op.f("ix_actualite_dossier_extract_id_id_actualite_dossier"),
        "actualite_dossier",
        ["extract_id", "id_actualite_dossier"],
        unique=False,
        schema="p3",
    )
    op.create_table(
        "actualite_entreprise",
        sa.Column("extract_id", sa.Integer(), nullable=False),
        sa.Column(
            "line_no", sa.Integer(), nullable=False, comment="line of the row in its CSV file"
        ),
        sa.Column("id_actualite_entreprise", sa.Text(), nullable=True),
        sa.Column("code_structure", sa.Text(), nullable=True),
        sa.Column("id_entreprise", sa.Text(), nullable=True),
        sa.Column("date_actualite", sa.Text(), nullable=True),
        sa.Column("libelle", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["extract_id"],
            ["p3.extract.id"],
            name=op.f("fk_actualite_entreprise_extract_id_extract"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("extract_id", "line_no", name=op.f("pk_actualite_entreprise")),
        schema="p3",
        comment="One row per line of actualite_entreprise.csv of an extract, values as read.",
    )
    op.create_index(
        op.f("ix_actualite_entreprise_extract_id_id_actualite_entreprise"),
        "actualite_entreprise",
        ["extract_id", "id_actualite_entreprise"],
        unique=False,
        schema="p3",
    )
    op.create_table(
        "adresse",
        sa.Column("extract_id", sa.Integer(), nullable=False),
        sa.Column(
            "line_no", sa.Integer(), nullable=False, comment="line of the row in its CSV file"
        ),
        sa.Column("id_adresse", sa.Text(), nullable=True),
        sa.Column("code_structure", sa.Text(), nullable=True),
        sa.Column("id_dossier", sa.Text(), nullable=True),
        sa.Column("ligne1", sa.Text(), nullable=True),
        sa.Column("code_postal", sa.Text(), nullable=True),
        sa.Column("commune", sa.Text(), nullable=True),
        sa.Column("date_debut", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["extract_id"],
            ["p3.extract.id"],
            name=op.f("fk_adresse_extract_id_extract"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("extract_id", "line_no", name=op.f("pk_adresse")),
        schema="p3",
        comment="One row per line of adresse.csv of an extract, values as read.",
    )
    op.create_index(
        op.f("ix_adresse_extract_id_id_adresse"),
        "adresse",
        ["extract_id", "id_adresse"],
        unique=False,
        schema="p3",
    )
    op.create_table(
        "avenant",
        sa.Column("extract_id", sa.Integer(), nullable=False),
        sa.Column(
            "line_no", sa.Integer(), nullable=False, comment="line of the row in its CSV file"
        ),
        sa.Column("id_avenant", sa.Text(), nullable=True),
        sa.Column("code_structure", sa.Text(), nullable=True),
        sa.Column("id_demat", sa.Text(), nullable=True),
        sa.Column("secteur", sa.Text(), nullable=True),
        sa.Column("date_avenant", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["extract_id"],
            ["p3.extract.id"],
            name=op.f("fk_avenant_extract_id_extract"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("extract_id", "line_no", name=op.f("pk_avenant")),
        schema="p3",
        comment="One row per line of avenant.csv of an extract, values as read.",
    )
    op.create_index(
        op.f("ix_avenant_extract_id_id_avenant"),
        "avenant",
        ["extract_id", "id_avenant"],
        unique=False,
        schema="p3",
    )
    op.create_table(
        "configuration_dispositif",
        sa.Column("extract_id", sa.Integer(), nullable=False),
        sa.Column(
            "line_no", sa.Integer(), nullable=False, comment="line of the row in its CSV file"
        ),
        sa.Column("id_configuration_dispositif", sa.Text(), nullable=True),
        sa.Column("code_structure", sa.Text(), nullable=True),
        sa.Column("id_dispositif", sa.Text(), nullable=True),
        sa.Column("parametre", sa.Text(), nullable=True),
        sa.Column("valeur", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["extract_id"],
            ["p3.extract.id"],
            name=op.f("fk_configuration_dispositif_extract_id_extract"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("extract_id", "line_no", name=op.f("pk_configuration_dispositif")),
        schema="p3",
        comment="One row per line of configuration_dispositif.csv of an extract, values as read.",
    )
    op.create_index(
        op.f("ix_configuration_dispositif_extract_id_id_configuration_dispositif"),
        "configuration_dispositif",
        ["extract_id", "id_configuration_dispositif"],
        unique=False,
        schema="p3",
    )
    op.create_table(
        "connaissance",
        sa.Column("extract_id", sa.Integer(), nullable=False),
        sa.Column(
            "line_no", sa.Integer(), nullable=False, comment="line of the row in its CSV file"
        ),
        sa.Column("id_connaissance", sa.Text(), nullable=True),
        sa.Column("code_structure", sa.Text(), nullable=True),
        sa.Column("id_dossier", sa.Text(), nullable=True),
        sa.Column("code_connaissance", sa.Text(), nullable=True),
        sa.Column("date_connaissance", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["extract_id"],
            ["p3.extract.id"],
            name=op.f("fk_connaissance_extract_id_extract"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("extract_id", "line_no", name=op.f("pk_connaissance")),
        schema="p3",
        comment="One row per line of connaissance.csv of an extract, values as read.",
    )
    op.create_index(
        op.f("ix_connaissance_extract_id_id_connaissance"),
        "connaissance",
        ["extract_id", "id_connaissance"],
        unique=False,
        schema="p3",
    )
    op.create_table(
        "contexte_dossier",
        sa.Column("extract_id", sa.Integer(), nullable=False),
        sa.Column(
            "line_no", sa.Integer(), nullable=False, comment="line of the row in its CSV file"
        ),
        sa.Column("id_contexte_dossier", sa.Text(), nullable=True),
        sa.Column("code_structure", sa.Text(), nullable=True),
        sa.Column("code", sa.Text(), nullable=True),
        sa.Column("libelle", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["extract_id"],
            ["p3.extract.id"],
            name=op.f("fk_contexte_dossier_extract_id_extract"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("extract_id", "line_no", name=op.f("pk_contexte_dossier")),
        schema="p3",
        comment="One row per line of contexte_dossier.csv of an extract, values as read.",
    )
    op.create_index(
        op.f("ix_contexte_dossier_extract_id_id_contexte_dossier"),
        "contexte_dossier",
        ["extract_id", "id_contexte_dossier"],
        unique=False,
        schema="p3",
    )
    op.create_table(
        "cursus",
        sa.Column("extract_id", sa.Integer(), nullable=False),
        sa.Column(
            "line_no", sa.Integer(), nullable=False, comment="line of the row in its CSV file"
        ),
        sa.Column("id_cursus", sa.Text(), nullable=True),
        sa.Column("code_structure", sa.Text(), nullable=True),
        sa.Column("id_dossier", sa.Text(), nullable=True),
        sa.Column("niveau_formation", sa.Text(), nullable=True),
        sa.Column("diplome", sa.Text(), nullable=True),
        sa.Column("date_fin", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["extract_id"],
            ["p3.extract.id"],
            name=op.f("fk_cursus_extract_id_extract"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("extract_id", "line_no", name=op.f("pk_cursus")),
        schema="p3",
        comment="One row per line of cursus.csv of an extract, values as read.",
    )
    op.create_index(
        op.f("ix_cursus_extract_id_id_cursus"),
        "cursus",
        ["extract_id", "id_cursus"],
        unique=False,
        schema="p3",
    )
    op.create_table(
        "demande_jeune",
        sa.Column("extract_id", sa.Integer(), nullable=False),
        sa.Column(
            "line_no", sa.Integer(), nullable=False, comment="line of the row in its CSV file"
        ),
        sa.Column("id_demande_jeune", sa.Text(), nullable=True),
        sa.Column("code_structure", sa.Text(), nullable=True),
        sa.Column("id_dossier", sa.Text(), nullable=True),
        sa.Column("date_demande", sa.Text(), nullable=True),
        sa.Column("libelle", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["extract_id"],
            ["p3.extract.id"],
            name=op.f("fk_demande_jeune_extract_id_extract"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("extract_id", "line_no", name=op.f("pk_demande_jeune")),
        schema="p3",
        comment="One row per line of demande_jeune.csv of an extract, values as read.",
    )
    op.create_index(
        op.f("ix_demande_jeune_extract_id_id_demande_jeune"),
        "demande_jeune",
        ["extract_id", "id_demande_jeune"],
        unique=False,
        schema="p3",
    )
    op.create_table(
        "demat",
        sa.Column("extract_id", sa.Integer(), nullable=False),
        sa.Column(
            "line_no", sa.Integer(), nullable=False, comment="line of the row in its CSV file"
        ),
        sa.Column("id_demat", sa.Text(), nullable=True),
        sa.Column("code_structure", sa.Text(), nullable=True),
        sa.Column("id_dossier", sa.Text(), nullable=True),
        sa.Column("type_demat", sa.Text(), nullable=True),
        sa.Column("type_aide", sa.Text(), nullable=True),
        sa.Column("date_demande", sa.Text(), nullable=True),
        sa.Column("statut", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["extract_id"],
            ["p3.extract.id"],
            name=op.f("fk_demat_extract_id_extract"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("extract_id", "line_no", name=op.f("pk_demat")),
        schema="p3",
        comment="One row per line of demat.csv of an extract, values as read.",
    )
    op.create_index(
        op.f("ix_demat_extract_id_id_demat"),
        "demat",
        ["extract_id", "id_demat"],
        unique=False,
        schema="p3",
    )
    op.create_table(
        "dispositif",
        sa.Column("extract_id", sa.Integer(), nullable=False),
        sa.Column(
            "line_no", sa.Integer(), nullable=False, comment="line of the row in its CSV file"
        ),
        sa.Column("id_dispositif", sa.Text(), nullable=True),
        sa.Column("code_structure", sa.Text(), nullable=True),
        sa.Column("code", sa.Text(), nullable=True),
        sa.Column("libelle", sa.Text(), nullable=True),
        sa.Column("niveau", sa.Text(), nullable=True),
        sa.Column("type", sa.Text(), nullable=True),
        sa.Column("date_debut", sa.Text(), nullable=True),
        sa.Column("date_fin", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["extract_id"],
            ["p3.extract.id"],
            name=op.f("fk_dispositif_extract_id_extract"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("extract_id", "line_no", name=op.f("pk_dispositif")),
        schema="p3",
        comment="One row per line of dispositif.csv of an extract, values as read.",
    )
    op.create_index(
        op.f("ix_dispositif_extract_id_id_dispositif"),
        "dispositif",
        ["extract_id", "id_dispositif"],
        unique=False,
        schema="p3",
    )
    op.create_table(
        "dispositif_instance",
        sa.Column("extract_id", sa.Integer(), nullable=False),
        sa.Column(
            "line_no", sa.Integer(), nullable=False, comment="line of the row in its CSV file"
        ),
        sa.Column("id_dispositif_instance", sa.Text(), nullable=True),
        sa.Column("code_structure", sa.Text(), nullable=True),
        sa.Column("id_dossier", sa.Text(), nullable=True),
        sa.Column("id_dispositif", sa.Text(), nullable=True),
        sa.Column("date_entree", sa.Text(), nullable=True),
        sa.Column("date_sortie", sa.Text(), nullable=True),
        sa.Column("statut", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["extract_id"],
            ["p3.extract.id"],
            name=op.f("fk_dispositif_instance_extract_id_extract"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("extract_id", "line_no", name=op.f("pk_dispositif_instance")),
        schema="p3",
        comment="One row per line of dispositif_instance.csv of an extract, values as read.",
    )
    op.create_index(
        op.f("ix_dispositif_instance_extract_id_id_dispositif_instance"),
        "dispositif_instance",
        ["extract_id", "id_dispositif_instance"],
        unique=False,
        schema="p3",
    )
    op.create_table(
        "dossier",
        sa.Column("extract_id", sa.Integer(), nullable=False),
        sa.Column(
            "line_no", sa.Integer(), nullable=False, comment="line of the row in its CSV file"
        ),
        sa.Column("id_dossier", sa.Text(), nullable=True),
        sa.Column("code_structure", sa.Text(), nullable=True),
        sa.Column("numero", sa.Text(), nullable=True),
        sa.Column("civilite", sa.Text(), nullable=True),
        sa.Column("nom", sa.Text(), nullable=True),
        sa.Column("prenom", sa.Text(), nullable=True),
        sa.Column("date_naissance", sa.Text(), nullable=True),
        sa.Column("email", sa.Text(), nullable=True),
        sa.Column("telephone", sa.Text(), nullable=True),
        sa.Column("identifiant_pe", sa.Text(), nullable=True),
        sa.Column("date_premier_accueil", sa.Text(), nullable=True),
        sa.Column("statut", sa.Text(), nullable=True),
        sa.Column("login_referent", sa.Text(), nullable=True),
        sa.Column("code_connaissance", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["extract_id"],
            ["p3.extract.id"],
            name=op.f("fk_dossier_extract_id_extract"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("extract_id", "line_no", name=op.f("pk_dossier")),
        schema="p3",
        comment="One row per line of dossier.csv of an extract, values as read.",
    )
    op.create_index(
        op.f("ix_dossier_extract_id_id_dossier"),
        "dossier",
        ["extract_id", "id_dossier"],
        unique=False,
        schema="p3",
    )
    op.create_table(
        "engagement",
        sa.Column("extract_id", sa.Integer(), nullable=False),
        sa.Column(
            "line_no", sa.Integer(), nullable=False, comment="line of the row in its CSV file"
        ),
        sa.Column("id_engagement", sa.Text(), nullable=True),
        sa.Column("code_structure", sa.Text(), nullable=True),
        sa.Column("id_dispositif_instance", sa.Text(), nullable=True),
        sa.Column("date_engagement", sa.Text(), nullable=True),
        sa.Column("libelle", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["extract_id"],
            ["p3.extract.id"],
            name=op.f("fk_engagement_extract_id_extract"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("extract_id", "line_no", name=op.f("pk_engagement")),
        schema="p3",
        comment="One row per line of engagement.csv of an extract, values as read.",
    )
    op.create_index(
        op.f("ix_engagement_extract_id_id_engagement"),
        "engagement",
        ["extract_id", "id_engagement"],
        unique=False,
        schema="p3",
    )
    op.create_table(
        "entreprise",
        sa.Column("extract_id", sa.Integer(), nullable=False),
        sa.Column(
            "line_no", sa.Integer(), nullable=False, comment="line of the row in its CSV file"
        ),
        sa.Column("id_entreprise", sa.Text(), nullable=True),
        sa.Column("code_structure", sa.Text(), nullable=True),
        sa.Column("raison_sociale", sa.Text(), nullable=True),
        sa.Column("siret", sa.Text(), nullable=True),
        sa.Column("code_naf", sa.Text(), nullable=True),
        sa.Column("adresse", sa.Text(), nullable=True),
        sa.Column("code_postal", sa.Text(), nullable=True),
        sa.Column("commune", sa.Text(), nullable=True),
        sa.Column("telephone", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["extract_id"],
            ["p3.extract.id"],
            name=op.f("fk_entreprise_extract_id_extract"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("extract_id", "line_no", name=op.f("pk_entreprise")),
        schema="p3",
        comment="One row per line of entreprise.csv of an extract, values as read.",
    )
    op.create_index(
        op.f("ix_entreprise_extract_id_id_entreprise"),
        "entreprise",
        ["extract_id", "id_entreprise"],
        unique=False,
        schema="p3",
    )
    op.create_table(
        "historique_statut",
        sa.Column("extract_id", sa.Integer(), nullable=False),
        sa.Column(
            "line_no", sa.Integer(), nullable=False, comment="line of the row in its CSV file"
        ),
        sa.Column("id_historique_statut", sa.Text(), nullable=True),
        sa.Column("code_structure", sa.Text(), nullable=True),
        sa.Column("id_dossier", sa.Text(), nullable=True),
        sa.Column("statut", sa.Text(), nullable=True),
        sa.Column("date_statut", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["extract_id"],
            ["p3.extract.id"],
            name=op.f("fk_historique_statut_extract_id_extract"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("extract_id", "line_no", name=op.f("pk_historique_statut")),
        schema="p3",
        comment="One row per line of historique_statut.csv of an extract, values as read.",
    )
    op.create_index(
        op.f("ix_historique_statut_extract_id_id_historique_statut"),
        "historique_statut",
        ["extract_id", "id_historique_statut"],
        unique=False,
        schema="p3",
    )
    op.create_table(
        "intitule_formation",
        sa.Column("extract_id", sa.Integer(), nullable=False),
        sa.Column(
            "line_no", sa.Integer(), nullable=False, comment="line of the row in its CSV file"
        ),
        sa.Column("id_intitule_formation", sa.Text(), nullable=True),
        sa.Column("code_structure", sa.Text(), nullable=True),
        sa.Column("libelle", sa.Text(), nullable=True),
        sa.Column("organisme", sa.Text(), nullable=True),
        sa.Column("code_formacode", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["extract_id"],
            ["p3.extract.id"],
            name=op.f("fk_intitule_formation_extract_id_extract"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("extract_id", "line_no", name=op.f("pk_intitule_formation")),
        schema="p3",
        comment="One row per line of intitule_formation.csv of an extract, values as read.",
    )
    op.create_index(
        op.f("ix_intitule_formation_extract_id_id_intitule_formation"),
        "intitule_formation",
        ["extract_id", "id_intitule_formation"],
        unique=False,
        schema="p3",
    )
    op.create_table(
        "langue",
        sa.Column("extract_id", sa.Integer(), nullable=False),
        sa.Column(
            "line_no", sa.Integer(), nullable=False, comment="line of the row in its CSV file"
        ),
        sa.Column("id_langue", sa.Text(), nullable=True),
        sa.Column("code_structure", sa.Text(), nullable=True),
        sa.Column("id_dossier", sa.Text(), nullable=True),
        sa.Column("langue", sa.Text(), nullable=True),
        sa.Column("niveau", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["extract_id"],
            ["p3.extract.id"],
            name=op.f("fk_langue_extract_id_extract"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("extract_id", "line_no", name=op.f("pk_langue")),
        schema="p3",
        comment="One row per line of langue.csv of an extract, values as read.",
    )
    op.create_index(
        op.f("ix_langue_extract_id_id_langue"),
        "langue",
        ["extract_id", "id_langue"],
        unique=False,
        schema="p3",
    )
    op.create_table(
        "loisirs",
        sa.Column("extract_id", sa.Integer(), nullable=False),
        sa.Column(
            "line_no", sa.Integer(), nullable=False, comment="line of the row in its CSV file"
        ),
        sa.Column("id_loisirs", sa.Text(), nullable=True),
        sa.Column("code_structure", sa.Text(), nullable=True),
        sa.Column("id_dossier", sa.Text(), nullable=True),
        sa.Column("libelle", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["extract_id"],
            ["p3.extract.id"],
            name=op.f("fk_loisirs_extract_id_extract"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("extract_id", "line_no", name=op.f("pk_loisirs")),
        schema="p3",
        comment="One row per line of loisirs.csv of an extract, values as read.",
    )
    op.create_index(
        op.f("ix_loisirs_extract_id_id_loisirs"),
        "loisirs",
        ["extract_id", "id_loisirs"],
        unique=False,
        schema="p3",
    )
    op.create_table(
        "moyen_garde",
        sa.Column("extract_id", sa.Integer(), nullable=False),
        sa.Column(
            "line_no", sa.Integer(), nullable=False, comment="line of the row in its CSV file"
        ),
        sa.Column("id_moyen_garde", sa.Text(), nullable=True),
        sa.Column("code_structure", sa.Text(), nullable=True),
        sa.Column("id_dossier", sa.Text(), nullable=True),
        sa.Column("type_garde", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["extract_id"],
            ["p3.extract.id"],
            name=op.f("fk_moyen_garde_extract_id_extract"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("extract_id", "line_no", name=op.f("pk_moyen_garde")),
        schema="p3",
        comment="One row per line of moyen_garde.csv of an extract, values as read.",
    )
    op.create_index(
        op.f("ix_moyen_garde_extract_id_id_moyen_garde"),
        "moyen_garde",
        ["extract_id", "id_moyen_garde"],
        unique=False,
        schema="p3",
    )
    op.create_table(
        "moyen_locomotion",
        sa.Column("extract_id", sa.Integer(), nullable=False),
        sa.Column(
            "line_no", sa.Integer(), nullable=False, comment="line of the row in its CSV file"
        ),
        sa.Column("id_moyen_locomotion", sa.Text(), nullable=True),
        sa.Column("code_structure", sa.Text(), nullable=True),
        sa.Column("id_dossier", sa.Text(), nullable=True),
        sa.Column("type_locomotion", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["extract_id"],
            ["p3.extract.id"],
            name=op.f("fk_moyen_locomotion_extract_id_extract"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("extract_id", "line_no", name=op.f("pk_moyen_locomotion")),
        schema="p3",
        comment="One row per line of moyen_locomotion.csv of an extract, values as read.",
    )
    op.create_index(
        op.f("ix_moyen_locomotion_extract_id_id_moyen_locomotion"),
        "moyen_locomotion",
        ["extract_id", "id_moyen_locomotion"],
        unique=False,
        schema="p3",
    )
    op.create_table(
        "permis_conduire",
        sa.Column("extract_id", sa.Integer(), nullable=False),
        sa.Column(
            "line_no", sa.Integer(), nullable=False, comment="line of the row in its CSV file"
        ),
        sa.Column("id_permis_conduire", sa.Text(), nullable=True),
        sa.Column("code_structure", sa.Text(), nullable=True),
        sa.Column("id_dossier", sa.Text(), nullable=True),
        sa.Column("categorie", sa.Text(), nullable=True),
        sa.Column("date_obtention", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["extract_id"],
            ["p3.extract.id"],
            name=op.f("fk_permis_conduire_extract_id_extract"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("extract_id", "line_no", name=op.f("pk_permis_conduire")),
        schema="p3",
        comment="One row per line of permis_conduire.csv of an extract, values as read.",
    )
    op.create_index(
        op.f("ix_permis_conduire_extract_id_id_permis_conduire"),
        "permis_conduire",
        ["extract_id", "id_permis_conduire"],
        unique=False,
        schema="p3",
    )
    op.create_table(
        "personne_ressource",
        sa.Column("extract_id", sa.Integer(), nullable=False),
        sa.Column(
            "line_no", sa.Integer(), nullable=False, comment="line of the row in its CSV file"
        ),
        sa.Column("id_personne_ressource", sa.Text(), nullable=True),
        sa.Column("code_structure", sa.Text(), nullable=True),
        sa.Column("id_entreprise", sa.Text(), nullable=True),
        sa.Column("nom", sa.Text(), nullable=True),
        sa.Column("prenom", sa.Text(), nullable=True),
        sa.Column("email", sa.Text(), nullable=True),
        sa.Column("telephone", sa.Text(), nullable=True),
        sa.Column("fonction", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["extract_id"],
            ["p3.extract.id"],
            name=op.f("fk_personne_ressource_extract_id_extract"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("extract_id", "line_no", name=op.f("pk_personne_ressource")),
        schema="p3",
        comment="One row per line of personne_ressource.csv of an extract, values as read.",
    )
    op.create_index(
        op.f("ix_personne_ressource_extract_id_id_personne_ressource"),
        "personne_ressource",
        ["extract_id", "id_personne_ressource"],
        unique=False,
        schema="p3",
    )
    op.create_table(
        "projet",
        sa.Column("extract_id", sa.Integer(), nullable=False),
        sa.Column(
            "line_no", sa.Integer(), nullable=False, comment="line of the row in its CSV file"
        ),
        sa.Column("id_projet", sa.Text(), nullable=True),
        sa.Column("code_structure", sa.Text(), nullable=True),
        sa.Column("id_dossier", sa.Text(), nullable=True),
        sa.Column("libelle", sa.Text(), nullable=True),
        sa.Column("date_projet", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["extract_id"],
            ["p3.extract.id"],
            name=op.f("fk_projet_extract_id_extract"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("extract_id", "line_no", name=op.f("pk_projet")),
        schema="p3",
        comment="One row per line of projet.csv of an extract, values as read.",
    )
    op.create_index(
        op.f("ix_projet_extract_id_id_projet"),
        "projet",
        ["extract_id", "id_projet"],
        unique=False,
        schema="p3",
    )
    op.create_table(
        "proposition",
        sa.Column("extract_id", sa.Integer(), nullable=False),
        sa.Column(
            "line_no", sa.Integer(), nullable=False, comment="line of the row in its CSV file"
        ),
        sa.Column("id_proposition", sa.Text(), nullable=True),
        sa.Column("code_structure", sa.Text(), nullable=True),
        sa.Column("id_dossier", sa.Text(), nullable=True),
        sa.Column("id_rubrique", sa.Text(), nullable=True),
        sa.Column("date_proposition", sa.Text(), nullable=True),
        sa.Column("modalite", sa.Text(), nullable=True),
        sa.Column("id_service_entreprise", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["extract_id"],
            ["p3.extract.id"],
            name=op.f("fk_proposition_extract_id_extract"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("extract_id", "line_no", name=op.f("pk_proposition")),
        schema="p3",
        comment="One row per line of proposition.csv of an extract, values as read.",
    )
    op.create_index(
        op.f("ix_proposition_extract_id_id_proposition"),
        "proposition",
        ["extract_id", "id_proposition"],
        unique=False,
        schema="p3",
    )
    op.create_table(
        "rattachement",
        sa.Column("extract_id", sa.Integer(), nullable=False),
        sa.Column(
            "line_no", sa.Integer(), nullable=False, comment="line of the row in its CSV file"
        ),
        sa.Column("id_rattachement", sa.Text(), nullable=True),
        sa.Column("code_structure", sa.Text(), nullable=True),
        sa.Column("id_dossier", sa.Text(), nullable=True),
        sa.Column("code_structure_rattachement", sa.Text(), nullable=True),
        sa.Column("date_debut", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["extract_id"],
            ["p3.extract.id"],
            name=op.f("fk_rattachement_extract_id_extract"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("extract_id", "line_no", name=op.f("pk_rattachement")),
        schema="p3",
        comment="One row per line of rattachement.csv of an extract, values as read.",
    )
    op.create_index(
        op.f("ix_rattachement_extract_id_id_rattachement"),
        "rattachement",
        ["extract_id", "id_rattachement"],
        unique=False,
        schema="p3",
    )
    op.create_table(
        "reference",
        sa.Column("extract_id", sa.Integer(), nullable=False),
        sa.Column(
            "line_no", sa.Integer(), nullable=False, comment="line of the row in its CSV file"
        ),
        sa.Column("id_reference", sa.Text(), nullable=True),
        sa.Column("code_structure", sa.Text(), nullable=True),
        sa.Column("table_name", sa.Text(), nullable=True),
        sa.Column("niveau", sa.Text(), nullable=True),
        sa.Column("code", sa.Text(), nullable=True),
        sa.Column("libelle", sa.Text(), nullable=True),
        sa.Column("actif", sa.Text(), nullable=True),
        sa.Column("visible", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["extract_id"],
            ["p3.extract.id"],
            name=op.f("fk_reference_extract_id_extract"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("extract_id", "line_no", name=op.f("pk_reference")),
        schema="p3",
        comment="One row per line of reference.csv of an extract, values as read.",
    )
    op.create_index(
        op.f("ix_reference_extract_id_id_reference"),
        "reference",
        ["extract_id", "id_reference"],
        unique=False,
        schema="p3",
    )
    op.create_table(
        "referent",
        sa.Column("extract_id", sa.Integer(), nullable=False),
        sa.Column(
            "line_no", sa.Integer(), nullable=False, comment="line of the row in its CSV file"
        ),
        sa.Column("id_referent", sa.Text(), nullable=True),
        sa.Column("code_structure", sa.Text(), nullable=True),
        sa.Column("id_dossier", sa.Text(), nullable=True),
        sa.Column("login_referent", sa.Text(), nullable=True),
        sa.Column("date_debut", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["extract_id"],
            ["p3.extract.id"],
            name=op.f("fk_referent_extract_id_extract"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("extract_id", "line_no", name=op.f("pk_referent")),
        schema="p3",
        comment="One row per line of referent.csv of an extract, values as read.",
    )
    op.create_index(
        op.f("ix_referent_extract_id_id_referent"),
        "referent",
        ["extract_id", "id_referent"],
        unique=False,
        schema="p3",
    )
    op.create_table(
        "rendez_vous",
        sa.Column("extract_id", sa.Integer(), nullable=False),
        sa.Column(
            "line_no", sa.Integer(), nullable=False, comment="line of the row in its CSV file"
        ),
        sa.Column("id_rendez_vous", sa.Text(), nullable=True),
        sa.Column("code_structure", sa.Text(), nullable=True),
        sa.Column("id_dossier", sa.Text(), nullable=True),
        sa.Column("date_rdv", sa.Text(), nullable=True),
        sa.Column("objet", sa.Text(), nullable=True),
        sa.Column("login_conseiller", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["extract_id"],
            ["p3.extract.id"],
            name=op.f("fk_rendez_vous_extract_id_extract"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("extract_id", "line_no", name=op.f("pk_rendez_vous")),
        schema="p3",
        comment="One row per line of rendez_vous.csv of an extract, values as read.",
    )
    op.create_index(
        op.f("ix_rendez_vous_extract_id_id_rendez_vous"),
        "rendez_vous",
        ["extract_id", "id_rendez_vous"],
        unique=False,
        schema="p3",
    )
    op.create_table(
        "ressource",
        sa.Column("extract_id", sa.Integer(), nullable=False),
        sa.Column(
            "line_no", sa.Integer(), nullable=False, comment="line of the row in its CSV file"
        ),
        sa.Column("id_ressource", sa.Text(), nullable=True),
        sa.Column("code_structure", sa.Text(), nullable=True),
        sa.Column("id_dossier", sa.Text(), nullable=True),
        sa.Column("type_ressource", sa.Text(), nullable=True),
        sa.Column("montant", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["extract_id"],
            ["p3.extract.id"],
            name=op.f("fk_ressource_extract_id_extract"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("extract_id", "line_no", name=op.f("pk_ressource")),
        schema="p3",
        comment="One row per line of ressource.csv of an extract, values as read.",
    )
    op.create_index(
        op.f("ix_ressource_extract_id_id_ressource"),
        "ressource",
        ["extract_id", "id_ressource"],
        unique=False,
        schema="p3",
    )
    op.create_table(
        "rubrique",
        sa.Column("extract_id", sa.Integer(), nullable=False),
        sa.Column(
            "line_no", sa.Integer(), nullable=False, comment="line of the row in its CSV file"
        ),
        sa.Column("id_rubrique", sa.Text(), nullable=True),
        sa.Column("code_structure", sa.Text(), nullable=True),
        sa.Column("libelle", sa.Text(), nullable=True),
        sa.Column("theme", sa.Text(), nullable=True),
        sa.Column("modalite", sa.Text(), nullable=True),
        sa.Column("utilisation", sa.Text(), nullable=True),
        sa.Column("acte_service", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["extract_id"],
            ["p3.extract.id"],
            name=op.f("fk_rubrique_extract_id_extract"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("extract_id", "line_no", name=op.f("pk_rubrique")),
        schema="p3",
        comment="One row per line of rubrique.csv of an extract, values as read.",
    )
    op.create_index(
        op.f("ix_rubrique_extract_id_id_rubrique"),
        "rubrique",
        ["extract_id", "id_rubrique"],
        unique=False,
        schema="p3",
    )
    op.create_table(
        "service_entreprise",
        sa.Column("extract_id", sa.Integer(), nullable=False),
        sa.Column(
            "line_no", sa.Integer(), nullable=False, comment="line of the row in its CSV file"
        ),
        sa.Column("id_service_entreprise", sa.Text(), nullable=True),
        sa.Column("code_structure", sa.Text(), nullable=True),
        sa.Column("id_entreprise", sa.Text(), nullable=True),
        sa.Column("intitule_poste", sa.Text(), nullable=True),
        sa.Column("nb_postes", sa.Text(), nullable=True),
        sa.Column("type_contrat", sa.Text(), nullable=True),
        sa.Column("salaire", sa.Text(), nullable=True),
        sa.Column("duree_travail", sa.Text(), nullable=True),
        sa.Column("date_debut", sa.Text(), nullable=True),
        sa.Column("date_fin", sa.Text(), nullable=True),
        sa.Column("statut", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["extract_id"],
            ["p3.extract.id"],
            name=op.f("fk_service_entreprise_extract_id_extract"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("extract_id", "line_no", name=op.f("pk_service_entreprise")),
        schema="p3",
        comment="One row per line of service_entreprise.csv of an extract, values as read.",
    )
    op.create_index(
        op.f("ix_service_entreprise_extract_id_id_service_entreprise"),
        "service_entreprise",
        ["extract_id", "id_service_entreprise"],
        unique=False,
        schema="p3",
    )
    op.create_table(
        "situation",
        sa.Column("extract_id", sa.Integer(), nullable=False),
        sa.Column(
            "line_no", sa.Integer(), nullable=False, comment="line of the row in its CSV file"
        ),
        sa.Column("id_situation", sa.Text(), nullable=True),
        sa.Column("code_structure", sa.Text(), nullable=True),
        sa.Column("id_dossier", sa.Text(), nullable=True),
        sa.Column("code_situation", sa.Text(), nullable=True),
        sa.Column("code_contrat", sa.Text(), nullable=True),
        sa.Column("date_debut", sa.Text(), nullable=True),
        sa.Column("date_fin", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["extract_id"],
            ["p3.extract.id"],
            name=op.f("fk_situation_extract_id_extract"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("extract_id", "line_no", name=op.f("pk_situation")),
        schema="p3",
        comment="One row per line of situation.csv of an extract, values as read.",
    )
    op.create_index(
        op.f("ix_situation_extract_id_id_situation"),
        "situation",
        ["extract_id", "id_situation"],
        unique=False,
        schema="p3",
    )
    op.create_table(
        "structure",
        sa.Column("extract_id", sa.Integer(), nullable=False),
        sa.Column(
            "line_no", sa.Integer(), nullable=False, comment="line of the row in its CSV file"
        ),
        sa.Column("id_structure", sa.Text(), nullable=True),
        sa.Column("code_structure", sa.Text(), nullable=True),
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
        sa.ForeignKeyConstraint(
            ["extract_id"],
            ["p3.extract.id"],
            name=op.f("fk_structure_extract_id_extract"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("extract_id", "line_no", name=op.f("pk_structure")),
        schema="p3",
        comment="One row per line of structure.csv of an extract, values as read.",
    )
    op.create_index(
        op.f("ix_structure_extract_id_id_structure"),
        "structure",
        ["extract_id", "id_structure"],
        unique=False,
        schema="p3",
    )
    op.create_table(
        "structure_administrative",
        sa.Column("extract_id", sa.Integer(), nullable=False),
        sa.Column(
            "line_no", sa.Integer(), nullable=False, comment="line of the row in its CSV file"
        ),
        sa.Column("id_structure_administrative", sa.Text(), nullable=True),
        sa.Column("code_structure", sa.Text(), nullable=True),
        sa.Column("id_structure", sa.Text(), nullable=True),
        sa.Column("siret", sa.Text(), nullable=True),
        sa.Column("raison_sociale", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["extract_id"],
            ["p3.extract.id"],
            name=op.f("fk_structure_administrative_extract_id_extract"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("extract_id", "line_no", name=op.f("pk_structure_administrative")),
        schema="p3",
        comment="One row per line of structure_administrative.csv of an extract, values as read.",
    )
    op.create_index(
        op.f("ix_structure_administrative_extract_id_id_structure_administrative"),
        "structure_administrative",
        ["extract_id", "id_structure_administrative"],
        unique=False,
        schema="p3",
    )
    op.create_table(
        "tache",
        sa.Column("extract_id", sa.Integer(), nullable=False),
        sa.Column(
            "line_no", sa.Integer(), nullable=False, comment="line of the row in its CSV file"
        ),
        sa.Column("id_tache", sa.Text(), nullable=True),
        sa.Column("code_structure", sa.Text(), nullable=True),
        sa.Column("id_dossier", sa.Text(), nullable=True),
        sa.Column("libelle", sa.Text(), nullable=True),
        sa.Column("date_echeance", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["extract_id"],
            ["p3.extract.id"],
            name=op.f("fk_tache_extract_id_extract"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("extract_id", "line_no", name=op.f("pk_tache")),
        schema="p3",
        comment="One row per line of tache.csv of an extract, values as read.",
    )
    op.create_index(
        op.f("ix_tache_extract_id_id_tache"),
        "tache",
        ["extract_id", "id_tache"],
        unique=False,
        schema="p3",
    )
    op.create_table(
        "utilisateur",
        sa.Column("extract_id", sa.Integer(), nullable=False),
        sa.Column(
            "line_no", sa.Integer(), nullable=False, comment="line of the row in its CSV file"
        ),
        sa.Column("id_utilisateur", sa.Text(), nullable=True),
        sa.Column("code_structure", sa.Text(), nullable=True),
        sa.Column("login", sa.Text(), nullable=True),
        sa.Column("nom", sa.Text(), nullable=True),
        sa.Column("prenom", sa.Text(), nullable=True),
        sa.Column("civilite", sa.Text(), nullable=True),
        sa.Column("date_naissance", sa.Text(), nullable=True),
        sa.Column("profil", sa.Text(), nullable=True),
        sa.Column("fonction", sa.Text(), nullable=True),
        sa.Column("actif", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["extract_id"],
            ["p3.extract.id"],
            name=op.f("fk_utilisateur_extract_id_extract"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("extract_id", "line_no", name=op.f("pk_utilisateur")),
        schema="p3",
        comment="One row per line of utilisateur.csv of an extract, values as read.",
    )
    op.create_index(
        op.f("ix_utilisateur_extract_id_id_utilisateur"),
        "utilisateur",
        ["extract_id", "id_utilisateur"],
        unique=False,
        schema="p3",
    )
    op.create_table(
        "versement",
        sa.Column("extract_id", sa.Integer(), nullable=False),
        sa.Column(
            "line_no", sa.Integer(), nullable=False, comment="line of the row in its CSV file"
        ),
        sa.Column("id_versement", sa.Text(), nullable=True),
        sa.Column("code_structure", sa.Text(), nullable=True),
        sa.Column("id_dispositif_instance", sa.Text(), nullable=True),
        sa.Column("date_versement", sa.Text(), nullable=True),
        sa.Column("montant", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["extract_id"],
            ["p3.extract.id"],
            name=op.f("fk_versement_extract_id_extract"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("extract_id", "line_no", name=op.f("pk_versement")),
        schema="p3",
        comment="One row per line of versement.csv of an extract, values as read.",
    )
    op.create_index(
        op.f("ix_versement_extract_id_id_versement"),
        "versement",
        ["extract_id", "id_versement"],
        unique=False,
        schema="p3",
    )
    op.create_table(
        "zone_couverture",
        sa.Column("extract_id", sa.Integer(), nullable=False),
        sa.Column(
            "line_no", sa.Integer(), nullable=False, comment="line of the row in its CSV file"
        ),
        sa.Column("id_zone_couverture", sa.Text(), nullable=True),
        sa.Column("code_structure", sa.Text(), nullable=True),
        sa.Column("id_structure", sa.Text(), nullable=True),
        sa.Column("code_commune_insee", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["extract_id"],
            ["p3.extract.id"],
            name=op.f("fk_zone_couverture_extract_id_extract"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("extract_id", "line_no", name=op.f("pk_zone_couverture")),
        schema="p3",
        comment="One row per line of zone_couverture.csv of an extract, values as read.",
    )
    op.create_index(
        op.f("ix_zone_couverture_extract_id_id_zone_couverture"),
        "zone_couverture",
        ["extract_id", "id_zone_couverture"],
        unique=False,
        schema="p3",
    )


def downgrade() -> None:
    op.drop_index(
        op.f("ix_zone_couverture_extract_id_id_zone_couverture"),
        table_name="zone_couverture",
        schema="p3",
    )
    op.drop_table("zone_couverture", schema="p3")
    op.drop_index(op.f("ix_versement_extract_id_id_versement"), table_name="versement", schema="p3")
    op.drop_table("versement", schema="p3")
    op.drop_index(
        op.f("ix_utilisateur_extract_id_id_utilisateur"), table_name="utilisateur", schema="p3"
    )
    op.drop_table("utilisateur", schema="p3")
    op.drop_index(op.f("ix_tache_extract_id_id_tache"), table_name="tache", schema="p3")
    op.drop_table("tache", schema="p3")
    op.drop_index(
        op.f("ix_structure_administrative_extract_id_id_structure_administrative"),
        table_name="structure_administrative",
        schema="p3",
    )
    op.drop_table("structure_administrative", schema="p3")
    op.drop_index(op.f("ix_structure_extract_id_id_structure"), table_name="structure", schema="p3")
    op.drop_table("structure", schema="p3")
    op.drop_index(op.f("ix_situation_extract_id_id_situation"), table_name="situation", schema="p3")
    op.drop_table("situation", schema="p3")
    op.drop_index(
        op.f("ix_service_entreprise_extract_id_id_service_entreprise"),
        table_name="service_entreprise",
        schema="p3",
    )
    op.drop_table("service_entreprise", schema="p3")
    op.drop_index(op.f("ix_rubrique_extract_id_id_rubrique"), table_name="rubrique", schema="p3")
    op.drop_table("rubrique", schema="p3")
    op.drop_index(op.f("ix_ressource_extract_id_id_ressource"), table_name="ressource", schema="p3")
    op.drop_table("ressource", schema="p3")
    op.drop_index(
        op.f("ix_rendez_vous_extract_id_id_rendez_vous"), table_name="rendez_vous", schema="p3"
    )
    op.drop_table("rendez_vous", schema="p3")
    op.drop_index(op.f("ix_referent_extract_id_id_referent"), table_name="referent", schema="p3")
    op.drop_table("referent", schema="p3")
    op.drop_index(op.f("ix_reference_extract_id_id_reference"), table_name="reference", schema="p3")
    op.drop_table("reference", schema="p3")
    op.drop_index(
        op.f("ix_rattachement_extract_id_id_rattachement"), table_name="rattachement", schema="p3"
    )
    op.drop_table("rattachement", schema="p3")
    op.drop_index(
        op.f("ix_proposition_extract_id_id_proposition"), table_name="proposition", schema="p3"
    )
    op.drop_table("proposition", schema="p3")
    op.drop_index(op.f("ix_projet_extract_id_id_projet"), table_name="projet", schema="p3")
    op.drop_table("projet", schema="p3")
    op.drop_index(
        op.f("ix_personne_ressource_extract_id_id_personne_ressource"),
        table_name="personne_ressource",
        schema="p3",
    )
    op.drop_table("personne_ressource", schema="p3")
    op.drop_index(
        op.f("ix_permis_conduire_extract_id_id_permis_conduire"),
        table_name="permis_conduire",
        schema="p3",
    )
    op.drop_table("permis_conduire", schema="p3")
    op.drop_index(
        op.f("ix_moyen_locomotion_extract_id_id_moyen_locomotion"),
        table_name="moyen_locomotion",
        schema="p3",
    )
    op.drop_table("moyen_locomotion", schema="p3")
    op.drop_index(
        op.f("ix_moyen_garde_extract_id_id_moyen_garde"), table_name="moyen_garde", schema="p3"
    )
    op.drop_table("moyen_garde", schema="p3")
    op.drop_index(op.f("ix_loisirs_extract_id_id_loisirs"), table_name="loisirs", schema="p3")
    op.drop_table("loisirs", schema="p3")
    op.drop_index(op.f("ix_langue_extract_id_id_langue"), table_name="langue", schema="p3")
    op.drop_table("langue", schema="p3")
    op.drop_index(
        op.f("ix_intitule_formation_extract_id_id_intitule_formation"),
        table_name="intitule_formation",
        schema="p3",
    )
    op.drop_table("intitule_formation", schema="p3")
    op.drop_index(
        op.f("ix_historique_statut_extract_id_id_historique_statut"),
        table_name="historique_statut",
        schema="p3",
    )
    op.drop_table("historique_statut", schema="p3")
    op.drop_index(
        op.f("ix_entreprise_extract_id_id_entreprise"), table_name="entreprise", schema="p3"
    )
    op.drop_table("entreprise", schema="p3")
    op.drop_index(
        op.f("ix_engagement_extract_id_id_engagement"), table_name="engagement", schema="p3"
    )
    op.drop_table("engagement", schema="p3")
    op.drop_index(op.f("ix_dossier_extract_id_id_dossier"), table_name="dossier", schema="p3")
    op.drop_table("dossier", schema="p3")
    op.drop_index(
        op.f("ix_dispositif_instance_extract_id_id_dispositif_instance"),
        table_name="dispositif_instance",
        schema="p3",
    )
    op.drop_table("dispositif_instance", schema="p3")
    op.drop_index(
        op.f("ix_dispositif_extract_id_id_dispositif"), table_name="dispositif", schema="p3"
    )
    op.drop_table("dispositif", schema="p3")
    op.drop_index(op.f("ix_demat_extract_id_id_demat"), table_name="demat", schema="p3")
    op.drop_table("demat", schema="p3")
    op.drop_index(
        op.f("ix_demande_jeune_extract_id_id_demande_jeune"),
        table_name="demande_jeune",
        schema="p3",
    )
    op.drop_table("demande_jeune", schema="p3")
    op.drop_index(op.f("ix_cursus_extract_id_id_cursus"), table_name="cursus", schema="p3")
    op.drop_table("cursus", schema="p3")
    op.drop_index(
        op.f("ix_contexte_dossier_extract_id_id_contexte_dossier"),
        table_name="contexte_dossier",
        schema="p3",
    )
    op.drop_table("contexte_dossier", schema="p3")
    op.drop_index(
        op.f("ix_connaissance_extract_id_id_connaissance"), table_name="connaissance", schema="p3"
    )
    op.drop_table("connaissance", schema="p3")
    op.drop_index(
        op.f("ix_configuration_dispositif_extract_id_id_configuration_dispositif"),
        table_name="configuration_dispositif",
        schema="p3",
    )
    op.drop_table("configuration_dispositif", schema="p3")
    op.drop_index(op.f("ix_avenant_extract_id_id_avenant"), table_name="avenant", schema="p3")
    op.drop_table("avenant", schema="p3")
    op.drop_index(op.f("ix_adresse_extract_id_id_adresse"), table_name="adresse", schema="p3")
    op.drop_table("adresse", schema="p3")
    op.drop_index(
        op.f("ix_actualite_entreprise_extract_id_id_actualite_entreprise"),
        table_name="actualite_entreprise",
        schema="p3",
    )
    op.drop_table("actualite_entreprise", schema="p3")
    op.drop_index(
        op.f("ix_actualite_dossier_extract_id_id_actualite_dossier"),
        table_name="actualite_dossier",
        schema="p3",
    )
    op.drop_table("actualite_dossier", schema="p3")
    op.drop_table("extract", schema="p3")
