"""The national and regional runs' data: the structure skeleton and the national referential
from ``mappings/``, a region's shared references and dispositifs from its MLs' extracts.

Every test writes into VALIDATION inside a transaction it rolls back: its run rows, counts and
i-milo rows are gone afterwards. The extracts and the waves plan rows are deleted at the end.
"""

from __future__ import annotations

import csv
import shutil
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest

from pipeline.mappings import MAPPINGS_DIR, code_list
from tests.conftest import connect, write_extract

REGION = "Région des tests partagés"
BREST, RENNES, TOULOUSE, VANNES = "29019S00", "35238S00", "31555S00", "56260S00"


def _file(name: str) -> list[dict[str, str]]:
    with open(MAPPINGS_DIR / name, encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle, delimiter=";"))


def _open_run(target: psycopg.Connection, kind: str, scope: str) -> int:
    row = target.execute(
        "INSERT INTO migration.run (run_kind, scope, environment, started_at, status)"
        " VALUES (%s, %s, 'VALIDATION', now(), 'EN_COURS') RETURNING id",
        (kind, scope),
    ).fetchone()
    assert row is not None
    return row[0]


def _counts(target: psycopg.Connection, run_id: int) -> dict[str, tuple]:
    rows = target.execute(
        "SELECT object_type, family, read, migrated, rejected, migrated_with_errors,"
        " out_of_scope FROM migration.object_count WHERE run_id = %s",
        (run_id,),
    ).fetchall()
    return {r[0]: r[1:] for r in rows}


@pytest.fixture
def rolled_back_validation(upgraded_databases) -> Iterator[psycopg.Connection]:
    """The VALIDATION database in a transaction that is rolled back after the test."""
    with (
        connect(upgraded_databases.validation) as target,
        target.transaction(force_rollback=True),
    ):
        yield target


# ---------------------------------------------------------------------------------- national


def test_the_national_skeleton_is_the_nation_its_regions_and_departements(
    rolled_back_validation,
):
    from pipeline.shared_data import migrate_national

    target = rolled_back_validation
    run_id = _open_run(target, "TAB_NATIONAL", "NATIONAL")
    counts = migrate_national(target, run_id)

    rows = target.execute("SELECT code, niveau, nom, parent FROM imilo.structure_nationale")
    structures = {code: (niveau, nom, parent) for code, niveau, nom, parent in rows}
    by_level: dict[str, set[str]] = {}
    for code, (niveau, _, _) in structures.items():
        by_level.setdefault(niveau, set()).add(code)
    assert {k: len(v) for k, v in by_level.items()} == {
        "NATIONAL": 1,
        "REGIONAL": 18,
        "DEPARTEMENTAL": 101,
    }
    assert structures["FR"] == ("NATIONAL", "Réseau national des Missions Locales", None)
    assert all(structures[r][2] == "FR" for r in by_level["REGIONAL"])
    # every département hangs under a region, and every region has at least one
    assert {structures[d][2] for d in by_level["DEPARTEMENTAL"]} == by_level["REGIONAL"]
    assert structures["R24"] == ("REGIONAL", "Centre-Val de Loire", "FR")
    assert structures["D2A"] == ("DEPARTEMENTAL", "Corse-du-Sud", "R94")
    assert structures["D2B"] == ("DEPARTEMENTAL", "Haute-Corse", "R94")
    assert structures["D90"] == ("DEPARTEMENTAL", "Territoire de Belfort", "R27")
    assert structures["D976"] == ("DEPARTEMENTAL", "Mayotte", "R06")  # 976, not P3's 985
    assert "D20" not in structures  # Corsica is 2A and 2B

    assert counts["structure_nationale"].as_dict() == {
        "read": 120,
        "migrated": 120,
        "rejected": 0,
        "migrated_with_errors": 0,
        "out_of_scope": 0,
    }
    assert _counts(target, run_id)["structure_nationale"] == ("referentiels", 120, 120, 0, 0, 0)


def test_every_mapping_row_is_in_the_national_referential(rolled_back_validation):
    from pipeline.shared_data import migrate_national

    target = rolled_back_validation
    run_id = _open_run(target, "TAB_NATIONAL", "NATIONAL")
    counts = migrate_national(target, run_id)

    rows = target.execute(
        "SELECT source, code, libelle, valeur_imilo FROM imilo.referentiel_national"
    ).fetchall()
    got = {(source, code): (libelle, valeur) for source, code, libelle, valeur in rows}
    expected = {
        ("actes_service", f"{r['theme']} / {r['acte_service']}"): (
            r["acte_service"],
            r["type_offre_imilo"],
        )
        for r in _file("actes_service.csv")
    }
    expected |= {
        ("niveaux_formation", r["niveau_p3"]): (None, r["niveau_imilo"])
        for r in _file("niveaux_formation.csv")
    }
    for source, file, code in (
        ("contrats", "contrats.csv", "code_contrat"),
        ("situations", "situations.csv", "code_situation"),
        ("dispositifs_nationaux", "dispositifs_nationaux.csv", "code"),
        ("reference_tables", "reference_tables.csv", "table_name"),
    ):
        expected |= {(source, r[code]): (r["libelle"], None) for r in _file(file)}
    lists = {
        (r["colonne"] if r["table"] == "*" else f"{r['table']}.{r['colonne']}", r["code"]): (
            r["libelle"],
            None,
        )
        for r in _file("codes.csv")
    }
    assert got == expected | lists
    # a codes.csv source is the name pipeline.mappings.code_list knows the list by
    assert all(code in code_list(source) for source, code in lists)
    assert got[("actes_service", "Accès à l'emploi / MER sur une offre Pôle emploi")] == (
        "MER sur une offre Pôle emploi",
        "Offre d'emploi",
    )
    assert got[("niveaux_formation", "V bis")] == (None, "3")

    read = sum(
        len(_file(f))
        for f in (
            "actes_service.csv",
            "contrats.csv",
            "situations.csv",
            "niveaux_formation.csv",
            "dispositifs_nationaux.csv",
            "reference_tables.csv",
            "codes.csv",
        )
    )
    assert counts["referentiel_national"].read == read == len(got)
    assert _counts(target, run_id)["referentiel_national"] == (
        "referentiels",
        read,
        read,
        0,
        0,
        0,
    )


def test_a_second_national_run_replaces_the_first(rolled_back_validation):
    from pipeline.shared_data import migrate_national

    target = rolled_back_validation

    def snapshot() -> tuple[list, list]:
        return (
            target.execute("SELECT * FROM imilo.structure_nationale ORDER BY code").fetchall(),
            target.execute(
                "SELECT source, code, libelle, valeur_imilo FROM imilo.referentiel_national"
                " ORDER BY source, code"
            ).fetchall(),
        )

    first = migrate_national(target, _open_run(target, "TAB_NATIONAL", "NATIONAL"))
    rows = snapshot()
    second = migrate_national(target, _open_run(target, "TAB_NATIONAL", "NATIONAL"))
    assert snapshot() == rows
    assert first == second


def test_a_duplicate_code_of_a_mapping_file_is_out_of_scope(tmp_path: Path):
    from pipeline.shared_data import read_national

    folder = tmp_path / "mappings"
    shutil.copytree(MAPPINGS_DIR, folder)
    with open(folder / "contrats.csv", "a", encoding="utf-8", newline="") as handle:
        handle.write("CDI;Contrat à durée indéterminée (bis)\n")
    lines = len(_file("contrats.csv")) + 2  # header, then the file's rows, then the copy

    referentiel = read_national(folder)["referentiel_national"]

    [dropped] = referentiel.dropped
    assert (dropped.line_no, dropped.id_p3) == (lines, "CDI")
    assert dropped.reason == "contrats CDI déjà repris de contrats.csv ligne 2"
    counts = referentiel.counts()
    assert counts.read == counts.migrated + counts.out_of_scope
    # the first copy is the one kept
    assert ("contrats", "CDI", "Contrat à durée indéterminée", None) in referentiel.rows


# ---------------------------------------------------------------------------------- regional


def _structure(ml: str, region: str) -> dict[str, str]:
    return {
        "id_structure": "1",
        "code": ml,
        "nom": f"Mission Locale {ml}",
        "type": "ML",
        "region": region,
    }


def _reference(id_: str, table: str, niveau: str, code: str, libelle: str) -> dict[str, str]:
    return {
        "id_reference": id_,
        "table_name": table,
        "niveau": niveau,
        "code": code,
        "libelle": libelle,
        "actif": "O",
        "visible": "O",
    }


def _dispositif(id_: str, niveau: str, code: str, libelle: str) -> dict[str, str]:
    return {
        "id_dispositif": id_,
        "code": code,
        "libelle": libelle,
        "niveau": niveau,
        "type": "Accompagnement",
    }


EXTRACTS = {
    # Brest names the region on its structure row, with its own NATIONAL and LOCAL rows.
    BREST: (
        7,
        _structure(BREST, REGION),
        [
            _reference("11", "BASSIN_EMPLOI", "REGIONAL", "BE01", "Bassin de Brest"),
            _reference("12", "BASSIN_EMPLOI", " regional ", "BE02", "Bassin de Morlaix"),
            _reference("13", "ZONE_TERRITORIALE", "REGIONAL", "ZT1", "Zone Ouest"),
            _reference("14", "CONNAISSANCE", "LOCAL", "CNX1", "Bouche à oreille"),
            _reference("15", "NATIONALITE", "NATIONAL", "FR", "Française"),
        ],
        [
            _dispositif("21", "REGIONAL", "PLIE", "Plan local pour l'insertion et l'emploi"),
            _dispositif("22", "NATIONAL", "GJ", "Garantie Jeunes"),
        ],
    ),
    # Rennes's structure row is silent: the waves plan puts it in the region.
    RENNES: (
        8,
        _structure(RENNES, ""),
        [
            _reference("101", "BASSIN_EMPLOI", "REGIONAL", "BE01", "Bassin de Brest"),
            _reference("102", "BASSIN_EMPLOI", "REGIONAL", "BE02", "Bassin de Morlaix-Landerneau"),
            _reference("103", "BASSIN_EMPLOI", "REGIONAL", "", "Bassin sans code"),
            _reference("104", "ZONE_TERRITORIALE", "REGIONAL", "ZT2", "Zone Est"),
        ],
        [
            _dispositif("201", "REGIONAL", "PLIE", "Plan local pour l'insertion et l'emploi"),
            _dispositif("202", "REGIONAL", "FAJ", ""),
            _dispositif("203", "REGIONAL", "E2C", "École de la deuxième chance"),
        ],
    ),
    # Toulouse is of another region: none of its rows may be taken.
    TOULOUSE: (
        9,
        _structure(TOULOUSE, "Autre région des tests"),
        [_reference("301", "BASSIN_EMPLOI", "REGIONAL", "BE99", "Bassin de Toulouse")],
        [_dispositif("401", "REGIONAL", "PLIE", "PLIE toulousain")],
    ),
}


@pytest.fixture(scope="module")
def region_extracts(upgraded_databases, tmp_path_factory) -> Iterator[dict[str, int]]:
    """The latest extracts of Brest, Rennes (the region's) and Toulouse (another region's),
    and the waves plan naming Rennes in the region, in other case and spacing."""
    from pipeline import db
    from pipeline.extract import load_extract

    loaded: dict[str, int] = {}
    with connect(upgraded_databases.p3) as p3:
        try:
            for ml, (plateforme, structure, references, dispositifs) in EXTRACTS.items():
                folder = write_extract(
                    tmp_path_factory.mktemp(ml),
                    {"structure": [structure], "reference": references, "dispositif": dispositifs},
                    (ml,),
                    plateforme=plateforme,
                )
                loaded[ml] = load_extract(folder, db.p3_engine()).extract_id
            p3.execute(
                "INSERT INTO p3.vague (ml, region, vague, date_mep)"
                " VALUES (%s, %s, 3, '2027-03-01')",
                (RENNES, "  RÉGION des tests  partagés "),
            )
            yield loaded
        finally:
            p3.execute("DELETE FROM p3.vague WHERE ml = ANY(%s)", ([RENNES, VANNES],))
            p3.execute("DELETE FROM p3.extract WHERE id = ANY(%s)", (list(loaded.values()),))


def test_the_mls_of_a_region_come_from_the_waves_plan_and_the_extracts(
    region_extracts, upgraded_databases
):
    from pipeline.shared_data import region_mls

    with connect(upgraded_databases.p3) as p3:
        assert region_mls(p3, REGION) == [BREST, RENNES]
        assert region_mls(p3, "région des tests partagés") == [BREST, RENNES]
        assert region_mls(p3, "Autre région des tests") == [TOULOUSE]


def _regional_run(p3, target, region: str = REGION) -> tuple[int, dict]:
    from pipeline.shared_data import migrate_regional, region_mls

    run_id = _open_run(target, "TAB_REGIONAL", region)
    return run_id, migrate_regional(p3, target, run_id, region, region_mls(p3, region))


EXPECTED_ROWS = [
    ("dispositif", "DISPOSITIF", "E2C", "École de la deuxième chance", RENNES),
    ("dispositif", "DISPOSITIF", "PLIE", "Plan local pour l'insertion et l'emploi", BREST),
    ("reference", "BASSIN_EMPLOI", "BE01", "Bassin de Brest", BREST),
    ("reference", "BASSIN_EMPLOI", "BE02", "Bassin de Morlaix", BREST),
    ("reference", "ZONE_TERRITORIALE", "ZT1", "Zone Ouest", BREST),
    ("reference", "ZONE_TERRITORIALE", "ZT2", "Zone Est", RENNES),
]


def _regional_rows(target: psycopg.Connection) -> list[tuple]:
    return target.execute(
        "SELECT objet, table_name, code, libelle, ml_source FROM imilo.referentiel_regional"
        " WHERE region = %s ORDER BY objet, table_name, code",
        (REGION,),
    ).fetchall()


def test_a_region_takes_the_first_copy_of_each_shared_row(
    region_extracts, upgraded_databases, rolled_back_validation
):
    target = rolled_back_validation
    with connect(upgraded_databases.p3) as p3:
        run_id, counts = _regional_run(p3, target)

    assert _regional_rows(target) == EXPECTED_ROWS
    # Toulouse's rows went nowhere, not even under another region
    assert target.execute(
        "SELECT count(*) FROM imilo.referentiel_regional WHERE ml_source = %s", (TOULOUSE,)
    ).fetchone() == (0,)

    out_of_scope = target.execute(
        "SELECT object_type, line_no, id_p3, reason FROM migration.out_of_scope"
        " WHERE run_id = %s ORDER BY object_type, line_no",
        (run_id,),
    ).fetchall()
    # line_no is the rank in the run's reading order (Brest's rows first); the file line is
    # in the reason
    assert out_of_scope == [
        (
            "dispositif",
            2,
            "201",
            f"déjà repris de la ML {BREST} (dispositif.csv de la ML {RENNES}, ligne 2)",
        ),
        (
            "reference",
            4,
            "101",
            f"déjà repris de la ML {BREST} (reference.csv de la ML {RENNES}, ligne 2)",
        ),
        (
            "reference",
            5,
            "102",
            f"déjà repris de la ML {BREST} sous le libellé « Bassin de Morlaix » et non"
            f" « Bassin de Morlaix-Landerneau » (reference.csv de la ML {RENNES}, ligne 3)",
        ),
    ]

    rejects = target.execute(
        "SELECT regle, blocking, niveau, type_objet, id_p3, id_parent, info_complementaire,"
        " info_objet, vide, plateforme, code_structure, type_erreur, libelle_element, champ,"
        " valeur, bloquant FROM migration.reject WHERE run_id = %s ORDER BY type_objet",
        (run_id,),
    ).fetchall()
    label = "Champ obligatoire non renseigné"
    assert rejects == [
        (
            "CHAMP_OBLIGATOIRE",
            True,
            "ERREUR",
            "dispositif",
            "202",
            None,
            "FAJ",
            None,
            "",
            8,
            RENNES,
            label,
            None,
            "libelle",
            None,
            "Oui",
        ),
        (
            "CHAMP_OBLIGATOIRE",
            True,
            "ERREUR",
            "reference",
            "103",
            None,
            "BASSIN_EMPLOI",
            "Bassin sans code",
            "",
            8,
            RENNES,
            label,
            "Bassin sans code",
            "code",
            None,
            "Oui",
        ),
    ]

    # read = migrated + rejected + out of scope; Brest's LOCAL and NATIONAL rows are not read
    assert {k: c.as_dict() for k, c in counts.items()} == {
        "reference": {
            "read": 7,
            "migrated": 4,
            "rejected": 1,
            "migrated_with_errors": 0,
            "out_of_scope": 2,
        },
        "dispositif": {
            "read": 4,
            "migrated": 2,
            "rejected": 1,
            "migrated_with_errors": 0,
            "out_of_scope": 1,
        },
    }
    assert _counts(target, run_id) == {
        "reference": ("referentiels", 7, 4, 1, 0, 2),
        "dispositif": ("referentiels", 4, 2, 1, 0, 1),
    }


def test_a_second_regional_run_replaces_the_first(
    region_extracts, upgraded_databases, rolled_back_validation
):
    target = rolled_back_validation
    with connect(upgraded_databases.p3) as p3:
        _, first = _regional_run(p3, target)
        # the region spelt otherwise is the same region: its rows are replaced, not doubled
        _, second = _regional_run(p3, target, " région des tests PARTAGÉS")

    assert first == second
    assert (
        target.execute(
            "SELECT objet, table_name, code, libelle, ml_source FROM imilo.referentiel_regional"
            " WHERE region = 'région des tests PARTAGÉS' ORDER BY objet, table_name, code"
        ).fetchall()
        == EXPECTED_ROWS
    )
    assert _regional_rows(target) == []


def test_a_region_with_an_ml_without_extract_is_refused(
    region_extracts, upgraded_databases, rolled_back_validation
):
    from pipeline.runs import RunRefused

    with connect(upgraded_databases.p3) as p3:
        p3.execute(
            "INSERT INTO p3.vague (ml, region, vague, date_mep) VALUES (%s, %s, 3, '2027-03-01')",
            (VANNES, REGION),
        )
        try:
            with pytest.raises(RunRefused, match=f"no P3 extract loaded for ML {VANNES}"):
                _regional_run(p3, rolled_back_validation)
        finally:
            p3.execute("DELETE FROM p3.vague WHERE ml = %s", (VANNES,))
