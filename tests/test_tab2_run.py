"""A TAB2 blank run of a generated extract, end to end, through Dagster.

The generator lists in expected.json every reject row the run must produce; the run's
report, its JSON, its Synthèse sheets and the VALIDATION database must all agree.
"""

from __future__ import annotations

import csv
import json
from pathlib import Path

import openpyxl
import pytest

from pipeline.report import DETAIL_COLUMNS
from tests.conftest import campaign_ready, connect, rejects_of

ML = "13055S00"  # Marseille
DOSSIERS = 300


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from pipeline.fixtures.generator import generate

    folder = tmp_path_factory.mktemp("extract")
    generate(folder, ML, DOSSIERS, seed=11)
    return folder


@pytest.fixture(scope="module")
def two_runs(upgraded_databases, generated: Path, tmp_path_factory) -> tuple[dict, dict]:
    from pipeline import db
    from pipeline.cli import run_kind
    from pipeline.extract import load_extract
    from pipeline.inputs import load_imilo_accounts

    load_extract(generated, db.p3_engine())
    load_imilo_accounts(db.p3_engine(), ML, generated / "comptes_imilo.csv")
    campaign_ready(ML, tmp_path_factory.mktemp("prerequis"))
    first = run_kind("TAB2", ML, str(tmp_path_factory.mktemp("reports1")))
    second = run_kind("TAB2", ML, str(tmp_path_factory.mktemp("reports2")))
    return first, second


def _keys(summary: dict) -> list[tuple]:
    return sorted(
        (r["regle"], r["Type d'objet"], r["Identifiant P3"], r["Champ"], r["Bloquant"] == "Oui")
        for r in rejects_of(summary)
    )


def test_rejects_match_expected_both_ways(generated: Path, two_runs):
    expected = json.loads((generated / "expected.json").read_text(encoding="utf-8"))
    wanted = sorted(
        (e["rule"], e["object_type"], e["id_p3"], e["field"], e["blocking"]) for e in expected
    )
    assert len(wanted) > 50  # the default rates inject defects of every kind
    assert _keys(two_runs[0]) == wanted


def test_every_object_type_balances_and_json_synthese_database_agree(two_runs, upgraded_databases):
    summary = two_runs[0]
    workbook = openpyxl.load_workbook(summary["report_path"])
    synthese: dict[str, tuple] = {}
    for name in workbook.sheetnames:
        if name.endswith(" Synthèse"):
            for row in workbook[name].iter_rows(min_row=2, values_only=True):
                if row[0] is None:
                    break  # the blank row before the table of error types
                synthese[row[0]] = tuple(row[1:6])
    with connect(upgraded_databases.validation) as conn:
        for table, c in summary["objects"].items():
            assert c["read"] == c["migrated"] + c["rejected"] + c["out_of_scope"], table
            assert synthese[table] == (
                c["read"],
                c["migrated"],
                c["rejected"],
                c["migrated_with_errors"],
                c["out_of_scope"],
            ), table
            in_db = conn.execute(
                f'SELECT count(*) FROM imilo."{table}" WHERE ml = %s', (ML,)
            ).fetchone()[0]
            assert in_db == c["migrated"], table
    assert summary["objects"]["dossier"]["read"] > DOSSIERS  # DOUBLON_ID copies included


def test_workbook_sheets_and_headers(two_runs):
    workbook = openpyxl.load_workbook(two_runs[0]["report_path"])
    families = [
        "REFERENTIEL",
        "UTILISATEUR",
        "STRUCTURE",
        "PARTENAIRE",
        "OFFRE",
        "DISPOSITIFS",
        "DOSSIER",
        "INSTANCES",
        "PROPOSITION",
        "DEMAT",
    ]
    expected = [f"{f} {kind}" for f in families for kind in ("Synthèse", "Détail")]
    assert workbook.sheetnames == [
        *expected,
        "Total",
        "Croisé",
        "Indicateurs",
        "GO-NO GO",
        "Évolution",
    ]
    headers = [header for _, header in DETAIL_COLUMNS]
    for name in [n for n in workbook.sheetnames if n.endswith("Détail")] + ["Total"]:
        first = next(workbook[name].iter_rows(max_row=1, values_only=True))
        assert list(first) == headers, name
    total_rows = workbook["Total"].max_row - 1
    assert total_rows == sum(two_runs[0]["rules"].values())


def test_rejected_parents_take_down_all_their_children(generated: Path, two_runs):
    rows = rejects_of(two_runs[0])
    blocked = {(r["Type d'objet"], r["Identifiant P3"]) for r in rows if r["Bloquant"] == "Oui"}
    cascaded = [r for r in rows if r["regle"] == "PARENT_REJETE"]
    assert cascaded, "the default extract rejects dossiers and rubriques"
    parents = {
        "id_dossier": "dossier",
        "id_rubrique": "rubrique",
        "id_dispositif_instance": "dispositif_instance",
        "id_demat": "demat",
        "id_service_entreprise": "service_entreprise",
        "id_dispositif": "dispositif",
        "id_entreprise": "entreprise",
        "id_structure": "structure",
    }
    for row in cascaded:
        assert (parents[row["Champ"]], row["Identifiant parent"]) in blocked
    # Every child row of a rejected dossier or rubrique in the extract is reported.
    # A DOUBLON_ID copy is rejected but its first copy migrates: it takes no child down.
    gone = {
        (r["Type d'objet"], r["Identifiant P3"])
        for r in rows
        if r["Bloquant"] == "Oui" and r["regle"] != "DOUBLON_ID"
    }
    rejected_dossiers = {i for t, i in gone if t == "dossier"}
    rejected_rubriques = {i for t, i in gone if t == "rubrique"}
    reported = {(r["Type d'objet"], r["Identifiant P3"]) for r in rows}
    for table in ("situation", "rendez_vous", "proposition", "dispositif_instance", "demat"):
        with open(generated / f"{table}.csv", encoding="cp1252", newline="") as handle:
            for child in csv.DictReader(handle, delimiter=";"):
                parent_gone = child["id_dossier"] in rejected_dossiers or (
                    table == "proposition" and child["id_rubrique"] in rejected_rubriques
                )
                if parent_gone:
                    assert (table, child[f"id_{table}"]) in reported


def test_running_twice_gives_the_same_result_and_one_copy(two_runs, upgraded_databases):
    first, second = two_runs
    assert first["objects"] == second["objects"]
    assert first["rules"] == second["rules"]
    assert _keys(first) == _keys(second)
    with connect(upgraded_databases.validation) as conn:
        dossiers = conn.execute(
            "SELECT count(*) FROM imilo.dossier WHERE ml = %s", (ML,)
        ).fetchone()[0]
        mapped = conn.execute(
            "SELECT count(*) FROM migration.id_map WHERE ml = %s AND object_type = 'dossier'", (ML,)
        ).fetchone()[0]
    assert dossiers == mapped == second["objects"]["dossier"]["migrated"]


def test_decisionnel_is_built_from_migrated_data(two_runs, upgraded_databases):
    with connect(upgraded_databases.validation) as conn:
        accueils, versements = conn.execute(
            "SELECT sum(premiers_accueils), sum(versements) FROM imilo.decisionnel_mensuel"
            " WHERE ml = %s",
            (ML,),
        ).fetchone()
        dossiers = conn.execute(
            "SELECT count(*) FROM imilo.dossier WHERE ml = %s AND date_premier_accueil IS NOT NULL",
            (ML,),
        ).fetchone()[0]
        paid = conn.execute("SELECT count(*) FROM imilo.versement WHERE ml = %s", (ML,)).fetchone()[
            0
        ]
    assert accueils == dossiers > 0
    assert versements == paid > 0
