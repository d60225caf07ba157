"""Shared fixtures: the real databases (embedded server or the URLs of the environment),
a Dagster instance of the test session, and small P3 extracts written to the brief's format."""

from __future__ import annotations

import csv
import json
import os
from collections.abc import Callable
from pathlib import Path

import psycopg
import pytest

from schemas.p3.columns import file_columns

EXTRACTED_AT = "2026-11-27T21:00:00"
URL_VARIABLES = ("IMILO_P3_URL", "IMILO_ECOLE_URL", "IMILO_VALIDATION_URL", "IMILO_PRODUCTION_URL")

if not any(os.environ.get(name) for name in URL_VARIABLES):
    # On the embedded default the tests get a server of their own: the demo's data in
    # var/pg is never wiped by a test's blank run.
    os.environ.setdefault(
        "IMILO_PG_DATA", str(Path(__file__).resolve().parents[1] / "var" / "pg-test")
    )


@pytest.fixture(scope="session", autouse=True)
def dagster_instance_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Dagster's own storage for the session, away from the developer's var/."""
    storage = tmp_path_factory.mktemp("dagster")
    os.environ["IMILO_DAGSTER_STORAGE"] = str(storage)
    os.environ["DAGSTER_HOME"] = str(Path(__file__).resolve().parents[1])
    return storage


@pytest.fixture(scope="session")
def upgraded_databases():
    """The four databases, at the head of their Alembic histories."""
    from pipeline import db
    from pipeline.settings import Environment

    urls = db.urls()
    db.upgrade("p3", urls.p3)
    for environment in Environment:
        db.upgrade("imilo", urls.for_environment(environment))
    return urls


def connect(url: str) -> psycopg.Connection:
    from pipeline.resources import libpq_url

    return psycopg.connect(libpq_url(url), autocommit=True)


def write_extract(
    folder: Path,
    tables: dict[str, list[dict[str, str]]],
    structures: tuple[str, ...],
    plateforme: int = 7,
    encoding: str = "cp1252",
) -> Path:
    """Write a P3 extract (section 9): manifest plus one CSV per table, missing columns empty."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "manifest.json").write_text(
        json.dumps(
            {
                "plateforme": plateforme,
                "extracted_at": EXTRACTED_AT,
                "encoding": encoding,
                "structures": list(structures),
            }
        ),
        encoding="utf-8",
    )
    for table, rows in tables.items():
        columns = file_columns(table)
        with open(folder / f"{table}.csv", "w", encoding=encoding, newline="") as handle:
            writer = csv.writer(handle, delimiter=";", quotechar='"', lineterminator="\r\n")
            writer.writerow(columns)
            for row in rows:
                unknown = set(row) - set(columns)
                assert not unknown, f"test data: unknown columns {unknown} for {table}"
                writer.writerow([row.get(c, "") for c in columns])
    return folder


@pytest.fixture
def run_tab2(upgraded_databases, tmp_path: Path) -> Callable[..., dict]:
    """Load an extract folder and run TAB2 of one ML in-process; returns the JSON summary."""
    from pipeline import db
    from pipeline.cli import run_kind
    from pipeline.extract import load_extract

    def run(extract: Path, ml: str) -> dict:
        load_extract(extract, db.p3_engine())
        campaign_ready(ml, tmp_path / "prerequis")
        return run_kind("TAB2", ml, str(tmp_path / "reports"))

    return run


def rejects_of(summary: dict) -> list[dict[str, str]]:
    """The rows of a run's .rejets.csv, as dicts keyed by the French headers."""
    path = Path(summary["report_path"]).with_suffix("").with_suffix(".rejets.csv")
    with open(path, encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle, delimiter=";"))


TEST_REGION = "Région d'essai"


def campaign_ready(ml: str, report_dir: Path, region: str = TEST_REGION) -> None:
    """Run, for real, what a local run of the ML needs first (brief, section 3): MIG_NATIONAL
    and the MIG_REGIONAL of its region once per database, then TAB1 and MIG_REF of the ML on
    its latest extract (MIG_REF freezes that extract's references). An ML whose extract names
    no region is put in ``region`` through the waves plan, as an ATR would."""
    import psycopg

    from pipeline import db
    from pipeline.cli import prerequisites
    from pipeline.cutover import load_plan
    from pipeline.preconditions import ml_region
    from pipeline.resources import libpq_url

    db.upgrade_p3()
    with psycopg.connect(libpq_url(db.urls().p3)) as p3:
        known = ml_region(p3, ml)
    if not known:
        plan = report_dir / f"plan_{ml}.csv"
        report_dir.mkdir(parents=True, exist_ok=True)
        plan.write_text(f"ml;region;vague;date_mep\n{ml};{region};3;07/06/2027\n", "utf-8")
        load_plan(db.p3_engine(), plan)
    prerequisites(ml, str(report_dir))


def snapshot() -> dict[tuple[str, str], int]:
    """Row counts of every table of the p3 database and of the i-milo databases."""
    from pipeline import db

    urls = db.urls()
    counts: dict[tuple[str, str], int] = {}
    for name, url, schemas in (
        ("p3", urls.p3, ["p3"]),
        ("VALIDATION", urls.validation, ["imilo", "migration"]),
        ("PRODUCTION", urls.production, ["imilo", "migration"]),
    ):
        with connect(url) as conn:
            tables = conn.execute(
                "SELECT table_schema || '.' || table_name FROM information_schema.tables"
                " WHERE table_schema = ANY(%s) AND table_type = 'BASE TABLE'"
                " AND table_name <> 'alembic_version_imilo'",
                (schemas,),
            ).fetchall()
            for (table,) in tables:
                row = conn.execute(f"SELECT count(*) FROM {table}").fetchone()
                counts[(name, table)] = row[0] if row else 0
    return counts


def assert_refused(kind: str, scope: str | None, message: str, reports: Path) -> str:
    """The run is refused with ``message``, and nothing changed anywhere but the refused
    run's own row (status REFUSE, the same message) in its environment's database."""
    from pipeline import db
    from pipeline.cli import run_kind
    from pipeline.kinds import run_kind as kind_of
    from pipeline.runs import RunRefused

    before = snapshot()
    with pytest.raises(RunRefused) as refusal:
        run_kind(kind, scope, str(reports))
    text = str(refusal.value)
    assert message in text
    after = snapshot()
    environment = kind_of(kind).environment.value
    changed = {key: (before.get(key), n) for key, n in after.items() if before.get(key) != n}
    runs = (environment, "migration.run")
    assert changed == {runs: (before[runs], before[runs] + 1)}
    with connect(db.urls().for_environment(kind_of(kind).environment)) as conn:
        row = conn.execute(
            "SELECT run_kind, status, message FROM migration.run ORDER BY id DESC LIMIT 1"
        ).fetchone()
    assert row == (kind, "REFUSE", text)
    return text
