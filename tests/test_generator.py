"""The synthetic P3 extract generator: format, determinism, realism and its expected rejects.

``expected.json`` is checked against an independent oracle written here from the rules
of the brief (sections 4, 5, 9) and the mapping files: it re-reads the CSV files as a
pipeline would and must find exactly the expected rejects, no more, no less.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import json
import re
import time
from collections import Counter
from pathlib import Path

import phonenumbers
import pytest
from email_validator import EmailNotValidError, validate_email
from stdnum.fr import siret as stdnum_siret

from pipeline.fixtures.generator import DEFAULT_RATE, generate
from schemas.p3.columns import P3_COLUMNS, file_columns, id_column

MAPPINGS = Path(__file__).resolve().parents[1] / "mappings"
ML = "65440S00"
RULES_INJECTED = {
    "RUB_MODALITE_EMPLOI",
    "RUB_MODALITE_FORMATION",
    "RUB_MODALITE_CONTRADICTION",
    "SE_SALAIRE_NON_NUMERIQUE",
    "SE_DUREE_TRAVAIL",
    "EMAIL_INVALIDE",
    "AVENANT_SECTEUR_MANQUANT",
    "PE_IDENTIFIANT",
    "SITUATION_CODE_CONTRAT",
    "CHAMP_OBLIGATOIRE",
    "DATE_INVALIDE",
    "CODE_NON_MAPPE",
    "DOUBLON_ID",
    "PARENT_ABSENT",
    "PARENT_REJETE",
    "AGE_HORS_TRANCHE",
    "SIRET_INVALIDE",
    "CODE_POSTAL_INVALIDE",
    "TELEPHONE_INVALIDE",
    "VERSEMENT_MONTANT",
    "INSTANCE_DATES",
    "TEXTE_TROP_LONG",
    "COMPTE_HISTORIQUE",
}
COMPTES = "comptes_imilo.csv"
FILES = {f"{t}.csv" for t in P3_COLUMNS} | {"manifest.json", "expected.json", COMPTES}
# Cascade parents in the P3_COLUMNS order (id_structure_parent is not one).
PARENT_TABLES = (
    "structure",
    "entreprise",
    "rubrique",
    "service_entreprise",
    "dispositif",
    "dossier",
    "dispositif_instance",
    "demat",
)
DATE = re.compile(r"^(\d{2})/(\d{2})/(\d{4})$")
PE = re.compile(r"^\d{7}[0-9A-Z]$")
DECIMAL = re.compile(r"^\d+(?:,\d+)?$")
NUMBER = re.compile(r"^[+-]?\d+(?:[.,]\d+)?$")  # README: 1750,00 · 1 750,00 · 1750.50
FRENCH_REGIONS = {"FR", "GP", "MQ", "GF", "RE", "YT", "PM", "BL", "MF", "NC", "PF", "WF"}
PHONE_TABLES = ("structure", "entreprise", "personne_ressource", "dossier")
POSTAL_TABLES = ("structure", "entreprise", "adresse")
# i-milo column lengths: (table or "*", column) -> longest value.
MAX_LENGTHS = {
    **{
        (t, c): 50
        for t in ("dossier", "utilisateur", "personne_ressource")
        for c in ("nom", "prenom")
    },
    ("utilisateur", "login"): 30,
    ("*", "email"): 120,
    ("*", "libelle"): 255,
    ("*", "raison_sociale"): 120,
    ("*", "intitule_poste"): 120,
    ("adresse", "ligne1"): 150,
    ("*", "adresse"): 150,
    ("*", "commune"): 80,
    ("rendez_vous", "objet"): 255,
    ("cursus", "diplome"): 120,
}


# -- helpers ----------------------------------------------------------------------------


def mapping(name: str) -> list[dict[str, str]]:
    with open(MAPPINGS / name, encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle, delimiter=";"))


def enum(table: str, column: str) -> set[str]:
    return {
        r["code"] for r in mapping("codes.csv") if r["table"] == table and r["colonne"] == column
    }


def read_table(folder: Path, table: str) -> list[dict[str, str]]:
    with open(folder / f"{table}.csv", encoding="cp1252", newline="") as handle:
        return list(csv.DictReader(handle, delimiter=";", quotechar='"', strict=True))


def read_all(folder: Path) -> dict[str, list[dict[str, str]]]:
    return {table: read_table(folder, table) for table in P3_COLUMNS}


def parse_date(text: str) -> dt.date | None:
    match = DATE.match(text)
    if not match:
        return None
    day, month, year = (int(g) for g in match.groups())
    try:
        value = dt.date(year, month, day)
    except ValueError:
        return None
    return value if value.year >= 1900 else None


def email_ok(value: str) -> bool:
    try:
        validate_email(value, check_deliverability=False)
    except EmailNotValidError:
        return False
    return True


def phone_ok(value: str) -> bool:
    try:
        number = phonenumbers.parse(value, "FR")
    except phonenumbers.NumberParseException:
        return False
    return (
        phonenumbers.is_valid_number(number)
        and phonenumbers.region_code_for_number(number) in FRENCH_REGIONS
    )


def siret_ok(value: str) -> bool:
    return bool(stdnum_siret.is_valid(value))


def max_length(table: str, column: str) -> int | None:
    return MAX_LENGTHS.get((table, column), MAX_LENGTHS.get(("*", column)))


def number_of(text: str) -> float | None:
    compact = re.sub(r"\s", "", text)
    return float(compact.replace(",", ".")) if NUMBER.match(compact) else None


def read_comptes(folder: Path) -> list[dict[str, str]]:
    with open(folder / COMPTES, encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle, delimiter=";", quotechar='"', strict=True))


def years_between(born: dt.date, day: dt.date) -> int:
    return day.year - born.year - ((day.month, day.day) < (born.month, born.day))


def expected_of(folder: Path) -> list[dict[str, object]]:
    return json.loads((folder / "expected.json").read_text(encoding="utf-8"))


def sort_key(entry: dict[str, object]) -> tuple[int, int, str, str]:
    order = list(P3_COLUMNS)
    return (
        order.index(str(entry["object_type"])),
        int(str(entry["id_p3"])),
        str(entry["rule"]),
        str(entry["field"]),
    )


# -- the oracle -------------------------------------------------------------------------


def oracle(folder: Path) -> list[dict[str, object]]:
    """The rejects a pipeline following the brief must produce on this extract."""
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    extracted = dt.datetime.fromisoformat(manifest["extracted_at"]).date()
    data = read_all(folder)
    type_offre = {r["acte_service"]: r["type_offre_imilo"] for r in mapping("actes_service.csv")}
    contrats = {r["code_contrat"] for r in mapping("contrats.csv")}
    situations = {
        r["code_situation"]: r["code_contrat_requis"] == "O" for r in mapping("situations.csv")
    }
    niveaux = {r["niveau_p3"] for r in mapping("niveaux_formation.csv")}
    connaissance = {r["code"] for r in data["reference"] if r["table_name"] == "CONNAISSANCE"}
    coded = {  # columns of fixed code lists: (table, column) -> allowed, blocking if wrong
        ("reference", "niveau"): (enum("reference", "niveau"), True),
        ("reference", "actif"): (enum("*", "booleen"), True),
        ("reference", "visible"): (enum("*", "booleen"), True),
        ("utilisateur", "civilite"): (enum("*", "civilite"), True),
        ("utilisateur", "profil"): (enum("utilisateur", "profil"), False),
        ("utilisateur", "fonction"): (enum("utilisateur", "fonction"), False),
        ("utilisateur", "actif"): (enum("*", "booleen"), False),
        ("structure", "type"): (enum("structure", "type"), True),
        ("rubrique", "theme"): ({r["theme"] for r in mapping("actes_service.csv")}, False),
        ("rubrique", "acte_service"): (set(type_offre), False),
        ("rubrique", "modalite"): (enum("rubrique", "modalite"), False),
        ("rubrique", "utilisation"): (enum("rubrique", "utilisation"), False),
        ("service_entreprise", "type_contrat"): (contrats, False),
        ("service_entreprise", "statut"): (enum("service_entreprise", "statut"), False),
        ("dispositif", "niveau"): (enum("dispositif", "niveau"), True),
        ("dossier", "civilite"): (enum("*", "civilite"), False),
        ("dossier", "statut"): (enum("dossier", "statut"), True),
        ("dossier", "code_connaissance"): (connaissance, False),
        ("connaissance", "code_connaissance"): (connaissance, False),
        ("cursus", "niveau_formation"): (niveaux, False),
        ("dispositif_instance", "statut"): (enum("dispositif_instance", "statut"), False),
        ("actualite_dossier", "type"): (enum("actualite_dossier", "type"), False),
        ("proposition", "modalite"): (enum("rubrique", "modalite"), False),
        ("demat", "type_demat"): (enum("demat", "type_demat"), True),
        ("demat", "type_aide"): (enum("demat", "type_aide"), True),
        ("demat", "statut"): (enum("demat", "statut"), False),
        ("avenant", "secteur"): (enum("avenant", "secteur"), True),
    }
    mandatory = {
        "utilisateur": ("login", "nom", "prenom", "civilite", "date_naissance"),
        "dossier": ("nom", "prenom", "date_naissance", "statut"),
        "dispositif_instance": ("date_entree",),
        "situation": ("code_situation",),
        "versement": ("date_versement", "montant"),
    }
    missing_rule = {("avenant", "secteur"): "AVENANT_SECTEUR_MANQUANT"}
    missing_rule[("versement", "montant")] = "VERSEMENT_MONTANT"
    accounts = {r["login_p3"] for r in read_comptes(folder)}
    found: list[dict[str, object]] = []
    ids: dict[str, set[str]] = {}
    rejected: dict[str, set[str]] = {}

    def add(table: str, row_id: str, rule: str, field: str, blocking: bool) -> None:
        found.append(
            {
                "rule": rule,
                "object_type": table,
                "id_p3": row_id,
                "field": field,
                "blocking": blocking,
            }
        )

    for table in P3_COLUMNS:
        ids[table] = {row[id_column(table)] for row in data[table]}
        rejected[table] = set()
        seen: set[str] = set()
        fks = [(f"id_{p}", p) for p in PARENT_TABLES if f"id_{p}" in P3_COLUMNS[table]]
        for row in data[table]:
            row_id = row[id_column(table)]
            if row_id in seen:
                add(table, row_id, "DOUBLON_ID", id_column(table), True)
                continue
            seen.add(row_id)
            parent = None
            for column, parent_table in fks:
                value = row[column]
                if value and value not in ids[parent_table]:
                    parent = ("PARENT_ABSENT", column)
                    break
                if value and value in rejected[parent_table]:
                    parent = ("PARENT_REJETE", column)
                    break
            if parent:
                add(table, row_id, parent[0], parent[1], True)
                rejected[table].add(row_id)
                continue
            faults: list[tuple[str, str, bool]] = []
            for column in mandatory.get(table, ()):
                if row[column] == "":
                    missing = missing_rule.get((table, column), "CHAMP_OBLIGATOIRE")
                    faults.append((missing, column, True))
            for column in P3_COLUMNS[table]:
                value = row[column]
                if column.startswith("date_") and value:
                    day = parse_date(value)
                    if day is None or day > extracted:
                        faults.append(("DATE_INVALIDE", column, column in mandatory.get(table, ())))
                codes = coded.get((table, column))
                if codes and value and value not in codes[0]:
                    faults.append(("CODE_NON_MAPPE", column, codes[1]))
                longest = max_length(table, column)
                if longest is not None and len(value) > longest:
                    faults.append(("TEXTE_TROP_LONG", column, False))
            if table == "avenant" and row["secteur"] == "":
                faults.append(("AVENANT_SECTEUR_MANQUANT", "secteur", True))
            if (
                table in ("dossier", "personne_ressource")
                and row["email"]
                and not email_ok(row["email"])
            ):
                faults.append(("EMAIL_INVALIDE", "email", False))
            if table in PHONE_TABLES and row["telephone"] and not phone_ok(row["telephone"]):
                faults.append(("TELEPHONE_INVALIDE", "telephone", False))
            if (
                table in POSTAL_TABLES
                and row["code_postal"]
                and not re.fullmatch(r"\d{5}", row["code_postal"].strip())
            ):
                faults.append(("CODE_POSTAL_INVALIDE", "code_postal", False))
            if table == "entreprise" and row["siret"] and not siret_ok(row["siret"]):
                faults.append(("SIRET_INVALIDE", "siret", False))
            if table == "utilisateur" and row["login"] and row["login"] not in accounts:
                faults.append(("COMPTE_HISTORIQUE", "login", False))
            if table == "dossier":
                born = parse_date(row["date_naissance"])
                first = parse_date(row["date_premier_accueil"])
                age = (
                    years_between(born, first)
                    if born and first and born <= extracted and first <= extracted
                    else None
                )
                if age is not None and not 14 <= age <= 30:
                    faults.append(("AGE_HORS_TRANCHE", "date_naissance", False))
            if table == "versement" and row["montant"]:
                amount = number_of(row["montant"])
                if amount is None or amount <= 0:
                    faults.append(("VERSEMENT_MONTANT", "montant", True))
            if table == "dispositif_instance":
                entree, sortie = parse_date(row["date_entree"]), parse_date(row["date_sortie"])
                if entree and sortie and sortie < entree:
                    faults.append(("INSTANCE_DATES", "date_sortie", False))
            if table == "dossier" and row["identifiant_pe"] and not PE.match(row["identifiant_pe"]):
                faults.append(("PE_IDENTIFIANT", "identifiant_pe", False))
            if table == "rubrique":
                kind, modalite = type_offre.get(row["acte_service"]), row["modalite"]
                if kind == "Offre d'emploi" and modalite != "MER_EMPLOI":
                    faults.append(("RUB_MODALITE_EMPLOI", "modalite", True))
                elif kind == "Offre de formation" and modalite != "MER_FORMATION":
                    faults.append(("RUB_MODALITE_FORMATION", "modalite", True))
                elif (
                    kind
                    and kind not in ("Offre d'emploi", "Offre de formation")
                    and modalite in ("MER_EMPLOI", "MER_FORMATION")
                ):
                    faults.append(("RUB_MODALITE_CONTRADICTION", "modalite", True))
            if table == "service_entreprise":
                if row["salaire"] and not DECIMAL.match(row["salaire"]):
                    faults.append(("SE_SALAIRE_NON_NUMERIQUE", "salaire", True))
                hours = row["duree_travail"]
                if hours and not (
                    DECIMAL.match(hours) and 0 < float(hours.replace(",", ".")) <= 48
                ):
                    faults.append(("SE_DUREE_TRAVAIL", "duree_travail", True))
            if table == "situation":
                code, contrat = row["code_situation"], row["code_contrat"]
                if code and code not in situations:
                    faults.append(("CODE_NON_MAPPE", "code_situation", True))
                elif code and (
                    (situations[code] and contrat not in contrats)
                    or (not situations[code] and contrat)
                ):
                    faults.append(("SITUATION_CODE_CONTRAT", "code_contrat", True))
            for rule, field, blocking in faults:
                add(table, row_id, rule, field, blocking)
            if any(blocking for _, _, blocking in faults):
                rejected[table].add(row_id)
    return sorted(found, key=sort_key)


# -- fixtures ---------------------------------------------------------------------------


@pytest.fixture(scope="module")
def extract(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, object]]:
    folder = tmp_path_factory.mktemp("extract")
    return folder, generate(folder, ML, 300, seed=1)


@pytest.fixture(scope="module")
def clean_extract(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("clean")
    generate(folder, ML, 300, seed=1, clean=True)
    return folder


def digests(folder: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.iterdir())}


# -- format -----------------------------------------------------------------------------


def test_same_arguments_give_byte_identical_files(tmp_path: Path) -> None:
    first, second, other = tmp_path / "a", tmp_path / "b", tmp_path / "c"
    assert generate(first, ML, 200, seed=5) == generate(second, ML, 200, seed=5)
    generate(other, ML, 200, seed=6)
    assert digests(first) == digests(second)
    assert set(digests(first)) == FILES
    assert digests(first)["dossier.csv"] != digests(other)["dossier.csv"]


def test_every_file_has_the_extract_format(extract: tuple[Path, dict[str, object]]) -> None:
    folder, result = extract
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    assert manifest == {
        "plateforme": 7,
        "extracted_at": "2026-11-27T21:00:00",
        "encoding": "cp1252",
        "structures": [ML],
    }
    assert (
        dt.datetime.fromisoformat(manifest["extracted_at"]).strftime("%A %H:%M") == "Friday 21:00"
    )
    files = result["files"]
    assert isinstance(files, dict) and list(files) == list(P3_COLUMNS)
    for table in P3_COLUMNS:
        raw = (folder / f"{table}.csv").read_bytes()
        text = raw.decode("cp1252")  # strict: the whole file is cp1252
        header, _, _ = text.partition("\r\n")
        assert header == ";".join(file_columns(table)), table
        assert "\n" not in text.replace("\r\n", ""), f"{table}: bare LF"
        rows = list(csv.reader(text.splitlines(), delimiter=";", quotechar='"', strict=True))
        assert all(len(row) == len(file_columns(table)) for row in rows), table
        assert len(rows) - 1 == files[table], table
        ids = [row[0] for row in rows[1:]]
        assert all(value.isdigit() for value in ids), table
        if table not in ("dossier", "entreprise", "proposition"):
            assert len(set(ids)) == len(ids), f"{table}: duplicate ids"
    assert result["expected"] == len(expected_of(folder))


def test_accents_and_quoting_survive(extract: tuple[Path, dict[str, object]]) -> None:
    folder, _ = extract
    data = read_all(folder)
    names = " ".join(r["nom"] + r["prenom"] for r in data["dossier"])
    assert any(ch in names for ch in "éèçïëô")
    raw = b"".join((folder / f"{t}.csv").read_bytes() for t in P3_COLUMNS)
    assert b'"' in raw  # some values need quoting (a ; or a " inside)
    themes = {r["theme"] for r in mapping("actes_service.csv")}
    assert {r["theme"] for r in data["rubrique"]} == themes  # "Accès à l'emploi", ...


def test_structures_codes_and_territory(extract: tuple[Path, dict[str, object]]) -> None:
    folder, _ = extract
    data = read_all(folder)
    ml_codes = {ML, ML[:5] + "S01", ML[:5] + "S02"}
    for table in P3_COLUMNS:
        for row in data[table]:
            if table == "reference" and row["niveau"] in ("NATIONAL", "REGIONAL"):
                assert row["code_structure"] == ""
            elif table != "reference":
                assert row["code_structure"] in ml_codes, (table, row)
    structures = data["structure"]
    by_type = Counter(r["type"] for r in structures)
    assert by_type == {"ML": 1, "ANTENNE": 2, "PERMANENCE": 1}
    ml_row = next(r for r in structures if r["type"] == "ML")
    assert ml_row["code"] == ML and ml_row["id_structure_parent"] == ""
    for row in structures:
        if row["type"] == "ANTENNE":
            assert row["id_structure_parent"] == ml_row["id_structure"]
            assert row["code"][:5] == ML[:5]
    assert all(
        re.fullmatch(r"[0-9][0-9AB]\d{3}", r["code_commune_insee"]) for r in data["zone_couverture"]
    )


def test_leading_zero_postal_codes_exist(clean_extract: Path) -> None:
    data = read_all(clean_extract)
    postal = [r["code_postal"] for t in ("structure", "entreprise", "adresse") for r in data[t]]
    assert all(re.fullmatch(r"\d{5}", code) for code in postal)
    assert any(code.startswith("0") for code in postal)


def test_corsica_and_leading_zero_insee(tmp_path: Path) -> None:
    generate(tmp_path / "corse", "2A004S00", 30, seed=3, clean=True)
    generate(tmp_path / "ain", "01053S00", 30, seed=3, clean=True)
    corse = read_all(tmp_path / "corse")
    assert {r["code"] for r in corse["structure"]} >= {"2A004S00", "2A004S01", "2A004S02"}
    assert "2A004" in {r["code_commune_insee"] for r in corse["zone_couverture"]}
    ain = read_all(tmp_path / "ain")
    assert "01053" in {r["code_commune_insee"] for r in ain["zone_couverture"]}
    assert next(r for r in ain["structure"] if r["type"] == "ML")["code_postal"] == "01000"


# -- realism: the clean rows break no rule ----------------------------------------------


def test_clean_values_are_realistic(clean_extract: Path) -> None:
    data = read_all(clean_extract)
    extracted = dt.date(2026, 11, 27)
    for row in data["entreprise"] + data["structure_administrative"]:
        assert re.fullmatch(r"\d{14}", row["siret"]) and siret_ok(row["siret"]), row
    for row in data["entreprise"]:
        assert re.fullmatch(r"\d{4}[A-Z]", row["code_naf"])
    phones = [r["telephone"] for t in PHONE_TABLES for r in data[t] if r["telephone"]]
    assert all(phone_ok(phone) for phone in phones)
    assert any(" " in phone for phone in phones) and any(" " not in phone for phone in phones)
    for table in P3_COLUMNS:
        if "email" in P3_COLUMNS[table]:
            assert all(email_ok(r["email"]) for r in data[table] if r["email"]), table
        for column in P3_COLUMNS[table]:
            longest = max_length(table, column)
            if longest is not None:
                assert all(len(r[column]) <= longest for r in data[table]), (table, column)
    accueils = []
    for row in data["dossier"]:
        born, first = parse_date(row["date_naissance"]), parse_date(row["date_premier_accueil"])
        assert born and first and first <= extracted
        assert 16 <= years_between(born, first) <= 25
        accueils.append(first)
        if row["email"]:
            assert row["email"] == row["email"].lower() and row["email"].isascii()
        assert row["identifiant_pe"] == "" or PE.match(row["identifiant_pe"])
        assert row["civilite"] in ("M", "MME")
    assert min(accueils) < dt.date(2014, 7, 1) < max(accueils)
    statuts = Counter(r["statut"] for r in data["dossier"])
    assert 0.5 < statuts["ACTIF"] / len(data["dossier"]) < 0.8
    pe_share = sum(1 for r in data["dossier"] if r["identifiant_pe"]) / len(data["dossier"])
    assert 0.45 < pe_share < 0.75
    logins = {r["login"] for r in data["utilisateur"]}
    assert len(logins) == len(data["utilisateur"])
    assert all(re.fullmatch(r"[a-z][a-z0-9-]*", login) for login in logins)
    assert {r["login_referent"] for r in data["dossier"]} <= logins
    assert {r["profil"] for r in data["utilisateur"]} == {"ACCOMPAGNER", "ADMINISTRER"}
    for row in data["service_entreprise"]:
        assert row["salaire"] == "" or re.fullmatch(r"\d+,\d\d", row["salaire"])
        assert 0 < float(row["duree_travail"].replace(",", ".")) <= 48
    for row in data["versement"]:
        assert (
            re.fullmatch(r"\d+,\d\d", row["montant"])
            and float(row["montant"].replace(",", ".")) > 0
        )
    for row in data["dispositif_instance"]:
        entree, sortie = parse_date(row["date_entree"]), parse_date(row["date_sortie"])
        assert entree and (row["date_sortie"] == "" or (sortie and sortie >= entree))
        assert (row["statut"] == "EN_COURS") == (row["date_sortie"] == "")
    dispositifs = data["dispositif"]
    national = [r["code"] for r in dispositifs if r["niveau"] == "NATIONAL"]
    assert national == [r["code"] for r in mapping("dispositifs_nationaux.csv")]
    assert 3 <= sum(1 for r in dispositifs if r["niveau"] == "LOCAL") <= 5
    paid = {r["id_dispositif"] for r in dispositifs if r["code"] in ("CIVIS", "GJ")}
    paid_instances = {
        r["id_dispositif_instance"]
        for r in data["dispositif_instance"]
        if r["id_dispositif"] in paid
    }
    assert {r["id_dispositif_instance"] for r in data["versement"]} <= paid_instances
    rubriques = {r["id_rubrique"]: r for r in data["rubrique"]}
    assert 25 <= len(rubriques) <= 35
    emploi = {
        r["acte_service"]
        for r in mapping("actes_service.csv")
        if r["type_offre_imilo"] == "Offre d'emploi"
    }
    with_offer = 0
    for row in data["proposition"]:
        rubrique = rubriques[row["id_rubrique"]]
        assert rubrique["utilisation"] in ("PROPOSITION", "BOTH")
        assert row["modalite"] == rubrique["modalite"]
        if row["id_service_entreprise"]:
            assert rubrique["acte_service"] in emploi
            with_offer += 1
    assert with_offer > 0
    tables = {r["table_name"]: r["niveau"] for r in mapping("reference_tables.csv")}
    for row in data["reference"]:
        assert row["niveau"] == tables[row["table_name"]]
    assert set(tables) == {r["table_name"] for r in data["reference"]}
    for row in data["situation"]:
        code = row["code_situation"]
        assert (row["code_contrat"] != "") == (code in ("EMPLOI", "ALTERNANCE"))


def test_rate_zero_is_a_clean_extract(clean_extract: Path, tmp_path: Path) -> None:
    assert expected_of(clean_extract) == []
    assert oracle(clean_extract) == []
    generate(tmp_path, ML, 300, seed=1, rate=0)
    assert digests(tmp_path) == digests(clean_extract)  # clean=True is rate=0
    assert set(digests(clean_extract)) == FILES
    logins = [r["login"] for r in read_table(clean_extract, "utilisateur")]
    comptes = read_comptes(clean_extract)
    assert [r["login_p3"] for r in comptes] == logins  # every user has an i-milo account
    assert all(re.fullmatch(r"[a-z-]+\.[a-z-]+\d*", r["login_imilo"]) for r in comptes)
    assert len({r["login_imilo"] for r in comptes}) == len(comptes)


def test_the_defects_are_the_only_differences_from_the_clean_extract(
    extract: tuple[Path, dict[str, object]], clean_extract: Path
) -> None:
    folder, _ = extract
    expected = expected_of(folder)
    listed = {(e["object_type"], e["id_p3"]) for e in expected}
    dirty, clean = read_all(folder), read_all(clean_extract)
    changed: set[tuple[str, str]] = set()
    echoes: set[tuple[str, str]] = set()
    for table in P3_COLUMNS:
        rows: dict[str, list[dict[str, str]]] = {}
        clean_rows: dict[str, list[dict[str, str]]] = {}
        for source, target in ((dirty[table], rows), (clean[table], clean_rows)):
            for row in source:
                target.setdefault(row[id_column(table)], []).append(row)
        assert set(rows) == set(clean_rows), table  # the same ids
        changed |= {(table, i) for i in rows if rows[i] != clean_rows[i]}
        if table == "proposition":  # a proposition carries its rubrique's modalité
            echoes = {
                (table, i)
                for i in rows
                if rows[i] != clean_rows[i]
                and [{**r, "modalite": ""} for r in rows[i]]
                == [{**r, "modalite": ""} for r in clean_rows[i]]
            }
    assert changed <= listed
    # every defect of its own is a changed row; cascades and comptes historiques are not
    own = {(e["object_type"], e["id_p3"]) for e in expected if e["rule"] != "PARENT_REJETE"}
    historic = {
        (e["object_type"], e["id_p3"]) for e in expected if e["rule"] == "COMPTE_HISTORIQUE"
    }
    cascades = {(e["object_type"], e["id_p3"]) for e in expected if e["rule"] == "PARENT_REJETE"}
    assert changed - echoes == own - historic
    assert echoes <= cascades
    users = {r["id_utilisateur"]: r["login"] for r in dirty["utilisateur"]}
    missing = {users[str(i)] for _, i in historic}
    dirty_comptes, clean_comptes = read_comptes(folder), read_comptes(clean_extract)
    assert dirty_comptes == [r for r in clean_comptes if r["login_p3"] not in missing]
    manifest = (folder / "manifest.json").read_bytes()
    assert manifest == (clean_extract / "manifest.json").read_bytes()


# -- defects and expected rejects -------------------------------------------------------


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_every_rule_is_injected_and_expected_matches_the_oracle(
    tmp_path: Path,
    seed: int,
) -> None:
    generate(tmp_path, ML, 300, seed=seed, rate=DEFAULT_RATE)
    expected = expected_of(tmp_path)
    assert {e["rule"] for e in expected} == RULES_INJECTED
    assert expected == sorted(expected, key=sort_key)
    assert expected == oracle(tmp_path)


def test_defect_variants_are_all_present(extract: tuple[Path, dict[str, object]]) -> None:
    folder, _ = extract
    kinds = {(e["rule"], e["object_type"], e["field"], e["blocking"]) for e in expected_of(folder)}
    assert kinds >= {
        ("CHAMP_OBLIGATOIRE", "dossier", "nom", True),
        ("CHAMP_OBLIGATOIRE", "dossier", "prenom", True),
        ("CHAMP_OBLIGATOIRE", "dossier", "date_naissance", True),
        ("CHAMP_OBLIGATOIRE", "utilisateur", "nom", True),
        ("DATE_INVALIDE", "dossier", "date_naissance", True),
        ("DATE_INVALIDE", "dossier", "date_premier_accueil", False),
        ("DATE_INVALIDE", "situation", "date_debut", False),
        ("CODE_NON_MAPPE", "dossier", "code_connaissance", False),
        ("CODE_NON_MAPPE", "cursus", "niveau_formation", False),
        ("CODE_NON_MAPPE", "service_entreprise", "type_contrat", False),
        ("CODE_NON_MAPPE", "situation", "code_situation", True),
        ("EMAIL_INVALIDE", "dossier", "email", False),
        ("EMAIL_INVALIDE", "personne_ressource", "email", False),
        ("DOUBLON_ID", "dossier", "id_dossier", True),
        ("DOUBLON_ID", "entreprise", "id_entreprise", True),
        ("DOUBLON_ID", "proposition", "id_proposition", True),
        ("PARENT_ABSENT", "situation", "id_dossier", True),
        ("PARENT_ABSENT", "proposition", "id_dossier", True),
        ("PARENT_REJETE", "proposition", "id_rubrique", True),
        ("PARENT_REJETE", "proposition", "id_service_entreprise", True),
        ("PARENT_REJETE", "proposition", "id_dossier", True),
        ("PARENT_REJETE", "engagement", "id_dispositif_instance", True),
        ("AGE_HORS_TRANCHE", "dossier", "date_naissance", False),
        ("SIRET_INVALIDE", "entreprise", "siret", False),
        ("CODE_POSTAL_INVALIDE", "structure", "code_postal", False),
        ("CODE_POSTAL_INVALIDE", "entreprise", "code_postal", False),
        ("CODE_POSTAL_INVALIDE", "adresse", "code_postal", False),
        ("TELEPHONE_INVALIDE", "structure", "telephone", False),
        ("TELEPHONE_INVALIDE", "entreprise", "telephone", False),
        ("TELEPHONE_INVALIDE", "personne_ressource", "telephone", False),
        ("TELEPHONE_INVALIDE", "dossier", "telephone", False),
        ("VERSEMENT_MONTANT", "versement", "montant", True),
        ("INSTANCE_DATES", "dispositif_instance", "date_sortie", False),
        ("TEXTE_TROP_LONG", "dossier", "nom", False),
        ("TEXTE_TROP_LONG", "adresse", "ligne1", False),
        ("TEXTE_TROP_LONG", "actualite_dossier", "libelle", False),
        ("COMPTE_HISTORIQUE", "utilisateur", "login", False),
    }


def test_defect_values_cover_every_variant(tmp_path: Path) -> None:
    generate(tmp_path, ML, 2000, seed=4, rate=0.05)
    expected = expected_of(tmp_path)
    assert expected == oracle(tmp_path)
    data = read_all(tmp_path)
    rows = {t: {r[id_column(t)]: r for r in reversed(data[t])} for t in P3_COLUMNS}

    def values(rule: str, *tables: str) -> set[str]:
        return {
            rows[str(e["object_type"])][str(e["id_p3"])][str(e["field"])]
            for e in expected
            if e["rule"] == rule and e["object_type"] in tables
        }

    sirets = values("SIRET_INVALIDE", "entreprise")
    assert "ABCDEFGHIJKLMN" in sirets
    assert any(re.fullmatch(r"\d{13}", v) for v in sirets)
    assert any(re.fullmatch(r"\d{14}", v) for v in sirets)  # fails the Luhn check only
    postal = values("CODE_POSTAL_INVALIDE", *POSTAL_TABLES)
    for pattern in (r"\d{4}", r"\d{6}", r"\d{4}[A-Z]"):
        assert any(re.fullmatch(pattern, v) for v in postal), pattern
    assert any(re.fullmatch(r"[1-9]\d{3}", v) for v in postal)  # 01000 → 1000
    phones = values("TELEPHONE_INVALIDE", *PHONE_TABLES)
    assert {"12345", "+44 20 7946 0958", "0012345678"} <= phones
    assert any(re.fullmatch(r"06 \d\d \d\d \d\d", v) for v in phones)
    assert values("VERSEMENT_MONTANT", "versement") == {"", "0", "-12,50", "abc"}
    ages = set()
    for entry in expected:
        if entry["rule"] == "AGE_HORS_TRANCHE":
            row = rows["dossier"][str(entry["id_p3"])]
            born, first = parse_date(row["date_naissance"]), parse_date(row["date_premier_accueil"])
            assert born and first
            ages.add(years_between(born, first))
    assert min(ages) < 14 and max(ages) > 30
    lengths = [len(v) for v in values("TEXTE_TROP_LONG", "actualite_dossier")]
    assert min(lengths) > 255 and max(lengths) < 500


def test_cascades_are_consistent(extract: tuple[Path, dict[str, object]]) -> None:
    folder, _ = extract
    data = read_all(folder)
    expected = expected_of(folder)
    keys = [(e["object_type"], e["id_p3"]) for e in expected]
    assert len(keys) == len(set(keys)), "at most one reject row per object"
    blocked = {
        (e["object_type"], e["id_p3"])
        for e in expected
        if e["blocking"] and e["rule"] != "DOUBLON_ID"
    }
    rows: dict[str, dict[str, dict[str, str]]] = {table: {} for table in P3_COLUMNS}
    for table in P3_COLUMNS:
        for row in data[table]:
            rows[table].setdefault(row[id_column(table)], row)  # the first copy
    cascades = [e for e in expected if e["rule"] == "PARENT_REJETE"]
    assert cascades
    for entry in cascades:
        table, field = str(entry["object_type"]), str(entry["field"])
        parent_table = field.removeprefix("id_")
        assert parent_table in PARENT_TABLES
        parent_id = rows[table][str(entry["id_p3"])][field]
        assert (parent_table, parent_id) in blocked, entry
        # no earlier parent of the row is rejected
        for earlier in PARENT_TABLES[: PARENT_TABLES.index(parent_table)]:
            column = f"id_{earlier}"
            if column in P3_COLUMNS[table]:
                assert (earlier, rows[table][str(entry["id_p3"])][column]) not in blocked
    dossier_ids = {r["id_dossier"] for r in data["dossier"]}
    for entry in expected:
        if entry["rule"] == "PARENT_ABSENT":
            row = rows[str(entry["object_type"])][str(entry["id_p3"])]
            assert row[str(entry["field"])] not in dossier_ids


def test_fan_out_per_dossier(extract: tuple[Path, dict[str, object]]) -> None:
    _, result = extract
    files = result["files"]
    assert isinstance(files, dict)
    children = sum(
        count
        for table, count in files.items()
        if list(P3_COLUMNS).index(table) > list(P3_COLUMNS).index("dossier")
    )
    assert children / 300 >= 20
    assert files["rendez_vous"] / 300 > 4 and files["proposition"] / 300 > 3.5


def test_two_thousand_dossiers_generate_quickly(tmp_path: Path) -> None:
    started = time.perf_counter()
    result = generate(tmp_path, ML, 2000, seed=11)
    elapsed = time.perf_counter() - started
    files = result["files"]
    assert isinstance(files, dict)
    print(
        f"\n2,000 dossiers: {sum(files.values())} rows, {result['expected']} expected "
        f"rejects, {elapsed:.2f} s"
    )
