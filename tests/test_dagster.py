"""The Dagster side: the asset graph, and a run launched the way the UI launches it."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import campaign_ready, rejects_of

ML = "69123S00"  # Lyon


TAB2_STEPS = [
    "referentiels",
    "utilisateurs",
    "structures",
    "entreprises",
    "offres",
    "dispositifs",
    "dossiers",
    "instances",
    "propositions",
    "demat",
    "decisionnel",
    "rapport",
]


def test_one_asset_per_family_in_the_brief_order():
    from pipeline.definitions import ML_PARTITIONS, REGION_PARTITIONS, defs

    graph = defs.resolve_asset_graph()
    keys = [key.to_user_string() for key in graph.toposorted_asset_keys]
    assert [k for k in keys if k in TAB2_STEPS] == TAB2_STEPS
    for key in graph.get_all_asset_keys():
        expected = {"referentiel_national": None, "referentiel_regional": REGION_PARTITIONS}
        assert graph.get(key).partitions_def == expected.get(key.to_user_string(), ML_PARTITIONS)
        assert graph.get(key).description  # every asset states its grain
    job = defs.resolve_job_def("tab2")
    assert {key.to_user_string() for key in job.asset_layer.selected_asset_keys} == set(TAB2_STEPS)


def test_each_run_kind_is_a_job_of_its_steps_in_order():
    from pipeline.definitions import defs
    from pipeline.kinds import RUN_KINDS, asset_plan

    graph = defs.resolve_asset_graph()
    order = [key.to_user_string() for key in graph.toposorted_asset_keys]
    for kind in RUN_KINDS.values():
        job = defs.resolve_job_def(kind.job_name)
        steps = {key.to_user_string() for key in job.asset_layer.selected_asset_keys}
        assert [k for k in order if k in steps] == list(asset_plan(kind)), kind.name
    mig = asset_plan(RUN_KINDS["MIG"])
    assert mig[0] == "controle_gel" and "referentiels" not in mig
    assert (
        mig.index("decisionnel")
        < mig.index("dossiers_archives")
        < mig.index("decisionnel_archives")
    )


def _keys(rows: list[dict[str, str]]) -> list[tuple]:
    return sorted(
        (r["regle"], r["Type d'objet"], r["Identifiant P3"], r["Champ"], r["Bloquant"])
        for r in rows
    )


@pytest.fixture(scope="module")
def small_extract(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from pipeline.fixtures.generator import generate

    folder = tmp_path_factory.mktemp("extract")
    generate(folder, ML, 60, seed=4)
    return folder


def test_materializing_a_partition_like_the_ui_gives_the_cli_result(
    upgraded_databases, small_extract: Path, tmp_path: Path
):
    from pipeline import db
    from pipeline.cli import run_kind
    from pipeline.extract import load_extract
    from tests.conftest import connect

    load_extract(small_extract, db.p3_engine())
    campaign_ready(ML, tmp_path / "prerequis")
    cli = run_kind("TAB2", ML, str(tmp_path / "cli"))

    # The UI launches runs out of process with the multiprocess executor; so does this.
    env = {**os.environ, "IMILO_REPORT_DIR": str(tmp_path / "ui")}
    done = subprocess.run(
        [
            str(Path(sys.executable).parent / "dagster"),
            "asset",
            "materialize",
            "-m",
            "pipeline.definitions",
            "--select",
            ",".join(TAB2_STEPS),
            "--partition",
            ML,
        ],
        # Not from the repo root: Dagster would read .env there and use var/dagster.
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    with connect(upgraded_databases.validation) as conn:
        path = conn.execute(
            "SELECT report_path FROM migration.run WHERE ml = %s AND status = 'TERMINE'"
            " ORDER BY id DESC LIMIT 1",
            (ML,),
        ).fetchone()[0]
    assert path.startswith(str(tmp_path / "ui"))
    ui = {"report_path": path}
    assert _keys(rejects_of(ui)) == _keys(rejects_of(cli))
    import json

    ui_summary = json.loads(Path(path).with_suffix(".json").read_text(encoding="utf-8"))
    assert ui_summary["objects"] == cli["objects"]


def test_an_asset_alone_refuses_to_run_without_its_run(upgraded_databases, small_extract):
    from dagster import DagsterInstance, materialize

    from pipeline.definitions import ALL_ASSETS, defs
    from pipeline.resources import MigrationDatabases

    dossiers = next(a for a in ALL_ASSETS if a.key.to_user_string() == "dossiers")
    with DagsterInstance.get() as instance:
        instance.add_dynamic_partitions("ml", [ML])
        result = materialize(
            [dossiers],
            partition_key=ML,
            instance=instance,
            resources={"migration": MigrationDatabases()},
            raise_on_error=False,
            selection=[dossiers.key],
        )
    assert not result.success
    failure = next(e for e in result.all_events if e.is_step_failure)
    message = failure.event_specific_data.error.cause.message  # type: ignore[union-attr]
    assert "materialize the whole job" in message
    assert defs is not None
