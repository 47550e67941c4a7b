"""B-route credentials, checked before anything touches a dongle.

The B-route ID (認証ID) is 32 characters, the password 12 (PROTOCOL.md §5 item 14): SKSETRBID/SKSETPWD pad shorter
input with undefined bytes, so a typo would only surface as a silent PANA failure (EVENT 24) much later. A bad value
raises `InvalidCredentialsError`, which is both an `AuthError` (the credentials are wrong: the user must re-enter
them) and a `ValueError` (bad input); its message says what is wrong, never the value.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Final, Literal

from ..errors import AuthError

ROUTE_B_ID_LENGTH: Final = 32
PASSWORD_LENGTH: Final = 12
PAIRING_ID_LENGTH: Final = 8


class InvalidCredentialsError(AuthError, ValueError):
    """The B-route ID or password cannot be right (length or characters); `which` says which field."""

    def __init__(self, message: str, *, which: Literal["route_b_id", "password"]) -> None:
        super().__init__(message)
        self.which = which


@dataclass(frozen=True, slots=True)
class Credentials:
    """A validated B-route ID and password (surrounding whitespace removed; the password never shows in a repr)."""

    route_b_id: str
    password: str = field(repr=False)

    @classmethod
    def validate(cls, route_b_id: str, password: str) -> Credentials:
        """Both values without surrounding whitespace, checked; `InvalidCredentialsError` names the problem."""
        return cls(route_b_id.strip(), password.strip())

    def __post_init__(self) -> None:
        route_b_id, password = self.route_b_id, self.password
        if len(route_b_id) != ROUTE_B_ID_LENGTH:
            raise InvalidCredentialsError(
                f"the B-route ID must be {ROUTE_B_ID_LENGTH} characters, got {len(route_b_id)}", which="route_b_id"
            )
        if not (route_b_id.isascii() and route_b_id.isalnum()):
            raise InvalidCredentialsError(
                "the B-route ID may contain only the letters A-Z and digits", which="route_b_id"
            )
        if len(password) != PASSWORD_LENGTH:
            raise InvalidCredentialsError(
                f"the B-route password must be {PASSWORD_LENGTH} characters, got {len(password)}", which="password"
            )
        if not (password.isascii() and password.isprintable()) or " " in password:
            raise InvalidCredentialsError(
                "the B-route password may contain only printable ASCII without spaces", which="password"
            )

    @property
    def pairing_id(self) -> str:
        """What the meter beacons with: the last 8 characters of the B-route ID (uppercase)."""
        return self.route_b_id[-PAIRING_ID_LENGTH:].upper()
