"""`python -m benchmarks.fuzz`: the quick tier's JSON and zero crashes, and proof that the harness can fail.

The CLI runs in a subprocess (it starts an event loop and worker processes; never `asyncio.run` in a test's thread).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
import json
import logging
from pathlib import Path
import random
import subprocess
import sys
from typing import Any

import pytest

from benchmarks.fuzz.flow_inputs import FLOW_TARGETS, FlowInputGenerator
from benchmarks.fuzz.frames import FrameGenerator, client_profile
from benchmarks.fuzz.harness import Case, ErrorLogCounter, Stats, afeed_cases, feed_cases
from benchmarks.fuzz.inputs import InputGenerator
from benchmarks.fuzz.skstack import LineGenerator
from benchmarks.fuzz.targets import BYTE_TARGETS

ROOT = Path(__file__).resolve().parents[2]


def run_fuzz(tmp_path: Path, *args: str) -> tuple[int, dict[str, Any]]:
    out = tmp_path / "fuzz.json"
    done = subprocess.run(
        [sys.executable, "-m", "benchmarks.fuzz", "--quick", "--json", str(out), *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert out.exists(), done.stderr
    document: dict[str, Any] = json.loads(out.read_text(encoding="utf-8"))
    return done.returncode, document


@pytest.fixture(scope="module")
def quick(tmp_path_factory: pytest.TempPathFactory) -> tuple[int, dict[str, Any]]:
    return run_fuzz(
        tmp_path_factory.mktemp("fuzz"), "--executions", "600", "--seed", "7", "--targets", ",".join(BYTE_TARGETS)
    )


@pytest.fixture(scope="module")
def flows(tmp_path_factory: pytest.TempPathFactory) -> tuple[int, dict[str, Any]]:
    """The flow and action targets: Home Assistant started once per target, in a subprocess."""
    return run_fuzz(
        tmp_path_factory.mktemp("flows"), "--executions", "40", "--seed", "7", "--targets", ",".join(FLOW_TARGETS)
    )


def test_quick_run_has_every_target_and_no_crash(quick: tuple[int, dict[str, Any]]) -> None:
    code, document = quick
    assert code == 0
    assert document["executions"] == dict.fromkeys(BYTE_TARGETS, 600)
    assert document["crashes"] == dict.fromkeys(BYTE_TARGETS, 0)
    assert document["crashes_total"] == 0
    assert set(document["hangs"]) == set(BYTE_TARGETS)
    assert document["hangs_total"] == sum(document["hangs"].values())
    for target in BYTE_TARGETS:
        slowest = document["slowest"][target]
        assert slowest["us"] > 0
        assert slowest["input_hex"]
        assert document["executions_per_s"][target] > 0


def test_structured_inputs_reach_past_the_decoder(quick: tuple[int, dict[str, Any]]) -> None:
    """Not only junk: a good share of the frames decode, requests reach the nodes, ERXUDP lines parse."""
    outcomes = quick[1]["outcomes"]
    assert outcomes["echonet_frame_client"]["frame"] > 100
    assert outcomes["echonet_frame_client"]["request"] > 20
    assert outcomes["echonet_frame_virtual_home"]["request"] > 100
    assert outcomes["skstack_lines"]["UdpPacket"] > 30
    assert outcomes["inputs"]["accepted"] > 50


def test_a_planted_crash_is_counted_and_fails_the_run(tmp_path: Path) -> None:
    code, document = run_fuzz(tmp_path, "--executions", "2000", "--targets", "inputs", "--plant-crash")
    assert code == 1
    crashes = document["crashes"]["planted_crash"]
    assert 20 < crashes < 200  # inputs starting with a byte below 8: about 3 %
    assert document["crashes_total"] == crashes
    example = document["crash_examples"]["planted_crash"][0]
    assert int(example["input_hex"][:2], 16) < 8
    assert example["error"].startswith("KeyError")
    assert example["where"].endswith(".py:" + example["where"].rsplit(":", 1)[1])


def test_flow_targets_run_through_home_assistant_without_a_crash(flows: tuple[int, dict[str, Any]]) -> None:
    code, document = flows
    assert code == 0, document["crash_examples"]
    assert document["executions"] == dict.fromkeys(FLOW_TARGETS, 40)
    assert document["crashes"] == dict.fromkeys(FLOW_TARGETS, 0)
    outcomes = document["outcomes"]
    # Past the schema into the steps' own checks and the real search, join and save: not only refusals.
    assert outcomes["flow_lan"].get("error:no_devices", 0) + outcomes["flow_lan"].get("error:invalid_address", 0) > 5
    assert outcomes["flow_meter"].get("error:cannot_connect", 0) > 0
    # And to the end with a working device: entries created, set up with their devices, loaded and removed again.
    assert outcomes["flow_lan"].get("accepted", 0) > 0
    assert outcomes["flow_meter"].get("accepted", 0) > 0
    assert outcomes["flow_meter"].get("abort:wrong_meter", 0) > 0  # a reconfigure joined the rig's other meter
    assert outcomes["flow_home_energy"].get("accepted", 0) > 0
    assert outcomes["actions"].get("accepted", 0) > 5


def test_a_crash_in_an_action_handler_is_counted(tmp_path: Path) -> None:
    """`--plant-crash` makes the resume action's handler raise KeyError, as a bug would: each call that reaches it is
    a crash of the `actions` target, with the input that caused it."""
    code, document = run_fuzz(tmp_path, "--executions", "60", "--targets", "actions", "--plant-crash")
    assert code == 1
    crashes = document["crashes"]["actions"]
    assert crashes > 0
    examples = document["crash_examples"]["actions"]
    assert all(example["kind"] == "resume" for example in examples)
    assert examples[0]["error"].startswith("KeyError")
    assert "resume" in bytes.fromhex(examples[0]["input_hex"]).decode()
    assert crashes <= document["kinds"]["actions"]["resume"]


@pytest.mark.parametrize("generator", [FrameGenerator, LineGenerator, InputGenerator])
def test_the_same_seed_gives_the_same_inputs(generator: Callable[..., Any]) -> None:
    """Reproducible: a shard's generator depends on its seed string only."""

    def draw(seed: str) -> list[bytes]:
        rng = random.Random(seed)
        made = generator(rng, client_profile()) if generator is FrameGenerator else generator(rng)
        return [case.data for case in made.cases(300)]

    assert draw("7:x:0") == draw("7:x:0")
    assert draw("7:x:0") != draw("7:x:1")


@pytest.mark.parametrize("target", FLOW_TARGETS)
def test_the_same_seed_gives_the_same_flow_inputs(target: str) -> None:
    def draw(seed: str) -> list[bytes]:
        return [case.data for case in FlowInputGenerator(random.Random(seed), target).cases(100)]

    assert draw("7:x:0") == draw("7:x:0")
    assert draw("7:x:0") != draw("7:x:1")


def test_a_budget_of_zero_makes_every_input_a_hang() -> None:
    stats = Stats()
    feed_cases(stats, lambda case: None, [Case("raw", b"\x01")] * 5, budget_s=0.0)
    assert (stats.executions, stats.hangs, stats.crashes) == (5, 5, 0)


def test_an_error_logged_with_a_traceback_is_a_crash() -> None:
    counter = ErrorLogCounter()
    logger = logging.getLogger("tests.fuzz.planted")
    logger.addHandler(counter)
    try:
        stats = Stats()
        feed_cases(
            stats, lambda case: logger.error("boom %s", case.kind), [Case("x", b"\x00")], budget_s=1, errors=counter
        )
    finally:
        logger.removeHandler(counter)
    assert stats.crashes == 1
    assert "boom x" in stats.examples[0].error


async def test_an_input_never_answered_is_cancelled_and_counted_as_a_hang() -> None:
    async def never(case: Case) -> str:
        await asyncio.Event().wait()
        return "never"

    stats = Stats()
    await afeed_cases(stats, never, [Case("x", b"\x00")] * 2, budget_s=1.0, cap_s=0.01)
    assert (stats.executions, stats.hangs, stats.crashes) == (2, 2, 0)
    assert stats.outcomes == {"no answer": 2}


async def test_a_timeout_of_the_target_itself_is_a_crash() -> None:
    async def times_out(case: Case) -> str:
        raise TimeoutError("own")

    stats = Stats()
    await afeed_cases(stats, times_out, [Case("x", b"\x00")], budget_s=1.0, cap_s=60.0)
    assert (stats.crashes, stats.hangs) == (1, 0)


def test_no_two_shards_with_nodes_on_loopback_run_at_once() -> None:
    """The LAN flow, the meter flow and the actions each put virtual ECHONET Lite nodes on loopback (or search it):
    beside one another, each would find the other's nodes and lose them mid-poll when that shard ends. The schedule
    keeps them one at a time and the other worker busy with the rest."""
    from benchmarks.fuzz.__main__ import ON_LOOPBACK_LAN, _next_shard, _parse, _plan, _shards
    from benchmarks.fuzz.targets import Shard

    for argv in (["--quick"], ["--executions", "2500"]):
        pending = _shards(_plan(_parse(argv)))
        total, running, order = len(pending), list[Shard](), list[str]()
        while pending or running:
            while len(running) < 2 and (shard := _next_shard(pending, running)) is not None:
                pending.remove(shard)
                running.append(shard)
                order.append(shard.target)
                assert sum(shard.target in ON_LOOPBACK_LAN for shard in running) <= 1, running
            running.pop(0)  # the oldest finishes first
        assert len(order) == total
        assert order[:2] == ["flow_lan", "flow_home_energy"]  # the second worker does not wait for the LAN
