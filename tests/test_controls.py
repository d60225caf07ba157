"""Indicators P3 vs i-milo, the GO / NO GO, and their Dagster asset checks."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from tests.conftest import campaign_ready, connect

SINCE = pd.Timestamp("2014-07-01")
NATIONAL = {"ANI", "PPAE", "EAV", "CIVIS", "GJ"}
KEPT = {"AGE_HORS_TRANCHE", "COMPTE_HISTORIQUE", "TEXTE_TROP_LONG"}  # values that migrate


def _run(tmp: Path, ml: str, seed: int, clean: bool, rgs: bool = True) -> tuple[Path, dict]:
    from pipeline import db
    from pipeline.cli import run_kind
    from pipeline.extract import load_extract
    from pipeline.fixtures.generator import generate
    from pipeline.indicators import declare
    from pipeline.inputs import load_imilo_accounts

    folder = tmp / "extract"
    generate(folder, ml, 250, seed, clean=clean)
    load_extract(folder, db.p3_engine())
    load_imilo_accounts(db.p3_engine(), ml, folder / "comptes_imilo.csv")
    if rgs:
        certificate = tmp / "rgs.pem"
        certificate.write_text("certificat de test\n", encoding="utf-8")
        with connect(db.urls().validation) as conn:
            declare(conn, ml, certificate, True)
    campaign_ready(ml, tmp / "prerequis")
    return folder, run_kind("TAB2", ml, str(tmp / "reports"))


@pytest.fixture(scope="module")
def clean_run(upgraded_databases, tmp_path_factory) -> dict:
    return _run(tmp_path_factory.mktemp("clean"), "38185S00", 31, clean=True)[1]


@pytest.fixture(scope="module")
def default_run(upgraded_databases, tmp_path_factory) -> tuple[Path, dict]:
    return _run(tmp_path_factory.mktemp("default"), "38421S00", 32, clean=False)


def test_a_clean_extract_is_go_with_every_criterion_at_100(clean_run):
    assert clean_run["verdict"] == "GO"
    for code, criterion in clean_run["criteria"].items():
        assert criterion["met"], code
        if criterion["p3"] is not None:
            assert criterion["rate"] == 100.0 and criterion["p3"] == criterion["imilo"], code
    assert all(i["difference"] == 0 for i in clean_run["indicators"].values())
    assert len(clean_run["indicators"]) >= 30


def _tables(folder: Path) -> dict[str, pd.DataFrame]:
    out = {}
    for path in folder.glob("*.csv"):
        if path.stem == "comptes_imilo":
            continue
        frame = pd.read_csv(path, sep=";", dtype=str, encoding="cp1252", keep_default_na=False)
        key = f"id_{path.stem}"
        frame = frame.apply(lambda c: c.str.strip())
        out[path.stem] = frame.drop_duplicates(key, keep="first").set_index(key, drop=False)
    return out


def _survivors(tables: dict[str, pd.DataFrame], expected: list[dict]) -> dict[str, pd.DataFrame]:
    """What migrates according to expected.json: rejected objects gone, dropped values gone."""
    out = {t: f.copy() for t, f in tables.items()}
    for e in expected:
        frame = out[e["object_type"]]
        if e["blocking"] and e["rule"] != "DOUBLON_ID":
            out[e["object_type"]] = frame.drop(index=e["id_p3"], errors="ignore")
        elif not e["blocking"] and e["rule"] not in KEPT and e["id_p3"] in frame.index:
            frame.loc[e["id_p3"], e["field"]] = ""
    return out


def _date(values: pd.Series) -> pd.Series:
    return pd.to_datetime(values, format="%d/%m/%Y", errors="coerce")


def _amount(values: pd.Series) -> pd.Series:
    return pd.to_numeric(
        values.str.replace(r"\s", "", regex=True).str.replace(",", "."), errors="coerce"
    )


def _criteria(t: dict[str, pd.DataFrame]) -> dict[str, float]:
    """The criteria of the brief, counted with pandas on P3 rows (an oracle for the SQL)."""
    dossiers = set(t["dossier"].index)
    events = pd.concat(
        [
            t["proposition"].loc[
                _date(t["proposition"]["date_proposition"]) >= SINCE, "id_dossier"
            ],
            t["actualite_dossier"].loc[
                _date(t["actualite_dossier"]["date_actualite"]) >= SINCE, "id_dossier"
            ],
            t["rendez_vous"].loc[_date(t["rendez_vous"]["date_rdv"]) >= SINCE, "id_dossier"],
        ]
    )
    instances = t["dispositif_instance"].join(
        t["dispositif"].set_index("id_dispositif", drop=False)["code"], on="id_dispositif"
    )
    national = instances[
        instances["code"].isin(NATIONAL)
        & (instances["statut"] == "EN_COURS")
        & (_date(instances["date_entree"]) >= SINCE)
        & instances["id_dossier"].isin(dossiers)
    ]
    paid = t["versement"].join(instances["code"], on="id_dispositif_instance")
    paid = paid[paid["code"].isin({"CIVIS", "GJ"}) & (_date(paid["date_versement"]) >= SINCE)]
    demat = t["demat"]
    offers = t["service_entreprise"]
    return {
        "jdi": len(set(events) & dossiers),
        "premier_accueil": int((_date(t["dossier"]["date_premier_accueil"]) >= SINCE).sum()),
        "dispositif_national_en_cours": national["id_dossier"].nunique(),
        "versements_civis_gj_nombre": len(paid),
        "versements_civis_gj_montant": round(float(_amount(paid["montant"]).sum()), 2),
        "demandes_demat": int(
            (
                demat["type_aide"].isin({"CUI_CAE", "CUI_CIE", "EAV"})
                & (_date(demat["date_demande"]) >= SINCE)
            ).sum()
        ),
        "offres_emploi_en_cours": int(
            ((offers["statut"] == "EN_COURS") & (_date(offers["date_debut"]) >= SINCE)).sum()
        ),
    }


def test_the_default_extract_is_no_go_naming_exactly_the_broken_criteria(default_run):
    folder, summary = default_run
    expected = json.loads((folder / "expected.json").read_text(encoding="utf-8"))
    tables = _tables(folder)
    before, after = _criteria(tables), _criteria(_survivors(tables, expected))
    broken = {code for code in before if before[code] != after[code]}
    assert broken, "the default rates break at least one criterion"
    assert summary["verdict"] == "NO GO"
    failing = {code for code, c in summary["criteria"].items() if not c["met"]}
    assert failing == broken
    for code in before:  # the SQL on both databases agrees with the oracle
        assert summary["criteria"][code]["p3"] == pytest.approx(before[code]), code
        assert summary["criteria"][code]["imilo"] == pytest.approx(after[code]), code


def test_no_rgs_certificate_is_no_go(upgraded_databases, tmp_path):
    _, summary = _run(tmp_path, "38553S00", 33, clean=True, rgs=False)
    assert summary["verdict"] == "NO GO"
    assert [c for c, v in summary["criteria"].items() if not v["met"]] == ["certificat_rgs"]


def test_indicators_are_counted_in_the_databases(clean_run, upgraded_databases):
    import psycopg

    from pipeline.families import OBJECT_TYPES
    from pipeline.indicators import compute
    from pipeline.resources import libpq_url

    ml = clean_run["ml"]
    with (
        psycopg.connect(libpq_url(upgraded_databases.validation)) as target,
        psycopg.connect(libpq_url(upgraded_databases.p3)) as p3,
    ):
        victim = target.execute(
            "SELECT min(id) FROM imilo.dossier WHERE ml = %s", (ml,)
        ).fetchone()[0]
        # Behind the pipeline's back: the dossier and its parts, deepest first.
        for table in reversed(list(OBJECT_TYPES)):
            for parent in OBJECT_TYPES[table].parents:
                if parent.table in ("dispositif_instance", "demat"):
                    target.execute(
                        f"DELETE FROM imilo.{table} WHERE {parent.table}_id IN (SELECT id FROM"
                        f" imilo.{parent.table} WHERE dossier_id = %s)",
                        (victim,),
                    )
                elif parent.table == "dossier":
                    target.execute(f"DELETE FROM imilo.{table} WHERE dossier_id = %s", (victim,))
        target.execute("DELETE FROM imilo.dossier WHERE id = %s", (victim,))
        extract_id = p3.execute(
            "SELECT id FROM p3.extract WHERE structures::jsonb ? %s ORDER BY id DESC LIMIT 1", (ml,)
        ).fetchone()[0]
        figures = {f.code: f for f in compute(p3, target, ml, extract_id)}
        target.rollback()  # leave VALIDATION as the run left it
    assert figures["dossiers_tous"].difference == -1
    assert figures["objets_dossier"].difference == -1
    assert figures["jdi"].difference == -1


def test_the_workbook_has_the_control_sheets(default_run):
    _, summary = default_run
    workbook = openpyxl.load_workbook(summary["report_path"])
    assert workbook.sheetnames[-5:] == ["Total", "Croisé", "Indicateurs", "GO-NO GO", "Évolution"]
    header = next(workbook["Indicateurs"].iter_rows(max_row=1, values_only=True))
    assert header == ("Code", "Indicateur", "Valeur P3", "Valeur i-milo", "Différence")
    rows = list(workbook["GO-NO GO"].iter_rows(values_only=True))
    assert rows[0] == ("Critère", "Valeur P3", "Valeur i-milo", "Taux (%)", "Atteint")
    verdict = next(r for r in rows if r and r[0] == "Verdict")
    assert verdict[1] == "NO GO"


def test_asset_checks_are_recorded_in_dagster(default_run, upgraded_databases):
    from dagster import AssetCheckKey, AssetKey, DagsterInstance

    _, summary = default_run
    with connect(upgraded_databases.validation) as conn:
        run_id = conn.execute(
            "SELECT dagster_run_id FROM migration.run WHERE report_path = %s",
            (summary["report_path"],),
        ).fetchone()[0]
    with DagsterInstance.get() as instance:

        def evaluation(asset: str, check: str):
            key = AssetCheckKey(AssetKey(asset), check)
            history = instance.event_log_storage.get_asset_check_execution_history(key, limit=50)
            record = next(r for r in history if r.run_id == run_id)  # this run's, by Dagster
            return record.evaluation

        for family in ("referentiels", "dossiers", "demat"):
            assert evaluation(family, "conservation").passed
        for code, criterion in summary["criteria"].items():
            assert evaluation("rapport", f"critere_{code}").passed == criterion["met"], code


@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice is not installed")
def test_libreoffice_converts_a_whole_run_report(default_run, tmp_path):
    from tests.test_report import LIBREOFFICE_CSV

    _, summary = default_run
    workbook = Path(summary["report_path"])
    done = subprocess.run(
        [
            "soffice",
            f"-env:UserInstallation={(tmp_path / 'profile').as_uri()}",
            "--headless",
            "--convert-to",
            LIBREOFFICE_CSV,
            "--outdir",
            str(tmp_path / "csv"),
            str(workbook),
        ],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    sheets = openpyxl.load_workbook(workbook).sheetnames
    converted = {p.name for p in (tmp_path / "csv").iterdir()}
    assert converted == {f"{workbook.stem}-{sheet}.csv" for sheet in sheets}


def test_every_sheet_of_a_run_report_has_its_header(default_run):
    from python_calamine import CalamineWorkbook

    from pipeline.report import DETAIL_COLUMNS, SYNTHESE_OBJECT_HEADERS

    _, summary = default_run
    book = CalamineWorkbook.from_path(summary["report_path"])  # not the writer's library
    detail = [header for _, header in DETAIL_COLUMNS]
    synthese = ["Type d'objet", *(header for _, header in SYNTHESE_OBJECT_HEADERS)]
    for name in book.sheet_names:
        first = book.get_sheet_by_name(name).to_python()[0]
        if name.endswith(" Synthèse"):
            assert first[: len(synthese)] == synthese, name
        elif name.endswith(" Détail") or name == "Total":
            assert first == detail, name
        elif name == "Croisé":
            assert first[0] == "Type d'objet"
        elif name == "Indicateurs":
            assert first == ["Code", "Indicateur", "Valeur P3", "Valeur i-milo", "Différence"]
        elif name == "GO-NO GO":
            assert first == ["Critère", "Valeur P3", "Valeur i-milo", "Taux (%)", "Atteint"]
        elif name == "Évolution":
            assert book.get_sheet_by_name(name).to_python()[1][:4] == [
                "Règle",
                "Précédent",
                "Actuel",
                "Écart",
            ]
        else:
            raise AssertionError(f"unexpected sheet {name!r}")
