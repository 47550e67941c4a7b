"""The whole life cycle against the virtual home's dongle, over a real pty and over TCP (`socket://`), both dialects.

Join, identity and read; session expiry with re-authentication (and a failed one, and the meter ending the session);
a wrong password; unplug and replug; the ARIB transmit limit; a whole day of history; the 30-minute push. The home
runs 600× faster than real time and the client uses the same clock, so nothing waits real seconds.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
import contextlib
from datetime import timedelta
import logging
from pathlib import Path

import pytest

from custom_components.echonet_hems.lib.broute.lines import Dialect
from custom_components.echonet_hems.lib.broute.meter import SmartMeterClient
from custom_components.echonet_hems.lib.broute.readings import Direction, FixedTimeReading
from custom_components.echonet_hems.lib.broute.session import LinkState, TransmitLimitedError
from custom_components.echonet_hems.lib.errors import AuthError, TransportError
from tests.lib.broute.support import DIALECTS, PASSWORD, ROUTE_B_ID, START, TRANSPORTS, WAIT, StateRecorder, rig
from virtual_home.dongle import DongleOptions
from virtual_home.dongle.session import LinkState as EmulatedState
from virtual_home.meter import MeterConfig

matrix = pytest.mark.parametrize(("dialect", "transport"), [(d, t) for d in DIALECTS for t in TRANSPORTS])


@matrix
async def test_join_identify_read_and_close_cleanly(dialect: str, transport: str, tmp_path: Path) -> None:
    async with rig(dialect, transport, tmp_path) as r:
        session = r.session(scan_durations=(4, 5, 6))  # the emulated meter is heard from duration 6 on
        recorder = StateRecorder(session)
        meter = SmartMeterClient(session)
        await session.start()
        assert session.state is LinkState.CONNECTED
        assert session.dialect is Dialect(dialect)
        assert recorder.states == [
            LinkState.CONNECTING,
            LinkState.SCANNING,
            LinkState.JOINING,
            LinkState.CONNECTED,
        ]
        pan = session.pan
        assert pan is not None
        assert (pan.channel, pan.pan_id, pan.mac) == (0x3B, 0x8888, "001C6400601421A3")
        status = session.status
        assert status.connected
        assert status.dongle.dialect_hint is Dialect(dialect)
        assert status.dongle.erxudp_hex is False  # binary ERXUDP, read by length: no FLASH write
        assert r.port.flash.writes == 0

        identity = await meter.identity()
        assert identity.eui64 == identity.stable_id == "001C6400601421A3"
        assert identity.manufacturer_code == 0x000016
        assert identity.serial_number == "VH24G3665050"
        assert identity.identification_number is None  # the meter answers SNA for 0x83, like the captured one
        assert identity.appendix_release == "F"
        scale = await meter.energy_scale()
        assert (scale.coefficient, float(scale.unit_kwh), scale.digits) == (1, 0.1, 6)

        reading = await meter.read()
        home_meter = r.home.meter
        assert reading.power_w is not None
        assert reading.power_w < 0  # exporting at noon
        assert reading.power_w == pytest.approx(home_meter.power_w, abs=600)
        assert reading.current_r_a is not None
        assert reading.current_r_a < 0
        assert reading.import_kwh == pytest.approx(home_meter.import_kwh, abs=0.2)
        assert reading.export_kwh == pytest.approx(home_meter.export_kwh, abs=0.5)
        assert reading.timestamp.utcoffset() == timedelta(hours=9)

        fixed = await meter.read_fixed_time()
        assert not fixed.notified
        assert fixed.import_energy is not None
        assert fixed.import_energy.measured_at.minute in (0, 30)

        await session.close()
        assert session.state is LinkState.CLOSED
        assert r.port.emulator.state is EmulatedState.IDLE  # SKTERM ended the PANA session
        await session.close()  # idempotent


@matrix
async def test_session_expiry_reauthentication_and_rejoin_without_scanning(
    dialect: str, transport: str, tmp_path: Path
) -> None:
    async with rig(dialect, transport, tmp_path) as r:
        session = r.session()
        meter = SmartMeterClient(session)
        recorder = StateRecorder(session)
        await session.start()
        await meter.read()

        # EVENT 29: sends are held until EVENT 25 (automatic re-authentication), then the read goes through.
        mark = recorder.mark()
        assert r.port.emulator.expire_session()
        assert session.state is LinkState.CONNECTED  # the event is still on its way
        reading = await meter.read()
        assert reading.power_w is not None
        assert recorder.since(mark)[:2] == [LinkState.REAUTHENTICATING, LinkState.CONNECTED]

        # A failed re-authentication (EVENT 29 → 24): the session re-joins the cached PAN, with no scan.
        mark = recorder.mark()
        r.port.emulator.fail_next_reauth()
        assert r.port.emulator.expire_session()
        await recorder.wait_for(lambda s: s.state is LinkState.JOINING)
        await session.wait_connected(within=600)
        assert LinkState.SCANNING not in recorder.since(mark)
        assert LinkState.RECONNECTING in recorder.since(mark)
        assert (await meter.read()).import_kwh is not None

        # The meter ends the session (EVENT 26): re-join, again without a scan.
        mark = recorder.mark()
        assert r.port.emulator.terminate_session()
        await recorder.wait_for(lambda s: s.state is LinkState.JOINING)
        await session.wait_connected(within=600)
        assert LinkState.SCANNING not in recorder.since(mark)
        assert (await meter.read()).power_w is not None
        assert r.port.emulator.state is EmulatedState.CONNECTED
        await session.close()


@matrix
async def test_no_log_at_any_level_shows_the_password_or_the_id(
    dialect: str, transport: str, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)  # everything, serialx's own data logs included
    async with rig(dialect, transport, tmp_path) as r:
        session = r.session()
        await session.start()
        await SmartMeterClient(session).read()
        await session.close()
    assert "SKSETPWD" in caplog.text  # the commands are logged, so the check below proves something
    for secret in (PASSWORD, ROUTE_B_ID):
        assert secret not in caplog.text


@matrix
async def test_wrong_password_is_an_auth_error(dialect: str, transport: str, tmp_path: Path) -> None:
    async with rig(dialect, transport, tmp_path) as r:
        session = r.session(password="WRONGPASSWRD")
        with pytest.raises(AuthError, match="rejected PANA"):
            await session.start()
        assert session.state is LinkState.CLOSED
        assert r.port.emulator.state is EmulatedState.IDLE
        # The port is free again: a session with the right password joins at once.
        good = r.session()
        await good.start()
        assert good.state is LinkState.CONNECTED
        await good.close()


SESSION_LOGGER = "custom_components.echonet_hems.lib.broute.session"


class FailedAttempts(logging.Handler):
    """Collects the levels of "not re-established" records; `second` is set at the second one."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.levels: list[int] = []
        self.second = asyncio.Event()

    def emit(self, record: logging.LogRecord) -> None:
        if record.getMessage().startswith("B-route session not re-established"):
            self.levels.append(record.levelno)
            if len(self.levels) >= 2:
                self.second.set()


@matrix
async def test_unplug_and_replug_recovers_by_itself(
    dialect: str, transport: str, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG, logger=SESSION_LOGGER)
    failed = FailedAttempts()  # listening from the start: the first failed attempt may come at once
    logging.getLogger(SESSION_LOGGER).addHandler(failed)
    async with rig(dialect, transport, tmp_path) as r, contextlib.AsyncExitStack() as stack:
        stack.callback(logging.getLogger(SESSION_LOGGER).removeHandler, failed)
        session = r.session()
        meter = SmartMeterClient(session)
        recorder = StateRecorder(session)
        await session.start()
        before = await meter.read()
        mark = recorder.mark()

        await r.port.unplug()
        await recorder.wait_for(lambda s: s.state is LinkState.RECONNECTING)
        assert isinstance(session.status.last_error, TransportError)
        with pytest.raises(TransportError):
            await meter.read()  # no hang while the dongle is away: an error within the AIF timer
        async with asyncio.timeout(60):  # a hang guard, not a speed check
            await failed.second.wait()
        # One warning per outage, however often it retries (log-when-unavailable).
        assert failed.levels[:2] == [logging.WARNING, logging.DEBUG]
        await r.port.replug()  # a power-cycled dongle behind the same path / TCP port
        await session.wait_connected(within=1200)
        after = await meter.read()
        assert after.import_kwh is not None
        assert before.import_kwh is not None
        assert after.import_kwh >= before.import_kwh
        assert LinkState.SCANNING not in recorder.since(mark)  # the cached PAN was joined directly
        assert session.status.last_error is None
        await session.close()


@matrix
async def test_transmit_limit_pauses_sending_until_released(dialect: str, transport: str, tmp_path: Path) -> None:
    # A tiny ARIB budget: a handful of Gets exhaust it; the window (120 s simulated) then releases it.
    dongle = DongleOptions(tx_budget=0.02, tx_window=120.0)
    async with rig(dialect, transport, tmp_path, dongle=dongle) as r:
        session = r.session()
        meter = SmartMeterClient(session)
        recorder = StateRecorder(session)
        await session.start()

        async def read_until_refused() -> None:
            for _ in range(20):
                await meter.read()

        with pytest.raises(TransmitLimitedError):
            await read_until_refused()
        assert session.tx_limited
        assert not session.status.connected
        assert r.port.emulator.tx_limited
        limited = await recorder.wait_for(lambda s: not s.tx_limited)
        assert limited.state is LinkState.CONNECTED
        assert any(status.tx_limited for status in recorder.statuses)
        assert (await meter.read()).power_w is not None
        await session.close()


@matrix
async def test_history_of_a_whole_day(dialect: str, transport: str, tmp_path: Path) -> None:
    async with rig(dialect, transport, tmp_path, history_days=2) as r:
        session = r.session()
        meter = SmartMeterClient(session)
        await session.start()
        yesterday = START.date() - timedelta(days=1)
        history = await meter.read_history(yesterday)
        assert history.day == yesterday
        assert history.days_ago == 1
        assert len(history.slots) == 48
        recorded = r.home.meter._history
        for index, slot in enumerate(history.slots):
            assert slot.measured_at == START.replace(hour=0) - timedelta(days=1) + timedelta(minutes=30 * index)
            assert (slot.import_raw, slot.export_raw) == recorded[(yesterday, index)]
            assert slot.import_kwh == pytest.approx(slot.import_raw / 10)
        imports = history.increments(Direction.IMPORT)
        assert len(imports) == 47
        assert all(value is not None and value >= 0 for value in imports)
        assert sum(value or 0 for value in history.increments(Direction.EXPORT)) > 1  # a sunny day exported

        today = await meter.read_history(START.date())
        assert today.days_ago == 0
        assert today.slots[0].import_raw is not None  # midnight is recorded
        assert today.slots[-1].import_raw is None  # 23:30 has not happened yet: no data, not 0
        assert today.slots[-1].import_kwh is None
        await session.close()


@matrix
async def test_thirty_minute_values_are_pushed(dialect: str, transport: str, tmp_path: Path) -> None:
    # INF on one dialect, INFC (which the client must answer with INFC_Res) on the other.
    use_infc = dialect == "bp35c0"
    seen: list[bytes] = []

    class Spy:
        def __init__(self, inner: object) -> None:
            self.inner = inner

        def handle(self, payload: bytes) -> list[bytes]:
            seen.append(payload)
            return self.inner.handle(payload)  # type: ignore[attr-defined, no-any-return]

        def set_notifier(self, send: Callable[[bytes], None] | None) -> None:
            self.inner.set_notifier(send)  # type: ignore[attr-defined]

    start = START.replace(hour=11, minute=55)  # the 12:00 push comes 5 simulated minutes in
    async with rig(
        dialect, transport, tmp_path, start=start, meter_config=MeterConfig(use_infc=use_infc), wrap_meter=Spy
    ) as r:
        session = r.session()
        meter = SmartMeterClient(session)
        pushed: list[FixedTimeReading] = []
        arrived = asyncio.Event()

        def on_push(reading: FixedTimeReading) -> None:
            pushed.append(reading)
            arrived.set()

        meter.add_fixed_time_listener(on_push)
        await session.start()
        async with asyncio.timeout(WAIT):
            await arrived.wait()
        reading = pushed[0]
        assert reading.notified
        assert reading.import_energy is not None
        assert reading.import_energy.measured_at.minute in (0, 30)
        assert reading.import_energy.kwh == pytest.approx((reading.import_energy.raw or 0) / 10)
        assert meter.latest_fixed_time == reading
        infc_res = [payload for payload in seen if payload[10] == 0x7A]
        assert bool(infc_res) == use_infc
        await session.close()
