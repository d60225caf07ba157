"""Property: over generated extracts, the pre-check reports every injected defect with its
rule and blocking flag, nothing else, and every object type balances."""

from __future__ import annotations

import csv
import json
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pipeline.fixtures.generator import generate
from pipeline.precheck import precheck


def _logins(folder: Path) -> frozenset[str]:
    with open(folder / "comptes_imilo.csv", encoding="utf-8", newline="") as handle:
        return frozenset(r["login_p3"] for r in csv.DictReader(handle, delimiter=";"))


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    ml=st.sampled_from(["65440S00", "2A004S00", "97611S00", "01053S00"]),
    dossiers=st.integers(min_value=0, max_value=60),
    seed=st.integers(min_value=0, max_value=10_000),
    rate=st.sampled_from([0.0, 0.01, 0.05, 0.2]),
)
def test_precheck_finds_exactly_the_injected_defects(ml, dossiers, seed, rate):
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "x"
        generate(folder, ml, dossiers, seed, rate=rate)
        summary = precheck(folder, Path(tmp) / "r", ml, _logins(folder), None)[0]
        expected = json.loads((folder / "expected.json").read_text(encoding="utf-8"))
        path = Path(summary["report_path"]).with_suffix("").with_suffix(".rejets.csv")
        with open(path, encoding="utf-8", newline="") as handle:
            got = sorted(
                (
                    r["regle"],
                    r["Type d'objet"],
                    r["Identifiant P3"],
                    r["Champ"],
                    r["Bloquant"] == "Oui",
                )
                for r in csv.DictReader(handle, delimiter=";")
            )
    wanted = sorted(
        (e["rule"], e["object_type"], e["id_p3"], e["field"], e["blocking"]) for e in expected
    )
    assert got == wanted
    for table, c in summary["objects"].items():
        assert c["read"] == c["migrated"] + c["rejected"] + c["out_of_scope"], table
