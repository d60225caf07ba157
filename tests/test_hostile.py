"""Hostile values have a defined outcome: each is loaded as read, then judged by a rule.

One extract gathers them; TAB2 runs once; each test checks one value's fate in the report
and in VALIDATION.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

import pytest

from pipeline.extract import ExtractError, load_extract
from tests.conftest import campaign_ready, connect, rejects_of, write_extract

ML = "59350S00"  # Lille
S = {"code_structure": ML}
LONG = "Entretien de suivi : " + "le jeune souhaite une formation qualifiante. " * 7  # > 255


def _dossier(i: int, **values: str) -> dict[str, str]:
    row = {
        "id_dossier": str(i),
        **S,
        "numero": f"H{i}",
        "civilite": "M",
        "nom": "Dupont",
        "prenom": "Noé",
        "date_naissance": "01/02/2004",
        "date_premier_accueil": "03/04/2022",
        "statut": "ACTIF",
    }
    row.update(values)
    return row


TABLES = {
    "dossier": [
        _dossier(1, nom="Le Bœuf-N’Diaye", prenom="Zoé"),  # cp1252 œ and ’
        _dossier(2, statut=" ACTIF "),  # spaces around a code: trimmed, accepted
        _dossier(3, civilite="mme"),  # lower case: not the code MME
        _dossier(4, date_naissance="1/2/2004"),  # one-digit day and month: a date
        _dossier(5, date_naissance="01/02/04"),  # two-digit year: not a date
        _dossier(6, date_naissance="00/00/0000"),
        _dossier(7, date_premier_accueil="31/02/2015"),
        _dossier(8, nom='O"Brien; dit "Bob"'),  # quotes and semicolons survive
        _dossier(9, code_structure=ML + "ABCDEFGHIJ"),  # in scope by its INSEE code, malformed
    ],
    "adresse": [
        {
            "id_adresse": "10",
            **S,
            "id_dossier": "1",
            "ligne1": "1 rue de la Paix",
            "code_postal": "1000",
        },  # read as a number upstream: leading zero lost
    ],
    "actualite_dossier": [
        {
            "id_actualite_dossier": "20",
            **S,
            "id_dossier": "1",
            "date_actualite": "05/05/2023",
            "type": "ENTRETIEN",
            "libelle": LONG,
        },
    ],
    "dispositif": [
        {
            "id_dispositif": "30",
            **S,
            "code": "GJ",
            "libelle": "Garantie Jeunes",
            "niveau": "NATIONAL",
        }
    ],
    "dispositif_instance": [
        {
            "id_dispositif_instance": "40",
            **S,
            "id_dossier": "1",
            "id_dispositif": "30",
            "date_entree": "01/01/2023",
        }
    ],
    "versement": [
        {
            "id_versement": str(50 + i),
            **S,
            "id_dispositif_instance": "40",
            "date_versement": "01/02/2023",
            "montant": amount,
        }
        for i, amount in enumerate(["1 234,50", "1234.50", "0", "", "12,345", "99999999999,99"])
    ],
}


@pytest.fixture(scope="module")
def hostile(upgraded_databases, tmp_path_factory: pytest.TempPathFactory) -> dict:
    from pipeline import db
    from pipeline.cli import run_kind

    folder = write_extract(tmp_path_factory.mktemp("hostile"), TABLES, (ML,))
    load_extract(folder, db.p3_engine())
    campaign_ready(ML, tmp_path_factory.mktemp("prerequis"))
    summary = run_kind("TAB2", ML, str(tmp_path_factory.mktemp("reports")))
    summary["_rows"] = {
        (r["Type d'objet"], r["Identifiant P3"], r["Champ"]): r for r in rejects_of(summary)
    }
    summary["_folder"] = folder
    return summary


def _db(upgraded_databases, sql: str, *params):
    with connect(upgraded_databases.validation) as conn:
        return conn.execute(sql, params).fetchall()


def _migrated(urls, table: str, id_p3: str, column: str):
    rows = _db(
        urls,
        f"SELECT t.{column} FROM imilo.{table} t JOIN migration.id_map m"
        " ON m.imilo_id = t.id AND m.object_type = %s AND m.ml = t.ml"
        " WHERE t.ml = %s AND m.id_p3 = %s",
        table,
        ML,
        id_p3,
    )
    return rows[0][0] if rows else "not migrated"


def test_accents_and_typographic_apostrophes_are_kept(hostile, upgraded_databases):
    assert _migrated(upgraded_databases, "dossier", "1", "nom") == "Le Bœuf-N’Diaye"


def test_codes_are_trimmed_but_case_sensitive(hostile, upgraded_databases):
    assert _migrated(upgraded_databases, "dossier", "2", "statut") == "ACTIF"
    row = hostile["_rows"][("dossier", "3", "civilite")]
    assert (row["regle"], row["Valeur du champ"], row["Bloquant"]) == (
        "CODE_NON_MAPPE",
        "mme",
        "Non",
    )
    assert _migrated(upgraded_databases, "dossier", "3", "civilite") is None


def test_dates(hostile, upgraded_databases):
    rows = hostile["_rows"]
    assert _migrated(upgraded_databases, "dossier", "4", "date_naissance") == dt.date(2004, 2, 1)
    for id_p3, value in (("5", "01/02/04"), ("6", "00/00/0000")):
        row = rows[("dossier", id_p3, "date_naissance")]
        assert (row["regle"], row["Valeur du champ"], row["Bloquant"]) == (
            "DATE_INVALIDE",
            value,
            "Oui",
        )  # a mandatory date: the dossier is rejected
    row = rows[("dossier", "7", "date_premier_accueil")]
    assert (row["regle"], row["Bloquant"]) == ("DATE_INVALIDE", "Non")
    assert _migrated(upgraded_databases, "dossier", "7", "date_premier_accueil") is None


def test_quotes_and_semicolons_survive_load_and_report(hostile, upgraded_databases):
    assert _migrated(upgraded_databases, "dossier", "8", "nom") == 'O"Brien; dit "Bob"'


def test_a_postal_code_that_lost_its_leading_zero(hostile, upgraded_databases):
    row = hostile["_rows"][("adresse", "10", "code_postal")]
    assert (row["regle"], row["Valeur du champ"], row["Bloquant"]) == (
        "CODE_POSTAL_INVALIDE",
        "1000",
        "Non",
    )
    assert _migrated(upgraded_databases, "adresse", "10", "code_postal") is None


def test_a_300_character_text_is_cut_and_reported(hostile, upgraded_databases):
    row = hostile["_rows"][("actualite_dossier", "20", "libelle")]
    assert (row["regle"], row["Valeur du champ"]) == ("TEXTE_TROP_LONG", LONG)  # as read
    assert _migrated(upgraded_databases, "actualite_dossier", "20", "libelle") == LONG[:255]


@pytest.mark.parametrize(
    ("id_p3", "outcome"),
    [
        ("50", Decimal("1234.50")),  # French thousands separator
        ("51", Decimal("1234.50")),  # a decimal point
        ("52", "VERSEMENT_MONTANT"),  # zero is no payment
        ("53", "VERSEMENT_MONTANT"),  # empty
        ("54", "VERSEMENT_MONTANT"),  # three decimals: not euros and cents
        ("55", "VERSEMENT_MONTANT"),  # beyond the i-milo column numeric(12, 2)
    ],
)
def test_amounts(hostile, upgraded_databases, id_p3: str, outcome):
    if isinstance(outcome, Decimal):
        assert _migrated(upgraded_databases, "versement", id_p3, "montant") == outcome
    else:
        assert hostile["_rows"][("versement", id_p3, "montant")]["regle"] == outcome
        assert _migrated(upgraded_databases, "versement", id_p3, "montant") == "not migrated"


def test_everything_balances(hostile):
    for table, c in hostile["objects"].items():
        assert c["read"] == c["migrated"] + c["rejected"] + c["out_of_scope"], table


def _folder(tmp_path: Path, content: bytes) -> Path:
    folder = write_extract(tmp_path / "x", {"dossier": [_dossier(1)]}, (ML,))
    (folder / "adresse.csv").write_bytes(content)
    return folder


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (
            b"id_adresse;code_structure;ligne1\r\n1;59350S00;caf\x81\r\n",
            r"line 2, column ligne1: value b'caf\\x81'.*not valid cp1252",
        ),
        (
            b"id_adresse;code_structure;ligne1\r\n1;59350S00;a\x00b\r\n",
            r"line 2, column ligne1: a NUL byte",
        ),
        (
            "id_adresse;code_structure;ligne1\r\n1;59350S00;Hélène\r\n".encode(),
            r"line 2: accents written in UTF-8",
        ),
        (
            b"\xef\xbb\xbfid_adresse;code_structure;ligne1\r\n1;59350S00;a\r\n",
            r"line 1: starts with a UTF-8 byte order mark",
        ),
    ],
)
def test_bytes_the_encoding_cannot_hold_stop_the_load(
    upgraded_databases, tmp_path, content, message
):
    from pipeline import db

    with pytest.raises(ExtractError, match=message):
        load_extract(_folder(tmp_path, content), db.p3_engine())


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"id_adresse;code_structure;ligne1\r\n1;59350S00;caf\x81\r\n", r"line 2, column ligne1"),
        (b"id_adresse;code_structure;ligne1\r\n1;59350S00;a\x00b\r\n", r"a NUL byte"),
        ("id_adresse;code_structure;ligne1\r\n1;59350S00;Hélène\r\n".encode(), r"in UTF-8"),
        (b"\xef\xbb\xbfid_adresse;code_structure;ligne1\r\n1;59350S00;a\r\n", r"byte order"),
    ],
)
def test_the_precheck_refuses_the_same_bytes(tmp_path, content, message):
    from pipeline.precheck import precheck

    with pytest.raises(ExtractError, match=message):
        precheck(_folder(tmp_path, content), tmp_path / "r", ML)


def test_the_precheck_of_hostile_values_equals_tab2(hostile, tmp_path):
    # The pre-check reads the files with Arrow, TAB2 reads what the loader stored: every
    # hostile value must come out the same in both reports.
    from pipeline.precheck import precheck_with_rlm_inputs

    pre = precheck_with_rlm_inputs(hostile["_folder"], tmp_path / "pre", ML)[0]

    def rows(summary):
        return sorted(
            tuple(v for k, v in r.items() if k != "Heure de migration") for r in rejects_of(summary)
        )

    assert rows(pre) == rows(hostile)
    assert pre["objects"] == hostile["objects"]


def test_one_utf8_line_in_a_cp1252_file_is_named(upgraded_databases, tmp_path):
    # Regression: a file mostly cp1252 with one line written in UTF-8 was loaded as "HÃ©lÃ¨ne".
    from pipeline import db

    content = (
        "id_adresse;code_structure;ligne1\r\n1;59350S00;Bègles\r\n".encode("cp1252")
        + "2;59350S00;Hélène\r\n".encode()
    )
    with pytest.raises(ExtractError, match=r"adresse\.csv: line 3: accents written in UTF-8"):
        load_extract(_folder(tmp_path, content), db.p3_engine())


def test_a_malformed_code_structure_in_scope_is_reported(hostile):
    # Regression: "65440S00ABCDEF…" passed the scope test and migrated without a word.
    row = hostile["_rows"].get(("dossier", "9", "code_structure"))
    assert row is not None and (row["regle"], row["Bloquant"]) == ("CODE_NON_MAPPE", "Non")
