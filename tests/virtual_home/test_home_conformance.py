"""The running virtual home seen by a standards-conforming controller (the library's client) over real sockets.

Every property a device lists in its Get map must be readable and decodable with the ECHONET class specifications;
every property in its Set map must be controllable; announcements must follow changes; the meter, the distribution
board and the devices must tell one consistent story of the home's energy.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import datetime

import pytest

from custom_components.echonet_hems.lib.echonet.client import EchonetClient, Notification
from custom_components.echonet_hems.lib.echonet.discovery import Discovery
from custom_components.echonet_hems.lib.echonet.frame import EOJ, Property
from custom_components.echonet_hems.lib.echonet.specs.registry import property_spec
from virtual_home.clock import JST, ManualClock
from virtual_home.physics.battery import BatteryMode
from virtual_home.physics.ev import ChargerMode
from virtual_home.physics.water_heater import HeaterMode
from virtual_home.runtime import HomeOptions, VirtualHome

START = datetime(2026, 5, 20, 12, 0, tzinfo=JST)  # a clear noon in May: PV surplus, car away
BATTERY = EOJ(0x02, 0x7D, 0x01)
HEATER = EOJ(0x02, 0x6B, 0x01)
V2H = EOJ(0x02, 0x7E, 0x01)
EVSE = EOJ(0x02, 0xA1, 0x01)
AIRCON = EOJ(0x01, 0x30, 0x01)
LIGHT = EOJ(0x02, 0x90, 0x01)
FUEL_CELL = EOJ(0x02, 0x7C, 0x01)
BOARD = EOJ(0x02, 0x87, 0x01)
PV = EOJ(0x02, 0x79, 0x01)
BASE = "127.0.0.81"


@pytest.fixture
async def home() -> AsyncIterator[VirtualHome]:
    clock = ManualClock(START)
    async with VirtualHome(HomeOptions(start=START, base_address=BASE, history_days=0), clock=clock) as home:
        yield home


@pytest.fixture
async def client() -> AsyncIterator[EchonetClient]:
    client = EchonetClient(interface="127.0.0.1", timeout=1.0, retries=1)
    await client.start()
    yield client
    await client.close()


def address_of(home: VirtualHome, eoj: EOJ) -> str:
    return next(node.address for node in home.nodes if any(obj.eoj == eoj for obj in node.devices))


async def test_every_listed_property_reads_and_decodes(home: VirtualHome, client: EchonetClient) -> None:
    result = await Discovery(client, window=0.3).search()
    # Another virtual home on the same host (a parallel test run) also answers the multicast search: keep ours.
    addresses = {node.address for node in home.nodes}
    found = [node for node in result.nodes if node.address in addresses]
    assert len(found) == len(home.nodes) == 9
    classes = sorted(obj.eoj.class_id for node in found for obj in node.objects)
    assert classes == [0x0130, 0x026B, 0x0279, 0x027C, 0x027D, 0x027E, 0x0287, 0x0290, 0x02A1]
    for node in found:
        for obj in node.objects:
            await check_object(client, node.address, obj.eoj, obj.get_map, obj.release)


async def check_object(
    client: EchonetClient, address: str, eoj: EOJ, get_map: frozenset[int], release: str | None
) -> None:
    answer = await client.get(address, eoj, sorted(get_map))
    # The car is away at noon: an EV charger cannot give the car's battery state ("response impossible", MRA).
    allowed_missing = {0xE2, 0xE4} if eoj.class_id in (0x027E, 0x02A1) else set()
    assert answer.unsupported <= allowed_missing, f"{eoj} SNA'd listed EPCs {sorted(answer.unsupported)}"
    coefficients = {epc: edt for epc, edt in answer.values.items() if epc in (0xC2, 0xD3, 0xE1)}
    for epc, edt in answer.values.items():
        spec = property_spec(eoj.class_id, epc, release)
        spec.decode(edt, coefficients)  # raises ProtocolError if the simulator's bytes break the spec


async def test_devices_are_controllable(home: VirtualHome, client: EchonetClient) -> None:
    physics = home.home
    assert physics.battery is not None
    assert physics.ecocute is not None
    assert physics.aircon is not None
    assert physics.light is not None
    assert physics.fuel_cell is not None
    v2h, evse = physics.ev_chargers

    async def set_ok(eoj: EOJ, epc: int, edt: bytes) -> None:
        result = await client.set(address_of(home, eoj), eoj, [Property(epc, edt)])
        assert result.accepted == {epc}, f"{eoj} refused 0x{epc:02X}={edt.hex()}"

    async def set_refused(eoj: EOJ, epc: int, edt: bytes) -> None:
        result = await client.set(address_of(home, eoj), eoj, [Property(epc, edt)])
        assert result.rejected == {epc}, f"{eoj} accepted 0x{epc:02X}={edt.hex()}"

    await set_ok(BATTERY, 0xDA, b"\x42")
    assert physics.battery.mode is BatteryMode.CHARGE
    await set_ok(BATTERY, 0xEB, (1500).to_bytes(4, "big"))
    assert physics.battery.charge_power_setting_w == 1500
    await set_refused(BATTERY, 0xDA, b"\x45")  # test mode is not offered
    await set_ok(HEATER, 0xB0, b"\x42")
    assert physics.ecocute.mode is HeaterMode.MANUAL_HEATING
    await set_ok(HEATER, 0xC0, b"\x42")
    assert not physics.ecocute.daytime_reheat_permitted
    await set_ok(HEATER, 0xC7, b"\x01")
    await set_ok(HEATER, 0xCA, b"\x0d")
    assert physics.ecocute.energy_shift_participation
    assert physics.ecocute.shift_time_1 == 13
    await set_refused(HEATER, 0xCA, b"\x08")  # 08:00 is not a shift time
    await set_ok(V2H, 0xDA, b"\x44")
    assert v2h.mode is ChargerMode.STANDBY
    await set_refused(EVSE, 0xDA, b"\x43")  # a charge-only EVSE cannot discharge
    await set_ok(EVSE, 0xEB, (2000).to_bytes(4, "big"))
    assert evse.power_setting_w == 2000
    await set_ok(AIRCON, 0x80, b"\x30")
    await set_ok(AIRCON, 0xB0, b"\x43")
    await set_ok(AIRCON, 0xB3, b"\x16")
    assert (physics.aircon.on, physics.aircon.mode, physics.aircon.target_c) == (True, "heat", 22.0)
    await set_refused(AIRCON, 0xB3, b"\x65")
    await set_ok(LIGHT, 0x80, b"\x30")
    await set_ok(LIGHT, 0xB0, b"\x28")
    assert (physics.light.on, physics.light.level_percent) == (True, 40)
    await set_ok(FUEL_CELL, 0xCA, b"\x41")
    assert physics.fuel_cell.enabled
    await set_refused(PV, 0xE0, b"\x00\x00")  # a measurement is read-only


async def test_changes_are_announced(home: VirtualHome, client: EchonetClient) -> None:
    received: list[Notification] = []
    client.subscribe(received.append)
    address = address_of(home, BATTERY)
    await client.set(address, BATTERY, [Property(0xDA, b"\x44")])
    home.announce()
    for _ in range(100):
        if any(n.address == address for n in received):
            break
        await asyncio.sleep(0.01)
    inf = next(n.frame for n in received if n.address == address)
    assert inf.seoj == BATTERY
    assert {p.epc: p.edt for p in inf.properties} == {0xDA: b"\x44", 0xCF: b"\x44"}


async def test_meter_board_and_devices_agree_over_a_day(home: VirtualHome, client: EchonetClient) -> None:
    clock = home.clock
    assert isinstance(clock, ManualClock)
    clock.advance(24 * 3600)
    home.advance()
    physics = home.home
    meter = home.meter
    assert meter.raw(physics.grid_import_wh / 1000) == meter.raw(meter.import_kwh)
    board = await client.get(address_of(home, BOARD), BOARD, [0xC0, 0xC1, 0xC2, 0xC6, 0xB7])
    c2 = {0xC2: board.values[0xC2]}
    board_import = property_spec(0x0287, 0xC0).decode(board.values[0xC0], c2)
    assert board_import == pytest.approx(physics.grid_import_wh / 1000, abs=0.011)
    powers = property_spec(0x0287, 0xB7).decode(board.values[0xB7])
    channel_sum = sum(powers["instantaneous_electric_power"])  # type: ignore[index,arg-type]
    snapshot = home.snapshot
    assert channel_sum == pytest.approx(snapshot.grid_w + snapshot.pv_w + snapshot.fuel_cell_w, abs=10)
    pv = await client.get(address_of(home, PV), PV, [0xE1])
    pv_kwh = property_spec(0x0279, 0xE1).decode(pv.values[0xE1])
    assert pv_kwh == pytest.approx(physics.pv_generated_wh / 1000, abs=0.002)
    assert pv_kwh > 10  # a clear May day on 5 kW


async def test_an_ev_charger_set_by_its_current(client: EchonetClient) -> None:
    """An AC charger that takes its charging current (0xED) instead of its power (0xEB), with its current range
    (0xCA) and rated voltage (0xD2): every listed property decodes, and the current sets the charging power."""
    options = HomeOptions(
        start=START,
        base_address="127.0.0.101",
        history_days=0,
        ev_charger_discharger=False,
        ev_charger_current_setting=True,
    )
    async with VirtualHome(options, clock=ManualClock(START)) as home:
        (evse,) = home.home.ev_chargers
        node = next(node for node in home.nodes if any(obj.eoj == EVSE for obj in node.devices))
        obj = next(obj for obj in node.devices if obj.eoj == EVSE)
        readable = frozenset(epc for epc, prop in obj.props.items() if prop.get is not None)
        settable = frozenset(epc for epc, prop in obj.props.items() if prop.set is not None)
        assert {0xED, 0xCA, 0xD2} <= readable
        assert 0xED in settable
        assert 0xEB not in settable
        await check_object(client, node.address, EVSE, readable, None)

        async def read(epc: int) -> object:
            answer = await client.get(node.address, EVSE, [epc])
            return property_spec(0x02A1, epc).decode(answer.values[epc])

        assert await read(0xCA) == {"minimum_current": 7.0, "maximum_current": 15.0}  # 1.4-3 kW at 200 V
        assert await read(0xD2) == 200
        result = await client.set(node.address, EVSE, [Property(0xED, (100).to_bytes(2, "big"))])  # 10.0 A
        assert result.accepted == {0xED}
        assert evse.power_setting_w == 2000.0
        assert await read(0xED) == 10.0
