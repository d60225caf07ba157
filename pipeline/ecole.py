"""The ECOLE environment (brief, section 2): a training i-milo filled with fictitious data,
reset at will. ``reset`` empties the ECOLE database and migrates a freshly generated extract
into it with the same engine as a run, read straight from the extract's files."""

from __future__ import annotations

import datetime as dt
import tempfile
from pathlib import Path

import psycopg
from psycopg import sql

from pipeline import db, runs
from pipeline.engine import PARIS, RunScope, TargetSink, migrate_family
from pipeline.extract import read_manifest
from pipeline.families import FAMILIES
from pipeline.fixtures.generator import generate
from pipeline.precheck import FileSource
from pipeline.resources import check_environment, libpq_url
from pipeline.settings import Environment, check_ml_code
from schemas.imilo.models import IMILO, MIGRATION, metadata

# Everything but the tag that says which environment the database is.
KEPT = {f"{MIGRATION}.environment"}


def reset(ml: str, dossiers: int, seed: int, rate: float = 0.0) -> dict[str, int]:
    """Empty ECOLE and fill it with a generated ML; returns the migrated rows per object type."""
    check_ml_code(ml)
    url = db.urls().ecole
    db.upgrade("imilo", url)
    with tempfile.TemporaryDirectory(prefix="imilo-ecole-") as tmp:
        folder = Path(tmp) / "extract"
        generate(folder, ml, dossiers, seed, rate=rate)
        manifest = read_manifest(folder)
        with psycopg.connect(libpq_url(url)) as conn:
            check_environment(conn, Environment.ECOLE, url)
            tables = [
                sql.Identifier(t.schema or "", t.name)
                for t in metadata.sorted_tables
                if t.schema in (IMILO, MIGRATION) and f"{t.schema}.{t.name}" not in KEPT
            ]
            conn.execute(
                sql.SQL("TRUNCATE {} RESTART IDENTITY CASCADE").format(sql.SQL(", ").join(tables))
            )
            run_id = conn.execute(
                "INSERT INTO migration.run (run_kind, ml, scope, environment, plateforme,"
                " extracted_at, started_at, status) VALUES ('ECOLE', %s, %s, 'ECOLE', %s, %s,"
                " %s, 'EN_COURS') RETURNING id",
                (ml, ml, manifest.plateforme, manifest.extracted_at, dt.datetime.now(PARIS)),
            ).fetchone()[0]  # type: ignore[index]
            scope = RunScope(run_id, ml, manifest.plateforme, 0, manifest.extracted_at.date())
            source, sink = FileSource(folder, manifest, None, None), TargetSink(conn)
            migrated: dict[str, int] = {}
            for family in FAMILIES:
                for table, counts in migrate_family(source, sink, scope, family.key).items():
                    migrated[table] = counts.migrated
            runs.build_decisionnel(conn, ml)
            runs.close_run(conn, run_id, "TERMINE", None)
    return migrated
