"""The pre-check: every rule on an extract's files, cascade included, without migrating.

An RLM runs it before a blank run to fix P3 first. It reads the CSV files directly (no
i-milo database is opened, let alone written), judges the rows with the same engine as a
run, and writes the same report files: Détail and Total sheets, ``.rejets.csv``, ``.json``.
"""

from __future__ import annotations

import contextlib
import csv
import datetime as dt
import itertools
import multiprocessing
import os
import pickle
import queue
import re
import signal
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pcsv

from pipeline.engine import (
    JEUNE_COLUMNS,
    PARIS,
    Counts,
    Findings,
    ParentStatus,
    RunScope,
    migrate_family,
)
from pipeline.extract import (
    ExtractError,
    Manifest,
    _check_headers,
    _locate_bad_bytes,
    _table_files,
    python_codec,
    read_manifest,
    strict_read,
)
from pipeline.families import FAMILIES, PARENT_TABLES, ObjectType
from pipeline.report import ReportFiles, write_report
from pipeline.rules.apply import CheckContext
from pipeline.rules.values import TEXT, arrow_text, member
from schemas.imilo.models import REJECT_COLUMNS
from schemas.p3.columns import P3_COLUMNS, file_columns, id_column

PRECHECK_CHUNK_ROWS = 100_000
RUN_KIND = "PRECHECK"
# The report process starts from a small server process rather than as a fork of the
# pre-check: a fork would share the pre-check's memory, and every page the rules then touch
# would be copied (about 0.3 s on the benchmark's million rows). Spawn where there is none.
START_METHOD = "forkserver" if "forkserver" in multiprocessing.get_all_start_methods() else "spawn"


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
        self._jeune_parts: list[pa.Table] = []  # the first copy of each dossier

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
        try:
            text = path.read_bytes().decode(python_codec(self.encoding))
        except UnicodeDecodeError:
            where = _locate_bad_bytes(path, self.encoding)
            raise ExtractError(f"{path}: {where}: not valid {self.encoding}") from None
        end = _LINE_END.search(text)  # \r\n, \n or a lone \r, as the loader's reader
        header, body = (text[: end.start()], text[end.end() :]) if end else (text, "")
        names = [name.strip() for name in next(csv.reader([header], delimiter=";"))]
        data = _parse(path, table, self.encoding, names, body)
        columns = list(file_columns(table))
        # Chunks of equal size, none over chunk_rows: the rejects reach the report evenly.
        size = -(-data.num_rows // max(1, -(-data.num_rows // self.chunk_rows))) or 1
        for start in range(0, max(data.num_rows, 1), size):
            piece = data.slice(start, size)
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
            yield chunk

    def _jeunes(self) -> pa.Table:
        """Id, name and birth date of each dossier's first copy."""
        if len(self._jeune_parts) != 1:
            parts = self._jeune_parts or [_NO_JEUNES]
            self._jeune_parts = [pa.concat_tables(parts).combine_chunks()]
        return self._jeune_parts[0]

    def chunks(self, ot: ObjectType, stage: str = "") -> Iterator[pd.DataFrame]:
        if stage:  # the pre-check is a TAB2's: every dossier in one pass
            raise ValueError(f"the pre-check reads no stage, asked for {stage!r}")
        key = id_column(ot.table)
        seen: list[pa.Array] = []  # the ids of the chunks before
        line = 2  # the header is line 1
        for frame in self._read(ot.table):
            frame.insert(0, "line_no", np.arange(line, line + len(frame)))
            line += len(frame)
            ids = frame[key].str.strip()
            id_text = arrow_text(ids)
            # A copy is first where its id's first position in the chunk is its own.
            first = pc.index_in(id_text, value_set=id_text).to_numpy() == np.arange(len(frame))
            if seen:
                first &= ~member(ids, pa.concat_arrays(seen)).to_numpy()
            frame["_rank"] = np.where(first, 1, 2)
            seen.append(id_text)
            if ot.table == "dossier":
                firsts = first & ids.notna().to_numpy()
                part = {"id": id_text.filter(firsts)}
                for name, column in zip(_JEUNE, JEUNE_COLUMNS, strict=True):
                    part[column] = arrow_text(frame[name]).filter(firsts)
                self._jeune_parts.append(pa.table(part))
            if "id_dossier" in P3_COLUMNS[ot.table]:
                jeunes = self._jeunes()
                dossier = arrow_text(frame["id_dossier"].str.strip())
                where = pc.index_in(dossier, value_set=jeunes.column("id").chunk(0))
                for name in JEUNE_COLUMNS:
                    frame[name] = pd.Series(
                        jeunes.column(name).take(where), index=frame.index, dtype=TEXT
                    )
            yield frame


def _parse(path: Path, table: str, encoding: str, names: list[str], body: str) -> pa.Table:
    """The rows after the header, every column Arrow text (NULL for an empty value)."""
    if not body.strip():  # a header and no row
        return pa.table({name: pa.array([], pa.string()) for name in names})
    if '"' in body and _ODD_QUOTE.search(body):
        # Arrow reads a stray quote ("Pharma"cie) leniently; the loader's reader may refuse
        # it: let it judge, as a TAB's load would.
        strict_read(path, table, encoding)
    data = body.encode("utf-8")
    try:
        return _arrow_csv(data, names, block_size=1 << 20)
    except pa.ArrowInvalid as error:
        if "straddl" in str(error):  # a value longer than a block: read the file as one
            try:
                return _arrow_csv(data, names, block_size=len(data) + 1)
            except pa.ArrowInvalid:
                pass
        # Only on failure: the loader's reader finds the line and words the message.
        strict_read(path, table, encoding)
        raise ExtractError(f"{path}: {error}") from None


def _arrow_csv(data: bytes, names: list[str], block_size: int) -> pa.Table:
    return pcsv.read_csv(
        pa.py_buffer(data),
        read_options=pcsv.ReadOptions(column_names=names, block_size=block_size),
        parse_options=pcsv.ParseOptions(
            delimiter=";", newlines_in_values=True, ignore_empty_lines=True
        ),
        convert_options=pcsv.ConvertOptions(
            column_types={name: pa.string() for name in names},
            strings_can_be_null=True,
            null_values=[""],
        ),
    )


_LINE_END = re.compile("\r\n|\n|\r")
# A quote that neither opens a field, nor is doubled, nor closes one: what strict CSV refuses.
_ODD_QUOTE = re.compile('(?<=[^;\r\n"])"(?![";\r\n]|$)')
_NO_IDS = pa.array([], pa.large_string())
_JEUNE = ("nom", "prenom", "date_naissance")
_NO_JEUNES = pa.table({n: pa.array([], pa.large_string()) for n in ["id", *JEUNE_COLUMNS]})


class MemorySink:
    """Keeps what the cascade needs and the reject rows; writes nothing anywhere."""

    def __init__(self, report: ReportWriter) -> None:
        self.ids: dict[str, list[pa.Array]] = {t: [] for t in PARENT_TABLES}  # migrated
        self.rejected: dict[str, set[str]] = {t: set() for t in PARENT_TABLES}
        self.report = report  # where the reject rows go, as they are found
        self.rules: Counter[str] = Counter()
        self.objects: dict[str, dict[str, int]] = {}
        self.codes: dict[str, set[str]] = {}  # migrated reference codes by table_name

    def parent_status(self, scope: RunScope, table: str) -> ParentStatus:
        known = self.ids[table]
        if len(known) != 1:
            self.ids[table] = known = [pa.concat_arrays(known or [_NO_IDS])]
        return ParentStatus(
            pd.Series(dtype="int64"), frozenset(self.rejected[table]), known=known[0]
        )

    def out_of_scope(
        self, scope: RunScope, ot: ObjectType, rows: pd.DataFrame, reason: str | None = None
    ) -> None:
        pass  # counted by the engine; nothing to keep

    def already_migrated(self, scope: RunScope, ot: ObjectType) -> frozenset[str]:
        return frozenset()  # nothing is in production for a pre-check

    def migrated(self, scope, ot, rows, typed, keep, parents, ctx) -> None:
        if ot.table in self.ids:
            self.ids[ot.table].append(arrow_text(rows["_id"]).filter(pa.array(keep.to_numpy())))
        if ot.table == "reference":
            kept = typed.loc[keep]
            for table, code in zip(kept["table_name"], kept["code"], strict=True):
                self.codes.setdefault(table, set()).add(code)

    def rejects(self, findings: Findings) -> None:
        if findings.found.empty:
            return
        if findings.table in self.rejected:
            self.rejected[findings.table].update(findings.blocking_ids())
        self.rules.update(findings.found["rule"].value_counts().to_dict())
        self.report.add(findings)  # the reject rows are built by whoever writes them

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
    parallel: bool = True,
) -> list[dict]:
    """Run every rule on an extract for each of its MLs (or one); returns the JSON summaries.

    ``parallel``: write the report in a second process while the rules run (``False``: at
    the end, in this process)."""
    folder = Path(folder)
    manifest = read_manifest(folder)
    if ml and ml not in manifest.structures:
        raise ExtractError(
            f"{folder / 'manifest.json'}: ML {ml} is not in this extract "
            f"(structures: {', '.join(manifest.structures)})"
        )
    codes = [ml] if ml else list(manifest.structures)
    families = [(f.key, [ot.table for ot in f.object_types]) for f in FAMILIES]
    summaries = []
    for code in codes:
        started = dt.datetime.now(PARIS).replace(microsecond=0)
        stem = _free_stem(Path(report_dir), f"rapport_{RUN_KIND}_{code}_{started:%Y%m%d-%H%M%S}")
        writer = (BackgroundReport if parallel else ReportWriter)(report_dir, stem, families)
        try:
            scope = RunScope(0, code, manifest.plateforme, 0, manifest.extracted_at.date())
            source = FileSource(folder, manifest, logins, frozen)
            sink = MemorySink(writer)
            for family in FAMILIES:
                migrate_family(source, sink, scope, family.key)
            summary = {
                "run_kind": RUN_KIND,
                "ml": code,
                "plateforme": manifest.plateforme,
                "environment": None,  # a pre-check reaches no i-milo environment
                "started_at": started.isoformat(timespec="seconds"),
                "finished_at": dt.datetime.now(PARIS).isoformat(timespec="seconds"),
                "objects": sink.objects,
                "rules": {rule: int(n) for rule, n in sorted(sink.rules.items())},
            }
            files = writer.finish(summary)
        except BaseException:
            writer.abort()
            raise
        summary["report_path"] = str(files.xlsx)
        summaries.append(summary)
    return summaries


def _free_stem(report_dir: Path, base: str) -> str:
    """A report name no other pre-check of this folder holds: ``base``, or ``base-2``, ``-3``
    when two start in the same second. The name is taken by creating its workbook's part
    file, which the report then writes (and removes if it fails)."""
    report_dir.mkdir(parents=True, exist_ok=True)
    for n in itertools.count(1):
        stem = base if n == 1 else f"{base}-{n}"
        files = ReportFiles.named(report_dir, stem)
        if any(path.exists() for path in files.all()):
            continue
        try:
            os.close(os.open(files.parts()[0], os.O_CREAT | os.O_EXCL | os.O_WRONLY))
        except FileExistsError:
            continue
        return stem
    raise AssertionError("unreachable")


class ReportWriter:
    """Keeps the reject rows and writes the report files when the pre-check ends."""

    def __init__(self, report_dir: Path, stem: str, families: list) -> None:
        self.report_dir, self.stem, self.families = Path(report_dir), stem, families
        self.findings: list[Findings] = []

    def add(self, findings: Findings) -> None:
        self.findings.append(findings)

    def finish(self, summary: dict) -> ReportFiles:
        return write_report(
            self.report_dir, self.stem, summary, self.families, _report_chunks(self.findings)
        )

    def abort(self) -> None:
        self.findings = []
        for part in ReportFiles.named(self.report_dir, self.stem).parts():
            part.unlink(missing_ok=True)


class BackgroundReport(ReportWriter):
    """Writes the report in a second process while the rules run: each chunk's reject rows
    go to it as they are found, the summary when the last object type is judged. The
    report's sheets take about as long to write as the rules to run; side by side, the
    pre-check takes the longer of the two instead of their sum."""

    def __init__(self, report_dir: Path, stem: str, families: list) -> None:
        super().__init__(report_dir, stem, families)
        context: Any = multiprocessing.get_context(START_METHOD)
        self.inbox: multiprocessing.Queue = context.Queue(maxsize=256)
        self.outbox: multiprocessing.Queue = context.Queue()
        self.process = context.Process(
            target=_write_from_queue,
            args=(self.inbox, self.outbox, self.report_dir, stem, families),
            name=f"imilo-report-{stem}",
            daemon=True,
        )
        self.process.start()

    def add(self, findings: Findings) -> None:
        if not self.outbox.empty():  # it failed already: stop here and tell why
            self._outcome()
        self._send(("rows", findings))

    def finish(self, summary: dict) -> ReportFiles:
        self._send(("end", summary))
        return self._outcome()

    def abort(self) -> None:
        if self.process.is_alive():
            with contextlib.suppress(queue.Full):
                self.inbox.put(("abort", None), timeout=5)
        self._stop()
        super().abort()  # what a report process killed on its own could not remove

    def _send(self, message: tuple) -> None:
        while True:
            try:
                self.inbox.put(message, timeout=1)
                return
            except queue.Full:
                if not self.process.is_alive():  # it failed: its error is the one to tell
                    self._outcome()

    def _outcome(self) -> ReportFiles:
        """The report process's answer: the files, or its error, raised here."""
        while True:
            try:
                outcome, value = self.outbox.get(timeout=1)
                break
            except queue.Empty:
                if not self.process.is_alive() and self.outbox.empty():
                    self._stop()
                    raise RuntimeError(
                        f"the report process stopped (exit code {self.process.exitcode})"
                        " without writing the report"
                    ) from None
        self._stop()
        if outcome == "error":
            raise value
        return value

    def _stop(self) -> None:
        self.process.join(timeout=30)
        if self.process.is_alive():
            self.process.kill()
            self.process.join()
        self.inbox.cancel_join_thread()  # what it did not read is not needed any more
        self.inbox.close()
        self.outbox.close()


class _Aborted(Exception):
    """The pre-check failed: the report being written is dropped."""


def _write_from_queue(inbox, outbox, report_dir: Path, stem: str, families) -> None:
    parent = multiprocessing.parent_process()

    def stopped(signum: int, frame: object) -> None:
        raise _Aborted()  # stopped with the pre-check: no half report left

    signal.signal(signal.SIGTERM, stopped)
    signal.signal(signal.SIGINT, stopped)
    summary: dict = {}

    def chunks() -> Iterator[pd.DataFrame]:
        while True:
            try:
                kind, payload = inbox.get(timeout=1)
            except queue.Empty:
                if parent is not None and not parent.is_alive():  # the pre-check was killed
                    raise _Aborted() from None
                continue
            if kind == "rows":
                yield from _report_chunks([payload])
            elif kind == "end":
                summary.update(payload)
                return
            else:
                raise _Aborted()

    try:
        outbox.put(("ok", write_report(report_dir, stem, summary, families, chunks())))
    except _Aborted:
        pass
    except BaseException as error:  # told to the pre-check, which raises it
        try:
            pickle.dumps(error)
        except Exception:
            error = RuntimeError(f"{type(error).__name__}: {error}")
        outbox.put(("error", error))


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


def _report_chunks(batches: list[Findings]) -> Iterator[pd.DataFrame]:
    for findings in batches:
        out = findings.frame()[["regle", *REJECT_COLUMNS]]
        out["heure"] = findings.heure.replace(tzinfo=None)  # one per chunk
        yield out
