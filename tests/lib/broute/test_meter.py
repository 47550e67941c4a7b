"""The smart meter client over a fake channel to the virtual home's `SmartMeter` object (no dongle): one Get per poll,
TID/SEOJ matching, duplicates, Get_SNA per EPC, the 10^D7 wrap, INF/INFC, history with its E5 → E2/E4 pair."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import date, datetime, timedelta
from decimal import Decimal

import pytest

from custom_components.echonet_hems.lib.broute.meter import METER, MeterTimeouts, SmartMeterClient
from custom_components.echonet_hems.lib.broute.readings import (
    DayHistory,
    Direction,
    EnergyCounter,
    EnergyScale,
    FixedTimeReading,
    HistorySlot,
)
from custom_components.echonet_hems.lib.broute.session import PanInfo, TransmitLimitedError
from custom_components.echonet_hems.lib.broute.timing import Timing
from custom_components.echonet_hems.lib.echonet.frame import CONTROLLER, ESV, Frame, Property, decode_format1
from custom_components.echonet_hems.lib.errors import (
    HemsError,
    ProtocolError,
    RequestTimeoutError,
    TransportError,
    UnsupportedError,
    ValueRangeError,
)
from virtual_home.clock import JST, ManualClock
from virtual_home.meter import MeterConfig, SmartMeter

START = datetime(2026, 5, 20, 12, 0, tzinfo=JST)
type Transform = Callable[[Frame, list[bytes]], list[bytes]]


class FakeChannel:
    """A session stand-in: requests go to a simulated meter object; `transform` bends its answers."""

    def __init__(self, meter: SmartMeter, clock: ManualClock) -> None:
        self.meter = meter
        self.timing = Timing(clock, floor=0.02)
        self.pan: PanInfo | None = PanInfo(0x3B, 0x8888, "001C6400601421A3")
        self.handler: Callable[[bytes], None] | None = None
        self.sent: list[Frame] = []
        self.transform: Transform = lambda _request, answers: answers
        self.failures: list[HemsError] = []

    async def send(self, payload: bytes, *, within: float | None = None) -> None:
        request = decode_format1(payload)
        self.sent.append(request)
        if self.failures:
            raise self.failures.pop(0)
        for answer in self.transform(request, self.meter.handle(payload)):
            asyncio.get_running_loop().call_soon(self.deliver, answer)

    def deliver(self, payload: bytes) -> None:
        assert self.handler is not None
        self.handler(payload)

    def set_frame_handler(self, handler: Callable[[bytes], None] | None) -> None:
        self.handler = handler

    def gets(self) -> list[list[int]]:
        return [[prop.epc for prop in frame.properties] for frame in self.sent if frame.esv is ESV.GET]


def setup(config: MeterConfig | None = None, **timeouts: float) -> tuple[SmartMeterClient, FakeChannel, SmartMeter]:
    clock = ManualClock(START)
    meter = SmartMeter(clock, config)
    # Two days of history: 0.5 kWh bought and 0.2 kWh sold per half hour.
    moment = START - timedelta(days=2)
    step = 0
    while moment <= START:
        meter.update(moment, 100 + step * 0.5, 20 + step * 0.2, 1000.0)
        moment += timedelta(minutes=30)
        step += 1
    channel = FakeChannel(meter, clock)
    client = SmartMeterClient(channel, timeouts=MeterTimeouts(**{"small": 20.0, "large": 60.0, **timeouts}))  # type: ignore[arg-type]
    return client, channel, meter


async def test_identity_scale_once_and_one_get_per_poll() -> None:
    client, channel, meter = setup()
    identity = await client.identity()
    assert identity.eui64 == "001C6400601421A3"
    assert identity.serial_number == "VH24G3665050"
    assert await client.identity() is identity
    first = await client.read()
    second = await client.read()
    assert channel.gets() == [
        [0x82, 0x8A, 0x8D, 0x83],
        [0xD3, 0xE1, 0xD7],
        [0xE7, 0xE8, 0xE0, 0xE3],
        [0xE7, 0xE8, 0xE0, 0xE3],
    ]
    assert first.power_w == 1000
    assert (first.current_r_a, first.current_t_a) == (5.0, 5.0)
    assert first.import_raw == meter.raw(meter.import_kwh)
    assert first.import_kwh == pytest.approx(meter.import_kwh, abs=0.1)
    assert second.export_kwh == first.export_kwh
    tids = [frame.tid for frame in channel.sent]
    assert tids == sorted(set(tids))  # a fresh TID per request


async def test_coefficient_sna_means_one_and_optional_epcs_leave_the_poll() -> None:
    client, channel, _ = setup(MeterConfig(coefficient=None, sna_optional=True, unit_code=0x02))
    scale = await client.energy_scale()
    assert (scale.coefficient, scale.unit_kwh, scale.multiplier) == (1, Decimal("0.01"), Decimal("0.01"))
    reading = await client.read()
    assert (reading.current_r_a, reading.current_t_a) == (None, None)  # SNA → unknown, never 0
    assert reading.power_w == 1000
    await client.read()
    assert channel.gets()[-1] == [0xE7, 0xE0, 0xE3]  # E8 is no longer asked for


async def test_cumulative_energy_continues_across_the_wrap() -> None:
    client, _, meter = setup(MeterConfig(digits=6, unit_code=0x01))  # wraps at 100000.0 kWh
    clock_now = START + timedelta(minutes=1)
    meter.update(clock_now, 99_999.5, 10.0, 500.0)
    before = await client.read()
    meter.update(clock_now, 100_000.7, 10.0, 500.0)
    after = await client.read()
    assert before.import_raw == 999_995
    assert after.import_raw == 7  # the register wrapped
    assert after.import_kwh == pytest.approx(100_000.7)
    meter.update(clock_now, 99_999.9, 10.0, 500.0)  # a stale, lower value is not a second wrap
    assert (await client.read()).import_kwh == pytest.approx(100_000.7)


def test_energy_counter_and_scale() -> None:
    scale = EnergyScale(1, Decimal("0.1"), 4, Decimal("0.1"))
    assert scale.modulus == 10_000
    assert scale.wrap_kwh == 1000.0
    assert scale.to_kwh(None) is None
    counter = EnergyCounter(scale)
    assert counter.update(None) is None
    assert counter.update(12_345) is None  # beyond the register: ignored
    assert counter.update(9_990) == pytest.approx(999.0)
    assert counter.update(20) == pytest.approx(1002.0)
    assert counter.update(None) == pytest.approx(1002.0)


async def test_answers_are_matched_by_tid_esv_and_seoj_and_duplicates_dropped() -> None:
    client, channel, _ = setup()
    await client.energy_scale()

    def noisy(request: Frame, answers: list[bytes]) -> list[bytes]:
        good = decode_format1(answers[0])
        wrong_tid = Frame((request.tid + 1) & 0xFFFF, good.seoj, good.deoj, good.esv, good.properties).encode()
        other_object = Frame(request.tid, CONTROLLER, good.deoj, good.esv, good.properties).encode()
        changed = Frame(request.tid, good.seoj, good.deoj, good.esv, (Property(0xE7, b"\x00\x00\x00\x01"),)).encode()
        return [b"\x10\x81garbage", wrong_tid, other_object, answers[0], changed]  # the late duplicate changes nothing

    channel.transform = noisy
    reading = await client.read()
    assert reading.power_w == 1000
    await asyncio.sleep(0.01)  # the trailing duplicate arrives after the request is done: dropped


async def test_timeouts_resend_with_the_same_tid_then_give_up() -> None:
    client, channel, _ = setup(small=0.0, retries=2)  # the 0.02-s floor applies
    await client.energy_scale()
    channel.transform = lambda _request, _answers: []
    with pytest.raises(RequestTimeoutError, match="3 attempts"):
        await client.read()
    assert len({frame.tid for frame in channel.sent[-3:]}) == 1
    # An answer that comes in after the first timeout still counts (same TID).
    delayed: list[bytes] = []

    def late(_request: Frame, answers: list[bytes]) -> list[bytes]:
        if delayed:
            return delayed
        delayed.extend(answers)
        return []

    channel.transform = late
    assert (await client.read()).power_w == 1000


async def test_a_dropped_link_is_retried_and_the_transmit_limit_is_not() -> None:
    client, channel, _ = setup()
    await client.energy_scale()
    channel.failures = [TransportError("session lost")]
    assert (await client.read()).power_w == 1000
    channel.failures = [TransportError("lost"), TransportError("still lost")]
    with pytest.raises(TransportError, match="still lost"):
        await client.read()
    channel.failures = [TransmitLimitedError("EVENT 32")]
    with pytest.raises(TransmitLimitedError):
        await client.read()
    assert len(channel.sent) == 1 + 2 + 2 + 1  # scale; read (lost, resent); read (lost twice); read (limited)


async def test_inf_and_infc_fixed_time_values() -> None:
    client, channel, meter = setup(MeterConfig(use_infc=True))
    received: list[FixedTimeReading] = []
    client.add_fixed_time_listener(received.append)
    remove = client.add_fixed_time_listener(lambda _reading: (_ for _ in ()).throw(RuntimeError("listener bug")))
    pushes: list[bytes] = []
    meter.set_notifier(pushes.append)
    meter.update(START + timedelta(minutes=30), 200.0, 50.0, 300.0)  # the 12:30 boundary: INFC EA/EB
    infc = pushes[-1]
    assert decode_format1(infc).esv is ESV.INFC
    channel.deliver(infc)
    channel.deliver(infc)  # a Wi-SUN duplicate: answered again, delivered once
    await asyncio.sleep(0.01)
    remove()
    assert len(received) == 1
    reading = received[0]
    assert reading.notified
    assert reading.import_energy is not None
    assert reading.import_energy.measured_at == START + timedelta(minutes=30)
    assert reading.import_energy.kwh == pytest.approx(200.0)
    assert reading.export_energy is not None
    assert reading.export_energy.kwh == pytest.approx(50.0)
    responses = [frame for frame in channel.sent if frame.esv is ESV.INFC_RES]
    assert len(responses) == 2
    assert responses[0].tid == decode_format1(infc).tid
    assert responses[0].deoj == METER
    assert [(prop.epc, prop.edt) for prop in responses[0].properties] == [(0xEA, b""), (0xEB, b"")]
    # Other objects' notifications (the node profile's INF D5) are not the meter's.
    channel.deliver(pushes[0])
    await asyncio.sleep(0.01)
    assert len(received) == 1
    assert client.latest_fixed_time == reading
    await client.close()


async def test_fixed_time_on_request_without_reverse_direction() -> None:
    client, channel, _ = setup()

    def no_eb(request: Frame, answers: list[bytes]) -> list[bytes]:
        frame = decode_format1(answers[0])
        if request.esv is not ESV.GET or frame.property(0xEB) is None:
            return answers
        props = tuple(Property(p.epc, b"" if p.epc == 0xEB else p.edt) for p in frame.properties)
        return [Frame(frame.tid, frame.seoj, frame.deoj, ESV.GET_SNA, props).encode()]

    channel.transform = no_eb
    reading = await client.read_fixed_time()
    assert not reading.notified
    assert reading.export_energy is None
    assert reading.import_energy is not None
    await client.read_fixed_time()
    assert channel.gets()[-1] == [0xEA]


async def test_history_of_yesterday_and_today() -> None:
    client, channel, meter = setup()
    yesterday = START.date() - timedelta(days=1)
    history = await client.read_history(yesterday)
    assert isinstance(history, DayHistory)
    assert (history.day, history.days_ago) == (yesterday, 1)
    assert [slot.measured_at.hour for slot in history.slots[::2]] == list(range(24))
    assert all(slot.measured_at.tzinfo is not None for slot in history.slots)
    assert history.slots[0].import_kwh == pytest.approx(100 + 24 * 0.5)  # 24 half hours after the first update
    assert history.increments(Direction.IMPORT) == pytest.approx([0.5] * 47)
    assert history.increments(Direction.EXPORT) == pytest.approx([0.2] * 47)
    setc = [frame for frame in channel.sent if frame.esv is ESV.SETC]
    assert [(p.epc, p.edt) for p in setc[-1].properties] == [(0xE5, b"\x01")]
    assert channel.gets()[-1] == [0xE2, 0xE4, 0x98]
    today = await client.read_history(START.date())
    assert today.slots[24].import_raw is not None  # 12:00
    assert today.slots[25].import_raw is None  # 12:30: not yet
    assert today.increments(Direction.IMPORT)[24] is None


async def test_history_day_checks_and_retries() -> None:
    client, channel, meter = setup()
    with pytest.raises(ValueRangeError, match="99 days"):
        await client.read_history(START.date() - timedelta(days=100))
    with pytest.raises(ValueRangeError):
        await client.read_history(START.date() + timedelta(days=1))

    # Another controller moves E5 between our SetC and our Get once: the answer's day is wrong, so we ask again.
    moved: list[int] = []

    def interfere(request: Frame, answers: list[bytes]) -> list[bytes]:
        if request.esv is ESV.GET and request.properties[0].epc == 0xE2 and not moved:
            moved.append(1)
            frame = decode_format1(answers[0])
            props = tuple(Property(p.epc, b"\x00\x05" + p.edt[2:]) if p.epc == 0xE2 else p for p in frame.properties)
            return [Frame(frame.tid, frame.seoj, frame.deoj, frame.esv, props).encode()]
        return answers

    channel.transform = interfere
    history = await client.read_history(START.date() - timedelta(days=1))
    assert history.days_ago == 1
    assert sum(frame.esv is ESV.SETC for frame in channel.sent) == 2

    # A meter that never holds the day.
    def always_moved(request: Frame, answers: list[bytes]) -> list[bytes]:
        moved.clear()
        return interfere(request, answers)

    channel.transform = always_moved
    with pytest.raises(ProtocolError, match="did not stay"):
        await client.read_history(START.date() - timedelta(days=1))


async def test_history_follows_the_meters_own_date() -> None:
    client, channel, meter = setup()
    ahead = ManualClock(START + timedelta(days=1))  # the meter's calendar is a day ahead of ours
    meter._clock = ahead
    history = await client.read_history(START.date())
    assert history.days_ago == 1  # "today" for us is "yesterday" for the meter
    assert channel.gets()[1] == [0x98]  # after D3/E1/D7: the date, once


async def test_history_refusals() -> None:
    client, channel, _ = setup()

    def refuse_setc(request: Frame, answers: list[bytes]) -> list[bytes]:
        if request.esv is ESV.SETC:
            return [Frame(request.tid, METER, CONTROLLER, ESV.SETC_SNA, request.properties).encode()]
        return answers

    channel.transform = refuse_setc
    with pytest.raises(UnsupportedError, match="refused E5"):
        await client.read_history(START.date())

    def no_history(request: Frame, answers: list[bytes]) -> list[bytes]:
        if request.esv is ESV.GET and request.properties[0].epc == 0xE2:
            props = tuple(Property(p.epc) for p in request.properties)
            return [Frame(request.tid, METER, CONTROLLER, ESV.GET_SNA, props).encode()]
        return answers

    channel.transform = no_history
    with pytest.raises(UnsupportedError, match="no historical data"):
        await client.read_history(START.date())


async def test_meters_without_date_unit_or_session() -> None:
    client, channel, _ = setup()

    def sna(epcs: set[int]) -> Transform:
        def transform(request: Frame, answers: list[bytes]) -> list[bytes]:
            frame = decode_format1(answers[0])
            if not any(p.epc in epcs for p in frame.properties):
                return answers
            props = tuple(Property(p.epc, b"" if p.epc in epcs else p.edt) for p in frame.properties)
            return [Frame(frame.tid, frame.seoj, frame.deoj, ESV.GET_SNA, props).encode()]

        return transform

    channel.transform = sna({0x98})
    assert (await client.read_history(START.date())).days_ago == 0
    client2, channel2, _ = setup()
    channel2.transform = sna({0xE1})
    with pytest.raises(UnsupportedError, match="unit"):
        await client2.read()
    channel2.pan = None
    with pytest.raises(HemsError, match="joined session"):
        await client2.identity()


def test_day_history_increments_with_gaps() -> None:
    scale = EnergyScale(1, Decimal("0.1"), 6, Decimal("0.1"))
    at = datetime(2026, 5, 19, tzinfo=JST)
    slots = tuple(
        HistorySlot(at + timedelta(minutes=30 * i), raw, None, scale.to_kwh(raw), None)
        for i, raw in enumerate([999_990, 5, None, 15])
    )
    history = DayHistory(date(2026, 5, 19), 1, scale, slots)
    assert history.increments(Direction.IMPORT) == (pytest.approx(1.5), None, None)
    assert history.increments(Direction.EXPORT) == (None, None, None)


async def test_malformed_values_and_notifications_on_the_edge(caplog: pytest.LogCaptureFixture) -> None:
    client, channel, meter = setup()

    def bad(epc: int, edt: bytes) -> Transform:
        def transform(_request: Frame, answers: list[bytes]) -> list[bytes]:
            frame = decode_format1(answers[0])
            props = tuple(Property(p.epc, edt if p.epc == epc else p.edt) for p in frame.properties)
            return [Frame(frame.tid, frame.seoj, frame.deoj, frame.esv, props).encode()]

        return transform

    channel.transform = bad(0xD7, b"\x09")  # 9 effective digits: no such meter
    with pytest.raises(ProtocolError, match="D7 = 9"):
        await client.energy_scale()
    channel.transform = bad(0xE7, b"\x00\x01\x02")  # a 3-byte power value
    reading = await client.read()
    assert reading.power_w is None
    assert "malformed EDT for 0xE7" in caplog.text

    # A notification while the unit cannot be read: delivered without kWh. INFC_Res that cannot be sent: logged.
    client2, channel2, meter2 = setup(MeterConfig(use_infc=True))
    received: list[FixedTimeReading] = []
    client2.add_fixed_time_listener(received.append)
    channel2.transform = lambda _request, _answers: []
    channel2.failures = [TransportError("link down")] * 3
    pushes: list[bytes] = []
    meter2.set_notifier(pushes.append)
    meter2.update(START + timedelta(minutes=30), 200.0, 50.0, 300.0)
    channel2.deliver(pushes[-1])
    other = Frame(0x1234, METER, CONTROLLER, ESV.INF, (Property(0xE7, b"\x00\x00\x00\x01"),)).encode()
    channel2.deliver(other)  # an INF without EA/EB: nothing to deliver
    async with asyncio.timeout(2):
        while not received:  # noqa: ASYNC110 - the scale read has to time out first
            await asyncio.sleep(0.01)
    assert received[0].import_energy is not None
    assert received[0].import_energy.kwh is None
    assert received[0].import_energy.raw == 2000
    assert "INFC_Res not sent" in caplog.text
    assert "30-minute values without a unit" in caplog.text
    # Closing the client cancels what is still running and detaches it.
    channel2.failures = []
    again = Frame(0x7777, METER, CONTROLLER, ESV.INFC, decode_format1(pushes[-1]).properties)
    channel2.deliver(again.encode())
    await client2.close()
    assert channel2.handler is None
