"""The library's exception tree.

Messages carry protocol context for logs and diagnostics, never user-facing text: the Home Assistant side maps each
class to one translation key.
"""

from __future__ import annotations


class HemsError(Exception):
    """Base class of every error the library raises on purpose."""


class ProtocolError(HemsError):
    """Bytes or lines that do not follow the protocol (bad length, bad field, inconsistent counts)."""


class TransportError(HemsError):
    """The link to a device failed: socket or serial error, or no answer in time."""


class RequestTimeoutError(TransportError):
    """A request got no matching answer within its timeout and all its retries."""


class NodeSilentError(RequestTimeoutError):
    """A request failed at once, unsent, because its address stopped answering (fast-fail until it answers again)."""


class AuthError(HemsError):
    """Credentials were rejected (B-route PANA authentication failed)."""


class UnsupportedError(HemsError):
    """The device or spec does not support what was asked (unknown EPC, read-only property, SNA)."""


class ValueRangeError(UnsupportedError, ValueError):
    """A value to encode lies outside the property's valid range or enumeration."""
