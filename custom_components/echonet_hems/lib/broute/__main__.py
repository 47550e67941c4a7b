"""A probe for users debugging a B-route dongle: join the meter and print readings as JSON lines until stopped.

    ECHONET_HEMS_BROUTE_PASSWORD=… python -m custom_components.echonet_hems.lib.broute --port PATH_OR_URL --id ID
        [--history YYYY-MM-DD]

The password is read from the environment variable ECHONET_HEMS_BROUTE_PASSWORD; `--password` also works (for
scripts), but a command line is visible to every local user (`ps`), so the variable is the safe way.

PATH_OR_URL is a serial device (`/dev/ttyUSB0`, `/dev/serial/by-id/…`), `socket://host:port` or `rfc2217://host:port`.
Output, one JSON object per line on stdout: `session` (dongle, dialect, PAN), `identity`, `scale`, `history` (with
--history), then a `reading` every 10 seconds and a `fixed_time` whenever the meter pushes its 30-minute values.
Transient errors print an `error` line and the probe carries on. Ctrl-C (or SIGTERM) ends the session cleanly (SKTERM).
Bad credentials, an unreachable port or no meter end it with one line on stderr and a non-zero exit:
2 invalid credentials (nothing was sent), 3 the meter rejected them, 1 anything else.
"""

from __future__ import annotations

import argparse
import asyncio
from collections.abc import Awaitable, Callable, Sequence
import contextlib
import dataclasses
from datetime import date, datetime
from decimal import Decimal
import json
import os
import signal
import sys
from typing import Final

from ..errors import AuthError, HemsError
from .credentials import InvalidCredentialsError
from .meter import SmartMeterClient
from .session import BRouteSession

POLL_INTERVAL: Final = 10.0
EXIT_FAILURE: Final = 1
EXIT_INVALID_CREDENTIALS: Final = 2
EXIT_REJECTED: Final = 3
PASSWORD_VARIABLE: Final = "ECHONET_HEMS_BROUTE_PASSWORD"


def _parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m custom_components.echonet_hems.lib.broute",
        description="Join a Wi-SUN B-route smart meter through a SKSTACK-IP dongle and print readings as JSON lines.",
    )
    parser.add_argument("--port", required=True, help="serial device, socket://host:port or rfc2217://host:port")
    parser.add_argument("--id", required=True, dest="route_b_id", help="B-route ID (32 characters)")
    parser.add_argument(
        "--password",
        default=os.environ.get(PASSWORD_VARIABLE),
        help=f"B-route password (12 characters); safer: the environment variable {PASSWORD_VARIABLE}",
    )
    parser.add_argument(
        "--history", type=date.fromisoformat, metavar="YYYY-MM-DD", help="also print that day's history"
    )
    args = parser.parse_args(argv)
    if not args.password:
        parser.error(f"the B-route password is needed: set {PASSWORD_VARIABLE} (or pass --password)")
    return args


def _json_default(value: object) -> object:
    """JSON for what `json` does not know: the library's dataclasses, times, decimals, errors."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {item.name: getattr(value, item.name) for item in dataclasses.fields(value)}
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal | BaseException):
        return str(value)
    raise TypeError(f"{type(value).__name__} is not JSON serialisable")


def _emit(kind: str, value: object) -> None:
    sys.stdout.write(json.dumps({"type": kind, kind: value}, default=_json_default, ensure_ascii=False) + "\n")
    sys.stdout.flush()


def _fail(message: str, code: int) -> int:
    sys.stderr.write(f"error: {message}\n")
    sys.stderr.flush()
    return code


async def _until_signalled(args: argparse.Namespace, session: BRouteSession) -> int:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        # Only the main thread can own signals; run elsewhere (embedded, tests) the probe stops on cancellation.
        with contextlib.suppress(ValueError, RuntimeError):
            loop.add_signal_handler(signum, stop.set)
    return await _probe(args, session, stop)


async def _probe(args: argparse.Namespace, session: BRouteSession, stop: asyncio.Event) -> int:
    """Join, print, poll until `stop` is set; the exit code."""
    meter = SmartMeterClient(session)
    try:
        await session.start()
        _emit("session", session.status)
        meter.add_fixed_time_listener(lambda reading: _emit("fixed_time", reading))
        await _report("identity", meter.identity)
        await _report("scale", meter.energy_scale)
        if args.history is not None:
            await _report("history", lambda: meter.read_history(args.history))
        while not stop.is_set():
            await _report("reading", meter.read)
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(POLL_INTERVAL):
                    await stop.wait()
    except AuthError as err:
        return _fail(str(err), EXIT_REJECTED)
    except HemsError as err:
        return _fail(str(err), EXIT_FAILURE)
    finally:
        await meter.close()
        await session.close()
    return 0


async def _report(kind: str, read: Callable[[], Awaitable[object]]) -> None:
    """Print what `read` gives, or an `error` line for a transient failure (credentials failures end the probe)."""
    try:
        _emit(kind, await read())
    except AuthError:
        raise
    except HemsError as err:
        _emit("error", err)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the probe; the exit code (see the module docstring)."""
    args = _parse_args(argv)
    try:
        session = BRouteSession(args.port, args.route_b_id, args.password)
    except InvalidCredentialsError as err:
        return _fail(f"invalid credentials: {err}", EXIT_INVALID_CREDENTIALS)
    try:
        return asyncio.run(_until_signalled(args, session))
    except KeyboardInterrupt:  # pragma: no cover - SIGINT is handled inside the loop
        return 130


if __name__ == "__main__":
    sys.exit(main())
