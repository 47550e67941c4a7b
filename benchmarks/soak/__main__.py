"""Run the soak: `python -m benchmarks.soak --days N --seed S [--json PATH]` (see the package's docstring)."""

from __future__ import annotations

import argparse
import os
from pathlib import Path
import sys

import pytest


def main(argv: list[str] | None = None) -> int:
    """Run the soak inside Home Assistant's test harness; the harness's exit code."""
    parser = argparse.ArgumentParser(prog="python -m benchmarks.soak", description=__doc__.splitlines()[0])
    parser.add_argument("--days", type=int, default=7, help="simulated days with faults (default 7)")
    parser.add_argument("--seed", type=int, default=1, help="seed of the fault plan and the household (default 1)")
    parser.add_argument("--json", type=Path, help="also write the figures here")
    parser.add_argument(
        "--outlook-days",
        type=int,
        default=0,
        help="the PV outlook's history window in days (default: the integration's 14); a short one shows in a short "
        "run that planning goes on once the imported history days have left the window",
    )
    args = parser.parse_args(argv)
    if args.days < 1:
        parser.error("--days must be at least 1")
    os.environ["SOAK_DAYS"], os.environ["SOAK_SEED"] = str(args.days), str(args.seed)
    os.environ["SOAK_OUTLOOK_DAYS"] = str(max(args.outlook_days, 0))
    if args.json is not None:
        os.environ["SOAK_JSON"] = str(args.json.resolve())
    here = Path(__file__).parent
    # No pytest-timeout: a week of simulated time takes longer than the suite's per-test limit, by design.
    # No pytest log capture either: it keeps every record of the test for its report, and a record with a traceback
    # keeps the exception's frames and their locals alive (the soak's tracing counted LogRecord, UpdateFailed, frame
    # and traceback objects growing all run long). The soak counts log records with its own handler.
    options = ["-q", "-s", "-p", "no:cacheprovider", "-p", "no:logging", "--no-cov", "-o", "timeout=0"]
    options += ["-W", "ignore::RuntimeWarning"]
    return int(pytest.main([str(here / "bench_soak.py"), *options]))


if __name__ == "__main__":
    sys.exit(main())
