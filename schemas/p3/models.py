"""The P3 source database: each extract's rows exactly as read, keyed by file line.

Values are text as in the CSV files (leading zeros, accents, even duplicate P3 ids
are kept): typing them is the pipeline's job, so that bad values become reject rows.
"""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    Column,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    func,
)

from schemas.naming import NAMING_CONVENTION
from schemas.p3.columns import P3_COLUMNS, file_columns, id_column

SCHEMA = "p3"
metadata = MetaData(schema=SCHEMA, naming_convention=NAMING_CONVENTION)

extract = Table(
    "extract",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("path", Text, nullable=False),
    Column("plateforme", Integer, nullable=False),
    Column("extracted_at", DateTime, nullable=False),
    Column("encoding", String(32), nullable=False),
    Column("structures", JSON, nullable=False),
    Column("loaded_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    comment="One row per P3 extract loaded (manifest.json of the extract folder).",
)


extract_pin = Table(
    "extract_pin",
    metadata,
    Column("extract_id", Integer, ForeignKey("extract.id", ondelete="CASCADE"), primary_key=True),
    Column("run_key", String(64), primary_key=True, comment="the Dagster run id reading it"),
    Column("pinned_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    comment="One row per run reading an extract: a pinned extract is never replaced under it.",
)

compte_imilo = Table(
    "compte_imilo",
    metadata,
    Column("ml", String(8), primary_key=True),
    Column("login_p3", Text, primary_key=True),
    Column("login_imilo", Text, nullable=False),
    Column("nom", Text),
    Column("prenom", Text),
    Column("loaded_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    comment="One row per i-milo account of an ML and the P3 login it takes over (RLM input).",
)

reference_gel = Table(
    "reference_gel",
    metadata,
    Column("ml", String(8), primary_key=True),
    Column("table_name", Text, primary_key=True),
    Column("code", Text, primary_key=True),
    Column("id_reference", Text),
    Column("niveau", Text),
    Column("libelle", Text),
    Column("actif", Text),
    Column("visible", Text),
    Column("frozen_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    comment="One row per local reference of an ML as MIG_REF took it: the freeze.",
)


vague = Table(
    "vague",
    metadata,
    Column("ml", String(8), primary_key=True),
    Column("region", Text, nullable=False),
    Column("vague", Integer, nullable=False),
    Column("date_mep", Date, nullable=False, comment="the Monday the ML goes live"),
    Column("arret_flux_asp", Date, comment="when the ML's ASP flows stopped (empty: not yet)"),
    Column("dossier_extrait", Text, comment="where the Friday 21:00 extract of the ML lands"),
    Column("loaded_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    comment="The campaign plan: one row per ML with its region, wave and go-live date.",
)

fermeture = Table(
    "fermeture",
    metadata,
    Column("ml", String(8), primary_key=True),
    Column("fermee_le", DateTime(timezone=True), nullable=False),
    Column("par", Text, nullable=False, comment="who closed it: a schedule, an operator"),
    comment="One row per ML whose P3 is closed (read-only) for its cutover.",
)


def _p3_table(name: str) -> Table:
    return Table(
        name,
        metadata,
        Column(
            "extract_id", Integer, ForeignKey("extract.id", ondelete="CASCADE"), primary_key=True
        ),
        Column("line_no", Integer, primary_key=True, comment="line of the row in its CSV file"),
        *(Column(column, Text) for column in file_columns(name)),
        Index(None, "extract_id", id_column(name)),
        comment=f"One row per line of {name}.csv of an extract, values as read.",
    )


TABLES: dict[str, Table] = {name: _p3_table(name) for name in P3_COLUMNS}


def include_name(name: str | None, type_: str, parent_names: object) -> bool:
    """What Alembic compares: the p3 schema only."""
    return type_ != "schema" or name == SCHEMA
