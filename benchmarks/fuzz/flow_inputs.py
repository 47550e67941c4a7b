"""Generated inputs for the real config flows, options flow and actions (the `flow_*` and `actions` targets).

Pure generation, no Home Assistant: each case's `value` says what to submit (`FlowInput`) or which action to call with
which data (`ActionCall`), reproducible from the shard's seed. Times are relative to the moment of the call
(`FromNow`), so the same seed asks the same question of a run started on any day.

Reachability is bounded on purpose: ports that pass the flow's scheme check point at the rig's virtual dongle
(`DONGLE_PORT`, a meter that joins with `ROUTE_B_ID` and `ROUTE_B_PASSWORD`), at a TCP port of this host that refuses
connections, at device paths that do not exist, or at files and directories that are no serial port (a meter the flow
cannot reach must answer with a form error at once); addresses that pass the validator are the rig's virtual node
(`HOME_ADDRESS`), loopback or RFC 5737 documentation addresses, so a fuzz run never sends a datagram to a real host.
A share of the inputs is valid or nearly so, and the rig's virtual node is up for half of the LAN inputs, so the
flows also run to the end: an entry created, set up and loaded (then removed again for the next input).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
import datetime as dt
import math
import random
from typing import Final

from .harness import Case

FLOW_LAN: Final = "flow_lan"
FLOW_METER: Final = "flow_meter"
FLOW_HOME_ENERGY: Final = "flow_home_energy"
ACTIONS: Final = "actions"
FLOW_TARGETS: Final = (FLOW_LAN, FLOW_METER, FLOW_HOME_ENERGY, ACTIONS)

CLOSED_PORT: Final = "{closed}"  # replaced by the rig's refusing TCP port (known only at run time)
DONGLE_PORT: Final = "{dongle}"  # replaced by the rig's virtual dongle's socket:// URL (a meter that joins)
HOME_ADDRESS: Final = "{home}"  # replaced by the address of the rig's virtual ECHONET Lite node
# The virtual meter's B-route credentials (the rig's dongle is started with them).
ROUTE_B_ID: Final = "00112233445566778899AABBCCDDEEFF"
ROUTE_B_PASSWORD: Final = "FUZZPASSWORD"
PRINTABLE: Final = "".join(chr(code) for code in range(0x20, 0x7F))
ODD_TEXT: Final = ("\x00", "\u3000", "ｱ", "é", "\u202e", "\n", "\t", "😀", "Ⅻ", "١")
# Loopback and the documentation blocks of RFC 5737: valid unicast, never a real device on anybody's network.
SAFE_UNICAST: Final = ("127.0.0.1", "127.0.0.2", "127.0.200.9", "192.0.2.1", "198.51.100.7", "203.0.113.200")
REFUSED_ADDRESSES: Final = (
    "0.0.0.0",
    "0.0.0.1",
    "255.255.255.255",
    "240.0.0.1",
    "224.0.23.0",
    "127.255.255.255",
    "127.0.0.0",
    "192.0.2.255",
    "::1",
    "fe80::1%eth0",
    "1.2.3",
    "1.2.3.4.5",
    "256.1.1.1",
    "١٢٧.0.0.1",
    "127.0.0.1/8",
    "localhost",
)
INTERFACES: Final = ("wlan0", "", "127.0.0.1", "LO", "lo ", "eth1")  # none of them an adapter the form offers
PORTS: Final = (
    f"socket://127.0.0.1:{CLOSED_PORT}",
    f"socket://localhost:{CLOSED_PORT}",
    f"rfc2217://127.0.0.1:{CLOSED_PORT}",
    f"  socket://127.0.0.1:{CLOSED_PORT}\n",
    "socket://127.0.0.1:0",
    "socket://127.0.0.1:65536",
    "socket://127.0.0.1:-1",
    "socket://127.0.0.1:port",
    "socket://127.0.0.1",
    "socket://:1",
    "socket://",
    "rfc2217://",
    "/dev/ttyFUZZ0",
    "/dev/serial/by-id/usb-FUZZ-if00",
    "/nonexistent/ttyUSB0",
    "/",
    "/tmp",
    "/etc/hostname",
    "/dev/ttyUSB0\x00",
    "loop://",
    "spy:///dev/ttyUSB0",
    "COM3",
    "",
    " ",
)
DEVICES: Final = ("water_heater", "battery", "ev")
MODES: Final = ("follow_plan", "force_on", "force_off", "off")
ACTION_NAMES: Final = ("plan_now", "get_plan", "explain", "set_ev_trip", "override", "pause", "resume")
RESPONSE_ACTIONS: Final = frozenset({"plan_now", "get_plan", "explain"})
CONTRACTS: Final = ("surplus", "full")
TARIFFS: Final = ("tepco-smart-life-s", "custom", "custom", "kansai-hapi-e-time")
WARNING_SOURCES: Final = ("none", "entity")  # "jma" fetches from the internet at set-up: not fuzzed here
BAND_NAMES: Final = ("night", "day", "peak", "off_peak", "夜間", "a" * 300, "", "bad name", "x#y")


@dataclass(frozen=True, slots=True)
class FromNow:
    """A time relative to the call: `seconds` from now, as a datetime (aware or naive) or as ISO text."""

    seconds: float
    aware: bool = True
    as_text: bool = True


@dataclass(frozen=True, slots=True)
class FlowInput:
    """One submission: the `step` to reach, what to submit there, and the follow-up steps' inputs."""

    step: str
    form: dict[str, object]
    follow_up: tuple[dict[str, object], ...] = field(default=())
    node_up: bool = False  # the rig's virtual ECHONET Lite node answers during this input (LAN flow)


@dataclass(frozen=True, slots=True)
class ActionCall:
    """One action call."""

    action: str
    data: dict[str, object]
    return_response: bool


class FlowInputGenerator:
    """Inputs for one of `FLOW_TARGETS`, reproducible from `rng`."""

    def __init__(self, rng: random.Random, target: str) -> None:
        self._rng = rng
        makers: dict[str, Callable[[], FlowInput | ActionCall]] = {
            FLOW_LAN: self._lan,
            FLOW_METER: self._meter,
            FLOW_HOME_ENERGY: self._home_energy,
            ACTIONS: self._action,
        }
        self._make = makers[target]

    def cases(self, count: int) -> Iterator[Case]:
        """`count` cases; a case's bytes are the input's repr (what the report shows)."""
        for _ in range(count):
            value = self._make()
            kind = value.step if isinstance(value, FlowInput) else value.action
            yield Case(kind, repr(value).encode("utf-8", "backslashreplace"), value)

    # -------------------------------------------------------------------------------------------- values
    def _text(self, size: int) -> str:
        rng = self._rng
        chars = rng.choices(PRINTABLE, k=size)
        if chars and rng.random() < 0.3:
            chars[rng.randrange(len(chars))] = rng.choice(ODD_TEXT)
        return "".join(chars)

    def _odd(self) -> object:
        """A value of a type or size no form field or action expects."""
        rng = self._rng
        choices: tuple[object, ...] = (
            None,
            "",
            " ",
            "x" * rng.choice((1_000, 100_000)),
            self._text(rng.randrange(40)),
            rng.choice(ODD_TEXT),
            rng.randrange(-(2**70), 2**70),
            rng.uniform(-1e9, 1e9),
            math.nan,
            math.inf,
            -math.inf,
            -0.0,
            True,
            False,
            [],
            ["lo", "eth0"],
            {"nested": {"a": 1}},
            dt.datetime(2025, 1, 1, 0, 0),  # noqa: DTZ001 - a naive datetime is one of the odd values
            dt.date(2024, 2, 29),
        )
        return rng.choice(choices)

    def _maybe_odd(self, value: object, odd: float = 0.2) -> object:
        return self._odd() if self._rng.random() < odd else value

    def _form(self, fields: dict[str, object]) -> dict[str, object]:
        """`fields`, sometimes with one left out or an unknown one added."""
        rng = self._rng
        form = dict(fields)
        if form and rng.random() < 0.1:
            form.pop(rng.choice(list(form)))
        if rng.random() < 0.05:
            form[rng.choice(("extra", "", "__proto__", "kind"))] = self._odd()
        return form

    # ----------------------------------------------------------------------------------------- LAN flow
    def _address(self) -> str:
        rng = self._rng
        roll = rng.random()
        if roll < 0.15:
            return HOME_ADDRESS
        if roll < 0.45:
            return rng.choice(SAFE_UNICAST)
        if roll < 0.8:
            return rng.choice(REFUSED_ADDRESSES)
        if roll < 0.9:
            return ".".join(str(rng.randrange(-1, 300)) for _ in range(rng.randrange(1, 6)))
        return self._text(rng.randrange(0, 20))

    def _interface(self) -> object:
        rng = self._rng
        roll = rng.random()
        if roll < 0.75:
            return "lo"
        if roll < 0.85:
            return "eth0"  # offered, but its address is no address of this host: UDP 3610 cannot open there
        return self._maybe_odd(rng.choice(INTERFACES), 0.3)

    def _lan(self) -> FlowInput:
        rng = self._rng
        parts = [self._address() for _ in range(rng.choice((0, 1, 1, 2, 3, 40)))]
        addresses = rng.choice((",", ", ", " ,", ",,", ";", " ", "\n")).join(parts)
        form = self._form({"interface": self._interface(), "addresses": self._maybe_odd(addresses, 0.05)})
        # What was found is confirmed most of the time (the entry is created), sometimes the flow is left there.
        follow_up: tuple[dict[str, object], ...] = ({},) if rng.random() < 0.8 else ()
        return FlowInput("lan", form, follow_up, node_up=rng.random() < 0.5)

    # --------------------------------------------------------------------------------------- meter flow
    def _port(self) -> str:
        rng = self._rng
        roll = rng.random()
        if roll < 0.3:
            return f"  {DONGLE_PORT}\n" if rng.random() < 0.1 else DONGLE_PORT
        if roll < 0.6:
            return rng.choice(PORTS)
        if roll < 0.8:
            return rng.choice(("/dev/", "socket://127.0.0.1:", "rfc2217://127.0.0.1:")) + self._text(rng.randrange(12))
        return self._text(rng.randrange(0, 60))

    def _route_b_id(self) -> str:
        rng = self._rng
        if rng.random() < 0.5:  # the meter's own ID, as typed from the letter: sometimes lower case or mangled
            text = ROUTE_B_ID.lower() if rng.random() < 0.2 else ROUTE_B_ID
            return self._mangle(text) if rng.random() < 0.2 else text
        text = "".join(rng.choices("0123456789ABCDEFabcdef", k=rng.choice((32, 32, 32, 31, 33, 0, 300))))
        return self._mangle(text) if rng.random() < 0.3 else text

    def _password(self) -> str:
        rng = self._rng
        if rng.random() < 0.6:
            return self._mangle(ROUTE_B_PASSWORD) if rng.random() < 0.2 else ROUTE_B_PASSWORD
        text = "".join(rng.choices(PRINTABLE.replace(" ", ""), k=rng.choice((12, 12, 12, 11, 13, 0, 1000))))
        return self._mangle(text) if rng.random() < 0.3 else text

    def _mangle(self, text: str) -> str:
        rng = self._rng
        chars = list(text)
        at = rng.randrange(len(chars) + 1)
        chars[at:at] = rng.choice((" ", "\t", "\n", *ODD_TEXT))
        return "".join(chars) if rng.random() < 0.8 else f"  {text}\n"

    def _meter(self) -> FlowInput:
        rng = self._rng
        step = "reconfigure_meter" if rng.random() < 0.2 else "broute"
        if step == "broute" and rng.random() < 0.25:  # what the user's letter says, typed in right
            valid: dict[str, object] = {
                "port": DONGLE_PORT,
                "route_b_id": ROUTE_B_ID,
                "route_b_password": ROUTE_B_PASSWORD,
            }
            return FlowInput(step, self._form(valid))
        fields: dict[str, object] = {"port": self._maybe_odd(self._port(), 0.05)}
        if step == "broute":
            fields["route_b_id"] = self._maybe_odd(self._route_b_id(), 0.05)
            fields["route_b_password"] = self._maybe_odd(self._password(), 0.05)
        return FlowInput(step, self._form(fields))

    # ------------------------------------------------------------------------------ Home energy options
    def _price(self, low: float, high: float) -> object:
        rng = self._rng
        roll = rng.random()
        if roll < 0.6:
            return round(rng.uniform(low, high), 2)
        if roll < 0.8:
            return rng.choice((low, high, low - 0.01, high + 1, 0, -0.0, 1e308, "12.5", "１２"))
        return self._odd()

    def _bands(self) -> str:
        rng = self._rng
        roll = rng.random()
        if roll < 0.3:  # a valid two-band day, sometimes with prices of extreme size
            price = rng.choice(("27.86", "0", "0.000001", "9" * 400, "1" + "0" * 308, "35.76"))
            return f"night 01-06 {price}\nday 06-01 35.76"
        if roll < 0.8:
            return "\n".join(self._band_line() for _ in range(rng.choice((1, 2, 3, 5, 30))))
        return self._text(rng.randrange(0, 200))

    def _band_line(self) -> str:
        rng = self._rng
        name = rng.choice(BAND_NAMES)
        hours = f"{rng.randrange(-1, 30):02d}-{rng.randrange(-1, 30):02d}" if rng.random() < 0.8 else self._text(4)
        price = rng.choice(("27.86", "-3", "0", "1e3", "nan", "inf", "9" * 40, "35.76", "abc"))
        days = rng.choice(("", "weekday", "dayoff", "holiday", "all", "sometimes"))
        months = rng.choice(("", "7-9", "12-2", "1,2,12", "1-3,12", "0-13", "13", ",", "6-6"))
        comment = rng.choice(("", " # comment", "#", " #"))
        return " ".join(part for part in (name, hours, price, days, months) if part) + comment

    def _mutate(self, valid: dict[str, object], bad: dict[str, Callable[[], object]]) -> dict[str, object]:
        """`valid` with none, one or two fields replaced by a bad value (most inputs get past the schema, so the
        step's own checks and what follows them are reached)."""
        rng = self._rng
        form = dict(valid)
        for key in rng.sample(sorted(bad), k=min(len(bad), rng.choice((0, 0, 1, 1, 1, 2)))):
            form[key] = bad[key]()
        return self._form(form)

    def _home_energy(self) -> FlowInput:
        rng = self._rng
        if rng.random() < 0.2:
            return FlowInput("solar_charge", self._solar_charge_form())
        valid: dict[str, object] = {
            "contract": rng.choice(CONTRACTS),
            "tariff": rng.choice(TARIFFS),
            "sell_price": round(rng.uniform(0, 100), 2),
            "renewable_levy": round(rng.uniform(-20, 100), 2),
            "fuel_adjustment": round(rng.uniform(-20, 100), 2),
            "emission_factor": round(rng.uniform(0, 2), 3),
            "weather_entity": rng.choice(("weather.home", "weather.missing")),
            "warning_source": rng.choice(WARNING_SOURCES),
            "jma_office": rng.choice(("130000", "016000", "474000")),
            "warning_entity": rng.choice(("binary_sensor.storm", "binary_sensor.missing")),
        }
        for key in ("weather_entity", "warning_entity", "emission_factor"):  # optional: often left empty
            if rng.random() < 0.4:
                valid.pop(key)
        bad: dict[str, Callable[[], object]] = {
            "contract": self._odd,
            "tariff": lambda: rng.choice(("unknown-plan", "CUSTOM", "", None)),
            "sell_price": lambda: self._price(0, 100),
            "renewable_levy": lambda: self._price(-20, 100),
            "fuel_adjustment": lambda: self._price(-20, 100),
            "emission_factor": lambda: self._price(0, 2),
            "weather_entity": lambda: rng.choice(("sensor.x", "weather.", "", "WEATHER.HOME", None)),
            "warning_source": lambda: rng.choice(("jma ", "", "Entity", None)),
            "jma_office": lambda: rng.choice(("999999", "", "13000０", "130000\n")),
            "warning_entity": lambda: rng.choice(("light.x", "binary_sensor", "", None)),
        }
        follow_up: tuple[dict[str, object], ...] = ({"custom_bands": self._maybe_odd(self._bands(), 0.05)}, {})
        return FlowInput("home_energy", self._mutate(valid, bad), follow_up)

    def _solar_charge_form(self) -> dict[str, object]:
        rng = self._rng
        times = ("07:30:00", "00:00", "23:59:59", "24:00:00", "7:30", "noon", "")
        valid: dict[str, object] = {
            "battery_reserve": rng.randrange(0, 91),
            "ev_departure": rng.choice(("07:30:00", "00:00:00", "23:59:59")),
            "ev_arrival": rng.choice(("18:00:00", "07:30:00", "00:00:00")),
            "ev_target_kwh": rng.choice((0, 30.0, 200)),
            "ev_trip_kwh": rng.choice((0, 8.0, 200)),
            "ev_battery_kwh": rng.choice((0, 40.0, 200)),
        }
        bad: dict[str, Callable[[], object]] = {
            "battery_reserve": lambda: self._price(0, 90),
            "ev_departure": lambda: self._maybe_odd(rng.choice(times), 0.5),
            "ev_arrival": lambda: self._maybe_odd(rng.choice(times), 0.5),
            "ev_target_kwh": lambda: self._price(0, 200),
            "ev_trip_kwh": lambda: self._price(0, 200),
            "ev_battery_kwh": lambda: self._price(0, 200),
        }
        return self._mutate(valid, bad)

    # ------------------------------------------------------------------------------------------ actions
    def _when(self) -> object:
        rng = self._rng
        roll = rng.random()
        if roll < 0.75:
            seconds = rng.choice((-86400 * 400, -3600, -1, 60, 3600, 20 * 3600, 86400 * 30, 86400 * 365 * 50))
            return FromNow(seconds, aware=rng.random() < 0.5, as_text=rng.random() < 0.6)
        if roll < 0.85:
            return rng.choice(
                (
                    "9999-12-31 23:59:59",
                    "9999-12-31T23:59:59+14:00",
                    "0001-01-01 00:00:00",
                    "0001-01-01T00:00:00-12:00",
                    "2026-02-30 10:00",
                    "tomorrow",
                    "2030-01-01",
                    "2030-01-01T08:00:00Z",
                    "",
                    "8:00",
                )
            )
        return self._odd()

    def _action(self) -> ActionCall:
        rng = self._rng
        action = rng.choice(ACTION_NAMES)
        data: dict[str, object] = {}
        device = self._maybe_odd(rng.choice((*DEVICES, *DEVICES, "heat_pump", "EV", "")), 0.05)
        if action == "set_ev_trip":
            energy = round(rng.uniform(0, 200), 1) if rng.random() < 0.7 else self._price(0, 200)
            data = {"departure": self._when(), "energy_kwh": energy}
        elif action == "override":
            data = {"device": device, "mode": self._maybe_odd(rng.choice((*MODES, *MODES, "on", "")), 0.05)}
            if rng.random() < 0.5:
                data["until"] = self._when()
        elif action == "pause":
            data = {"device": device, "until": self._when()}
        elif action == "resume":
            data = {"device": device}
        optional = action in ("pause", "resume") or (action == "override" and rng.random() < 0.1)
        if optional:
            data = {key: value for key, value in data.items() if rng.random() < 0.6}
        if rng.random() < 0.1:
            data[rng.choice(("entity_id", "device_id", "extra"))] = self._odd()
        right = action in RESPONSE_ACTIONS
        return ActionCall(action, data, right if rng.random() < 0.9 else not right)
