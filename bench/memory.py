"""Peak memory of a TAB2 run against the size of the extract.

Each measurement is a fresh process (generate, load, run TAB2) whose peak resident set
is read from the kernel; the baseline is the 2,000-dossier run of the same invocation.
Usage: python bench/memory.py [--small 2000] [--large 20000]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from common import generate_extract

CHILD = r"""
import json, resource, sys, time
from pathlib import Path
from pipeline import db
from pipeline.cli import run_kind
from pipeline.extract import load_extract

folder, ml, reports = Path(sys.argv[1]), sys.argv[2], sys.argv[4]
start = time.perf_counter()
loaded = load_extract(folder, db.upgrade_p3())
loaded_at = time.perf_counter()
summary = run_kind("TAB2", ml, reports)
done = time.perf_counter()
print(json.dumps({"rows": sum(loaded.rows.values()), "load_s": loaded_at - start,
                  "run_s": done - loaded_at,
                  "rejects": sum(summary["rules"].values())}))
"""


def measure(dossiers: int, ml: str, work: Path) -> dict:
    """Run one TAB2 in a child process; returns its figures and peak RSS in MiB."""
    generate_extract(work / f"x{dossiers}", ml, dossiers)
    child = subprocess.Popen(
        [
            sys.executable,
            "-c",
            CHILD,
            str(work / f"x{dossiers}"),
            ml,
            str(dossiers),
            str(work / f"r{dossiers}"),
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    assert child.stdout is not None
    output = child.stdout.read()
    _, status, usage = os.wait4(child.pid, 0)  # this child's own peak, not the generator's
    child.returncode = os.waitstatus_to_exitcode(status)
    if child.returncode != 0:
        raise SystemExit(f"TAB2 of {dossiers} dossiers failed (exit {child.returncode})")
    figures = json.loads(output.strip().splitlines()[-1])
    figures["peak_mib"] = usage.ru_maxrss / 1024
    return figures


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--small", type=int, default=2000)
    parser.add_argument("--large", type=int, default=20000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="imilo-bench-") as tmp:
        work = Path(tmp)
        started = time.perf_counter()
        small = measure(args.small, "64445S00", work)
        large = measure(args.large, "64446S00", work)
    for name, f in (("baseline", small), ("large", large)):
        dossiers = args.small if name == "baseline" else args.large
        print(
            f"{name:<9} {dossiers:>6} dossiers {f['rows']:>8} rows  load {f['load_s']:6.1f} s"
            f"  TAB2 {f['run_s']:6.1f} s ({f['rows'] / f['run_s']:,.0f} rows/s)"
            f"  rejects {f['rejects']:>6}  peak RSS {f['peak_mib']:7.1f} MiB"
        )
    ratio = large["peak_mib"] / small["peak_mib"]
    print(
        f"peak memory ratio large/baseline: {ratio:.2f} (target <= 1.50) "
        f"for {args.large / args.small:.0f}x the dossiers; "
        f"time ratio {large['run_s'] / small['run_s']:.2f}; "
        f"bench took {time.perf_counter() - started:.0f} s"
    )
    return 0 if ratio <= 1.5 else 1


if __name__ == "__main__":
    sys.exit(main())
