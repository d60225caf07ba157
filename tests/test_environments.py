"""A blank run can only reach VALIDATION; which database each environment is lives in one place."""

from __future__ import annotations

import pytest
from sqlalchemy.engine import make_url

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


def test_a_blank_run_never_opens_production(upgraded_databases, monkeypatch, tmp_path):
    """TAB2 succeeds with PRODUCTION pointing at a database that does not exist."""
    from pipeline import db
    from pipeline.cli import run_kind
    from pipeline.extract import load_extract
    from tests.conftest import write_extract

    validation = make_url(upgraded_databases.validation)
    nowhere = validation.set(database="no_such_production_db").render_as_string(False)
    _set_urls(
        monkeypatch,
        p3=upgraded_databases.p3,
        ecole=upgraded_databases.ecole,
        validation=upgraded_databases.validation,
        production=nowhere,
    )
    db.urls.cache_clear()
    try:
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
        summary = run_kind("TAB2", ml, str(tmp_path / "r"))
        assert summary["environment"] == "VALIDATION"
        assert summary["objects"]["dossier"]["migrated"] == 1
    finally:
        db.urls.cache_clear()
