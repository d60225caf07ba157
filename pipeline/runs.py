"""Migration runs: opening one (with the blank run's wipe), finding it, closing it,
and the décisionnel built from what a run migrated."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import psycopg
from psycopg import sql

from pipeline.engine import PARIS, RunScope
from pipeline.families import OBJECT_TYPES
from pipeline.settings import Environment

BLANK_RUN_KINDS = frozenset({"TAB_NATIONAL", "TAB_REGIONAL", "TAB1", "TAB2", "TAB3"})


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


def open_run(
    p3: psycopg.Connection,
    target: psycopg.Connection,
    *,
    run_kind: str,
    ml: str,
    environment: Environment,
    dagster_run_id: str,
) -> RunScope:
    """Record a new run; a blank run first wipes the ML's data from VALIDATION."""
    extract = latest_extract(p3, ml)
    if run_kind in BLANK_RUN_KINDS:
        if environment is not Environment.VALIDATION:
            raise RunRefused(f"{run_kind} is a blank run: it writes to VALIDATION only")
        # One ML at a time in VALIDATION: a concurrent run of the same ML waits here.
        target.execute("SELECT pg_advisory_xact_lock(hashtext('wipe:' || %s))", (ml,))
        wipe_ml(target, ml)
    run_id = target.execute(
        "INSERT INTO migration.run (dagster_run_id, run_kind, ml, environment, plateforme,"
        " extract_id, extracted_at, started_at, status)"
        " VALUES (%s, %s, %s, %s, %s, %s, %s, %s, 'EN_COURS') RETURNING id",
        (
            dagster_run_id,
            run_kind,
            ml,
            environment.value,
            extract.plateforme,
            extract.extract_id,
            extract.extracted_at,
            dt.datetime.now(PARIS),
        ),
    ).fetchone()[0]  # type: ignore[index]
    return RunScope(run_id, ml, extract.plateforme, extract.extract_id, extract.extracted_at.date())


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
    target: psycopg.Connection, run_id: int, status: str, report_path: str | None
) -> None:
    target.execute(
        "UPDATE migration.run SET finished_at = %s, status = %s, report_path = %s WHERE id = %s",
        (dt.datetime.now(PARIS), status, report_path, run_id),
    )


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
