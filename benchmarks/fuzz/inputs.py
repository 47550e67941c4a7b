"""Config-flow and action inputs through the validators the flows and the write path use.

- `addresses`: the LAN flow's manual addresses (`config_flow.parse_addresses`, with or without the adapter's network);
  documented refusal: `InvalidAddressError`.
- `interface`: an entry's interface value (`interfaces.is_address`, never raises).
- `port`: the meter flow's port check (`config_flow.PORT_SCHEMES`) — a plain prefix test, fuzzed for completeness.
- `credentials`: B-route ID and password (`Credentials.validate` and the `BRouteSession` constructor the flow calls);
  documented refusal: `InvalidCredentialsError`. Invariant: an echoed SKSETPWD never shows the password.
- `action`: a value for a settable property through `PropertySpec.encode` (what `EchonetObjectCoordinator.async_set`
  calls); documented refusal: `ValueRangeError`. Invariant: what encodes decodes again (we never write bytes that
  our own decoder refuses).

The flows themselves live in Home Assistant; their validators are pure functions, called here without Home Assistant
running (importing `config_flow` loads Home Assistant's modules, nothing more).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
import datetime as dt
import ipaddress
import math
import random
from typing import Final

from custom_components.echonet_hems.lib.broute.credentials import Credentials, InvalidCredentialsError
from custom_components.echonet_hems.lib.broute.lines import mask_secrets
from custom_components.echonet_hems.lib.broute.session import BRouteSession
from custom_components.echonet_hems.lib.echonet.specs.datatypes import Value
from custom_components.echonet_hems.lib.echonet.specs.model import PropertySpec
from custom_components.echonet_hems.lib.echonet.specs.registry import class_specs
from custom_components.echonet_hems.lib.errors import ProtocolError, ValueRangeError

from .harness import Case

KIND_WEIGHTS: Final = {"addresses": 30, "interface": 5, "port": 10, "credentials": 25, "action": 30}
SPECIAL_ADDRESSES: Final = (
    "0.0.0.0",
    "0.0.0.1",
    "255.255.255.255",
    "240.0.0.1",
    "224.0.23.0",
    "127.0.0.1",
    "192.168.1.255",
    "192.168.1.0",
    "10.0.0.1",
    "::1",
    "fe80::1%eth0",
    "192.168.001.010",
    "1.2.3",
    "1.2.3.4.5",
    "256.1.1.1",
    "١٢٧.0.0.1",
    "192.168.1.1/24",
    "",
    " ",
    "\x00",
)
PORTS: Final = (
    "/dev/ttyUSB0",
    "/dev/serial/by-id/usb-ROHM_BP35C2-if00",
    "socket://192.168.1.20:2000",
    "rfc2217://[::1]:4000",
    "loop://",
    "spy:///dev/ttyUSB0",
    "COM3",
    "socket://",
    "",
)
PRINTABLE: Final = "".join(chr(code) for code in range(0x20, 0x7F))
ODD_TEXT: Final = ("\x00", "\u3000", "ｱ", "é", "\u202e", chr(0xD800), "\n", "\t", "😀", "Ⅻ")


@dataclass(frozen=True, slots=True)
class Call:
    """One validator call: which, and its arguments."""

    validator: str
    args: tuple[object, ...]


class InputGenerator:
    """Validator calls, reproducible from `rng`."""

    def __init__(self, rng: random.Random) -> None:
        self._rng = rng
        self._kinds = tuple(KIND_WEIGHTS)
        self._weights = tuple(KIND_WEIGHTS.values())
        self._settable: tuple[PropertySpec, ...] = tuple(
            prop for spec in class_specs() for prop in spec.properties if prop.set.supported
        )
        self._makers: dict[str, Callable[[], tuple[object, ...]]] = {
            "addresses": self._addresses,
            "interface": lambda: (self._address(),),
            "port": lambda: (self._port(),),
            "credentials": self._credentials,
            "action": self._action,
        }

    def cases(self, count: int) -> Iterator[Case]:
        """`count` cases."""
        rng = self._rng
        for _ in range(count):
            kind = rng.choices(self._kinds, self._weights)[0]
            call = Call(kind, self._makers[kind]())
            yield Case(kind, _describe(call).encode("utf-8", "backslashreplace"), call)

    # ----------------------------------------------------------------------------------------------- text
    def _text(self, size: int) -> str:
        rng = self._rng
        chars = rng.choices(PRINTABLE, k=size)
        if rng.random() < 0.2 and chars:
            chars[rng.randrange(len(chars))] = rng.choice(ODD_TEXT)
        return "".join(chars)

    def _address(self) -> str:
        rng = self._rng
        roll = rng.random()
        if roll < 0.5:
            return str(ipaddress.IPv4Address(rng.getrandbits(32)))
        if roll < 0.8:
            return rng.choice(SPECIAL_ADDRESSES)
        if roll < 0.9:
            return ".".join(str(rng.randrange(-1, 300)) for _ in range(rng.randrange(1, 6)))
        return self._text(rng.randrange(0, 20))

    def _addresses(self) -> tuple[object, ...]:
        rng = self._rng
        parts = [self._address() for _ in range(rng.choice((1, 1, 2, 3, 8, 40)))]
        text = rng.choice((",", ", ", " ,", ",,", ";", " ")).join(parts)
        network = None
        if rng.random() < 0.6:
            network = ipaddress.IPv4Network((rng.getrandbits(32), rng.randrange(8, 33)), strict=False)
        return (text, network)

    def _port(self) -> str:
        rng = self._rng
        roll = rng.random()
        if roll < 0.5:
            return rng.choice(PORTS)
        if roll < 0.8:
            return rng.choice(("/", "socket://", "rfc2217://", "")) + self._text(rng.randrange(0, 40))
        return self._text(rng.randrange(0, 60))

    def _credentials(self) -> tuple[object, ...]:
        rng = self._rng
        route_b_id = "".join(rng.choices("0123456789ABCDEF", k=rng.choice((32, 32, 32, 31, 33, 0))))
        password = "".join(rng.choices(PRINTABLE.replace(" ", ""), k=rng.choice((12, 12, 12, 11, 13, 0))))
        if rng.random() < 0.3:
            route_b_id = self._mangle(route_b_id)
        if rng.random() < 0.3:
            password = self._mangle(password)
        return (self._port(), route_b_id, password)

    def _mangle(self, text: str) -> str:
        rng = self._rng
        chars = list(text)
        at = rng.randrange(len(chars) + 1)
        chars[at:at] = rng.choice((" ", "\t", "\n", *ODD_TEXT))
        return "".join(chars) if rng.random() < 0.8 else f"  {text}\n"

    # --------------------------------------------------------------------------------------------- action
    def _action(self) -> tuple[object, ...]:
        rng = self._rng
        spec = rng.choice(self._settable)
        value = self._plausible_value(spec) if rng.random() < 0.6 else self._odd_value()
        return (spec, value)

    def _plausible_value(self, spec: PropertySpec) -> Value:
        """A value decoded from random bytes of the right size, then nudged: the shapes the encoder really gets."""
        rng = self._rng
        datatype = spec.datatype
        maximum = datatype.max_size if datatype.max_size is not None else 32
        raw = rng.randbytes(rng.randint(datatype.min_size, min(maximum, 64)))
        try:
            value = spec.decode(raw, scaled=not spec.coefficients)
        except ProtocolError:
            return self._odd_value()
        return self._nudge(value)

    def _nudge(self, value: Value) -> Value:
        rng = self._rng
        if isinstance(value, bool) or rng.random() < 0.5:
            return value
        if isinstance(value, int | float):
            return value + rng.choice((-1, 1, 0.5, -0.001, 10**9))
        if isinstance(value, tuple):
            return value[: rng.randrange(len(value) + 1)]
        return value

    def _odd_value(self) -> Value:
        rng = self._rng
        choices: tuple[Value, ...] = (
            rng.randrange(-(2**40), 2**40),
            rng.randrange(-5, 300),
            rng.uniform(-1e6, 1e6),
            math.nan,
            math.inf,
            -math.inf,
            -0.0,
            1e308,
            True,
            None,
            "",
            self._text(rng.randrange(12)),
            rng.randbytes(rng.randrange(6)),
            (),
            (1, 2, 3),
            {"unknown": 1},
            dt.date(2024, 2, 29),
            dt.time(23, 59),
            dt.datetime(2025, 1, 1, 0, 0),  # noqa: DTZ001 - the library's dates are naive JST
        )
        return rng.choice(choices)


def _describe(call: Call) -> str:
    """What the report shows of a call (a property spec by its key and EPC, not its whole table row)."""
    args = tuple(f"{arg.key}/0x{arg.epc:02X}" if isinstance(arg, PropertySpec) else arg for arg in call.args)
    return repr(args)


def make_feed() -> Callable[[Case], str | None]:
    """The feed for the `inputs` target (imports the flow module, and with it Home Assistant, on first use)."""
    from custom_components.echonet_hems.config_flow import (  # Home Assistant loads only here
        PORT_SCHEMES,
        InvalidAddressError,
        parse_addresses,
    )
    from custom_components.echonet_hems.interfaces import is_address

    def addresses(text: object, network: object) -> str:
        assert isinstance(text, str)
        assert network is None or isinstance(network, ipaddress.IPv4Network)
        try:
            parse_addresses(text, network)
        except InvalidAddressError:
            return "refused"
        return "accepted"

    def port(text: object) -> str:
        assert isinstance(text, str)
        return "accepted" if text.startswith(PORT_SCHEMES) else "refused"

    def interface(text: object) -> str:
        assert isinstance(text, str)
        return "accepted" if is_address(text) else "refused"

    def credentials(port_text: object, route_b_id: object, password: object) -> str:
        assert isinstance(port_text, str)
        assert isinstance(route_b_id, str)
        assert isinstance(password, str)
        try:
            validated = Credentials.validate(route_b_id, password)
            BRouteSession(port_text, route_b_id, password)
        except InvalidCredentialsError:
            return "refused"
        echoed = mask_secrets(f"SKSETPWD C {validated.password}")
        if validated.password in echoed:
            raise AssertionError("an echoed SKSETPWD shows the password")
        return "accepted"

    def action(spec: object, value: object) -> str:
        assert isinstance(spec, PropertySpec)
        coefficients = {0xD3: b"\x00\x00\x00\x01", 0xE1: b"\x01", 0xC2: b"\x02"}
        try:
            edt = spec.encode(value, coefficients)  # type: ignore[arg-type]
        except ValueRangeError:
            return "refused"
        try:
            spec.decode(edt, coefficients)
        except ProtocolError as err:
            raise AssertionError(f"EPC 0x{spec.epc:02X} ({spec.key}) encodes bytes it cannot decode: {err}") from err
        return "accepted"

    validators: dict[str, Callable[..., str]] = {
        "addresses": addresses,
        "interface": interface,
        "port": port,
        "credentials": credentials,
        "action": action,
    }

    def feed(case: Case) -> str | None:
        call = case.value
        assert isinstance(call, Call)
        return validators[call.validator](*call.args)

    return feed
