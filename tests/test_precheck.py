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


def test_a_report_process_that_dies_is_told_and_leaves_no_part(tmp_path: Path):
    # Regression: a report process killed on its own left its .part files behind.
    from pipeline.families import FAMILIES
    from pipeline.precheck import BackgroundReport, _free_stem

    families = [(f.key, [ot.table for ot in f.object_types]) for f in FAMILIES]
    stem = _free_stem(tmp_path, "rapport_PRECHECK_TEST")
    writer = BackgroundReport(tmp_path, stem, families)
    writer.process.kill()
    writer.process.join()
    with pytest.raises(RuntimeError, match=r"the report process stopped \(exit code -9\)"):
        writer.finish({})
    writer.abort()
    assert list(tmp_path.iterdir()) == []


def test_two_prechecks_starting_in_the_same_second_write_two_reports(tmp_path: Path):
    # Regression: same name to the second, shared .part files, a report made of two runs.
    from concurrent.futures import ThreadPoolExecutor

    from pipeline.fixtures.generator import generate
    from pipeline.precheck import _free_stem, precheck

    assert _free_stem(tmp_path / "s", "r") == "r"
    assert _free_stem(tmp_path / "s", "r") == "r-2"  # r's part file holds the name
    generate(tmp_path / "x", ML, 60, seed=28)
    with ThreadPoolExecutor(3) as pool:
        runs = [pool.submit(precheck, tmp_path / "x", tmp_path / "r", ML) for _ in range(3)]
        summaries = [run.result()[0] for run in runs]
    paths = {s["report_path"] for s in summaries}
    assert len(paths) == 3
    assert (
        len({_report_contents(s)[0] == _report_contents(summaries[0])[0] for s in summaries}) == 1
    )
    assert not list((tmp_path / "r").glob(".*.part"))


def _rewritten(folder: Path, table: str, change) -> Path:
    path = folder / f"{table}.csv"
    path.write_bytes(change(path.read_bytes()))
    return folder


def test_lone_carriage_returns_end_lines_as_for_the_loader(tmp_path: Path):
    from pipeline.extract import _rows
    from pipeline.fixtures.generator import generate
    from pipeline.precheck import precheck

    generate(tmp_path / "x", ML, 40, seed=29)
    folder = _rewritten(tmp_path / "x", "entreprise", lambda b: b.replace(b"\r\n", b"\r"))
    summary = precheck(folder, tmp_path / "r", ML)[0]
    loaded = sum(1 for _ in _rows(folder / "entreprise.csv", "entreprise", "cp1252"))
    assert summary["objects"]["entreprise"]["read"] == loaded > 0


def test_a_value_longer_than_a_parsing_block_is_read(tmp_path: Path):
    from pipeline.precheck import precheck

    folder = _small_extract(tmp_path / "x")
    long = "Suivi " + "x" * 3_000_000  # over Arrow's 1 MiB block, with no quote
    _rewritten(folder, "dossier", lambda b: b.replace(b"Durand", long.encode()))
    summary = precheck(folder, tmp_path / "r", ML)[0]
    assert summary["objects"]["dossier"]["read"] == 1
    assert summary["rules"] == {"TEXTE_TROP_LONG": 1}


def test_a_stray_quote_is_refused_as_the_loader_refuses_it(upgraded_databases, tmp_path: Path):
    # Regression: Arrow read "Pharma"cie as Pharmacie where the loader refuses the line.
    from pipeline import db
    from pipeline.extract import ExtractError, load_extract
    from pipeline.fixtures.generator import generate
    from pipeline.precheck import precheck

    generate(tmp_path / "x", ML, 20, seed=30)
    path = tmp_path / "x" / "entreprise.csv"
    lines = path.read_bytes().split(b"\r\n")
    cells = lines[5].split(b";")
    cells[2] = b'"Pharma"cie'
    lines[5] = b";".join(cells)
    path.write_bytes(b"\r\n".join(lines))
    with pytest.raises(ExtractError) as loaded:
        load_extract(tmp_path / "x", db.p3_engine())
    with pytest.raises(ExtractError) as checked:
        precheck(tmp_path / "x", tmp_path / "r", ML)
    assert str(checked.value) == str(loaded.value)
    assert "line 6" in str(checked.value)


def test_a_report_folder_that_is_a_file_is_refused_with_exit_2(
    upgraded_databases, tmp_path, capsys
):
    from pipeline.cli import main
    from pipeline.fixtures.generator import generate

    generate(tmp_path / "x", ML, 5, seed=31)
    (tmp_path / "r").write_text("a file")
    assert main(["precheck", str(tmp_path / "x"), "--report-dir", str(tmp_path / "r")]) == 2
    assert f"report folder {tmp_path / 'r'}: not writable" in capsys.readouterr().err


def test_a_stopped_precheck_leaves_no_half_report(upgraded_databases, tmp_path: Path):
    # Regression: SIGTERM (kill, systemd, a container stop) left .part files behind.
    import os
    import signal
    import subprocess
    import sys
    import time

    from pipeline.fixtures.generator import generate

    generate(tmp_path / "x", ML, 3000, seed=32)
    command = [sys.executable, "-m", "pipeline.cli", "precheck", str(tmp_path / "x")]
    command += ["--report-dir", str(tmp_path / "r")]
    run = subprocess.Popen(
        command, start_new_session=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    deadline = time.monotonic() + 60
    while not list((tmp_path / "r").glob(".*.rejets.csv.part")) and run.poll() is None:
        assert time.monotonic() < deadline
        time.sleep(0.05)
    os.killpg(run.pid, signal.SIGTERM)
    run.wait(timeout=60)
    time.sleep(1)  # the report process's own clean-up
    assert not list((tmp_path / "r").glob(".*.part"))
    reports = list((tmp_path / "r").glob("*.xlsx"))
    assert run.returncode != 0 or len(reports) == 1  # stopped with nothing, or done whole


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
