"""ECOLE (brief, section 2): reset at will from a generated extract, nothing else touched."""

from __future__ import annotations

from tests.conftest import connect, snapshot


def test_ecole_reset_fills_ecole_from_a_generated_ml_and_touches_nothing_else(
    upgraded_databases,
):
    from pipeline.cli import main

    before = {k: n for k, n in snapshot().items()}
    assert main(["ecole", "reset", "--ml", "65440S00", "--dossiers", "25", "--seed", "3"]) == 0
    with connect(upgraded_databases.ecole) as conn:
        first = conn.execute(
            "SELECT (SELECT count(*) FROM imilo.dossier), (SELECT count(*) FROM"
            " migration.run), (SELECT count(*) FROM imilo.decisionnel_mensuel) > 0"
        ).fetchone()
    assert first == (25, 1, True)
    assert main(["ecole", "reset", "--ml", "65440S00", "--dossiers", "25", "--seed", "3"]) == 0
    with connect(upgraded_databases.ecole) as conn:
        again = conn.execute(
            "SELECT (SELECT count(*) FROM imilo.dossier), (SELECT count(*) FROM"
            " migration.run), (SELECT count(*) FROM imilo.decisionnel_mensuel) > 0"
        ).fetchone()
        tag = conn.execute("SELECT name FROM migration.environment").fetchall()
    assert again == first  # reset, not added to
    assert tag == [("ECOLE",)]
    assert snapshot() == before  # p3, VALIDATION and PRODUCTION as they were


def test_the_lock_answers_for_known_actions_only(upgraded_databases):
    import pytest

    from pipeline import lock

    with connect(upgraded_databases.production) as conn:
        assert lock.allowed(conn, "Région jamais migrée", "supprimer_offre")
        with pytest.raises(ValueError, match="unknown regional action"):
            lock.allowed(conn, "Bretagne", "supprimer_tout")
