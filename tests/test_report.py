"""The migration report (pipeline.report), read back by independent readers.

openpyxl and python-calamine read the workbook; the csv and json modules read
the two files beside it; LibreOffice, when installed, converts every sheet.
"""

from __future__ import annotations

import csv
import json
import shutil
import subprocess
from collections import Counter
from datetime import datetime
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from python_calamine import CalamineWorkbook

from pipeline.report import (
    DETAIL_COLUMNS,
    FAMILY_SHEETS,
    ReportFiles,
    sheet_names,
    write_report,
)

STEM = "rapport_TAB2_65440S00_20261204-141500"
HEADERS = [header for _, header in DETAIL_COLUMNS]
NAMES = [name for name, _ in DETAIL_COLUMNS]

FAMILIES = [
    ("entreprises", ["entreprise", "personne_ressource"]),
    ("dossiers", ["dossier", "situation"]),
    ("propositions", ["proposition"]),
]
EXPECTED_SHEETS = [
    "PARTENAIRE Synthèse",
    "PARTENAIRE Détail",
    "DOSSIER Synthèse",
    "DOSSIER Détail",
    "PROPOSITION Synthèse",
    "PROPOSITION Détail",
    "Total",
    "Croisé",
]
FAMILY_OF = {t: FAMILY_SHEETS[key] for key, types in FAMILIES for t in types}

SUMMARY = {
    "run_kind": "TAB2",
    "ml": "65440S00",
    "plateforme": "65440",
    "environment": "VALIDATION",
    "started_at": "2026-12-04T14:15:00+01:00",
    "finished_at": "2026-12-04T14:32:10+01:00",
    "objects": {
        "entreprise": {
            "read": 120,
            "migrated": 117,
            "rejected": 3,
            "migrated_with_errors": 2,
            "out_of_scope": 0,
        },
        "personne_ressource": {
            "read": 40,
            "migrated": 40,
            "rejected": 0,
            "migrated_with_errors": 1,
            "out_of_scope": 0,
        },
        "dossier": {
            "read": 5000,
            "migrated": 4990,
            "rejected": 4,
            "migrated_with_errors": 3,
            "out_of_scope": 6,
        },
        "situation": {
            "read": 7000,
            "migrated": 7000,
            "rejected": 0,
            "migrated_with_errors": 0,
            "out_of_scope": 0,
        },
        "proposition": {
            "read": 900,
            "migrated": 897,
            "rejected": 3,
            "migrated_with_errors": 0,
            "out_of_scope": 0,
        },
    },
    "rules": {"SIRET_INVALIDE": 2, "EMAIL_INVALIDE": 3, "PARENT_REJETE": 3},
}

LABELS = {
    "SIRET_INVALIDE": "SIRET invalide",
    "EMAIL_INVALIDE": "Adresse e-mail invalide",
    "CODE_POSTAL_INVALIDE": "Code postal invalide",
    "PARENT_REJETE": "Objet parent rejeté",
    "CHAMP_OBLIGATOIRE": "Champ obligatoire vide",
    "DOUBLON_ID": "Identifiant P3 en double",
    "PE_IDENTIFIANT": "Identifiant Pôle emploi invalide",
}


def reject(
    regle: str,
    type_objet: str,
    id_p3: str,
    *,
    heure: object = "2026-12-04T14:15:07",
    bloquant: str = "Non",
    champ: str = "email",
    valeur: str = "jean@@x",
    **other: object,
) -> dict:
    row = {
        "regle": regle,
        "niveau": "ERREUR" if bloquant == "Oui" else "ALERTE",
        "heure": heure,
        "type_objet": type_objet,
        "id_p3": id_p3,
        "id_parent": "",
        "info_complementaire": "",
        "info_demat": "",
        "info_objet": "DUPONT Jean",
        "info2_objet": "03/02/2004",
        "vide": "",
        "plateforme": "65440",
        "code_structure": "01053S00",
        "type_erreur": LABELS[regle],
        "libelle_element": f"{type_objet} {id_p3}",
        "champ": champ,
        "valeur": valeur,
        "bloquant": bloquant,
    }
    row.update(other)
    return row


CHUNKS = [
    [
        reject("SIRET_INVALIDE", "entreprise", "000017", champ="siret", valeur="0123"),
        reject(
            "CODE_POSTAL_INVALIDE",
            "entreprise",
            "000018",
            champ="code_postal",
            valeur="01000 ",
            heure=datetime(2026, 12, 4, 14, 15, 8),
        ),
        reject("EMAIL_INVALIDE", "dossier", "0000123", heure=pd.Timestamp("2026-12-04 14:16:00")),
        reject(
            "CHAMP_OBLIGATOIRE",
            "dossier",
            "0000124",
            bloquant="Oui",
            champ="nom",
            valeur="",
            heure=None,
        ),
    ],
    [],  # an empty chunk is fine
    [
        reject(
            "PARENT_REJETE",
            "proposition",
            "0042",
            bloquant="Oui",
            id_parent="0000124",
            champ="",
            valeur="",
            info_complementaire="R-007",
        ),
        reject("EMAIL_INVALIDE", "personne_ressource", "PR-1", valeur="a < b & c > d"),
        reject(
            "EMAIL_INVALIDE",
            "dossier",
            "0000125",
            valeur='l1\nl2;"guillemets"',
            heure="2026-12-04T14:17:30.250000+01:00",
        ),
    ],
    [
        reject("DOUBLON_ID", "dossier", "0000123", bloquant="Oui", champ="id", valeur="0000123"),
        reject("PARENT_REJETE", "proposition", "0043", bloquant="Oui", valeur="<r>x</r>"),
        reject("PARENT_REJETE", "proposition", "0044", bloquant="Oui", valeur="  é€😀 "),
        reject("PE_IDENTIFIANT", "dossier", "0000126", champ="identifiant_pe", valeur="4053956z"),
        reject("SIRET_INVALIDE", "entreprise", "000019", champ="siret", valeur="00000000000000"),
    ],
]
ALL_ROWS = [row for chunk in CHUNKS for row in chunk]


def frames(chunks: list[list[dict]] = CHUNKS):
    for chunk in chunks:
        yield pd.DataFrame(chunk, columns=["regle", *NAMES])


def as_text_heure(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return datetime.fromisoformat(value).isoformat()
    return pd.Timestamp(value).to_pydatetime().isoformat()


def naive(value: object) -> datetime | None:
    if value is None:
        return None
    parsed = datetime.fromisoformat(value) if isinstance(value, str) else pd.Timestamp(value)
    return pd.Timestamp(parsed).to_pydatetime().replace(tzinfo=None)


@pytest.fixture(scope="module")
def report(tmp_path_factory: pytest.TempPathFactory) -> ReportFiles:
    out = tmp_path_factory.mktemp("report") / "sortie"  # created by write_report
    return write_report(out, STEM, SUMMARY, FAMILIES, frames())


@pytest.fixture(scope="module")
def book(report: ReportFiles) -> openpyxl.Workbook:
    return openpyxl.load_workbook(report.xlsx)


@pytest.fixture(scope="module")
def calamine(report: ReportFiles) -> dict[str, list[list]]:
    wb = CalamineWorkbook.from_path(str(report.xlsx))
    return {name: wb.get_sheet_by_name(name).to_python() for name in wb.sheet_names}


def test_files_and_names(report: ReportFiles) -> None:
    out = report.xlsx.parent
    assert report.xlsx == out / f"{STEM}.xlsx"
    assert report.csv == out / f"{STEM}.rejets.csv"
    assert report.json == out / f"{STEM}.json"
    assert sorted(p.name for p in out.iterdir()) == sorted(
        [f"{STEM}.xlsx", f"{STEM}.rejets.csv", f"{STEM}.json"]
    )


def test_sheet_names_in_order(book: openpyxl.Workbook, calamine: dict) -> None:
    assert book.sheetnames == EXPECTED_SHEETS
    assert list(calamine) == EXPECTED_SHEETS
    assert sheet_names(FAMILIES) == EXPECTED_SHEETS
    assert all(len(name) <= 31 for name in EXPECTED_SHEETS)


def test_every_family_name_fits_excel() -> None:
    names = sheet_names([(key, []) for key in FAMILY_SHEETS])
    assert len(names) == 2 * 10 + 2
    assert "INSTANCES Détail" in names
    assert max(len(name) for name in names) <= 31


def detail_sheets() -> list[tuple[str, list[dict]]]:
    sheets = [
        (f"{FAMILY_SHEETS[key]} Détail", [r for r in ALL_ROWS if r["type_objet"] in types])
        for key, types in FAMILIES
    ]
    return [*sheets, ("Total", ALL_ROWS)]


@pytest.mark.parametrize(("sheet", "rows"), detail_sheets())
def test_detail_sheets_openpyxl(book: openpyxl.Workbook, sheet: str, rows: list[dict]) -> None:
    ws = book[sheet]
    values = list(ws.iter_rows(values_only=True))
    assert list(values[0]) == HEADERS
    assert ws.max_column == 17
    assert len(values) == 1 + len(rows)
    assert ws.freeze_panes == "A2"
    assert ws.auto_filter.ref == f"A1:Q{1 + len(rows)}"
    for got, want in zip(values[1:], rows, strict=True):
        for col, name in enumerate(NAMES):
            if name == "heure":
                assert got[col] == naive(want["heure"])
            else:
                assert got[col] == (want[name] or None), (sheet, name)


def test_detail_cells_types_openpyxl(book: openpyxl.Workbook) -> None:
    ws = book["DOSSIER Détail"]
    assert ws["L2"].value == "01053S00"
    assert ws["L2"].data_type == "s"
    assert ws["D2"].value == "0000123"
    assert ws["D2"].data_type == "s"
    assert ws["K2"].value == "65440"
    assert ws["K2"].data_type == "s"
    assert ws["B2"].is_date
    assert ws["B2"].number_format == "dd/mm/yyyy hh:mm:ss"
    assert ws["B3"].value is None  # no heure: empty cell
    partenaire = book["PARTENAIRE Détail"]
    assert partenaire["P3"].value == "01000 "  # leading zero and trailing space kept
    assert partenaire["P4"].value == "a < b & c > d"  # personne_ressource
    assert partenaire["P5"].value == "00000000000000"


@pytest.mark.parametrize(("sheet", "rows"), detail_sheets())
def test_detail_sheets_calamine(calamine: dict, sheet: str, rows: list[dict]) -> None:
    values = calamine[sheet]
    assert values[0] == HEADERS
    assert len(values) == 1 + len(rows)
    for got, want in zip(values[1:], rows, strict=True):
        assert len(got) == 17
        for col, name in enumerate(NAMES):
            if name == "heure":
                expected = naive(want["heure"])
                # calamine gives a date for a midnight time and "" for an empty cell
                assert got[col] == (expected if expected is not None else "")
            else:
                assert got[col] == want[name], (sheet, name)


def test_control_characters_survive(tmp_path: Path) -> None:
    rows = [
        reject("EMAIL_INVALIDE", "dossier", "1", valeur="x\x01y"),
        reject("EMAIL_INVALIDE", "dossier", "2", valeur="_x0041_"),
        reject("EMAIL_INVALIDE", "dossier", "3", valeur="a\tb"),
    ]
    files = write_report(tmp_path, "r", {}, [("dossiers", ["dossier"])], frames([rows]))
    sheet = CalamineWorkbook.from_path(str(files.xlsx)).get_sheet_by_name("DOSSIER Détail")
    assert [row[15] for row in sheet.to_python()[1:]] == ["x\x01y", "_x0041_", "a\tb"]
    openpyxl.load_workbook(files.xlsx)  # well-formed XML


def synthese_tables(values: list[list]) -> tuple[list[list], list[list]]:
    blank = next(i for i, row in enumerate(values) if all(v in (None, "") for v in row))
    return values[:blank], values[blank + 1 :]


@pytest.mark.parametrize(("key", "types"), FAMILIES)
def test_synthese(book: openpyxl.Workbook, calamine: dict, key: str, types: list[str]) -> None:
    sheet = f"{FAMILY_SHEETS[key]} Synthèse"
    values = [list(row) for row in book[sheet].iter_rows(values_only=True)]
    objects, errors = synthese_tables(values)
    assert objects[0][:6] == [
        "Type d'objet",
        "Lus dans P3",
        "Migrés",
        "Rejetés (bloquant)",
        "Migrés avec erreurs non bloquantes",
        "Hors périmètre",
    ]
    assert [row[0] for row in objects[1:]] == types  # zero-reject types too
    for row in objects[1:]:
        counts = SUMMARY["objects"][row[0]]
        assert row[1:6] == [
            counts["read"],
            counts["migrated"],
            counts["rejected"],
            counts["migrated_with_errors"],
            counts["out_of_scope"],
        ]
    assert errors[0][:5] == ["Type d'objet", "Type d'erreur", "Code règle", "Bloquant", "Nombre"]
    expected = Counter(
        (r["type_objet"], r["type_erreur"], r["regle"], r["bloquant"])
        for r in ALL_ROWS
        if r["type_objet"] in types
    )
    got = {(row[0], row[1], row[2], row[3]): row[4] for row in errors[1:]}
    assert got == dict(expected)
    assert len(errors) - 1 == len(expected)
    # The same numbers through calamine.
    cal_objects, _ = synthese_tables(calamine[sheet])
    assert [row[1] for row in cal_objects[1:]] == [SUMMARY["objects"][t]["read"] for t in types]


def test_croise(book: openpyxl.Workbook, calamine: dict) -> None:
    ws = book["Croisé"]
    values = [list(row) for row in ws.iter_rows(values_only=True)]
    labels = sorted({r["type_erreur"] for r in ALL_ROWS})
    top, sub = values[0], values[1]
    assert top[0] == "Type d'objet"
    assert [top[1 + 2 * i] for i in range(len(labels))] == labels
    assert top[1 + 2 * len(labels)] == "Total"
    assert sub[1:] == ["Bloquant", "Non bloquant"] * len(labels) + [
        "Bloquant",
        "Non bloquant",
        "Total",
    ]
    assert "A1:A2" in {str(r) for r in ws.merged_cells.ranges}
    object_types = [t for _, types in FAMILIES for t in types]
    body = values[2:]
    assert [row[0] for row in body] == [*object_types, "Total"]
    for row in body[:-1]:
        for i, label in enumerate(labels):
            for offset, bloquant in ((1, "Oui"), (2, "Non")):
                assert row[2 * i + offset] == sum(
                    1
                    for r in ALL_ROWS
                    if r["type_objet"] == row[0]
                    and r["type_erreur"] == label
                    and r["bloquant"] == bloquant
                ), (row[0], label, bloquant)
        n = sum(1 for r in ALL_ROWS if r["type_objet"] == row[0])
        n_blocking = sum(
            1 for r in ALL_ROWS if r["type_objet"] == row[0] and r["bloquant"] == "Oui"
        )
        assert row[-3:] == [n_blocking, n - n_blocking, n]
    total = body[-1]
    n_blocking = sum(1 for r in ALL_ROWS if r["bloquant"] == "Oui")
    assert total[-3:] == [n_blocking, len(ALL_ROWS) - n_blocking, len(ALL_ROWS)]
    assert calamine["Croisé"][-1][-1] == len(ALL_ROWS)


def test_csv(report: ReportFiles) -> None:
    raw = report.csv.read_bytes()
    assert not raw.startswith(b"\xef\xbb\xbf")  # no BOM
    with report.csv.open(encoding="utf-8", newline="") as fh:
        rows = list(csv.reader(fh, delimiter=";"))
    assert rows[0] == ["regle", *HEADERS]
    assert len(rows) == 1 + len(ALL_ROWS)
    for got, want in zip(rows[1:], ALL_ROWS, strict=True):
        expected = [want["regle"]] + [
            as_text_heure(want["heure"]) if name == "heure" else want[name] for name in NAMES
        ]
        assert got == expected
    assert rows[3][1 + NAMES.index("heure")] == "2026-12-04T14:16:00"
    assert rows[7][1 + NAMES.index("heure")] == "2026-12-04T14:17:30.250000+01:00"


def test_csv_order_is_total_order(report: ReportFiles, calamine: dict) -> None:
    with report.csv.open(encoding="utf-8", newline="") as fh:
        rows = list(csv.reader(fh, delimiter=";"))[1:]
    ids = [(row[0 + 1 + NAMES.index("type_objet")], row[1 + NAMES.index("id_p3")]) for row in rows]
    total = [
        (row[NAMES.index("type_objet")], row[NAMES.index("id_p3")]) for row in calamine["Total"][1:]
    ]
    assert ids == total


def test_json_round_trips(report: ReportFiles) -> None:
    text = report.json.read_text(encoding="utf-8")
    assert json.loads(text) == SUMMARY
    assert list(json.loads(text)) == list(SUMMARY)  # keys as given, not sorted
    accented = {"environment": "RECETTE", "note": "Évolution"}
    files = write_report(report.json.parent.parent / "j", "j", accented, FAMILIES[:1], [])
    assert '"Évolution"' in files.json.read_text(encoding="utf-8")  # ensure_ascii=False
    assert files.json.read_text(encoding="utf-8").startswith('{\n  "environment"')


def test_no_rejects(tmp_path: Path) -> None:
    files = write_report(tmp_path, "vide", SUMMARY, FAMILIES, [])
    wb = openpyxl.load_workbook(files.xlsx)
    assert wb.sheetnames == EXPECTED_SHEETS
    assert [c.value for c in wb["Total"][1]] == HEADERS
    assert wb["Total"].max_row == 1
    with files.csv.open(encoding="utf-8", newline="") as fh:
        assert list(csv.reader(fh, delimiter=";")) == [["regle", *HEADERS]]
    croise = [list(r) for r in wb["Croisé"].iter_rows(values_only=True)]
    assert croise[-1] == ["Total", 0, 0, 0]


def test_bloquant_booleans_and_extra_columns(tmp_path: Path) -> None:
    frame = pd.DataFrame(
        [reject("EMAIL_INVALIDE", "dossier", "1"), reject("DOUBLON_ID", "dossier", "2")]
    )
    frame["bloquant"] = [False, True]
    frame["colonne_en_plus"] = "ignorée"
    files = write_report(tmp_path, "b", {}, [("dossiers", ["dossier"])], [frame])
    ws = openpyxl.load_workbook(files.xlsx)["DOSSIER Détail"]
    assert [ws["Q2"].value, ws["Q3"].value] == ["Non", "Oui"]
    assert ws.max_column == 17


@pytest.mark.parametrize(
    ("families", "row", "message"),
    [
        ([("dossiers", ["dossier"])], {"type_objet": "rubrique"}, "no migrated family"),
        ([("dossiers", ["dossier"])], {"bloquant": "peut-être"}, "Oui or Non"),
        ([("dossiers", ["dossier"])], {"heure": "04/12/2026"}, "ISO 8601"),
        ([("inconnue", ["dossier"])], {}, "unknown family"),
        ([("dossiers", ["dossier"]), ("demat", ["dossier"])], {}, "in both"),
    ],
)
def test_refusals_leave_no_file(tmp_path: Path, families, row: dict, message: str) -> None:
    frame = pd.DataFrame([{**reject("EMAIL_INVALIDE", "dossier", "1"), **row}])
    with pytest.raises(ValueError, match=message):
        write_report(tmp_path, "x", {}, families, [frame])
    assert list(tmp_path.iterdir()) == []


def test_missing_column_is_refused(tmp_path: Path) -> None:
    frame = pd.DataFrame([reject("EMAIL_INVALIDE", "dossier", "1")]).drop(columns=["vide"])
    with pytest.raises(ValueError, match="vide"):
        write_report(tmp_path, "x", {}, [("dossiers", ["dossier"])], [frame])
    assert list(tmp_path.iterdir()) == []


def test_many_rejects_in_chunks(tmp_path: Path) -> None:
    types = ["entreprise", "dossier", "situation", "proposition"]

    def chunks():
        for start in range(0, 30_000, 7_000):
            n = min(7_000, 30_000 - start)
            yield pd.DataFrame(
                [
                    reject(
                        "EMAIL_INVALIDE" if i % 3 else "PARENT_REJETE",
                        types[i % 4],
                        f"{i:08d}",
                        bloquant="Non" if i % 3 else "Oui",
                        heure=datetime(2026, 12, 4, 14, 15) + pd.Timedelta(seconds=i),
                    )
                    for i in range(start, start + n)
                ]
            )

    files = write_report(tmp_path, "gros", SUMMARY, FAMILIES, chunks())
    wb = CalamineWorkbook.from_path(str(files.xlsx))
    total = wb.get_sheet_by_name("Total").to_python()
    assert len(total) == 30_001
    assert total[-1][NAMES.index("id_p3")] == "00029999"
    assert total[-1][1] == datetime(2026, 12, 4, 14, 15) + pd.Timedelta(seconds=29_999)
    dossier = wb.get_sheet_by_name("DOSSIER Détail").to_python()
    assert len(dossier) == 1 + 15_000  # dossier and situation
    croise = wb.get_sheet_by_name("Croisé").to_python()
    assert croise[-1][-3:] == [10_000, 20_000, 30_000]


LIBREOFFICE = shutil.which("libreoffice") or shutil.which("soffice")
# 59 = ";", 34 = '"', 76 = UTF-8, 1 = from line 1, then: quote all text = false,
# detect special numbers = true, save cell contents as shown = true (dates as
# dd/mm/yyyy hh:mm:ss, not in the locale's m/d/y), formulas = false, remove
# spaces = false, sheet = -1 (every sheet, one file "<name>-<sheet>.csv" each).
LIBREOFFICE_CSV = "csv:Text - txt - csv (StarCalc):59,34,76,1,,0,false,true,true,false,false,-1"


@pytest.mark.skipif(LIBREOFFICE is None, reason="LibreOffice is not installed")
def test_libreoffice_converts_every_sheet(report: ReportFiles, tmp_path: Path) -> None:
    out = tmp_path / "csv"
    profile = (tmp_path / "profile").as_uri()  # own profile: no clash with a running soffice
    done = subprocess.run(
        [
            LIBREOFFICE,
            f"-env:UserInstallation={profile}",
            "--headless",
            "--convert-to",
            LIBREOFFICE_CSV,
            "--outdir",
            str(out),
            str(report.xlsx),
        ],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert sorted(p.name for p in out.iterdir()) == sorted(
        f"{STEM}-{sheet}.csv" for sheet in EXPECTED_SHEETS
    )

    def read(sheet: str) -> list[list[str]]:
        with (out / f"{STEM}-{sheet}.csv").open(encoding="utf-8", newline="") as fh:
            return list(csv.reader(fh, delimiter=";"))

    total = read("Total")
    assert total[0] == HEADERS
    assert len(total) == 1 + len(ALL_ROWS)
    with report.csv.open(encoding="utf-8", newline="") as fh:
        ours = list(csv.reader(fh, delimiter=";"))[1:]
    heure = NAMES.index("heure")
    for got, want in zip(total[1:], ours, strict=True):
        assert got[:heure] + got[heure + 1 :] == want[1 : 1 + heure] + want[2 + heure :]
    assert total[1][heure] == "04/12/2026 14:15:07"
    assert total[1][NAMES.index("code_structure")] == "01053S00"
    assert read("DOSSIER Détail")[0] == HEADERS
    synthese = read("DOSSIER Synthèse")
    assert synthese[1][:6] == ["dossier", "5000", "4990", "4", "3", "6"]
    assert read("Croisé")[-1][-1] == str(len(ALL_ROWS))
