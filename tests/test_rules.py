"""Every reject rule of this release, on a minimal P3 row, gives exactly one report row.

One extract carries one faulty row per rule next to valid rows; it is migrated once with
TAB2 and each expected row of the .rejets.csv is checked column by column (A–Q and the
rule code). Valid rows produce no reject row at all.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from tests.conftest import campaign_ready, rejects_of, write_extract

ML = "31555S00"
S = {"code_structure": ML}


def _dossier(i: int, **values: str) -> dict[str, str]:
    row = {
        "id_dossier": str(i),
        **S,
        "numero": f"D{i}",
        "civilite": "MME",
        "nom": "Martin",
        "prenom": "Léa",
        "date_naissance": "05/06/2004",
        "email": "lea.martin@exemple.fr",
        "identifiant_pe": "4053956Z",
        "date_premier_accueil": "12/09/2022",
        "statut": "ACTIF",
        "login_referent": "cdurand",
        "code_connaissance": "BAO",
    }
    row.update(values)
    return row


def _rubrique(i: int, acte: str, modalite: str, theme: str = "Accès à l'emploi") -> dict:
    return {
        "id_rubrique": str(i),
        **S,
        "libelle": f"Rubrique {i}",
        "theme": theme,
        "modalite": modalite,
        "utilisation": "PROPOSITION",
        "acte_service": acte,
    }


def _service(i: int, **values: str) -> dict[str, str]:
    row = {
        "id_service_entreprise": str(i),
        **S,
        "id_entreprise": "10",
        "intitule_poste": "Vendeur",
        "nb_postes": "1",
        "type_contrat": "CDI",
        "salaire": "1750,00",
        "duree_travail": "35",
        "date_debut": "01/10/2026",
        "statut": "EN_COURS",
    }
    row.update(values)
    return row


def _situation(i: int, dossier: int, code: str, contrat: str = "") -> dict[str, str]:
    return {
        "id_situation": str(i),
        **S,
        "id_dossier": str(dossier),
        "code_situation": code,
        "code_contrat": contrat,
        "date_debut": "01/01/2023",
    }


TABLES = {
    "reference": [
        {
            "id_reference": "2",
            **S,
            "table_name": "PRESCRIPTEUR",
            "niveau": "LOCAL",
            "code": "P1",
            "libelle": "Prescripteur B",
            "actif": "O",
            "visible": "O",
        },
        {
            "id_reference": "3",
            **S,
            "table_name": "PRESCRIPTEUR",
            "niveau": "LOCAL",
            "code": "P2",
            "libelle": "Prescripteur C",
            "actif": "O",
            "visible": "O",
        },
        {
            "id_reference": "1",
            "code_structure": "",
            "table_name": "CONNAISSANCE",
            "niveau": "MIXTE",
            "code": "BAO",
            "libelle": "Bouche à oreille",
            "actif": "O",
            "visible": "O",
        },
    ],
    "utilisateur": [
        {
            "id_utilisateur": "1",
            **S,
            "login": "cdurand",
            "nom": "Durand",
            "prenom": "Claire",
            "civilite": "MME",
            "date_naissance": "03/04/1980",
            "profil": "ACCOMPAGNER",
            "fonction": "CONSEILLER",
            "actif": "O",
        },
        {
            "id_utilisateur": "2",
            **S,
            "login": "pnoel",
            "nom": "Noël",
            "prenom": "Pierre",
            "civilite": "",
            "date_naissance": "03/04/1975",
            "profil": "ACCOMPAGNER",
            "fonction": "CONSEILLER",
            "actif": "O",
        },
    ],
    "entreprise": [
        {
            "id_entreprise": "10",
            **S,
            "raison_sociale": "Boulangerie Éclair",
            "siret": "73282932000074",
            "code_postal": "01000",
            "commune": "Bourg",
        }
    ],
    "personne_ressource": [
        {
            "id_personne_ressource": "20",
            **S,
            "id_entreprise": "10",
            "nom": "Roux",
            "prenom": "Paul",
            "email": "paul@",
        }
    ],
    "rubrique": [
        _rubrique(30, "MER sur une offre Pôle emploi", "MER_EMPLOI"),
        _rubrique(31, "MER sur une offre Pôle emploi", ""),
        _rubrique(32, "MER sur des formations qualifiantes", "MER_AUTRE", "Formation"),
        _rubrique(33, "Information et conseil sur la santé", "MER_EMPLOI", "Santé"),
    ],
    "service_entreprise": [
        _service(40),
        _service(41, salaire="SMIC"),
        _service(42, duree_travail="60"),
    ],
    "dispositif": [
        {
            "id_dispositif": "50",
            **S,
            "code": "GJ",
            "libelle": "Garantie Jeunes",
            "niveau": "NATIONAL",
            "date_debut": "01/01/2015",
        }
    ],
    "dossier": [
        _dossier(100),
        _dossier(101, identifiant_pe="123"),
        _dossier(102, email="x@"),
        _dossier(103, nom=""),
        _dossier(104, date_naissance="31/02/2001"),
        _dossier(105, date_premier_accueil="31/02/2015"),
        _dossier(106, code_connaissance="ZZZ"),
        _dossier(100, numero="D100bis"),
    ],
    "situation": [
        _situation(200, 100, "EMPLOI", "CDI"),
        _situation(201, 100, "EMPLOI", "XYZ"),
        _situation(202, 103, "FORMATION"),
        _situation(203, 999, "FORMATION"),
        _situation(204, 100, "CHOMAGE"),
    ],
    "dispositif_instance": [
        {
            "id_dispositif_instance": "300",
            **S,
            "id_dossier": "100",
            "id_dispositif": "50",
            "date_entree": "01/02/2023",
            "statut": "EN_COURS",
        }
    ],
    "versement": [
        {
            "id_versement": "400",
            **S,
            "id_dispositif_instance": "300",
            "date_versement": "05/03/2023",
            "montant": "480,52",
        },
        {
            "id_versement": "401",
            **S,
            "id_dispositif_instance": "300",
            "date_versement": "05/04/2023",
            "montant": "-5",
        },
    ],
    "proposition": [
        {
            "id_proposition": "500",
            **S,
            "id_dossier": "100",
            "id_rubrique": "30",
            "date_proposition": "01/03/2023",
            "modalite": "MER_EMPLOI",
        },
        {
            "id_proposition": "501",
            **S,
            "id_dossier": "100",
            "id_rubrique": "31",
            "date_proposition": "01/03/2023",
        },
    ],
    "demat": [
        {
            "id_demat": "600",
            **S,
            "id_dossier": "100",
            "type_demat": "PAPIER",
            "type_aide": "CUI_CAE",
            "date_demande": "01/03/2023",
            "statut": "BROUILLON",
        }
    ],
    "avenant": [
        {
            "id_avenant": "700",
            **S,
            "id_demat": "600",
            "secteur": "MARCHAND",
            "date_avenant": "01/04/2023",
        },
        {"id_avenant": "701", **S, "id_demat": "600", "secteur": "", "date_avenant": "01/04/2023"},
    ],
}

HEADERS = [
    "Niveau de l'erreur",
    "Type d'objet",
    "Identifiant P3",
    "Identifiant parent",
    "Info complémentaire",
    "Info complémentaire démat",
    "Info pour trouver l'objet",
    "Info2 pour trouver l'objet",
    "Vide",
    "Numéro de plateforme",
    "Code de la structure",
    "Type d'erreur",
    "Libellé de l'élément en erreur",
    "Champ",
    "Valeur du champ",
    "Bloquant",
]

# (rule, columns A and C–Q in order): one row per expected report line.
EXPECTED = [
    (
        "CHAMP_OBLIGATOIRE",
        [
            "ERREUR",
            "utilisateur",
            "2",
            "",
            "",
            "",
            "pnoel",
            "",
            "",
            "7",
            ML,
            "Champ obligatoire non renseigné",
            "pnoel",
            "civilite",
            "",
            "Oui",
        ],
    ),
    (
        "EMAIL_INVALIDE",
        [
            "ALERTE",
            "personne_ressource",
            "20",
            "10",
            "",
            "",
            "Roux",
            "",
            "",
            "7",
            ML,
            "Adresse e-mail invalide",
            "Roux",
            "email",
            "paul@",
            "Non",
        ],
    ),
    (
        "RUB_MODALITE_EMPLOI",
        [
            "ERREUR",
            "rubrique",
            "31",
            "",
            "31",
            "",
            "Rubrique 31",
            "",
            "",
            "7",
            ML,
            "Rubrique d'offre d'emploi sans modalité MER Emploi",
            "Rubrique 31",
            "modalite",
            "",
            "Oui",
        ],
    ),
    (
        "RUB_MODALITE_FORMATION",
        [
            "ERREUR",
            "rubrique",
            "32",
            "",
            "32",
            "",
            "Rubrique 32",
            "",
            "",
            "7",
            ML,
            ("Rubrique d'offre de formation sans modalité MER Formation"),
            "Rubrique 32",
            "modalite",
            "MER_AUTRE",
            "Oui",
        ],
    ),
    (
        "RUB_MODALITE_CONTRADICTION",
        [
            "ERREUR",
            "rubrique",
            "33",
            "",
            "33",
            "",
            "Rubrique 33",
            "",
            "",
            "7",
            ML,
            ("Modalité de la rubrique en contradiction avec le type d'offre"),
            "Rubrique 33",
            "modalite",
            "MER_EMPLOI",
            "Oui",
        ],
    ),
    (
        "SE_SALAIRE_NON_NUMERIQUE",
        [
            "ERREUR",
            "service_entreprise",
            "41",
            "10",
            "",
            "",
            "Vendeur",
            "",
            "",
            "7",
            ML,
            "Salaire non numérique",
            "Vendeur",
            "salaire",
            "SMIC",
            "Oui",
        ],
    ),
    (
        "SE_DUREE_TRAVAIL",
        [
            "ERREUR",
            "service_entreprise",
            "42",
            "10",
            "",
            "",
            "Vendeur",
            "",
            "",
            "7",
            ML,
            "Durée de travail hebdomadaire invalide",
            "Vendeur",
            "duree_travail",
            "60",
            "Oui",
        ],
    ),
    (
        "PE_IDENTIFIANT",
        [
            "ALERTE",
            "dossier",
            "101",
            "",
            "",
            "",
            "MARTIN Léa",
            "05/06/2004",
            "",
            "7",
            ML,
            "Identifiant Pôle emploi mal formé",
            "D101",
            "identifiant_pe",
            "123",
            "Non",
        ],
    ),
    (
        "EMAIL_INVALIDE",
        [
            "ALERTE",
            "dossier",
            "102",
            "",
            "",
            "",
            "MARTIN Léa",
            "05/06/2004",
            "",
            "7",
            ML,
            "Adresse e-mail invalide",
            "D102",
            "email",
            "x@",
            "Non",
        ],
    ),
    (
        "CHAMP_OBLIGATOIRE",
        [
            "ERREUR",
            "dossier",
            "103",
            "",
            "",
            "",
            "Léa",
            "05/06/2004",
            "",
            "7",
            ML,
            "Champ obligatoire non renseigné",
            "D103",
            "nom",
            "",
            "Oui",
        ],
    ),
    (
        "DATE_INVALIDE",
        [
            "ERREUR",
            "dossier",
            "104",
            "",
            "",
            "",
            "MARTIN Léa",
            "31/02/2001",
            "",
            "7",
            ML,
            "Date invalide",
            "D104",
            "date_naissance",
            "31/02/2001",
            "Oui",
        ],
    ),
    (
        "DATE_INVALIDE",
        [
            "ALERTE",
            "dossier",
            "105",
            "",
            "",
            "",
            "MARTIN Léa",
            "05/06/2004",
            "",
            "7",
            ML,
            "Date invalide",
            "D105",
            "date_premier_accueil",
            "31/02/2015",
            "Non",
        ],
    ),
    (
        "CODE_NON_MAPPE",
        [
            "ALERTE",
            "dossier",
            "106",
            "",
            "",
            "",
            "MARTIN Léa",
            "05/06/2004",
            "",
            "7",
            ML,
            "Code P3 sans correspondance i-milo",
            "D106",
            "code_connaissance",
            "ZZZ",
            "Non",
        ],
    ),
    (
        "DOUBLON_ID",
        [
            "ERREUR",
            "dossier",
            "100",
            "",
            "",
            "",
            "MARTIN Léa",
            "05/06/2004",
            "",
            "7",
            ML,
            "Identifiant P3 en double dans l'extraction",
            "D100bis",
            "id_dossier",
            "100",
            "Oui",
        ],
    ),
    (
        "SITUATION_CODE_CONTRAT",
        [
            "ERREUR",
            "situation",
            "201",
            "100",
            "",
            "",
            "MARTIN Léa",
            "05/06/2004",
            "",
            "7",
            ML,
            ("Code contrat de la situation inconnu ou incohérent"),
            "EMPLOI",
            "code_contrat",
            "XYZ",
            "Oui",
        ],
    ),
    (
        "PARENT_REJETE",
        [
            "ERREUR",
            "situation",
            "202",
            "103",
            "",
            "",
            "Léa",
            "05/06/2004",
            "",
            "7",
            ML,
            "Parent rejeté",
            "FORMATION",
            "id_dossier",
            "103",
            "Oui",
        ],
    ),
    (
        "PARENT_ABSENT",
        [
            "ERREUR",
            "situation",
            "203",
            "999",
            "",
            "",
            "",
            "",
            "",
            "7",
            ML,
            "Parent absent de l'extraction",
            "FORMATION",
            "id_dossier",
            "999",
            "Oui",
        ],
    ),
    (
        "CODE_NON_MAPPE",
        [
            "ERREUR",
            "situation",
            "204",
            "100",
            "",
            "",
            "MARTIN Léa",
            "05/06/2004",
            "",
            "7",
            ML,
            "Code P3 sans correspondance i-milo",
            "CHOMAGE",
            "code_situation",
            "CHOMAGE",
            "Oui",
        ],
    ),
    (
        "VERSEMENT_MONTANT",
        [
            "ERREUR",
            "versement",
            "401",
            "300",
            "",
            "",
            "-5",
            "",
            "",
            "7",
            ML,
            "Montant de versement invalide",
            "-5",
            "montant",
            "-5",
            "Oui",
        ],
    ),
    (
        "PARENT_REJETE",
        [
            "ERREUR",
            "proposition",
            "501",
            "31",
            "31",
            "",
            "MARTIN Léa",
            "05/06/2004",
            "",
            "7",
            ML,
            "Parent rejeté",
            "",
            "id_rubrique",
            "31",
            "Oui",
        ],
    ),
    (
        "AVENANT_SECTEUR_MANQUANT",
        [
            "ERREUR",
            "avenant",
            "701",
            "600",
            "600",
            "",
            "",
            "",
            "",
            "7",
            ML,
            "Secteur de l'avenant non renseigné",
            "",
            "secteur",
            "",
            "Oui",
        ],
    ),
]


# The rules of the brief's second table, on rows of their own.
TABLES["utilisateur"].append(
    {
        "id_utilisateur": "3",
        **S,
        "login": "jmarc",
        "nom": "Marc",
        "prenom": "Jean",
        "civilite": "M",
        "date_naissance": "03/04/1985",
        "profil": "ACCOMPAGNER",
        "fonction": "CONSEILLER",
        "actif": "O",
    }
)  # no i-milo account: a compte historique
TABLES["entreprise"].append(
    {
        "id_entreprise": "11",
        **S,
        "raison_sociale": "Garage Müller",
        "siret": "73282932000075",
        "code_postal": "1000",
        "telephone": "12345",
    }
)  # Luhn fails; the postal code lost its leading zero upstream; not a French number
TABLES["dossier"] += [
    _dossier(107, date_naissance="05/06/1980"),  # 42 at first reception
    _dossier(108, nom="M" * 60),  # i-milo keeps 50 characters
]
TABLES["dispositif_instance"].append(
    {
        "id_dispositif_instance": "301",
        **S,
        "id_dossier": "100",
        "id_dispositif": "50",
        "date_entree": "01/02/2023",
        "date_sortie": "01/01/2023",
        "statut": "TERMINE",
    }
)
ACCOUNTS = (
    "login_imilo;login_p3;nom;prenom\nclaire.durand;cdurand;Durand;Claire\n"
    "pierre.noel;pnoel;Noël;Pierre\n"
)
# What MIG_REF froze: P1 was "Prescripteur A", and P2 did not exist.
FROZEN_REFERENCES = [{**TABLES["reference"][0], "libelle": "Prescripteur A"}]

EXPECTED += [
    (
        "REF_MODIFIEE_APRES_GEL",
        [
            "ERREUR",
            "reference",
            "2",
            "",
            "PRESCRIPTEUR",
            "",
            "Prescripteur B",
            "",
            "",
            "7",
            ML,
            "Référence modifiée dans P3 après le gel (MIG_REF)",
            "Prescripteur B",
            "libelle",
            "Prescripteur B",
            "Oui",
        ],
    ),
    (
        "REF_MODIFIEE_APRES_GEL",
        [
            "ERREUR",
            "reference",
            "3",
            "",
            "PRESCRIPTEUR",
            "",
            "Prescripteur C",
            "",
            "",
            "7",
            ML,
            "Référence modifiée dans P3 après le gel (MIG_REF)",
            "Prescripteur C",
            "code",
            "P2",
            "Oui",
        ],
    ),
    (
        "COMPTE_HISTORIQUE",
        [
            "INFO",
            "utilisateur",
            "3",
            "",
            "",
            "",
            "jmarc",
            "",
            "",
            "7",
            ML,
            "Compte P3 sans utilisateur i-milo : compte historique",
            "jmarc",
            "login",
            "jmarc",
            "Non",
        ],
    ),
    (
        "SIRET_INVALIDE",
        [
            "ALERTE",
            "entreprise",
            "11",
            "",
            "73282932000075",
            "",
            "Garage Müller",
            "",
            "",
            "7",
            ML,
            "SIRET invalide",
            "Garage Müller",
            "siret",
            "73282932000075",
            "Non",
        ],
    ),
    (
        "CODE_POSTAL_INVALIDE",
        [
            "ALERTE",
            "entreprise",
            "11",
            "",
            "73282932000075",
            "",
            "Garage Müller",
            "",
            "",
            "7",
            ML,
            "Code postal invalide",
            "Garage Müller",
            "code_postal",
            "1000",
            "Non",
        ],
    ),
    (
        "TELEPHONE_INVALIDE",
        [
            "ALERTE",
            "entreprise",
            "11",
            "",
            "73282932000075",
            "",
            "Garage Müller",
            "",
            "",
            "7",
            ML,
            "Numéro de téléphone invalide",
            "Garage Müller",
            "telephone",
            "12345",
            "Non",
        ],
    ),
    (
        "AGE_HORS_TRANCHE",
        [
            "ALERTE",
            "dossier",
            "107",
            "",
            "",
            "",
            "MARTIN Léa",
            "05/06/1980",
            "",
            "7",
            ML,
            "Âge au premier accueil hors de la tranche 14-30 ans",
            "D107",
            "date_naissance",
            "05/06/1980",
            "Non",
        ],
    ),
    (
        "TEXTE_TROP_LONG",
        [
            "ALERTE",
            "dossier",
            "108",
            "",
            "",
            "",
            "M" * 60 + " Léa",
            "05/06/2004",
            "",
            "7",
            ML,
            "Texte trop long pour i-milo (tronqué)",
            "D108",
            "nom",
            "M" * 60,
            "Non",
        ],
    ),
    (
        "INSTANCE_DATES",
        [
            "ALERTE",
            "dispositif_instance",
            "301",
            "100",
            "50",
            "",
            "MARTIN Léa",
            "05/06/2004",
            "",
            "7",
            ML,
            "Date de sortie antérieure à la date d'entrée",
            "TERMINE",
            "date_sortie",
            "01/01/2023",
            "Non",
        ],
    ),
]


@pytest.fixture(scope="module")
def faulty_run(upgraded_databases, tmp_path_factory: pytest.TempPathFactory) -> dict:
    from pipeline import db
    from pipeline.cli import run_kind
    from pipeline.extract import load_extract
    from pipeline.inputs import load_imilo_accounts

    # MIG_REF took the references as they were; then P3 changed one and added one.
    before = write_extract(
        tmp_path_factory.mktemp("frozen"), {"reference": FROZEN_REFERENCES}, (ML,)
    )
    load_extract(before, db.p3_engine())
    campaign_ready(ML, tmp_path_factory.mktemp("prerequis"))  # MIG_REF freezes `before`
    folder = write_extract(tmp_path_factory.mktemp("faulty"), TABLES, (ML,))
    load_extract(folder, db.p3_engine())
    accounts = folder / "comptes_imilo.csv"
    accounts.write_text(ACCOUNTS, encoding="utf-8")
    load_imilo_accounts(db.p3_engine(), ML, accounts)
    started = _paris_now().replace(microsecond=0)
    summary = run_kind("TAB2", ML, str(tmp_path_factory.mktemp("reports")))
    summary["_window"] = (started, _paris_now())
    return summary


def _paris_now() -> dt.datetime:
    """Report times are Paris wall-clock times, as the RLM reads them."""
    return dt.datetime.now(ZoneInfo("Europe/Paris")).replace(tzinfo=None)


def _key(row: dict[str, str]) -> tuple[str, ...]:
    return (row["regle"], *(row[h] for h in HEADERS))


@pytest.mark.parametrize(
    ("rule", "columns"), EXPECTED, ids=[f"{rule}-{cols[1]}-{cols[2]}" for rule, cols in EXPECTED]
)
def test_rule_gives_its_exact_report_row(faulty_run: dict, rule: str, columns: list[str]):
    rows = [_key(r) for r in rejects_of(faulty_run)]
    assert rows.count((rule, *columns)) == 1, f"missing or doubled: {(rule, *columns)}"


def test_nothing_else_is_reported(faulty_run: dict):
    # Valid rows (dossier 100's first copy, situation 200, rubrique 30, …) give no row.
    reported = sorted(_key(r) for r in rejects_of(faulty_run))
    assert reported == sorted((rule, *cols) for rule, cols in EXPECTED)


def test_heure_de_migration_is_the_time_of_the_run(faulty_run: dict):
    start, end = faulty_run["_window"]
    for row in rejects_of(faulty_run):
        assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d", row["Heure de migration"])
        stamp = dt.datetime.fromisoformat(row["Heure de migration"])
        assert start - dt.timedelta(seconds=1) <= stamp <= end


def test_counts_balance_and_match_the_faults(faulty_run: dict):
    objects = faulty_run["objects"]
    for table, c in objects.items():
        assert c["read"] == c["migrated"] + c["rejected"] + c["out_of_scope"], table
    # 10 dossier lines: 100 migrated (first copy), 101, 102, 105, 106, 107, 108 migrated with
    # an error; 103, 104 and the copy of 100 rejected.
    assert objects["dossier"] == {
        "read": 10,
        "migrated": 7,
        "rejected": 3,
        "migrated_with_errors": 6,
        "out_of_scope": 0,
    }
    assert objects["situation"]["migrated"] == 1  # only 200
    assert objects["proposition"]["migrated"] == 1  # 500; 501 cascades from rubrique 31


def test_the_report_files_sit_together(faulty_run: dict):
    xlsx = Path(faulty_run["report_path"])
    assert xlsx.suffix == ".xlsx" and xlsx.exists()
    assert xlsx.with_suffix(".json").exists()


def test_every_rule_of_the_catalogue_is_exercised_here():
    from pipeline.mappings import rule_catalogue

    assert {rule for rule, _ in EXPECTED} == set(rule_catalogue())


def test_the_catalogue_and_the_code_agree():
    # No rule without an entry in mappings/rules.csv, no entry without a rule.
    from pipeline.mappings import rule_catalogue
    from pipeline.rules import emitted_rules

    assert emitted_rules() == set(rule_catalogue())


def test_values_are_cut_or_kept_as_the_rules_say(faulty_run: dict, upgraded_databases):
    from tests.conftest import connect

    with connect(upgraded_databases.validation) as conn:
        nom, naissance = conn.execute(
            "SELECT d.nom, d.date_naissance FROM imilo.dossier d JOIN migration.id_map m"
            " ON m.imilo_id = d.id AND m.object_type = 'dossier' AND m.ml = d.ml"
            " WHERE d.ml = %s AND m.id_p3 IN ('107', '108') ORDER BY m.id_p3",
            (ML,),
        ).fetchall()
        user = conn.execute(
            "SELECT compte_historique FROM imilo.utilisateur WHERE ml = %s AND login = 'jmarc'",
            (ML,),
        ).fetchone()
        siret = conn.execute(
            "SELECT siret, code_postal, telephone FROM imilo.entreprise"
            " WHERE ml = %s AND raison_sociale = 'Garage Müller'",
            (ML,),
        ).fetchone()
    assert nom[1] == dt.date(1980, 6, 5)  # AGE_HORS_TRANCHE keeps the birth date
    assert naissance[0] == "M" * 50  # TEXTE_TROP_LONG cuts to the i-milo column
    assert user == (True,)  # the compte historique migrates, flagged
    assert siret == (None, None, None)  # dropped values
