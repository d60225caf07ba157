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


def _small_extract(folder: Path, adresse: bytes | None = None) -> Path:
    from tests.conftest import write_extract

    dossier = {
        "id_dossier": "1",
        "code_structure": ML,
        "numero": "P1",
        "civilite": "M",
        "nom": "Durand",
        "prenom": "Léo",
        "date_naissance": "01/02/2004",
        "date_premier_accueil": "03/04/2022",
        "statut": "ACTIF",
    }
    folder = write_extract(folder, {"dossier": [dossier], "demat": []}, (ML,))
    if adresse is not None:
        (folder / "adresse.csv").write_bytes(adresse)
    return folder


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (
            b"id_adresse;code_structure;id_dossier\r\n1;33063S00;1;extra\r\n",
            r"adresse\.csv: line 2: 4 fields, the header has 3; first value '1'",
        ),
        (
            b"id_adresse;code_structure;id_dossier\r\n1;33063S00;1\r\n2;33063S00\r\n",
            r"adresse\.csv: line 3: 2 fields, the header has 3; first value '2'",
        ),
    ],
)
def test_a_malformed_line_gets_the_loaders_message(
    upgraded_databases, tmp_path: Path, content: bytes, message: str
):
    # The pre-check parses with Arrow; on a line Arrow refuses it words the error as the
    # loader (which a TAB would use) does: the same file, line and fields.
    from pipeline import db
    from pipeline.extract import ExtractError, load_extract
    from pipeline.precheck import precheck

    folder = _small_extract(tmp_path / "x", content)
    with pytest.raises(ExtractError, match=message) as loaded:
        load_extract(folder, db.p3_engine())
    with pytest.raises(ExtractError, match=message) as checked:
        precheck(folder, tmp_path / "r", ML)
    assert str(checked.value) == str(loaded.value)
    assert not (tmp_path / "r").exists() or not list((tmp_path / "r").iterdir())


def test_a_header_only_file_is_a_table_without_rows(tmp_path: Path):
    from pipeline.precheck import precheck

    summary = precheck(_small_extract(tmp_path / "x"), tmp_path / "r", ML)[0]
    assert summary["objects"]["demat"] == {
        "read": 0,
        "migrated": 0,
        "rejected": 0,
        "migrated_with_errors": 0,
        "out_of_scope": 0,
    }
    assert summary["objects"]["dossier"]["migrated"] == 1


def _report_contents(summary: dict) -> tuple[list[tuple], dict]:
    from python_calamine import CalamineWorkbook

    book = CalamineWorkbook.from_path(summary["report_path"])
    sheets = {}
    for name in book.sheet_names:
        rows = book.get_sheet_by_name(name).to_python()
        sheets[name] = [
            row[:1] + row[2:] if "Détail" in name or name == "Total" else row for row in rows
        ]  # column B is the hour of the run
    return _rows(summary), sheets


def test_the_report_is_the_same_written_beside_the_rules_or_after_them(tmp_path: Path):
    from pipeline.fixtures.generator import generate
    from pipeline.precheck import precheck

    generate(tmp_path / "x", ML, 120, seed=25)
    beside = precheck(tmp_path / "x", tmp_path / "a", ML, parallel=True)[0]
    after = precheck(tmp_path / "x", tmp_path / "b", ML, parallel=False)[0]
    assert sum(beside["rules"].values()) > 100
    assert _report_contents(beside) == _report_contents(after)
    assert beside["objects"] == after["objects"] and beside["rules"] == after["rules"]


def test_a_failing_report_process_fails_the_precheck(tmp_path: Path):
    from pipeline.fixtures.generator import generate
    from pipeline.precheck import precheck

    generate(tmp_path / "x", ML, 20, seed=26)
    (tmp_path / "r").write_text("a file where the report folder should be")
    # The report process cannot write there: its error is the pre-check's.
    with pytest.raises(FileExistsError):
        precheck(tmp_path / "x", tmp_path / "r", ML, parallel=True)
    assert (tmp_path / "r").read_text() == "a file where the report folder should be"


def test_a_precheck_that_fails_midway_stops_its_report_process(tmp_path: Path):
    import multiprocessing

    from pipeline.extract import ExtractError
    from pipeline.fixtures.generator import generate
    from pipeline.precheck import precheck

    folder = tmp_path / "x"
    generate(folder, ML, 20, seed=27)
    # A malformed line in a file read late (after the dossiers): rejects were already sent.
    width = (folder / "demat.csv").read_bytes().split(b"\r\n")[0].count(b";") + 1
    with open(folder / "demat.csv", "ab") as handle:
        handle.write(b";".join([b"9"] * (width + 1)) + b"\r\n")
    with pytest.raises(ExtractError, match=r"demat\.csv: line \d+: \d+ fields, the header has"):
        precheck(folder, tmp_path / "r", ML, parallel=True)
    assert multiprocessing.active_children() == []
    assert not (tmp_path / "r").exists() or not list((tmp_path / "r").iterdir())  # no part
