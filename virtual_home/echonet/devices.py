"""The virtual home's equipment as ECHONET Lite objects: each property reads or commands the physics models.

Readings come from the latest simulation step (`HomeView.snapshot`) and the models' own state, so what a controller
reads over ECHONET is exactly what the meter sees. Settable properties validate the EDT against the class
specification, then change the model. Codes follow ECHONET_CLASSES.md (MRA V1.3.1); cumulative energies in 0.001 kWh
units are Wh and wrap at 10^9 like the real counters.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Final, Protocol

from custom_components.echonet_hems.lib.echonet.frame import EOJ
from custom_components.echonet_hems.lib.echonet.ids import (
    AIR_CONDITIONER as AIRCON_CLASS,
    BATTERY as BATTERY_CLASS,
    BOARD as BOARD_CLASS,
    EV_CHARGER as EV_CHARGER_CLASS,
    FUEL_CELL as FUEL_CELL_CLASS,
    GENERAL_LIGHTING as LIGHTING_CLASS,
    MULTI_INPUT_PCS as MULTI_INPUT_PCS_CLASS,
    PV as PV_CLASS,
    V2H as EV_CHARGER_DISCHARGER_CLASS,
    WATER_HEATER as WATER_HEATER_CLASS,
)

from ..physics.appliances import AirConditioner, Light
from ..physics.battery import Battery, BatteryMode
from ..physics.ev import ChargerMode, EVCharger
from ..physics.fuel_cell import FuelCell
from ..physics.home import Home, HomeSnapshot
from ..physics.water_heater import EcoCute, HeaterMode
from .device import DeviceObject, Prop, constant, s32, u8, u16, u32, validated_setter, with_defaults

ENERGY_WRAP_WH: Final = 1_000_000_000  # 0..999,999,999 × 0.001 kWh
BOARD_UNIT_KWH: Final = 0.01  # distribution board C2 = 0x02
BOARD_WRAP: Final = 100_000_000
ON: Final = b"\x30"
OFF: Final = b"\x31"


class HomeView(Protocol):
    """What device objects read: the physics models, the latest step and per-PV-array energy."""

    @property
    def home(self) -> Home:
        """The physics models."""
        ...  # pragma: no cover - protocol

    @property
    def snapshot(self) -> HomeSnapshot:
        """The latest simulation step."""
        ...  # pragma: no cover - protocol

    @property
    def pv_wh(self) -> list[float]:
        """Cumulative generation per PV array (power conditioner), Wh."""
        ...  # pragma: no cover - protocol

    def now(self) -> datetime:
        """Simulated time."""
        ...  # pragma: no cover - protocol


def energy(wh: float) -> bytes:
    """A cumulative energy in 0.001 kWh (= Wh) units, wrapped like the device counters."""
    return u32(int(wh) % ENERGY_WRAP_WH)


def watts16(w: float) -> bytes:
    """A non-negative power as uint16 W (0..65533)."""
    return u16(max(0, min(65533, round(w))))


def clock_props(view: HomeView) -> dict[int, Prop]:
    """0x97 current time and 0x98 current date (required for PV/battery from Release K/H)."""
    return {
        0x97: Prop(get=lambda: bytes((view.now().hour, view.now().minute))),
        0x98: Prop(get=lambda: view.now().year.to_bytes(2, "big") + bytes((view.now().month, view.now().day))),
    }


def _setter(class_id: int, epc: int, apply: Callable[[bytes], bool]) -> Callable[[bytes], bool]:
    return validated_setter(class_id, epc, apply)


# ----------------------------------------------------------------------------------------------------------- PV
def pv_object(view: HomeView, index: int, instance: int, manufacturer: int) -> DeviceObject:
    """Household solar power generation 0x0279 for PV array (power conditioner) `index`."""

    def share_of_sold() -> float:
        total = sum(view.pv_wh)
        return view.home.pv_sold_wh * (view.pv_wh[index] / total) if total else 0.0

    props = {
        0xE0: Prop(get=lambda: watts16(view.snapshot.pv_w_per_array[index])),
        0xE1: Prop(get=lambda: energy(view.pv_wh[index])),
        0xE3: Prop(get=lambda: energy(share_of_sold())),
        0xE8: Prop(get=constant(watts16(view.home.pv[index].capacity_w))),
        0xD0: Prop(get=constant(b"\x00")),  # grid-connected, reverse power flow acceptable
        0xD1: Prop(get=constant(b"\x44")),  # not restraining output
        **clock_props(view),
    }
    return with_defaults(DeviceObject(EOJ.of(PV_CLASS, instance), props), manufacturer=manufacturer)


# ----------------------------------------------------------------------------------------------- multi-input PCS
# E7's range (MRA V1.3.1); 0x7FFFFFFE/0x7FFFFFFF and 0x80000000 are the overflow/no-data/underflow codes.
INT32_MIN: Final = -2_147_483_647
INT32_MAX: Final = 2_147_483_645
NO_FAULT: Final = b"\x00\x00"


def multi_input_pcs_object(view: HomeView, manufacturer: int, identification: bytes, product_code: str) -> DeviceObject:
    """Multiple-input PCS 0x02A5 (Release K+): one power conditioner whose DC inputs are every PV array.

    Directions follow PROTOCOL.md §2.8: "normal" is AC→DC (E0), "reverse" DC→AC (E3). The MRA leaves E7's sign
    unstated. A user's notes on a real Nichicon PV-only 0x02A5 read through echonetlite2mqtt (a public Home
    Assistant configuration's CLAUDE.md, read 2026-12-04 from the stored GitHub corpus) say E7 ≈ −(PV output), E3 ≈
    the PV's generation and E0 only the unit's own standby draw: positive in the normal (AC→DC) direction, as
    ECHONET's battery power is charge-positive. We follow that. That unit also exposed its array as a 0x0279 object
    listed in E8; ours does not (below).

    Our PCS has only PV inputs and no standby draw, so E0 stays at 0 and E3 is the arrays' generation. The battery
    keeps its own PCS (a separate node): on a shared PCS, E7/E3 would mix battery flows into what a controller reads
    as generation. E8 lists the inputs by the class they have (one 0x0279 instance per array); the arrays are not
    exposed as objects of their own, so a controller adding 0x0279 and 0x02A5 counts each array once.
    """
    arrays = len(view.home.pv)
    connected = bytes((arrays,)) + b"".join(EOJ.of(PV_CLASS, i + 1).to_bytes() for i in range(arrays))

    def output_w() -> float:
        return sum(view.snapshot.pv_w_per_array)

    props = {
        0x83: Prop(get=constant(identification)),
        0x89: Prop(get=constant(NO_FAULT)),
        0x8C: Prop(get=constant(product_code.encode("ascii")[:12].ljust(12, b" "))),
        **clock_props(view),
        0xD0: Prop(get=constant(b"\x00")),  # grid-connected, reverse power flow acceptable
        0xE0: Prop(get=constant(energy(0.0))),  # AC→DC: nothing (PV inputs only)
        0xE3: Prop(get=lambda: energy(sum(view.pv_wh))),  # DC→AC: everything the arrays generated
        0xE7: Prop(get=lambda: s32(max(INT32_MIN, min(INT32_MAX, -round(output_w()))))),
        0xE8: Prop(get=constant(connected)),
    }
    return with_defaults(DeviceObject(EOJ.of(MULTI_INPUT_PCS_CLASS, 1), props), manufacturer=manufacturer)


# ------------------------------------------------------------------------------------------------------ battery
_BATTERY_MODES: Final = {
    0x42: BatteryMode.CHARGE,
    0x43: BatteryMode.DISCHARGE,
    0x44: BatteryMode.STANDBY,
    0x46: BatteryMode.AUTO,
}
_BATTERY_CODES: Final = {mode: code for code, mode in _BATTERY_MODES.items()}


def battery_object(battery: Battery, view: HomeView, manufacturer: int) -> DeviceObject:
    """Storage battery 0x027D."""

    def set_mode(edt: bytes) -> bool:
        mode = _BATTERY_MODES.get(edt[0])
        if mode is None:
            return False
        battery.mode = mode
        return True

    def set_power(attribute: str) -> Callable[[bytes], bool]:
        def apply(edt: bytes) -> bool:
            setattr(battery, attribute, float(int.from_bytes(edt, "big")))
            return True

        return apply

    def reserve_wh() -> float:
        return battery.capacity_wh * battery.reserve_fraction

    props = {
        0xDA: Prop(
            get=lambda: u8(_BATTERY_CODES[battery.mode]), set=_setter(BATTERY_CLASS, 0xDA, set_mode), announce=True
        ),
        0xCF: Prop(get=lambda: u8(_BATTERY_CODES[battery.mode]), announce=True),
        0xD3: Prop(get=lambda: s32(round(battery.power_w))),
        0xD6: Prop(get=lambda: energy(battery.discharged_wh)),
        0xD8: Prop(get=lambda: energy(battery.charged_wh)),
        0xA8: Prop(get=lambda: energy(battery.charged_wh)),
        0xA9: Prop(get=lambda: energy(battery.discharged_wh)),
        0xE2: Prop(get=lambda: u32(round(battery.soc_wh))),
        0xE4: Prop(get=lambda: u8(max(0, min(100, round(battery.soc_percent))))),
        0xE6: Prop(get=constant(b"\x04")),  # lithium ion
        0xA0: Prop(get=lambda: u32(round(battery.capacity_wh))),
        0xA1: Prop(get=lambda: u32(round(battery.capacity_wh))),
        0xA2: Prop(get=lambda: u32(round(battery.capacity_wh))),
        0xA3: Prop(get=lambda: u32(round(battery.capacity_wh - reserve_wh()))),
        0xA4: Prop(get=lambda: u32(max(0, round(battery.capacity_wh - battery.soc_wh)))),
        0xA5: Prop(get=lambda: u32(max(0, round(battery.soc_wh - reserve_wh())))),
        0xC1: Prop(get=constant(b"\x02")),  # surplus charging
        0xC2: Prop(get=constant(b"\x02")),  # load-following discharging
        0xC8: Prop(get=lambda: u32(0) + u32(round(battery.max_charge_w))),
        0xC9: Prop(get=lambda: u32(0) + u32(round(battery.max_discharge_w))),
        0xDB: Prop(get=constant(b"\x02")),  # grid-connected, no reverse power flow (batteries do not export)
        0xEB: Prop(
            get=lambda: u32(round(battery.charge_power_setting_w or battery.max_charge_w)),
            set=_setter(BATTERY_CLASS, 0xEB, set_power("charge_power_setting_w")),
        ),
        0xEC: Prop(
            get=lambda: u32(round(battery.discharge_power_setting_w or battery.max_discharge_w)),
            set=_setter(BATTERY_CLASS, 0xEC, set_power("discharge_power_setting_w")),
        ),
        **clock_props(view),
    }
    return with_defaults(DeviceObject(EOJ.of(BATTERY_CLASS, 1), props), manufacturer=manufacturer)


# ----------------------------------------------------------------------------------------------------- EcoCute
_HEATER_MODES: Final = {0x41: HeaterMode.AUTO, 0x42: HeaterMode.MANUAL_HEATING, 0x43: HeaterMode.MANUAL_STOP}
_HEATER_CODES: Final = {mode: code for code, mode in _HEATER_MODES.items()}
STANDARD_HEATING_START: Final = 0x17  # 23:00


def water_heater_object(heater: EcoCute, view: HomeView, manufacturer: int) -> DeviceObject:
    """Electric water heater 0x026B (EcoCute), with daytime reheating permission and the energy-shift properties."""

    def set_mode(edt: bytes) -> bool:
        heater.mode = _HEATER_MODES[edt[0]]
        return True

    def set_reheat(edt: bytes) -> bool:
        heater.daytime_reheat_permitted = edt[0] == 0x41
        return True

    def set_participation(edt: bytes) -> bool:
        heater.energy_shift_participation = edt[0] == 0x01
        return True

    def set_shift_time(edt: bytes) -> bool:
        heater.shift_time_1 = None if edt[0] == 0 else edt[0]
        return True

    def energy_to_fill_wh() -> int:
        # Electricity needed to fill the tank from now: thermal deficit over the COP at mild weather.
        return max(0, round((heater.capacity_wh - heater.heat_wh) / heater.cop(16.0)))

    props = {
        0xB0: Prop(
            get=lambda: u8(_HEATER_CODES[heater.mode]),
            set=_setter(WATER_HEATER_CLASS, 0xB0, set_mode),
            announce=True,
        ),
        0xB2: Prop(get=lambda: b"\x41" if heater.heating else b"\x42", announce=True),
        0xB3: Prop(get=lambda: u8(round(heater.storage_temp_c))),
        0xC0: Prop(
            get=lambda: b"\x41" if heater.daytime_reheat_permitted else b"\x42",
            set=_setter(WATER_HEATER_CLASS, 0xC0, set_reheat),
            announce=True,
        ),
        0xC3: Prop(get=constant(b"\x42"), announce=True),  # hot water supply status: not supplying
        0xC7: Prop(
            get=lambda: b"\x01" if heater.energy_shift_participation else b"\x00",
            set=_setter(WATER_HEATER_CLASS, 0xC7, set_participation),
        ),
        0xC8: Prop(get=constant(u8(STANDARD_HEATING_START))),
        0xC9: Prop(get=constant(b"\x01")),
        0xCA: Prop(get=lambda: u8(heater.shift_time_1 or 0), set=_setter(WATER_HEATER_CLASS, 0xCA, set_shift_time)),
        0xCB: Prop(get=lambda: u32(energy_to_fill_wh()) * 4),
        0xCC: Prop(get=lambda: u16(round(heater.heating_input_w)) * 4),
        0xE1: Prop(get=lambda: u16(max(0, min(65533, round(heater.remaining_hot_water_l))))),
        0xE2: Prop(get=constant(u16(round(heater.tank_l)))),
        0x84: Prop(get=lambda: watts16(heater.power_w)),
        0x85: Prop(get=lambda: energy(heater.consumed_wh)),
    }
    return with_defaults(DeviceObject(EOJ.of(WATER_HEATER_CLASS, 1), props), manufacturer=manufacturer)


# ----------------------------------------------------------------------------------------------------------- EV
_EV_MODES: Final = {
    0x42: ChargerMode.CHARGE,
    0x43: ChargerMode.DISCHARGE,
    0x44: ChargerMode.STANDBY,
    0x47: ChargerMode.IDLE,
    0x49: ChargerMode.AUTO,
}
_EV_CODES: Final = {mode: code for code, mode in _EV_MODES.items()}
_EV_CHARGE_ONLY_MODES: Final = frozenset({0x42, 0x44, 0x47})


def ev_object(charger: EVCharger, view: HomeView, manufacturer: int) -> DeviceObject:
    """EV charger/discharger 0x027E (bidirectional) or EV charger 0x02A1 (charge only)."""
    class_id = EV_CHARGER_DISCHARGER_CLASS if charger.bidirectional else EV_CHARGER_CLASS
    allowed = set(_EV_MODES) if charger.bidirectional else set(_EV_CHARGE_ONLY_MODES)

    def connected() -> bool:
        return charger.car.connected(view.now())

    def connection_status() -> bytes:
        if not connected():
            return b"\x30"
        if charger.bidirectional:
            return b"\x43"  # chargeable and dischargeable
        return b"\x41" if charger.car.soc_wh < charger.car.battery_wh else b"\x40"

    def set_mode(edt: bytes) -> bool:
        if edt[0] not in allowed:
            return False
        charger.mode = _EV_MODES[edt[0]]
        return True

    def while_connected(value: Callable[[], bytes]) -> Callable[[], bytes | None]:
        # "Where no response can be returned, 'Response impossible' is returned" (MRA): no car, no battery data.
        return lambda: value() if connected() else None

    power = (
        (lambda: s32(round(charger.power_w)))
        if charger.bidirectional
        else (lambda: u32(max(0, round(charger.power_w))))
    )
    props = {
        0xC7: Prop(get=connection_status, announce=True),
        0xDA: Prop(
            get=lambda: u8(_EV_CODES.get(charger.mode, 0x40)),
            set=_setter(class_id, 0xDA, set_mode),
            announce=True,
        ),
        0xD3: Prop(get=power),
        0xD8: Prop(get=lambda: energy(charger.charged_wh)),
        0xE2: Prop(get=while_connected(lambda: u32(round(charger.car.soc_wh)))),
        0xE4: Prop(
            get=while_connected(lambda: u8(max(0, min(100, round(100 * charger.car.soc_wh / charger.car.battery_wh)))))
        ),
        0xC5: Prop(get=constant(u32(round(charger.max_power_w)))),
        0xCC: Prop(get=constant(b"\x22" if charger.bidirectional else b"\x11")),  # DC (CHAdeMO) V2H / AC CPLT
    }
    props.update(_charging_setting_props(charger, class_id))
    if charger.bidirectional:
        props[0xD6] = Prop(get=lambda: energy(charger.discharged_wh))
        props[0xC6] = Prop(get=constant(u32(round(charger.max_power_w))))
        props[0xC8] = Prop(get=constant(u32(round(charger.min_power_w)) + u32(round(charger.max_power_w))))
        props[0xC9] = Prop(get=constant(u32(round(charger.min_power_w)) + u32(round(charger.max_power_w))))
    return with_defaults(DeviceObject(EOJ.of(class_id, 1), props), manufacturer=manufacturer)


def _charging_setting_props(charger: EVCharger, class_id: int) -> dict[int, Prop]:
    """The charging power setting (0xEB, W), or for a charger set by its current the current setting (0xED, 0.1 A)
    with its min/max current (0xCA) and rated voltage (0xD2)."""
    volts = charger.current_setting_volts
    if volts is None:

        def set_power(edt: bytes) -> bool:
            charger.power_setting_w = float(int.from_bytes(edt, "big"))
            return True

        return {
            0xEB: Prop(
                get=lambda: u32(round(charger.power_setting_w or charger.max_power_w)),
                set=_setter(class_id, 0xEB, set_power),
            )
        }

    def deciamps(watts: float) -> bytes:
        return u16(round(10 * watts / volts))

    def set_current(edt: bytes) -> bool:
        charger.power_setting_w = int.from_bytes(edt, "big") / 10 * volts
        return True

    return {
        0xED: Prop(
            get=lambda: deciamps(charger.power_setting_w or charger.max_power_w),
            set=_setter(class_id, 0xED, set_current),
        ),
        0xCA: Prop(get=constant(deciamps(charger.min_power_w) + deciamps(charger.max_power_w))),
        0xD2: Prop(get=constant(u16(round(volts)))),
    }


# --------------------------------------------------------------------------------------------------- fuel cell
_FUEL_CELL_STATUS: Final = {"generating": 0x41, "stopped": 0x42, "starting": 0x43, "stopping": 0x44, "idling": 0x45}


def fuel_cell_object(cell: FuelCell, manufacturer: int) -> DeviceObject:
    """Fuel cell 0x027C."""

    def set_generation(edt: bytes) -> bool:
        cell.enabled = edt[0] == 0x41
        return True

    props = {
        0xC4: Prop(get=lambda: watts16(cell.power_w)),
        0xC5: Prop(get=lambda: energy(cell.generated_wh)),
        0xC2: Prop(get=constant(watts16(cell.rated_w))),
        0xC7: Prop(get=lambda: u16(max(0, min(65533, round(cell.gas_m3_per_h * 1000))))),
        0xC8: Prop(get=lambda: u32(round(cell.gas_m3 * 1000) % ENERGY_WRAP_WH)),
        0xCA: Prop(
            get=lambda: b"\x41" if cell.enabled else b"\x42",
            set=_setter(FUEL_CELL_CLASS, 0xCA, set_generation),
        ),
        0xCB: Prop(get=lambda: u8(_FUEL_CELL_STATUS[cell.status]), announce=True),
    }
    return with_defaults(DeviceObject(EOJ.of(FUEL_CELL_CLASS, 1), props), manufacturer=manufacturer)


# --------------------------------------------------------------------------------------------- distribution board
class ChannelRange:
    """The atomic range selection of a list EPC pair (B2→B3, B6→B7): start channel and count."""

    def __init__(self, channels: int) -> None:
        self.start = 1
        self.count = channels

    def set(self, edt: bytes, channels: int) -> bool:
        start, count = edt[0], edt[1]
        if start < 1 or count < 1 or start + count - 1 > channels:
            return False
        self.start, self.count = start, count
        return True


def board_object(view: HomeView, circuits: list[str], manufacturer: int) -> DeviceObject:
    """Power distribution board metering 0x0287 with one simplex channel per circuit of the home."""
    channels = len(circuits)
    energy_range = ChannelRange(channels)
    power_range = ChannelRange(channels)

    def board_energy(kwh: float) -> bytes:
        return u32(int(kwh / BOARD_UNIT_KWH) % BOARD_WRAP)

    def circuit_kwh(name: str) -> float:
        return view.home.circuit_wh.get(name, 0.0) / 1000

    def energy_list() -> bytes:
        selected = circuits[energy_range.start - 1 : energy_range.start - 1 + energy_range.count]
        header = bytes((energy_range.start, energy_range.count))
        return header + b"".join(board_energy(circuit_kwh(name)) for name in selected)

    def power_list() -> bytes:
        selected = circuits[power_range.start - 1 : power_range.start - 1 + power_range.count]
        header = bytes((power_range.start, power_range.count))
        return header + b"".join(s32(round(view.snapshot.circuits_w.get(name, 0.0))) for name in selected)

    def channel_value(name: str) -> Callable[[], bytes]:
        def read() -> bytes:
            deci_amps = max(-32767, min(32765, round(view.snapshot.circuits_w.get(name, 0.0) / 100 * 10 / 2)))
            return board_energy(circuit_kwh(name)) + deci_amps.to_bytes(2, "big", signed=True) * 2

        return read

    props = {
        0xC0: Prop(get=lambda: board_energy(view.home.grid_import_wh / 1000)),
        0xC1: Prop(get=lambda: board_energy(view.home.grid_export_wh / 1000)),
        0xC2: Prop(get=constant(b"\x02")),  # 0.01 kWh
        0xC6: Prop(get=lambda: s32(round(view.snapshot.grid_w))),
        0xB1: Prop(get=constant(u8(channels))),
        0xB2: Prop(
            get=lambda: bytes((energy_range.start, energy_range.count)),
            set=_setter(BOARD_CLASS, 0xB2, lambda edt: energy_range.set(edt, channels)),
        ),
        0xB3: Prop(get=energy_list),
        0xB6: Prop(
            get=lambda: bytes((power_range.start, power_range.count)),
            set=_setter(BOARD_CLASS, 0xB6, lambda edt: power_range.set(edt, channels)),
        ),
        0xB7: Prop(get=power_list),
    }
    for index, name in enumerate(circuits[:32]):
        props[0xD0 + index] = Prop(get=channel_value(name))
    return with_defaults(DeviceObject(EOJ.of(BOARD_CLASS, 1), props), manufacturer=manufacturer)


# ------------------------------------------------------------------------------------------- air conditioner
_AC_MODES: Final = {0x41: "auto", 0x42: "cool", 0x43: "heat", 0x44: "dry", 0x45: "fan"}
_AC_CODES: Final = {mode: code for code, mode in _AC_MODES.items()}


def aircon_object(aircon: AirConditioner, view: HomeView, manufacturer: int) -> DeviceObject:
    """Home air conditioner 0x0130."""
    fan = bytearray(b"\x41")

    def set_power(edt: bytes) -> bool:
        aircon.on = edt == ON
        return True

    def set_mode(edt: bytes) -> bool:
        if edt[0] not in _AC_MODES:
            return False
        aircon.mode = _AC_MODES[edt[0]]
        return True

    def set_target(edt: bytes) -> bool:
        aircon.target_c = float(edt[0])
        return True

    def set_fan(edt: bytes) -> bool:
        fan[:] = edt
        return True

    def temperature(value: float) -> bytes:
        return max(-127, min(125, round(value))).to_bytes(1, "big", signed=True)

    props = {
        0x80: Prop(get=lambda: ON if aircon.on else OFF, set=_setter(AIRCON_CLASS, 0x80, set_power), announce=True),
        0xB0: Prop(
            get=lambda: u8(_AC_CODES.get(aircon.mode, 0x40)), set=_setter(AIRCON_CLASS, 0xB0, set_mode), announce=True
        ),
        0xB3: Prop(get=lambda: u8(round(aircon.target_c)), set=_setter(AIRCON_CLASS, 0xB3, set_target)),
        0xBB: Prop(get=lambda: temperature(aircon.room_temp_c)),
        0xBE: Prop(get=lambda: temperature(view.snapshot.outdoor_c)),
        0xA0: Prop(get=lambda: bytes(fan), set=_setter(AIRCON_CLASS, 0xA0, set_fan), announce=True),
        0x84: Prop(get=lambda: watts16(aircon.power_w)),
        0x85: Prop(get=lambda: energy(aircon.consumed_wh)),
    }
    return with_defaults(DeviceObject(EOJ.of(AIRCON_CLASS, 1), props), manufacturer=manufacturer)


# ------------------------------------------------------------------------------------------------------ lighting
def light_object(light: Light, manufacturer: int) -> DeviceObject:
    """General lighting 0x0290."""
    mode = bytearray(b"\x42")

    def set_power(edt: bytes) -> bool:
        light.on = edt == ON
        return True

    def set_level(edt: bytes) -> bool:
        light.level_percent = edt[0]
        return True

    def set_mode(edt: bytes) -> bool:
        mode[:] = edt
        return True

    props = {
        0x80: Prop(get=lambda: ON if light.on else OFF, set=_setter(LIGHTING_CLASS, 0x80, set_power), announce=True),
        0xB0: Prop(get=lambda: u8(light.level_percent), set=_setter(LIGHTING_CLASS, 0xB0, set_level)),
        0xB6: Prop(get=lambda: bytes(mode), set=_setter(LIGHTING_CLASS, 0xB6, set_mode)),
    }
    return with_defaults(DeviceObject(EOJ.of(LIGHTING_CLASS, 1), props), manufacturer=manufacturer)
