"""The pre-check: every rule on an extract's files, cascade included, without migrating.

An RLM runs it before a blank run to fix P3 first. It reads the CSV files directly (no
i-milo database is opened, let alone written), judges the rows with the same engine as a
run, and writes the same report files: Détail and Total sheets, ``.rejets.csv``, ``.json``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pandas as pd

from pipeline.engine import PARIS, Counts, ParentStatus, RunScope, migrate_family
from pipeline.extract import (
    ExtractError,
    Manifest,
    _check_headers,
    _locate_bad_bytes,
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
        self.dossiers: dict[str, tuple] = {}  # first copy of each dossier: the jeune's name
        self._by_column: tuple[dict, dict, dict] | None = None

    def context(self, scope: RunScope) -> CheckContext:
        codes: set[str] = set()
        for rows in self._read("reference"):
            table = rows["table_name"].astype(TEXT).str.strip()
            code = rows["code"].astype(TEXT).str.strip()
            codes.update(code[(table == "CONNAISSANCE").fillna(False) & code.notna()])
        return CheckContext(scope.extracted_on, frozenset(codes), self.logins, self.frozen)

    def _read(self, table: str) -> Iterator[pd.DataFrame]:
        path = self.files.get(table)
        if path is None:
            return
        columns = list(file_columns(table))
        codec = (
            "utf-8-sig"
            if self.encoding.lower().replace("_", "-") in ("utf-8", "utf8")
            else self.encoding
        )
        try:
            reader = pd.read_csv(
                path,
                sep=";",
                quotechar='"',
                dtype=TEXT,
                encoding=codec,
                keep_default_na=False,
                na_values=[""],
                chunksize=self.chunk_rows,
                skip_blank_lines=True,
            )
            for chunk in reader:
                chunk.columns = [c.strip() for c in chunk.columns]
                for name in columns:
                    if name not in chunk:
                        chunk[name] = pd.Series(pd.NA, index=chunk.index, dtype=TEXT)
                yield chunk[columns]
        except UnicodeDecodeError:
            where = _locate_bad_bytes(path, self.encoding)
            raise ExtractError(f"{path}: {where}: not valid {self.encoding}") from None
        except (pd.errors.ParserError, ValueError) as error:
            raise ExtractError(f"{path}: {str(error).strip()}") from None

    def _dossier_columns(self) -> tuple[dict, dict, dict]:
        if self._by_column is None:
            nom, prenom, naissance = ({k: v[i] for k, v in self.dossiers.items()} for i in range(3))
            self._by_column = (nom, prenom, naissance)
        return self._by_column

    def chunks(self, ot: ObjectType, stage: str = "") -> Iterator[pd.DataFrame]:
        if stage:  # the pre-check is a TAB2's: every dossier in one pass
            raise ValueError(f"the pre-check reads no stage, asked for {stage!r}")
        key = id_column(ot.table)
        seen: set[str] = set()
        line = 2  # the header is line 1
        for frame in self._read(ot.table):
            frame.insert(0, "line_no", np.arange(line, line + len(frame)))
            frame.index = pd.RangeIndex(len(frame))
            line += len(frame)
            ids = frame[key].astype(TEXT).str.strip()
            first = ~ids.duplicated() & ~member(ids, seen)
            frame["_rank"] = np.where(first, 1, 2)
            seen.update(ids.dropna().tolist())
            if ot.table == "dossier":
                firsts = frame.loc[first & ids.notna()]
                self._by_column = None
                for k, nom, prenom, naissance in zip(
                    ids[first & ids.notna()],
                    firsts["nom"],
                    firsts["prenom"],
                    firsts["date_naissance"],
                    strict=True,
                ):
                    self.dossiers.setdefault(k, (nom, prenom, naissance))
            if "id_dossier" in P3_COLUMNS[ot.table]:
                dossier = frame["id_dossier"].astype(TEXT).str.strip().astype(object)
                for name, values in zip(
                    ("_d_nom", "_d_prenom", "_d_naissance"), self._dossier_columns(), strict=True
                ):
                    found = dossier.map(values)
                    frame[name] = found.astype(object).where(found.notna(), None)
            yield frame


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
            pd.Series(0, index=sorted(self.ids[table]), dtype="int64"),
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
