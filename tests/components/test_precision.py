"""One display precision per kind of value: a circuit's power does not show "0.0 W" beside "0 W" elsewhere."""

from __future__ import annotations

from homeassistant.const import UnitOfEnergy, UnitOfPower

from custom_components.echonet_hems.sensor import CIRCUIT_SENSORS, METER_SENSORS, SENSORS


def test_every_power_shows_whole_watts_and_every_energy_two_decimals_of_kwh() -> None:
    descriptions = [*SENSORS, *METER_SENSORS, *CIRCUIT_SENSORS]
    power = [d for d in descriptions if d.native_unit_of_measurement == UnitOfPower.WATT]
    energy = [
        d
        for d in descriptions
        if UnitOfEnergy.KILO_WATT_HOUR in (d.native_unit_of_measurement, d.suggested_unit_of_measurement)
    ]
    assert len(power) >= 8
    assert len(energy) >= 10
    assert {(d.key, d.suggested_display_precision) for d in power} == {(d.key, 0) for d in power}
    assert {(d.key, d.suggested_display_precision) for d in energy} == {(d.key, 2) for d in energy}
