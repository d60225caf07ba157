"""A blank run can only reach VALIDATION; which database each environment is lives in one place."""

from __future__ import annotations

import pytest

from pipeline.settings import ConfigurationError, database_urls, masked, same_database


def _set_urls(monkeypatch: pytest.MonkeyPatch, **urls: str) -> None:
    names = {
        "p3": "IMILO_P3_URL",
        "ecole": "IMILO_ECOLE_URL",
        "validation": "IMILO_VALIDATION_URL",
        "production": "IMILO_PRODUCTION_URL",
    }
    for key, value in urls.items():
        monkeypatch.setenv(names[key], value)


def test_validation_and_production_on_one_database_is_refused(monkeypatch):
    same = "postgresql://u@db.example:5432/imilo"
    _set_urls(
        monkeypatch,
        p3="postgresql://u@db.example/p3",
        ecole="postgresql://u@db.example/e",
        validation=same,
        production="postgresql://other@db.example/imilo",
    )
    with pytest.raises(ConfigurationError, match="same database"):
        database_urls()


def test_some_urls_but_not_all_is_refused(monkeypatch):
    for name in ("IMILO_P3_URL", "IMILO_ECOLE_URL", "IMILO_VALIDATION_URL", "IMILO_PRODUCTION_URL"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("IMILO_P3_URL", "postgresql://u@h/p3")
    with pytest.raises(ConfigurationError, match="missing: IMILO_ECOLE_URL"):
        database_urls()


def test_passwords_are_masked():
    assert "s3cret" not in masked("postgresql+psycopg://u:s3cret@h:5432/db")
    assert same_database("postgresql://a@h/db", "postgresql://b@h:5432/db")


def test_a_blank_run_reads_production_through_a_read_only_session(upgraded_databases):
    """The preconditions of a blank run ask PRODUCTION what was migrated; they cannot write."""
    import psycopg
    import pytest

    from pipeline import preconditions
    from pipeline.resources import MigrationDatabases

    urls = MigrationDatabases(run_kind="TAB2").campaign_urls()
    with (
        preconditions.campaign(*urls) as state,
        pytest.raises(psycopg.errors.ReadOnlySqlTransaction),
    ):
        state.production.execute("DELETE FROM migration.run WHERE false")


def test_a_blank_run_leaves_production_unchanged(upgraded_databases, tmp_path):
    from pipeline import db
    from pipeline.cli import run_kind
    from pipeline.extract import load_extract
    from tests.conftest import campaign_ready, connect, write_extract

    def production_rows() -> tuple:
        with connect(upgraded_databases.production) as conn:
            return conn.execute(
                "SELECT (SELECT count(*) FROM migration.run), (SELECT count(*) FROM"
                " migration.id_map), (SELECT count(*) FROM migration.reject)"
            ).fetchone()

    ml = "75056S00"
    folder = write_extract(
        tmp_path / "x",
        {
            "dossier": [
                {
                    "id_dossier": "1",
                    "code_structure": ml,
                    "nom": "Roy",
                    "prenom": "Inès",
                    "date_naissance": "02/03/2004",
                    "statut": "ACTIF",
                }
            ]
        },
        (ml,),
    )
    load_extract(folder, db.p3_engine())
    campaign_ready(ml, tmp_path / "prerequis")
    before = production_rows()
    summary = run_kind("TAB2", ml, str(tmp_path / "r"))
    assert summary["environment"] == "VALIDATION"
    assert summary["objects"]["dossier"]["migrated"] == 1
    assert production_rows() == before
