"""The session after a crash, a replug and a busy meter (issue 15): SKTERM of a left-behind session, and back-off.

Against the virtual home's dongle (accelerated clock) where the dongle's state matters, against the scripted fake
dongle where only the session's decisions do. Back-off is asserted on the delays the session asks for (protocol
seconds, recorded through its `Timing`), never on elapsed time.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from pathlib import Path

import pytest

from custom_components.echonet_hems.lib.broute.session import LinkState
from custom_components.echonet_hems.lib.broute.timing import Timing
from virtual_home.dongle.session import LinkState as EmulatedState

from .support import DIALECTS, StateRecorder, rig
from .test_session_replay import C1_JOIN, C1_METER, Script, make

BUSY_JOIN = f"OK\r\nEVENT 21 {C1_METER} 02\r\nEVENT 24 {C1_METER}\r\n".encode()  # nobody answered PANA
REJECTED_JOIN = C1_JOIN + f"EVENT 24 {C1_METER}\r\n".encode()  # the meter answered PANA and said no


def record_sleeps(timing: Timing, *, instant: bool) -> list[float]:
    """The protocol seconds every `timing.sleep` is asked for; `instant`: return at once instead of sleeping."""
    delays: list[float] = []
    original = timing.sleep

    async def sleep(seconds: float) -> None:
        delays.append(seconds)
        if instant:
            await asyncio.sleep(0)
        else:
            await original(seconds)

    timing.sleep = sleep  # type: ignore[method-assign]
    return delays


async def until(predicate: Callable[[], bool], within: float = 5.0) -> None:
    """Yield until a condition of the fakes holds (bounded: a hang guard, not a speed check)."""
    async with asyncio.timeout(within):
        while not predicate():  # noqa: ASYNC110 - the fakes have no event to wait on
            await asyncio.sleep(0.005)


# ------------------------------------------------------------------------------------------ left-behind session
@pytest.mark.parametrize("dialect", DIALECTS)
async def test_a_session_left_behind_by_a_crashed_process_is_terminated_before_the_reset(
    dialect: str, tmp_path: Path
) -> None:
    async with rig(dialect, "tcp", tmp_path) as r:
        crashed = r.session()
        await crashed.start()
        await crashed._close_driver()  # the process dies: the port closes, nobody sends SKTERM
        assert r.port.emulator.state is EmulatedState.CONNECTED  # the dongle (and the meter) still hold the session

        emulator = r.port.emulator
        seen: list[tuple[str, EmulatedState]] = []
        for command in ("SKTERM", "SKRESET"):
            handler = emulator._handlers[command]

            def spy(rest: str, command: str = command, handler: Callable[[str], None] = handler) -> None:
                seen.append((command, emulator.state))
                handler(rest)

            emulator._handlers[command] = spy
        successor = r.session()
        await successor.start()
        await crashed.close()
        assert successor.state is LinkState.CONNECTED
        # SKTERM while the old session was up (the meter hears the PANA termination: EVENT 27), then the reset.
        assert seen[:2] == [("SKTERM", EmulatedState.CONNECTED), ("SKRESET", EmulatedState.IDLE)]
        await successor.close()


async def test_skterm_without_a_session_is_refused_and_set_up_goes_on() -> None:
    session, dongle, _ = make(Script())
    await session.start()
    assert dongle.commands[:2] == ["SKTERM", "SKVER"]  # FAIL ER10: there was nothing to end
    assert session.state is LinkState.CONNECTED
    await session.close()


# ------------------------------------------------------------------------------------------------------ back-off
@pytest.mark.parametrize("dialect", DIALECTS)
async def test_an_unplugged_dongle_is_retried_every_few_seconds_and_rejoins_at_once(
    dialect: str, tmp_path: Path
) -> None:
    async with rig(dialect, "tcp", tmp_path) as r:
        session = r.session(backoff_initial=1.0, backoff_max=60.0, auth_backoff_max=300.0, port_retry=5.0)
        recorder = StateRecorder(session)
        await session.start()
        delays = record_sleeps(session.timing, instant=False)
        await r.port.unplug()
        await recorder.wait_for(lambda s: s.state is LinkState.RECONNECTING)
        await until(lambda: len(delays) >= 8, within=30)  # a long outage: the back-off would have grown
        away = list(delays)
        await r.port.replug()
        await session.wait_connected(within=1200)
        # While the port refuses, no radio is involved: it is retried every 5 s at most (was 1, 2, 4, … 300 s).
        assert max(away) <= session.options.port_retry
        assert away[:3] == [1.0, 2.0, 4.0]
        await session.close()


async def test_a_busy_meter_is_retried_up_to_the_rejoin_cap_and_rejected_credentials_slower() -> None:
    script = Script()
    session, dongle, _ = make(script, backoff_initial=1.0, backoff_max=60.0, auth_backoff_max=300.0, port_retry=5.0)
    recorder = StateRecorder(session)
    await session.start()
    delays = record_sleeps(session.timing, instant=True)
    script.join = BUSY_JOIN  # another controller took the meter
    dongle.push(f"EVENT 26 {C1_METER}\r\n".encode())
    await until(lambda: len(delays) >= 9)
    busy = list(delays)
    script.join = REJECTED_JOIN  # the utility changed the password
    await until(lambda: len(delays) >= 20)
    rejected = delays[len(busy) :]
    script.join = C1_JOIN + f"EVENT 25 {C1_METER}\r\n".encode()
    await recorder.wait_for(lambda s: s.state is LinkState.CONNECTED)
    await session.close()
    assert busy[:9] == [1.0, 2.0, 4.0, 8.0, 16.0, 32.0, 60.0, 60.0, 60.0]
    assert max(rejected) == 300.0


async def test_the_back_off_starts_over_when_the_port_answers_again() -> None:
    script = Script()
    session, dongle, _ = make(script, backoff_initial=1.0, backoff_max=60.0, auth_backoff_max=300.0, port_retry=5.0)
    recorder = StateRecorder(session)
    await session.start()
    delays = record_sleeps(session.timing, instant=True)
    script.join = BUSY_JOIN
    dongle.push(f"EVENT 26 {C1_METER}\r\n".encode())
    await until(lambda: len(delays) >= 7)  # grown to the 60-s cap
    dongle.fail_open = ConnectionRefusedError(111, "Connection refused")  # then the dongle is pulled
    dongle.unplug()
    await until(lambda: len(delays) >= 12)
    marker = len(delays)
    dongle.fail_open = None  # plugged back in; the meter is still busy
    await until(lambda: len(delays) >= marker + 3)
    script.join = C1_JOIN + f"EVENT 25 {C1_METER}\r\n".encode()
    await recorder.wait_for(lambda s: s.state is LinkState.CONNECTED)
    await session.close()
    assert max(delays[marker - 3 : marker]) <= 5.0  # while the port refused
    # The first failed join after the port came back waits 1 s again, not the 60 s reached before.
    assert delays[marker : marker + 3] == [1.0, 2.0, 4.0]
