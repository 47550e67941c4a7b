"""The demo's child processes: the virtual home and Home Assistant, each in its own session so one stop stops all."""

from __future__ import annotations

import asyncio
import contextlib
from dataclasses import dataclass
import json
import os
from pathlib import Path
import signal
import sys
from typing import IO, Any

from .errors import DemoError

# Home Assistant writes its database and stops integrations on SIGTERM; give it time before SIGKILL.
STOP_TIMEOUT = 45.0


@dataclass(slots=True)
class Child:
    """A running child process and the log its output goes to."""

    name: str
    process: asyncio.subprocess.Process
    log: Path
    log_file: IO[bytes]
    drain: asyncio.Task[None] | None = None

    @property
    def alive(self) -> bool:
        """True until the process has exited."""
        return self.process.returncode is None

    async def stop(self, grace: float = STOP_TIMEOUT) -> int | None:
        """SIGTERM to the child's process group, SIGKILL after `grace` seconds; returns the exit code."""
        if self.alive:
            self._signal_group(signal.SIGTERM)
            try:
                await asyncio.wait_for(self.process.wait(), grace)
            except TimeoutError:
                self._signal_group(signal.SIGKILL)
                await self.process.wait()
        # Anything the child started and left behind in its group goes too (no orphans).
        self._signal_group(signal.SIGKILL)
        if self.drain is not None:
            self.drain.cancel()
            await asyncio.gather(self.drain, return_exceptions=True)
        if self.process.stdin is not None:
            self.process.stdin.close()
        self.log_file.close()
        return self.process.returncode

    def _signal_group(self, signum: signal.Signals) -> None:
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(self.process.pid, signum)


async def spawn(
    name: str, argv: list[str], log: Path, *, cwd: Path, stdout_pipe: bool = False, stdin_pipe: bool = False
) -> Child:
    """Start `argv` in a new session (Ctrl-C at the terminal reaches only the demo, which then stops it in order)."""
    log.parent.mkdir(parents=True, exist_ok=True)
    log_file = log.open("wb")
    try:
        process = await asyncio.create_subprocess_exec(
            *argv,
            cwd=cwd,
            stdin=asyncio.subprocess.PIPE if stdin_pipe else asyncio.subprocess.DEVNULL,
            stdout=asyncio.subprocess.PIPE if stdout_pipe else log_file,
            stderr=log_file,
            start_new_session=True,
            env=os.environ | {"PYTHONUNBUFFERED": "1"},
        )
    except OSError as err:
        log_file.close()
        raise DemoError(f"starting {name}", repr(err)) from err
    return Child(name, process, log, log_file)


def virtual_home_argv(speed: float, history_days: int, start: str, dongle_pty: Path) -> list[str]:
    """The virtual home's command line (the demo reproduces its history from the same flags, see history.py)."""
    return [
        *virtual_home_flags(speed, history_days, start),
        "--dongle-pty",
        str(dongle_pty),
    ]


def virtual_home_flags(speed: float, history_days: int, start: str) -> list[str]:
    """The flags that shape the simulated home's physics: a lived-in day (air conditioner and fuel cell by the
    household's routine), an EV charger set by its charging current (0xED) beside the V2H set by its power (both
    kinds of modulating charger on show); faster than real time the devices also announce their readings (a 60-s
    poll would span a simulated hour, and values read at different moments would not add up)."""
    flags = ["--speed", f"{speed:g}", "--history-days", str(history_days), "--start", start, "--routine"]
    flags.append("--ev-charger-current")
    return [*flags, "--announce-measurements"] if speed > 1.0 else flags


async def start_virtual_home(flags: list[str], log: Path, cwd: Path, within: float) -> tuple[Child, dict[str, Any]]:
    """Start `python -m virtual_home FLAGS`; returns the child and its start-up JSON line."""
    child = await spawn(
        "the virtual home",
        [sys.executable, "-m", "virtual_home", *flags],
        log,
        cwd=cwd,
        stdout_pipe=True,
        # Its fault console reads stdin; a pipe (kept open, unused) rather than /dev/null, which asyncio cannot poll.
        stdin_pipe=True,
    )
    assert child.process.stdout is not None  # stdout_pipe=True above
    try:
        line = await asyncio.wait_for(child.process.stdout.readline(), within)
    except TimeoutError:
        await child.stop()
        raise DemoError("starting the virtual home", f"no start-up line within {within:.0f} s", str(log)) from None
    if not line:
        await child.stop()
        raise DemoError("starting the virtual home", "it exited before printing its start-up line", str(log))
    try:
        startup: dict[str, Any] = json.loads(line)
    except ValueError as err:
        await child.stop()
        raise DemoError("starting the virtual home", f"unreadable start-up line {line[:200]!r}", str(log)) from err
    # Keep reading stdout (fault-console answers) so the pipe never fills and blocks the home.
    child.drain = asyncio.get_running_loop().create_task(_drain(child))
    return child, startup


async def _drain(child: Child) -> None:
    stream = child.process.stdout
    while stream is not None and await stream.readline():
        pass


async def start_home_assistant(config_dir: Path, console_log: Path, cwd: Path) -> Child:
    """Start Home Assistant from this interpreter's environment (`.venv`: HA 2025.4.4) on `config_dir`."""
    return await spawn(
        "Home Assistant", [sys.executable, "-m", "homeassistant", "-c", str(config_dir)], console_log, cwd=cwd
    )
