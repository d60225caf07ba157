"""The one engine: reads an object type's P3 rows in chunks, applies its rules, cascades
parent rejects, writes migrated rows with their id map and the reject rows, and counts.

Every family is a declaration (``pipeline.families``); this module has no per-family code.
A family is written in one transaction of the target database: it lands whole or not at all.
"""

from __future__ import annotations

import datetime as dt
import logging
import time
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from functools import cached_property
from typing import Protocol
from zoneinfo import ZoneInfo

import numpy as np
import pandas as pd
import psycopg
import pyarrow as pa
import pyarrow.compute as pc
from psycopg import sql

from pipeline import mappings
from pipeline.families import FAMILY_BY_KEY, OBJECT_ORDER, OBJECT_TYPES, ObjectType, dossier_path
from pipeline.rules.apply import CheckContext, check_rows
from pipeline.rules.values import TEXT, arrow_text, as_mask, member, value_set
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
    delta: bool = False  # RATTRAPAGE: rows production already holds are left out
    freeze: bool = True  # compare references with MIG_REF's freeze (MIG_REF itself does not)

    def in_scope(self, code_structure: pd.Series) -> pd.Series:
        """Rows of the ML or of its antennes (same INSEE code); rows without a code too."""
        codes = pc.utf8_trim_whitespace(arrow_text(code_structure))
        given = pc.fill_null(pc.not_equal(codes, ""), False)
        ours = pc.fill_null(pc.starts_with(codes, self.ml[:5]), False)
        flags = pc.or_(pc.invert(given), ours).to_numpy(zero_copy_only=False)
        return pd.Series(flags, index=code_structure.index)


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
    known: pa.Array | None = None  # the P3 ids of imilo_ids as Arrow text, when already so

    @cached_property
    def migrated_ids(self) -> pa.Array:
        return self.known if self.known is not None else value_set(self.imilo_ids.index)


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
        nom.astype(TEXT).fillna("").str.upper() + " " + prenom.astype(TEXT).fillna("")
    ).str.strip()
    return name.astype(object).where(name != "", None), naissance


def _levels() -> dict[str, str]:
    return {code: rule.level for code, rule in mappings.rule_catalogue().items()}


@dataclass(frozen=True)
class Findings:
    """A chunk's findings with the values of their rows that a report row shows.

    The engine builds it; the sink turns it into reject rows (``frame``), or hands it to
    whoever writes them (the pre-check's report process), as it is small and pickles.
    """

    run_id: int
    plateforme: int
    table: str
    heure: dt.datetime
    # One row per finding: line_no, rule, field, blocking, value, then the row's columns
    # (``_id``, ``code_structure``, parent, info, label, the jeune) named "row:<column>".
    found: pd.DataFrame

    @classmethod
    def of(
        cls,
        scope: RunScope,
        ot: ObjectType,
        rows: pd.DataFrame,
        found: pd.DataFrame,
        heure: dt.datetime,
    ) -> Findings:
        unknown = set(found["rule"]) - set(mappings.rule_catalogue())
        if unknown:
            raise KeyError(f"rule codes without an entry in mappings/rules.csv: {sorted(unknown)}")
        info_f, info_g = ot.info
        first_parent = ot.parents[0].column if ot.parents else None
        jeune = ("nom", "prenom", "date_naissance") if ot.table == "dossier" else JEUNE_COLUMNS
        wanted = {"_id", "code_structure", first_parent, info_f, info_g, ot.label, *jeune}
        columns = [name for name in rows.columns if name in wanted]
        where = pd.Index(rows["line_no"]).get_indexer(found["line_no"])
        hit = rows[columns].iloc[where].reset_index(drop=True).add_prefix("row:")
        table = pd.concat([found.reset_index(drop=True), hit], axis=1)
        return cls(scope.run_id, scope.plateforme, ot.table, heure, table)

    def blocking_ids(self) -> list[str]:
        """The P3 ids of the rows a blocking finding rejects."""
        ids = self.found.loc[self.found["blocking"].astype(bool), "row:_id"]
        return ids.dropna().tolist()

    def frame(self) -> pd.DataFrame:
        """One row per finding, columns ``REJECT_COPY_COLUMNS`` (the rule code and A–Q)."""
        if self.found.empty:
            return pd.DataFrame(columns=list(REJECT_COPY_COLUMNS))
        ot = OBJECT_TYPES[self.table]
        catalogue = mappings.rule_catalogue()
        levels = _levels()
        found = self.found
        hit = found[[c for c in found.columns if c.startswith("row:")]]
        hit = hit.set_axis([c[4:] for c in hit.columns], axis=1)
        info_f, info_g = ot.info
        first_parent = ot.parents[0].column if ot.parents else None
        who, who2 = _who(hit, ot)
        n = len(hit)
        nothing = _text(np.full(n, None, dtype=object))
        rules = found["rule"].to_numpy(dtype=object)
        blocking = found["blocking"].to_numpy(dtype=bool)
        value = _text(found["value"])
        cascade = np.char.startswith(rules.astype(str), "PARENT_")
        level = np.array([levels[r] for r in rules], dtype=object)
        severity = np.where(blocking, "ERREUR", "ALERTE").astype(object)
        parent = _text(hit[first_parent]) if first_parent else nothing
        return pd.DataFrame(
            {
                "run_id": self.run_id,
                "regle": _text(rules),
                "blocking": blocking,
                "niveau": _text(np.where(level == "INFO", level, severity)),
                "heure": self.heure,
                "type_objet": _text(np.full(n, ot.table, dtype=object)),
                "id_p3": _text(hit["_id"]),
                # A cascade names the parent that failed; any other fault the first parent.
                "id_parent": value.where(cascade, parent),
                "info_complementaire": _text(hit[info_f]) if info_f else nothing,
                "info_demat": _text(hit[info_g]) if info_g else nothing,
                "info_objet": _text(who),
                "info2_objet": _text(who2),
                "vide": _text(np.full(n, "", dtype=object)),
                "plateforme": self.plateforme,
                "code_structure": _text(hit["code_structure"]),
                "type_erreur": _text(np.array([catalogue[r].label for r in rules], dtype=object)),
                "libelle_element": _text(hit[ot.label]) if ot.label else nothing,
                "champ": _text(found["field"]),
                "valeur": value,
                "bloquant": _text(np.where(blocking, "Oui", "Non").astype(object)),
            },
            columns=list(REJECT_COPY_COLUMNS),
        )


def _text(values: pd.Series | np.ndarray) -> pd.Series:
    """Values as Arrow text (NULL where missing), on a fresh 0..n-1 index."""
    if isinstance(values, pd.Series) and values.dtype == TEXT:
        return values.reset_index(drop=True)
    objects = values.to_numpy(dtype=object) if isinstance(values, pd.Series) else values
    try:
        data = pa.array(objects, type=pa.large_string(), from_pandas=True)
    except (pa.ArrowInvalid, pa.ArrowTypeError):  # not all text: each value as text
        return pd.Series(objects).astype(object).where(pd.notna(objects), None).astype(TEXT)
    return pd.Series(pd.arrays.ArrowStringArray(pa.chunked_array([data])))


JEUNE_COLUMNS = ("_d_nom", "_d_prenom", "_d_naissance")  # a dossier part's jeune, for H and I


def _cascade(rows: pd.DataFrame, ot: ObjectType, parents: dict[str, ParentStatus]) -> pd.DataFrame:
    """PARENT_REJETE / PARENT_ABSENT findings: one per child, naming its first failing parent."""
    decided = pd.Series(False, index=rows.index)
    parts = []
    for parent in sorted(ot.parents, key=lambda p: OBJECT_ORDER[p.table]):
        status = parents[parent.table]
        fk = rows[parent.column].astype(TEXT).str.strip()
        given = as_mask(fk != "")
        migrated = given & member(fk, status.migrated_ids)
        rejected = given & ~migrated & member(fk, status.rejected)
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


def _historic(logins: pd.Series, ctx: CheckContext) -> pd.Series:
    """Whether a P3 login has no i-milo account (unknown while the RLM has loaded none)."""
    if ctx.imilo_logins is None:
        return pd.Series([None] * len(logins), index=logins.index, dtype=object)
    known = member(logins.astype(TEXT), ctx.imilo_logins)
    return (~known).where(logins.notna(), None).astype(object)


def _derived(ot: ObjectType, typed: pd.DataFrame, ctx: CheckContext) -> list[pd.Series]:
    """Values of ``DERIVED_COLUMNS[ot.table]``, in its order."""
    if ot.table == "rubrique":
        return [typed["acte_service"].map(mappings.acte_to_type_offre())]
    if ot.table == "cursus":
        return [typed["niveau_formation"].map(mappings.niveau_formation_2019())]
    if ot.table == "utilisateur":
        return [_historic(typed["login"], ctx)]
    if ot.table == "dossier":
        return [_historic(typed["login_referent"], ctx)]
    return []


def _as_objects(values: pd.Series, kind: str) -> list:
    if kind == "date":  # datetime64 with NaT
        missing = values.isna().tolist()
        return [None if m else d for d, m in zip(values.dt.date.tolist(), missing, strict=True)]
    if kind == "bool":
        values = values.map({"O": True, "N": False})
    return [
        None if (v is None or v is pd.NA or (isinstance(v, float) and np.isnan(v))) else v
        for v in values.tolist()
    ]


def judge(
    ot: ObjectType, rows: pd.DataFrame, parents: dict[str, ParentStatus], ctx: CheckContext
) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame, pd.Series]:
    """Every finding on in-scope rows, the rows that were checked, their typed values, and
    which of those migrate. Parents first: a child of a rejected or absent parent is reported
    for that only; then DOUBLON_ID; then the field and object rules."""
    cascade = _cascade(rows, ot, parents)
    cascaded = np.isin(rows["line_no"].to_numpy(), cascade["line_no"].to_numpy())
    key = id_column(ot.table)
    no_id = ~cascaded & (rows["_id"].isna() | (rows["_id"] == "")).to_numpy(dtype=bool)
    doubled = ~cascaded & (rows["_rank"].to_numpy() > 1) & ~no_id
    own = [
        _finding_frame(rows.loc[no_id, "line_no"], "CHAMP_OBLIGATOIRE", key, None),
        _finding_frame(rows.loc[doubled, "line_no"], "DOUBLON_ID", key, rows.loc[doubled, key]),
    ]
    aside = cascaded | no_id | doubled
    checked = rows.loc[~aside] if aside.any() else rows
    findings, typed = check_rows(ot, checked, ctx)
    parts = [f for f in (cascade, *own, findings) if not f.empty]
    found = pd.concat(parts, ignore_index=True) if parts else findings
    blocked = found.loc[found["blocking"].astype(bool), "line_no"]
    keep = pd.Series(~np.isin(checked["line_no"].to_numpy(), blocked.to_numpy()), checked.index)
    return found, checked, typed, keep


def _finding_frame(
    lines: pd.Series,
    rule: str,
    field: str,
    values: pd.Series | None,
) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "line_no": lines.to_numpy(),
            "rule": rule,
            "field": field,
            "blocking": True,
            "value": values.to_numpy() if values is not None else None,
        }
    )


class Source(Protocol):
    """Where an object type's P3 rows come from: the p3 database, or the extract's files."""

    def context(self, scope: RunScope) -> CheckContext: ...

    def chunks(self, ot: ObjectType, stage: str = "") -> Iterator[pd.DataFrame]:
        """Rows as read (text) with ``line_no``, ``_rank`` (1 for the first copy of a P3 id)
        and, for a dossier's parts, the jeune's ``_d_nom``, ``_d_prenom``, ``_d_naissance``.
        ``stage`` ``ACTIF`` or ``ARCHIVE`` keeps the rows of active or archived dossiers."""
        ...


class Sink(Protocol):
    """Where the verdicts go: the i-milo database of a run, or memory for a pre-check."""

    def parent_status(self, scope: RunScope, table: str) -> ParentStatus: ...

    def out_of_scope(
        self, scope: RunScope, ot: ObjectType, rows: pd.DataFrame, reason: str | None = None
    ) -> None:
        """Rows left out, with the reason (default: their structure is not the ML's)."""
        ...

    def already_migrated(self, scope: RunScope, ot: ObjectType) -> frozenset[str]:
        """P3 ids of the type the target already holds for the ML (for RATTRAPAGE)."""
        ...

    def migrated(
        self,
        scope: RunScope,
        ot: ObjectType,
        rows: pd.DataFrame,
        typed: pd.DataFrame,
        keep: pd.Series,
        parents: dict[str, ParentStatus],
        ctx: CheckContext,
    ) -> None:
        """The judged rows (id, structure, parents) and their typed values; ``keep`` says
        which of them migrate (the others have a blocking finding)."""
        ...

    def rejects(self, findings: Findings) -> None: ...

    def counts(
        self,
        scope: RunScope,
        ot: ObjectType,
        family: str,
        counts: Counts,
        seconds: float,
        stage: str = "",
    ) -> None: ...

    def reference_codes(self, scope: RunScope, table_name: str) -> frozenset[str] | None:
        """Codes of a reference table that migrated (None: references not judged yet)."""
        ...


FREEZE_RULE = "REF_MODIFIEE_APRES_GEL"
IN_PRODUCTION = "déjà en production"
FROZEN = "référence en production depuis MIG_REF, comparée au gel"


def migrate_object_type(
    source: Source,
    sink: Sink,
    scope: RunScope,
    ot: ObjectType,
    ctx: CheckContext,
    stage: str = "",
) -> Counts:
    """Judge every P3 row of one object type and hand the verdicts to the sink.

    At the ``GEL`` stage rows are only compared with MIG_REF's freeze: a changed one is
    rejected, the others are left out of scope (they are in production already)."""
    control = stage == "GEL"
    parents = {p.table: sink.parent_status(scope, p.table) for p in ot.parents}
    already = sink.already_migrated(scope, ot) if scope.delta else frozenset()
    counts = Counts()
    for rows in source.chunks(ot, "" if control else stage):
        heure = dt.datetime.now(PARIS).replace(microsecond=0)
        counts.read += len(rows)
        rows["_id"] = rows[id_column(ot.table)].astype(TEXT).str.strip()

        scoped = scope.in_scope(rows["code_structure"])
        if not scoped.all():
            sink.out_of_scope(scope, ot, rows.loc[~scoped])
            counts.out_of_scope += int((~scoped).sum())
            rows = rows.loc[scoped].reset_index(drop=True)
        if already:
            there = member(rows["_id"], already)
            if there.any():
                sink.out_of_scope(scope, ot, rows.loc[there], IN_PRODUCTION)
                counts.out_of_scope += int(there.sum())
                rows = rows.loc[~there].reset_index(drop=True)

        found, checked, typed, keep = judge(ot, rows, parents, ctx)
        if control:
            found = found.loc[found["rule"] == FREEZE_RULE].reset_index(drop=True)
            unchanged = ~checked["line_no"].isin(found["line_no"])
            sink.out_of_scope(scope, ot, checked.loc[unchanged], FROZEN)
            counts.out_of_scope += int(unchanged.sum())
            keep = pd.Series(False, index=checked.index)  # production has them: none written
        # What a sink may read of the rows: the id, the structure, the parents.
        needed = ["_id", "code_structure", *(p.column for p in ot.parents)]
        sink.migrated(scope, ot, checked[needed], typed, keep, parents, ctx)
        sink.rejects(Findings.of(scope, ot, rows, found, heure))

        blocking = found["blocking"].astype(bool)
        blocked = set(found.loc[blocking, "line_no"])
        counts.migrated += int(keep.sum())
        counts.rejected += len(blocked)
        counts.migrated_with_errors += len(set(found.loc[~blocking, "line_no"]) - blocked)
    return counts


def migrate_family(
    source: Source,
    sink: Sink,
    scope: RunScope,
    family_key: str,
    stage: str = "",
) -> dict[str, Counts]:
    """Migrate every object type of a family, in order; the caller owns any transaction.

    ``stage``: empty for every row; ``ACTIF`` / ``ARCHIVE`` for the rows of active or
    archived dossiers (MIG's steps); ``GEL`` to only compare references with the freeze."""
    ctx = source.context(scope)
    # A dossier's code de connaissance must name a reference that migrated, not just one read.
    migrated_codes = sink.reference_codes(scope, "CONNAISSANCE")
    if migrated_codes is not None:
        ctx = replace(ctx, connaissance_codes=ctx.connaissance_codes & migrated_codes)
    result: dict[str, Counts] = {}
    for ot in FAMILY_BY_KEY[family_key].object_types:
        started = time.perf_counter()
        counts = migrate_object_type(source, sink, scope, ot, ctx, stage)
        sink.counts(scope, ot, family_key, counts, time.perf_counter() - started, stage)
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


# ----------------------------------------------------------------------------- the p3 database


class P3Source:
    """Rows of the ML's extract in the p3 database, read with a server-side cursor."""

    def __init__(self, p3: psycopg.Connection, extract_id: int) -> None:
        self.p3 = p3
        self.extract_id = extract_id

    def context(self, scope: RunScope) -> CheckContext:
        connaissance = self.p3.execute(
            "SELECT DISTINCT btrim(code) FROM p3.reference WHERE extract_id = %s"
            " AND btrim(table_name) = 'CONNAISSANCE' AND code IS NOT NULL",
            (self.extract_id,),
        ).fetchall()
        return CheckContext(
            scope.extracted_on,
            frozenset(r[0] for r in connaissance),
            imilo_logins=imilo_logins(self.p3, scope.ml),
            frozen_references=frozen_references(self.p3, scope.ml) if scope.freeze else None,
        )

    def chunks(self, ot: ObjectType, stage: str = "") -> Iterator[pd.DataFrame]:
        query, names = _read_query(ot, stage)
        with self.p3.cursor(name=f"read_{ot.table}") as cursor:
            cursor.itersize = CHUNK_ROWS
            cursor.execute(query, {"e": self.extract_id})
            while rows := cursor.fetchmany(CHUNK_ROWS):
                yield pd.DataFrame(rows, columns=names, dtype=object)


def imilo_logins(p3: psycopg.Connection, ml: str) -> frozenset[str] | None:
    """P3 logins that have an i-milo account, as the RLM loaded them; None if never loaded."""
    rows = p3.execute("SELECT login_p3 FROM p3.compte_imilo WHERE ml = %s", (ml,)).fetchall()
    return frozenset(r[0] for r in rows) if rows else None


def frozen_references(p3: psycopg.Connection, ml: str) -> dict[tuple[str, str], tuple] | None:
    """The ML's local references as MIG_REF froze them; None before any freeze."""
    rows = p3.execute(
        "SELECT table_name, code, niveau, libelle, actif, visible FROM p3.reference_gel"
        " WHERE ml = %s",
        (ml,),
    ).fetchall()
    return {(r[0], r[1]): tuple(r[2:]) for r in rows} if rows else None


def _first_copies(table: str, key: str, *values: str) -> sql.Composed:
    """The first copy (by line) of each P3 id of a table: ``k`` the trimmed id, then values."""
    return sql.SQL(
        "(SELECT DISTINCT ON (btrim({key})) btrim({key}) AS k, {values} FROM {table}"
        " WHERE extract_id = %(e)s ORDER BY btrim({key}), line_no)"
    ).format(
        key=sql.Identifier(key),
        values=sql.SQL(", ").join(sql.SQL(v) for v in values),
        table=sql.Identifier("p3", table),
    )


def _dossier_status(ot: ObjectType) -> tuple[sql.Composable, sql.Composable]:
    """(joins, expression): the status of the dossier a row belongs to, through its parents."""
    if ot.table == "dossier":
        return sql.SQL(""), sql.SQL("upper(btrim(t.statut))")
    joins: list[sql.Composable] = []
    alias, column = "t", ""
    for n, parent in enumerate(dossier_path(ot.table)):
        if parent.table == "dossier":
            column = parent.column if alias == "t" else column
            break
        hop = f"h{n}"
        upward = dossier_path(parent.table)[0].column
        joins.append(
            sql.SQL(" LEFT JOIN {} {} ON {}.k = btrim({}.{})").format(
                _first_copies(parent.table, id_column(parent.table), f"btrim({upward}) AS up"),
                sql.Identifier(hop),
                sql.Identifier(hop),
                sql.Identifier(alias),
                sql.Identifier(parent.column if alias == "t" else column),
            )
        )
        alias, column = hop, "up"
    assert column, f"{ot.table} belongs to no dossier"
    upward_key: sql.Composable = (
        sql.SQL("btrim(t.{})").format(sql.Identifier(column))
        if alias == "t"
        else sql.SQL("{}.{}").format(sql.Identifier(alias), sql.Identifier(column))
    )
    joins.append(
        sql.SQL(" LEFT JOIN {} st ON st.k = {}").format(
            _first_copies("dossier", "id_dossier", "upper(btrim(statut)) AS s"), upward_key
        )
    )
    return sql.Composed(joins), sql.SQL("st.s")


def _read_query(ot: ObjectType, stage: str = "") -> tuple[sql.Composed, list[str]]:
    """The chunked read of one P3 table: every column, the duplicate rank, the jeune's name;
    for a stage, only the rows of active (``ACTIF``) or archived (``ARCHIVE``) dossiers."""
    table = ot.table
    key = id_column(table)
    columns = ["line_no", key, "code_structure", *P3_COLUMNS[table]]
    select: list[sql.Composable] = [sql.SQL("t.{}").format(sql.Identifier(c)) for c in columns]
    select.append(
        sql.SQL("row_number() OVER (PARTITION BY btrim(t.{}) ORDER BY t.line_no) AS _rank").format(
            sql.Identifier(key)
        )
    )
    join: sql.Composable = sql.SQL("")
    names = [*columns, "_rank"]
    if "id_dossier" in P3_COLUMNS[table]:
        # The jeune's name and birth date help the RLM find a dossier's part in P3.
        select.append(
            sql.SQL("d.nom AS _d_nom, d.prenom AS _d_prenom, d.date_naissance AS _d_naissance")
        )
        join = sql.SQL(
            " LEFT JOIN (SELECT DISTINCT ON (btrim(id_dossier)) btrim(id_dossier) AS k,"
            " nom, prenom, date_naissance FROM p3.dossier WHERE extract_id = %(e)s"
            " ORDER BY btrim(id_dossier), line_no) d ON d.k = btrim(t.id_dossier)"
        )
        names += JEUNE_COLUMNS
    if stage:
        status_join, status = _dossier_status(ot)
        select.append(sql.SQL("{} AS _statut").format(status))
        join = sql.Composed([join, status_join])
    query = sql.SQL("SELECT {} FROM {} t{} WHERE t.extract_id = %(e)s ORDER BY t.line_no").format(
        sql.SQL(", ").join(select), sql.Identifier("p3", table), join
    )
    if stage:
        # The duplicate rank is taken over the whole table, before the stage keeps its rows.
        condition = {
            "ARCHIVE": "_statut = 'ARCHIVE'",
            "ACTIF": "_statut IS DISTINCT FROM 'ARCHIVE'",
        }
        query = sql.SQL("SELECT {} FROM ({}) q WHERE {} ORDER BY line_no").format(
            sql.SQL(", ").join(map(sql.Identifier, names)), query, sql.SQL(condition[stage])
        )
    return query, names


# ------------------------------------------------------------------- the i-milo database of a run


class TargetSink:
    """Writes a run's verdicts into its i-milo database, in the caller's transaction."""

    def __init__(self, target: psycopg.Connection) -> None:
        self.target = target

    def parent_status(self, scope: RunScope, table: str) -> ParentStatus:
        rows = self.target.execute(
            "SELECT id_p3, imilo_id FROM migration.id_map"
            " WHERE object_type = %s AND plateforme = %s AND ml = %s",
            (table, scope.plateforme, scope.ml),
        ).fetchall()
        rejected = self.target.execute(
            "SELECT DISTINCT id_p3 FROM migration.reject"
            " WHERE run_id = %s AND type_objet = %s AND blocking",
            (scope.run_id, table),
        ).fetchall()
        return ParentStatus(
            pd.Series(dict(rows), dtype="int64"),
            frozenset(r[0] for r in rejected if r[0] is not None),
        )

    def migrated(
        self,
        scope: RunScope,
        ot: ObjectType,
        rows: pd.DataFrame,
        typed: pd.DataFrame,
        keep: pd.Series,
        parents: dict[str, ParentStatus],
        ctx: CheckContext,
    ) -> None:
        rows, typed = rows.loc[keep], typed.loc[keep]
        n = len(rows)
        if n == 0:
            return
        ids = _reserve_ids(self.target, ot.table, n)
        columns: list[str] = ["id", "ml", "code_structure"]
        data: list[list] = [
            ids.tolist(),
            [scope.ml] * n,
            _as_objects(rows["code_structure"].astype(TEXT).str.strip(), "text"),
        ]
        for parent in ot.parents:
            fk = rows[parent.column].astype(TEXT).str.strip()
            columns.append(parent_column(parent.table))
            mapped = fk.map(parents[parent.table].imilo_ids).astype("Int64")
            data.append(_as_objects(mapped.astype(object), "text"))
        for spec in ot.fields:
            columns.append(spec.name)
            data.append(_as_objects(typed[spec.name], spec.kind))
        derived = zip(DERIVED_COLUMNS.get(ot.table, {}), _derived(ot, typed, ctx), strict=True)
        for name, values in derived:
            columns.append(name)
            data.append(_as_objects(values, "text"))
        copy_sql = sql.SQL("COPY {} ({}) FROM STDIN").format(
            sql.Identifier("imilo", ot.table), sql.SQL(", ").join(map(sql.Identifier, columns))
        )
        with self.target.cursor() as cursor, cursor.copy(copy_sql) as copy:
            for record in zip(*data, strict=True):
                copy.write_row(record)
        with (
            self.target.cursor() as cursor,
            cursor.copy(
                "COPY migration.id_map (object_type, plateforme, id_p3, imilo_id, ml, run_id)"
                " FROM STDIN"
            ) as copy,
        ):
            for id_p3, imilo_id in zip(rows["_id"].tolist(), ids.tolist(), strict=True):
                copy.write_row(
                    (ot.table, scope.plateforme, id_p3, imilo_id, scope.ml, scope.run_id)
                )

    def rejects(self, findings: Findings) -> None:
        frame = findings.frame()
        if frame.empty:
            return
        frame = frame.astype(object).where(frame.notna(), None)
        copy_sql = sql.SQL("COPY migration.reject ({}) FROM STDIN").format(
            sql.SQL(", ").join(map(sql.Identifier, REJECT_COPY_COLUMNS))
        )
        with self.target.cursor() as cursor, cursor.copy(copy_sql) as copy:
            for row in frame.itertuples(index=False, name=None):
                copy.write_row(row)

    def already_migrated(self, scope: RunScope, ot: ObjectType) -> frozenset[str]:
        rows = self.target.execute(
            "SELECT id_p3 FROM migration.id_map WHERE ml = %s AND object_type = %s"
            " AND plateforme = %s",
            (scope.ml, ot.table, scope.plateforme),
        ).fetchall()
        return frozenset(r[0] for r in rows)

    def out_of_scope(
        self, scope: RunScope, ot: ObjectType, rows: pd.DataFrame, reason: str | None = None
    ) -> None:
        with (
            self.target.cursor() as cursor,
            cursor.copy(
                "COPY migration.out_of_scope (run_id, object_type, line_no, id_p3, reason)"
                " FROM STDIN"
            ) as copy,
        ):
            for line_no, id_p3, code in zip(
                rows["line_no"],
                _as_objects(rows["_id"], "text"),
                rows["code_structure"],
                strict=True,
            ):
                copy.write_row(
                    (
                        scope.run_id,
                        ot.table,
                        line_no,
                        id_p3,
                        reason or f"structure {code} hors du périmètre de la ML {scope.ml}",
                    )
                )

    def reference_codes(self, scope: RunScope, table_name: str) -> frozenset[str] | None:
        judged = self.target.execute(
            "SELECT 1 FROM migration.object_count WHERE run_id = %s AND object_type = 'reference'"
            " AND stage <> 'GEL'",
            (scope.run_id,),
        ).fetchone()
        if judged is None:
            return None
        rows = self.target.execute(
            "SELECT code FROM imilo.reference WHERE ml = %s AND table_name = %s",
            (scope.ml, table_name),
        ).fetchall()
        return frozenset(r[0] for r in rows)

    def counts(
        self,
        scope: RunScope,
        ot: ObjectType,
        family: str,
        counts: Counts,
        seconds: float,
        stage: str = "",
    ) -> None:
        record_counts(self.target, scope.run_id, ot.table, family, counts, seconds, stage)


def record_counts(
    conn: psycopg.Connection,
    run_id: int,
    object_type: str,
    family: str,
    counts: Counts,
    seconds: float,
    stage: str = "",
) -> None:
    """One object type's conservation counts for a run (and a stage of it)."""
    conn.execute(
        "INSERT INTO migration.object_count (run_id, object_type, stage, family, read,"
        " migrated, rejected, migrated_with_errors, out_of_scope, seconds)"
        " VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s)",
        (
            run_id,
            object_type,
            stage,
            family,
            counts.read,
            counts.migrated,
            counts.rejected,
            counts.migrated_with_errors,
            counts.out_of_scope,
            seconds,
        ),
    )
