"""The ``imilo-migrate`` command line."""

from __future__ import annotations

import argparse
import logging
import os
import signal
import sys
from pathlib import Path
from zoneinfo import ZoneInfo

from pipeline.settings import REPO_ROOT, VAR_DIR, ConfigurationError, check_ml_code, masked

PARIS = ZoneInfo("Europe/Paris")

log = logging.getLogger("imilo_migrate")
VERBOSE = False


def _dagster_environment() -> None:
    """Point Dagster at this repo's instance (dagster.yaml) with its storage under var/."""
    os.environ.setdefault("DAGSTER_HOME", str(REPO_ROOT))
    os.environ.setdefault("IMILO_DAGSTER_STORAGE", str(VAR_DIR / "dagster"))


def cmd_generate(args: argparse.Namespace) -> int:
    from pipeline.fixtures.generator import generate

    _check_generation(args)
    result = generate(
        Path(args.out),
        args.ml,
        args.dossiers,
        args.seed,
        rate=0.0 if args.clean else args.rate,
        plateforme=args.plateforme,
    )
    rows = sum(result["files"].values())
    print(f"extrait P3 écrit dans {args.out}: {rows} lignes, {result['expected']} rejets attendus")
    return 0


def _check_generation(args: argparse.Namespace) -> None:
    """Refuse bad generator arguments with a message, before writing anything."""
    check_ml_code(args.ml)
    if args.dossiers < 0:
        raise ConfigurationError(f"--dossiers must be 0 or more, got {args.dossiers}")
    rate = getattr(args, "rate", 0.0)
    if not 0.0 <= rate <= 1.0:
        raise ConfigurationError(f"--rate is a fraction between 0 and 1, got {rate}")
    out = getattr(args, "out", None)
    if out and Path(out).exists() and not Path(out).is_dir():
        raise ConfigurationError(f"--out {out}: exists and is not a folder")


def cmd_load(args: argparse.Namespace) -> int:
    from pipeline import db
    from pipeline.extract import load_extract

    result = load_extract(Path(args.folder), db.upgrade_p3())
    _register_partitions(result.manifest.structures)
    total = sum(result.rows.values())
    print(
        f"extrait {result.extract_id} chargé: {total} lignes, {len(result.rows)} tables, "
        f"ML {', '.join(result.manifest.structures)}"
    )
    return 0


def _register_partitions(codes: tuple[str, ...] | list[str], partitions=None) -> None:
    _dagster_environment()
    from dagster import DagsterInstance

    from pipeline.definitions import ML_PARTITIONS

    name = (partitions or ML_PARTITIONS).name
    assert name is not None
    with DagsterInstance.get() as instance:
        known = set(instance.get_dynamic_partitions(name))
        new = [c for c in codes if c not in known]
        if new:
            instance.add_dynamic_partitions(name, new)


def run_kind(kind_name: str, scope: str | None, report_dir: str | None, keep: bool = False) -> dict:
    """Run one run kind in-process for an ML, a region or the nation; returns its summary.

    Refusals come before anything runs: a clear message, no Dagster run, nothing written but
    the refused run's own record in the migration schema."""
    _dagster_environment()
    import json

    import psycopg
    from dagster import DagsterInstance

    from pipeline import db, preconditions
    from pipeline.definitions import ML_PARTITIONS, REGION_PARTITIONS, defs
    from pipeline.kinds import run_kind as kind_of
    from pipeline.report_run import report_dir as resolve_report_dir
    from pipeline.resources import MigrationDatabases, check_environment, libpq_url
    from pipeline.runs import RunRefused, clear_to_run

    kind = kind_of(kind_name)
    scope = _scope_of(kind.scope, scope)
    if keep and kind.name != "MAB":
        raise ConfigurationError("--keep is for a MAB only: it keeps the rehearsal's data")
    resource = MigrationDatabases(run_kind=kind.name, keep=keep)
    target_url = resource.target_url()  # a blank run aimed at production is refused here
    _check_writable(resolve_report_dir(report_dir))
    db.upgrade_p3()
    for url in {db.urls().validation, db.urls().production, target_url}:
        db.upgrade("imilo", url)
    with psycopg.connect(libpq_url(target_url)) as target:
        check_environment(target, kind.environment, target_url)

        def check() -> preconditions.Cleared:
            with preconditions.campaign(*resource.campaign_urls()) as state:
                return preconditions.check(kind, scope, state)

        clear_to_run(target, kind, scope, check)  # the run's first step asks again
    if kind.scope != "NATION":
        _register_partitions([scope], ML_PARTITIONS if kind.scope == "ML" else REGION_PARTITIONS)
    job = defs.resolve_job_def(kind.job_name)
    # Failures are told once, by this command, in one line; -v shows Dagster's own log.
    level = "INFO" if VERBOSE else "CRITICAL"
    first = job.asset_layer.selected_asset_keys
    run_config = {
        "ops": {
            key.to_python_identifier(): {"config": {"report_dir": report_dir or ""}}
            for key in first
            if key.to_user_string() in ("rapport", "referentiel_national", "referentiel_regional")
        },
        "resources": {"migration": {"config": {"run_kind": kind.name, "keep": keep}}},
        "loggers": {"console": {"config": {"log_level": level}}},
    }
    with DagsterInstance.get() as instance:
        result = job.execute_in_process(
            partition_key=None if kind.scope == "NATION" else scope,
            instance=instance,
            run_config=run_config,
            raise_on_error=False,
        )
    if not result.success:
        cause, reason = _failure_reason(result)
        if cause == "RunRefused":  # refused by the run itself (another run of the ML won)
            raise RunRefused(reason.split(": ", 1)[-1])
        raise RuntimeError(f"{kind.name} {scope} a échoué: {reason}")
    with psycopg.connect(libpq_url(target_url)) as conn:
        run_id, path = conn.execute(
            "SELECT id, report_path FROM migration.run WHERE dagster_run_id = %s",
            (result.run_id,),
        ).fetchone()  # type: ignore[misc]
    summary = json.loads(Path(path).with_suffix(".json").read_text(encoding="utf-8"))
    summary["report_path"] = path
    summary["run_id"] = run_id  # the number `compare` takes (not in the JSON file)
    return summary


def _scope_of(scope_kind: str, given: str | None) -> str:
    """The scope a run kind needs: an ML code, a region, or none (the nation)."""
    if scope_kind == "NATION":
        if given:
            raise ConfigurationError("a national run takes neither --ml nor --region")
        return "NATIONAL"
    if not given or not given.strip():
        raise ConfigurationError(
            "this run kind needs " + ("--ml CODE" if scope_kind == "ML" else "--region NAME")
        )
    return check_ml_code(given) if scope_kind == "ML" else given.strip()


def prerequisites(ml: str, report_dir: str | None, say=lambda text: None) -> None:
    """Run what a local run of the ML needs first, skipping what is done: MIG_NATIONAL and
    its region's MIG_REGIONAL (once each, in PRODUCTION), then TAB1 and MIG_REF of the ML on
    its latest extract (MIG_REF freezes that extract's references; it may run again until
    the ML's MIG)."""
    import psycopg

    from pipeline import db
    from pipeline.preconditions import MIGRATED, last_finished, ml_region
    from pipeline.resources import libpq_url

    db.upgrade_p3()
    db.upgrade("imilo", db.urls().production)
    with psycopg.connect(libpq_url(db.urls().p3)) as p3:
        region = ml_region(p3, ml)
    with psycopg.connect(libpq_url(db.urls().production)) as production:
        national = last_finished(production, "run_kind = 'MIG_NATIONAL'", "NATIONAL")
        regional = region and last_finished(production, "run_kind = 'MIG_REGIONAL'", region)
        migrated = last_finished(production, MIGRATED, ml)
    if not national:
        say("MIG_NATIONAL: les données nationales en production")
        run_kind("MIG_NATIONAL", None, report_dir)
    if region and not regional:
        say(f"MIG_REGIONAL: les données de la région {region} en production")
        run_kind("MIG_REGIONAL", region, report_dir)
    if not migrated:
        say(f"TAB1 puis MIG_REF de la ML {ml}: références et utilisateurs en production")
        run_kind("TAB1", ml, report_dir)
        run_kind("MIG_REF", ml, report_dir)


def _check_writable(folder: Path) -> None:
    """The report folder is checked before a run, not found unusable at its end."""
    try:
        folder.mkdir(parents=True, exist_ok=True)
        probe = folder / ".imilo-write-test"
        probe.write_bytes(b"")
        probe.unlink()
    except OSError as error:
        raise ConfigurationError(
            f"report folder {folder}: not writable ({error.strerror})"
        ) from None


def _failure_reason(result) -> tuple[str, str]:
    """The root cause of a failed in-process run: its class name and one line."""
    for event in result.all_events:
        error = getattr(event.event_specific_data, "error", None) if event.is_failure else None
        if error is not None:
            while error.cause is not None:
                error = error.cause
            return error.cls_name or "", f"{event.step_key}: {error.message.strip()}"
    return "", "voir le journal Dagster"


def _print_counts(summary: dict) -> None:
    print(
        f"{'type d objet':<26}{'lus':>9}{'migrés':>9}{'rejetés':>9}{'avec err.':>10}"
        f"{'hors pér.':>10}"
    )
    for table, c in summary["objects"].items():
        print(
            f"{table:<26}{c['read']:>9}{c['migrated']:>9}{c['rejected']:>9}"
            f"{c['migrated_with_errors']:>10}{c['out_of_scope']:>10}"
        )
    print(f"lignes du rapport par règle (bloquantes et non bloquantes): {summary['rules']}")
    if "run_id" in summary:
        print(f"migration n° {summary['run_id']} ({summary['environment']})")
    if "verdict" in summary:
        failing = [c["label"] for c in summary["criteria"].values() if not c["met"]]
        print(f"verdict: {summary['verdict']}" + (f" ({'; '.join(failing)})" if failing else ""))
    print(f"rapport: {summary['report_path']}")


def cmd_run(args: argparse.Namespace) -> int:
    if args.ml and args.region:
        raise ConfigurationError("give --ml or --region, not both")
    summary = run_kind(args.kind, args.ml or args.region, args.report_dir, args.keep)
    _print_counts(summary)
    for warning in summary.get("warnings", []):
        print(f"avertissement: {warning}")
    return 0


def cmd_demo(args: argparse.Namespace) -> int:
    import shutil

    from pipeline import db
    from pipeline.extract import load_extract
    from pipeline.fixtures.generator import generate

    _check_generation(args)
    extract = VAR_DIR / "demo" / "extract"
    reports = VAR_DIR / "demo" / "reports"
    shutil.rmtree(extract, ignore_errors=True)
    print(f"1/4 génération d'un extrait P3 de {args.dossiers} dossiers pour {args.ml}: {extract}")
    generate(extract, args.ml, args.dossiers, args.seed)
    print("2/4 chargement dans la base p3")
    loaded = load_extract(extract, db.upgrade_p3())
    print(f"    {sum(loaded.rows.values())} lignes chargées")
    accounts = extract / "comptes_imilo.csv"
    if accounts.exists():
        from pipeline.inputs import load_imilo_accounts

        n = load_imilo_accounts(db.upgrade_p3(), args.ml, accounts)
        print(f"    {n} comptes i-milo chargés (comptes_imilo.csv)")
    print("3/4 ce qu'un TAB2 demande d'abord (section 3 du cadrage), s'il n'est pas fait")
    prerequisites(args.ml, str(reports), lambda text: print(f"    {text}"))
    print("4/4 tir à blanc TAB2 dans VALIDATION")
    summary = run_kind("TAB2", args.ml, str(reports))
    _print_counts(summary)
    missing, unexpected = compare_with_expected(extract, Path(summary["report_path"]))
    print(
        f"rejets attendus (expected.json) non produits: {missing}, produits non attendus: "
        f"{unexpected}"
    )
    return 0 if missing == unexpected == 0 else 1


def compare_with_expected(extract: Path, report: Path) -> tuple[int, int]:
    """How far a run's rejects are from the generator's expected.json: (missing, unexpected)."""
    import csv
    import json

    expected = json.loads((extract / "expected.json").read_text(encoding="utf-8"))
    wanted = {
        (e["rule"], e["object_type"], e["id_p3"], e["field"], e["blocking"]) for e in expected
    }
    with open(report.with_suffix(".rejets.csv"), encoding="utf-8", newline="") as handle:
        got = {
            (r["regle"], r["Type d'objet"], r["Identifiant P3"], r["Champ"], r["Bloquant"] == "Oui")
            for r in csv.DictReader(handle, delimiter=";")
        }
    return len(wanted - got), len(got - wanted)


def cmd_users_load(args: argparse.Namespace) -> int:
    from pipeline import db
    from pipeline.inputs import load_imilo_accounts

    n = load_imilo_accounts(db.upgrade_p3(), check_ml_code(args.ml), Path(args.file))
    print(f"{n} comptes i-milo chargés pour la ML {args.ml}")
    return 0


def cmd_freeze(args: argparse.Namespace) -> int:
    from pipeline import db
    from pipeline.inputs import freeze_references

    n = freeze_references(db.upgrade_p3(), check_ml_code(args.ml))
    print(f"{n} références locales gelées pour la ML {args.ml}")
    return 0


def cmd_precheck(args: argparse.Namespace) -> int:
    from pipeline.precheck import precheck_with_rlm_inputs
    from pipeline.report_run import report_dir

    ml = check_ml_code(args.ml) if args.ml else None
    folder = report_dir(args.report_dir)
    _check_writable(folder)
    for summary in precheck_with_rlm_inputs(Path(args.folder), folder, ml):
        _print_counts(summary)
    return 0


def cmd_declare(args: argparse.Namespace) -> int:
    import psycopg

    from pipeline import db
    from pipeline.indicators import declare
    from pipeline.resources import libpq_url
    from pipeline.settings import Environment

    check_ml_code(args.ml)
    certificate = Path(args.rgs_certificate) if args.rgs_certificate else None
    if certificate is not None and not certificate.is_file():
        raise ConfigurationError(f"--rgs-certificate {certificate}: no such file")
    if certificate is None and not args.contractualisation:
        raise ConfigurationError(
            "say what to declare: --rgs-certificate FILE, --contractualisation"
        )
    # Blank runs judge the GO in VALIDATION, the cutover in PRODUCTION: both hold it.
    for environment in (Environment.VALIDATION, Environment.PRODUCTION):
        url = db.urls().for_environment(environment)
        db.upgrade("imilo", url)
        with psycopg.connect(libpq_url(url)) as conn:
            declare(conn, args.ml, certificate, args.contractualisation)
    what = [
        w
        for w, given in (
            ("certificat RGS " + (certificate.name if certificate else ""), certificate),
            ("contractualisation", args.contractualisation),
        )
        if given
    ]
    print(f"ML {args.ml}: déclaré {', '.join(what)}")
    return 0


def _target(environment: str):
    import psycopg

    from pipeline import db
    from pipeline.resources import libpq_url
    from pipeline.settings import Environment

    url = db.urls().for_environment(Environment(environment))
    db.upgrade("imilo", url)
    return psycopg.connect(libpq_url(url))


def cmd_compare(args: argparse.Namespace) -> int:
    from pipeline.evolution import compare
    from pipeline.regional import write_comparison
    from pipeline.report_run import report_dir

    with _target(args.environment) as target:
        known = dict(
            target.execute(
                "SELECT id, ml FROM migration.run WHERE id = ANY(%s)", ([args.a, args.b],)
            ).fetchall()
        )
        missing = [str(r) for r in (args.a, args.b) if r not in known]
        if missing:
            raise ConfigurationError(f"no run {', '.join(missing)} in {args.environment}")
        if known[args.a] != known[args.b]:
            raise ConfigurationError(
                f"run {args.a} is of ML {known[args.a]} and run {args.b} of ML {known[args.b]}:"
                " the progress of an ML compares two runs of that ML"
            )
        evolution = compare(target, args.a, args.b)
    path = write_comparison(report_dir(args.report_dir), evolution)
    print(
        f"runs {args.a} → {args.b}: {len(evolution.resolved)} rejets résolus, "
        f"{len(evolution.new)} nouveaux; {path}"
    )
    return 0


def cmd_region(args: argparse.Namespace) -> int:
    from pipeline.regional import write_region_report
    from pipeline.report_run import report_dir

    with _target(args.environment) as target:
        path, rows = write_region_report(report_dir(args.report_dir), target, args.region)
    if not rows:
        raise ConfigurationError(
            f"no finished run of an ML of region {args.region!r} in {args.environment}"
        )
    for ml in rows:
        print(
            f"{ml['ml']}  {ml['run_kind']:<6} {ml['verdict']:<6} rejets bloquants "
            f"{ml['rejets_bloquants']:>6}  tendance {ml['tendance']}"
        )
    print(f"vue régionale: {path}")
    return 0


def cmd_ecole_reset(args: argparse.Namespace) -> int:
    from pipeline.ecole import reset

    _check_generation(args)
    migrated = reset(args.ml, args.dossiers, args.seed, args.rate)
    print(
        f"ECOLE remise à zéro: {sum(migrated.values())} objets fictifs de la ML {args.ml}"
        f" ({migrated.get('dossier', 0)} dossiers)"
    )
    return 0


def cmd_lock(args: argparse.Namespace) -> int:
    import psycopg

    from pipeline import db, lock
    from pipeline.resources import libpq_url

    url = db.urls().production
    db.upgrade("imilo", url)
    with psycopg.connect(libpq_url(url)) as conn:
        if args.action:
            allowed = lock.allowed(conn, args.region, args.action)
            print(f"{args.action} pour {args.region}: {'autorisé' if allowed else 'refusé'}")
            return 0 if allowed else 3
        row = conn.execute(
            "SELECT pose_le, leve_le FROM migration.verrou_regional"
            " WHERE lower(btrim(region)) = lower(btrim(%s))",
            (args.region,),
        ).fetchone()
    if row is None:
        print(f"{args.region}: pas de verrou (MIG_REGIONAL pas encore passée)")
    elif row[1] is None:
        print(f"{args.region}: verrouillée depuis le {row[0].astimezone(PARIS):%d/%m/%Y %H:%M}")
    else:
        print(f"{args.region}: verrou levé le {row[1].astimezone(PARIS):%d/%m/%Y %H:%M}")
    return 0


def cmd_waves_load(args: argparse.Namespace) -> int:
    from pipeline import db
    from pipeline.cutover import load_plan

    n = load_plan(db.upgrade_p3(), Path(args.file))
    print(f"plan des vagues: {n} lignes chargées ({args.file})")
    return 0


def cmd_p3_close(args: argparse.Namespace) -> int:
    import getpass

    import psycopg

    from pipeline import db
    from pipeline.cutover import close_p3, p3_closed
    from pipeline.resources import libpq_url

    ml = check_ml_code(args.ml)
    db.upgrade_p3()
    with psycopg.connect(libpq_url(db.urls().p3)) as p3:
        before = p3_closed(p3, ml)
        closed = close_p3(p3, ml, f"imilo-migrate p3 close ({getpass.getuser()})")
    when = f"{closed.astimezone(PARIS):%d/%m/%Y %H:%M:%S} (heure de Paris)"
    print(f"P3 {'déjà fermé' if before else 'fermé'} pour la ML {ml} depuis le {when}")
    return 0


def cmd_deliver(args: argparse.Namespace) -> int:
    from pipeline.cutover import deliver, parse_date

    date_mep = parse_date(args.mep)
    if date_mep is None:
        raise ConfigurationError(f"--mep {args.mep!r}: not a date (JJ/MM/AAAA or AAAA-MM-JJ)")
    folder = deliver(args.wave, date_mep, args.report_dir)
    print(f"rapports de la vague {args.wave} (MEP {date_mep:%d/%m/%Y}) livrés dans {folder}")
    return 0


def cmd_db(args: argparse.Namespace) -> int:
    from pipeline import db
    from pipeline.settings import Environment

    urls = db.urls()
    if args.action == "urls":
        for name in ("p3", "ecole", "validation", "production"):
            print(f"{name:<11} {masked(getattr(urls, name))}")
        return 0
    import psycopg

    from pipeline.resources import check_environment, libpq_url

    db.upgrade("p3", urls.p3)
    for environment in Environment:
        url = urls.for_environment(environment)
        db.upgrade("imilo", url)
        with psycopg.connect(libpq_url(url)) as conn:
            check_environment(conn, environment, url)
    print("les quatre bases sont à jour (alembic head)")
    return 0


def build_parser() -> argparse.ArgumentParser:
    formatter = argparse.ArgumentDefaultsHelpFormatter
    parser = argparse.ArgumentParser(
        prog="imilo-migrate",
        description="Rejoue la migration Parcours 3 → i-milo des Missions Locales.",
        formatter_class=formatter,
    )
    parser.add_argument("-v", "--verbose", action="store_true", help="journal détaillé")
    sub = parser.add_subparsers(dest="command", required=True)

    def command(parent, name: str, text: str) -> argparse.ArgumentParser:
        return parent.add_parser(name, help=text, description=text, formatter_class=formatter)

    fixtures = command(sub, "fixtures", "extraits P3 synthétiques")
    fsub = fixtures.add_subparsers(dest="fixtures_command", required=True)
    gen = command(fsub, "generate", "écrire un extrait P3 au format de la section 9")
    gen.add_argument("--out", required=True, help="dossier de sortie")
    gen.add_argument("--ml", required=True, help="code structure de la ML (ex. 65440S00)")
    gen.add_argument("--dossiers", type=int, default=2000, help="nombre de dossiers")
    gen.add_argument("--seed", type=int, default=1, help="graine: même graine, mêmes octets")
    gen.add_argument("--rate", type=float, default=0.01, help="taux de défauts injectés")
    gen.add_argument("--clean", action="store_true", help="aucun défaut (taux 0)")
    gen.add_argument("--plateforme", type=int, default=7, help="numéro de plateforme P3")
    gen.set_defaults(func=cmd_generate)

    extract = command(sub, "extract", "extraits P3")
    esub = extract.add_subparsers(dest="extract_command", required=True)
    load = command(esub, "load", "charger un extrait dans la base p3")
    load.add_argument("folder", help="dossier de l'extrait (manifest.json + CSV)")
    load.set_defaults(func=cmd_load)

    users = command(sub, "users", "comptes i-milo fournis par le RLM")
    usub = users.add_subparsers(dest="users_command", required=True)
    uload = command(usub, "load", "charger la liste des comptes i-milo d'une ML")
    uload.add_argument("file", help="CSV ; UTF-8: login_imilo;login_p3;nom;prenom")
    uload.add_argument("--ml", required=True, help="code structure de la ML")
    uload.set_defaults(func=cmd_users_load)

    refs = command(sub, "references", "tables de référence locales")
    rsub = refs.add_subparsers(dest="references_command", required=True)
    freeze = command(rsub, "freeze", "geler les références de la ML (ce que prend MIG_REF)")
    freeze.add_argument("--ml", required=True, help="code structure de la ML")
    freeze.set_defaults(func=cmd_freeze)

    pre = command(sub, "precheck", "appliquer toutes les règles à un extrait, sans migrer")
    pre.add_argument("folder", help="dossier de l'extrait")
    pre.add_argument("--ml", help="une seule ML de l'extrait (défaut: toutes)")
    pre.add_argument("--report-dir", help="dossier des rapports (défaut var/reports)")
    pre.set_defaults(func=cmd_precheck)

    from pipeline.kinds import RUN_KINDS

    run = command(sub, "run", "lancer une migration: nationale, régionale ou d'une ML")
    run.add_argument("kind", choices=list(RUN_KINDS), help="type de migration")
    run.add_argument("--ml", help="code structure de la ML (migrations locales)")
    run.add_argument("--region", help="la région (TAB_REGIONAL, MIG_REGIONAL)")
    run.add_argument("--keep", action="store_true", help="MAB: garder ses données en production")
    run.add_argument("--report-dir", help="dossier des rapports (défaut var/reports)")
    run.set_defaults(func=cmd_run)

    demo = command(sub, "demo", "générer, charger et migrer une ML de démonstration")
    demo.add_argument("--ml", default="65440S00", help="code structure de la ML")
    demo.add_argument("--dossiers", type=int, default=2000, help="nombre de dossiers")
    demo.add_argument("--seed", type=int, default=1, help="graine du générateur")
    demo.set_defaults(func=cmd_demo)

    mlp = command(sub, "ml", "déclarations d'une ML avant sa migration")
    msub = mlp.add_subparsers(dest="ml_command", required=True)
    dec = command(msub, "declare", "déclarer le certificat RGS installé, la contractualisation")
    dec.add_argument("--ml", required=True, help="code structure de la ML")
    dec.add_argument("--rgs-certificate", metavar="FILE", help="le certificat RGS installé")
    dec.add_argument(
        "--contractualisation", action="store_true", help="la contractualisation est saisie"
    )
    dec.set_defaults(func=cmd_declare)

    cmp = command(sub, "compare", "l'évolution entre deux migrations (numéros de run)")
    cmp.add_argument("a", type=int, help="la migration de référence")
    cmp.add_argument("b", type=int, help="la migration comparée")
    cmp.add_argument("--environment", default="VALIDATION", choices=["VALIDATION", "PRODUCTION"])
    cmp.add_argument("--report-dir", help="dossier du classeur (défaut var/reports)")
    cmp.set_defaults(func=cmd_compare)

    reg = command(sub, "region-report", "la vue régionale de l'ATR: chaque ML de la région")
    reg.add_argument("--region", required=True, help="la région, telle que P3 la nomme")
    reg.add_argument("--environment", default="VALIDATION", choices=["VALIDATION", "PRODUCTION"])
    reg.add_argument("--report-dir", help="dossier du classeur (défaut var/reports)")
    reg.set_defaults(func=cmd_region)

    dbp = command(sub, "db", "bases de données")
    dsub = dbp.add_subparsers(dest="action", required=True)
    up = command(dsub, "upgrade", "mettre les quatre bases à jour (alembic head)")
    up.set_defaults(func=cmd_db)
    urls = command(dsub, "urls", "afficher les URL des bases (mots de passe masqués)")
    urls.set_defaults(func=cmd_db)

    ecole = command(sub, "ecole", "l'environnement de formation")
    esub2 = ecole.add_subparsers(dest="ecole_command", required=True)
    reset = command(esub2, "reset", "vider ECOLE et le remplir d'un extrait généré")
    reset.add_argument("--ml", default="65440S00", help="code structure de la ML fictive")
    reset.add_argument("--dossiers", type=int, default=300, help="nombre de dossiers")
    reset.add_argument("--seed", type=int, default=1, help="graine du générateur")
    reset.add_argument("--rate", type=float, default=0.0, help="taux de défauts injectés")
    reset.set_defaults(func=cmd_ecole_reset)

    region = command(sub, "region", "le verrou régional (dans la base PRODUCTION)")
    rsub2 = region.add_subparsers(dest="region_command", required=True)
    lk = command(rsub2, "lock", "état du verrou d'une région, ou si une action est permise")
    lk.add_argument("--region", required=True, help="la région")
    lk.add_argument("--action", help="ex. supprimer_offre: code de sortie 0 permis, 3 refusé")
    lk.set_defaults(func=cmd_lock)

    waves = command(sub, "waves", "le plan des vagues: ML, région, vague, date de MEP")
    wsub = waves.add_subparsers(dest="waves_command", required=True)
    wload = command(wsub, "load", "charger un plan des vagues (les autres ML sont gardées)")
    wload.add_argument(
        "file", help="CSV ; UTF-8: ml;region;vague;date_mep[;arret_flux_asp;dossier_extrait]"
    )
    wload.set_defaults(func=cmd_waves_load)

    p3 = command(sub, "p3", "Parcours 3 pendant la bascule")
    psub = p3.add_subparsers(dest="p3_command", required=True)
    close = command(psub, "close", "fermer P3 pour une ML (lecture seule dès maintenant)")
    close.add_argument("--ml", required=True, help="code structure de la ML")
    close.set_defaults(func=cmd_p3_close)

    dlv = command(sub, "deliver", "livrer les rapports de migration d'une vague (lundi 10:00)")
    dlv.add_argument("--wave", type=int, required=True, help="numéro de la vague")
    dlv.add_argument("--mep", required=True, help="date de MEP (JJ/MM/AAAA ou AAAA-MM-JJ)")
    dlv.add_argument("--report-dir", help="dossier des rapports (défaut var/reports)")
    dlv.set_defaults(func=cmd_deliver)
    return parser


def main(argv: list[str] | None = None) -> int:
    global VERBOSE
    args = build_parser().parse_args(argv)
    VERBOSE = args.verbose
    logging.basicConfig(
        level=logging.INFO if args.verbose else logging.WARNING,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    import psycopg
    import sqlalchemy.exc

    from pipeline.extract import ExtractError
    from pipeline.runs import RunRefused

    # A stop (kill, systemd, a container) cleans up as Ctrl-C does: no half report is left.
    signal.signal(signal.SIGTERM, _interrupted)
    try:
        return int(args.func(args))
    except (ExtractError, RunRefused, ConfigurationError) as error:
        print(f"imilo-migrate: {error}", file=sys.stderr)
        return 2
    except (psycopg.OperationalError, sqlalchemy.exc.OperationalError) as error:
        reason = str(getattr(error, "orig", None) or error).strip().splitlines()[0]
        print(f"imilo-migrate: cannot reach a database: {reason}", file=sys.stderr)
        return 2
    except RuntimeError as error:
        print(f"imilo-migrate: {error}", file=sys.stderr)
        return 1


def _interrupted(signum: int, frame: object) -> None:
    raise KeyboardInterrupt(f"signal {signum}")


if __name__ == "__main__":
    sys.exit(main())
