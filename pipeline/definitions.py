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

from pipeline import runs
from pipeline.engine import Counts, P3Source, RunScope, TargetSink, migrate_family
from pipeline.families import FAMILIES, Family
from pipeline.indicators import CRITERIA
from pipeline.report_run import write_run_report
from pipeline.resources import MigrationDatabases, libpq_url

ML_PARTITIONS = DynamicPartitionsDefinition(name="ml")
GROUP = "migration"


def _metadata(counts: dict[str, Counts]) -> dict[str, Any]:
    total = Counts()
    for c in counts.values():
        for key, value in c.as_dict().items():
            setattr(total, key, getattr(total, key) + value)
    metadata: dict[str, Any] = {key: value for key, value in total.as_dict().items()}
    metadata["par_type"] = MetadataValue.json({t: c.as_dict() for t, c in counts.items()})
    return metadata


def _family_asset(family: Family, previous: str | None) -> AssetsDefinition:
    opens_run = previous is None
    description = f"{family.grain.capitalize()}, for the ML of the partition."
    if opens_run:
        description += (
            " Opens the migration run: a blank run first wipes the ML's data from VALIDATION."
        )

    @asset(
        name=family.key,
        partitions_def=ML_PARTITIONS,
        deps=[previous] if previous else [],
        group_name=GROUP,
        description=description,
        kinds={"postgres"},
        check_specs=[
            AssetCheckSpec(
                "conservation",
                asset=family.key,
                blocking=True,
                description="Every P3 row of the family is migrated, rejected or out of scope.",
            )
        ],
    )
    def _migrate(
        context: AssetExecutionContext,
        migration: MigrationDatabases,
    ) -> MaterializeResult:
        ml = context.partition_key
        with migration.connections() as (p3, target):
            if opens_run:
                scope = runs.open_run(
                    p3,
                    target,
                    run_kind=migration.run_kind,
                    ml=ml,
                    environment=migration.environment,
                    dagster_run_id=context.run.run_id,
                )
                target.commit()  # the run holds its ML before its first family is written
            else:
                scope = runs.find_run(target, context.run.run_id)
                runs.check_extract(p3, scope)
            with _closed_on_failure(p3, target, scope, migration):
                counts = migrate_family(
                    P3Source(p3, scope.extract_id), TargetSink(target), scope, family.key
                )
        for table, c in counts.items():
            context.log.info(
                f"{table}: lus {c.read}, migrés {c.migrated}, rejetés {c.rejected}, "
                f"avec erreurs {c.migrated_with_errors}, hors périmètre {c.out_of_scope}"
            )
        unbalanced = {
            t: c.as_dict()
            for t, c in counts.items()
            if c.read != c.migrated + c.rejected + c.out_of_scope
        }
        check = AssetCheckResult(
            check_name="conservation",
            passed=not unbalanced,
            metadata={"non_equilibres": MetadataValue.json(unbalanced)},
        )
        return MaterializeResult(metadata=_metadata(counts), check_results=[check])

    return _migrate


@contextmanager
def _closed_on_failure(
    p3: psycopg.Connection,
    target: psycopg.Connection,
    scope: RunScope,
    migration: MigrationDatabases,
) -> Iterator[None]:
    """While a step works, the run shows signs of life; if the step fails, the step's writes
    are rolled back and the run is closed as ECHEC (and its extract released)."""
    try:
        with runs.heartbeat(libpq_url(migration.target_url()), scope.run_id):
            yield
    except BaseException:
        target.rollback()
        p3.rollback()
        runs.close_run(target, scope.run_id, "ECHEC", None, p3)
        target.commit()
        p3.commit()
        raise


def _family_assets() -> list[AssetsDefinition]:
    assets, previous = [], None
    for family in FAMILIES:
        assets.append(_family_asset(family, previous))
        previous = family.key
    return assets


@asset(
    partitions_def=ML_PARTITIONS,
    deps=[FAMILIES[-1].key],
    group_name=GROUP,
    kinds={"postgres"},
    description="One row per ML and month: dossiers actifs, premiers accueils, "
    "propositions and versements, rebuilt from the migrated data.",
)
def decisionnel(
    context: AssetExecutionContext,
    migration: MigrationDatabases,
) -> MaterializeResult:
    with migration.connections() as (p3, target):
        scope = runs.find_run(target, context.run.run_id)
        with _closed_on_failure(p3, target, scope, migration):
            months = runs.build_decisionnel(target, scope.ml)
    context.log.info(f"décisionnel: {months} mois")
    return MaterializeResult(metadata={"mois": months})


class RapportConfig(Config):
    report_dir: str = ""  # empty: IMILO_REPORT_DIR, else var/reports


@asset(
    partitions_def=ML_PARTITIONS,
    deps=["decisionnel"],
    group_name=GROUP,
    kinds={"excel"},
    description="The run's migration report: one workbook (Synthèse and Détail per family, "
    "Total, Croisé, Indicateurs, GO-NO GO), the reject rows as CSV and the JSON summary.",
    check_specs=[
        AssetCheckSpec(f"critere_{code}", asset="rapport", description=label)
        for code, label in CRITERIA
    ],
)
def rapport(
    context: AssetExecutionContext, config: RapportConfig, migration: MigrationDatabases
) -> MaterializeResult:
    with migration.connections() as (p3, target):
        scope = runs.find_run(target, context.run.run_id)
        with _closed_on_failure(p3, target, scope, migration):
            files, summary = write_run_report(target, scope, config.report_dir or None, p3)
    context.log.info(f"rapport: {files.xlsx} — {summary.get('verdict')}")
    checks = [
        AssetCheckResult(
            check_name=f"critere_{code}",
            passed=bool(summary["criteria"][code]["met"]),
            severity=AssetCheckSeverity.WARN,
            metadata={k: MetadataValue.text(str(v)) for k, v in summary["criteria"][code].items()},
        )
        for code, _ in CRITERIA
    ]
    return MaterializeResult(
        metadata={
            "rapport": MetadataValue.path(str(files.xlsx)),
            "rejets": sum(summary["rules"].values()),
            "verdict": str(summary.get("verdict")),
        },
        check_results=checks,
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


ALL_ASSETS = [*_family_assets(), decisionnel, rapport]
tab2_job = define_asset_job(
    "tab2",
    selection=[a.key for a in ALL_ASSETS],
    description="TAB2: blank run of one ML into VALIDATION, every family.",
)

defs = Definitions(
    assets=ALL_ASSETS,
    jobs=[tab2_job, precheck],
    resources={"migration": MigrationDatabases(run_kind="TAB2")},
)
