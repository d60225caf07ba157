"""Migration runs: opening one (with the blank run's wipe), finding it, closing it,
and the décisionnel built from what a run migrated."""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import psycopg
from psycopg import sql

from pipeline.engine import PARIS, RunScope
from pipeline.families import OBJECT_TYPES
from pipeline.settings import Environment

BLANK_RUN_KINDS = frozenset({"TAB_NATIONAL", "TAB_REGIONAL", "TAB1", "TAB2", "TAB3"})
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


def wipe_ml(target: psycopg.Connection, ml: str) -> None:
    """Remove every object of one ML from an i-milo database (children first)."""
    target.execute("DELETE FROM imilo.decisionnel_mensuel WHERE ml = %s", (ml,))
    for table in reversed(list(OBJECT_TYPES)):
        target.execute(
            sql.SQL("DELETE FROM {} WHERE ml = %s").format(sql.Identifier("imilo", table)), (ml,)
        )
    target.execute("DELETE FROM migration.id_map WHERE ml = %s", (ml,))


def run_in_progress(target: psycopg.Connection, ml: str) -> tuple | None:
    """The ML's run that is alive in this database (id, kind, started, last sign of life)."""
    return target.execute(
        "SELECT id, run_kind, started_at, heartbeat_at FROM migration.run"
        " WHERE ml = %s AND status = 'EN_COURS'"
        f" AND coalesce(heartbeat_at, started_at) > now() - interval '{STALE_AFTER}'"
        " ORDER BY id DESC LIMIT 1",
        (ml,),
    ).fetchone()


def refuse_if_running(target: psycopg.Connection, ml: str) -> None:
    alive = run_in_progress(target, ml)
    if alive is not None:
        run_id, kind, started, beat = alive
        started, beat = started.astimezone(PARIS), beat.astimezone(PARIS)
        raise RunRefused(
            f"run {run_id} ({kind}) of ML {ml} is in progress since {started:%d/%m/%Y %H:%M:%S}"
            f" (last sign of life {beat:%H:%M:%S}, Paris time): one run of an ML at a time,"
            " wait for it"
        )


def open_run(
    p3: psycopg.Connection,
    target: psycopg.Connection,
    *,
    run_kind: str,
    ml: str,
    environment: Environment,
    dagster_run_id: str,
) -> RunScope:
    """Record a new run, one per ML at a time; a blank run first wipes the ML's VALIDATION data.

    The lock is held until the caller commits the run's first family, so a second run of the
    ML waits, then sees this one alive and is refused.
    """
    target.execute("SELECT pg_advisory_xact_lock(hashtext('run:' || %s))", (ml,))
    refuse_if_running(target, ml)
    stale = target.execute(
        "UPDATE migration.run SET status = 'ECHEC', finished_at = now()"
        " WHERE ml = %s AND status = 'EN_COURS' RETURNING dagster_run_id",
        (ml,),
    ).fetchall()  # runs left behind by a killed process: they release their extract too
    for (run_key,) in stale:
        p3.execute("DELETE FROM p3.extract_pin WHERE run_key = %s", (run_key,))
    extract = pin_extract(p3, ml, dagster_run_id)
    if run_kind in BLANK_RUN_KINDS:
        if environment is not Environment.VALIDATION:
            raise RunRefused(f"{run_kind} is a blank run: it writes to VALIDATION only")
        wipe_ml(target, ml)
    run_id = target.execute(
        "INSERT INTO migration.run (dagster_run_id, run_kind, ml, environment, plateforme,"
        " extract_id, extracted_at, started_at, status, heartbeat_at, region)"
        " VALUES (%s, %s, %s, %s, %s, %s, %s, %s, 'EN_COURS', now(), %s) RETURNING id",
        (
            dagster_run_id,
            run_kind,
            ml,
            environment.value,
            extract.plateforme,
            extract.extract_id,
            extract.extracted_at,
            dt.datetime.now(PARIS),
            region_of(p3, extract.extract_id, ml),
        ),
    ).fetchone()[0]  # type: ignore[index]
    return RunScope(run_id, ml, extract.plateforme, extract.extract_id, extract.extracted_at.date())


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


def find_run(target: psycopg.Connection, dagster_run_id: str) -> RunScope:
    row = target.execute(
        "SELECT id, ml, plateforme, extract_id, extracted_at FROM migration.run"
        " WHERE dagster_run_id = %s",
        (dagster_run_id,),
    ).fetchone()
    if row is None:
        raise RunRefused(
            "this Dagster run has no migration run: materialize the whole job for the "
            "partition (the référentiels asset opens the run and wipes the ML's blank data)"
        )
    run_id, ml, plateforme, extract_id, extracted_at = row
    return RunScope(run_id, ml, plateforme, extract_id, extracted_at.date())


def close_run(
    target: psycopg.Connection,
    run_id: int,
    status: str,
    report_path: str | None,
    p3: psycopg.Connection | None = None,
) -> None:
    """End a run (TERMINE or ECHEC) and release its extract."""
    run_key = target.execute(
        "UPDATE migration.run SET finished_at = %s, status = %s, report_path = %s WHERE id = %s"
        " RETURNING dagster_run_id",
        (dt.datetime.now(PARIS), status, report_path, run_id),
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
