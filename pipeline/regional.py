"""Workbooks beside the run reports: the comparison of two runs, and the ATR's regional view."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import psycopg
import xlsxwriter

from pipeline.engine import PARIS
from pipeline.evolution import Evolution, region_rows
from pipeline.report import EVOLUTION_SHEET, write_evolution

REGION_SHEET = "Région"
REGION_HEADERS = (
    "Mission Locale",
    "Dernier type de migration",
    "Date",
    "Verdict",
    "Rejets bloquants",
    "Tendance des rejets bloquants (par migration)",
    "Durée prévue de la MIG (h:mm:ss)",
    "Tient dans la fenêtre du week-end",
)


class _Formats:
    """The few formats the small workbooks share with the run report."""

    def __init__(self, workbook: xlsxwriter.Workbook) -> None:
        self.header = workbook.add_format(
            {"bold": True, "text_wrap": True, "valign": "top", "bg_color": "#DDEBF7", "border": 1}
        )
        self.bold = workbook.add_format({"bold": True})
        self.plain = workbook.add_format()
        self.number = workbook.add_format({"num_format": "#,##0.##"})
        self.date = workbook.add_format({"num_format": "dd/mm/yyyy hh:mm"})
        self.duration = workbook.add_format({"num_format": "[h]:mm:ss"})


def _stamp() -> str:
    return f"{dt.datetime.now(PARIS):%Y%m%d-%H%M%S}"


def write_comparison(out_dir: Path, evolution: Evolution) -> Path:
    """One workbook with the Évolution sheet between two runs."""
    out_dir.mkdir(parents=True, exist_ok=True)
    path = out_dir / f"comparaison_{evolution.previous}_{evolution.current}_{_stamp()}.xlsx"
    workbook = xlsxwriter.Workbook(str(path))
    write_evolution(workbook.add_worksheet(EVOLUTION_SHEET), evolution, _Formats(workbook))
    workbook.close()
    return path


def write_region_report(
    out_dir: Path,
    target: psycopg.Connection,
    region: str,
) -> tuple[Path | None, list[dict[str, Any]]]:
    """One workbook for the ATR: every ML of the region, its last run and its trend."""
    rows = region_rows(target, region)
    if not rows:
        return None, rows  # nothing to show: no workbook
    out_dir.mkdir(parents=True, exist_ok=True)
    safe = "".join(c if c.isalnum() else "-" for c in region)
    path = out_dir / f"region_{safe}_{_stamp()}.xlsx"
    workbook = xlsxwriter.Workbook(str(path), {"remove_timezone": True})
    formats = _Formats(workbook)
    ws = workbook.add_worksheet(REGION_SHEET)
    for col, (header, width) in enumerate(
        zip(REGION_HEADERS, (14, 14, 18, 10, 12, 40, 14, 14), strict=True)
    ):
        ws.set_column(col, col, width)
        ws.write_string(0, col, header, formats.header)
    for row, ml in enumerate(rows, start=1):
        ws.write_string(row, 0, ml["ml"])
        ws.write_string(row, 1, ml["run_kind"])
        ws.write_datetime(row, 2, ml["date"].astimezone(PARIS).replace(tzinfo=None), formats.date)
        ws.write_string(row, 3, ml["verdict"])
        ws.write_number(row, 4, ml["rejets_bloquants"])
        ws.write_string(row, 5, ml["tendance"])
        ws.write_number(row, 6, ml["forecast"]["mig_seconds"] / 86400, formats.duration)
        ws.write_string(row, 7, "Oui" if ml["forecast"]["fits"] else "Non")
    ws.freeze_panes(1, 1)
    ws.autofilter(0, 0, max(len(rows), 1), len(REGION_HEADERS) - 1)
    workbook.close()
    return path, rows
