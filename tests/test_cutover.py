"""The cutover weekend: the waves plan, P3 closure, the Friday and Monday schedules and the
Monday delivery, on the real databases. Dates are 2027 campaign weekends around the clock
changes (28/03/2027 and 31/10/2027)."""

import csv
import datetime as dt
import json
from collections.abc import Iterator
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from dagster import (
    DagsterInstance,
    RunRequest,
    SkipReason,
    build_schedule_context,
    instance_for_test,
)

from tests.conftest import connect, write_extract

PARIS = ZoneInfo("Europe/Paris")
UTC = dt.UTC
REGION = "Provence-Alpes-Côte d'Azur"
MARSEILLE, AIX, AVIGNON, CAVAILLON = "13055S00", "13001S00", "84007S00", "84031S00"
MLS = (MARSEILLE, AIX, AVIGNON, CAVAILLON)
HEADER = "ml;region;vague;date_mep;arret_flux_asp;dossier_extrait"

# Wave 3 goes live Monday 29/03/2027 (its Friday, 26/03, is before the spring clock change),
# wave 9 Monday 01/11/2027 (its Friday, 29/10, is before the autumn one).
SPRING_FRIDAY, SPRING_MEP = dt.date(2027, 3, 26), dt.date(2027, 3, 29)
AUTUMN_FRIDAY, AUTUMN_MEP = dt.date(2027, 10, 29), dt.date(2027, 11, 1)
WAVES_FILE = [
    f"{AIX};{REGION};3;29/03/2027;16/03/2027;/extraits/13001S00",  # stopped 10 days before
    f"{AVIGNON};{REGION};3;2027-03-29;01/03/2027;",  # stopped 25 days before
    f"{CAVAILLON};{REGION};9;01/11/2027;01/10/2027;/extraits/84031S00",
]


def _clean(urls) -> None:
    with connect(urls.p3) as p3:
        for table in ("vague", "fermeture"):
            p3.execute(f"DELETE FROM p3.{table} WHERE ml = ANY(%s)", (list(MLS),))
        # Only the test's own MLs: no other test loads an extract of them.
        p3.execute("DELETE FROM p3.extract WHERE structures::jsonb ?| %s", (list(MLS),))
    with connect(urls.production) as production:
        production.execute(
            "DELETE FROM migration.livraison WHERE (vague, date_mep) IN ((3, %s), (9, %s))",
            (SPRING_MEP, AUTUMN_MEP),
        )


@pytest.fixture
def no_plan(upgraded_databases) -> Iterator:
    """No plan row, P3 closure, extract or delivery for the test's MLs, before and after."""
    _clean(upgraded_databases)
    yield upgraded_databases
    _clean(upgraded_databases)


def _plan_file(folder: Path, lines: list[str], name: str = "plan.csv") -> Path:
    path = folder / name
    path.write_text("\n".join([HEADER, *lines]) + "\n", encoding="utf-8")
    return path


@pytest.fixture
def planned_waves(no_plan, tmp_path: Path):
    """Waves 3 (MEP 29/03/2027: Aix, Avignon) and 9 (MEP 01/11/2027: Cavaillon) in the plan;
    Aix's latest extract on plateforme 12, Cavaillon's on 7, none for Avignon."""
    from pipeline import db
    from pipeline.cutover import load_plan
    from pipeline.extract import load_extract

    load_plan(db.upgrade_p3(), _plan_file(tmp_path, WAVES_FILE))
    for ml, plateforme in ((AIX, 12), (CAVAILLON, 7)):
        load_extract(write_extract(tmp_path / ml, {}, (ml,), plateforme=plateforme), db.p3_engine())
    return no_plan


def _paris(day: dt.date, hour: int) -> dt.datetime:
    """The instant of that Paris wall-clock hour, in UTC as the scheduler passes it."""
    return dt.datetime(day.year, day.month, day.day, hour, tzinfo=PARIS).astimezone(UTC)


def _evaluate(
    schedule, at: dt.datetime, instance: DagsterInstance | None = None
) -> list[RunRequest] | SkipReason:
    """The schedule's answer at that tick, on a Dagster instance of its own unless given one."""
    if instance is not None:
        return schedule(build_schedule_context(instance=instance, scheduled_execution_time=at))
    with instance_for_test() as own:
        return schedule(build_schedule_context(instance=own, scheduled_execution_time=at))


# --- the waves plan ------------------------------------------------------------------------


def test_the_weekend_friday_is_on_or_before_the_mep():
    from pipeline.cutover import weekend_friday

    assert weekend_friday(SPRING_MEP) == SPRING_FRIDAY  # Monday: 3 days before
    assert weekend_friday(SPRING_FRIDAY) == SPRING_FRIDAY  # a Friday is its own
    assert weekend_friday(dt.date(2027, 3, 28)) == SPRING_FRIDAY  # Sunday: 2 days before


def test_a_good_plan_file_is_upserted_and_keeps_other_mls(no_plan, tmp_path: Path):
    from pipeline import db
    from pipeline.cutover import PlanRow, load_plan, plan

    engine = db.upgrade_p3()
    first = [f"{MARSEILLE};{REGION};2;15/03/2027;;", *WAVES_FILE]
    assert load_plan(engine, _plan_file(tmp_path, first)) == 4
    # A second file of one ML (four columns only): it moves, the others stay.
    short = tmp_path / "vaucluse.csv"
    short.write_text(f"ml;region;vague;date_mep\n{MARSEILLE};{REGION};3;2027-03-29\n", "utf-8")
    assert load_plan(engine, short) == 1

    with connect(no_plan.p3) as p3:
        rows = {r.ml: r for r in plan(p3) if r.ml in MLS}
    assert rows == {
        MARSEILLE: PlanRow(MARSEILLE, REGION, 3, SPRING_MEP),  # moved to wave 3, no ASP date
        AIX: PlanRow(AIX, REGION, 3, SPRING_MEP, dt.date(2027, 3, 16), "/extraits/13001S00"),
        AVIGNON: PlanRow(AVIGNON, REGION, 3, SPRING_MEP, dt.date(2027, 3, 1)),  # ISO date
        CAVAILLON: PlanRow(
            CAVAILLON, REGION, 9, AUTUMN_MEP, dt.date(2027, 10, 1), "/extraits/84031S00"
        ),
    }


BAD_LINES = [
    (
        f"13055S01;{REGION};3;29/03/2027;;",
        "line 3, column ml: '13055S01': not the code structure of a Mission Locale"
        " (INSEE code then S00)",
    ),
    (f"{AIX};;3;29/03/2027;;", "line 3, column region: '': empty, the region is required"),
    (
        f"{AIX};{REGION};trois;29/03/2027;;",
        "line 3, column vague: 'trois': not a wave number (1, 2, …)",
    ),
    (f"{AIX};{REGION};0;29/03/2027;;", "line 3, column vague: '0': not a wave number (1, 2, …)"),
    (
        f"{AIX};{REGION};3;31/02/2027;;",
        "line 3, column date_mep: '31/02/2027': not a date (JJ/MM/AAAA or AAAA-MM-JJ)",
    ),
    (
        f"{AIX};{REGION};3;;;",
        "line 3, column date_mep: '': not a date (JJ/MM/AAAA or AAAA-MM-JJ)",
    ),
    (
        f"{AIX};{REGION};3;30/03/2027;;",
        "line 3, column date_mep: '30/03/2027': a Tuesday, the MEP is the Monday the ML goes live",
    ),
    (
        f"{AIX};{REGION};3;29/03/2027;16-03-2027;",
        "line 3, column arret_flux_asp: '16-03-2027': not a date (JJ/MM/AAAA or AAAA-MM-JJ)",
    ),
    (f"{MARSEILLE};{REGION};3;29/03/2027;;", "line 3, column ml: '13055S00': already on line 2"),
    (
        f"{AIX};{REGION};3;29/03/2027",
        # repr() quotes with " because of the ' of d'Azur
        f'line 3: 4 fields, expected 6 ({HEADER}): "{AIX};{REGION};3;29/03/2027"',
    ),
]


BAD_LINE_IDS = [
    "ml-of-an-antenne",
    "region-empty",
    "vague-in-words",
    "vague-zero",
    "mep-not-a-day",
    "mep-empty",
    "mep-not-a-monday",
    "asp-date-format",
    "ml-twice",
    "short-line",
]


@pytest.mark.parametrize(("line", "message"), BAD_LINES, ids=BAD_LINE_IDS)
def test_a_bad_value_refuses_the_whole_plan_file(no_plan, tmp_path: Path, line, message):
    from pipeline import db
    from pipeline.cutover import load_plan, plan
    from pipeline.extract import ExtractError

    # Line 2 is good, line 3 is not: neither is written.
    path = _plan_file(tmp_path, [f"{MARSEILLE};{REGION};3;29/03/2027;;", line])
    with pytest.raises(ExtractError) as refused:
        load_plan(db.upgrade_p3(), path)

    assert str(refused.value) == f"{path}: {message}"
    with connect(no_plan.p3) as p3:
        assert [r for r in plan(p3) if r.ml in MLS] == []


def test_a_bad_header_or_encoding_refuses_the_plan_file(no_plan, tmp_path: Path):
    from pipeline import db
    from pipeline.cutover import load_plan
    from pipeline.extract import ExtractError

    header = tmp_path / "header.csv"
    header.write_text(f"ml;vague;date_mep\n{AIX};3;29/03/2027\n", encoding="utf-8")
    with pytest.raises(ExtractError) as refused:
        load_plan(db.upgrade_p3(), header)
    assert str(refused.value) == (
        f"{header}: line 1: header 'ml;vague;date_mep': expected ml;region;vague;date_mep"
        " then optionally arret_flux_asp;dossier_extrait"
    )

    cp1252 = tmp_path / "cp1252.csv"
    cp1252.write_bytes(f"{HEADER}\n{AIX};{REGION};3;29/03/2027;;\n".encode("cp1252"))
    with pytest.raises(ExtractError) as refused:
        load_plan(db.upgrade_p3(), cp1252)
    assert str(refused.value) == f"{cp1252}: line 2: not valid UTF-8 (byte 0xf4)"  # the ô


# --- ASP flows and Friday 18:00 ------------------------------------------------------------


def test_asp_warnings_name_the_mls_whose_flows_did_not_stop_15_days_before():
    from pipeline.cutover import PlanRow, asp_warnings

    rows = [
        PlanRow(AIX, REGION, 3, SPRING_MEP, SPRING_FRIDAY - dt.timedelta(days=10)),
        PlanRow(AVIGNON, REGION, 3, SPRING_MEP, SPRING_FRIDAY - dt.timedelta(days=15)),  # on time
        PlanRow(MARSEILLE, REGION, 3, SPRING_MEP, None),  # not stopped
    ]
    assert asp_warnings(rows, SPRING_FRIDAY) == [
        "ML 13001S00 (vague 3): flux ASP arrêtés le 16/03/2027, moins de 15 jours avant le"
        " vendredi 26/03/2027 (au plus tard le 11/03/2027)",
        "ML 13055S00 (vague 3): flux ASP non arrêtés, ils devaient l'être au plus tard le"
        " 11/03/2027 (15 jours avant le vendredi 26/03/2027)",
    ]


def test_friday_18_closes_p3_for_exactly_the_waves_mls(planned_waves):
    from pipeline.cutover import fermeture_p3, fermeture_p3_job, p3_closed

    assert isinstance(_evaluate(fermeture_p3, _paris(SPRING_FRIDAY, 21)), SkipReason)
    requests = _evaluate(fermeture_p3, _paris(SPRING_FRIDAY, 18))
    assert isinstance(requests, list)
    assert [(r.run_key, r.run_config) for r in requests] == [
        ("FERMETURE:2027-03-26:3", {"ops": {"fermer_p3": {"config": {"mls": [AIX, AVIGNON]}}}})
    ]

    with DagsterInstance.ephemeral() as instance:
        result = fermeture_p3_job.execute_in_process(
            run_config=requests[0].run_config, instance=instance
        )
        logs = [entry.user_message for entry in instance.all_logs(result.run_id)]
    assert result.success
    with connect(planned_waves.p3) as p3:
        closed = {ml: p3_closed(p3, ml) for ml in MLS}
    assert closed[AIX] is not None and closed[AVIGNON] is not None
    assert closed[CAVAILLON] is None and closed[MARSEILLE] is None  # another wave, no wave
    # Aix's flows stopped 10 days before the Friday: warned; Avignon's 25 days: not.
    assert (
        "ML 13001S00 (vague 3): flux ASP arrêtés le 16/03/2027, moins de 15 jours avant le"
        " vendredi 26/03/2027 (au plus tard le 11/03/2027)"
    ) in logs
    assert not any(AVIGNON in line and "ASP" in line for line in logs)

    # Closing again (a re-run) keeps the first closure time.
    assert fermeture_p3_job.execute_in_process(run_config=requests[0].run_config).success
    with connect(planned_waves.p3) as p3:
        assert p3_closed(p3, AIX) == closed[AIX]


# --- Friday 21:00: the MIG of each ML ------------------------------------------------------


def _mig(ml: str, friday: dt.date, plateforme: str, folder: str) -> tuple:
    config = {"run_kind": "MIG", "extract_dir": folder}
    return (
        "mig",
        ml,
        f"MIG:{ml}:{friday.isoformat()}",
        {"plateforme": plateforme},
        {"resources": {"migration": {"config": config}}},
    )


@pytest.mark.parametrize(
    ("friday", "utc_hour", "expected"),
    [
        # Before the spring change Paris is UTC+1: 21:00 is 20:00 UTC.
        (
            SPRING_FRIDAY,
            20,
            [
                _mig(AIX, SPRING_FRIDAY, "12", "/extraits/13001S00"),
                _mig(AVIGNON, SPRING_FRIDAY, "inconnue", ""),  # no extract loaded yet
            ],
        ),
        # Before the autumn change Paris is still UTC+2: 21:00 is 19:00 UTC.
        (AUTUMN_FRIDAY, 19, [_mig(CAVAILLON, AUTUMN_FRIDAY, "7", "/extraits/84031S00")]),
    ],
    ids=["march-2027", "october-2027"],
)
def test_friday_21_requests_one_mig_per_ml_of_the_wave(planned_waves, friday, utc_hour, expected):
    from pipeline.cutover import extraction_mig

    at = dt.datetime(friday.year, friday.month, friday.day, utc_hour, tzinfo=UTC)
    assert at.astimezone(PARIS).hour == 21
    with instance_for_test() as instance:
        requests = _evaluate(extraction_mig, at, instance)
        partitions = instance.get_dynamic_partitions("ml")
    assert isinstance(requests, list)
    got = [(r.job_name, r.partition_key, r.run_key, r.tags, r.run_config) for r in requests]
    assert got == expected
    # Each ML's partition exists, or the run request would fail the whole tick.
    assert sorted(partitions) == sorted(ml for _, ml, *_ in expected)


@pytest.mark.parametrize(
    "at",
    [
        _paris(SPRING_FRIDAY, 20),  # the same Friday, an hour early
        _paris(dt.date(2027, 3, 27), 21),  # Saturday 21:00
        _paris(dt.date(2027, 4, 2), 21),  # a Friday with no wave
    ],
    ids=["friday-20h", "saturday-21h", "friday-without-wave"],
)
def test_friday_21_requests_nothing_at_other_times(planned_waves, at):
    from pipeline.cutover import extraction_mig

    assert isinstance(_evaluate(extraction_mig, at), SkipReason)


def _ticks(cron: str, timezone: str, first: dt.date, last: dt.date) -> list[dt.datetime]:
    """The ticks of a 'minute hour * * weekday' cron between two dates, in UTC.

    Dagster has no public tick iterator; each tick is that wall-clock time in the
    schedule's timezone, which zoneinfo converts to the instant."""
    minute, hour, day, month, weekday = cron.split()
    assert (day, month) == ("*", "*")
    zone, ticks = ZoneInfo(timezone), []
    day_ = first
    while day_ <= last:
        if (day_.isoweekday() % 7) == int(weekday):  # cron: 0 is Sunday, 5 Friday
            local = dt.datetime(day_.year, day_.month, day_.day, int(hour), int(minute))
            ticks.append(local.replace(tzinfo=zone).astimezone(UTC))
        day_ += dt.timedelta(days=1)
    return ticks


def test_friday_21_ticks_stay_at_21_paris_across_the_clock_changes():
    from pipeline.cutover import extraction_mig

    cron, timezone = extraction_mig.cron_schedule, extraction_mig.execution_timezone
    assert (cron, timezone) == ("0 21 * * 5", "Europe/Paris")
    assert isinstance(cron, str) and timezone is not None
    assert _ticks(cron, timezone, dt.date(2027, 3, 22), dt.date(2027, 4, 4)) == [
        dt.datetime(2027, 3, 26, 20, tzinfo=UTC),  # winter time, UTC+1
        dt.datetime(2027, 4, 2, 19, tzinfo=UTC),  # summer time from Sunday 28/03
    ]
    assert _ticks(cron, timezone, dt.date(2027, 10, 25), dt.date(2027, 11, 7)) == [
        dt.datetime(2027, 10, 29, 19, tzinfo=UTC),  # summer time, UTC+2
        dt.datetime(2027, 11, 5, 20, tzinfo=UTC),  # winter time from Sunday 31/10
    ]


# --- Monday 10:00: the delivery ------------------------------------------------------------


def test_monday_10_requests_one_delivery_per_wave_going_live(planned_waves):
    from pipeline.cutover import livraison

    assert isinstance(_evaluate(livraison, _paris(SPRING_MEP, 11)), SkipReason)
    assert isinstance(_evaluate(livraison, _paris(dt.date(2027, 4, 5), 10)), SkipReason)
    requests = _evaluate(livraison, _paris(SPRING_MEP, 10))
    assert isinstance(requests, list)
    assert [(r.run_key, r.run_config) for r in requests] == [
        (
            "LIVRAISON:3:2027-03-29",
            {"ops": {"livrer_rapports": {"config": {"vague": 3, "date_mep": "2027-03-29"}}}},
        )
    ]


def _report(folder: Path, name: str) -> str:
    """Small real report files of a run: the workbook, its rejects, its JSON summary."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / f"{name}.xlsx").write_bytes(b"PK\x03\x04 " + name.encode())
    (folder / f"{name}.rejets.csv").write_text("regle;Type d'objet\n", encoding="utf-8")
    (folder / f"{name}.json").write_text(json.dumps({"ml": name}), encoding="utf-8")
    return str(folder / f"{name}.xlsx")


@pytest.fixture
def production_runs(no_plan, tmp_path: Path) -> Iterator[dict[str, int]]:
    """In PRODUCTION: Marseille's failed then finished MIG, Aix's kept MAB, Avignon's MAB
    not kept; all three in wave 3 (MEP 29/03/2027)."""
    from pipeline import db
    from pipeline.cutover import load_plan

    load_plan(
        db.upgrade_p3(),
        _plan_file(tmp_path, [f"{MARSEILLE};{REGION};3;29/03/2027;;", *WAVES_FILE[:2]]),
    )
    runs = tmp_path / "runs"
    rows = {  # kind, ml, status, conserve, verdict, the hour it finished on Saturday
        "marseille_ok": ("MIG", MARSEILLE, "TERMINE", None, "GO", 1),
        "marseille_ko": ("MIG", MARSEILLE, "ECHEC", None, None, 2),  # later, failed
        "aix": ("MAB", AIX, "TERMINE", True, "NO GO", 1),
        "avignon": ("MAB", AVIGNON, "TERMINE", False, "GO", 1),  # not kept: no MIG
    }
    ids: dict[str, int] = {}
    with connect(no_plan.production) as production:
        for key, (kind, ml, status, kept, verdict, hour) in rows.items():
            path = _report(runs, f"rapport_{kind}_{ml}_20270326-21000{hour}")  # unique names
            (run_id,) = production.execute(
                "INSERT INTO migration.run (run_kind, ml, environment, started_at, finished_at,"
                " status, conserve, verdict, report_path)"
                " VALUES (%s, %s, 'PRODUCTION', %s, %s, %s, %s, %s, %s) RETURNING id",
                (
                    kind,
                    ml,
                    dt.datetime(2027, 3, 26, 21, tzinfo=PARIS),
                    dt.datetime(2027, 3, 27, hour, tzinfo=PARIS),
                    status,
                    kept,
                    verdict,
                    path,
                ),
            ).fetchone()  # type: ignore[misc]
            ids[key] = run_id
    yield ids
    with connect(no_plan.production) as production:
        production.execute("DELETE FROM migration.run WHERE id = ANY(%s)", (list(ids.values()),))


def test_deliver_copies_the_waves_reports_with_an_index(
    upgraded_databases, production_runs, tmp_path: Path
):
    from pipeline.cutover import deliver, livraison_job

    reports = tmp_path / "reports"
    folder = deliver(3, SPRING_MEP, reports)

    assert folder == reports / "livraison" / "vague-3-2027-03-29"
    suffixes = (".xlsx", ".rejets.csv", ".json")
    aix = [f"rapport_MAB_13001S00_20270326-210001{s}" for s in suffixes]
    marseille = [f"rapport_MIG_13055S00_20270326-210001{s}" for s in suffixes]
    assert sorted(p.name for p in folder.iterdir()) == sorted([*aix, *marseille, "index.csv"])
    for name in (*aix, *marseille):
        assert (folder / name).read_bytes() == (tmp_path / "runs" / name).read_bytes()
    with open(folder / "index.csv", encoding="utf-8", newline="") as handle:
        index = list(csv.reader(handle, delimiter=";"))
    kept, ok = str(production_runs["aix"]), str(production_runs["marseille_ok"])
    assert index == [
        ["ml", "migration", "verdict", "fichier"],
        *([AIX, kept, "NO GO", name] for name in aix),  # a kept MAB is the ML's migration
        *([MARSEILLE, ok, "GO", name] for name in marseille),  # finished, not the later failure
        [AVIGNON, "", "", "pas de MIG"],  # its MAB was not kept
    ]

    # The Monday job delivers again: one record per wave, the latest.
    result = livraison_job.execute_in_process(
        run_config={
            "ops": {
                "livrer_rapports": {
                    "config": {"vague": 3, "date_mep": "2027-03-29", "report_dir": str(reports)}
                }
            }
        }
    )
    assert result.success and result.output_for_node("livrer_rapports") == str(folder)
    with connect(upgraded_databases.production) as prod:
        rows = prod.execute(
            "SELECT vague, date_mep, dossier, rapports FROM migration.livraison"
            " WHERE vague = 3 AND date_mep = %s",
            (SPRING_MEP,),
        ).fetchall()
    assert rows == [(3, SPRING_MEP, str(folder), 2)]


# --- command line --------------------------------------------------------------------------


def test_the_cutover_commands(no_plan, tmp_path: Path, capsys):
    from pipeline.cli import main

    assert main(["waves", "load", str(_plan_file(tmp_path, WAVES_FILE))]) == 0
    assert capsys.readouterr().out.startswith("plan des vagues: 3 lignes chargées")

    assert main(["p3", "close", "--ml", AIX]) == 0
    assert "P3 fermé pour la ML 13001S00 depuis le" in capsys.readouterr().out
    assert main(["p3", "close", "--ml", AIX]) == 0
    assert "P3 déjà fermé pour la ML 13001S00" in capsys.readouterr().out

    reports = tmp_path / "reports"
    assert (
        main(["deliver", "--wave", "9", "--mep", "01/11/2027", "--report-dir", str(reports)]) == 0
    )
    assert capsys.readouterr().out.strip().endswith(str(reports / "livraison/vague-9-2027-11-01"))

    bad = _plan_file(tmp_path, [f"{AIX};{REGION};3;30/03/2027;;"], "bad.csv")
    assert main(["waves", "load", str(bad)]) == 2
    assert "column date_mep: '30/03/2027': a Tuesday" in capsys.readouterr().err
