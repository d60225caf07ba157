"""Loads a P3 extract folder (``manifest.json`` + one CSV per table) into the p3 database.

Strict about the form, lenient about the content: an unreadable file, a bad header,
an unknown column, a missing id column or a malformed line stops the load with a
message naming the file, the line, the column and the value, and nothing is written
(the whole load is one transaction). Values are stored exactly as read; judging them
is the pipeline's job.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
import logging
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import psycopg
from psycopg import sql
from sqlalchemy import Connection, Engine, text

from pipeline.settings import ML_CODE
from schemas.p3.columns import P3_COLUMNS, file_columns, id_column

log = logging.getLogger(__name__)
# A P3 text can be long (notes, comments): TEXTE_TROP_LONG judges it, the reader must not.
csv.field_size_limit(2**31 - 1)

DEFAULT_ENCODING = "cp1252"
# Beside the tables: the manifest, and what the generator writes for tests and demos.
_UTF8_ACCENT = re.compile(rb"\xc3[\x80-\xbf]")
NON_TABLE_FILES = {"manifest.json", "expected.json", "comptes_imilo.csv"}


class ExtractError(ValueError):
    """The extract is malformed; the message names file, line, column and value."""


@dataclass(frozen=True)
class Manifest:
    plateforme: int
    extracted_at: dt.datetime
    encoding: str
    structures: tuple[str, ...]


@dataclass(frozen=True)
class LoadResult:
    extract_id: int
    manifest: Manifest
    rows: dict[str, int]


def read_manifest(folder: Path) -> Manifest:
    path = folder / "manifest.json"
    if not path.is_file():
        raise ExtractError(f"{path}: missing (an extract is a folder with manifest.json)")
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise ExtractError(f"{path}: not valid JSON: {error}") from None
    if not isinstance(data, dict):
        raise ExtractError(f"{path}: expected a JSON object")

    def field(name: str, check: type, required: bool = True) -> object:
        value = data.get(name)
        if value is None and not required:
            return None
        if not isinstance(value, check) or isinstance(value, bool):
            raise ExtractError(f"{path}: field {name!r}: expected {check.__name__}, got {value!r}")
        return value

    plateforme = field("plateforme", int)
    stamp = field("extracted_at", str)
    try:
        extracted_at = dt.datetime.fromisoformat(str(stamp))
    except ValueError:
        raise ExtractError(
            f"{path}: field 'extracted_at': not an ISO timestamp: {stamp!r}"
        ) from None
    encoding = field("encoding", str, required=False) or DEFAULT_ENCODING
    try:
        "".encode(str(encoding))
    except LookupError:
        raise ExtractError(f"{path}: field 'encoding': unknown encoding {encoding!r}") from None
    structures = field("structures", list)
    assert isinstance(structures, list)
    if not structures:
        raise ExtractError(f"{path}: field 'structures': empty, an extract holds at least one ML")
    for code in structures:
        if not isinstance(code, str) or not ML_CODE.fullmatch(code):
            raise ExtractError(
                f"{path}: field 'structures': not the code of a Mission Locale (INSEE code then"
                f" S00, e.g. 65440S00): {code!r}"
            )
    if extracted_at.tzinfo is not None:
        extracted_at = extracted_at.replace(tzinfo=None)
    assert isinstance(plateforme, int)
    return Manifest(plateforme, extracted_at, str(encoding), tuple(structures))


def _table_files(folder: Path) -> dict[str, Path]:
    files: dict[str, Path] = {}
    for path in sorted(folder.iterdir()):
        if path.name in NON_TABLE_FILES:
            continue
        if path.is_dir():
            raise ExtractError(f"{path}: a folder where the extract has files only")
        if path.suffix.lower() != ".csv" or path.stem not in P3_COLUMNS:
            raise ExtractError(
                f"{path}: not a P3 table of the extract format (known tables: "
                f"{', '.join(P3_COLUMNS)})"
            )
        files[path.stem] = path
    return files


def _locate_bad_bytes(path: Path, encoding: str) -> str:
    """Line, column and value of the first undecodable bytes (only called on failure)."""
    with open(path, "rb") as handle:
        header = handle.readline().decode(encoding, errors="replace").rstrip("\r\n").split(";")
        for number, line in enumerate(handle, start=2):
            raw = line.rstrip(b"\r\n")
            try:
                raw.decode(encoding)
            except UnicodeDecodeError as error:
                cells = raw.split(b";")
                start = 0
                for index, cell in enumerate(cells):
                    if start + len(cell) >= error.start:
                        column = header[index] if index < len(header) else f"#{index + 1}"
                        return f"line {number}, column {column}: value {cell!r} ({error.reason})"
                    start += len(cell) + 1
                return f"line {number}: {raw!r} ({error.reason})"
    return "position unknown"


def python_codec(encoding: str) -> str:
    """The codec that reads a file of the manifest's encoding (UTF-8 with or without BOM)."""
    return "utf-8-sig" if encoding.lower().replace("_", "-") in ("utf-8", "utf8") else encoding


def strict_read(path: Path, table: str, encoding: str) -> None:
    """Read the whole file as the loader does: its ``ExtractError``, if any, names the line."""
    for _ in _rows(path, table, encoding):
        pass


def _rows(path: Path, table: str, encoding: str) -> Iterator[tuple[int, list[str | None]]]:
    """Header-checked rows of one CSV file: (line number, values in file_columns order)."""
    known = file_columns(table)
    codec = python_codec(encoding)
    try:
        with open(path, encoding=codec, newline="", errors="strict") as handle:
            reader = csv.reader(handle, delimiter=";", quotechar='"', strict=True)
            try:
                header = next(reader)
            except StopIteration:
                raise ExtractError(f"{path}: line 1: empty file, no header") from None
            header = [name.strip() for name in header]
            unknown = [name for name in header if name not in known]
            if unknown:
                raise ExtractError(
                    f"{path}: line 1: unknown column {unknown[0]!r} for table {table} "
                    f"(expected among: {', '.join(known)})"
                )
            if id_column(table) not in header:
                raise ExtractError(f"{path}: line 1: missing id column {id_column(table)!r}")
            doubled = sorted({name for name in header if header.count(name) > 1})
            if doubled:
                raise ExtractError(f"{path}: line 1: column {doubled[0]!r} appears twice")
            positions = [header.index(name) if name in header else None for name in known]
            width = len(header)
            while True:
                try:
                    row = next(reader)
                except StopIteration:
                    return
                except csv.Error as error:
                    raise ExtractError(f"{path}: line {reader.line_num}: {error}") from None
                if not row:
                    continue  # a blank line is no row
                if len(row) != width:
                    raise ExtractError(
                        f"{path}: line {reader.line_num}: {len(row)} fields, the header has "
                        f"{width}; first value {row[0]!r}"
                    )
                yield (
                    reader.line_num,
                    [
                        (row[p] if row[p] != "" else None) if p is not None else None
                        for p in positions
                    ],
                )
    except UnicodeDecodeError:
        where = _locate_bad_bytes(path, encoding)
        raise ExtractError(f"{path}: {where}: not valid {encoding}") from None


def _check_bytes(path: Path, encoding: str) -> None:
    """What a header cannot show: NUL bytes, a byte order mark, UTF-8 declared as cp1252."""
    data = path.read_bytes()
    if b"\x00" in data:
        before = data[: data.index(b"\x00")]
        line = before.count(b"\n") + 1
        start = before.rfind(b"\n") + 1
        header = data[: data.find(b"\n")].decode(encoding, errors="replace").strip().split(";")
        column = before[start:].count(b";")
        name = header[column] if column < len(header) else f"#{column + 1}"
        raise ExtractError(f"{path}: line {line}, column {name}: a NUL byte (0x00) in the value")
    if data.startswith(b"\xef\xbb\xbf") and encoding.lower().replace("_", "-") not in (
        "utf-8",
        "utf8",
        "utf-8-sig",
    ):
        raise ExtractError(
            f"{path}: line 1: starts with a UTF-8 byte order mark, but the manifest says "
            f'{encoding}: the file is UTF-8 (set "encoding": "utf-8" in manifest.json)'
        )
    if encoding.lower() in ("cp1252", "windows-1252") and not data.isascii():
        # UTF-8 accents read as cp1252 become "Ã©": a pair no French text of P3 contains.
        found = _UTF8_ACCENT.search(data)
        if found is not None:
            line = data.count(b"\n", 0, found.start()) + 1
            start = data.rfind(b"\n", 0, found.start()) + 1
            end = data.find(b"\n", found.start())
            value = data[start : end if end >= 0 else len(data)].decode("utf-8", errors="replace")
            raise ExtractError(
                f"{path}: line {line}: accents written in UTF-8 (é as Ã©) in a file the manifest"
                f" declares {encoding}: {value.strip()[:80]!r}; re-extract in cp1252 or set"
                ' "encoding": "utf-8" in manifest.json'
            )


def _check_headers(files: dict[str, Path], encoding: str) -> None:
    """Read every header first, so that a bad file is refused before any row is sent."""
    for table, path in files.items():
        _check_bytes(path, encoding)
        next(_rows(path, table, encoding), None)


STALE_PIN = "24 hours"  # a pin this old is a run that was killed: it protects nothing


def prune_extracts(connection: Connection) -> int:
    """Remove the extracts that newer ones replace for every ML they hold, unless a run is
    reading them: p3 holds what P3 holds now, and a run never loses its rows mid-way."""
    removed = connection.execute(
        text(
            "DELETE FROM p3.extract e WHERE NOT EXISTS ("
            "   SELECT 1 FROM json_array_elements_text(e.structures) s"
            "   WHERE NOT EXISTS (SELECT 1 FROM p3.extract n WHERE n.id > e.id"
            "                     AND n.structures::jsonb ? s.value))"
            " AND NOT EXISTS (SELECT 1 FROM p3.extract_pin p WHERE p.extract_id = e.id"
            f"                 AND p.pinned_at > now() - interval '{STALE_PIN}')"
            " AND json_array_length(e.structures) > 0"
        )
    )
    return removed.rowcount


def load_extract(folder: Path, engine: Engine) -> LoadResult:
    """Replay an extract into p3: one transaction, replacing earlier extracts of its ML."""
    folder = Path(folder)
    if not folder.is_dir():
        raise ExtractError(f"{folder}: not a folder")
    manifest = read_manifest(folder)
    files = _table_files(folder)
    _check_headers(files, manifest.encoding)

    counts: dict[str, int] = {}
    with engine.begin() as connection:
        connection.execute(text("SELECT pg_advisory_xact_lock(hashtext('p3.extract'))"))
        extract_id = connection.execute(
            text(
                "INSERT INTO p3.extract (path, plateforme, extracted_at, encoding, structures) "
                "VALUES (:path, :plateforme, :extracted_at, :encoding, CAST(:structures AS json))"
                " RETURNING id"
            ),
            {
                "path": str(folder.resolve()),
                "plateforme": manifest.plateforme,
                "extracted_at": manifest.extracted_at,
                "encoding": manifest.encoding,
                "structures": json.dumps(list(manifest.structures)),
            },
        ).scalar_one()
        raw = connection.connection.driver_connection
        assert isinstance(raw, psycopg.Connection)
        for table, path in files.items():
            columns = ("extract_id", "line_no", *file_columns(table))
            count = 0
            copy_sql = sql.SQL("COPY {} ({}) FROM STDIN").format(
                sql.Identifier("p3", table), sql.SQL(", ").join(map(sql.Identifier, columns))
            )
            with raw.cursor() as cursor, cursor.copy(copy_sql) as copy:
                for line_no, values in _rows(path, table, manifest.encoding):
                    copy.write_row((extract_id, line_no, *values))
                    count += 1
            counts[table] = count
            log.info("loaded %s: %d rows", path.name, count)
        prune_extracts(connection)
    return LoadResult(extract_id, manifest, counts)
