"""The simulated smart meter: readings, scaling, wrap, 30-minute pushes and history, read with the lib's decoders."""

from __future__ import annotations

from datetime import datetime

import pytest

from custom_components.echonet_hems.lib.echonet.frame import (
    CONTROLLER,
    EOJ,
    ESV,
    NODE_PROFILE,
    Frame,
    Property,
    decode_format1 as decode,
)
from custom_components.echonet_hems.lib.echonet.specs.registry import property_spec
from virtual_home.clock import JST, ManualClock
from virtual_home.meter import METER, MeterConfig, SmartMeter

START = datetime(2026, 5, 20, 14, 10, tzinfo=JST)


def get(meter: SmartMeter, *epcs: int, deoj: EOJ = METER) -> Frame:
    request = Frame(1, CONTROLLER, deoj, ESV.GET, tuple(Property(epc) for epc in epcs))
    answers = meter.handle(request.encode())
    assert len(answers) == 1
    return decode(answers[0])


def value(meter: SmartMeter, epc: int) -> object:
    frame = get(meter, 0xD3, 0xE1, epc)
    coefficients = {p.epc: p.edt for p in frame.properties[:2] if p.edt}
    return property_spec(0x0288, epc).decode(frame.properties[2].edt, coefficients)


def test_readings_follow_the_home_and_decode_with_the_library() -> None:
    clock = ManualClock(START)
    meter = SmartMeter(clock)
    meter.update(clock.now(), import_kwh=6513.94, export_kwh=22.0, power_w=-1962.4)
    assert value(meter, 0xE0) == pytest.approx(6513.9)
    assert value(meter, 0xE3) == pytest.approx(22.0)
    assert value(meter, 0xE7) == -1962
    assert value(meter, 0xE8) == {"r_phase": pytest.approx(-9.8), "t_phase": pytest.approx(-9.8)}
    frame = get(meter, 0xD7, 0x82, 0x8A, 0x83)
    assert frame.esv is ESV.GET_SNA  # like the captured Release-F meter, no 0x83
    assert frame.properties == (
        Property(0xD7, b"\x06"),
        Property(0x82, b"\x00\x00F\x00"),
        Property(0x8A, b"\x00\x00\x16"),
        Property(0x83),
    )


def test_currents_are_half_the_load_per_leg() -> None:
    meter = SmartMeter(ManualClock(START))
    meter.update(START, 0, 0, 2000)
    edt = get(meter, 0xE8).properties[0].edt
    assert edt == (100).to_bytes(2, "big") * 2  # 2000 W / 2 legs / 100 V = 10.0 A each


def test_cumulative_counters_wrap_at_the_effective_digits() -> None:
    meter = SmartMeter(ManualClock(START))
    meter.update(START, import_kwh=99999.95, export_kwh=100000.25, power_w=0)
    assert get(meter, 0xE0).properties[0].edt == (999999).to_bytes(4, "big")
    assert get(meter, 0xE3).properties[0].edt == (2).to_bytes(4, "big")  # 100000.2 kWh wrapped at 10^6 × 0.1 kWh


def test_thirty_minute_values_are_pushed_at_each_boundary() -> None:
    clock = ManualClock(START)
    meter = SmartMeter(clock)
    pushed: list[Frame] = []
    meter.set_notifier(lambda data: pushed.append(decode(data)))
    announcement = pushed.pop(0)
    assert announcement.esv is ESV.INF
    assert announcement.seoj == NODE_PROFILE
    assert announcement.properties == (Property(0xD5, bytes.fromhex("01028801")),)
    meter.update(clock.now(), 100.0, 1.0, 500)
    assert pushed == []  # the first update only sets the current slot
    clock.advance(19 * 60)  # 14:29
    meter.update(clock.now(), 100.2, 1.0, 500)
    assert pushed == []
    clock.advance(2 * 60)  # 14:31
    meter.update(clock.now(), 100.3, 1.0, 500)
    assert len(pushed) == 1
    inf = pushed[0]
    assert inf.esv is ESV.INF
    assert (inf.seoj, inf.deoj) == (METER, CONTROLLER)
    assert inf.properties[0].epc == 0xEA
    assert inf.properties[0].edt == bytes.fromhex("07EA05140E1E00") + (1003).to_bytes(4, "big")
    assert inf.properties[1].epc == 0xEB
    decoded = property_spec(0x0288, 0xEA).decode(inf.properties[0].edt, {0xE1: b"\x01"})
    assert decoded["date_and_time"] == datetime(2026, 5, 20, 14, 30, tzinfo=JST).replace(tzinfo=None)  # type: ignore[index]
    assert value(meter, 0xEA) == decoded
    meter.set_notifier(None)
    clock.advance(30 * 60)
    meter.update(clock.now(), 100.5, 1.0, 500)
    assert len(pushed) == 1  # detached: nothing pushed


def test_infc_option() -> None:
    clock = ManualClock(START)
    meter = SmartMeter(clock, MeterConfig(use_infc=True))
    pushed: list[Frame] = []
    meter.set_notifier(lambda data: pushed.append(decode(data)))
    meter.update(clock.now(), 1.0, 0.0, 0)
    clock.advance(30 * 60)
    meter.update(clock.now(), 1.5, 0.0, 0)
    assert pushed[-1].esv is ESV.INFC
    ack = Frame(pushed[-1].tid, CONTROLLER, METER, ESV.INFC_RES, (Property(0xEA), Property(0xEB)))
    assert meter.handle(ack.encode()) == []


def test_history_of_previous_days_via_e5_e2_e4() -> None:
    clock = ManualClock(datetime(2026, 5, 18, 0, 0, tzinfo=JST))
    meter = SmartMeter(clock)
    imported = 0.0
    while clock.now() < START:
        meter.update(clock.now(), imported, imported / 10, 1000)
        clock.advance(600)
        imported += 0.2
    set_day = Frame(2, CONTROLLER, METER, ESV.SETC, (Property(0xE5, b"\x01"),))
    assert decode(meter.handle(set_day.encode())[0]).esv is ESV.SET_RES
    history = get(meter, 0xE1, 0xE2, 0xE4)
    unit = {0xE1: history.properties[0].edt}
    normal = property_spec(0x0288, 0xE2).decode(history.properties[1].edt, unit)
    reverse = property_spec(0x0288, 0xE4).decode(history.properties[2].edt, unit)
    assert normal["day"] == 1  # type: ignore[index]
    values = normal["electric_energy"]  # type: ignore[index]
    assert len(values) == 48
    assert all(v is not None for v in values)
    assert values[1] == pytest.approx(values[0] + 0.6, abs=0.11)  # 3 steps of 0.2 kWh per half hour
    assert list(values) == sorted(values)
    assert reverse["electric_energy"][0] == pytest.approx(values[0] / 10, abs=0.11)  # type: ignore[index]
    # Today's history stops at the current half hour; the day before the simulation has no data at all.
    meter.handle(Frame(3, CONTROLLER, METER, ESV.SETC, (Property(0xE5, b"\x00"),)).encode())
    today = property_spec(0x0288, 0xE2).decode(get(meter, 0xE2).properties[0].edt, unit)["electric_energy"]  # type: ignore[index]
    assert today[28] is not None
    assert today[29:] == (None,) * 19
    meter.handle(Frame(4, CONTROLLER, METER, ESV.SETC, (Property(0xE5, b"\x03"),)).encode())
    old = property_spec(0x0288, 0xE2).decode(get(meter, 0xE2).properties[0].edt, unit)["electric_energy"]  # type: ignore[index]
    assert old == (None,) * 48
    bad = decode(meter.handle(Frame(5, CONTROLLER, METER, ESV.SETC, (Property(0xE5, b"\x64"),)).encode())[0])
    assert bad.esv is ESV.SETC_SNA  # 100 days ago is beyond the meter's memory


def test_optional_epcs_answer_sna_when_injected() -> None:
    meter = SmartMeter(ManualClock(START), MeterConfig(sna_optional=True))
    frame = get(meter, 0xD3, 0xE7, 0xE8)
    assert frame.esv is ESV.GET_SNA
    assert [p.pdc for p in frame.properties] == [0, 4, 0]


def test_node_profile_and_garbage() -> None:
    meter = SmartMeter(ManualClock(START))
    profile = get(meter, 0xD6, 0x8A, deoj=NODE_PROFILE)
    assert profile.esv is ESV.GET_RES
    assert profile.properties[0].edt == bytes.fromhex("01028801")
    assert meter.handle(b"\x10\x81garbage") == []
    assert meter.handle(Frame(1, CONTROLLER, EOJ(0x02, 0x79, 0x01), ESV.GET, (Property(0x80),)).encode()) == []
    with pytest.raises(ValueError, match="unit code"):
        SmartMeter(ManualClock(START), MeterConfig(unit_code=0x07))


def test_wrap_and_coefficient_scaling() -> None:
    meter = SmartMeter(ManualClock(START), MeterConfig(unit_code=0x02, digits=8, coefficient=10))
    meter.update(START, import_kwh=1234.5678, export_kwh=0, power_w=0)
    assert get(meter, 0xE0).properties[0].edt == (12345).to_bytes(4, "big")  # 1234.5678 kWh / (0.01 × 10)
    assert value(meter, 0xE0) == pytest.approx(1234.5)
    assert meter.modulus == 10**8
