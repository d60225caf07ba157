"""The pre-check an RLM runs before a blank run: the same rejects as TAB2, no i-milo write."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest

from tests.conftest import campaign_ready, connect, rejects_of

ML = "33063S00"  # Bordeaux
COUNTED = (
    "migration.run",
    "migration.reject",
    "migration.id_map",
    "imilo.dossier",
    "imilo.reference",
)


def _counts(urls) -> dict[str, list[int]]:
    out = {}
    for name in ("ecole", "validation", "production"):
        with connect(getattr(urls, name)) as conn:
            out[name] = [conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in COUNTED]
    return out


def _touch_a_frozen_reference(folder: Path) -> dict:
    """P3 changes one of the ML's references after MIG_REF: what the freeze must catch."""
    path = folder / "reference.csv"
    with open(path, encoding="cp1252", newline="") as handle:
        rows = list(csv.reader(handle, delimiter=";"))
    header = rows[0]
    # Not a CONNAISSANCE code: dossiers use those, and would lose theirs (CODE_NON_MAPPE).
    at = next(
        i
        for i, r in enumerate(rows[1:], 1)
        if r[header.index("code_structure")] == ML
        and r[header.index("table_name")] != "CONNAISSANCE"
    )
    rows[at][header.index("libelle")] += " (modifié)"
    with open(path, "w", encoding="cp1252", newline="") as handle:
        csv.writer(handle, delimiter=";", lineterminator="\r\n").writerows(rows)
    return {
        "rule": "REF_MODIFIEE_APRES_GEL",
        "object_type": "reference",
        "id_p3": rows[at][0],
        "field": "libelle",
        "blocking": True,
    }


@pytest.fixture(scope="module")
def campaign(upgraded_databases, tmp_path_factory: pytest.TempPathFactory) -> dict:
    from pipeline import db
    from pipeline.cli import run_kind
    from pipeline.extract import load_extract
    from pipeline.fixtures.generator import generate
    from pipeline.inputs import load_imilo_accounts, rlm_inputs
    from pipeline.precheck import precheck

    folder = tmp_path_factory.mktemp("extract")
    generate(folder, ML, 200, seed=21)
    load_extract(folder, db.p3_engine())
    campaign_ready(ML, tmp_path_factory.mktemp("prerequis"))  # MIG_REF freezes the references
    expected = json.loads((folder / "expected.json").read_text(encoding="utf-8"))
    expected.append(_touch_a_frozen_reference(folder))
    load_extract(folder, db.p3_engine())
    load_imilo_accounts(db.p3_engine(), ML, folder / "comptes_imilo.csv")

    before = _counts(upgraded_databases)
    pre = precheck(folder, tmp_path_factory.mktemp("pre"), ML, *rlm_inputs(ML))[0]
    after = _counts(upgraded_databases)
    tab2 = run_kind("TAB2", ML, str(tmp_path_factory.mktemp("tab2")))
    return {"pre": pre, "tab2": tab2, "before": before, "after": after, "expected": expected}


def _rows(summary: dict) -> list[tuple]:
    return sorted(
        tuple(v for k, v in r.items() if k != "Heure de migration") for r in rejects_of(summary)
    )


def test_precheck_reports_exactly_what_tab2_rejects(campaign):
    assert _rows(campaign["pre"]) == _rows(campaign["tab2"])
    assert campaign["pre"]["objects"] == campaign["tab2"]["objects"]
    assert campaign["pre"]["rules"] == campaign["tab2"]["rules"]


def test_precheck_writes_to_no_imilo_database(campaign):
    assert campaign["after"] == campaign["before"]
    assert campaign["pre"]["environment"] is None


def test_default_rates_give_every_rule_of_the_catalogue(campaign):
    from pipeline.mappings import rule_catalogue

    assert set(campaign["tab2"]["rules"]) == set(rule_catalogue())
    wanted = sorted(
        (e["rule"], e["object_type"], e["id_p3"], e["field"], e["blocking"])
        for e in campaign["expected"]
    )
    got = sorted(
        (r["regle"], r["Type d'objet"], r["Identifiant P3"], r["Champ"], r["Bloquant"] == "Oui")
        for r in rejects_of(campaign["tab2"])
    )
    assert got == wanted


def test_a_clean_extract_gives_no_reject(upgraded_databases, tmp_path: Path):
    from pipeline import db
    from pipeline.cli import run_kind
    from pipeline.extract import load_extract
    from pipeline.fixtures.generator import generate
    from pipeline.inputs import load_imilo_accounts

    ml = "33281S00"
    generate(tmp_path / "x", ml, 150, seed=22, clean=True)
    load_extract(tmp_path / "x", db.p3_engine())
    load_imilo_accounts(db.p3_engine(), ml, tmp_path / "x" / "comptes_imilo.csv")
    campaign_ready(ml, tmp_path / "prerequis")
    summary = run_kind("TAB2", ml, str(tmp_path / "r"))
    assert summary["rules"] == {}
    assert all(c["rejected"] == 0 for c in summary["objects"].values())
    assert summary["objects"]["dossier"]["migrated"] == 150


def test_the_precheck_job_runs_in_dagster(upgraded_databases, tmp_path: Path):
    from dagster import DagsterInstance

    from pipeline.definitions import defs
    from pipeline.fixtures.generator import generate

    generate(tmp_path / "x", ML, 30, seed=23)
    config = {
        "ops": {
            "precheck_extract": {
                "config": {"extract_dir": str(tmp_path / "x"), "report_dir": str(tmp_path / "r")}
            }
        }
    }
    with DagsterInstance.get() as instance:
        result = defs.resolve_job_def("precheck").execute_in_process(
            run_config=config, instance=instance
        )
    assert result.success
    written = list((tmp_path / "r").glob(f"rapport_PRECHECK_{ML}_*.rejets.csv"))
    assert len(written) == 1


def test_precheck_of_an_ml_outside_the_extract_is_refused(tmp_path: Path):
    # Regression: --ml of an ML absent from the manifest gave an empty report and exit 0.
    from pipeline.extract import ExtractError
    from pipeline.fixtures.generator import generate
    from pipeline.precheck import precheck

    generate(tmp_path / "x", ML, 5, seed=24)
    with pytest.raises(ExtractError, match="ML 75056S00 is not in this extract"):
        precheck(tmp_path / "x", tmp_path / "r", "75056S00")
    assert not (tmp_path / "r").exists()


def test_an_accounts_file_with_a_short_line_is_refused(upgraded_databases, tmp_path: Path):
    # Regression: "a;b;c" under a four-column header was loaded as an account.
    from pipeline import db
    from pipeline.extract import ExtractError
    from pipeline.inputs import load_imilo_accounts

    path = tmp_path / "comptes.csv"
    path.write_text("login_imilo;login_p3;nom;prenom\na;b;c\n", encoding="utf-8")
    with pytest.raises(ExtractError, match=r"comptes\.csv: line 2: 4 fields expected"):
        load_imilo_accounts(db.p3_engine(), ML, path)
