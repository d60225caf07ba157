"""The campaign's order (brief, section 3), enforced: before a run writes anything, what it
needs is asked of the databases that hold it, read-only, and a missing step is a refusal
that says what to run first.

The campaign's state lives where each step writes: MIG_* runs in PRODUCTION, blank runs in
VALIDATION, the waves plan and the P3 closures in the p3 database. A blank run reads
PRODUCTION through a read-only session: it can ask, it cannot write.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

import psycopg

from pipeline.kinds import RunKind
from pipeline.runs import RunRefused, latest_extract, region_of

# Kinds after which an ML is in production for good: a kept MAB counts as its MIG.
MIGRATED = "(run_kind = 'MIG' OR (run_kind = 'MAB' AND conserve))"


@dataclass(frozen=True)
class Campaign:
    """Read-only connections to the three databases that hold the campaign's state."""

    p3: psycopg.Connection
    validation: psycopg.Connection
    production: psycopg.Connection


@contextmanager
def campaign(p3_url: str, validation_url: str, production_url: str) -> Iterator[Campaign]:
    options = "-c default_transaction_read_only=on -c TimeZone=Europe/Paris"
    with (
        psycopg.connect(p3_url, autocommit=True, options=options) as p3,
        psycopg.connect(validation_url, autocommit=True, options=options) as validation,
        psycopg.connect(production_url, autocommit=True, options=options) as production,
    ):
        yield Campaign(p3, validation, production)


@dataclass
class Cleared:
    """What the checks learnt on the way: the scope's region and the run's warnings."""

    region: str | None = None
    warnings: list[str] = field(default_factory=list)


def last_finished(
    conn: psycopg.Connection, condition: str, scope: str, *params: object
) -> tuple | None:
    """The latest TERMINE run of a scope matching a SQL condition: (id, kind, finished, verdict)."""
    return conn.execute(
        "SELECT id, run_kind, finished_at, verdict FROM migration.run"
        f" WHERE status = 'TERMINE' AND lower(scope) = lower(%s) AND ({condition})"
        " ORDER BY id DESC LIMIT 1",
        (scope, *params),
    ).fetchone()


def _done(conn: psycopg.Connection, kind: str, scope: str) -> tuple | None:
    return last_finished(conn, "run_kind = %s", scope, kind)


def ml_region(p3: psycopg.Connection, ml: str) -> str | None:
    """The ML's region: the waves plan says it, else the ML's own structure in its extract."""
    row = p3.execute("SELECT region FROM p3.vague WHERE ml = %s", (ml,)).fetchone()
    if row:
        return str(row[0]).strip()
    return region_of(p3, latest_extract(p3, ml).extract_id, ml)


def check(kind: RunKind, scope: str, db: Campaign) -> Cleared:
    """Refuse the run (RunRefused) unless every step it needs has been done."""
    if kind.scope == "NATION":
        return _national(kind, db)
    if kind.scope == "REGION":
        return _regional(kind, scope, db)
    return _local(kind, scope, db)


def _national(kind: RunKind, db: Campaign) -> Cleared:
    if kind.name == "MIG_NATIONAL" and (done := _done(db.production, "MIG_NATIONAL", "NATIONAL")):
        raise RunRefused(
            f"the national data is in production since run {done[0]} of {done[2]:%d/%m/%Y}:"
            " MIG_NATIONAL runs once"
        )
    return Cleared()


def _regional(kind: RunKind, region: str, db: Campaign) -> Cleared:
    from pipeline.shared_data import region_mls

    if not region_mls(db.p3, region):
        raise RunRefused(
            f"no ML of region {region!r} is known: load the waves plan (`imilo-migrate waves"
            " load FILE`) or an extract of one of its MLs first"
        )
    if kind.name == "MIG_REGIONAL":
        if not _done(db.production, "MIG_NATIONAL", "NATIONAL"):
            raise RunRefused(
                f"MIG_REGIONAL of {region} needs the national data in production: run"
                " MIG_NATIONAL first"
            )
        if done := _done(db.production, "MIG_REGIONAL", region):
            raise RunRefused(
                f"the data of region {region} is in production since run {done[0]} of"
                f" {done[2]:%d/%m/%Y}: MIG_REGIONAL runs once per region"
            )
    return Cleared(region=region)


def _local(kind: RunKind, ml: str, db: Campaign) -> Cleared:
    latest_extract(db.p3, ml)  # refuses when no extract of the ML is loaded
    region = ml_region(db.p3, ml)
    if not region:
        raise RunRefused(
            f"the region of ML {ml} is unknown: add the ML to the waves plan or give its"
            " structure row a region"
        )
    if not _done(db.production, "MIG_REGIONAL", region):
        raise RunRefused(
            f"{kind.name} of ML {ml} needs the data of its region {region} in production:"
            f" run MIG_REGIONAL --region {region!r} first"
        )
    migrated = last_finished(db.production, MIGRATED, ml)
    cleared = Cleared(region=region)
    if kind.name == "MIG_REF":
        if not _done(db.validation, "TAB1", ml):
            raise RunRefused(f"MIG_REF of ML {ml} needs a TAB1 first: run TAB1 --ml {ml}")
        if migrated:
            raise RunRefused(
                f"ML {ml} is migrated (run {migrated[0]}): its references in production are in"
                " use, MIG_REF no longer runs"
            )
        return cleared
    if kind.name == "TAB1":
        return cleared
    if not _done(db.production, "MIG_REF", ml):
        raise RunRefused(
            f"{kind.name} of ML {ml} needs its users and references in production: run"
            f" MIG_REF --ml {ml} first"
        )
    if kind.name == "RATTRAPAGE" and not migrated:
        raise RunRefused(
            f"RATTRAPAGE of ML {ml} comes after its migration: run MIG --ml {ml} first"
        )
    if kind.name in ("MAB", "MIG"):
        if migrated:
            raise RunRefused(
                f"ML {ml} is already migrated (run {migrated[0]} of {migrated[2]:%d/%m/%Y}):"
                f" an ML is migrated once, use RATTRAPAGE --ml {ml} for what is missing"
            )
        _cutover_ready(kind, ml, db, cleared)
    return cleared


def _cutover_ready(kind: RunKind, ml: str, db: Campaign, cleared: Cleared) -> None:
    from pipeline.indicators import declaration

    missing = []
    tab3 = _done(db.validation, "TAB3", ml)
    if tab3 is None:
        missing.append(f"a TAB3 with the verdict GO (none yet: run TAB3 --ml {ml})")
    elif tab3[3] != "GO":
        missing.append(f"the last TAB3 (run {tab3[0]}) with the verdict GO, not {tab3[3]}")
    certificate, contract = declaration(db.production, ml)
    if not contract:
        missing.append(f"the contractualisation (imilo-migrate ml declare --ml {ml} ...)")
    if not certificate:
        missing.append(
            f"the RGS certificate (imilo-migrate ml declare --ml {ml} --rgs-certificate FILE)"
        )
    closed = db.p3.execute("SELECT fermee_le FROM p3.fermeture WHERE ml = %s", (ml,)).fetchone()
    if closed is None:
        missing.append(f"P3 closed for the ML (imilo-migrate p3 close --ml {ml})")
    plan = db.p3.execute(
        "SELECT vague, date_mep, arret_flux_asp FROM p3.vague WHERE ml = %s", (ml,)
    ).fetchone()
    if kind.name == "MAB" and (plan is None or plan[0] not in (1, 2)):
        wave = "no wave" if plan is None else f"wave {plan[0]}"
        missing.append(f"an ML of wave 1 or 2 (the plan gives {wave}): MAB is for them only")
    if missing:
        raise RunRefused(f"{kind.name} of ML {ml} is refused; it needs " + "; ".join(missing))
    if plan is not None:
        from pipeline.cutover import asp_warnings, weekend_friday
        from pipeline.cutover import plan as waves_plan

        rows = [row for row in waves_plan(db.p3) if row.ml == ml]
        cleared.warnings += asp_warnings(rows, weekend_friday(plan[1]))
