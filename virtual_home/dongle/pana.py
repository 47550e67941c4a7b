"""PANA messages (RFC 5191) the meter's authentication agent sends during SKJOIN and re-authentication.

The dongle shows them as `ERXUDP … 02CC 02CC …` lines (VECTORS.md C.1-C.3, C.5). Only their shape matters to a
controller: a 16-byte header, AVPs, and on completion a Result-Code and the Session-Lifetime the meter grants. The
EAP contents are deterministic filler, not real EAP-PSK.
"""

from __future__ import annotations

import hashlib
from typing import Final

PANA_AUTH: Final = 2
FLAG_REQUEST: Final = 0x8000
FLAG_START: Final = 0x4000
FLAG_COMPLETE: Final = 0x2000
FLAG_REAUTH: Final = 0x1000
AVP_AUTH: Final = 1
AVP_EAP_PAYLOAD: Final = 2
AVP_INTEGRITY_ALGORITHM: Final = 4
AVP_KEY_ID: Final = 5
AVP_PRF_ALGORITHM: Final = 6
AVP_RESULT_CODE: Final = 7
AVP_SESSION_LIFETIME: Final = 8
RESULT_SUCCESS: Final = 0
RESULT_AUTHENTICATION_REJECTED: Final = 1
EAP_SUCCESS: Final = 3
EAP_FAILURE: Final = 4


def _avp(code: int, value: bytes) -> bytes:
    padding = b"\x00" * (-len(value) % 4)
    return code.to_bytes(2, "big") + b"\x00\x00" + len(value).to_bytes(2, "big") + b"\x00\x00" + value + padding


def _message(flags: int, kind: int, session_id: int, sequence: int, avps: bytes) -> bytes:
    length = 16 + len(avps)
    return (
        b"\x00\x00"
        + length.to_bytes(2, "big")
        + flags.to_bytes(2, "big")
        + kind.to_bytes(2, "big")
        + (session_id & 0xFFFFFFFF).to_bytes(4, "big")
        + (sequence & 0xFFFFFFFF).to_bytes(4, "big")
        + avps
    )


def _filler(seed: str, size: int) -> bytes:
    out = b""
    counter = 0
    while len(out) < size:
        out += hashlib.sha256(f"{seed}/{counter}".encode()).digest()
        counter += 1
    return out[:size]


def start_request(session_id: int, sequence: int) -> bytes:
    """PANA-Auth-Request with the S flag: the PAA offers its PRF and integrity algorithms."""
    avps = _avp(AVP_PRF_ALGORITHM, (5).to_bytes(4, "big")) + _avp(AVP_INTEGRITY_ALGORITHM, (12).to_bytes(4, "big"))
    return _message(FLAG_REQUEST | FLAG_START, PANA_AUTH, session_id, sequence, avps)


def eap_request(session_id: int, sequence: int, *, round_number: int, reauth: bool = False) -> bytes:
    """PANA-Auth-Request carrying one EAP-PSK request (filler contents)."""
    eap_identifier = (sequence + round_number) & 0xFF
    eap = bytes((1, eap_identifier)) + (4 + 32).to_bytes(2, "big") + _filler(f"eap/{session_id}/{round_number}", 32)
    flags = FLAG_REQUEST | (FLAG_REAUTH if reauth else 0)
    return _message(flags, PANA_AUTH, session_id, sequence, _avp(AVP_EAP_PAYLOAD, eap))


def complete_request(session_id: int, sequence: int, *, success: bool, lifetime: int, reauth: bool = False) -> bytes:
    """PANA-Auth-Request with the C flag: Result-Code, EAP Success/Failure and, on success, the Session-Lifetime."""
    eap = bytes((EAP_SUCCESS if success else EAP_FAILURE, sequence & 0xFF)) + (4).to_bytes(2, "big")
    result = RESULT_SUCCESS if success else RESULT_AUTHENTICATION_REJECTED
    avps = _avp(AVP_RESULT_CODE, result.to_bytes(4, "big")) + _avp(AVP_EAP_PAYLOAD, eap)
    if success:
        avps += _avp(AVP_KEY_ID, (1).to_bytes(4, "big"))
        avps += _avp(AVP_SESSION_LIFETIME, min(lifetime, 0xFFFFFFFF).to_bytes(4, "big"))
        avps += _avp(AVP_AUTH, _filler(f"auth/{session_id}/{sequence}", 16))
    flags = FLAG_REQUEST | FLAG_COMPLETE | (FLAG_REAUTH if reauth else 0)
    return _message(flags, PANA_AUTH, session_id, sequence, avps)
