"""Gathers a run's counts and reject rows from the ``migration`` schema into its report."""

from __future__ import annotations

import datetime as dt
import os
import re
from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import psycopg
from psycopg import sql

from pipeline import evolution, indicators, inputs, lock, runs
from pipeline.engine import PARIS, RunScope
from pipeline.families import FAMILIES, FAMILY_OF
from pipeline.kinds import RunKind
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
    """The run's counts per object type, its stages added up."""
    rows = target.execute(
        "SELECT object_type, sum(read)::int, sum(migrated)::int, sum(rejected)::int,"
        " sum(migrated_with_errors)::int, sum(out_of_scope)::int"
        " FROM migration.object_count WHERE run_id = %s AND family <> 'decisionnel'"
        " GROUP BY object_type ORDER BY object_type",
        (run_id,),
    ).fetchall()
    found = {r[0]: dict(zip(COUNT_KEYS, r[1:], strict=True)) for r in rows}
    order = {t: n for n, t in enumerate(FAMILY_OF)}
    return {t: found[t] for t in sorted(found, key=lambda t: order.get(t, -1))}


def _stages(target: psycopg.Connection, run_id: int) -> list[dict]:
    """A staged run's steps in order (MIG: ACTIF, its décisionnel, ARCHIVE, its décisionnel)
    with their counts; empty for a run in one pass."""
    rows = target.execute(
        "SELECT stage, family = 'decisionnel', object_type, read, migrated, rejected,"
        " migrated_with_errors, out_of_scope, coalesce(seconds, 0)"
        " FROM migration.object_count WHERE run_id = %s AND stage IN ('ACTIF', 'ARCHIVE')"
        " ORDER BY stage, family = 'decisionnel'",
        (run_id,),
    ).fetchall()
    steps: dict[tuple[str, bool], dict] = {}
    for stage, decisionnel, object_type, *numbers in rows:
        step = steps.setdefault(
            (stage, decisionnel),
            {
                "stage": ("DECISIONNEL_" if decisionnel else "DOSSIERS_") + stage,
                "objects": {},
                "seconds": 0.0,
            },
        )
        step["objects"][object_type] = dict(zip(COUNT_KEYS, numbers[:5], strict=True))
        step["seconds"] = round(step["seconds"] + float(numbers[5]), 3)
    return list(steps.values())


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
    run_kind, environment, started_at, ml, region, warnings = target.execute(
        "SELECT run_kind, environment, started_at, ml, coalesce(region, scope), avertissements"
        " FROM migration.run WHERE id = %s",
        (scope.run_id,),
    ).fetchone()  # type: ignore[misc]
    summary = {
        "run_kind": run_kind,
        "ml": ml,
        "plateforme": scope.plateforme or None,
        "environment": environment,
        "started_at": started_at.astimezone(PARIS).isoformat(timespec="seconds"),
        "finished_at": dt.datetime.now(PARIS).isoformat(timespec="seconds"),
        "objects": _objects(target, scope.run_id),
        "rules": _rules(target, scope.run_id),
        "scope": scope.ml,
        "region": region,
    }
    if stages := _stages(target, scope.run_id):
        summary["stages"] = stages
    if warnings:
        summary["warnings"] = warnings.splitlines()
    return summary


def finish_run(
    p3: psycopg.Connection,
    target: psycopg.Connection,
    scope: RunScope,
    kind: RunKind,
    explicit_dir: str | None,
) -> tuple[ReportFiles, dict]:
    """Write the run's report, close it, and do what its kind does at its end: MIG_REF
    freezes the references, MIG_REGIONAL locks the region, a MIG (or a kept MAB) lifts the
    lock after the region's last ML, a MAB not kept leaves production as it found it."""
    files, summary = write_run_report(target, scope, explicit_dir, p3 if kind.controls else None)
    region = summary.get("region")
    # The ML is in production for good after a MIG or a MAB kept (--keep).
    migrated = kind.name == "MIG" or (kind.name == "MAB" and _conserved(target, scope.run_id))
    if kind.freezes:
        summary["frozen_references"] = inputs.freeze(p3, scope.ml, scope.extract_id)
    elif kind.name == "MIG_REGIONAL" and region:
        lock.lay(target, region, scope.run_id)
    elif kind.name == "MAB" and not migrated:
        removed = runs.remove_run_objects(target, scope.run_id, scope.ml)
        target.execute(
            "UPDATE migration.run SET message = %s WHERE id = %s",
            (f"MAB non conservée: {removed} objets retirés de la production", scope.run_id),
        )
    if migrated and region:
        from pipeline.shared_data import region_mls

        lifted = lock.lift_if_last(target, region, region_mls(p3, region), scope.run_id)
        summary["regional_lock_lifted"] = lifted
    return files, summary


def _conserved(target: psycopg.Connection, run_id: int) -> bool:
    row = target.execute("SELECT conserve FROM migration.run WHERE id = %s", (run_id,)).fetchone()
    return bool(row and row[0])


def write_run_report(
    target: psycopg.Connection,
    scope: RunScope,
    explicit_dir: str | None,
    p3: psycopg.Connection | None = None,
) -> tuple[ReportFiles, dict]:
    """Write the run's three report files, close the run, and return the files and summary.
    With ``p3`` the indicators, the GO / NO GO and the evolution are computed too."""
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
    name = re.sub(r"[^\w-]+", "-", scope.ml).strip("-")
    stem = f"rapport_{summary['run_kind']}_{name}_{started:%Y%m%d-%H%M%S}"
    if all(t in FAMILY_OF for t in summary["objects"]):
        migrated = {FAMILY_OF[t] for t in summary["objects"]}
        families = [
            (f.key, [ot.table for ot in f.object_types]) for f in FAMILIES if f.key in migrated
        ]
    else:  # national and regional data: object types of their own, one REFERENTIEL family
        families = [("referentiels", list(summary["objects"]))]
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
