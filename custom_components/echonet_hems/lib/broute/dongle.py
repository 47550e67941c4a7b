"""Setting a SKSTACK-IP dongle up for the B-route, and telling its dialect from its answers (PROTOCOL.md §3.1, §3.7).

Set-up: SKVER (informational), SKRESET, `SKSREG SFE 0` (echo off; echoes are skipped anyway), SKINFO (the EINFO tail
hints the dialect: ADDR16 `FFFE` on the BP35A1, a one-digit side on the BP35C0 family), `ROPT` (CR-terminated;
`FAIL ER04` = no product commands, as on the RL7023 Stick-D/DSS, which always prints hex; `OK 00` = binary ERXUDP
data, which the parser reads by its length, so FLASH is written (`WOPT 01`) only when asked to), SKSETPWD, SKSETRBID.
SKRESET does not reset FLASH, so a WOPT survives; the caller makes sure it is asked for at most once.

Dialect: decided by SKSCAN — 3 arguments on the BP35A1, 4 (with side 0) on the BP35C0 family; the wrong count is
`FAIL ER05`, and then the other form is the dialect. Never by USB id.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass
import logging
from typing import Final

from .credentials import Credentials
from .driver import DongleCommandError, SkStackDriver, first_of
from .lines import Dialect, Info, Ok, StackVersion

_LOGGER = logging.getLogger(__name__)

ER_UNSUPPORTED: Final = 4
ER_ARGUMENT_COUNT: Final = 5


@dataclass(frozen=True, slots=True)
class DongleInfo:
    """What the dongle said about itself during set-up."""

    stack_version: str | None = None
    mac: str | None = None
    dialect_hint: Dialect | None = None
    product_commands: bool | None = None  # ROPT/WOPT exist (False: FAIL ER04, e.g. RL7023 Stick-D/DSS)
    erxudp_hex: bool | None = None  # ERXUDP data as hex ASCII (None: unknown)
    wrote_hex_mode: bool = False  # this set-up wrote (or tried to write) WOPT 01 to FLASH


async def set_up(driver: SkStackDriver, credentials: Credentials, *, write_hex_mode: bool = False) -> DongleInfo:
    """Reset the stack, switch echo off, learn what the dongle is and give it the credentials."""
    version = info = None
    with contextlib.suppress(DongleCommandError):
        version = first_of(await driver.command("SKVER"), StackVersion)
    await driver.command("SKRESET")
    with contextlib.suppress(DongleCommandError):
        await driver.command("SKSREG SFE 0")
    with contextlib.suppress(DongleCommandError):
        info = first_of(await driver.command("SKINFO"), Info)
    product, hex_mode, wrote = await _data_mode(driver, write_hex_mode=write_hex_mode)
    await driver.command(f"SKSETPWD {len(credentials.password):X} {credentials.password}")
    await driver.command(f"SKSETRBID {credentials.route_b_id}")
    return DongleInfo(
        stack_version=version.version if version else None,
        mac=info.mac if info else None,
        dialect_hint=info.dialect_hint if info else None,
        product_commands=product,
        erxudp_hex=hex_mode,
        wrote_hex_mode=wrote,
    )


async def _data_mode(driver: SkStackDriver, *, write_hex_mode: bool) -> tuple[bool | None, bool | None, bool]:
    """(product commands exist, ERXUDP data is hex, WOPT written) from ROPT; WOPT 01 only if asked and binary."""
    try:
        answer = first_of(await driver.command("ROPT", product=True), Ok)
    except DongleCommandError as err:
        if err.code == ER_UNSUPPORTED:
            return False, True, False  # RL7023 Stick-D/DSS: no ROPT/WOPT, always hex (PROTOCOL.md §3.1)
        return None, None, False
    mode = answer.value if answer is not None else None
    if mode is None:
        return True, None, False
    if mode & 1 == 0 and write_hex_mode:
        _LOGGER.info("writing WOPT 01 to the dongle's FLASH (hex ERXUDP data)")
        try:
            await driver.command("WOPT 01", product=True)
        except DongleCommandError as err:
            _LOGGER.warning("WOPT 01 failed (%s): ERXUDP data stays binary", err)
            return True, False, True
        return True, True, True
    return True, bool(mode & 1), False


async def skscan(driver: SkStackDriver, command: str, believed: Dialect | None) -> Dialect:
    """Start an active scan in the dialect believed right (BP35A1 when unknown); on `FAIL ER05` in the other one.

    Returns the dialect the dongle accepted.
    """
    first = believed or Dialect.BP35A1
    second = Dialect.BP35C0 if first is Dialect.BP35A1 else Dialect.BP35A1
    try:
        await driver.command(command + (" 0" if first is Dialect.BP35C0 else ""))
    except DongleCommandError as err:
        if err.code != ER_ARGUMENT_COUNT:
            raise
        _LOGGER.debug("SKSCAN: ER05 as %s, trying %s", first, second)
        await driver.command(command + (" 0" if second is Dialect.BP35C0 else ""))
        return second
    return first
