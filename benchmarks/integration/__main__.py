"""Set-up time, CPU per poll cycle and frames per poll cycle of the integration, against the demo home.

Run: `python -m benchmarks.integration [--cycles 50] [--json PATH]`.

The virtual home (`python -m virtual_home`, the demo's default devices) runs in its own process, so the CPU time
measured here is Home Assistant's and the integration's. The measurement itself is `bench_integration.py`, run inside
Home Assistant's test harness (a real `hass`, real UDP sockets and a real pty); it prints numbers and asserts nothing
about time. Not part of the test suite.
"""

from __future__ import annotations

import argparse
import os
from pathlib import Path
import sys

import pytest


def main(argv: list[str] | None = None) -> int:
    """Run the measurement; the exit code of the harness."""
    parser = argparse.ArgumentParser(prog="python -m benchmarks.integration", description=__doc__.splitlines()[0])
    parser.add_argument("--cycles", type=int, default=50, help="poll cycles to time (default 50)")
    parser.add_argument("--json", type=Path, help="also write the numbers here")
    args = parser.parse_args(argv)
    os.environ["BENCH_CYCLES"] = str(args.cycles)
    if args.json is not None:
        os.environ["BENCH_JSON"] = str(args.json.resolve())
    here = Path(__file__).parent
    return int(pytest.main([str(here / "bench_integration.py"), "-q", "-s", "-p", "no:cacheprovider", "--no-cov"]))


if __name__ == "__main__":
    sys.exit(main())
