"""What the national and regional runs migrate (TAB_NATIONAL / MIG_NATIONAL, TAB_REGIONAL /
MIG_REGIONAL): the data every ML of the nation, or of a region, shares.

National: the structure skeleton (``mappings/structures_nationales.csv``) and the national
referential with the P3 → i-milo code mappings (the code lists of ``mappings/``). Regional:
the REGIONAL references and dispositifs of the region's MLs' latest extracts, first copy wins.
Both replace what an earlier run of the same scope wrote; the caller owns the transaction.
"""

from __future__ import annotations

import csv
import datetime as dt
import logging
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
import psycopg
from psycopg import sql

from pipeline.engine import PARIS, Counts, Findings, RunScope, TargetSink, record_counts
from pipeline.families import OBJECT_TYPES
from pipeline.mappings import MAPPINGS_DIR
from pipeline.runs import ExtractInfo, latest_extract, region_of

log = logging.getLogger(__name__)

FAMILY = "referentiels"
STRUCTURES_FILE = "structures_nationales.csv"

Row = dict[str, str]


def _column(name: str) -> Callable[[Row], str]:
    return lambda row: row[name]


def _constant(value: str) -> Callable[[Row], str]:
    return lambda row: value


def _code_list_name(row: Row) -> str:
    # The list names of pipeline.mappings.code_list: a bare column for the "*" rows.
    return row["colonne"] if row["table"] == "*" else f"{row['table']}.{row['colonne']}"


@dataclass(frozen=True)
class NationalSource:
    """How one mapping file becomes rows of ``imilo.referentiel_national``."""

    file: str
    source: Callable[[Row], str]
    code: Callable[[Row], str]
    libelle: str | None = None
    valeur_imilo: str | None = None  # None: the code is kept as it is


NATIONAL_SOURCES = (
    NationalSource(
        "actes_service.csv",
        _constant("actes_service"),
        lambda row: f"{row['theme']} / {row['acte_service']}",
        "acte_service",
        "type_offre_imilo",
    ),
    NationalSource("contrats.csv", _constant("contrats"), _column("code_contrat"), "libelle"),
    NationalSource("situations.csv", _constant("situations"), _column("code_situation"), "libelle"),
    NationalSource(
        "niveaux_formation.csv",
        _constant("niveaux_formation"),
        _column("niveau_p3"),
        valeur_imilo="niveau_imilo",
    ),
    NationalSource(
        "dispositifs_nationaux.csv", _constant("dispositifs_nationaux"), _column("code"), "libelle"
    ),
    NationalSource(
        "reference_tables.csv", _constant("reference_tables"), _column("table_name"), "libelle"
    ),
    NationalSource("codes.csv", _code_list_name, _column("code"), "libelle"),
)


@dataclass(frozen=True)
class Dropped:
    """A row read but not written, for ``migration.out_of_scope``."""

    line_no: int
    id_p3: str | None
    reason: str


@dataclass
class Selection:
    """What one object type of a run writes, and what it leaves out."""

    read: int = 0
    rows: list[tuple] = field(default_factory=list)
    dropped: list[Dropped] = field(default_factory=list)

    def counts(self, rejected: int = 0) -> Counts:
        return Counts(
            read=self.read,
            migrated=len(self.rows),
            rejected=rejected,
            out_of_scope=len(self.dropped),
        )


# --------------------------------------------------------------------------------- national


def _file_rows(path: Path) -> Iterable[tuple[int, Row]]:
    """Rows of a ``;`` UTF-8 mapping file with their line in the file (header is line 1)."""
    with open(path, encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle, delimiter=";")
        for row in reader:
            yield reader.line_num, row


def read_national(folder: Path = MAPPINGS_DIR) -> dict[str, Selection]:
    """The rows of the two national object types, first copy of a code per source kept."""
    structures = Selection()
    first: dict[str, int] = {}
    for line_no, row in _file_rows(folder / STRUCTURES_FILE):
        structures.read += 1
        code = row["code"].strip()
        if code in first:
            reason = f"code {code} déjà repris de {STRUCTURES_FILE} ligne {first[code]}"
            structures.dropped.append(Dropped(line_no, code, reason))
            continue
        first[code] = line_no
        structures.rows.append((code, row["niveau"], row["nom"], row["parent"] or None))

    referentiel = Selection()
    seen: dict[tuple[str, str], int] = {}
    for spec in NATIONAL_SOURCES:
        for line_no, row in _file_rows(folder / spec.file):
            referentiel.read += 1
            key = (spec.source(row), spec.code(row).strip())
            if key in seen:
                reason = f"{key[0]} {key[1]} déjà repris de {spec.file} ligne {seen[key]}"
                referentiel.dropped.append(Dropped(line_no, key[1], reason))
                continue
            seen[key] = line_no
            libelle = row[spec.libelle] if spec.libelle else None
            valeur = row[spec.valeur_imilo] if spec.valeur_imilo else None
            referentiel.rows.append((*key, libelle, valeur))
    return {"structure_nationale": structures, "referentiel_national": referentiel}


NATIONAL_TABLES = {
    "structure_nationale": ("code", "niveau", "nom", "parent"),
    "referentiel_national": ("source", "code", "libelle", "valeur_imilo"),
}


def migrate_national(target: psycopg.Connection, run_id: int) -> dict[str, Counts]:
    """One row per national structure and per national code: the mapping files, replacing
    what an earlier national run of this database wrote."""
    selections = read_national()
    result: dict[str, Counts] = {}
    for object_type, columns in NATIONAL_TABLES.items():
        started = time.perf_counter()
        selection = selections[object_type]
        # Only national runs write these tables: a new one replaces them whole.
        target.execute(sql.SQL("DELETE FROM {}").format(sql.Identifier("imilo", object_type)))
        _copy(target, ("imilo", object_type), columns, selection.rows)
        _out_of_scope(target, run_id, object_type, selection.dropped)
        result[object_type] = selection.counts()
        _record(target, run_id, object_type, result[object_type], time.perf_counter() - started)
    return result


# --------------------------------------------------------------------------------- regional


def _region_key(region: str | None) -> str:
    """Regions compare without regard to case or spaces (" Grand  est" is "Grand Est")."""
    return "".join((region or "").split()).casefold()


def region_mls(p3: psycopg.Connection, region: str) -> list[str]:
    """The MLs of a region: those the waves plan puts there, and those whose latest extract's
    own structure row names it."""
    wanted = _region_key(region)
    planned = {
        ml
        for ml, planned_region in p3.execute("SELECT ml, region FROM p3.vague")
        if _region_key(planned_region) == wanted
    }
    latest = p3.execute(
        "SELECT DISTINCT ON (ml) ml, e.id FROM p3.extract e"
        " CROSS JOIN LATERAL jsonb_array_elements_text(e.structures::jsonb) AS ml"
        " ORDER BY ml, e.id DESC"
    ).fetchall()
    extracted = {
        ml for ml, extract_id in latest if _region_key(region_of(p3, extract_id, ml)) == wanted
    }
    return sorted(planned | extracted)


@dataclass(frozen=True)
class RegionalObject:
    """One object type of the regional data: its P3 table, and the table its codes belong to."""

    objet: str  # the P3 table, imilo.referentiel_regional.objet and the counts' object type
    table_name: str | None  # the P3 column naming the table of a code; None: ``fixed_table``
    fixed_table: str = ""

    @property
    def mandatory(self) -> list[str]:
        return [f.name for f in OBJECT_TYPES[self.objet].fields if f.mandatory]


REGIONAL_OBJECTS = (
    RegionalObject("reference", "table_name"),
    RegionalObject("dispositif", None, "DISPOSITIF"),
)


def _trimmed(value: str | None) -> str:
    return (value or "").strip()


def _regional_rows(p3: psycopg.Connection, obj: RegionalObject, extract_id: int) -> pd.DataFrame:
    """The extract's rows of niveau REGIONAL, as read, in file order."""
    columns = ["line_no", f"id_{obj.objet}", *(f.name for f in OBJECT_TYPES[obj.objet].fields)]
    query = sql.SQL(
        "SELECT {} FROM {} WHERE extract_id = %s AND upper(btrim(niveau)) = 'REGIONAL'"
        " ORDER BY line_no"
    ).format(sql.SQL(", ").join(map(sql.Identifier, columns)), sql.Identifier("p3", obj.objet))
    rows = pd.DataFrame(p3.execute(query, (extract_id,)).fetchall(), columns=columns, dtype=object)
    rows["_id"] = rows[f"id_{obj.objet}"].map(_trimmed)
    rows["_table"] = rows[obj.table_name].map(_trimmed) if obj.table_name else obj.fixed_table
    return rows


def _missing(rows: pd.DataFrame, mandatory: list[str]) -> pd.DataFrame:
    """One CHAMP_OBLIGATOIRE finding per empty mandatory field, as the engine's findings."""
    found = rows.melt(id_vars=["line_no"], value_vars=mandatory, var_name="field")
    found = found.loc[found["value"].map(_trimmed) == ""]
    return found.sort_values(["line_no"], kind="stable").assign(
        rule="CHAMP_OBLIGATOIRE", blocking=True
    )


@dataclass
class _RegionalPass:
    """One regional object type across the region's extracts: the first copy of a code wins."""

    obj: RegionalObject
    region: str
    selection: Selection = field(default_factory=Selection)
    rejected: int = 0
    kept: dict[tuple[str, str], tuple[str, str]] = field(default_factory=dict)  # → ml, libellé

    def take(self, ml: str, rows: pd.DataFrame, blocked: set[int]) -> None:
        for rank, row in enumerate(rows.to_dict("records"), start=self.selection.read + 1):
            if row["line_no"] in blocked:
                continue
            key = (row["_table"], _trimmed(row["code"]))
            libelle = _trimmed(row["libelle"])
            if key not in self.kept:
                self.kept[key] = (ml, libelle)
                self.selection.rows.append((self.region, self.obj.objet, *key, libelle, ml))
                continue
            first_ml, first_libelle = self.kept[key]
            reason = f"déjà repris de la ML {first_ml}"
            if libelle != first_libelle:
                reason += f" sous le libellé « {first_libelle} » et non « {libelle} »"
            reason += f" ({self.obj.objet}.csv de la ML {ml}, ligne {row['line_no']})"
            # line_no is the rank in the run's reading order: file lines of several extracts
            # would collide in out_of_scope's key; the reason names the file line.
            self.selection.dropped.append(Dropped(rank, row["_id"], reason))
        self.selection.read += len(rows)


def migrate_regional(
    p3: psycopg.Connection,
    target: psycopg.Connection,
    run_id: int,
    region: str,
    mls: Sequence[str],
) -> dict[str, Counts]:
    """One row per regional reference and dispositif of the region (first copy of a table and
    code wins), from its MLs' latest extracts, replacing what an earlier run of it wrote."""
    region = region.strip()
    earlier = [
        r
        for (r,) in target.execute("SELECT DISTINCT region FROM imilo.referentiel_regional")
        if _region_key(r) == _region_key(region)
    ]
    target.execute("DELETE FROM imilo.referentiel_regional WHERE region = ANY(%s)", (earlier,))

    extracts: dict[int, tuple[str, ExtractInfo]] = {}
    for ml in sorted(mls):
        extract = latest_extract(p3, ml)
        # An extract holding several MLs of the region is read once, for the first of them.
        extracts.setdefault(extract.extract_id, (ml, extract))

    sink = TargetSink(target)
    result: dict[str, Counts] = {}
    for obj in REGIONAL_OBJECTS:
        started = time.perf_counter()
        run = _RegionalPass(obj, region)
        for ml, extract in extracts.values():
            scope = RunScope(
                run_id, ml, extract.plateforme, extract.extract_id, extract.extracted_at.date()
            )
            heure = dt.datetime.now(PARIS).replace(microsecond=0)
            rows = _regional_rows(p3, obj, extract.extract_id).assign(code_structure=ml)

            found = _missing(rows, obj.mandatory)
            sink.rejects(Findings.of(scope, OBJECT_TYPES[obj.objet], rows, found, heure))
            blocked = set(found["line_no"])
            run.rejected += len(blocked)
            run.take(ml, rows, blocked)

        _copy(target, ("imilo", "referentiel_regional"), REGIONAL_COLUMNS, run.selection.rows)
        _out_of_scope(target, run_id, obj.objet, run.selection.dropped)
        result[obj.objet] = run.selection.counts(run.rejected)
        _record(target, run_id, obj.objet, result[obj.objet], time.perf_counter() - started)
    return result


REGIONAL_COLUMNS = ("region", "objet", "table_name", "code", "libelle", "ml_source")


# ---------------------------------------------------------------------------------- writing


def _copy(
    target: psycopg.Connection, table: tuple[str, str], columns: Sequence[str], rows: list[tuple]
) -> None:
    copy_sql = sql.SQL("COPY {} ({}) FROM STDIN").format(
        sql.Identifier(*table), sql.SQL(", ").join(map(sql.Identifier, columns))
    )
    with target.cursor() as cursor, cursor.copy(copy_sql) as copy:
        for row in rows:
            copy.write_row(row)


def _out_of_scope(
    target: psycopg.Connection, run_id: int, object_type: str, dropped: list[Dropped]
) -> None:
    _copy(
        target,
        ("migration", "out_of_scope"),
        ("run_id", "object_type", "line_no", "id_p3", "reason"),
        [(run_id, object_type, d.line_no, d.id_p3, d.reason) for d in dropped],
    )


def _record(
    target: psycopg.Connection, run_id: int, object_type: str, counts: Counts, seconds: float
) -> None:
    log.info(
        "%s: read %d, migrated %d, rejected %d, out of scope %d",
        object_type,
        counts.read,
        counts.migrated,
        counts.rejected,
        counts.out_of_scope,
    )
    record_counts(target, run_id, object_type, FAMILY, counts, seconds)
