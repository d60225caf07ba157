"""The migration report of one run and ML (MIGRATION.md section 6).

``write_report`` writes three files side by side, named after one stem:

* ``<stem>.xlsx``: for each migrated family, in the order given, the sheets
  ``<FAMILLE> Synthèse`` and ``<FAMILLE> Détail``; then ``Total`` (every reject
  of every family) and ``Croisé`` (the cross-tab of errors, laid out as
  ``_Workbook._write_cross`` says);
* ``<stem>.rejets.csv``: UTF-8 without BOM, ``;`` separated, ``\\n`` line ends,
  a header row ``regle`` + the seventeen French headers, then one row per
  reject in the order the rejects were given (the order of ``Total``);
* ``<stem>.json``: the run summary assembled by the caller, as given.

Memory stays flat however many rejects there are: the workbook is written in
xlsxwriter's ``constant_memory`` mode, where each worksheet streams its rows to
its own temporary file. Rows must be written in order *within* a sheet but
sheets may be interleaved, so each chunk of rejects is written at once to its
family's ``Détail`` sheet, to ``Total`` and to the CSV; only the counts (and
one chunk) are kept in memory. The ``Synthèse`` and ``Croisé`` sheets, which
need the counts, are written after the last chunk (sheet order is fixed when
the sheets are added, at the start). The rows of ``Détail`` and ``Total`` are
built as XML here, column by column with Arrow (``_Columns``), and streamed by a
small subclass of xlsxwriter's worksheet (``_StreamedWorksheet``), deflated as
they come (``pipeline.deflated_rows``) and spliced into the zip when the
workbook closes: xlsxwriter's cell-by-cell API would take about 25 s for
100,000 rejects, this well under 2 s.

Cell values: every column but ``heure`` is written as text (ids, codes
structure and postal codes keep their leading zeros); ``heure`` (a datetime,
a ``pandas.Timestamp``, a date or an ISO 8601 string) is a real Excel datetime
shown ``dd/mm/yyyy hh:mm:ss``; a time zone, if any, is dropped in the workbook
(wall-clock time as given) and kept in the CSV (ISO 8601). Excel cuts a cell
at 32,767 characters; the CSV keeps the whole value. Empty values (``None``,
``NaN``, ``""``) are left as empty cells.

The three files are first written under hidden ``.<name>.part`` names and
renamed at the end, so a run that fails leaves no half report behind.
"""

from __future__ import annotations

import contextlib
import csv
import io
import json
import math
import os
import re
import tempfile
import unicodedata
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import xlsxwriter
from xlsxwriter.format import Format
from xlsxwriter.worksheet import Worksheet

from pipeline.deflated_rows import DeflatedRows, splice

DETAIL_COLUMNS: list[tuple[str, str]] = [
    ("niveau", "Niveau de l'erreur"),
    ("heure", "Heure de migration"),
    ("type_objet", "Type d'objet"),
    ("id_p3", "Identifiant P3"),
    ("id_parent", "Identifiant parent"),
    ("info_complementaire", "Info complémentaire"),
    ("info_demat", "Info complémentaire démat"),
    ("info_objet", "Info pour trouver l'objet"),
    ("info2_objet", "Info2 pour trouver l'objet"),
    ("vide", "Vide"),
    ("plateforme", "Numéro de plateforme"),
    ("code_structure", "Code de la structure"),
    ("type_erreur", "Type d'erreur"),
    ("libelle_element", "Libellé de l'élément en erreur"),
    ("champ", "Champ"),
    ("valeur", "Valeur du champ"),
    ("bloquant", "Bloquant"),
]
"""(internal name, French header) of the detail columns A to Q, in order."""


FAMILY_SHEETS: dict[str, str] = {
    "referentiels": "REFERENTIEL",
    "utilisateurs": "UTILISATEUR",
    "structures": "STRUCTURE",
    "entreprises": "PARTENAIRE",
    "offres": "OFFRE",
    "dispositifs": "DISPOSITIFS",
    "dossiers": "DOSSIER",
    "instances": "INSTANCES",
    "propositions": "PROPOSITION",
    "demat": "DEMAT",
}
"""Family key -> the family name that starts its two sheet names."""

TOTAL_SHEET = "Total"
CROSS_SHEET = "Croisé"
INDICATORS_SHEET = "Indicateurs"
GO_NO_GO_SHEET = "GO-NO GO"
EVOLUTION_SHEET = "Évolution"
INDICATOR_HEADERS = ("Code", "Indicateur", "Valeur P3", "Valeur i-milo", "Différence")
CRITERION_HEADERS = ("Critère", "Valeur P3", "Valeur i-milo", "Taux (%)", "Atteint")

SYNTHESE_OBJECT_HEADERS: list[tuple[str, str]] = [
    ("read", "Lus dans P3"),
    ("migrated", "Migrés"),
    ("rejected", "Rejetés (bloquant)"),
    ("migrated_with_errors", "Migrés avec erreurs non bloquantes"),
    ("out_of_scope", "Hors périmètre"),
]
"""(key of ``summary["objects"][type]``, French header) of the first Synthèse table."""

SYNTHESE_ERROR_HEADERS: list[str] = [
    "Type d'objet",
    "Type d'erreur",
    "Code règle",
    "Bloquant",
    "Nombre",
]

CSV_HEADER: list[str] = ["regle", *(header for _, header in DETAIL_COLUMNS)]
INPUT_COLUMNS: list[str] = ["regle", *(name for name, _ in DETAIL_COLUMNS)]

OUI, NON = "Oui", "Non"
DATETIME_FORMAT = "dd/mm/yyyy hh:mm:ss"
EXCEL_MAX_ROWS = 1_048_576

# Column widths of the Détail and Total sheets, A to Q.
_DETAIL_WIDTHS = [10, 19, 18, 16, 16, 20, 20, 26, 18, 6, 11, 14, 45, 32, 18, 28, 9]

# Positions in a normalised reject row (regle first, then A..Q).
_I_HEURE = 1 + 1
_I_TYPE = 1 + 2
_I_TYPE_ERREUR = 1 + 12
_I_BLOQUANT = 1 + 16


@dataclass(frozen=True)
class ReportFiles:
    """The three files of one report."""

    xlsx: Path
    csv: Path
    json: Path

    @classmethod
    def named(cls, out_dir: Path, stem: str) -> ReportFiles:
        return cls(
            out_dir / f"{stem}.xlsx", out_dir / f"{stem}.rejets.csv", out_dir / f"{stem}.json"
        )

    def all(self) -> list[Path]:
        return [self.xlsx, self.csv, self.json]

    def parts(self) -> list[Path]:
        """The hidden names the files have until they are complete."""
        return [path.with_name(f".{path.name}.part") for path in self.all()]


def sheet_names(families: Sequence[tuple[str, Sequence[str]]]) -> list[str]:
    """The workbook's sheet names, in order, for the families a run migrated."""
    names: list[str] = []
    for key, _ in families:
        family = FAMILY_SHEETS[key]
        names += [f"{family} Synthèse", f"{family} Détail"]
    return [*names, TOTAL_SHEET, CROSS_SHEET]


def write_report(
    out_dir: Path,
    stem: str,
    summary: dict,
    families: list[tuple[str, list[str]]],
    rejects: Iterable[pd.DataFrame],
    controls: bool = False,
    evolution: Any = None,
) -> ReportFiles:
    """Write ``<stem>.xlsx``, ``<stem>.rejets.csv`` and ``<stem>.json`` into ``out_dir``.

    ``summary`` is the JSON content (``objects`` feeds the Synthèse sheets);
    ``families`` the (family key, [object types]) a run migrated, in sheet
    order; ``rejects`` DataFrame chunks with the columns ``regle`` then the
    internal names of ``DETAIL_COLUMNS`` (any order; extra columns are
    ignored). Every reject's ``type_objet`` must belong to one of the
    families, and ``bloquant`` must be Oui/Non (or a bool): anything else is
    a ``ValueError`` and no file is left.
    """
    if not stem or Path(stem).name != stem:
        raise ValueError(f"invalid report stem {stem!r}")
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    files = ReportFiles.named(out_dir, stem)
    family_of = _family_of(families)
    parts = files.parts()
    try:
        with tempfile.TemporaryDirectory(prefix="imilo-report-") as tmpdir:
            workbook = xlsxwriter.Workbook(
                str(parts[0]),
                {"constant_memory": True, "remove_timezone": True, "tmpdir": tmpdir},
            )
            try:
                with open(parts[1], "wb") as csv_file:
                    report = _Workbook(workbook, families, family_of, controls)
                    header = io.StringIO()
                    csv.writer(header, delimiter=";", lineterminator="\n").writerow(CSV_HEADER)
                    csv_file.write(header.getvalue().encode("utf-8"))
                    for chunk in rejects:
                        columns = _Columns.of(chunk)
                        report.add_rejects(columns)
                        csv_file.write(columns.csv_lines())
                    report.finish(summary, evolution)
            except BaseException:
                # Close the sheets' temporary files; the first error is the one to tell.
                with contextlib.suppress(Exception):
                    workbook.close()
                _close_rows(workbook)
                raise
            try:
                workbook.close()
                splice(parts[0], _streamed_rows(workbook))
            finally:
                _close_rows(workbook)
        with open(parts[2], "w", encoding="utf-8") as json_file:
            json.dump(summary, json_file, ensure_ascii=False, indent=2, default=_json_default)
            json_file.write("\n")
        for part, final in zip(parts, (files.xlsx, files.csv, files.json), strict=True):
            os.replace(part, final)
    except BaseException:
        for part in parts:
            part.unlink(missing_ok=True)
        raise
    return files


# --- the rejects -----------------------------------------------------------------


def _family_of(families: Sequence[tuple[str, Sequence[str]]]) -> dict[str, str]:
    family_of: dict[str, str] = {}
    seen: set[str] = set()
    for key, object_types in families:
        if key not in FAMILY_SHEETS:
            raise ValueError(f"unknown family {key!r}; known: {', '.join(FAMILY_SHEETS)}")
        if key in seen:
            raise ValueError(f"family {key!r} given twice")
        seen.add(key)
        for object_type in object_types:
            if object_type in family_of:
                raise ValueError(
                    f"object type {object_type!r} is in both {family_of[object_type]!r} and {key!r}"
                )
            family_of[object_type] = key
    return family_of


class _Columns:
    """A chunk of rejects as text columns (``regle`` then A..Q): what the sheets and the CSV
    are made of. Arrow does the per-value work: trimming nothing, escaping XML and CSV,
    joining cells; Python only sees the distinct values of ``heure`` and ``bloquant`` and
    the rare values a vectorised rule cannot settle (control characters, spaces at an end,
    a value beyond Excel's 32,767 characters)."""

    def __init__(
        self, text: dict[str, pa.Array], heure: list[datetime | None], heure_codes: pa.Array
    ) -> None:
        self.text = text  # column name -> string array, "" where empty (heure: ISO 8601)
        self.heure, self.heure_codes = heure, heure_codes  # distinct heures, each row's
        self._cell_tails: list[pa.Array] | None = None

    def __len__(self) -> int:
        return len(self.text["regle"])

    @classmethod
    def of(cls, chunk: pd.DataFrame) -> _Columns:
        if chunk.columns.has_duplicates:
            raise ValueError("a reject chunk has duplicate column names")
        missing = [name for name in INPUT_COLUMNS if name not in chunk.columns]
        if missing:
            raise ValueError(f"a reject chunk lacks the columns {', '.join(missing)}")
        text: dict[str, pa.Array] = {}
        heures: list[datetime | None] = []
        heure_codes = pa.array([], pa.int64())
        for name in INPUT_COLUMNS:
            values = chunk[name]
            if name == "heure":
                codes, uniques = pd.factorize(values, use_na_sentinel=False)
                heures = [_to_datetime(value) for value in uniques]
                iso = [h.isoformat() if h is not None else "" for h in heures]
                heure_codes = pa.array(codes)
                text[name] = pa.array(iso, pa.string()).take(heure_codes)
            elif name == "bloquant":
                codes, uniques = pd.factorize(values, use_na_sentinel=False)
                words = [_to_oui_non(value) for value in uniques]
                text[name] = pa.array(words, pa.string()).take(pa.array(codes))
            else:
                text[name] = _text_column(values)
        return cls(text, heures, heure_codes)

    def column(self, name: str) -> np.ndarray:
        return self.text[name].to_numpy(zero_copy_only=False)

    def csv_lines(self) -> bytes:
        """The chunk's CSV lines in UTF-8, as ``csv.writer`` (``;``, minimal quoting, ``\n``
        line ends) writes them."""
        if not len(self):
            return b""
        fields = []
        for name in INPUT_COLUMNS:
            values = self.text[name]
            quoted = pc.binary_join_element_wise(
                '"', pc.replace_substring(values, '"', '""'), '"', ""
            )
            fields.append(pc.if_else(pc.match_substring_regex(values, '[;"\r\n]'), quoted, values))
        lines = pc.binary_join_element_wise(*fields, ";")
        return _utf8(pc.binary_join_element_wise(lines, "\n", ""))

    def rows_xml(self, first_row: int, rows: np.ndarray | None, datetime_xf: int) -> bytes:
        """The ``<row>`` XML of the chunk's rows (or of ``rows``, positions), numbered from
        ``first_row`` (1-based, as in the sheet)."""
        count = len(self) if rows is None else len(rows)
        number = pc.cast(pa.array(np.arange(first_row, first_row + count)), pa.string())
        parts: list[pa.Array | str] = ['<row r="', number, '">']
        positions = None if rows is None else pa.array(rows)
        for col, tail in enumerate(self._tails(datetime_xf)):
            if positions is not None:
                tail = tail.take(positions)
            cell = pc.binary_join_element_wise(f'<c r="{_COLUMN_LETTERS[col]}', number, tail, "")
            parts.append(pc.if_else(pc.equal(tail, ""), "", cell))
        parts.append("</row>")
        return _utf8(pc.binary_join_element_wise(*parts, ""))

    def _tails(self, datetime_xf: int) -> list[pa.Array]:
        """Per column A..Q, what follows ``<c r="A12`` in each row's cell ("" for none)."""
        if self._cell_tails is None:
            self._cell_tails = [
                self._heure_tails(datetime_xf)
                if name == "heure"
                else _cell_tails(self.text[name], name in _REPEATED_COLUMNS)
                for name, _ in DETAIL_COLUMNS
            ]
        return self._cell_tails

    def _heure_tails(self, datetime_xf: int) -> pa.Array:
        tails = [
            "" if h is None else f'" s="{datetime_xf}"><v>{_excel_serial(h):.16G}</v></c>'
            for h in self.heure
        ]
        return pa.array(tails, pa.string()).take(self.heure_codes)


# Columns whose values repeat from row to row: their cells are built once per value.
_REPEATED_COLUMNS = frozenset(
    {"niveau", "type_objet", "vide", "plateforme", "code_structure", "type_erreur", "champ"}
    | {"bloquant"}
)


def _utf8(values: pa.Array) -> bytes:
    """The UTF-8 bytes of the values one after the other: the array's own data buffer."""
    values = values.cast(pa.string())
    offsets = np.frombuffer(values.buffers()[1], dtype=np.int32)[values.offset :]
    data = values.buffers()[2]
    if data is None or not len(values):
        return b""
    return data.to_pybytes()[offsets[0] : offsets[len(values)]]


# Values the vectorised cell rule cannot settle: left to ``_inline_string``, value by value.
_ODD_CELL = (
    r"[\x00-\x08\x0b-\x1f\x{FFFE}\x{FFFF}]|_x[0-9a-fA-F]{4}_"
    r"|^(?:\s|[^\x00-\x7f])|(?:\s|[^\x00-\x7f])$"
)


def _cell_tails(values: pa.Array, repeated: bool = False) -> pa.Array:
    """What follows ``<c r="A12`` in each value's inline-string cell ("" for an empty one).

    ``repeated``: a column of few distinct values (codes, labels), built once per value."""
    if repeated:
        encoded = pc.dictionary_encode(values)
        return _cell_tails(encoded.dictionary).take(encoded.indices)
    escaped = values
    if pc.any(pc.match_substring_regex(values, "[&<>]")).as_py():
        for char, entity in (("&", "&amp;"), ("<", "&lt;"), (">", "&gt;")):
            escaped = pc.replace_substring(escaped, char, entity)
    tails = pc.binary_join_element_wise('" t="inlineStr"><is><t>', escaped, "</t></is></c>", "")
    odd = pc.or_(
        pc.match_substring_regex(values, _ODD_CELL),
        pc.greater(pc.utf8_length(values), _EXCEL_MAX_CHARS // 2),
    )
    if pc.any(odd).as_py():
        where = np.flatnonzero(odd.to_numpy(zero_copy_only=False))
        fixed = tails.to_numpy(zero_copy_only=False).astype(object)
        for i, value in zip(where, values.take(pa.array(where)).to_pylist(), strict=True):
            fixed[i] = _inline_string(value)
        tails = pa.array(fixed, pa.string())
    return pc.if_else(pc.equal(values, ""), "", tails)


def _text_column(values: pd.Series) -> pa.Array:
    """A column as text, "" where empty: strings as they are, whole numbers without ".0"."""
    if isinstance(values.dtype, pd.StringDtype) and values.dtype.storage == "pyarrow":
        data = pa.array(values.array)
        return pc.fill_null(data.cast(pa.string()), "")
    objects = values.to_numpy(dtype=object)
    try:
        array = pa.array(objects, from_pandas=True)
    except (pa.ArrowInvalid, pa.ArrowTypeError):
        array = None
    if array is not None and (
        pa.types.is_string(array.type)
        or pa.types.is_large_string(array.type)
        or pa.types.is_integer(array.type)
        or pa.types.is_null(array.type)
    ):
        return pc.fill_null(array.cast(pa.string()), "")
    return pa.array(
        [value if type(value) is str else _to_text(value) for value in objects.tolist()],
        pa.string(),
    )


def _is_missing(value: Any) -> bool:
    if value is None or value is pd.NaT or value is pd.NA:
        return True
    if isinstance(value, float):
        return math.isnan(value)
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


def _to_text(value: Any) -> str:
    if isinstance(value, str):
        return value
    if _is_missing(value):
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _to_datetime(value: Any) -> datetime | None:
    if isinstance(value, str):
        value = value.strip()
        if not value:
            return None
        try:
            return datetime.fromisoformat(value)
        except ValueError:
            raise ValueError(f"heure {value!r} is not an ISO 8601 date-time") from None
    if _is_missing(value):
        return None
    if isinstance(value, pd.Timestamp):
        return value.to_pydatetime()
    if isinstance(value, datetime):
        return value
    if isinstance(value, date):
        return datetime(value.year, value.month, value.day)
    raise ValueError(f"heure {value!r} is neither a date-time nor an ISO 8601 string")


def _to_oui_non(value: Any) -> str:
    if value is True:
        return OUI
    if value is False:
        return NON
    if isinstance(value, str):
        folded = value.strip().casefold()
        if folded == "oui":
            return OUI
        if folded == "non":
            return NON
    raise ValueError(f"bloquant must be Oui or Non, not {value!r}")


def _json_default(value: Any) -> Any:
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    if isinstance(value, Path):
        return str(value)
    raise TypeError(f"{type(value).__name__} is not JSON serialisable")


def _sort_key(text: str) -> tuple[str, str]:
    """French-friendly order: accents and case ignored first."""
    stripped = "".join(
        ch for ch in unicodedata.normalize("NFD", text) if not unicodedata.combining(ch)
    )
    return (stripped.casefold(), text)


# --- the workbook ----------------------------------------------------------------


class _Workbook:
    """The sheets of one report, fed chunk by chunk, closed by ``finish``."""

    def __init__(
        self,
        workbook: xlsxwriter.Workbook,
        families: Sequence[tuple[str, Sequence[str]]],
        family_of: dict[str, str],
        controls: bool = False,
    ) -> None:
        self.families = [(key, list(types)) for key, types in families]
        self.family_of = family_of
        self.header = workbook.add_format(
            {"bold": True, "text_wrap": True, "valign": "top", "bg_color": "#DDEBF7", "border": 1}
        )
        self.datetime = workbook.add_format({"num_format": DATETIME_FORMAT})
        self.plain = workbook.add_format()
        self.bold = workbook.add_format({"bold": True})
        self.synthese: dict[str, Worksheet] = {}
        self.detail: dict[str, _DetailSheet] = {}
        for key, _ in self.families:
            family = FAMILY_SHEETS[key]
            self.synthese[key] = workbook.add_worksheet(f"{family} Synthèse")
            self.detail[key] = _DetailSheet(
                workbook.add_worksheet(f"{family} Détail", _StreamedWorksheet), self
            )
        self.total = _DetailSheet(workbook.add_worksheet(TOTAL_SHEET, _StreamedWorksheet), self)
        self.cross = workbook.add_worksheet(CROSS_SHEET)
        # A run's controls: the indicators P3 vs i-milo, then the GO / NO GO.
        self.indicators = workbook.add_worksheet(INDICATORS_SHEET) if controls else None
        self.go_no_go = workbook.add_worksheet(GO_NO_GO_SHEET) if controls else None
        self.evolution = workbook.add_worksheet(EVOLUTION_SHEET) if controls else None
        self.workbook = workbook
        self.number = workbook.add_format({"num_format": "#,##0.##"})
        self.percent = workbook.add_format({"num_format": "0.0"})
        self.duration = workbook.add_format({"num_format": "[h]:mm:ss"})
        # (type_objet, regle, type_erreur, bloquant) -> number of rejects
        self.counts: Counter[tuple[str, str, str, str]] = Counter()

    def add_rejects(self, columns: _Columns) -> None:
        if not len(columns):
            return
        types = columns.column("type_objet")
        unknown = set(types) - self.family_of.keys()
        if unknown:
            raise ValueError(
                "rejects of object types in no migrated family: " + ", ".join(sorted(unknown))
            )
        families = np.array([self.family_of[t] for t in types], dtype=object)
        for key in dict.fromkeys(families):
            rows = np.flatnonzero(families == key)
            self.detail[key].add(columns, None if len(rows) == len(types) else rows)
        self.total.add(columns, None)
        keys = zip(
            types,
            columns.column("regle"),
            columns.column("type_erreur"),
            columns.column("bloquant"),
            strict=True,
        )
        self.counts.update(keys)

    def finish(self, summary: Mapping[str, Any], evolution: Any = None) -> None:
        for sheet in (*self.detail.values(), self.total):
            sheet.finish()
        objects = summary.get("objects") or {}
        for key, object_types in self.families:
            self._write_synthese(self.synthese[key], object_types, objects)
        self._write_cross()
        if self.indicators is not None and self.go_no_go is not None:
            self._write_indicators(self.indicators, summary.get("indicators") or {})
            self._write_go_no_go(
                self.go_no_go,
                summary.get("criteria") or {},
                str(summary.get("verdict") or ""),
                summary.get("forecast"),
            )
        if self.evolution is not None:
            write_evolution(self.evolution, evolution, self)
        self._charts()

    def _charts(self) -> None:
        """Rejects per object type and per rule, as bar charts beside their tables."""
        object_types = [t for _, types in self.families for t in types]
        per_rule: Counter[str] = Counter()
        for (_, regle, _, _), n in self.counts.items():
            per_rule[regle] += n
        if not per_rule:
            return
        labels = {k[2] or k[1] for k in self.counts}
        total_col = 1 + 2 * len(labels) + 2
        chart = self.workbook.add_chart({"type": "bar"})
        chart.add_series(
            {
                "name": "Rejets par type d'objet",
                "categories": [CROSS_SHEET, 2, 0, 1 + len(object_types), 0],
                "values": [CROSS_SHEET, 2, total_col, 1 + len(object_types), total_col],
            }
        )
        chart.set_title({"name": "Rejets par type d'objet"})
        chart.set_legend({"none": True})
        chart.set_size({"width": 720, "height": 900})
        self.cross.insert_chart(len(object_types) + 5, 0, chart)
        if self.evolution is not None:
            by_rule = self.workbook.add_chart({"type": "bar"})
            by_rule.add_series(
                {
                    "name": "Rejets par règle",
                    "categories": [EVOLUTION_SHEET, 2, 0, 1 + len(per_rule), 0],
                    "values": [EVOLUTION_SHEET, 2, 2, 1 + len(per_rule), 2],
                }
            )
            by_rule.set_title({"name": "Rejets par règle (ce tir)"})
            by_rule.set_legend({"none": True})
            by_rule.set_size({"width": 720, "height": 600})
            self.evolution.insert_chart(1, 7, by_rule)

    def _table_header(self, ws: Worksheet, headers: Sequence[str], widths: Sequence[int]) -> None:
        for col, (header, width) in enumerate(zip(headers, widths, strict=True)):
            ws.set_column(col, col, width)
            ws.write_string(0, col, header, self.header)
        ws.freeze_panes(1, 0)

    def _write_indicators(self, ws: Worksheet, indicators: Mapping[str, Any]) -> None:
        """Indicateurs: one row per indicator, P3 and i-milo side by side, the difference."""
        self._table_header(ws, INDICATOR_HEADERS, (34, 70, 14, 14, 14))
        row = 1
        for code, figure in indicators.items():
            ws.write_string(row, 0, code)
            ws.write_string(row, 1, str(figure["label"]))
            for col, key in enumerate(("p3", "imilo", "difference"), start=2):
                ws.write_number(row, col, figure[key], self.number)
            row += 1
        ws.autofilter(0, 0, max(row - 1, 1), len(INDICATOR_HEADERS) - 1)

    def _write_go_no_go(
        self,
        ws: Worksheet,
        criteria: Mapping[str, Any],
        verdict: str,
        forecast: Mapping[str, Any] | None = None,
    ) -> None:
        """GO-NO GO: one row per criterion (counted since 1 July 2014), then the verdict."""
        self._table_header(ws, CRITERION_HEADERS, (70, 14, 14, 12, 10))
        row = 1
        for figure in criteria.values():
            ws.write_string(row, 0, str(figure["label"]))
            if figure.get("p3") is not None:
                ws.write_number(row, 1, figure["p3"], self.number)
                ws.write_number(row, 2, figure["imilo"], self.number)
                ws.write_number(row, 3, figure["rate"], self.percent)
            ws.write_string(row, 4, OUI if figure["met"] else NON)
            row += 1
        ws.autofilter(0, 0, max(row - 1, 1), len(CRITERION_HEADERS) - 1)
        row += 1
        ws.write_string(row, 0, "Verdict", self.bold)
        ws.write_string(row, 1, verdict, self.bold)
        failing = [str(f["label"]) for f in criteria.values() if not f["met"]]
        if failing:
            ws.write_string(row + 1, 0, "Critères non atteints : " + " ; ".join(failing))
        if forecast:
            ws.write_string(row + 3, 0, "Durée prévue de la MIG (h:mm:ss), au débit de ce tir")
            ws.write_number(row + 3, 1, forecast["mig_seconds"] / 86400, self.duration)
            ws.write_string(row + 4, 0, "Tient dans la fenêtre vendredi 21:00 – lundi 10:00")
            ws.write_string(row + 4, 1, OUI if forecast["fits"] else NON)

    # Synthèse: the object counts of the summary, then the rejects per error type.
    def _write_synthese(
        self, ws: Worksheet, object_types: list[str], objects: Mapping[str, Any]
    ) -> None:
        ws.set_column(0, 0, 24)
        ws.set_column(1, 1, 45)
        ws.set_column(2, 2, 28)
        ws.set_column(3, 5, 18)
        ws.set_row(0, 30)
        ws.write_string(0, 0, "Type d'objet", self.header)
        for col, (_, header) in enumerate(SYNTHESE_OBJECT_HEADERS, start=1):
            ws.write_string(0, col, header, self.header)
        row = 1
        for object_type in object_types:
            counts = objects.get(object_type) or {}
            ws.write_string(row, 0, object_type)
            for col, (key, _) in enumerate(SYNTHESE_OBJECT_HEADERS, start=1):
                _write_value(ws, row, col, counts.get(key, 0))
            row += 1

        row += 1  # one blank row between the two tables
        for col, header in enumerate(SYNTHESE_ERROR_HEADERS):
            ws.write_string(row, col, header, self.header)
        row += 1
        order = {object_type: i for i, object_type in enumerate(object_types)}
        keys = sorted(
            (key for key in self.counts if key[0] in order),
            key=lambda k: (order[k[0]], k[1], _sort_key(k[2]), k[3] != OUI),
        )
        for object_type, regle, type_erreur, bloquant in keys:
            ws.write_string(row, 0, object_type)
            _write_text(ws, row, 1, type_erreur, self.plain)
            _write_text(ws, row, 2, regle, self.plain)
            ws.write_string(row, 3, bloquant)
            ws.write_number(row, 4, self.counts[(object_type, regle, type_erreur, bloquant)])
            row += 1
        ws.freeze_panes(1, 0)
        ws.autofilter(0, 0, len(object_types), len(SYNTHESE_OBJECT_HEADERS))

    def _write_cross(self) -> None:
        """Croisé: object types down, error types across, blocking split.

        Two header rows. Row 1: "Type d'objet" (merged over rows 1-2), then
        each error type (column M's label, or the rule code when the label is
        empty; alphabetical) merged over two columns, then "Total" merged over
        three columns. Row 2: "Bloquant" and "Non bloquant" under each error
        type, and "Bloquant", "Non bloquant", "Total" under "Total". Then one
        row per object type of the migrated families, in family order (zeros
        included), and a last row "Total" with the column sums.
        """
        ws = self.cross
        counts: Counter[tuple[str, str, bool]] = Counter()
        for (object_type, regle, type_erreur, bloquant), n in self.counts.items():
            counts[(object_type, type_erreur or regle, bloquant == OUI)] += n
        labels = sorted({label for _, label, _ in counts}, key=_sort_key)
        object_types = [t for _, types in self.families for t in types]
        total_col = 1 + 2 * len(labels)

        ws.set_column(0, 0, 24)
        ws.set_column(1, total_col + 2, 14)
        ws.set_row(0, 45)
        for i, label in enumerate(labels):
            ws.merge_range(0, 1 + 2 * i, 0, 2 + 2 * i, label, self.header)
        ws.merge_range(0, total_col, 0, total_col + 2, "Total", self.header)
        # Vertical merge last: it moves constant_memory on to row 2.
        ws.merge_range(0, 0, 1, 0, "Type d'objet", self.header)
        for i in range(len(labels)):
            ws.write_string(1, 1 + 2 * i, "Bloquant", self.header)
            ws.write_string(1, 2 + 2 * i, "Non bloquant", self.header)
        ws.write_string(1, total_col, "Bloquant", self.header)
        ws.write_string(1, total_col + 1, "Non bloquant", self.header)
        ws.write_string(1, total_col + 2, "Total", self.header)

        sums = [0] * (total_col + 3)
        row = 2
        for object_type in object_types:
            values: list[int] = []
            for label in labels:
                values += [counts[(object_type, label, True)], counts[(object_type, label, False)]]
            blocking, non_blocking = sum(values[0::2]), sum(values[1::2])
            values += [blocking, non_blocking, blocking + non_blocking]
            ws.write_string(row, 0, object_type)
            for col, value in enumerate(values, start=1):
                ws.write_number(row, col, value)
                sums[col] += value
            row += 1
        ws.write_string(row, 0, "Total", self.bold)
        for col in range(1, total_col + 3):
            ws.write_number(row, col, sums[col], self.bold)
        ws.freeze_panes(2, 1)
        ws.autofilter(1, 0, row, total_col + 2)


def _streamed_rows(workbook: xlsxwriter.Workbook) -> dict[str, DeflatedRows]:
    """The zip entry of each streamed sheet (xlsxwriter numbers them in sheet order)."""
    sheets = [ws for ws in workbook.worksheets() if not ws.is_chartsheet]
    return {
        f"xl/worksheets/sheet{index}.xml": ws.deflated
        for index, ws in enumerate(sheets, start=1)
        if isinstance(ws, _StreamedWorksheet) and ws.deflated is not None
    }


def _close_rows(workbook: xlsxwriter.Workbook) -> None:
    for rows in _streamed_rows(workbook).values():
        rows.close()


class _StreamedWorksheet(Worksheet):
    """A ``constant_memory`` worksheet that also takes rows as ready-made XML.

    xlsxwriter's per-cell API runs at about 150,000 cells a second, too slow for
    the Détail and Total sheets (17 columns, written twice); their rows are built
    by ``_Columns`` and appended here, one block per chunk, into ``deflated``
    rather than into xlsxwriter's own row file: xlsxwriter writes the sheet
    around them (header row, dimension, autofilter) and ``splice`` puts them
    inside its ``<sheetData>``. This relies on how xlsxwriter 3.x streams a
    constant_memory sheet (``previous_row``, ``_write_single_row``,
    ``_check_dimensions``, sheets numbered in order in the zip): the tests read
    the result back with openpyxl, python-calamine and, where installed,
    LibreOffice.
    """

    deflated: DeflatedRows | None = None  # the rows streamed here, deflated as they come

    def append_rows_xml(self, xml: bytes, first_row: int, last_row: int, last_col: int) -> None:
        if not self.constant_memory:
            raise RuntimeError("append_rows_xml needs the workbook's constant_memory mode")
        previous: int = self.previous_row  # type: ignore[has-type]  # xlsxwriter is untyped
        if first_row < previous or (first_row == previous and self.table):
            raise ValueError(f"row {first_row} of {self.name!r} is already written")
        if last_row >= EXCEL_MAX_ROWS:
            raise ValueError(f"sheet {self.name!r} would exceed Excel's {EXCEL_MAX_ROWS:,} rows")
        # Flush the row the public API is building (the header), then stream ours.
        self._write_single_row(first_row)
        self._check_dimensions(first_row, 0)
        self._check_dimensions(last_row, last_col)
        if self.deflated is None:
            self.deflated = DeflatedRows(self.tmpdir)
        self.deflated.write(xml)  # put back inside <sheetData> by ``splice`` at the end
        self.previous_row = last_row + 1


class _DetailSheet:
    """A Détail or Total sheet: header row A..Q, then one row per reject."""

    def __init__(self, ws: _StreamedWorksheet, book: _Workbook) -> None:
        self.ws = ws
        for col, (_, header) in enumerate(DETAIL_COLUMNS):
            ws.write_string(0, col, header, book.header)
            ws.set_column(col, col, _DETAIL_WIDTHS[col])
        ws.set_row(0, 30)
        ws.freeze_panes(1, 0)
        self.next_row = 1  # 0-based index of the next data row
        self.datetime_xf = book.datetime._get_xf_index()

    def add(self, columns: _Columns, rows: np.ndarray | None) -> None:
        """Append the chunk's rejects (or those at positions ``rows``)."""
        count = len(columns) if rows is None else len(rows)
        xml = columns.rows_xml(self.next_row + 1, rows, self.datetime_xf)
        self.ws.append_rows_xml(xml, self.next_row, self.next_row + count - 1, 16)
        self.next_row += count

    def finish(self) -> None:
        self.ws.autofilter(0, 0, self.next_row - 1, len(DETAIL_COLUMNS) - 1)


_COLUMN_LETTERS = [chr(ord("A") + i) for i in range(len(DETAIL_COLUMNS))]
_NEEDS_ESCAPE = re.compile("[&<>\x00-\x08\x0b-\x1f\ufffe\uffff]|_x[0-9a-fA-F]{4}_")
_CONTROL_ESCAPE = re.compile("(_x[0-9a-fA-F]{4}_)")
_CONTROL_CHARS = re.compile("[\x00-\x08\x0b-\x1f]")
_EXCEL_EPOCH = datetime(1899, 12, 31)
_EXCEL_MAX_CHARS = 32_767


def _inline_string(value: str) -> str:
    """A text cell's XML after its ``<c r="..`` start: type, escaped text, end."""
    space = ' xml:space="preserve"' if value[0].isspace() or value[-1].isspace() else ""
    return f'" t="inlineStr"><is><t{space}>{_escape_text(value)}</t></is></c>'


def _escape_text(value: str) -> str:
    """The XML text of an inline string, escaped as Excel (and xlsxwriter) do."""
    if _utf16_len(value) > _EXCEL_MAX_CHARS:
        value = _utf16_truncate(value, _EXCEL_MAX_CHARS)
    if _NEEDS_ESCAPE.search(value):
        value = _CONTROL_ESCAPE.sub(r"_x005F\1", value)
        value = _CONTROL_CHARS.sub(lambda m: f"_x{ord(m.group()):04X}_", value)
        value = value.replace("\ufffe", "_xFFFE_").replace("\uffff", "_xFFFF_")
        value = value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return value


def _utf16_len(value: str) -> int:
    if len(value) <= _EXCEL_MAX_CHARS // 2:
        return len(value)
    return len(value.encode("utf-16-le")) // 2


def _utf16_truncate(value: str, limit: int) -> str:
    encoded = value.encode("utf-16-le")[: 2 * limit]
    return encoded.decode("utf-16-le", errors="ignore")


def _excel_serial(value: datetime) -> float:
    """The Excel (1900 system) serial number of a date-time; its time zone is dropped."""
    if value.tzinfo is not None:
        value = value.replace(tzinfo=None)
    if value.year < 1900:
        raise ValueError(f"heure {value.isoformat()} is before 1900, which Excel cannot show")
    delta = value - _EXCEL_EPOCH
    serial = delta.days + (delta.seconds + delta.microseconds / 1e6) / 86_400
    return serial + 1 if serial > 59 else serial  # Excel's 29/02/1900


def _write_text(ws: Worksheet, row: int, col: int, value: str, plain: Format) -> None:
    if value.startswith("<r>") and value.endswith("</r>"):
        _write_markup_like(ws, row, col, value, plain)
    elif value:
        ws.write_string(row, col, value)


def _write_markup_like(ws: Worksheet, row: int, col: int, value: str, plain: Format) -> None:
    # In constant_memory mode xlsxwriter copies a string that starts with "<r>" and
    # ends with "</r>" into the XML unescaped (it takes it for a rich string it built)
    # and the workbook is corrupt. Written as a two-run rich string, the text stays
    # exactly the same and is escaped.
    ws.write_rich_string(row, col, value[:3], plain, value[3:])


def _write_value(ws: Worksheet, row: int, col: int, value: Any) -> None:
    if value is None:
        return
    if isinstance(value, bool):
        ws.write_boolean(row, col, value)
    elif isinstance(value, (int, float)):
        ws.write_number(row, col, value)
    else:
        ws.write_string(row, col, str(value))


def write_evolution(ws: Worksheet, evolution: Any, book: Any) -> None:
    """Évolution: rejects per rule then and now, rejects resolved and new (by key), and the
    drift of the i-milo indicators, against the ML's previous run (``evolution`` from
    ``pipeline.evolution.compare``; None or no previous run: said so)."""
    header, number = book.header, book.number
    ws.set_column(0, 0, 30)
    ws.set_column(1, 1, 22)
    ws.set_column(2, 5, 16)
    previous = getattr(evolution, "previous", None)
    title = (
        f"Comparaison avec la migration n° {previous}"
        if previous
        else ("Pas de migration précédente pour cette ML")
    )
    ws.write_string(0, 0, title, book.bold)
    row = 1
    for col, name in enumerate(("Règle", "Précédent", "Actuel", "Écart")):
        ws.write_string(row, col, name, header)
    row += 1
    for rule, then, now in getattr(evolution, "rules", []):
        ws.write_string(row, 0, rule)
        ws.write_number(row, 1, then)
        ws.write_number(row, 2, now)
        ws.write_number(row, 3, now - then)
        row += 1
    for name, rows in (
        ("Rejets résolus", getattr(evolution, "resolved", [])),
        ("Nouveaux rejets", getattr(evolution, "new", [])),
    ):
        row += 1
        ws.write_string(row, 0, f"{name} ({len(rows)})", book.bold)
        row += 1
        for col, head in enumerate(
            ("Règle", "Type d'objet", "Identifiant P3", "Champ", "Valeur du champ")
        ):
            ws.write_string(row, col, head, header)
        row += 1
        for values in rows:
            for col, value in enumerate(values):
                if value is not None:
                    _write_text(ws, row, col, str(value), book.plain)
            row += 1
    row += 1
    ws.write_string(row, 0, "Indicateurs i-milo", book.bold)
    row += 1
    for col, head in enumerate(("Code", "Indicateur", "Précédent", "Actuel", "Écart")):
        ws.write_string(row, col, head, header)
    row += 1
    for code, label, then, now in getattr(evolution, "indicators", []):
        ws.write_string(row, 0, code)
        ws.write_string(row, 1, label)
        ws.write_number(row, 2, then, number)
        ws.write_number(row, 3, now, number)
        ws.write_number(row, 4, now - then, number)
        row += 1
