"""The virtual home works with other people's software unchanged: the proof that it is standards-faithful, not merely
consistent with our own library.

- pychonet 2.8.2 (the library of the popular ECHONET Lite integration for Home Assistant) discovers every node, reads
  every property in every Get map and switches a device, over real UDP.
- momonga 0.7.0 (the B-route library of Home Assistant core's smart-meter integration) scans, joins and reads the meter
  through the emulated dongle on a real pty, in both dialects.
"""

from __future__ import annotations

import asyncio
from datetime import datetime
import time
from typing import Any

from momonga import Momonga  # type: ignore[import-untyped]
from pychonet import ECHONETAPIClient  # type: ignore[import-untyped]
from pychonet.lib.const import GET, SETC  # type: ignore[import-untyped]
from pychonet.lib.udpserver import UDPServer  # type: ignore[import-untyped]
import pytest

from virtual_home.clock import JST, ManualClock
from virtual_home.runtime import HomeOptions, VirtualHome
from virtual_home.station import Station, StationOptions

START = datetime(2026, 5, 20, 12, 0, tzinfo=JST)  # clear noon in May: the home exports


async def test_pychonet_discovers_reads_and_controls_every_device() -> None:
    options = HomeOptions(start=START, base_address="127.0.0.151", history_days=0)
    async with VirtualHome(options, clock=ManualClock(START)) as home:
        udp = UDPServer(local_ip="127.0.0.1")
        udp.run("0.0.0.0", 3610, loop=asyncio.get_running_loop())
        api = ECHONETAPIClient(server=udp)
        try:
            for node in home.nodes:
                assert await api.discover(node.address)
                instances: dict[int, Any] = api._state[node.address]["instances"]
                for obj in node.devices:
                    eoj = obj.eoj
                    assert eoj.instance in instances[eoj.class_group][eoj.class_code]
                    assert await api.getAllPropertyMaps(node.address, eoj.class_group, eoj.class_code, eoj.instance)
                    state = instances[eoj.class_group][eoj.class_code][eoj.instance]
                    get_map = state[0x9F]
                    assert len(get_map) >= 10
                    request = [{"EPC": epc} for epc in get_map]
                    assert await api.echonetMessage(node.address, *_parts(eoj), GET, request), f"{eoj} Get failed"
                    read = {epc for epc in get_map if epc in state and epc not in (0x9D, 0x9E, 0x9F)}
                    # The EV chargers cannot report the absent car's battery (MRA: "response impossible").
                    assert set(get_map) - read - {0x9D, 0x9E, 0x9F} <= {0xE2, 0xE4}
            light = next(node for node in home.nodes if node.devices[0].eoj.class_id == 0x0290)
            assert home.home.light is not None
            assert not home.home.light.on
            on = [{"EPC": 0x80, "PDC": 1, "EDT": 0x30}]
            assert await api.echonetMessage(light.address, 0x02, 0x90, 0x01, SETC, on)
            assert home.home.light.on
        finally:
            udp.close()


def _parts(eoj: Any) -> tuple[int, int, int]:
    return eoj.class_group, eoj.class_code, eoj.instance


def _read_meter(path: str, route_b_id: str, password: str) -> tuple[float, int | None, float]:
    started = time.monotonic()
    with Momonga(route_b_id, password, path) as meter:
        joined = time.monotonic() - started
        return joined, meter.get_instantaneous_power(), meter.get_measured_cumulative_energy()


@pytest.mark.parametrize("dialect", ["bp35a1", "bp35c0"])
async def test_momonga_joins_and_reads_the_meter(dialect: str) -> None:
    options = HomeOptions(start=START, speed=60.0, base_address="127.0.0.161", history_days=1)
    station_options = StationOptions(dialect=dialect, tcp=False)
    async with VirtualHome(options) as home, Station(home, station_options) as station:
        path = station.port.pty_path
        assert path is not None
        joined, power, cumulative = await asyncio.to_thread(
            _read_meter, path, station_options.route_b_id, station_options.password
        )
        meter_power = home.meter.power_w
        meter_import = home.meter.import_kwh
    assert joined < 60
    assert power is not None
    assert power < 0  # exporting at noon
    assert power == pytest.approx(meter_power, rel=0.2)
    assert cumulative == pytest.approx(meter_import, abs=0.2)
    assert cumulative > 1  # a day of history: the night's import is on the counter
