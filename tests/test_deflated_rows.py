"""Rows deflated as they come and spliced into a zip: the zip stays valid, byte for byte."""

from __future__ import annotations

import os
import zipfile
import zlib
from pathlib import Path

import pytest

from pipeline.deflated_rows import DeflatedRows, crc32_combine, splice


@pytest.mark.parametrize(
    ("first", "second"),
    [(b"abc", b"defg"), (b"", b"x"), (b"x", b""), (os.urandom(1000), os.urandom(123_457))],
)
def test_crc32_combine_is_the_crc_of_both(first: bytes, second: bytes) -> None:
    combined = crc32_combine(zlib.crc32(first), zlib.crc32(second), len(second))
    assert combined == zlib.crc32(first + second)


def test_spliced_rows_land_inside_sheet_data_and_the_rest_is_kept(tmp_path: Path) -> None:
    path = tmp_path / "book.xlsx"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as book:
        book.writestr("[Content_Types].xml", "<Types/>")
        book.writestr("xl/worksheets/sheet1.xml", "<ws><sheetData><row r='1'/></sheetData></ws>")
        book.writestr("xl/worksheets/sheet2.xml", "<ws><sheetData></sheetData></ws>")
        book.writestr("xl/sharedStrings.xml", "é" * 10)
    rows = DeflatedRows(str(tmp_path))
    blocks = [f"<row r='{n}'><c><v>{n}</v></c></row>".encode() for n in range(2, 50_002)]
    for start in range(0, len(blocks), 7_000):  # several writes, as a report's chunks
        rows.write(b"".join(blocks[start : start + 7_000]))
    empty = DeflatedRows(str(tmp_path))  # a sheet without rows: kept as it was
    splice(path, {"xl/worksheets/sheet1.xml": rows, "xl/worksheets/sheet2.xml": empty})
    rows.close()
    empty.close()

    with zipfile.ZipFile(path) as book:
        assert book.testzip() is None  # every CRC and size checks out
        assert book.namelist() == [
            "[Content_Types].xml",
            "xl/worksheets/sheet1.xml",
            "xl/worksheets/sheet2.xml",
            "xl/sharedStrings.xml",
        ]
        assert book.read("xl/worksheets/sheet1.xml") == (
            b"<ws><sheetData><row r='1'/>" + b"".join(blocks) + b"</sheetData></ws>"
        )
        assert book.read("xl/worksheets/sheet2.xml") == b"<ws><sheetData></sheetData></ws>"
        assert book.read("xl/sharedStrings.xml").decode() == "é" * 10
        assert book.read("[Content_Types].xml") == b"<Types/>"
    assert list(tmp_path.glob("*.splice")) == []
