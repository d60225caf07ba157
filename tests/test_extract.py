"""Loading a P3 extract: strict about the form, faithful about the values."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import text

from pipeline.extract import ExtractError, load_extract
from tests.conftest import write_extract

ML = "01053S00"
DOSSIER = {
    "id_dossier": "7",
    "code_structure": ML,
    "nom": "Lefèvre",
    "prenom": "Zoé",
    "date_naissance": "01/02/2005",
    "statut": "ACTIF",
}


@pytest.fixture
def p3(upgraded_databases):
    from pipeline import db

    return db.p3_engine()


def _extract_count(p3) -> int:
    with p3.connect() as conn:
        return conn.execute(text("SELECT count(*) FROM p3.extract")).scalar_one()


def test_values_are_kept_as_read(p3, tmp_path: Path):
    folder = write_extract(
        tmp_path / "x",
        {
            "dossier": [DOSSIER, DOSSIER],  # a duplicate P3 id is kept: the pipeline judges it
            "adresse": [
                {
                    "id_adresse": "1",
                    "code_structure": ML,
                    "id_dossier": "7",
                    "ligne1": '3 rue de l’Œuvre; bât. "B"',
                    "code_postal": "01000",
                }
            ],
        },
        (ML,),
    )
    result = load_extract(folder, p3)
    assert result.rows == {"adresse": 1, "dossier": 2}
    with p3.connect() as conn:
        line, postal = conn.execute(
            text("SELECT ligne1, code_postal FROM p3.adresse WHERE extract_id = :e"),
            {"e": result.extract_id},
        ).one()
        lines = (
            conn.execute(
                text("SELECT line_no FROM p3.dossier WHERE extract_id = :e ORDER BY line_no"),
                {"e": result.extract_id},
            )
            .scalars()
            .all()
        )
    assert line == '3 rue de l’Œuvre; bât. "B"'  # cp1252 accents, quotes and ; survive
    assert postal == "01000"  # leading zero kept
    assert lines == [2, 3]  # rows keyed by file line, header is line 1


def test_a_new_extract_of_an_ml_replaces_the_previous_one(p3, tmp_path: Path):
    first = load_extract(write_extract(tmp_path / "a", {"dossier": [DOSSIER]}, (ML,)), p3)
    second = load_extract(write_extract(tmp_path / "b", {"dossier": [DOSSIER]}, (ML,)), p3)
    with p3.connect() as conn:
        ids = conn.execute(
            text("SELECT id FROM p3.extract WHERE structures::jsonb ? :ml"), {"ml": ML}
        ).scalars()
        assert list(ids) == [second.extract_id] != [first.extract_id]


def _bad(tmp_path: Path, name: str, content: bytes) -> Path:
    folder = write_extract(tmp_path / "bad", {"dossier": [DOSSIER]}, (ML,))
    (folder / name).write_bytes(content)
    return folder


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        (
            "adresse.csv",
            b"id_adresse;code_structure;couleur\n1;01053S00;bleu\n",
            r"adresse\.csv: line 1: unknown column 'couleur'",
        ),
        (
            "adresse.csv",
            b"code_structure;ligne1\n01053S00;x\n",
            r"adresse\.csv: line 1: missing id column 'id_adresse'",
        ),
        (
            "adresse.csv",
            b"id_adresse;code_structure;ligne1\n1;01053S00;ok\n2;01053S00;caf\x81\n",
            r"adresse\.csv: line 3, column ligne1: value b'caf\\x81'.*not valid cp1252",
        ),
        (
            "adresse.csv",
            b"id_adresse;code_structure;ligne1\n1;01053S00;a;b\n",
            r"adresse\.csv: line 2: 4 fields, the header has 3; first value '1'",
        ),
        (
            "adresse.csv",
            b'id_adresse;code_structure;ligne1\n1;01053S00;"open\n',
            r"adresse\.csv: line \d+: .*",
        ),
        ("clients.csv", b"id_clients\n1\n", r"clients\.csv: not a P3 table"),
        (
            "manifest.json",
            json.dumps(
                {"plateforme": "sept", "extracted_at": "2026-11-27T21:00:00", "structures": [ML]}
            ).encode(),
            r"manifest\.json: field 'plateforme': expected int, got 'sept'",
        ),
    ],
)
def test_a_malformed_extract_is_refused_before_anything_is_written(
    p3, tmp_path: Path, name: str, content: bytes, message: str
):
    folder = _bad(tmp_path, name, content)
    before = _extract_count(p3)
    with pytest.raises(ExtractError, match=message):
        load_extract(folder, p3)
    assert _extract_count(p3) == before
