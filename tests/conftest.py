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
        return run_kind("TAB2", ml, str(tmp_path / "reports"))

    return run


def rejects_of(summary: dict) -> list[dict[str, str]]:
    """The rows of a run's .rejets.csv, as dicts keyed by the French headers."""
    path = Path(summary["report_path"]).with_suffix("").with_suffix(".rejets.csv")
    with open(path, encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle, delimiter=";"))
