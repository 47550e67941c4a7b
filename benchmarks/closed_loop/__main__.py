"""Run the closed loop: `python -m benchmarks.closed_loop --days N --json PATH [--seed S]` (package docstring)."""

from __future__ import annotations

import argparse
import os
from pathlib import Path
import sys

import pytest


def main(argv: list[str] | None = None) -> int:
    """Run the closed loop inside Home Assistant's test harness; the harness's exit code."""
    parser = argparse.ArgumentParser(prog="python -m benchmarks.closed_loop", description=__doc__.splitlines()[0])
    parser.add_argument("--days", type=int, default=2, help="simulated whole days with solar charge on (default 2)")
    parser.add_argument("--seed", type=int, default=1, help="seed of the household (default 1)")
    parser.add_argument("--json", type=Path, help="also write the figures here")
    args = parser.parse_args(argv)
    if args.days < 1:
        parser.error("--days must be at least 1")
    os.environ["CLOSED_LOOP_DAYS"], os.environ["CLOSED_LOOP_SEED"] = str(args.days), str(args.seed)
    if args.json is not None:
        os.environ["CLOSED_LOOP_JSON"] = str(args.json.resolve())
    here = Path(__file__).parent
    # No pytest-timeout: whole simulated days take longer than the suite's per-test limit, by design.
    options = ["-q", "-s", "-p", "no:cacheprovider", "--no-cov", "-o", "timeout=0", "-W", "ignore::RuntimeWarning"]
    return int(pytest.main([str(here / "bench_closed_loop.py"), *options]))


if __name__ == "__main__":
    sys.exit(main())
