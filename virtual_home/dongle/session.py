"""The PANA session with the meter: SKJOIN, lifetime expiry and re-authentication, SKREJOIN, SKTERM, EVENT 26.

Timeline of a successful SKJOIN (fractions of `join_duration`): EVENT 21 … 02 (neighbour solicitation) at 0.05,
EVENT 02 at 0.10, EVENT 21 … 00 (PANA-Client-Initiation) at 0.15, then three PANA requests from the meter as
`ERXUDP … 02CC 02CC …` each followed by EVENT 21 … 00, and at 1.0 the completion message, EVENT 21 … 00 and EVENT 25
(or EVENT 24 for wrong credentials). Nobody answering (wrong address/channel/PAN, meter out of range or busy with
another controller) ends in EVENT 24 after `join_timeout`. After EVENT 25 the meter's notifier is attached, and the
meter announces its instance list (INF D5 to FF02::1). When the granted lifetime runs out: EVENT 29, then with S17=1 a
re-authentication taking `reauth_duration` (EVENT 25, or EVENT 24 and no session), with S17=0 no session.
"""

from __future__ import annotations

from collections.abc import Callable
from enum import StrEnum
import functools
import logging
from typing import Final

from . import pana
from .arguments import ER_EXECUTION, SkCommandError
from .lines import ALL_NODES, PORT_ECHONET, PORT_PANA
from .meter_link import MeterLink
from .radio import Radio

_LOGGER = logging.getLogger(__name__)

INSTANCE_LIST_INF: Final = bytes.fromhex("108100000EF0010EF0017301D50401028801")
_NODE_PROFILE: Final = bytes.fromhex("0EF001")
_SESSION_TAGS: Final = ("join", "session", "reauth", "term", "rx")


class LinkState(StrEnum):
    """The PANA session as the dongle sees it."""

    IDLE = "idle"
    JOINING = "joining"
    CONNECTED = "connected"
    REAUTH = "reauth"  # after EVENT 29 (or SKREJOIN), until EVENT 25/24
    TERMINATING = "terminating"  # after SKTERM, until EVENT 27/28


class PanaSession:
    """The dongle's side of PANA with the meter, and the meter's frames once authenticated."""

    def __init__(self, radio: Radio, meter: MeterLink, *, route_b_id: str, password: str) -> None:
        self._radio = radio
        self._meter = meter
        self._route_b_id = route_b_id
        self._password = password
        self.state = LinkState.IDLE
        self.peer: bytes | None = None
        self._attached = False
        self._fail_next_reauth = False
        self._session_counter = 0
        self._session_id = 0
        self._sequence = 0

    def _at(self, delay: float, action: Callable[[], None], tag: str) -> None:
        self._radio.scheduler.call_later(delay, action, tag)

    # ------------------------------------------------------------------------------------------------- commands
    def join(self, address: bytes, *, route_b_id: str | None, password: str | None, tx_limited: bool) -> None:
        """SKJOIN: `OK`, then the PANA exchange in simulated time."""
        if self.state is LinkState.JOINING:
            raise SkCommandError(ER_EXECUTION)
        self.end()
        self.state = LinkState.JOINING
        self.peer = address
        self._radio.ok()
        span = self._radio.options.join_duration
        timeout = max(self._radio.options.join_timeout, span)
        event = self._radio.event
        if tx_limited:
            self._at(0.05 * span, self._failed, "join")  # PANA cannot be sent either
            return
        self._at(0.05 * span, functools.partial(event, 0x21, address, 0x02), "join")  # neighbour solicitation
        if not self._radio.meter_hears(address) or address == ALL_NODES:
            self._at(timeout, self._failed, "join")
            return
        self._at(0.10 * span, functools.partial(event, 0x02, address), "join")  # neighbour advertisement
        self._at(0.15 * span, functools.partial(event, 0x21, address, 0x00), "join")  # PANA-Client-Initiation
        if self._radio.meter_busy:
            self._at(timeout, self._failed, "join")  # one PaC per PAA: the meter ignores us
            return
        accepted = route_b_id == self._route_b_id and password == self._password
        self._session_counter += 1
        self._session_id = 0x1F2E0000 + self._session_counter
        self._sequence = 0
        self._at(0.30 * span, self._pana_start, "join")
        self._at(0.35 * span, functools.partial(event, 0x21, address, 0x00), "join")
        for round_number, offset in ((1, 0.55), (2, 0.80)):
            self._at(offset * span, functools.partial(self._pana_eap, round_number), "join")
            self._at((offset + 0.05) * span, functools.partial(event, 0x21, address, 0x00), "join")
        self._at(span, functools.partial(self._join_completed, accepted), "join")

    def rejoin(self) -> None:
        """SKREJOIN: re-authenticate now (ER10 without a session)."""
        if self.state is not LinkState.CONNECTED:
            raise SkCommandError(ER_EXECUTION)
        self._radio.ok()
        self._radio.scheduler.cancel("session")
        self.state = LinkState.REAUTH
        self._schedule_reauth()

    def terminate(self) -> None:
        """SKTERM: EVENT 27 after `terminate_duration` (EVENT 28 if the meter does not answer); ER10 without one."""
        if self.state not in (LinkState.CONNECTED, LinkState.REAUTH) or self.peer is None:
            raise SkCommandError(ER_EXECUTION)
        self._radio.ok()
        self._radio.scheduler.cancel("session", "reauth")
        self.state = LinkState.TERMINATING
        options = self._radio.options
        if self._radio.meter_hears(self.peer):
            self._at(options.terminate_duration, functools.partial(self._terminated, 0x27), "term")
        else:
            timeout = max(options.join_timeout, options.terminate_duration)
            self._at(timeout, functools.partial(self._terminated, 0x28), "term")

    # --------------------------------------------------------------------------------------------------- faults
    def meter_terminates(self) -> bool:
        """The meter sends PANA-Termination-Request: EVENT 26, no session. False when there was none."""
        if self.state not in (LinkState.CONNECTED, LinkState.REAUTH) or self.peer is None:
            return False
        self._radio.event(0x26, self.peer)
        self.end()
        return True

    def expire_now(self) -> bool:
        """The lifetime runs out now (EVENT 29 …). False without an established session."""
        if self.state is not LinkState.CONNECTED:
            return False
        self._radio.scheduler.cancel("session")
        self._lifetime_expired()
        return True

    def fail_next_reauth(self) -> None:
        """The next re-authentication ends in EVENT 24."""
        self._fail_next_reauth = True

    # ---------------------------------------------------------------------------------------------------- PANA
    def _next_sequence(self) -> int:
        self._sequence += 1
        return self._sequence

    def _pana(self, message: bytes) -> None:
        self._radio.from_meter(dest=self._radio.own_address, port=PORT_PANA, secured=False, data=message)

    def _pana_start(self) -> None:
        self._pana(pana.start_request(self._session_id, self._next_sequence()))

    def _pana_eap(self, round_number: int, *, reauth: bool = False) -> None:
        sequence = self._next_sequence()
        self._pana(pana.eap_request(self._session_id, sequence, round_number=round_number, reauth=reauth))

    def _pana_complete(self, *, success: bool, reauth: bool = False) -> None:
        lifetime = int(self._radio.options.session_lifetime)
        sequence = self._next_sequence()
        self._pana(pana.complete_request(self._session_id, sequence, success=success, lifetime=lifetime, reauth=reauth))

    def _join_completed(self, accepted: bool) -> None:
        self._pana_complete(success=accepted)
        if not accepted or self.peer is None:
            self._failed()
            return
        self._radio.event(0x21, self.peer, 0x00)  # PANA-Auth-Answer
        self._established()
        self._attach_meter()

    def _failed(self) -> None:
        if self.peer is not None:
            self._radio.event(0x24, self.peer)
        self.end()

    def _established(self) -> None:
        assert self.peer is not None
        self.state = LinkState.CONNECTED
        self._radio.event(0x25, self.peer)
        self._radio.scheduler.cancel("session")
        self._at(self._radio.options.session_lifetime, self._lifetime_expired, "session")

    def _lifetime_expired(self) -> None:
        assert self.peer is not None
        self._radio.event(0x29, self.peer)
        if self._radio.registers["S17"] != 1:
            self.end()
            return
        self.state = LinkState.REAUTH
        self._schedule_reauth()

    def _schedule_reauth(self) -> None:
        assert self.peer is not None
        span = self._radio.options.reauth_duration
        self._at(0.2 * span, functools.partial(self._pana_eap, 1, reauth=True), "reauth")
        self._at(0.3 * span, functools.partial(self._radio.event, 0x21, self.peer, 0x00), "reauth")
        self._at(span, self._reauth_completed, "reauth")

    def _reauth_completed(self) -> None:
        accepted = self._radio.meter_reachable and not self._fail_next_reauth
        self._fail_next_reauth = False
        if not accepted or self.peer is None:
            self._failed()
            return
        self._pana_complete(success=True, reauth=True)
        self._radio.event(0x21, self.peer, 0x00)
        self._established()

    def _terminated(self, event: int) -> None:
        if self.peer is not None:
            self._radio.event(event, self.peer)
        self.end()

    def end(self) -> None:
        """No session any more: its timers cancelled, the meter's notifier detached."""
        self._radio.scheduler.cancel(*_SESSION_TAGS)
        self.state = LinkState.IDLE
        self.peer = None
        self._detach_meter()

    # ----------------------------------------------------------------------------------------------- the meter
    def _attach_meter(self) -> None:
        self._attached = True
        try:
            self._meter.set_notifier(self._meter_push)
        except Exception:
            _LOGGER.exception("the meter failed to attach")
        if self._radio.options.send_instance_list:
            self._meter_push(INSTANCE_LIST_INF)

    def _detach_meter(self) -> None:
        if not self._attached:
            return
        self._attached = False
        try:
            self._meter.set_notifier(None)
        except Exception:
            _LOGGER.exception("the meter failed to detach")

    def _meter_push(self, frame: bytes) -> None:
        """A frame the meter sends on its own: INF D5 of its node profile to FF02::1, everything else to us."""
        if self.state is not LinkState.CONNECTED:
            _LOGGER.debug("meter push lost: the session is %s", self.state)
            return
        multicast = frame[4:7] == _NODE_PROFILE and frame[7:10] == _NODE_PROFILE
        dest = ALL_NODES if multicast else self._radio.own_address
        self._radio.from_meter(dest=dest, port=PORT_ECHONET, secured=True, data=frame)

    def request(self, frame: bytes) -> None:
        """An ECHONET request that reached the meter over the session: its answers come back as ERXUDP."""
        try:
            answers = self._meter.handle(frame)
        except Exception:
            _LOGGER.exception("the meter failed on %s", frame.hex())
            return
        delay = self._radio.options.response_delay
        for answer in answers:
            if delay > 0:
                self._at(delay, functools.partial(self._answer, answer), "rx")
            else:
                self._answer(answer)

    def _answer(self, frame: bytes) -> None:
        if self.state is LinkState.CONNECTED:
            self._radio.from_meter(dest=self._radio.own_address, port=PORT_ECHONET, secured=True, data=frame)
