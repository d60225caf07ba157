"""Sheet rows deflated as they are written, put back into the workbook's zip at the end.

xlsxwriter keeps a ``constant_memory`` sheet's rows in a temporary file and, when the
workbook is closed, copies them into the sheet's XML and deflates that into the zip. For
the Détail and Total sheets of a large report that is most of the time the report takes
to close, all of it after the last reject is known. Here those rows are deflated as they
come (``DeflatedRows``); xlsxwriter writes the sheets without them; ``splice`` then writes
the zip again, each sheet's rows inside its ``<sheetData>``, their deflated bytes copied as
they are (a raw deflate stream may be cut into parts that each end on a byte boundary).

The zip is written here with the standard library's ``zlib`` and ``struct``: local headers,
central directory and end record of the ZIP format (no ZIP64: a part over 4 GiB is refused,
far beyond what Excel's 1,048,576 rows can hold).
"""

from __future__ import annotations

import itertools
import os
import struct
import tempfile
import zipfile
import zlib
from collections.abc import Iterable, Iterator
from pathlib import Path

LEVEL = 1  # deflate level of the rows: the sheets are repetitive XML, 1 packs them 12 to 1
_RAW = -15  # raw deflate, as a zip entry holds it
_ZIP32_LIMIT = 0xFFFFFFFF
_BLOCK = 1 << 20


class DeflatedRows:
    """A sheet's data rows, deflated as they are written (the middle of its zip entry)."""

    def __init__(self, tmpdir: str | None = None) -> None:
        self.file = tempfile.TemporaryFile(dir=tmpdir)  # noqa: SIM115  # closed by close()
        self._deflate = zlib.compressobj(LEVEL, zlib.DEFLATED, _RAW)
        self.crc = 0
        self.size = 0  # bytes of XML
        self.compressed = 0  # bytes deflated
        self._ended = False

    def write(self, data: bytes) -> None:
        """Append rows given as UTF-8 XML."""
        self.crc = zlib.crc32(data, self.crc)
        self.size += len(data)
        self._put(self._deflate.compress(data))

    def end(self) -> None:
        """Flush to a byte boundary, leaving the stream open for what follows the rows."""
        if not self._ended:
            self._put(self._deflate.flush(zlib.Z_SYNC_FLUSH))
            self._ended = True

    def blocks(self) -> Iterator[bytes]:
        self.end()
        self.file.seek(0)
        while block := self.file.read(_BLOCK):
            yield block

    def close(self) -> None:
        self.file.close()

    def _put(self, data: bytes) -> None:
        if data:
            self.file.write(data)
            self.compressed += len(data)


def splice(path: Path, rows: dict[str, DeflatedRows], before: bytes = b"</sheetData>") -> None:
    """Write the zip at ``path`` again with each entry of ``rows`` (by name) holding those
    rows just before the entry's last ``before``; every other entry is kept as it is."""
    path = Path(path)
    spliced = path.with_name(f"{path.name}.splice")
    try:
        with zipfile.ZipFile(path) as source, open(spliced, "wb") as out:
            directory: list[bytes] = []
            for info in source.infolist():
                data = source.read(info.filename)
                middle = rows.get(info.filename)
                if middle is not None and middle.size:
                    middle.end()  # its last bytes count in the entry's size
                    at = data.rindex(before)
                    head, tail = data[:at], data[at:]
                    head_z = _deflate(head, final=False)
                    tail_z = _deflate(tail, final=True)
                    crc = crc32_combine(zlib.crc32(head), middle.crc, middle.size)
                    crc = crc32_combine(crc, zlib.crc32(tail), len(tail))
                    size = len(head) + middle.size + len(tail)
                    parts: Iterable[bytes] = itertools.chain([head_z], middle.blocks(), [tail_z])
                    compressed = len(head_z) + middle.compressed + len(tail_z)
                else:
                    whole = _deflate(data, final=True)
                    crc, size, parts, compressed = zlib.crc32(data), len(data), [whole], len(whole)
                directory.append(_write_entry(out, info, crc, size, compressed, parts))
            start = out.tell()
            for record in directory:
                out.write(record)
            if start > _ZIP32_LIMIT or len(directory) > 0xFFFF:
                raise ValueError(f"{path.name}: too large for a zip without ZIP64")
            out.write(
                struct.pack(
                    "<IHHHHIIH",
                    0x06054B50,
                    0,
                    0,
                    len(directory),
                    len(directory),
                    out.tell() - start,
                    start,
                    0,
                )
            )
        os.replace(spliced, path)
    finally:
        spliced.unlink(missing_ok=True)


def _deflate(data: bytes, final: bool) -> bytes:
    deflate = zlib.compressobj(6, zlib.DEFLATED, _RAW)
    return deflate.compress(data) + deflate.flush(zlib.Z_FINISH if final else zlib.Z_SYNC_FLUSH)


def _write_entry(out, info: zipfile.ZipInfo, crc: int, size: int, compressed: int, parts) -> bytes:
    """Write one entry (local header, then its deflated bytes); return its directory record."""
    offset = out.tell()
    if max(size, compressed, offset) > _ZIP32_LIMIT:
        raise ValueError(f"{info.filename}: too large for a zip without ZIP64")
    name = info.filename.encode("utf-8")
    flags = 0 if info.filename.isascii() else 0x800  # bit 11: the name is UTF-8
    year, month, day, hour, minute, second = info.date_time
    dos_time = hour << 11 | minute << 5 | second // 2
    dos_date = (year - 1980) << 9 | month << 5 | day
    common = struct.pack(
        "<HHHHHIII", 20, flags, zipfile.ZIP_DEFLATED, dos_time, dos_date, crc, compressed, size
    )
    out.write(struct.pack("<I", 0x04034B50) + common + struct.pack("<HH", len(name), 0) + name)
    for part in parts:
        out.write(part)
    return (
        struct.pack("<IH", 0x02014B50, 20)
        + common
        + struct.pack("<HHHHHII", len(name), 0, 0, 0, 0, info.external_attr, offset)
        + name
    )


def _gf2_times(matrix: list[int], vector: int) -> int:
    total, row = 0, 0
    while vector:
        if vector & 1:
            total ^= matrix[row]
        vector >>= 1
        row += 1
    return total


def _gf2_square(matrix: list[int]) -> list[int]:
    return [_gf2_times(matrix, matrix[n]) for n in range(32)]


def crc32_combine(crc1: int, crc2: int, length2: int) -> int:
    """The CRC-32 of A + B from the CRC-32 of A, of B and the length of B (zlib's method:
    appending ``length2`` zero bytes to A is a linear map, applied by repeated squaring)."""
    if length2 <= 0:
        return crc1
    odd = [0xEDB88320] + [1 << n for n in range(31)]  # the operator for one zero bit
    even = _gf2_square(odd)  # two zero bits
    odd = _gf2_square(even)  # four zero bits
    while True:
        even = _gf2_square(odd)  # the first pass: one zero byte
        if length2 & 1:
            crc1 = _gf2_times(even, crc1)
        length2 >>= 1
        if not length2:
            break
        odd = _gf2_square(even)
        if length2 & 1:
            crc1 = _gf2_times(odd, crc1)
        length2 >>= 1
        if not length2:
            break
    return crc1 ^ crc2
