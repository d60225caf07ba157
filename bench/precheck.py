"""Pre-check speed against merely reading the same files with pandas.

Generates an extract of about a million rows (in another process), then times, in this
process: reading every CSV file with ``pandas.read_csv(dtype=str)``, and the pre-check
(every rule, the cascade, the report files). Prints both times and the ratio (target: <= 3),
and, for comparison, the pre-check with its report written after the rules instead of by a
second process beside them (what a machine with one core would see).
Usage: python bench/precheck.py [--dossiers 25000]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

import pandas as pd
from common import generate_extract

from pipeline.precheck import precheck

ML = "64447S00"


def read_all(folder: Path) -> int:
    rows = 0
    for path in sorted(folder.glob("*.csv")):
        if path.name == "comptes_imilo.csv":
            continue
        rows += len(pd.read_csv(path, sep=";", dtype=str, encoding="cp1252"))
    return rows


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--dossiers", type=int, default=25_000)
    parser.add_argument("--repeat", type=int, default=3, help="best of N for each side")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="imilo-bench-") as tmp:
        folder = Path(tmp) / "extract"
        generate_extract(folder, ML, args.dossiers)
        rows, baseline, checked, alone = 0, float("inf"), float("inf"), float("inf")
        for attempt in range(args.repeat):
            start = time.perf_counter()
            rows = read_all(folder)
            baseline = min(baseline, time.perf_counter() - start)
            start = time.perf_counter()
            summary = precheck(folder, Path(tmp) / f"reports{attempt}", ML)[0]
            checked = min(checked, time.perf_counter() - start)
            start = time.perf_counter()
            precheck(folder, Path(tmp) / f"sequential{attempt}", ML, parallel=False)
            alone = min(alone, time.perf_counter() - start)
        lines = sum(summary["rules"].values())
    print(
        f"extract: {rows:,} rows in {len(list(summary['objects']))} tables, {lines:,} report lines"
    )
    print(f"baseline pandas.read_csv(dtype=str):       {baseline:6.2f} s")
    print(f"precheck (rules, cascade, report):         {checked:6.2f} s")
    print(f"precheck, report written after the rules:  {alone:6.2f} s")
    ratio = checked / baseline
    print(f"ratio precheck / read_csv: {ratio:.2f} (target <= 3.00), best of {args.repeat}")
    print(f"ratio with the report written after the rules: {alone / baseline:.2f}")
    return 0 if ratio <= 3 else 1


if __name__ == "__main__":
    sys.exit(main())
