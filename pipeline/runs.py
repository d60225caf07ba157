"""Migration runs: opening one (with the blank run's wipe), finding it, closing it,
and the décisionnel built from what a run migrated."""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING

import psycopg
from psycopg import sql

from pipeline.engine import PARIS, RunScope
from pipeline.families import OBJECT_TYPES
from pipeline.settings import ML_CODE

if TYPE_CHECKING:
    from pipeline.kinds import RunKind
    from pipeline.preconditions import Cleared

# A run whose steps gave no sign of life for this long was killed: it no longer holds its ML.
HEARTBEAT_PERIOD_S = 20
STALE_AFTER = "3 minutes"


class RunRefused(RuntimeError):
    """A run cannot start; the message says what is missing and what to do first."""


@dataclass(frozen=True)
class ExtractInfo:
    extract_id: int
    plateforme: int
    extracted_at: dt.datetime


def latest_extract(p3: psycopg.Connection, ml: str) -> ExtractInfo:
    row = p3.execute(
        "SELECT id, plateforme, extracted_at FROM p3.extract"
        " WHERE structures::jsonb ? %s ORDER BY id DESC LIMIT 1",
        (ml,),
    ).fetchone()
    if row is None:
        raise RunRefused(
            f"no P3 extract loaded for ML {ml}: load one first with "
            "`imilo-migrate extract load DIR`"
        )
    return ExtractInfo(*row)


def wipe_ml(target: psycopg.Connection, ml: str, tables: tuple[str, ...] | None = None) -> None:
    """Remove every object of one ML (or of some object types) from an i-milo database."""
    if tables is None:
        target.execute("DELETE FROM imilo.decisionnel_mensuel WHERE ml = %s", (ml,))
    for table in reversed(list(OBJECT_TYPES)):
        if tables is None or table in tables:
            target.execute(
                sql.SQL("DELETE FROM {} WHERE ml = %s").format(sql.Identifier("imilo", table)),
                (ml,),
            )
    types = None if tables is None else list(tables)
    target.execute(
        "DELETE FROM migration.id_map WHERE ml = %(ml)s"
        " AND (%(types)s::text[] IS NULL OR object_type = ANY(%(types)s))",
        {"ml": ml, "types": types},
    )


def remove_run_objects(target: psycopg.Connection, run_id: int, ml: str) -> int:
    """Remove from the database every object one run wrote (a MAB not kept); returns them."""
    removed = 0
    for table in reversed(list(OBJECT_TYPES)):
        removed += target.execute(
            sql.SQL(
                "DELETE FROM {} o USING migration.id_map m WHERE m.run_id = %s"
                " AND m.object_type = %s AND o.id = m.imilo_id"
            ).format(sql.Identifier("imilo", table)),
            (run_id, table),
        ).rowcount
    target.execute("DELETE FROM migration.id_map WHERE run_id = %s", (run_id,))
    if removed:
        build_decisionnel(target, ml)
    return removed


def run_in_progress(target: psycopg.Connection, scope: str) -> tuple | None:
    """The scope's run that is alive in this database (id, kind, started, last sign of life)."""
    return target.execute(
        "SELECT id, run_kind, started_at, heartbeat_at FROM migration.run"
        " WHERE coalesce(scope, ml) = %s AND status = 'EN_COURS'"
        f" AND coalesce(heartbeat_at, started_at) > now() - interval '{STALE_AFTER}'"
        " ORDER BY id DESC LIMIT 1",
        (scope,),
    ).fetchone()


def refuse_if_running(target: psycopg.Connection, scope: str) -> None:
    alive = run_in_progress(target, scope)
    if alive is not None:
        run_id, kind, started, beat = alive
        started, beat = started.astimezone(PARIS), beat.astimezone(PARIS)
        what = f"ML {scope}" if ML_CODE.fullmatch(scope) else scope
        raise RunRefused(
            f"run {run_id} ({kind}) of {what} is in progress since {started:%d/%m/%Y %H:%M:%S}"
            f" (last sign of life {beat:%H:%M:%S}, Paris time): one run of {what} at a time,"
            " wait for it"
        )


def record_refusal(
    target: psycopg.Connection,
    kind: RunKind,
    scope: str,
    message: str,
    dagster_run_id: str | None = None,
) -> int:
    """Record a refused run (status REFUSE, the reason) and commit it: nothing else is written."""
    target.rollback()
    now = dt.datetime.now(PARIS)
    run_id = target.execute(
        "INSERT INTO migration.run (dagster_run_id, run_kind, ml, scope, environment,"
        " started_at, finished_at, status, message)"
        " VALUES (%s, %s, %s, %s, %s, %s, %s, 'REFUSE', %s) RETURNING id",
        (
            dagster_run_id,
            kind.name,
            scope if kind.scope == "ML" else None,
            scope,
            kind.environment.value,
            now,
            now,
            message,
        ),
    ).fetchone()[0]  # type: ignore[index]
    target.commit()
    return int(run_id)


def clear_to_run(
    target: psycopg.Connection,
    kind: RunKind,
    scope: str,
    check: Callable[[], Cleared],
    dagster_run_id: str | None = None,
) -> Cleared:
    """No other run of the scope alive, and the preconditions met; else the refusal is
    recorded (status REFUSE, committed) and raised."""
    try:
        refuse_if_running(target, scope)
        return check()
    except RunRefused as refusal:
        record_refusal(target, kind, scope, str(refusal), dagster_run_id)
        raise


def open_run(
    p3: psycopg.Connection,
    target: psycopg.Connection,
    *,
    kind: RunKind,
    scope: str,
    dagster_run_id: str,
    check: Callable[[], Cleared],
    keep: bool = False,
) -> RunScope:
    """Record a new run, one per scope (ML, region, nation) at a time, once ``check`` (the
    preconditions) clears it; a refusal is recorded as such and raised. A blank run first
    wipes the ML's VALIDATION data; MIG_REF replaces the ML's references and users.

    The lock is held until the caller commits, so a second run of the scope waits, then sees
    this one alive and is refused.
    """
    # (The connection was opened with resources.check_environment: a blank run never gets
    # a database tagged PRODUCTION.)
    target.execute("SELECT pg_advisory_xact_lock(hashtext('run:' || %s))", (scope,))
    cleared = clear_to_run(target, kind, scope, check, dagster_run_id)
    stale = target.execute(
        "UPDATE migration.run SET status = 'ECHEC', finished_at = now(),"
        " message = 'arrêtée sans fin (processus tué)'"
        " WHERE coalesce(scope, ml) = %s AND status = 'EN_COURS' RETURNING id, dagster_run_id",
        (scope,),
    ).fetchall()  # runs left behind by a killed process: their extract and objects go too
    for stale_id, run_key in stale:
        p3.execute("DELETE FROM p3.extract_pin WHERE run_key = %s", (run_key,))
        remove_run_objects(target, stale_id, scope)
    if kind.scope == "ML":
        extract: ExtractInfo | None = pin_extract(p3, scope, dagster_run_id)
        if kind.blank:
            wipe_ml(target, scope)
        elif kind.freezes:  # it replaces the ML's references and users
            wipe_ml(target, scope, ("reference", "utilisateur"))
    else:
        extract = None
    run_id = target.execute(
        "INSERT INTO migration.run (dagster_run_id, run_kind, ml, scope, environment,"
        " plateforme, extract_id, extracted_at, started_at, status, heartbeat_at, region,"
        " avertissements, conserve)"
        " VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, 'EN_COURS', now(), %s, %s, %s)"
        " RETURNING id",
        (
            dagster_run_id,
            kind.name,
            scope if kind.scope == "ML" else None,
            scope,
            kind.environment.value,
            extract.plateforme if extract else None,
            extract.extract_id if extract else None,
            extract.extracted_at if extract else None,
            dt.datetime.now(PARIS),
            cleared.region,
            "\n".join(cleared.warnings) or None,
            keep if kind.name == "MAB" else None,
        ),
    ).fetchone()[0]  # type: ignore[index]
    return _run_scope(run_id, scope, kind, extract)


def _run_scope(run_id: int, scope: str, kind: RunKind, extract: ExtractInfo | None) -> RunScope:
    """What a run of this kind migrates; a national or regional run reads no single extract."""
    if extract is None:
        return RunScope(run_id, scope, 0, 0, dt.date.today())
    return RunScope(
        run_id,
        scope,
        extract.plateforme,
        extract.extract_id,
        extract.extracted_at.date(),
        delta=kind.delta,
        freeze=not kind.freezes,
    )


def region_of(p3: psycopg.Connection, extract_id: int, ml: str) -> str | None:
    """The ML's region, as its own structure row in the extract says."""
    row = p3.execute(
        "SELECT btrim(region) FROM p3.structure WHERE extract_id = %s AND btrim(code) = %s"
        " AND coalesce(btrim(region), '') <> '' ORDER BY line_no LIMIT 1",
        (extract_id, ml),
    ).fetchone()
    return row[0] if row else None


def pin_extract(p3: psycopg.Connection, ml: str, run_key: str) -> ExtractInfo:
    """Pin the ML's latest extract for this run (committed at once: a load must see it)."""
    p3.execute("SELECT pg_advisory_xact_lock(hashtext('p3.extract'))")
    extract = latest_extract(p3, ml)
    p3.execute(
        "INSERT INTO p3.extract_pin (extract_id, run_key) VALUES (%s, %s) ON CONFLICT DO NOTHING",
        (extract.extract_id, run_key),
    )
    p3.commit()
    return extract


def check_extract(p3: psycopg.Connection, scope: RunScope) -> None:
    """A run reads the extract it started with, or fails loudly: never a silent empty family."""
    row = p3.execute("SELECT 1 FROM p3.extract WHERE id = %s", (scope.extract_id,)).fetchone()
    if row is None:
        raise RunRefused(
            f"the extract {scope.extract_id} this run started with is gone from p3: run again"
        )


@contextmanager
def heartbeat(target_url: str, run_id: int) -> Iterator[None]:
    """Tell other runs, every few seconds from a thread, that this run is alive."""
    stop = threading.Event()

    def beat() -> None:
        with psycopg.connect(target_url, autocommit=True) as conn:
            while True:
                conn.execute(
                    "UPDATE migration.run SET heartbeat_at = now() WHERE id = %s", (run_id,)
                )
                if stop.wait(HEARTBEAT_PERIOD_S):
                    return

    thread = threading.Thread(target=beat, name=f"heartbeat-{run_id}", daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join(timeout=10)


def find_run(target: psycopg.Connection, dagster_run_id: str) -> RunScope | None:
    """The migration run a Dagster run opened, if it opened one (and was not refused)."""
    from pipeline.kinds import run_kind

    row = target.execute(
        "SELECT id, coalesce(scope, ml), run_kind, extract_id, plateforme, extracted_at"
        " FROM migration.run WHERE dagster_run_id = %s AND status <> 'REFUSE'",
        (dagster_run_id,),
    ).fetchone()
    if row is None:
        return None
    run_id, scope, kind, extract_id, plateforme, extracted_at = row
    extract = None if extract_id is None else ExtractInfo(extract_id, plateforme, extracted_at)
    return _run_scope(run_id, scope, run_kind(kind), extract)


def close_run(
    target: psycopg.Connection,
    run_id: int,
    status: str,
    report_path: str | None,
    p3: psycopg.Connection | None = None,
    message: str | None = None,
) -> None:
    """End a run (TERMINE or ECHEC) and release its extract."""
    run_key = target.execute(
        "UPDATE migration.run SET finished_at = %s, status = %s, report_path = %s,"
        " message = coalesce(%s, message) WHERE id = %s RETURNING dagster_run_id",
        (dt.datetime.now(PARIS), status, report_path, message, run_id),
    ).fetchone()
    if p3 is not None and run_key is not None:
        p3.execute("DELETE FROM p3.extract_pin WHERE run_key = %s", (run_key[0],))


def build_decisionnel(target: psycopg.Connection, ml: str) -> int:
    """Rebuild the ML's monthly reporting rows from its migrated objects; returns months."""
    target.execute("DELETE FROM imilo.decisionnel_mensuel WHERE ml = %s", (ml,))
    cursor = target.execute(
        """
        WITH events AS (
            SELECT dossier_id, date_trunc('month', date_rdv)::date AS mois
              FROM imilo.rendez_vous WHERE ml = %(ml)s AND date_rdv IS NOT NULL
            UNION SELECT dossier_id, date_trunc('month', date_actualite)::date
              FROM imilo.actualite_dossier WHERE ml = %(ml)s AND date_actualite IS NOT NULL
            UNION SELECT dossier_id, date_trunc('month', date_proposition)::date
              FROM imilo.proposition WHERE ml = %(ml)s AND date_proposition IS NOT NULL
        ),
        actifs AS (SELECT mois, count(DISTINCT dossier_id) AS n FROM events GROUP BY mois),
        accueils AS (
            SELECT date_trunc('month', date_premier_accueil)::date AS mois, count(*) AS n
              FROM imilo.dossier WHERE ml = %(ml)s AND date_premier_accueil IS NOT NULL
             GROUP BY 1),
        props AS (
            SELECT date_trunc('month', date_proposition)::date AS mois, count(*) AS n
              FROM imilo.proposition WHERE ml = %(ml)s AND date_proposition IS NOT NULL
             GROUP BY 1),
        versements AS (
            SELECT date_trunc('month', date_versement)::date AS mois, count(*) AS n,
                   sum(montant) AS montant
              FROM imilo.versement WHERE ml = %(ml)s AND date_versement IS NOT NULL
             GROUP BY 1),
        mois AS (
            SELECT mois FROM actifs UNION SELECT mois FROM accueils
            UNION SELECT mois FROM props UNION SELECT mois FROM versements)
        INSERT INTO imilo.decisionnel_mensuel
            (ml, mois, dossiers_actifs, premiers_accueils, propositions, versements,
             montant_versements)
        SELECT %(ml)s, m.mois, coalesce(a.n, 0), coalesce(c.n, 0), coalesce(p.n, 0),
               coalesce(v.n, 0), coalesce(v.montant, 0)
          FROM mois m
          LEFT JOIN actifs a USING (mois) LEFT JOIN accueils c USING (mois)
          LEFT JOIN props p USING (mois) LEFT JOIN versements v USING (mois)
        """,
        {"ml": ml},
    )
    return cursor.rowcount


def record_decisionnel(target: psycopg.Connection, run_id: int, stage: str, months: int) -> None:
    """The décisionnel step's count (months rebuilt), beside the object counts of its stage."""
    target.execute(
        "INSERT INTO migration.object_count (run_id, object_type, stage, family, read,"
        " migrated, rejected, migrated_with_errors, out_of_scope)"
        " VALUES (%s, 'decisionnel_mensuel', %s, 'decisionnel', %s, %s, 0, 0, 0)"
        " ON CONFLICT (run_id, object_type, stage) DO UPDATE SET read = excluded.read,"
        " migrated = excluded.migrated",
        (run_id, stage, months, months),
    )
