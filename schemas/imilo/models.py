"""The i-milo target database (one per environment) and its ``migration`` schema.

``imilo``: one table per migrated object type, with new i-milo surrogate keys and
foreign keys between i-milo ids (never P3 ids). Every row carries the code of the
ML it was migrated for, so that a blank run can wipe exactly that ML.
``migration``: the runs, the id map (P3 id ↔ i-milo id), the reject rows with the
report's columns A–Q, the per-object counts and the rows left out of scope.
"""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Identity,
    Index,
    Integer,
    MetaData,
    Numeric,
    String,
    Table,
    Text,
)
from sqlalchemy.types import TypeEngine

from pipeline.families import OBJECT_TYPES, Field
from schemas.naming import NAMING_CONVENTION

IMILO, MIGRATION = "imilo", "migration"
metadata = MetaData(naming_convention=NAMING_CONVENTION)

_TYPES: dict[str, type[TypeEngine]] = {
    "text": Text,
    "code": Text,
    "date": Date,
    "decimal": Numeric,
    "bool": Boolean,
}
# Values the i-milo side derives from P3 values (mapping tables, the i-milo accounts).
DERIVED_COLUMNS: dict[str, dict[str, type[TypeEngine]]] = {
    "rubrique": {"type_offre": Text},
    "cursus": {"niveau_imilo": Text},
    "utilisateur": {"compte_historique": Boolean},
    "dossier": {"referent_historique": Boolean},
}


def parent_column(table: str) -> str:
    """The i-milo foreign-key column that points at a parent table."""
    return f"{table}_id"


def _column(spec: Field) -> Column:
    if spec.kind == "decimal":
        return Column(spec.name, Numeric(12, 2))
    if spec.max_length:
        return Column(spec.name, String(spec.max_length))
    return Column(spec.name, _TYPES[spec.kind]())


def _target_table(name: str) -> Table:
    ot = OBJECT_TYPES[name]
    return Table(
        name,
        metadata,
        Column("id", BigInteger, Identity(), primary_key=True),
        Column("ml", String(8), nullable=False, index=True),
        Column("code_structure", Text),
        *(
            Column(
                parent_column(p.table), BigInteger, ForeignKey(f"{IMILO}.{p.table}.id"), index=True
            )
            for p in ot.parents
        ),
        *(_column(spec) for spec in ot.fields),
        *(Column(column, kind()) for column, kind in DERIVED_COLUMNS.get(name, {}).items()),
        schema=IMILO,
        comment=f"One row per migrated P3 {name}.",
    )


TARGETS: dict[str, Table] = {name: _target_table(name) for name in OBJECT_TYPES}

decisionnel_mensuel = Table(
    "decisionnel_mensuel",
    metadata,
    Column("ml", String(8), primary_key=True),
    Column("mois", Date, primary_key=True, comment="first day of the month"),
    Column(
        "dossiers_actifs",
        Integer,
        nullable=False,
        comment="dossiers with an event (rendez-vous, actualité, proposition) in the month",
    ),
    Column("premiers_accueils", Integer, nullable=False),
    Column("propositions", Integer, nullable=False),
    Column("versements", Integer, nullable=False),
    Column("montant_versements", Numeric(14, 2), nullable=False),
    schema=IMILO,
    comment="One row per ML and month: the décisionnel built from migrated data.",
)

environment = Table(
    "environment",
    metadata,
    Column("name", String(16), primary_key=True, comment="ECOLE, VALIDATION or PRODUCTION"),
    Column("tagged_at", DateTime(timezone=True), nullable=False),
    schema=MIGRATION,
    comment="One row: which environment this database is. A blank run refuses PRODUCTION.",
)

run = Table(
    "run",
    metadata,
    Column("id", Integer, Identity(), primary_key=True),
    Column("dagster_run_id", String(64), unique=True),
    Column("run_kind", String(16), nullable=False),
    Column("ml", String(8), index=True, comment="the ML of a local run; empty for a region"),
    Column("scope", Text, comment="what the run covers: NATIONAL, a region, or an ML code"),
    Column("environment", String(16), nullable=False),
    Column("plateforme", Integer),
    Column("extract_id", Integer),
    Column("extracted_at", DateTime),
    Column("started_at", DateTime(timezone=True), nullable=False),
    Column("finished_at", DateTime(timezone=True)),
    Column("status", String(16), nullable=False, comment="EN_COURS, TERMINE, ECHEC or REFUSE"),
    Column("message", Text, comment="why a run was refused or failed"),
    Column("avertissements", Text, comment="warnings of the run, one per line"),
    Column("conserve", Boolean, comment="MAB: its production data kept (--keep)"),
    Column("heartbeat_at", DateTime(timezone=True), comment="last sign of life of a step"),
    Column("region", Text, comment="the ML's region, from its structure in the extract"),
    Column("verdict", String(8), comment="GO or NO GO, once the controls are computed"),
    Column("report_path", Text),
    schema=MIGRATION,
    comment="One row per migration run, refused ones included.",
)

id_map = Table(
    "id_map",
    metadata,
    Column("ml", String(8), primary_key=True),
    Column("object_type", String(64), primary_key=True),
    Column("plateforme", Integer, primary_key=True),
    Column("id_p3", Text, primary_key=True),
    Column("imilo_id", BigInteger, nullable=False),
    Column("run_id", Integer, ForeignKey(f"{MIGRATION}.run.id"), nullable=False),
    schema=MIGRATION,
    comment="One row per migrated object of an ML: its P3 id on its plateforme, its i-milo id.",
)

REJECT_COLUMNS = (
    "niveau",
    "heure",
    "type_objet",
    "id_p3",
    "id_parent",
    "info_complementaire",
    "info_demat",
    "info_objet",
    "info2_objet",
    "vide",
    "plateforme",
    "code_structure",
    "type_erreur",
    "libelle_element",
    "champ",
    "valeur",
    "bloquant",
)

reject = Table(
    "reject",
    metadata,
    Column("id", BigInteger, Identity(), primary_key=True),
    Column("run_id", Integer, ForeignKey(f"{MIGRATION}.run.id"), nullable=False),
    Column("regle", String(64), nullable=False),
    Column("blocking", Boolean, nullable=False),
    Column("niveau", String(8), nullable=False),
    Column("heure", DateTime(timezone=True), nullable=False),
    Column("type_objet", String(64), nullable=False),
    *(Column(name, Text) for name in REJECT_COLUMNS[3:10]),
    Column("plateforme", Integer),
    *(Column(name, Text) for name in REJECT_COLUMNS[11:]),
    Index(None, "run_id", "type_objet", "blocking"),
    schema=MIGRATION,
    comment="One row per fault found in a run: the rule code and the report's columns A–Q.",
)

object_count = Table(
    "object_count",
    metadata,
    Column("run_id", Integer, ForeignKey(f"{MIGRATION}.run.id"), primary_key=True),
    Column("object_type", String(64), primary_key=True),
    Column(
        "stage",
        String(16),
        primary_key=True,
        server_default="",
        comment="MIG step: ACTIF or ARCHIVE for dossiers, GEL for the freeze control",
    ),
    Column("family", String(32), nullable=False),
    Column("read", Integer, nullable=False),
    Column("migrated", Integer, nullable=False),
    Column("rejected", Integer, nullable=False),
    Column("migrated_with_errors", Integer, nullable=False),
    Column("out_of_scope", Integer, nullable=False),
    Column("seconds", Float, comment="time the run took on this object type"),
    schema=MIGRATION,
    comment="One row per run and object type: the conservation counts.",
)

out_of_scope = Table(
    "out_of_scope",
    metadata,
    Column("run_id", Integer, ForeignKey(f"{MIGRATION}.run.id"), primary_key=True),
    Column("object_type", String(64), primary_key=True),
    Column("line_no", Integer, primary_key=True),
    Column("id_p3", Text),
    Column("reason", Text, nullable=False),
    schema=MIGRATION,
    comment="One row per P3 row a run read but left out of its scope, with the reason.",
)


ml_declaration = Table(
    "ml_declaration",
    metadata,
    Column("ml", String(8), primary_key=True),
    Column("rgs_certificate", Text, comment="file name of the declared RGS certificate"),
    Column("rgs_sha256", String(64)),
    Column("rgs_declared_at", DateTime(timezone=True)),
    Column("contractualisation_at", DateTime(timezone=True)),
    schema=MIGRATION,
    comment="One row per ML: what it declared before its cutover (RGS certificate, contract).",
)

indicator = Table(
    "indicator",
    metadata,
    Column("run_id", Integer, ForeignKey(f"{MIGRATION}.run.id"), primary_key=True),
    Column("code", String(64), primary_key=True),
    Column("label", Text, nullable=False),
    Column("p3", Numeric(16, 2), nullable=False),
    Column("imilo", Numeric(16, 2), nullable=False),
    Column("criterion", Boolean, nullable=False),
    schema=MIGRATION,
    comment="One row per run and indicator: its value counted in P3 and in i-milo.",
)


verrou_regional = Table(
    "verrou_regional",
    metadata,
    Column("region", Text, primary_key=True),
    Column("pose_le", DateTime(timezone=True), nullable=False),
    Column("pose_par_run", Integer, ForeignKey(f"{MIGRATION}.run.id")),
    Column("leve_le", DateTime(timezone=True)),
    Column("leve_par_run", Integer, ForeignKey(f"{MIGRATION}.run.id")),
    schema=MIGRATION,
    comment="One row per region whose regional data is in production: locked until its "
    "last ML is migrated (MIG), then lifted.",
)

livraison = Table(
    "livraison",
    metadata,
    Column("vague", Integer, primary_key=True),
    Column("date_mep", Date, primary_key=True),
    Column("livree_le", DateTime(timezone=True), nullable=False),
    Column("dossier", Text, nullable=False, comment="the delivery folder of the reports"),
    Column("rapports", Integer, nullable=False),
    schema=MIGRATION,
    comment="One row per wave whose cutover reports were delivered (Monday 10:00).",
)

referentiel_national = Table(
    "referentiel_national",
    metadata,
    Column("id", BigInteger, Identity(), primary_key=True),
    Column("source", String(64), nullable=False, comment="the mapping table it comes from"),
    Column("code", Text, nullable=False),
    Column("libelle", Text),
    Column("valeur_imilo", Text, comment="what the code becomes in i-milo"),
    Index(None, "source", "code", unique=True),
    schema=IMILO,
    comment="The national referential and the P3 → i-milo code mappings (MIG_NATIONAL).",
)

structure_nationale = Table(
    "structure_nationale",
    metadata,
    Column("code", String(16), primary_key=True),
    Column("niveau", String(16), nullable=False, comment="NATIONAL, REGIONAL, DEPARTEMENTAL"),
    Column("nom", Text, nullable=False),
    Column("parent", String(16)),
    schema=IMILO,
    comment="The structure skeleton above the MLs: nation, regions, départements.",
)

referentiel_regional = Table(
    "referentiel_regional",
    metadata,
    Column("id", BigInteger, Identity(), primary_key=True),
    Column("region", Text, nullable=False),
    Column("objet", String(16), nullable=False, comment="reference or dispositif"),
    Column("table_name", Text, nullable=False),
    Column("code", Text, nullable=False),
    Column("libelle", Text),
    Column("ml_source", String(8), comment="the ML whose extract gave the row"),
    Index(None, "region", "objet", "table_name", "code", unique=True),
    schema=IMILO,
    comment="A region's shared data (MIG_REGIONAL): regional references and dispositifs.",
)


def include_name(name: str | None, type_: str, parent_names: object) -> bool:
    """What Alembic compares: the imilo and migration schemas only."""
    return type_ != "schema" or name in (IMILO, MIGRATION)
