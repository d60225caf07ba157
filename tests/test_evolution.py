"""Progress between runs of an ML, and the ATR's view of a region."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import openpyxl
import pytest

from tests.conftest import campaign_ready, connect


def _load_and_run(folder: Path, ml: str, reports: Path) -> dict:
    from pipeline import db
    from pipeline.cli import run_kind
    from pipeline.extract import load_extract
    from pipeline.inputs import load_imilo_accounts

    load_extract(folder, db.p3_engine())
    load_imilo_accounts(db.p3_engine(), ml, folder / "comptes_imilo.csv")
    campaign_ready(ml, reports.parent / "prerequis")
    return run_kind("TAB2", ml, str(reports))


def _fix(folder: Path, table: str, id_p3: str, column: str, value: str) -> None:
    """The RLM corrects one value in P3; the next extract carries it."""
    path = folder / f"{table}.csv"
    with open(path, encoding="cp1252", newline="") as handle:
        rows = list(csv.reader(handle, delimiter=";"))
    at = rows[0].index(column)
    for row in rows[1:]:
        if row[0] == id_p3:
            row[at] = value
    with open(path, "w", encoding="cp1252", newline="") as handle:
        csv.writer(handle, delimiter=";", lineterminator="\r\n").writerows(rows)


@pytest.fixture(scope="module")
def two_runs(upgraded_databases, tmp_path_factory) -> tuple[dict, dict, tuple]:
    from pipeline.fixtures.generator import generate

    ml = "31069S00"
    folder = tmp_path_factory.mktemp("extract")
    generate(folder, ml, 120, seed=41)
    first = _load_and_run(folder, ml, tmp_path_factory.mktemp("r1"))
    expected = json.loads((folder / "expected.json").read_text(encoding="utf-8"))
    fixed = next(e for e in expected if e["rule"] == "PE_IDENTIFIANT")
    _fix(folder, "dossier", fixed["id_p3"], "identifiant_pe", "4053956Z")
    second = _load_and_run(folder, ml, tmp_path_factory.mktemp("r2"))
    key = ("PE_IDENTIFIANT", "dossier", fixed["id_p3"], "identifiant_pe")
    return first, second, key


def _rows(path: str, sheet: str) -> list[tuple]:
    workbook = openpyxl.load_workbook(path, read_only=True)
    try:
        return list(workbook[sheet].iter_rows(values_only=True))
    finally:
        workbook.close()


def _section(rows: list[tuple], title: str) -> list[tuple]:
    start = next(i for i, r in enumerate(rows) if r[0] and str(r[0]).startswith(title))
    out = []
    for row in rows[start + 2 :]:
        if row[0] is None:
            break
        out.append(row)
    return out


def test_the_evolution_sheet_lists_the_resolved_rejects_by_key(two_runs):
    first, second, key = two_runs
    rows = _rows(second["report_path"], "Évolution")
    resolved = [tuple(r[:4]) for r in _section(rows, "Rejets résolus")]
    assert resolved == [key]
    assert _section(rows, "Nouveaux rejets") == []
    first_table = rows[2 : next(i for i, r in enumerate(rows) if i > 1 and r[0] is None)]
    by_rule = {r[0]: r[1:4] for r in first_table}
    then = first["rules"]["PE_IDENTIFIANT"]
    assert by_rule["PE_IDENTIFIANT"] == (then, then - 1, -1)


def test_a_first_run_says_it_has_no_previous_one(upgraded_databases, tmp_path):
    from pipeline.fixtures.generator import generate

    with connect(upgraded_databases.validation) as conn:  # an ML this database never ran
        used = {r[0] for r in conn.execute("SELECT DISTINCT ml FROM migration.run").fetchall()}
    ml = next(f"{n:05d}S00" for n in range(42001, 42999) if f"{n:05d}S00" not in used)
    generate(tmp_path / "x", ml, 20, seed=42)
    summary = _load_and_run(tmp_path / "x", ml, tmp_path / "r")
    assert _rows(summary["report_path"], "Évolution")[0][0] == (
        "Pas de migration précédente pour cette ML"
    )


def test_compare_builds_the_same_evolution_between_any_two_runs(
    two_runs, upgraded_databases, tmp_path
):
    from pipeline.cli import main

    first, second, key = two_runs
    with connect(upgraded_databases.validation) as conn:
        ids = [
            conn.execute(
                "SELECT id FROM migration.run WHERE report_path = %s", (s["report_path"],)
            ).fetchone()[0]
            for s in (first, second)
        ]
    assert main(["compare", str(ids[0]), str(ids[1]), "--report-dir", str(tmp_path)]) == 0
    [workbook] = tmp_path.glob(f"comparaison_{ids[0]}_{ids[1]}_*.xlsx")
    resolved = _section(_rows(str(workbook), "Évolution"), "Rejets résolus")
    assert [tuple(r[:4]) for r in resolved] == [key]


def test_the_regional_view_lists_each_ml_with_its_verdict(upgraded_databases, tmp_path):
    from pipeline.cli import main
    from pipeline.fixtures.generator import generate
    from pipeline.regional import REGION_HEADERS

    region = "Région de test"
    verdicts = {}
    for ml, seed in (("11069S00", 51), ("11262S00", 52), ("11203S00", 53)):
        folder = tmp_path / ml
        generate(folder, ml, 30, seed, clean=(seed == 51))
        _fix(folder, "structure", _ml_structure_id(folder, ml), "region", region)
        verdicts[ml] = _load_and_run(folder, ml, tmp_path / "runs")["verdict"]
    assert main(["region-report", "--region", region, "--report-dir", str(tmp_path)]) == 0
    [workbook] = tmp_path.glob("region_*.xlsx")
    rows = _rows(str(workbook), "Région")
    assert rows[0] == REGION_HEADERS
    assert {r[0]: r[3] for r in rows[1:]} == verdicts  # three MLs, each with its verdict
    assert all(r[7] in ("Oui", "Non") for r in rows[1:])


def _ml_structure_id(folder: Path, ml: str) -> str:
    with open(folder / "structure.csv", encoding="cp1252", newline="") as handle:
        return next(
            r["id_structure"] for r in csv.DictReader(handle, delimiter=";") if r["code"] == ml
        )
