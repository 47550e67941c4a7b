"""Command failures (`FAIL ER<nn>`, PROTOCOL.md §3.2) and the SKSTACK integer syntax of command arguments."""

from __future__ import annotations

from typing import Final

ER_UNSUPPORTED: Final = 4  # command not supported
ER_ARGUMENT_COUNT: Final = 5  # wrong number of arguments
ER_ARGUMENT: Final = 6  # bad format or out of range
ER_UART: Final = 9  # UART input error
ER_EXECUTION: Final = 10  # accepted but could not be executed
HEX_DIGITS: Final = frozenset("0123456789abcdefABCDEF")


class SkCommandError(Exception):
    """The command ends with `FAIL ER<code>`."""

    def __init__(self, code: int) -> None:
        super().__init__(f"ER{code:02d}")
        self.code = code


def parse_hex(token: str, digits: int, minimum: int = 0, maximum: int | None = None) -> int:
    """A hex integer of at most `digits` digits (leading zeros may be dropped) within range, else ER06."""
    if not token or len(token) > digits or not set(token) <= HEX_DIGITS:
        raise SkCommandError(ER_ARGUMENT)
    value = int(token, 16)
    if value < minimum or (maximum is not None and value > maximum):
        raise SkCommandError(ER_ARGUMENT)
    return value


def parse_exact_hex(token: str, digits: int) -> int:
    """A field that must be exactly `digits` hex digits (SKSENDTO port and length), else ER06."""
    if len(token) != digits:
        raise SkCommandError(ER_ARGUMENT)
    return parse_hex(token, digits)


def parse_mac(token: str) -> str:
    """A 64-bit MAC address (16 hex digits), uppercased, else ER06."""
    if len(token) != 16 or not set(token) <= HEX_DIGITS:
        raise SkCommandError(ER_ARGUMENT)
    return token.upper()


def split_args(rest: str, count: int) -> list[str]:
    """Exactly `count` space-separated arguments, else ER05."""
    args = rest.split()
    if len(args) != count:
        raise SkCommandError(ER_ARGUMENT_COUNT)
    return args
