"""Every precondition of the brief's section 3: the run is refused before anything is written,
the message says what is missing and what to run first, and every database is left as it
was but for the refused run's own record.

The tests build one ML's campaign step by step, in file order, from a clean slate."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import assert_refused, campaign_ready, connect, write_extract
from tests.test_campaign import forget

ML = "76540S00"  # Rouen, Normandie
REGION = "Normandie"
NO_REGION = "27229S00"  # an ML whose extract names no region and which no plan lists


@pytest.fixture(scope="module")
def reports(upgraded_databases, tmp_path_factory: pytest.TempPathFactory) -> Path:
    forget((ML, NO_REGION), (REGION,))
    return tmp_path_factory.mktemp("reports")


def _load_generated(tmp: Path) -> None:
    from pipeline import db
    from pipeline.extract import load_extract
    from pipeline.fixtures.generator import generate

    generate(tmp / "x", ML, 30, seed=7)
    load_extract(tmp / "x", db.p3_engine())


def test_no_extract_no_run(reports):
    assert_refused("TAB1", ML, f"no P3 extract loaded for ML {ML}", reports)


def test_a_region_without_a_known_ml(reports):
    assert_refused("TAB_REGIONAL", REGION, f"no ML of region {REGION!r} is known", reports)


def test_an_ml_whose_region_is_unknown(reports, tmp_path):
    from pipeline import db
    from pipeline.extract import load_extract

    folder = write_extract(
        tmp_path / "x",
        {"dossier": [{"id_dossier": "1", "code_structure": NO_REGION, "nom": "Roy"}]},
        (NO_REGION,),
    )
    load_extract(folder, db.p3_engine())
    assert_refused("TAB1", NO_REGION, f"the region of ML {NO_REGION} is unknown", reports)


def test_regional_data_needs_the_national_data(reports, tmp_path):
    from pipeline import db

    _load_generated(tmp_path)
    with connect(db.urls().production) as conn:  # as if MIG_NATIONAL never ran here
        conn.execute(
            "UPDATE migration.run SET status = 'ECHEC' WHERE run_kind = 'MIG_NATIONAL'"
            " AND status = 'TERMINE' RETURNING id"
        )
    assert_refused("MIG_REGIONAL", REGION, "run MIG_NATIONAL first", reports)


def test_national_data_migrates_once(reports):
    from pipeline.cli import run_kind

    run_kind("MIG_NATIONAL", None, str(reports))
    assert_refused("MIG_NATIONAL", None, "MIG_NATIONAL runs once", reports)


def test_a_local_run_needs_its_regions_data(reports):
    assert_refused("TAB1", ML, f"run MIG_REGIONAL --region {REGION!r} first", reports)


def test_regional_data_migrates_once_per_region(reports):
    from pipeline.cli import run_kind

    run_kind("MIG_REGIONAL", REGION, str(reports))
    assert_refused("MIG_REGIONAL", REGION, "MIG_REGIONAL runs once per region", reports)


def test_mig_ref_needs_a_tab1(reports):
    assert_refused("MIG_REF", ML, f"needs a TAB1 first: run TAB1 --ml {ML}", reports)


@pytest.mark.parametrize("kind", ["TAB2", "TAB3", "MAB", "MIG", "RATTRAPAGE"])
def test_later_runs_need_mig_ref(reports, kind):
    assert_refused(kind, ML, f"run MIG_REF --ml {ML} first", reports)


def test_rattrapage_comes_after_mig(reports):
    campaign_ready(ML, reports)  # TAB1, then MIG_REF
    assert_refused("RATTRAPAGE", ML, f"run MIG --ml {ML} first", reports)


def test_the_cutover_needs_go_contract_certificate_and_p3_closed(reports):
    text = assert_refused("MIG", ML, f"MIG of ML {ML} is refused; it needs", reports)
    for missing in (
        "a TAB3 with the verdict GO",
        "the contractualisation",
        "the RGS certificate",
        "P3 closed for the ML",
    ):
        assert missing in text


def test_a_mab_is_for_waves_1_and_2(reports):
    from pipeline import db
    from pipeline.cutover import load_plan

    plan = reports / "plan.csv"
    plan.write_text(f"ml;region;vague;date_mep\n{ML};{REGION};3;07/06/2027\n", "utf-8")
    load_plan(db.p3_engine(), plan)
    assert_refused("MAB", ML, "an ML of wave 1 or 2 (the plan gives wave 3)", reports)


def test_a_no_go_refuses_the_cutover(reports, tmp_path):
    from pipeline import db
    from pipeline.cli import run_kind
    from pipeline.cutover import close_p3
    from pipeline.indicators import declare

    certificate = tmp_path / "rgs.pem"
    certificate.write_text("certificat de test\n", encoding="utf-8")
    for url in (db.urls().validation, db.urls().production):
        with connect(url) as conn:
            declare(conn, ML, certificate, True)
    with connect(db.urls().p3) as p3:
        close_p3(p3, ML, "test")
    tab3 = run_kind("TAB3", ML, str(reports))
    assert tab3["verdict"] == "NO GO"  # the generated P3 still has its faults
    assert_refused("MIG", ML, f"the last TAB3 (run {tab3['run_id']}) with the verdict GO", reports)


def test_a_blank_run_never_opens_a_database_tagged_production(reports):
    import psycopg

    from pipeline import db
    from pipeline.resources import MigrationDatabases, check_environment, libpq_url
    from pipeline.settings import ConfigurationError, Environment

    url = db.urls().production
    with psycopg.connect(libpq_url(url)) as conn, pytest.raises(ConfigurationError):
        check_environment(conn, Environment.VALIDATION, url)
    assert MigrationDatabases(run_kind="TAB2").target_url() == db.urls().validation
