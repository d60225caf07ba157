"""The regional lock (brief, section 3): from MIG_REGIONAL until the region's last ML is
migrated, i-milo refuses the regional actions that would change what the region's MLs are
being migrated against. The lock is a row of ``migration.verrou_regional`` in the i-milo
database; ``migration.region_verrouillee(region)`` answers the same question in SQL.
"""

from __future__ import annotations

import datetime as dt

import psycopg

from pipeline.engine import PARIS

# The actions of i-milo the lock refuses, and those it leaves alone (a name outside both is a
# mistake of the caller, not an action to allow by default).
LOCKED_ACTIONS = frozenset(
    {
        "ajouter_mesure_regionale",
        "modifier_mesure_regionale",
        "supprimer_mesure_regionale",
        "ajouter_reference_regionale",
        "modifier_reference_regionale",
        "supprimer_reference_regionale",
        "ajouter_dispositif_regional",
        "modifier_dispositif_regional",
        "supprimer_dispositif_regional",
        "deployer_dispositif_regional",
        "configurer_dispositif_regional",
        "supprimer_partenaire",
        "supprimer_offre",
    }
)
FREE_ACTIONS = frozenset(
    {"ajouter_partenaire", "modifier_partenaire", "ajouter_offre", "modifier_offre"}
)


class RegionLocked(RuntimeError):
    """An action refused while the region's migration is under way."""


def is_locked(conn: psycopg.Connection, region: str) -> bool:
    row = conn.execute("SELECT migration.region_verrouillee(%s)", (region,)).fetchone()
    return bool(row and row[0])


def allowed(conn: psycopg.Connection, region: str, action: str) -> bool:
    """Whether i-milo may do ``action`` for ``region`` now."""
    if action not in LOCKED_ACTIONS | FREE_ACTIONS:
        known = ", ".join(sorted(LOCKED_ACTIONS | FREE_ACTIONS))
        raise ValueError(f"unknown regional action {action!r}; known: {known}")
    return action not in LOCKED_ACTIONS or not is_locked(conn, region)


def ensure_allowed(conn: psycopg.Connection, region: str, action: str) -> None:
    if not allowed(conn, region, action):
        raise RegionLocked(
            f"{action} is refused for region {region}: its MLs are being migrated; the lock"
            " lifts when the last one has run MIG"
        )


def lay(conn: psycopg.Connection, region: str, run_id: int) -> None:
    """Lock the region (MIG_REGIONAL put its data in production)."""
    conn.execute(
        "INSERT INTO migration.verrou_regional (region, pose_le, pose_par_run)"
        " VALUES (%s, %s, %s) ON CONFLICT (region) DO UPDATE"
        " SET pose_le = excluded.pose_le, pose_par_run = excluded.pose_par_run,"
        " leve_le = NULL, leve_par_run = NULL",
        (region, dt.datetime.now(PARIS), run_id),
    )


def lift_if_last(conn: psycopg.Connection, region: str, region_mls: list[str], run_id: int) -> bool:
    """Lift the region's lock once every one of its MLs is migrated; whether it was lifted."""
    from pipeline.preconditions import MIGRATED

    migrated = {
        r[0]
        for r in conn.execute(
            f"SELECT DISTINCT ml FROM migration.run WHERE status = 'TERMINE' AND {MIGRATED}"
            " AND ml = ANY(%s)",
            (region_mls,),
        ).fetchall()
    }
    if set(region_mls) - migrated or not is_locked(conn, region):
        return False
    conn.execute(
        "UPDATE migration.verrou_regional SET leve_le = %s, leve_par_run = %s"
        " WHERE lower(btrim(region)) = lower(btrim(%s)) AND leve_le IS NULL",
        (dt.datetime.now(PARIS), run_id, region),
    )
    return True
