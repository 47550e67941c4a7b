"""Fault injection while the virtual home runs: one command per line (stdin of `python -m virtual_home`), one JSON
answer per command on stdout.

    status                      the start-up summary again
    silence ADDRESS             the node stops answering      resume ADDRESS      it answers again
    loss ADDRESS P              the node ignores a request with probability P (0..1)
    delay ADDRESS SECONDS       the node waits before answering
    reboot ADDRESS              the node goes away and comes back, announcing its instance list
    move ADDRESS NEW_ADDRESS    the node comes back at another address
    unplug | replug             pull the dongle (the pty disappears, TCP refuses) / plug it back in
    garbage [HEX]               bytes on the serial line towards the controller
    terminate                   the meter ends the PANA session (EVENT 26)
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
import ipaddress

from .echonet.node import EchonetNode
from .runtime import VirtualHome
from .station import Station

type Answer = dict[str, object]

DEFAULT_GARBAGE = bytes.fromhex("00FF0D0A45564E5420FE")
COMMANDS_HELP = tuple(line for line in (__doc__ or "").splitlines() if line.startswith("    "))


class CommandError(ValueError):
    """A command that cannot be carried out, with the reason for the user."""


class FaultConsole:
    """Carries out fault commands on a running home and its dongle station."""

    def __init__(self, home: VirtualHome, station: Station | None) -> None:
        self._home = home
        self._station = station
        self._commands: dict[str, Callable[[list[str]], Awaitable[Answer]]] = {
            "status": self._status,
            "silence": self._silence,
            "resume": self._resume,
            "loss": self._loss,
            "delay": self._delay,
            "reboot": self._reboot,
            "move": self._move,
            "unplug": self._unplug,
            "replug": self._replug,
            "garbage": self._garbage,
            "terminate": self._terminate,
        }

    async def execute(self, line: str) -> Answer:
        """Run one command line; never raises for bad input (the answer says what was wrong)."""
        words = line.split()
        if not words:
            return {"ok": False, "error": "empty command"}
        command = self._commands.get(words[0].lower())
        if command is None:
            return {"ok": False, "error": f"unknown command {words[0]!r}; known: {', '.join(self._commands)}"}
        try:
            return {"ok": True, "command": words[0].lower()} | await command(words[1:])
        except CommandError as err:
            return {"ok": False, "error": str(err)}

    # --------------------------------------------------------------------------------------------------- helpers
    def _node(self, args: list[str], count: int) -> EchonetNode:
        if len(args) != count:
            raise CommandError(f"expected {count} argument(s), got {len(args)}")
        node = next((n for n in self._home.nodes if n.address == args[0]), None)
        if node is None:
            raise CommandError(f"no node at {args[0]}; nodes: {', '.join(n.address for n in self._home.nodes)}")
        return node

    def _dongle(self) -> Station:
        if self._station is None:
            raise CommandError("no dongle in this home")
        return self._station

    @staticmethod
    def _number(text: str, low: float, high: float) -> float:
        try:
            value = float(text)
        except ValueError:
            raise CommandError(f"not a number: {text!r}") from None
        if not low <= value <= high:
            raise CommandError(f"{value} is outside {low}..{high}")
        return value

    # -------------------------------------------------------------------------------------------------- commands
    async def _status(self, args: list[str]) -> Answer:
        summary = self._home.describe()
        if self._station is not None:
            summary |= self._station.describe()
        return {"status": summary}

    async def _silence(self, args: list[str]) -> Answer:
        self._node(args, 1).faults.silent = True
        return {}

    async def _resume(self, args: list[str]) -> Answer:
        node = self._node(args, 1)
        node.faults.silent, node.faults.loss, node.faults.delay = False, 0.0, 0.0
        return {}

    async def _loss(self, args: list[str]) -> Answer:
        node = self._node(args[:1], 1)
        if len(args) != 2:
            raise CommandError("usage: loss ADDRESS PROBABILITY")
        node.faults.loss = self._number(args[1], 0.0, 1.0)
        return {}

    async def _delay(self, args: list[str]) -> Answer:
        node = self._node(args[:1], 1)
        if len(args) != 2:
            raise CommandError("usage: delay ADDRESS SECONDS")
        node.faults.delay = self._number(args[1], 0.0, 120.0)
        return {}

    async def _reboot(self, args: list[str]) -> Answer:
        await self._node(args, 1).reboot()
        return {}

    async def _move(self, args: list[str]) -> Answer:
        node = self._node(args[:1], 1)
        if len(args) != 2:
            raise CommandError("usage: move ADDRESS NEW_ADDRESS")
        try:
            new = ipaddress.IPv4Address(args[1])
        except ValueError:
            raise CommandError(f"not an IPv4 address: {args[1]!r}") from None
        if any(n.address == str(new) for n in self._home.nodes):
            raise CommandError(f"{new} is taken by another node")
        try:
            await node.move(str(new))
        except OSError as err:
            raise CommandError(f"cannot bind {new}: {err}") from None
        return {"address": str(new)}

    async def _unplug(self, args: list[str]) -> Answer:
        await self._dongle().port.unplug()
        return {}

    async def _replug(self, args: list[str]) -> Answer:
        endpoints = await self._dongle().port.replug()
        return {"pty": endpoints.pty_path, "tcp": endpoints.tcp_url}

    async def _garbage(self, args: list[str]) -> Answer:
        try:
            data = bytes.fromhex("".join(args)) if args else DEFAULT_GARBAGE
        except ValueError:
            raise CommandError("garbage takes hex bytes, e.g. garbage 00FF0D0A") from None
        self._dongle().port.inject_garbage(data)
        return {"bytes": len(data)}

    async def _terminate(self, args: list[str]) -> Answer:
        self._dongle().port.emulator.terminate_session()
        return {}
