"""The whole campaign of a region (brief, sections 2, 3, 4 and 8): three MLs of Grand Est in
two waves, from the regional data to the Monday delivery, through the real jobs, schedules
and databases; then RATTRAPAGE after P3 gained rows."""

from __future__ import annotations

import csv
import datetime as dt
import json
import shutil
from collections.abc import Iterator
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from tests.conftest import connect

PARIS = ZoneInfo("Europe/Paris")
REGION = "Grand Est"
WAVE_1 = ("57463S00", "67482S00")  # Metz, Strasbourg: go live Monday 29/03/2027
WAVE_2 = ("08105S00",)  # Charleville-Mézières: Monday 12/04/2027
MLS = (*WAVE_1, *WAVE_2)
DOSSIERS = 40


def forget(mls: tuple[str, ...], regions: tuple[str, ...] = ()) -> None:
    """Test cleanup: the databases as if these MLs and regions had never been migrated."""
    from pipeline import db
    from pipeline.runs import wipe_ml

    urls = db.urls()
    for url in (urls.validation, urls.production):
        with connect(url) as conn:
            runs = [
                r[0]
                for r in conn.execute(
                    "SELECT id FROM migration.run WHERE ml = ANY(%s) OR scope = ANY(%s)",
                    (list(mls), list(regions)),
                ).fetchall()
            ]
            for ml in mls:
                wipe_ml(conn, ml)
            conn.execute(
                "DELETE FROM imilo.referentiel_regional WHERE region = ANY(%s)", (list(regions),)
            )
            conn.execute(
                "DELETE FROM migration.verrou_regional WHERE region = ANY(%s)", (list(regions),)
            )
            for table in ("reject", "object_count", "out_of_scope", "indicator", "id_map"):
                conn.execute(f"DELETE FROM migration.{table} WHERE run_id = ANY(%s)", (runs,))
            conn.execute("DELETE FROM migration.run WHERE id = ANY(%s)", (runs,))
            conn.execute("DELETE FROM migration.ml_declaration WHERE ml = ANY(%s)", (list(mls),))
    with connect(urls.p3) as p3:
        for table in ("vague", "fermeture", "reference_gel", "compte_imilo"):
            p3.execute(f"DELETE FROM p3.{table} WHERE ml = ANY(%s)", (list(mls),))
        p3.execute(
            "DELETE FROM p3.extract WHERE EXISTS (SELECT 1 FROM json_array_elements_text("
            "structures) s WHERE s = ANY(%s))",
            (list(mls),),
        )


def _run(kind: str, scope: str | None, reports: Path) -> dict:
    from pipeline.cli import run_kind

    return run_kind(kind, scope, str(reports))


def _load(folder: Path) -> None:
    from pipeline import db
    from pipeline.extract import load_extract
    from pipeline.inputs import load_imilo_accounts

    load_extract(folder, db.p3_engine())
    ml = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))["structures"][0]
    load_imilo_accounts(db.p3_engine(), ml, folder / "comptes_imilo.csv")


def _execute(request, instance, schedule=None):
    """Launch what a schedule asked for, as the daemon would."""
    from pipeline.definitions import defs

    job = defs.resolve_job_def(request.job_name or schedule.job_name)
    return job.execute_in_process(
        run_config=request.run_config,
        partition_key=request.partition_key,
        tags=request.tags,
        instance=instance,
        raise_on_error=False,
    )


def _tick(schedule, when: dt.datetime, instance) -> list:
    from dagster import build_schedule_context

    from pipeline.definitions import defs

    context = build_schedule_context(
        instance=instance, scheduled_execution_time=when, repository_def=defs.get_repository_def()
    )
    data = schedule.evaluate_tick(context)
    return list(data.run_requests or [])


@pytest.fixture(scope="module")
def campaign(upgraded_databases, tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict]:
    """Play the campaign once; each test below asserts one of its steps."""
    from dagster import DagsterInstance

    from pipeline import db, lock
    from pipeline.cutover import extraction_mig, fermeture_p3, livraison, load_plan
    from pipeline.fixtures.generator import generate
    from pipeline.indicators import declare

    forget(MLS, (REGION,))
    tmp = tmp_path_factory.mktemp("campaign")
    reports = tmp / "reports"
    # Runs the schedules launch write where the operators configured: here, the test's folder.
    patch = pytest.MonkeyPatch()
    patch.setenv("IMILO_REPORT_DIR", str(reports))
    steps: dict = {"reports": reports}
    faulty, fixed = {}, {}
    for n, ml in enumerate(MLS):
        faulty[ml] = tmp / f"{ml}-faulty"
        generate(faulty[ml], ml, DOSSIERS, seed=50 + n)
        fixed[ml] = tmp / f"{ml}-fixed"  # the same P3 once the RLM corrected every fault
        generate(fixed[ml], ml, DOSSIERS, seed=50 + n, clean=True)
        _load(faulty[ml])

    # The plan: waves, go-live Mondays, ASP flows stopped a month before, where the
    # Friday 21:00 extract lands (the corrected P3).
    friday_1, friday_2 = dt.date(2027, 3, 26), dt.date(2027, 4, 9)
    lines = ["ml;region;vague;date_mep;arret_flux_asp;dossier_extrait"]
    for ml in MLS:
        wave, friday = (1, friday_1) if ml in WAVE_1 else (2, friday_2)
        mep, stop = friday + dt.timedelta(days=3), friday - dt.timedelta(days=30)
        lines.append(f"{ml};{REGION};{wave};{mep:%d/%m/%Y};{stop:%d/%m/%Y};{fixed[ml]}")
    (tmp / "plan.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    load_plan(db.p3_engine(), tmp / "plan.csv")

    with connect(db.urls().production) as production:
        national = production.execute(
            "SELECT 1 FROM migration.run WHERE run_kind = 'MIG_NATIONAL' AND status = 'TERMINE'"
        ).fetchone()
    if not national:
        steps["MIG_NATIONAL"] = _run("MIG_NATIONAL", None, reports)
    steps["MIG_REGIONAL"] = _run("MIG_REGIONAL", REGION, reports)
    with connect(db.urls().production) as production:
        steps["locked_after_regional"] = not lock.allowed(production, REGION, "supprimer_offre")
    for ml in MLS:
        steps[("TAB1", ml)] = _run("TAB1", ml, reports)
        steps[("MIG_REF", ml)] = _run("MIG_REF", ml, reports)
        steps[("TAB2", ml)] = _run("TAB2", ml, reports)
        # The RLM corrects P3 (references included: MIG_REF runs again before the cutover).
        _load(fixed[ml])
        steps[("MIG_REF bis", ml)] = _run("MIG_REF", ml, reports)
        certificate = tmp / f"rgs-{ml}.pem"
        certificate.write_text("certificat de test\n", encoding="utf-8")
        for url in (db.urls().validation, db.urls().production):
            with connect(url) as conn:
                declare(conn, ml, certificate, True)
        steps[("TAB3", ml)] = _run("TAB3", ml, reports)

    with DagsterInstance.get() as instance:
        for wave, friday in ((1, friday_1), (2, friday_2)):
            at = {hour: dt.datetime.combine(friday, dt.time(hour), PARIS) for hour in (18, 20, 21)}
            closing = _tick(fermeture_p3, at[18], instance)
            steps[("fermeture", wave)] = [
                _execute(r, instance, fermeture_p3).success for r in closing
            ]
            steps[("20h", wave)] = _tick(extraction_mig, at[20], instance)
            requests = _tick(extraction_mig, at[21], instance)
            steps[("requests", wave)] = requests
            steps[("MIG", wave)] = {r.partition_key: _execute(r, instance) for r in requests}
            with connect(db.urls().production) as production:
                steps[("locked", wave)] = lock.is_locked(production, REGION)
            monday = dt.datetime.combine(friday + dt.timedelta(days=3), dt.time(10), PARIS)
            delivery = _tick(livraison, monday, instance)
            steps[("livraison", wave)] = [_execute(r, instance, livraison) for r in delivery]
        # The same request again: an ML is never migrated twice.
        steps["again"] = _execute(steps[("requests", 1)][0], instance)
    steps["fixed"] = fixed
    yield steps
    patch.undo()
    with connect(db.urls().p3) as p3:  # the plan's weekends are other tests' weekends too
        p3.execute("DELETE FROM p3.vague WHERE ml = ANY(%s)", (list(MLS),))


def _runs_of(url: str, ml: str) -> list[tuple]:
    with connect(url) as conn:
        return conn.execute(
            "SELECT run_kind, status, verdict FROM migration.run WHERE ml = %s ORDER BY id", (ml,)
        ).fetchall()


def test_regional_data_goes_first_and_locks_the_region(campaign):
    assert campaign["MIG_REGIONAL"]["environment"] == "PRODUCTION"
    assert campaign["MIG_REGIONAL"]["objects"]["reference"]["migrated"] > 0
    assert campaign["locked_after_regional"]


def test_blank_runs_and_mig_ref_in_their_order(campaign):
    from pipeline import db

    with connect(db.urls().p3) as p3:
        frozen = dict(
            p3.execute(
                "SELECT ml, count(*) FROM p3.reference_gel WHERE ml = ANY(%s) GROUP BY ml",
                (list(MLS),),
            ).fetchall()
        )
    assert sorted(frozen) == sorted(MLS)  # MIG_REF froze each ML's references
    for ml in MLS:
        assert campaign[("TAB1", ml)]["environment"] == "VALIDATION"
        assert set(campaign[("TAB1", ml)]["objects"]) >= {"reference", "utilisateur", "structure"}
        assert "dossier" not in campaign[("TAB1", ml)]["objects"]
        assert campaign[("MIG_REF", ml)]["environment"] == "PRODUCTION"
        assert campaign[("TAB2", ml)]["verdict"] == "NO GO"
        tab3 = campaign[("TAB3", ml)]
        assert tab3["verdict"] == "GO", tab3["criteria"]
        assert "utilisateur" not in tab3["objects"]  # they come from production
        assert tab3["objects"]["reference"]["migrated"] == 0  # compared with the freeze only


def test_the_weekend_schedules_close_p3_and_request_one_mig_per_ml(campaign):
    for wave, mls in ((1, WAVE_1), (2, WAVE_2)):
        assert campaign[("fermeture", wave)] == [True]
        assert campaign[("20h", wave)] == []
        requests = campaign[("requests", wave)]
        assert sorted(r.partition_key for r in requests) == sorted(mls)
        assert len({r.run_key for r in requests}) == len(mls)


def test_mig_migrates_each_ml_in_its_stages(campaign):
    from pipeline import db

    for wave, mls in ((1, WAVE_1), (2, WAVE_2)):
        for ml in mls:
            result = campaign[("MIG", wave)][ml]
            assert result.success, ml
            kinds = _runs_of(db.urls().production, ml)
            assert [k for k in kinds if k[:2] == ("MIG", "TERMINE")] == [("MIG", "TERMINE", "GO")]
    with connect(db.urls().production) as conn:
        stages = conn.execute(
            "SELECT DISTINCT stage FROM migration.object_count c JOIN migration.run r"
            " ON r.id = c.run_id WHERE r.ml = %s AND r.run_kind = 'MIG'",
            (WAVE_1[0],),
        ).fetchall()
    assert {s[0] for s in stages} == {"", "GEL", "ACTIF", "ARCHIVE"}


def test_production_holds_each_ml_once(campaign):
    from pipeline import db

    with connect(db.urls().production) as conn:
        for ml in MLS:
            dossiers = conn.execute(
                "SELECT count(*), count(DISTINCT m.id_p3) FROM imilo.dossier d"
                " JOIN migration.id_map m ON m.imilo_id = d.id AND m.object_type = 'dossier'"
                " WHERE d.ml = %s",
                (ml,),
            ).fetchone()
            assert dossiers == (DOSSIERS, DOSSIERS), ml
    assert not campaign["again"].success
    with connect(db.urls().production) as conn:
        refused = conn.execute(
            "SELECT message FROM migration.run WHERE ml = %s AND run_kind = 'MIG'"
            " AND status = 'REFUSE'",
            (WAVE_1[0],),
        ).fetchall()
    assert any("already migrated" in r[0] for r in refused)


def test_the_lock_lifts_after_the_regions_last_ml(campaign):
    assert campaign[("locked", 1)] is True  # Charleville is not migrated yet
    assert campaign[("locked", 2)] is False


def test_monday_delivers_the_waves_reports(campaign):
    for wave, mls in ((1, WAVE_1), (2, WAVE_2)):
        [result] = campaign[("livraison", wave)]
        assert result.success
        folder = Path(result.output_for_node("livrer_rapports"))
        with open(folder / "index.csv", encoding="utf-8", newline="") as handle:
            index = list(csv.DictReader(handle, delimiter=";"))
        assert sorted({row["ml"] for row in index}) == sorted(mls)
        assert all(row["verdict"] == "GO" for row in index)
        assert len(list(folder.glob("*.xlsx"))) == len(mls)
        assert folder.parent.parent == campaign["reports"]


def test_rattrapage_migrates_exactly_the_rows_p3_gained(campaign, tmp_path: Path):
    """After MIG, P3 gained two dossiers (one with a situation): RATTRAPAGE takes those
    three rows, nothing else, and production never holds a row twice."""
    from pipeline import db

    ml = WAVE_2[0]
    folder = tmp_path / "gained"
    shutil.copytree(campaign["fixed"][ml], folder)
    with open(folder / "dossier.csv", encoding="cp1252", newline="") as handle:
        rows = list(csv.reader(handle, delimiter=";"))
    header, first = rows[0], rows[1]
    new = []
    for k, nom in enumerate(("Nouveau", "Tardif")):
        row = list(first)
        row[header.index("id_dossier")] = str(900000 + k)
        row[header.index("nom")] = nom
        row[header.index("numero")] = f"N{900000 + k}"
        new.append(row)
    with open(folder / "dossier.csv", "a", encoding="cp1252", newline="") as handle:
        csv.writer(handle, delimiter=";", lineterminator="\r\n").writerows(new)
    with open(folder / "situation.csv", encoding="cp1252", newline="") as handle:
        situations = list(csv.reader(handle, delimiter=";"))
    situation = list(situations[1])
    situation[situations[0].index("id_situation")] = "900000"
    situation[situations[0].index("id_dossier")] = "900000"
    with open(folder / "situation.csv", "a", encoding="cp1252", newline="") as handle:
        csv.writer(handle, delimiter=";", lineterminator="\r\n").writerow(situation)
    _load(folder)

    with connect(db.urls().production) as conn:
        before = conn.execute("SELECT count(*) FROM migration.id_map WHERE ml = %s", (ml,))
        before_n = before.fetchone()[0]
    summary = _run("RATTRAPAGE", ml, campaign["reports"])
    migrated = {t: c["migrated"] for t, c in summary["objects"].items() if c["migrated"]}
    assert migrated == {"dossier": 2, "situation": 1}
    for counts in summary["objects"].values():
        assert counts["read"] == counts["migrated"] + counts["rejected"] + counts["out_of_scope"]
    with connect(db.urls().production) as conn:
        after = conn.execute("SELECT count(*) FROM migration.id_map WHERE ml = %s", (ml,))
        assert after.fetchone()[0] == before_n + 3
        reasons = conn.execute(
            "SELECT DISTINCT reason FROM migration.out_of_scope WHERE run_id = %s"
            " AND object_type = 'dossier'",
            (summary["run_id"],),
        ).fetchall()
    assert reasons == [("déjà en production",)]


def test_a_migrated_ml_refuses_mig_and_mig_ref_and_changes_nothing(campaign):
    from tests.conftest import assert_refused

    ml = WAVE_1[0]
    assert_refused("MIG", ml, f"ML {ml} is already migrated", campaign["reports"])
    assert_refused("MAB", ml, f"use RATTRAPAGE --ml {ml}", campaign["reports"])
    assert_refused("MIG_REF", ml, "MIG_REF no longer runs", campaign["reports"])
