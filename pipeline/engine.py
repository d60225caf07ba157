"""The one engine: reads an object type's P3 rows in chunks, applies its rules, cascades
parent rejects, writes migrated rows with their id map and the reject rows, and counts.

Every family is a declaration (``pipeline.families``); this module has no per-family code.
A family is written in one transaction of the target database: it lands whole or not at all.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterator
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

import numpy as np
import pandas as pd
import psycopg
from psycopg import sql

from pipeline import mappings
from pipeline.families import FAMILY_BY_KEY, OBJECT_ORDER, ObjectType
from pipeline.rules.apply import CheckContext, check_rows
from pipeline.rules.values import present
from schemas.imilo.models import DERIVED_COLUMNS, REJECT_COLUMNS, parent_column
from schemas.p3.columns import P3_COLUMNS, id_column

log = logging.getLogger(__name__)

CHUNK_ROWS = 10_000  # memory stays flat past this size; speed barely changes
PARIS = ZoneInfo("Europe/Paris")
REJECT_COPY_COLUMNS = ("run_id", "regle", "blocking", *REJECT_COLUMNS)


@dataclass(frozen=True)
class RunScope:
    """What one run migrates: which ML, from which extract, into which run record."""

    run_id: int
    ml: str
    plateforme: int
    extract_id: int
    extracted_on: dt.date

    def in_scope(self, code_structure: pd.Series) -> pd.Series:
        """Rows of the ML or of its antennes (same INSEE code); rows without a code too."""
        codes = code_structure.astype("string").str.strip()
        return (~present(code_structure)) | (codes.str[:5] == self.ml[:5]).fillna(False).astype(
            bool
        )


@dataclass
class Counts:
    read: int = 0
    migrated: int = 0
    rejected: int = 0
    migrated_with_errors: int = 0
    out_of_scope: int = 0

    def as_dict(self) -> dict[str, int]:
        return dict(self.__dict__)


@dataclass
class ParentStatus:
    """What the cascade knows of a parent type: migrated ids (with i-milo ids), rejected ids."""

    imilo_ids: pd.Series  # index: P3 id (text), values: i-milo id
    rejected: frozenset[str] = field(default_factory=frozenset)


def _parent_status(conn: psycopg.Connection, scope: RunScope, table: str) -> ParentStatus:
    rows = conn.execute(
        "SELECT id_p3, imilo_id FROM migration.id_map"
        " WHERE object_type = %s AND plateforme = %s AND ml = %s",
        (table, scope.plateforme, scope.ml),
    ).fetchall()
    ids = pd.Series({k: v for k, v in rows}, dtype="int64")
    rejected = conn.execute(
        "SELECT DISTINCT id_p3 FROM migration.reject"
        " WHERE run_id = %s AND type_objet = %s AND blocking",
        (scope.run_id, table),
    ).fetchall()
    return ParentStatus(ids, frozenset(r[0] for r in rejected if r[0] is not None))


def connaissance_codes(p3: psycopg.Connection, extract_id: int) -> frozenset[str]:
    """The CONNAISSANCE codes of the extract's own reference rows."""
    rows = p3.execute(
        "SELECT DISTINCT btrim(code) FROM p3.reference"
        " WHERE extract_id = %s AND btrim(table_name) = 'CONNAISSANCE' AND code IS NOT NULL",
        (extract_id,),
    ).fetchall()
    return frozenset(r[0] for r in rows)


def _read_query(ot: ObjectType) -> tuple[sql.Composed, list[str]]:
    """The chunked read of one P3 table: every column, the duplicate rank, the jeune's name."""
    table = ot.table
    key = id_column(table)
    columns = ["line_no", key, "code_structure", *P3_COLUMNS[table]]
    select: list[sql.Composable] = [sql.SQL("t.{}").format(sql.Identifier(c)) for c in columns]
    select.append(
        sql.SQL("row_number() OVER (PARTITION BY btrim(t.{}) ORDER BY t.line_no) AS _rank").format(
            sql.Identifier(key)
        )
    )
    join = sql.SQL("")
    names = [*columns, "_rank"]
    if "id_dossier" in P3_COLUMNS[table]:
        # The jeune's name and birth date help the RLM find a dossier's part in P3.
        select.append(sql.SQL("d.nom, d.prenom, d.date_naissance"))
        join = sql.SQL(
            " LEFT JOIN (SELECT DISTINCT ON (btrim(id_dossier)) btrim(id_dossier) AS k,"
            " nom, prenom, date_naissance FROM p3.dossier WHERE extract_id = %(e)s"
            " ORDER BY btrim(id_dossier), line_no) d ON d.k = btrim(t.id_dossier)"
        )
        names += ["_d_nom", "_d_prenom", "_d_naissance"]
    query = sql.SQL("SELECT {} FROM {} t{} WHERE t.extract_id = %(e)s ORDER BY t.line_no").format(
        sql.SQL(", ").join(select), sql.Identifier("p3", table), join
    )
    return query, names


def _chunks(p3: psycopg.Connection, ot: ObjectType, extract_id: int) -> Iterator[pd.DataFrame]:
    query, names = _read_query(ot)
    with p3.cursor(name=f"read_{ot.table}") as cursor:
        cursor.itersize = CHUNK_ROWS
        cursor.execute(query, {"e": extract_id})
        while rows := cursor.fetchmany(CHUNK_ROWS):
            yield pd.DataFrame(rows, columns=names, dtype=object)


def _who(rows: pd.DataFrame, ot: ObjectType) -> tuple[pd.Series, pd.Series]:
    """Report columns H and I: the jeune (name, birth date) or the object's own label."""
    if ot.table == "dossier":
        nom, prenom, naissance = rows["nom"], rows["prenom"], rows["date_naissance"]
    elif "_d_nom" in rows:
        nom, prenom, naissance = rows["_d_nom"], rows["_d_prenom"], rows["_d_naissance"]
    else:
        nothing = pd.Series([None] * len(rows), index=rows.index, dtype=object)
        return (rows[ot.label] if ot.label else nothing), nothing
    name = (
        nom.astype("string").fillna("").str.upper() + " " + prenom.astype("string").fillna("")
    ).str.strip()
    return name.astype(object).where(name != "", None), naissance


def _report_rows(
    scope: RunScope, ot: ObjectType, rows: pd.DataFrame, found: pd.DataFrame, heure: dt.datetime
) -> list[tuple]:
    """One tuple per finding, in ``REJECT_COPY_COLUMNS`` order (report columns A–Q)."""
    if found.empty:
        return []
    catalogue = mappings.rule_catalogue()
    by_line = rows.set_index("line_no")
    hit = by_line.loc[found["line_no"].to_numpy()]
    who, who2 = _who(hit.reset_index(), ot)
    first_parent = ot.parents[0].column if ot.parents else None
    info_f, info_g = ot.info
    out = []
    for i, finding in enumerate(found.itertuples(index=False)):
        row = hit.iloc[i]
        parent_col = finding.field if finding.rule.startswith("PARENT_") else first_parent
        blocking = bool(finding.blocking)
        out.append(
            (
                scope.run_id,
                finding.rule,
                blocking,
                "ERREUR" if blocking else "ALERTE",
                heure,
                ot.table,
                row["_id"],
                row[parent_col] if parent_col else None,
                row[info_f] if info_f else None,
                row[info_g] if info_g else None,
                who.iloc[i],
                who2.iloc[i],
                "",
                scope.plateforme,
                row["code_structure"],
                catalogue[finding.rule].label,
                row[ot.label] if ot.label else None,
                finding.field,
                finding.value,
                "Oui" if blocking else "Non",
            )
        )
    return out


def _cascade(rows: pd.DataFrame, ot: ObjectType, parents: dict[str, ParentStatus]) -> pd.DataFrame:
    """PARENT_REJETE / PARENT_ABSENT findings: one per child, naming its first failing parent."""
    decided = pd.Series(False, index=rows.index)
    parts = []
    for parent in sorted(ot.parents, key=lambda p: OBJECT_ORDER[p.table]):
        status = parents[parent.table]
        fk = rows[parent.column].astype("string").str.strip()
        given = present(rows[parent.column])
        migrated = given & fk.isin(status.imilo_ids.index).fillna(False).astype(bool)
        rejected = given & ~migrated & fk.isin(status.rejected).fillna(False).astype(bool)
        absent = ~migrated & ~rejected & (given | parent.mandatory)
        for mask, rule in ((rejected, "PARENT_REJETE"), (absent, "PARENT_ABSENT")):
            mask = mask & ~decided
            if mask.any():
                parts.append(
                    pd.DataFrame(
                        {
                            "line_no": rows.loc[mask, "line_no"].to_numpy(),
                            "rule": rule,
                            "field": parent.column,
                            "blocking": True,
                            "value": rows.loc[mask, parent.column].to_numpy(),
                        }
                    )
                )
            decided |= mask
    return (
        pd.concat(parts, ignore_index=True)
        if parts
        else pd.DataFrame(columns=["line_no", "rule", "field", "blocking", "value"])
    )


def _reserve_ids(conn: psycopg.Connection, table: str, n: int) -> np.ndarray:
    rows = conn.execute(
        "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)",
        (f"imilo.{table}", n),
    ).fetchall()
    return np.fromiter((r[0] for r in rows), dtype="int64", count=n)


def _derived(ot: ObjectType, typed: pd.DataFrame) -> list[pd.Series]:
    if ot.table == "rubrique":
        return [typed["acte_service"].map(mappings.acte_to_type_offre())]
    if ot.table == "cursus":
        return [typed["niveau_formation"].map(mappings.niveau_formation_2019())]
    return []


def _as_objects(values: pd.Series, kind: str) -> list:
    if kind == "bool":
        values = values.map({"O": True, "N": False})
    return [
        None if (v is None or v is pd.NA or (isinstance(v, float) and np.isnan(v))) else v
        for v in values.tolist()
    ]


def _write_migrated(
    conn: psycopg.Connection,
    scope: RunScope,
    ot: ObjectType,
    rows: pd.DataFrame,
    typed: pd.DataFrame,
    parents: dict[str, ParentStatus],
) -> None:
    n = len(rows)
    if n == 0:
        return
    ids = _reserve_ids(conn, ot.table, n)
    columns: list[str] = ["id", "ml", "code_structure"]
    data: list[list] = [
        ids.tolist(),
        [scope.ml] * n,
        _as_objects(rows["code_structure"].astype("string").str.strip(), "text"),
    ]
    for parent in ot.parents:
        fk = rows[parent.column].astype("string").str.strip()
        columns.append(parent_column(parent.table))
        mapped = fk.map(parents[parent.table].imilo_ids).astype("Int64")
        data.append(_as_objects(mapped.astype(object), "text"))
    for spec in ot.fields:
        columns.append(spec.name)
        data.append(_as_objects(typed[spec.name], spec.kind))
    for name, values in zip(DERIVED_COLUMNS.get(ot.table, ()), _derived(ot, typed), strict=True):
        columns.append(name)
        data.append(_as_objects(values, "text"))
    copy_sql = sql.SQL("COPY {} ({}) FROM STDIN").format(
        sql.Identifier("imilo", ot.table), sql.SQL(", ").join(map(sql.Identifier, columns))
    )
    with conn.cursor() as cursor, cursor.copy(copy_sql) as copy:
        for record in zip(*data, strict=True):
            copy.write_row(record)
    with (
        conn.cursor() as cursor,
        cursor.copy(
            "COPY migration.id_map (object_type, plateforme, id_p3, imilo_id, ml, run_id)"
            " FROM STDIN"
        ) as copy,
    ):
        for id_p3, imilo_id in zip(rows["_id"].tolist(), ids.tolist(), strict=True):
            copy.write_row((ot.table, scope.plateforme, id_p3, imilo_id, scope.ml, scope.run_id))


def _write_rejects(conn: psycopg.Connection, report_rows: list[tuple]) -> None:
    if not report_rows:
        return
    copy_sql = sql.SQL("COPY migration.reject ({}) FROM STDIN").format(
        sql.SQL(", ").join(map(sql.Identifier, REJECT_COPY_COLUMNS))
    )
    with conn.cursor() as cursor, cursor.copy(copy_sql) as copy:
        for row in report_rows:
            copy.write_row(row)


def _write_out_of_scope(
    conn: psycopg.Connection, scope: RunScope, ot: ObjectType, rows: pd.DataFrame
) -> None:
    with (
        conn.cursor() as cursor,
        cursor.copy(
            "COPY migration.out_of_scope (run_id, object_type, line_no, id_p3, reason) FROM STDIN"
        ) as copy,
    ):
        for line_no, id_p3, code in zip(
            rows["line_no"], rows["_id"], rows["code_structure"], strict=True
        ):
            copy.write_row(
                (
                    scope.run_id,
                    ot.table,
                    line_no,
                    id_p3,
                    f"structure {code} hors du périmètre de la ML {scope.ml}",
                )
            )


def migrate_object_type(
    p3: psycopg.Connection,
    target: psycopg.Connection,
    scope: RunScope,
    ot: ObjectType,
    ctx: CheckContext,
) -> Counts:
    """Migrate every P3 row of one object type; returns its conservation counts."""
    parents = {p.table: _parent_status(target, scope, p.table) for p in ot.parents}
    counts = Counts()
    for rows in _chunks(p3, ot, scope.extract_id):
        heure = dt.datetime.now(PARIS).replace(microsecond=0)
        counts.read += len(rows)
        rows["_id"] = rows[id_column(ot.table)].astype("string").str.strip().astype(object)

        scoped = scope.in_scope(rows["code_structure"])
        if not scoped.all():
            _write_out_of_scope(target, scope, ot, rows.loc[~scoped])
            counts.out_of_scope += int((~scoped).sum())
            rows = rows.loc[scoped].reset_index(drop=True)

        # Parents first: a child of a rejected or absent parent is reported for that only.
        cascade = _cascade(rows, ot, parents)
        pending = rows.loc[~rows["line_no"].isin(cascade["line_no"])]
        no_id = ~present(pending["_id"])
        doubled = (pending["_rank"] > 1) & ~no_id
        own = [
            pd.DataFrame(
                {
                    "line_no": pending.loc[no_id, "line_no"].to_numpy(),
                    "rule": "CHAMP_OBLIGATOIRE",
                    "field": id_column(ot.table),
                    "blocking": True,
                    "value": None,
                }
            ),
            pd.DataFrame(
                {
                    "line_no": pending.loc[doubled, "line_no"].to_numpy(),
                    "rule": "DOUBLON_ID",
                    "field": id_column(ot.table),
                    "blocking": True,
                    "value": pending.loc[doubled, id_column(ot.table)].to_numpy(),
                }
            ),
        ]
        checked = pending.loc[~no_id & ~doubled]
        findings, typed = check_rows(ot, checked, ctx)
        parts = [f for f in (cascade, *own, findings) if not f.empty]
        found = pd.concat(parts, ignore_index=True) if parts else findings
        blocked = set(found.loc[found["blocking"].astype(bool), "line_no"].tolist())
        with_errors = set(found.loc[~found["blocking"].astype(bool), "line_no"].tolist())
        keep = ~checked["line_no"].isin(blocked)

        _write_migrated(target, scope, ot, checked.loc[keep], typed.loc[keep], parents)
        _write_rejects(target, _report_rows(scope, ot, rows, found, heure))
        counts.migrated += int(keep.sum())
        counts.rejected += len(blocked)
        counts.migrated_with_errors += len(with_errors - blocked)
    return counts


def migrate_family(
    p3: psycopg.Connection, target: psycopg.Connection, scope: RunScope, family_key: str
) -> dict[str, Counts]:
    """Migrate every object type of a family, in order; the caller owns the transaction."""
    ctx = CheckContext(scope.extracted_on, connaissance_codes(p3, scope.extract_id))
    result: dict[str, Counts] = {}
    family = FAMILY_BY_KEY[family_key]
    for ot in family.object_types:
        counts = migrate_object_type(p3, target, scope, ot, ctx)
        target.execute(
            "INSERT INTO migration.object_count (run_id, object_type, family, read, migrated,"
            " rejected, migrated_with_errors, out_of_scope) VALUES (%s, %s, %s, %s, %s, %s, %s, %s)"
            " ON CONFLICT (run_id, object_type) DO UPDATE SET read = EXCLUDED.read,"
            " migrated = EXCLUDED.migrated, rejected = EXCLUDED.rejected,"
            " migrated_with_errors = EXCLUDED.migrated_with_errors,"
            " out_of_scope = EXCLUDED.out_of_scope",
            (
                scope.run_id,
                ot.table,
                family_key,
                counts.read,
                counts.migrated,
                counts.rejected,
                counts.migrated_with_errors,
                counts.out_of_scope,
            ),
        )
        log.info(
            "%s: read %d, migrated %d, rejected %d, with errors %d, out of scope %d",
            ot.table,
            counts.read,
            counts.migrated,
            counts.rejected,
            counts.migrated_with_errors,
            counts.out_of_scope,
        )
        result[ot.table] = counts
    return result
