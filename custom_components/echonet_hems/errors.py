"""The one place where a library error becomes a user-facing Home Assistant error: one translation key per class."""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from functools import wraps
from typing import Any

from homeassistant.exceptions import ConfigEntryAuthFailed, HomeAssistantError

from .const import DOMAIN
from .lib.broute.session import TransmitLimitedError
from .lib.errors import AuthError, HemsError, ProtocolError, RequestTimeoutError, TransportError, ValueRangeError


def map_lib_errors[**P, R](
    error: type[HomeAssistantError],
) -> Callable[[Callable[P, Coroutine[Any, Any, R]]], Callable[P, Coroutine[Any, Any, R]]]:
    """Turn the library's errors into `error` (UpdateFailed for polls, HomeAssistantError for actions), translated.

    The one place where a library error becomes user-facing: each class maps to one translation key.
    """

    def decorator(func: Callable[P, Coroutine[Any, Any, R]]) -> Callable[P, Coroutine[Any, Any, R]]:
        @wraps(func)
        async def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
            try:
                return await func(*args, **kwargs)
            except AuthError as err:  # the meter rejected the B-route password: HA starts a reauth flow
                raise ConfigEntryAuthFailed(translation_domain=DOMAIN, translation_key="auth_failed") from err
            except RequestTimeoutError as err:
                raise error(translation_domain=DOMAIN, translation_key="timeout") from err
            except TransmitLimitedError as err:
                raise error(translation_domain=DOMAIN, translation_key="transmit_limited") from err
            except TransportError as err:
                raise error(translation_domain=DOMAIN, translation_key="communication_error") from err
            except ValueRangeError as err:
                raise error(translation_domain=DOMAIN, translation_key="invalid_value") from err
            except ProtocolError as err:
                raise error(translation_domain=DOMAIN, translation_key="invalid_response") from err
            except HemsError as err:  # UnsupportedError: the device rejected a Set
                raise error(translation_domain=DOMAIN, translation_key="rejected") from err

        return wrapper

    return decorator
