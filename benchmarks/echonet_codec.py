"""Throughput of the ECHONET Lite frame codec: frames decoded and frames encoded per second.

    python -m benchmarks.echonet_codec [--min-time SECONDS] [--json PATH]

Three frames from VECTORS.md: a typical smart-meter Get_Res (B.3 E7), a 10-property storage-battery Get_Res (S2) and
the meter's 194-byte historical reply (B.3 E2). Each operation is timed with `time.perf_counter` over batches until at
least `--min-time` seconds (default 1 s) have been measured, then reported as operations per second.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
import json
from pathlib import Path
import platform
import sys
import time
from typing import Final

from custom_components.echonet_hems.lib.echonet.frame import Frame, decode_format1

_E2_EDT: Final = (
    "000B0000F7660000F7680000F76A0000F76C0000F76D0000F76F0000F7700000F7720000F7740000F7760000F777"
    "0000F7790000F77A0000F77C0000F77E0000F7800000F7810000F7830000F7840000F7860000F7880000F7890000"
    "F78B0000F78D0000F78E0000F7900000F7920000F7930000F7950000F7960000F7980000F79A0000F79C0000F79D"
    "0000F79F0000F7A00000F7A20000F7A40000F7A60000F7A70000F7A90000F7AB0000F7AD0000F7AF0000F7B00000"
    "F7B20000F7B40000F7B6"
)


@dataclass(frozen=True, slots=True)
class Case:
    """One frame to time."""

    name: str
    vector: str
    wire: bytes


CASES: Final = (
    Case(
        "meter_get_res_e7",
        "VECTORS.md B.3 E7",
        bytes.fromhex("1081000102880105FF017201E70400000278"),
    ),
    Case(
        "battery_get_res_10_properties",
        "VECTORS.md S2",
        bytes.fromhex(
            "1081000B027D1F05FF01720AA004000023C7A10400002092E2040000221B800130E40164E50163E60104"
            "A804001989D7A904001609B4CF0144"
        ),
    ),
    Case(
        "meter_e2_history_194_bytes",
        "VECTORS.md B.3 E2",
        bytes.fromhex("1081000102880105FF017201E2C2" + _E2_EDT),
    ),
)

_FIRST_BATCH: Final = 1_000
_TARGET_BATCH_SECONDS: Final = 0.05
_WARM_UP_SECONDS: Final = 0.1


@dataclass(frozen=True, slots=True)
class Timing:
    """How many operations ran in how many seconds."""

    iterations: int
    seconds: float

    @property
    def per_second(self) -> float:
        return self.iterations / self.seconds


@dataclass(frozen=True, slots=True)
class Result:
    """The JSON-facing result of one case."""

    name: str
    vector: str
    frame_bytes: int
    properties: int
    decode_per_second: float
    encode_per_second: float
    decode_iterations: int
    decode_seconds: float
    encode_iterations: int
    encode_seconds: float


def measure[T](operation: Callable[[T], object], argument: T, min_time: float) -> Timing:
    """Call `operation(argument)` in batches until at least `min_time` seconds have been timed."""
    iterations = 0
    elapsed = 0.0
    batch = _FIRST_BATCH
    while elapsed < min_time:
        loop = range(batch)
        start = time.perf_counter()
        for _ in loop:
            operation(argument)
        spent = time.perf_counter() - start
        iterations += batch
        elapsed += spent
        # Grow batches towards ~50 ms so the loop overhead of this function stays negligible.
        if spent < _TARGET_BATCH_SECONDS:
            batch *= 2
    return Timing(iterations, elapsed)


def run_case(case: Case, min_time: float) -> Result:
    """Check that the frame round-trips, then time decoding and encoding it."""
    frame = decode_format1(case.wire)
    if frame.encode() != case.wire:
        raise RuntimeError(f"{case.name}: the frame does not round-trip")
    measure(decode_format1, case.wire, _WARM_UP_SECONDS)  # let the interpreter specialise first
    decode = measure(decode_format1, case.wire, min_time)
    measure(Frame.encode, frame, _WARM_UP_SECONDS)
    encode = measure(Frame.encode, frame, min_time)
    return Result(
        name=case.name,
        vector=case.vector,
        frame_bytes=len(case.wire),
        properties=len(frame.properties),
        decode_per_second=decode.per_second,
        encode_per_second=encode.per_second,
        decode_iterations=decode.iterations,
        decode_seconds=decode.seconds,
        encode_iterations=encode.iterations,
        encode_seconds=encode.seconds,
    )


def _parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.echonet_codec",
        description="Frames decoded and encoded per second by the ECHONET Lite frame codec.",
    )
    parser.add_argument(
        "--min-time",
        type=float,
        default=1.0,
        metavar="SECONDS",
        help="time each operation for at least this long (default: 1.0)",
    )
    parser.add_argument("--json", type=Path, metavar="PATH", help="also write a JSON summary to PATH")
    args = parser.parse_args(argv)
    if not args.min_time > 0:
        parser.error("--min-time must be positive")
    return args


def main(argv: list[str] | None = None) -> int:
    """Run every case, print one line each and optionally write the JSON summary."""
    args = _parse_args(argv)
    min_time: float = args.min_time
    results = []
    for case in CASES:
        result = run_case(case, min_time)
        results.append(result)
        print(
            f"{result.name:<30} {result.frame_bytes:>4} B {result.properties:>2} props  "
            f"decode {result.decode_per_second:>12,.0f} frames/s  "
            f"encode {result.encode_per_second:>12,.0f} frames/s"
        )
    if args.json is not None:
        json_path: Path = args.json
        summary = {
            "benchmark": "echonet_codec",
            "python": platform.python_version(),
            "implementation": platform.python_implementation(),
            "machine": platform.machine(),
            "min_time_seconds": min_time,
            "cases": [asdict(result) for result in results],
        }
        json_path.write_text(json.dumps(summary, indent=2) + "\n", encoding="utf-8")
        print(f"wrote {json_path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
