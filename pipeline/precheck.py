"""The pre-check: every rule on an extract's files, cascade included, without migrating.

An RLM runs it before a blank run to fix P3 first. It reads the CSV files directly (no
i-milo database is opened, let alone written), judges the rows with the same engine as a
run, and writes the same report files: Détail and Total sheets, ``.rejets.csv``, ``.json``.
"""

from __future__ import annotations

import csv
import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.csv as pcsv

from pipeline.engine import PARIS, Counts, ParentStatus, RunScope, migrate_family
from pipeline.extract import (
    ExtractError,
    Manifest,
    _check_headers,
    _locate_bad_bytes,
    _rows,
    _table_files,
    read_manifest,
)
from pipeline.families import FAMILIES, PARENT_TABLES, ObjectType
from pipeline.report import write_report
from pipeline.rules.apply import CheckContext
from pipeline.rules.values import TEXT, member
from schemas.imilo.models import REJECT_COLUMNS
from schemas.p3.columns import P3_COLUMNS, file_columns, id_column

# Known shortcoming: about 10x as long as reading the files with pandas, against a target of 3x
# (pandas overhead per column, xlsx writing); bench/precheck.py measures it.
PRECHECK_CHUNK_ROWS = 100_000
RUN_KIND = "PRECHECK"


class FileSource:
    """Rows of an extract's CSV files, as the loader would store them."""

    def __init__(
        self,
        folder: Path,
        manifest: Manifest,
        logins: frozenset[str] | None,
        frozen: dict[tuple[str, str], tuple] | None,
        chunk_rows: int = PRECHECK_CHUNK_ROWS,
    ) -> None:
        self.files = _table_files(folder)
        _check_headers(self.files, manifest.encoding)
        self.encoding = manifest.encoding
        self.chunk_rows = chunk_rows
        self.logins, self.frozen = logins, frozen
        self._jeune_parts: list[pd.DataFrame] = []  # the first copy of each dossier

    def context(self, scope: RunScope) -> CheckContext:
        codes: set[str] = set()
        for rows in self._read("reference"):
            table = rows["table_name"].astype(TEXT).str.strip()
            code = rows["code"].astype(TEXT).str.strip()
            codes.update(code[(table == "CONNAISSANCE").fillna(False) & code.notna()])
        return CheckContext(scope.extracted_on, frozenset(codes), self.logins, self.frozen)

    def _read(self, table: str) -> Iterator[pd.DataFrame]:
        """The file's rows in chunks of text columns (``file_columns`` order, NULL for
        empty). Arrow parses it, on every core; a malformed line gets the loader's message."""
        path = self.files.get(table)
        if path is None:
            return
        codec = (
            "utf-8-sig"
            if self.encoding.lower().replace("_", "-") in ("utf-8", "utf8")
            else self.encoding
        )
        try:
            text = path.read_bytes().decode(codec)
        except UnicodeDecodeError:
            where = _locate_bad_bytes(path, self.encoding)
            raise ExtractError(f"{path}: {where}: not valid {self.encoding}") from None
        header, _, body = text.partition("\n")
        names = [name.strip() for name in next(csv.reader([header], delimiter=";"))]
        try:
            data = pcsv.read_csv(
                pa.py_buffer(body.encode("utf-8")),
                read_options=pcsv.ReadOptions(column_names=names),
                parse_options=pcsv.ParseOptions(
                    delimiter=";", newlines_in_values=True, ignore_empty_lines=True
                ),
                convert_options=pcsv.ConvertOptions(
                    column_types={name: pa.string() for name in names},
                    strings_can_be_null=True,
                    null_values=[""],
                ),
            )
        except pa.ArrowInvalid as error:
            # Only on failure: the loader's reader finds the line and words the message.
            for _ in _rows(path, table, self.encoding):
                pass
            raise ExtractError(f"{path}: {error}") from None
        columns = list(file_columns(table))
        for start in range(0, max(data.num_rows, 1), self.chunk_rows):
            piece = data.slice(start, self.chunk_rows)
            chunk = pd.DataFrame(
                {
                    name: (
                        pd.Series(piece.column(name), dtype=TEXT)
                        if name in names
                        else pd.Series(pd.NA, index=range(piece.num_rows), dtype=TEXT)
                    )
                    for name in columns
                }
            )
            if len(chunk) or start == 0:
                yield chunk

    def _jeunes(self) -> pd.DataFrame:
        """Name and birth date of each dossier's first copy, indexed by its P3 id."""
        if len(self._jeune_parts) > 1:
            self._jeune_parts = [pd.concat(self._jeune_parts)]
        return self._jeune_parts[0] if self._jeune_parts else _NO_JEUNES

    def chunks(self, ot: ObjectType, stage: str = "") -> Iterator[pd.DataFrame]:
        if stage:  # the pre-check is a TAB2's: every dossier in one pass
            raise ValueError(f"the pre-check reads no stage, asked for {stage!r}")
        key = id_column(ot.table)
        seen: set[str] = set()
        line = 2  # the header is line 1
        for frame in self._read(ot.table):
            frame.insert(0, "line_no", np.arange(line, line + len(frame)))
            line += len(frame)
            ids = frame[key].str.strip()
            first = (~ids.duplicated() & ~member(ids, seen)).to_numpy()
            frame["_rank"] = np.where(first, 1, 2)
            seen.update(ids.dropna().tolist())
            if ot.table == "dossier":
                firsts = first & ids.notna().to_numpy()
                part = frame.loc[firsts, list(_JEUNE)].set_axis(_JEUNE_COLUMNS, axis=1)
                self._jeune_parts.append(part.set_index(ids[firsts].astype(object)))
            if "id_dossier" in P3_COLUMNS[ot.table]:
                jeunes = self._jeunes()
                where = jeunes.index.get_indexer(frame["id_dossier"].str.strip().astype(object))
                found = where >= 0
                for name in _JEUNE_COLUMNS:
                    values = np.full(len(frame), None, dtype=object)
                    values[found] = jeunes[name].to_numpy(dtype=object, na_value=None)[where[found]]
                    frame[name] = values
            yield frame


_JEUNE = ("nom", "prenom", "date_naissance")
_JEUNE_COLUMNS = ["_d_nom", "_d_prenom", "_d_naissance"]
_NO_JEUNES = pd.DataFrame(columns=_JEUNE_COLUMNS, index=pd.Index([], dtype=object))


class MemorySink:
    """Keeps what the cascade needs and the reject rows; writes nothing anywhere."""

    def __init__(self) -> None:
        self.ids: dict[str, set[str]] = {t: set() for t in PARENT_TABLES}
        self.rejected: dict[str, set[str]] = {t: set() for t in PARENT_TABLES}
        self.frames: list[pd.DataFrame] = []
        self.objects: dict[str, dict[str, int]] = {}
        self.codes: dict[str, set[str]] = {}  # migrated reference codes by table_name

    def parent_status(self, scope: RunScope, table: str) -> ParentStatus:
        return ParentStatus(
            pd.Series(0, index=pd.Index(list(self.ids[table]), dtype=object), dtype="int64"),
            frozenset(self.rejected[table]),
        )

    def out_of_scope(
        self, scope: RunScope, ot: ObjectType, rows: pd.DataFrame, reason: str | None = None
    ) -> None:
        pass  # counted by the engine; nothing to keep

    def already_migrated(self, scope: RunScope, ot: ObjectType) -> frozenset[str]:
        return frozenset()  # nothing is in production for a pre-check

    def migrated(self, scope, ot, rows, typed, parents, ctx) -> None:
        if ot.table in self.ids:
            self.ids[ot.table].update(rows["_id"].tolist())
        if ot.table == "reference":
            for table, code in zip(typed["table_name"], typed["code"], strict=True):
                self.codes.setdefault(table, set()).add(code)

    def rejects(self, frame: pd.DataFrame) -> None:
        if frame.empty:
            return
        table = frame["type_objet"].iloc[0]
        if table in self.rejected:
            self.rejected[table].update(frame.loc[frame["blocking"].astype(bool), "id_p3"])
        self.frames.append(frame)

    def counts(
        self,
        scope: RunScope,
        ot: ObjectType,
        family: str,
        counts: Counts,
        seconds: float,
        stage: str = "",
    ) -> None:
        self.objects[ot.table] = counts.as_dict()

    def reference_codes(self, scope: RunScope, table_name: str) -> frozenset[str] | None:
        if "reference" not in self.objects:
            return None
        return frozenset(self.codes.get(table_name, ()))


def precheck(
    folder: Path,
    report_dir: Path,
    ml: str | None = None,
    logins: frozenset[str] | None = None,
    frozen: dict[tuple[str, str], tuple] | None = None,
) -> list[dict]:
    """Run every rule on an extract for each of its MLs (or one); returns the JSON summaries."""
    folder = Path(folder)
    manifest = read_manifest(folder)
    if ml and ml not in manifest.structures:
        raise ExtractError(
            f"{folder / 'manifest.json'}: ML {ml} is not in this extract "
            f"(structures: {', '.join(manifest.structures)})"
        )
    codes = [ml] if ml else list(manifest.structures)
    summaries = []
    for code in codes:
        started = dt.datetime.now(PARIS).replace(microsecond=0)
        scope = RunScope(0, code, manifest.plateforme, 0, manifest.extracted_at.date())
        source = FileSource(folder, manifest, logins, frozen)
        sink = MemorySink()
        for family in FAMILIES:
            migrate_family(source, sink, scope, family.key)
        rules: dict[str, int] = {}
        for frame in sink.frames:
            for rule, n in frame["regle"].value_counts().items():
                rules[str(rule)] = rules.get(str(rule), 0) + int(n)
        summary = {
            "run_kind": RUN_KIND,
            "ml": code,
            "plateforme": manifest.plateforme,
            "environment": None,  # a pre-check reaches no i-milo environment
            "started_at": started.isoformat(timespec="seconds"),
            "finished_at": dt.datetime.now(PARIS).isoformat(timespec="seconds"),
            "objects": sink.objects,
            "rules": dict(sorted(rules.items())),
        }
        stem = f"rapport_{RUN_KIND}_{code}_{started:%Y%m%d-%H%M%S}"
        families = [(f.key, [ot.table for ot in f.object_types]) for f in FAMILIES]
        report_dir.mkdir(parents=True, exist_ok=True)
        files = write_report(report_dir, stem, summary, families, _report_chunks(sink.frames))
        summary["report_path"] = str(files.xlsx)
        summaries.append(summary)
    return summaries


def precheck_with_rlm_inputs(
    folder: Path,
    report_dir: Path,
    ml: str | None = None,
) -> list[dict]:
    """The pre-check of each ML of the extract (or one), with the accounts and the freeze the
    RLM gave for it, as a run of that ML would read them from p3."""
    from pipeline.inputs import rlm_inputs

    codes = [ml] if ml else list(read_manifest(Path(folder)).structures)
    summaries = []
    for code in codes:
        logins, frozen = rlm_inputs(code)
        summaries += precheck(Path(folder), report_dir, code, logins, frozen)
    return summaries


def _report_chunks(frames: list[pd.DataFrame]) -> Iterator[pd.DataFrame]:
    for frame in frames:
        out = frame[["regle", *REJECT_COLUMNS]].copy()
        out["heure"] = [h.replace(tzinfo=None) for h in out["heure"]]
        yield out
