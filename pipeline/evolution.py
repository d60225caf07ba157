"""Progress between two runs of an ML, the cutover forecast, and the regional view.

All of it is read from the ``migration`` schema: the reject rows and indicators each run
kept, and the time each object type took.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

import psycopg

# Friday 21:00 (the extract) to Monday 10:00 (the reports): the cutover window.
WINDOW = dt.timedelta(days=2, hours=13)
_KEY = ("regle", "type_objet", "id_p3", "champ")


@dataclass
class Evolution:
    previous: int | None
    current: int
    rules: list[tuple[str, int, int]] = field(default_factory=list)  # rule, then, now
    resolved: list[tuple] = field(default_factory=list)  # rule, type, id, field, value
    new: list[tuple] = field(default_factory=list)
    indicators: list[tuple[str, str, float, float]] = field(default_factory=list)


# The kinds whose runs take the ML's dossiers: the ones worth comparing with each other
# (a TAB3 with the TAB2 before it, not with a TAB1 of structures and users).
COMPARABLE_KINDS = ["TAB2", "TAB3", "MAB", "MIG", "RATTRAPAGE"]


def previous_run(target: psycopg.Connection, run_id: int) -> int | None:
    """The ML's last finished run before this one that took its dossiers, in this database."""
    row = target.execute(
        "SELECT p.id FROM migration.run p JOIN migration.run c ON c.ml = p.ml"
        " WHERE c.id = %s AND p.id < c.id AND p.status = 'TERMINE'"
        " AND p.run_kind = ANY(%s) ORDER BY p.id DESC LIMIT 1",
        (run_id, COMPARABLE_KINDS),
    ).fetchone()
    return row[0] if row else None


def _missing_from(target: psycopg.Connection, here: int, there: int) -> list[tuple]:
    """Reject rows of run ``here`` whose key (rule, object, id, field) run ``there`` lacks."""
    return target.execute(
        "SELECT r.regle, r.type_objet, r.id_p3, r.champ, r.valeur FROM migration.reject r"
        " WHERE r.run_id = %s AND NOT EXISTS (SELECT 1 FROM migration.reject o"
        " WHERE o.run_id = %s AND o.regle = r.regle AND o.type_objet = r.type_objet"
        " AND o.id_p3 IS NOT DISTINCT FROM r.id_p3 AND o.champ IS NOT DISTINCT FROM r.champ)"
        " ORDER BY r.id",
        (here, there),
    ).fetchall()


def compare(target: psycopg.Connection, previous: int | None, current: int) -> Evolution:
    """What changed from run ``previous`` to run ``current`` (None: a first run)."""
    evolution = Evolution(previous, current)
    runs = [r for r in (previous, current) if r is not None]
    counts: dict[str, dict[int, int]] = {}
    for run_id, rule, n in target.execute(
        "SELECT run_id, regle, count(*) FROM migration.reject WHERE run_id = ANY(%s)"
        " GROUP BY run_id, regle",
        (runs,),
    ).fetchall():
        counts.setdefault(rule, {})[run_id] = n
    evolution.rules = sorted(
        (rule, by_run.get(previous, 0) if previous else 0, by_run.get(current, 0))
        for rule, by_run in counts.items()
    )
    if previous is None:
        return evolution
    evolution.resolved = _missing_from(target, previous, current)
    evolution.new = _missing_from(target, current, previous)
    evolution.indicators = [
        (code, label, float(before), float(now))
        for code, label, before, now in target.execute(
            "SELECT c.code, c.label, p.imilo, c.imilo FROM migration.indicator c"
            " JOIN migration.indicator p ON p.code = c.code AND p.run_id = %s"
            " WHERE c.run_id = %s ORDER BY c.code",
            (previous, current),
        ).fetchall()
    ]
    return evolution


def forecast(target: psycopg.Connection, run_id: int) -> dict[str, Any]:
    """The MIG's duration forecast from a blank run's throughput per object type.

    A MIG migrates the same families as the blank run, active then archived dossiers: at the
    blank run's rows per second, per object type, its time is the sum of the types' times.
    """
    # Known shortcoming: the MIG's stages (active, then archived dossiers) are not modelled.
    rows = target.execute(
        "SELECT read, seconds FROM migration.object_count WHERE run_id = %s", (run_id,)
    ).fetchall()
    seconds = sum(float(s or 0.0) for _, s in rows)
    return {
        "mig_seconds": round(seconds, 1),
        "window_seconds": int(WINDOW.total_seconds()),
        "fits": seconds <= WINDOW.total_seconds(),
        "rows": sum(int(r or 0) for r, _ in rows),
    }


def region_rows(target: psycopg.Connection, region: str) -> list[dict[str, Any]]:
    """One row per ML of the region: its last run, verdict, blocking rejects, trend, forecast."""
    out = []
    for (ml,) in target.execute(
        "SELECT DISTINCT ml FROM migration.run WHERE lower(region) = lower(%s) ORDER BY ml",
        (region,),
    ).fetchall():
        history = target.execute(
            "SELECT r.id, r.run_kind, r.started_at, r.status, r.verdict,"
            " (SELECT coalesce(sum(c.rejected), 0) FROM migration.object_count c"
            "  WHERE c.run_id = r.id)"
            " FROM migration.run r WHERE r.ml = %s AND r.status = 'TERMINE' ORDER BY r.id",
            (ml,),
        ).fetchall()
        if not history:
            continue
        last = history[-1]
        out.append(
            {
                "ml": ml,
                "run_kind": last[1],
                "date": last[2],
                "verdict": last[4] or "",
                "rejets_bloquants": int(last[5]),
                "tendance": " → ".join(str(int(h[5])) for h in history),
                "forecast": forecast(target, last[0]),
            }
        )
    return out
