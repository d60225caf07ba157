"""Dagster definitions: one asset per object family in the brief's order, then the report.

Assets are partitioned by ML (code structure); the partitions are added when an extract
of that ML is loaded. Every asset coordinates: the engine reads, checks and writes; the
asset logs the counts and returns them as metadata.
"""

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import psycopg
from dagster import (
    AssetCheckResult,
    AssetCheckSeverity,
    AssetCheckSpec,
    AssetExecutionContext,
    AssetsDefinition,
    Config,
    Definitions,
    DynamicPartitionsDefinition,
    MaterializeResult,
    MetadataValue,
    OpExecutionContext,
    asset,
    define_asset_job,
    job,
    op,
)

from pipeline import cutover, preconditions, runs
from pipeline.engine import Counts, P3Source, RunScope, TargetSink, migrate_family
from pipeline.families import FAMILIES, FAMILY_BY_KEY
from pipeline.indicators import CRITERIA
from pipeline.kinds import (
    ARCHIVE_SUFFIX,
    DOSSIER_FAMILIES,
    RUN_KINDS,
    RunKind,
    asset_plan,
    stage_of,
)
from pipeline.report_run import finish_run
from pipeline.resources import MigrationDatabases, libpq_url

ML_PARTITIONS = DynamicPartitionsDefinition(name="ml")
REGION_PARTITIONS = DynamicPartitionsDefinition(name="region")
GROUP = "migration"


def _metadata(counts: dict[str, Counts]) -> dict[str, Any]:
    total = Counts()
    for c in counts.values():
        for key, value in c.as_dict().items():
            setattr(total, key, getattr(total, key) + value)
    metadata: dict[str, Any] = {key: value for key, value in total.as_dict().items()}
    metadata["par_type"] = MetadataValue.json({t: c.as_dict() for t, c in counts.items()})
    return metadata


def _conservation(counts: dict[str, Counts], asset_key: str) -> AssetCheckResult:
    unbalanced = {
        t: c.as_dict()
        for t, c in counts.items()
        if c.read != c.migrated + c.rejected + c.out_of_scope
    }
    return AssetCheckResult(
        check_name="conservation",
        asset_key=asset_key,
        passed=not unbalanced,
        metadata={"non_equilibres": MetadataValue.json(unbalanced)},
    )


def _conservation_spec(key: str) -> AssetCheckSpec:
    return AssetCheckSpec(
        "conservation",
        asset=key,
        blocking=True,
        description="Every P3 row of the family is migrated, rejected or out of scope.",
    )


@contextmanager
def _step(
    context: AssetExecutionContext, migration: MigrationDatabases, asset: str
) -> Iterator[tuple[psycopg.Connection, psycopg.Connection, RunScope]]:
    """One step of a run: its connections and its run. The run kind's first step opens the
    run (preconditions first: a refusal is recorded and fails the step); the others find it.
    While the step works the run shows signs of life; if it fails, its writes are rolled
    back and the run is closed as ECHEC (its extract released)."""
    kind = migration.kind
    plan = asset_plan(kind)
    ad_hoc = context.job_name.startswith("__")  # assets picked in the UI, not a kind's job
    if (context.job_name != kind.job_name and not ad_hoc) or asset not in plan:
        raise runs.RunRefused(
            f"the asset {asset} of job {context.job_name} is not a step of a {kind.name} run"
            f" (its steps: {', '.join(plan)}): launch the job {kind.job_name}"
        )
    scope_key = context.partition_key if context.has_partition_key else "NATIONAL"
    if plan[0] == asset and migration.extract_dir:
        _take_extract(Path(migration.extract_dir), scope_key)
    with migration.connections() as (p3, target):
        scope = runs.find_run(target, context.run.run_id)
        if scope is None:
            if plan[0] != asset:
                raise runs.RunRefused(
                    "this Dagster run has no migration run: materialize the whole job"
                    f" {kind.job_name} for the partition (its first step, {plan[0]}, opens the"
                    " run and checks what it needs)"
                )
            p3_url, validation_url, production_url = migration.campaign_urls()

            def check() -> preconditions.Cleared:
                with preconditions.campaign(p3_url, validation_url, production_url) as state:
                    return preconditions.check(kind, scope_key, state)

            scope = runs.open_run(
                p3,
                target,
                kind=kind,
                scope=scope_key,
                dagster_run_id=context.run.run_id,
                check=check,
                keep=migration.keep,
            )
            target.commit()  # the run holds its scope before its first family is written
        else:
            runs.check_extract(p3, scope)
        try:
            with runs.heartbeat(libpq_url(migration.target_url()), scope.run_id):
                yield p3, target, scope
        except BaseException as error:
            target.rollback()
            p3.rollback()
            # What the run's earlier steps committed leaves with it: nothing half-migrated.
            removed = runs.remove_run_objects(target, scope.run_id, scope.ml)
            message = f"{error}"[:2000] + (f" ({removed} objets retirés)" if removed else "")
            runs.close_run(target, scope.run_id, "ECHEC", None, p3, message=message)
            target.commit()
            p3.commit()
            raise


def _take_extract(folder: Path, ml: str) -> None:
    """Load the extract the Friday 21:00 retrieval left for the ML (the one the run reads)."""
    from pipeline import db
    from pipeline.extract import load_extract

    result = load_extract(folder, db.upgrade_p3())
    if ml not in result.manifest.structures:
        raise runs.RunRefused(f"the extract {folder} holds no data of ML {ml}")


def _family_asset(family_key: str, deps: list[str], stage_suffix: str = "") -> AssetsDefinition:
    family = FAMILY_BY_KEY[family_key]
    key = family.key + stage_suffix
    description = f"{family.grain.capitalize()}, for the ML of the partition" + (
        ", archived dossiers only (MIG and MAB step 3)."
        if stage_suffix
        else (
            "; MIG and MAB take the active dossiers here, the archived ones later."
            if family.key in DOSSIER_FAMILIES
            else "."
        )
    )

    @asset(
        name=key,
        partitions_def=ML_PARTITIONS,
        deps=deps,
        group_name=GROUP,
        description=description,
        kinds={"postgres"},
        check_specs=[_conservation_spec(key)],
    )
    def _migrate(
        context: AssetExecutionContext, migration: MigrationDatabases
    ) -> MaterializeResult:
        stage = stage_of(migration.kind, key)
        with _step(context, migration, key) as (p3, target, scope):
            counts = migrate_family(
                P3Source(p3, scope.extract_id), TargetSink(target), scope, family.key, stage
            )
        for table, c in counts.items():
            context.log.info(
                f"{table}{' (' + stage + ')' if stage else ''}: lus {c.read}, migrés"
                f" {c.migrated}, rejetés {c.rejected}, avec erreurs {c.migrated_with_errors},"
                f" hors périmètre {c.out_of_scope}"
            )
        return MaterializeResult(
            metadata={**_metadata(counts), "etape": stage or "toutes"},
            check_results=[_conservation(counts, key)],
        )

    return _migrate


@asset(
    name="controle_gel",
    partitions_def=ML_PARTITIONS,
    group_name=GROUP,
    kinds={"postgres"},
    description="The ML's P3 references compared with what MIG_REF froze: a changed one is a"
    " blocking REF_MODIFIEE_APRES_GEL, the others stay as production has them (TAB3, MAB, MIG,"
    " RATTRAPAGE). Opens those runs.",
    check_specs=[_conservation_spec("controle_gel")],
)
def controle_gel(
    context: AssetExecutionContext, migration: MigrationDatabases
) -> MaterializeResult:
    with _step(context, migration, "controle_gel") as (p3, target, scope):
        counts = migrate_family(
            P3Source(p3, scope.extract_id), TargetSink(target), scope, "referentiels", "GEL"
        )
    changed = sum(c.rejected for c in counts.values())
    context.log.info(f"gel des références: {changed} référence(s) modifiée(s) depuis MIG_REF")
    return MaterializeResult(
        metadata={**_metadata(counts), "modifiees_apres_gel": changed},
        check_results=[_conservation(counts, "controle_gel")],
    )


def _decisionnel_asset(key: str, deps: list[str], description: str) -> AssetsDefinition:
    @asset(
        name=key,
        partitions_def=ML_PARTITIONS,
        deps=deps,
        group_name=GROUP,
        kinds={"postgres"},
        description=description,
    )
    def _build(context: AssetExecutionContext, migration: MigrationDatabases) -> MaterializeResult:
        with _step(context, migration, key) as (_p3, target, scope):
            months = runs.build_decisionnel(target, scope.ml)
            runs.record_decisionnel(target, scope.run_id, stage_of(migration.kind, key), months)
        context.log.info(f"décisionnel: {months} mois")
        return MaterializeResult(metadata={"mois": months})

    return _build


def _ml_assets() -> list[AssetsDefinition]:
    assets: list[AssetsDefinition] = [controle_gel]
    previous: list[str] = []
    for family in FAMILIES:
        deps = [*previous, "controle_gel"] if family.key == "structures" else previous
        assets.append(_family_asset(family.key, deps))
        previous = [family.key]
    assets.append(
        _decisionnel_asset(
            "decisionnel",
            previous,
            "One row per ML and month: dossiers actifs, premiers accueils, propositions and"
            " versements, rebuilt from the migrated data (MIG, MAB: active dossiers only).",
        )
    )
    previous = ["decisionnel"]
    for key in DOSSIER_FAMILIES:
        assets.append(_family_asset(key, previous, ARCHIVE_SUFFIX))
        previous = [key + ARCHIVE_SUFFIX]
    assets.append(
        _decisionnel_asset(
            "decisionnel" + ARCHIVE_SUFFIX,
            previous,
            "The décisionnel rebuilt once the archived dossiers are in (MIG and MAB step 4).",
        )
    )
    return assets


class RapportConfig(Config):
    report_dir: str = ""  # empty: IMILO_REPORT_DIR, else var/reports


@asset(
    partitions_def=ML_PARTITIONS,
    deps=["decisionnel", "decisionnel" + ARCHIVE_SUFFIX, "structures", "utilisateurs"],
    group_name=GROUP,
    kinds={"excel"},
    description="The run's migration report: one workbook (Synthèse and Détail per family, "
    "Total, Croisé, Indicateurs, GO-NO GO), the reject rows as CSV and the JSON summary. "
    "Closes the run: MIG_REF freezes the references, MIG lifts the regional lock after the "
    "region's last ML, a MAB not kept leaves production.",
    check_specs=[
        AssetCheckSpec(f"critere_{code}", asset="rapport", description=label)
        for code, label in CRITERIA
    ],
)
def rapport(
    context: AssetExecutionContext, config: RapportConfig, migration: MigrationDatabases
) -> MaterializeResult:
    kind = migration.kind
    with _step(context, migration, "rapport") as (p3, target, scope):
        files, summary = finish_run(p3, target, scope, kind, config.report_dir or None)
    context.log.info(f"rapport: {files.xlsx} — {summary.get('verdict', 'sans verdict')}")
    for warning in summary.get("warnings", []):
        context.log.warning(warning)
    if "criteria" in summary:
        checks = [
            AssetCheckResult(
                check_name=f"critere_{code}",
                passed=bool(summary["criteria"][code]["met"]),
                severity=AssetCheckSeverity.WARN,
                metadata={
                    k: MetadataValue.text(str(v)) for k, v in summary["criteria"][code].items()
                },
            )
            for code, _ in CRITERIA
        ]
    else:  # a check must answer: this kind has no GO / NO GO to judge
        checks = [
            AssetCheckResult(
                check_name=f"critere_{code}",
                passed=True,
                metadata={"statut": MetadataValue.text(f"sans objet pour un {kind.name}")},
            )
            for code, _ in CRITERIA
        ]
    return MaterializeResult(
        metadata={
            "rapport": MetadataValue.path(str(files.xlsx)),
            "rejets": sum(summary["rules"].values()),
            "verdict": str(summary.get("verdict", "")),
        },
        check_results=checks,
    )


@asset(
    name="referentiel_national",
    group_name="national_regional",
    kinds={"postgres"},
    description="The national data (TAB_NATIONAL, MIG_NATIONAL): the structure skeleton above"
    " the MLs, the national referential and the P3 → i-milo code mappings of mappings/.",
    check_specs=[_conservation_spec("referentiel_national")],
)
def referentiel_national(
    context: AssetExecutionContext, config: RapportConfig, migration: MigrationDatabases
) -> MaterializeResult:
    from pipeline.shared_data import migrate_national

    with _step(context, migration, "referentiel_national") as (p3, target, scope):
        counts = migrate_national(target, scope.run_id)
        files, _ = finish_run(p3, target, scope, migration.kind, config.report_dir or None)
    return MaterializeResult(
        metadata={**_metadata(counts), "rapport": MetadataValue.path(str(files.xlsx))},
        check_results=[_conservation(counts, "referentiel_national")],
    )


@asset(
    name="referentiel_regional",
    partitions_def=REGION_PARTITIONS,
    group_name="national_regional",
    kinds={"postgres"},
    description="A region's shared data (TAB_REGIONAL, MIG_REGIONAL), from the extracts of its"
    " MLs: regional references and dispositifs. MIG_REGIONAL locks the region.",
    check_specs=[_conservation_spec("referentiel_regional")],
)
def referentiel_regional(
    context: AssetExecutionContext, config: RapportConfig, migration: MigrationDatabases
) -> MaterializeResult:
    from pipeline.shared_data import migrate_regional, region_mls

    with _step(context, migration, "referentiel_regional") as (p3, target, scope):
        mls = region_mls(p3, scope.ml)
        counts = migrate_regional(p3, target, scope.run_id, scope.ml, mls)
        files, _ = finish_run(p3, target, scope, migration.kind, config.report_dir or None)
    context.log.info(f"région {scope.ml}: ML {', '.join(mls)}")
    return MaterializeResult(
        metadata={**_metadata(counts), "rapport": MetadataValue.path(str(files.xlsx))},
        check_results=[_conservation(counts, "referentiel_regional")],
    )


class PrecheckConfig(Config):
    extract_dir: str  # the extract folder: manifest.json and the CSV files
    ml: str = ""  # empty: every ML of the extract's manifest
    report_dir: str = ""  # empty: IMILO_REPORT_DIR, else var/reports


@op(
    description="Every reject rule on an extract's files, cascade included, without migrating:"
    " the same report files as a run, no i-milo database touched."
)
def precheck_extract(context: OpExecutionContext, config: PrecheckConfig) -> None:
    from pipeline.precheck import precheck_with_rlm_inputs
    from pipeline.report_run import report_dir

    folder, out = Path(config.extract_dir), report_dir(config.report_dir or None)
    for summary in precheck_with_rlm_inputs(folder, out, config.ml or None):
        lines = sum(summary["rules"].values())
        context.log.info(f"pré-contrôle {summary['ml']}: {lines} lignes, {summary['report_path']}")


@job(description="Pre-check: the rules of a blank run on an extract, before loading it.")
def precheck() -> None:
    precheck_extract()


ML_ASSETS = [*_ml_assets(), rapport]
ALL_ASSETS = [*ML_ASSETS, referentiel_national, referentiel_regional]


def _kind_job(kind: RunKind) -> Any:
    return define_asset_job(
        kind.job_name,
        selection=list(asset_plan(kind)),
        description=f"{kind.name}: {kind.description} Writes to {kind.environment.value}.",
        config={"resources": {"migration": {"config": {"run_kind": kind.name}}}},
        tags={"run_kind": kind.name},
    )


KIND_JOBS = [_kind_job(kind) for kind in RUN_KINDS.values()]

defs = Definitions(
    assets=ALL_ASSETS,
    jobs=[*KIND_JOBS, precheck, *cutover.JOBS],
    schedules=cutover.SCHEDULES,
    resources={"migration": MigrationDatabases.configure_at_launch()},
)
