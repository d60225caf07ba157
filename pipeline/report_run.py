"""Gathers a run's counts and reject rows from the ``migration`` schema into its report."""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import psycopg
from psycopg import sql

from pipeline import evolution, indicators, runs
from pipeline.engine import PARIS, RunScope
from pipeline.families import FAMILIES, FAMILY_OF
from pipeline.report import ReportFiles, write_report
from pipeline.settings import VAR_DIR
from schemas.imilo.models import REJECT_COLUMNS

REPORT_CHUNK = 10_000
COUNT_KEYS = ("read", "migrated", "rejected", "migrated_with_errors", "out_of_scope")


class ConservationError(RuntimeError):
    """Rows read ≠ migrated + rejected + out of scope for some object type: the run failed."""


def report_dir(explicit: str | None) -> Path:
    return Path(explicit or os.environ.get("IMILO_REPORT_DIR") or VAR_DIR / "reports")


def _objects(target: psycopg.Connection, run_id: int) -> dict[str, dict[str, int]]:
    rows = target.execute(
        "SELECT object_type, read, migrated, rejected, migrated_with_errors, out_of_scope"
        " FROM migration.object_count WHERE run_id = %s",
        (run_id,),
    ).fetchall()
    found = {r[0]: dict(zip(COUNT_KEYS, r[1:], strict=True)) for r in rows}
    order = list(FAMILY_OF)
    return {t: found[t] for t in sorted(found, key=order.index)}


def _rules(target: psycopg.Connection, run_id: int) -> dict[str, int]:
    rows = target.execute(
        "SELECT regle, count(*) FROM migration.reject WHERE run_id = %s"
        " GROUP BY regle ORDER BY regle",
        (run_id,),
    ).fetchall()
    return {rule: n for rule, n in rows}


def check_conservation(objects: dict[str, dict[str, int]]) -> None:
    unbalanced = [
        f"{t}: lus {c['read']} ≠ {c['migrated']} + {c['rejected']} + {c['out_of_scope']}"
        for t, c in objects.items()
        if c["read"] != c["migrated"] + c["rejected"] + c["out_of_scope"]
    ]
    if unbalanced:
        raise ConservationError("comptes non équilibrés: " + "; ".join(unbalanced))


def reject_chunks(target: psycopg.Connection, run_id: int) -> Iterator[pd.DataFrame]:
    """The run's reject rows, in the order they were found, as report-ready frames."""
    columns = ["regle", *REJECT_COLUMNS]
    query = sql.SQL("SELECT {} FROM migration.reject WHERE run_id = %s ORDER BY id").format(
        sql.SQL(", ").join(map(sql.Identifier, columns))
    )
    with target.cursor(name=f"report_{run_id}") as cursor:
        cursor.itersize = REPORT_CHUNK
        cursor.execute(query, (run_id,))
        while rows := cursor.fetchmany(REPORT_CHUNK):
            frame = pd.DataFrame(rows, columns=columns, dtype=object)
            frame["heure"] = [h.astimezone(PARIS).replace(tzinfo=None) for h in frame["heure"]]
            yield frame


def summary_of(target: psycopg.Connection, scope: RunScope) -> dict:
    run_kind, environment, started_at = target.execute(
        "SELECT run_kind, environment, started_at FROM migration.run WHERE id = %s", (scope.run_id,)
    ).fetchone()  # type: ignore[misc]
    return {
        "run_kind": run_kind,
        "ml": scope.ml,
        "plateforme": scope.plateforme,
        "environment": environment,
        "started_at": started_at.astimezone(PARIS).isoformat(timespec="seconds"),
        "finished_at": dt.datetime.now(PARIS).isoformat(timespec="seconds"),
        "objects": _objects(target, scope.run_id),
        "rules": _rules(target, scope.run_id),
    }


def write_run_report(
    target: psycopg.Connection,
    scope: RunScope,
    explicit_dir: str | None,
    p3: psycopg.Connection | None = None,
) -> tuple[ReportFiles, dict]:
    """Write the run's three report files, close the run, and return the files and summary."""
    summary = summary_of(target, scope)
    check_conservation(summary["objects"])
    changes = None
    if p3 is not None:
        # The controls are counted on both databases, not taken from the pipeline's counters.
        figures = indicators.compute(p3, target, scope.ml, scope.extract_id)
        indicators.record(target, scope.run_id, figures)
        certificate, _ = indicators.declaration(target, scope.ml)
        summary["indicators"], summary["criteria"], summary["verdict"] = indicators.controls(
            figures, certificate
        )
        summary["forecast"] = evolution.forecast(target, scope.run_id)
        target.execute(
            "UPDATE migration.run SET verdict = %s WHERE id = %s",
            (summary["verdict"], scope.run_id),
        )
        changes = evolution.compare(
            target, evolution.previous_run(target, scope.run_id), scope.run_id
        )
    started = dt.datetime.fromisoformat(summary["started_at"])
    stem = f"rapport_{summary['run_kind']}_{scope.ml}_{started:%Y%m%d-%H%M%S}"
    migrated = {FAMILY_OF[t] for t in summary["objects"]}
    families = [(f.key, [ot.table for ot in f.object_types]) for f in FAMILIES if f.key in migrated]
    out = report_dir(explicit_dir)
    out.mkdir(parents=True, exist_ok=True)
    files = write_report(
        out,
        stem,
        summary,
        families,
        reject_chunks(target, scope.run_id),
        controls=p3 is not None,
        evolution=changes,
    )
    runs.close_run(target, scope.run_id, "TERMINE", str(files.xlsx), p3)
    return files, summary
