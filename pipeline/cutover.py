"""The cutover weekend (brief section 8): the waves plan, P3 closures, the Friday and Monday
schedules, and the Monday delivery of the reports.

All times are Europe/Paris. For the MLs of a wave whose MEP is on Monday: Friday 18:00 P3
closes, Friday 21:00 each ML's extract is taken and its MIG launched (at most two per P3
plateforme at once: the run queue of ``dagster.yaml``), Monday 10:00 the reports are delivered.

No ``from __future__ import annotations`` here: Dagster reads the Config classes' annotations
at runtime.
"""

import csv
import datetime as dt
import io
import re
import shutil
from collections import defaultdict
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import psycopg
from dagster import (
    Config,
    OpExecutionContext,
    Output,
    RunRequest,
    ScheduleEvaluationContext,
    SkipReason,
    job,
    op,
    schedule,
)
from sqlalchemy import Engine, text

from pipeline import db
from pipeline.extract import ExtractError
from pipeline.resources import check_environment, libpq_url
from pipeline.settings import ML_CODE, ConfigurationError, Environment, check_ml_code

PARIS = ZoneInfo("Europe/Paris")
TIMEZONE = "Europe/Paris"
PLAN_COLUMNS = ("ml", "region", "vague", "date_mep", "arret_flux_asp", "dossier_extrait")
REQUIRED_COLUMNS = 4  # ml;region;vague;date_mep; the last two columns may be left out
ASP_NOTICE = dt.timedelta(days=15)  # ASP flows stop at least 15 days before the weekend
FRIDAY, MONDAY = 4, 0
WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
NO_MIG = "pas de MIG"
# The ML partitions of the "mig" job: pipeline.definitions.ML_PARTITIONS, not imported here
# because pipeline.definitions imports this module.
ML_PARTITIONS_NAME = "ml"


@dataclass(frozen=True)
class PlanRow:
    """One ML of the campaign plan: its region, wave, go-live Monday, ASP stop, extract folder."""

    ml: str
    region: str
    vague: int
    date_mep: dt.date
    arret_flux_asp: dt.date | None = None
    dossier_extrait: str | None = None


# --- the waves plan ------------------------------------------------------------------------


def weekend_friday(date_mep: dt.date) -> dt.date:
    """The Friday of the cutover weekend: on or before the MEP date (Monday → 3 days before)."""
    return date_mep - dt.timedelta(days=(date_mep.weekday() - FRIDAY) % 7)


def parse_date(value: str) -> dt.date | None:
    """``JJ/MM/AAAA`` (or ``J/M/AAAA``) or ISO ``AAAA-MM-JJ``; None when it is neither."""
    french = re.fullmatch(r"(\d{1,2})/(\d{1,2})/(\d{4})", value)
    iso = re.fullmatch(r"(\d{4})-(\d{2})-(\d{2})", value)
    try:
        if french:
            day, month, year = (int(g) for g in french.groups())
            return dt.date(year, month, day)
        if iso:
            return dt.date.fromisoformat(value)
    except ValueError:  # not a calendar day: 31/02, 13th month
        return None
    return None


def _bad(path: Path, line: int, field: str, value: str, why: str) -> ExtractError:
    return ExtractError(f"{path}: line {line}, column {field}: {value!r}: {why}")


def _plan_row(path: Path, line: int, values: dict[str, str]) -> PlanRow:
    """One line of a plan file as a PlanRow, or the ExtractError naming its first bad value."""
    ml = values["ml"]
    if not ML_CODE.fullmatch(ml):
        raise _bad(
            path, line, "ml", ml, "not the code structure of a Mission Locale (INSEE code then S00)"
        )
    if not values["region"]:
        raise _bad(path, line, "region", "", "empty, the region is required")
    if not re.fullmatch(r"\d+", values["vague"]) or int(values["vague"]) < 1:
        raise _bad(path, line, "vague", values["vague"], "not a wave number (1, 2, …)")
    date_mep = parse_date(values["date_mep"])
    if date_mep is None:
        raise _bad(
            path, line, "date_mep", values["date_mep"], "not a date (JJ/MM/AAAA or AAAA-MM-JJ)"
        )
    if date_mep.weekday() != MONDAY:
        raise _bad(
            path,
            line,
            "date_mep",
            values["date_mep"],
            f"a {WEEKDAYS[date_mep.weekday()]}, the MEP is the Monday the ML goes live",
        )
    stop = values.get("arret_flux_asp", "")
    arret = parse_date(stop) if stop else None
    if stop and arret is None:
        raise _bad(path, line, "arret_flux_asp", stop, "not a date (JJ/MM/AAAA or AAAA-MM-JJ)")
    return PlanRow(
        ml,
        values["region"],
        int(values["vague"]),
        date_mep,
        arret,
        values.get("dossier_extrait") or None,
    )


def read_plan(path: Path) -> list[PlanRow]:
    """The rows of a plan file (``;``, UTF-8), every value checked; the first bad one raises."""
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise ExtractError(f"{path}: no such file") from None
    except OSError as error:
        raise ExtractError(f"{path}: unreadable ({error.strerror})") from None
    try:
        content = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        raise ExtractError(
            f"{path}: line {line}: not valid UTF-8 (byte 0x{data[error.start]:02x})"
        ) from None
    reader = csv.reader(io.StringIO(content, newline=""), delimiter=";", strict=True)
    try:
        header = [name.strip() for name in next(reader, [])]
        width = len(header)
        if width < REQUIRED_COLUMNS or tuple(header) != PLAN_COLUMNS[:width]:
            raise ExtractError(
                f"{path}: line 1: header {';'.join(header)!r}: expected "
                f"{';'.join(PLAN_COLUMNS[:REQUIRED_COLUMNS])} then optionally "
                f"{';'.join(PLAN_COLUMNS[REQUIRED_COLUMNS:])}"
            )
        rows: list[PlanRow] = []
        seen: dict[str, int] = {}
        for fields in reader:
            line = reader.line_num
            if not any(f.strip() for f in fields):
                continue  # a blank line, an empty last line
            if len(fields) != width:
                raise ExtractError(
                    f"{path}: line {line}: {len(fields)} fields, expected {width} "
                    f"({';'.join(header)}): {';'.join(fields)!r}"
                )
            row = _plan_row(path, line, {h: f.strip() for h, f in zip(header, fields, strict=True)})
            if row.ml in seen:
                raise _bad(path, line, "ml", row.ml, f"already on line {seen[row.ml]}")
            seen[row.ml] = line
            rows.append(row)
    except csv.Error as error:
        raise ExtractError(f"{path}: line {reader.line_num}: {error}") from None
    return rows


def load_plan(engine: Engine, path: Path) -> int:
    """Upsert a plan file into p3.vague, ML by ML; returns its rows.

    A plan file per region is normal: rows of MLs absent from the file are kept. Any bad
    value refuses the whole file before anything is written."""
    rows = read_plan(Path(path))
    if not rows:
        return 0
    with engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO p3.vague (ml, region, vague, date_mep, arret_flux_asp,"
                " dossier_extrait, loaded_at)"
                " VALUES (:ml, :region, :vague, :date_mep, :arret_flux_asp, :dossier_extrait,"
                " now())"
                " ON CONFLICT (ml) DO UPDATE SET region = excluded.region,"
                " vague = excluded.vague, date_mep = excluded.date_mep,"
                " arret_flux_asp = excluded.arret_flux_asp,"
                " dossier_extrait = excluded.dossier_extrait, loaded_at = excluded.loaded_at"
            ),
            [asdict(row) for row in rows],
        )
    return len(rows)


def plan(conn: psycopg.Connection) -> list[PlanRow]:
    """The whole campaign plan, by MEP date, wave and ML."""
    rows = conn.execute(
        "SELECT ml, region, vague, date_mep, arret_flux_asp, dossier_extrait FROM p3.vague"
        " ORDER BY date_mep, vague, ml"
    ).fetchall()
    return [PlanRow(*row) for row in rows]


def weekend_waves(conn: psycopg.Connection, friday: dt.date) -> dict[int, list[PlanRow]]:
    """The waves whose cutover weekend starts on that Friday: wave number → its MLs."""
    waves: dict[int, list[PlanRow]] = defaultdict(list)
    for row in plan(conn):
        if weekend_friday(row.date_mep) == friday:
            waves[row.vague].append(row)
    return dict(waves)


# --- P3 closure and ASP flows --------------------------------------------------------------


def close_p3(p3_conn: psycopg.Connection, ml: str, by: str) -> dt.datetime:
    """Record that P3 is closed (read-only) for the ML; returns when it was closed.

    Idempotent: closing again keeps the first closure's time and author. In the caller's
    transaction."""
    check_ml_code(ml)
    p3_conn.execute(
        "INSERT INTO p3.fermeture (ml, fermee_le, par) VALUES (%s, now(), %s)"
        " ON CONFLICT (ml) DO NOTHING",
        (ml, by),
    )
    closed = p3_closed(p3_conn, ml)
    assert closed is not None
    return closed


def p3_closed(p3_conn: psycopg.Connection, ml: str) -> dt.datetime | None:
    """When P3 was closed for the ML; None while it is open."""
    row = p3_conn.execute("SELECT fermee_le FROM p3.fermeture WHERE ml = %s", (ml,)).fetchone()
    return row[0] if row else None


def asp_warnings(rows: Iterable[PlanRow], friday: dt.date) -> list[str]:
    """One French line per ML whose ASP flows did not stop 15 days before the weekend's Friday."""
    deadline = friday - ASP_NOTICE
    warnings = []
    for row in rows:
        if row.arret_flux_asp is None:
            warnings.append(
                f"ML {row.ml} (vague {row.vague}): flux ASP non arrêtés, ils devaient l'être "
                f"au plus tard le {deadline:%d/%m/%Y} (15 jours avant le vendredi "
                f"{friday:%d/%m/%Y})"
            )
        elif row.arret_flux_asp > deadline:
            warnings.append(
                f"ML {row.ml} (vague {row.vague}): flux ASP arrêtés le "
                f"{row.arret_flux_asp:%d/%m/%Y}, moins de 15 jours avant le vendredi "
                f"{friday:%d/%m/%Y} (au plus tard le {deadline:%d/%m/%Y})"
            )
    return warnings


@contextmanager
def _p3() -> Iterator[psycopg.Connection]:
    """The p3 database, upgraded; committed when the block succeeds."""
    db.upgrade_p3()
    with psycopg.connect(libpq_url(db.urls().p3)) as conn:
        conn.execute("SET TIME ZONE 'Europe/Paris'")
        yield conn


# --- Monday 10:00: the delivery ------------------------------------------------------------


def _delivered_run(production: psycopg.Connection, ml: str) -> tuple | None:
    """(id, verdict, report_path) of the ML's last finished MIG (or kept MAB) in PRODUCTION."""
    return production.execute(
        "SELECT id, verdict, report_path FROM migration.run"
        " WHERE ml = %s AND environment = 'PRODUCTION' AND status = 'TERMINE'"
        "   AND (run_kind = 'MIG' OR (run_kind = 'MAB' AND conserve))"
        " ORDER BY finished_at DESC NULLS LAST, id DESC LIMIT 1",
        (ml,),
    ).fetchone()


def _report_files(report_path: str) -> list[Path]:
    """A run's three report files: the workbook, its rejects and its JSON summary."""
    xlsx = Path(report_path)
    stem = xlsx.with_suffix("")
    return [xlsx, stem.with_name(stem.name + ".rejets.csv"), stem.with_name(stem.name + ".json")]


def deliver(vague: int, date_mep: dt.date, out_dir: str | Path | None = None) -> Path:
    """Copy the reports of the wave's MIGs into ``<report folder>/livraison/vague-<n>-<date>/``
    with an ``index.csv`` (one line per file; ``pas de MIG`` for an ML without one), record
    the delivery in PRODUCTION (migration.livraison) and return the folder."""
    from pipeline.report_run import report_dir

    with _p3() as p3:
        mls = [row.ml for row in plan(p3) if row.vague == vague and row.date_mep == date_mep]
    if not mls:
        raise ConfigurationError(
            f"no ML of wave {vague} with MEP {date_mep:%d/%m/%Y} in the waves plan (p3.vague):"
            " load it with `imilo-migrate waves load FILE`"
        )
    folder = report_dir(str(out_dir) if out_dir else None) / "livraison"
    folder = folder / f"vague-{vague}-{date_mep.isoformat()}"
    folder.mkdir(parents=True, exist_ok=True)
    for old in folder.iterdir():  # the folder holds the latest delivery, nothing older
        if old.is_file() and old.name.startswith(("rapport_", "index.csv")):
            old.unlink()

    url = db.urls().production
    db.upgrade("imilo", url)
    with psycopg.connect(libpq_url(url)) as production:
        check_environment(production, Environment.PRODUCTION, url)
        index: list[list[str]] = []
        delivered = 0
        for ml in mls:
            run = _delivered_run(production, ml)
            if run is None:
                index.append([ml, "", "", NO_MIG])
                continue
            run_id, verdict, report_path = run
            if not report_path:
                index.append([ml, str(run_id), verdict or "", "rapport absent"])
                continue
            for source in _report_files(report_path):
                # A missing file is told in the index, not a reason to deliver nothing.
                if source.is_file():
                    shutil.copy2(source, folder / source.name)
                    name = source.name
                else:
                    name = f"{source.name} (manquant)"
                index.append([ml, str(run_id), verdict or "", name])
            delivered += Path(report_path).is_file()  # one report: its workbook
        with open(folder / "index.csv", "w", encoding="utf-8", newline="") as handle:
            writer = csv.writer(handle, delimiter=";", lineterminator="\n")
            writer.writerow(["ml", "migration", "verdict", "fichier"])
            writer.writerows(index)

        # Delivering again replaces the record: the folder holds the latest delivery.
        production.execute(
            "INSERT INTO migration.livraison (vague, date_mep, livree_le, dossier, rapports)"
            " VALUES (%s, %s, now(), %s, %s) ON CONFLICT (vague, date_mep) DO UPDATE SET"
            " livree_le = excluded.livree_le, dossier = excluded.dossier,"
            " rapports = excluded.rapports",
            (vague, date_mep, str(folder), delivered),
        )
    return folder


# --- Dagster: jobs -------------------------------------------------------------------------


class FermetureConfig(Config):
    mls: list[str]  # the MLs of the wave whose P3 closes (read-only from now on)


@op(description="Closes P3 (read-only) for each ML of a wave, Friday 18:00; warns of ASP flows")
def fermer_p3(context: OpExecutionContext, config: FermetureConfig) -> Output[int]:
    by = f"fermeture_p3 (run {context.run_id})"
    with _p3() as p3:
        rows = {row.ml: row for row in plan(p3)}
        for ml in config.mls:
            closed = close_p3(p3, ml, by)
            context.log.info(
                f"P3 fermé pour la ML {ml} le {closed.astimezone(PARIS):%d/%m/%Y %H:%M}"
            )

    warnings = [f"ML {ml}: absente du plan des vagues" for ml in config.mls if ml not in rows]
    planned = [rows[ml] for ml in config.mls if ml in rows]
    for friday in sorted({weekend_friday(row.date_mep) for row in planned}):
        warnings += asp_warnings(
            [r for r in planned if weekend_friday(r.date_mep) == friday], friday
        )
    for warning in warnings:
        context.log.warning(warning)
    return Output(len(config.mls), metadata={"fermees": len(config.mls), "alertes": len(warnings)})


@job(description="Friday 18:00: P3 closes for the MLs of a wave, one run per wave.")
def fermeture_p3_job() -> None:
    fermer_p3()


class LivraisonConfig(Config):
    vague: int  # the wave number
    date_mep: str  # its MEP Monday, ISO (AAAA-MM-JJ)
    report_dir: str = ""  # empty: IMILO_REPORT_DIR, else var/reports


@op(description="Monday 10:00: the MIG reports of each ML of a wave, copied into one folder.")
def livrer_rapports(context: OpExecutionContext, config: LivraisonConfig) -> Output[str]:
    folder = deliver(
        config.vague, dt.date.fromisoformat(config.date_mep), config.report_dir or None
    )
    context.log.info(f"vague {config.vague} du {config.date_mep}: rapports livrés dans {folder}")
    return Output(str(folder), metadata={"dossier": str(folder)})


@job(description="Monday 10:00: delivery of a wave's migration reports, one run per wave.")
def livraison_job() -> None:
    livrer_rapports()


# --- Dagster: schedules --------------------------------------------------------------------


def _tick(context: ScheduleEvaluationContext, weekday: int, hour: int) -> dt.date | SkipReason:
    """The Paris date of the tick when it falls on that weekday and hour, else a SkipReason."""
    at = context.scheduled_execution_time or dt.datetime.now(PARIS)
    local = at.astimezone(PARIS)
    if local.weekday() != weekday or (local.hour, local.minute) != (hour, 0):
        return SkipReason(
            f"{WEEKDAYS[local.weekday()]} {local:%d/%m/%Y %H:%M} (Paris) is not"
            f" {WEEKDAYS[weekday]} {hour:02d}:00"
        )
    return local.date()


@schedule(
    name="fermeture_p3",
    cron_schedule="0 18 * * 5",
    execution_timezone=TIMEZONE,
    job=fermeture_p3_job,
    description="Friday 18:00 Paris: P3 closes for the MLs of the weekend's wave(s).",
)
def fermeture_p3(context: ScheduleEvaluationContext) -> list[RunRequest] | SkipReason:
    friday = _tick(context, FRIDAY, 18)
    if isinstance(friday, SkipReason):
        return friday
    with _p3() as p3:
        waves = weekend_waves(p3, friday)
    if not waves:
        return SkipReason(f"no wave goes live the weekend of Friday {friday:%d/%m/%Y}")
    return [
        RunRequest(
            run_key=f"FERMETURE:{friday.isoformat()}:{vague}",
            run_config={"ops": {"fermer_p3": {"config": {"mls": [r.ml for r in rows]}}}},
            tags={"vague": str(vague)},
        )
        for vague, rows in sorted(waves.items())
    ]


def _plateforme(p3: psycopg.Connection, ml: str) -> str:
    """The P3 plateforme of the ML's latest extract, 'inconnue' when none is loaded."""
    row = p3.execute(
        "SELECT plateforme FROM p3.extract WHERE structures::jsonb ? %s ORDER BY id DESC LIMIT 1",
        (ml,),
    ).fetchone()
    return str(row[0]) if row else "inconnue"


@schedule(
    name="extraction_mig",
    cron_schedule="0 21 * * 5",
    execution_timezone=TIMEZONE,
    job_name="mig",
    description="Friday 21:00 Paris: the MIG of each ML of the weekend's wave(s), on its"
    " extract; one run per ML, tagged with its P3 plateforme.",
)
def extraction_mig(context: ScheduleEvaluationContext) -> list[RunRequest] | SkipReason:
    friday = _tick(context, FRIDAY, 21)
    if isinstance(friday, SkipReason):
        return friday
    requests = []
    with _p3() as p3:
        waves = weekend_waves(p3, friday)
        for rows in waves.values():
            for warning in asp_warnings(rows, friday):
                context.log.warning(warning)
        for row in (r for rows in waves.values() for r in rows):
            if p3_closed(p3, row.ml) is None:
                context.log.warning(f"ML {row.ml}: P3 n'est pas fermé, la MIG le refusera")
            requests.append(_mig_request(row, friday, _plateforme(p3, row.ml)))
    if not requests:
        return SkipReason(f"no wave goes live the weekend of Friday {friday:%d/%m/%Y}")

    # A run request for an unknown partition fails the whole tick: no ML would migrate.
    known = set(context.instance.get_dynamic_partitions(ML_PARTITIONS_NAME))
    new = [r.partition_key for r in requests if r.partition_key and r.partition_key not in known]
    if new:
        context.instance.add_dynamic_partitions(ML_PARTITIONS_NAME, new)
        context.log.info(f"partitions ML ajoutées: {', '.join(new)}")
    return requests


def _mig_request(row: PlanRow, friday: dt.date, plateforme: str) -> RunRequest:
    config: dict[str, Any] = {"run_kind": "MIG", "extract_dir": row.dossier_extrait or ""}
    return RunRequest(
        job_name="mig",
        partition_key=row.ml,
        run_key=f"MIG:{row.ml}:{friday.isoformat()}",
        tags={"plateforme": plateforme},
        run_config={"resources": {"migration": {"config": config}}},
    )


@schedule(
    name="livraison",
    cron_schedule="0 10 * * 1",
    execution_timezone=TIMEZONE,
    job=livraison_job,
    description="Monday 10:00 Paris: the migration reports of each wave going live that day.",
)
def livraison(context: ScheduleEvaluationContext) -> list[RunRequest] | SkipReason:
    monday = _tick(context, MONDAY, 10)
    if isinstance(monday, SkipReason):
        return monday
    with _p3() as p3:
        waves = sorted({row.vague for row in plan(p3) if row.date_mep == monday})
    if not waves:
        return SkipReason(f"no wave goes live on Monday {monday:%d/%m/%Y}")
    return [
        RunRequest(
            run_key=f"LIVRAISON:{vague}:{monday.isoformat()}",
            run_config={
                "ops": {
                    "livrer_rapports": {"config": {"vague": vague, "date_mep": monday.isoformat()}}
                }
            },
            tags={"vague": str(vague)},
        )
        for vague in waves
    ]


SCHEDULES = [fermeture_p3, extraction_mig, livraison]
JOBS = [fermeture_p3_job, livraison_job]
