"""A small Home Assistant client: the REST calls of onboarding and config flows, and the websocket API."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Mapping
import itertools
import time
from typing import Any, Self, cast

import aiohttp

from .errors import DemoError

# Joining a meter over B-route takes several seconds of real time; a flow step may legitimately take that long.
REQUEST_TIMEOUT = aiohttp.ClientTimeout(total=180)


class RestApi:
    """REST calls against one Home Assistant; `token` is set once onboarding has produced one."""

    def __init__(self, session: aiohttp.ClientSession, base_url: str, log: str) -> None:
        """`log` is named in error messages (Home Assistant's log file)."""
        self._session = session
        self.base_url = base_url
        self.log = log
        self.token: str | None = None

    @property
    def client_id(self) -> str:
        """OAuth client id for onboarding: HA accepts its own base URL."""
        return f"{self.base_url}/"

    def _headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"} if self.token else {}

    async def request(self, step: str, method: str, path: str, **kwargs: Any) -> Any:
        """One call; the decoded JSON answer, or `DemoError` naming `step` with the status and body."""
        url = f"{self.base_url}{path}"
        try:
            async with self._session.request(
                method, url, headers=self._headers(), timeout=REQUEST_TIMEOUT, **kwargs
            ) as response:
                body = await response.text()
                if response.status >= 400:
                    raise DemoError(step, f"{method} {path} answered {response.status}: {body[:500]}", self.log)
                return await response.json(content_type=None) if body else None
        except (aiohttp.ClientError, TimeoutError) as err:
            raise DemoError(step, f"{method} {path}: {err!r}", self.log) from err

    async def wait_until_up(self, within: float, alive: Callable[[], bool] | None = None) -> None:
        """Poll the onboarding endpoint (served as soon as HTTP is up) until it answers or `within` seconds pass.

        `alive` returns False once the server process has died (no point in waiting then).
        """
        deadline = time.monotonic() + within
        while time.monotonic() < deadline:
            if alive is not None and not alive():
                raise DemoError("starting Home Assistant", "the process exited", self.log)
            try:
                async with self._session.get(f"{self.base_url}/api/onboarding", timeout=REQUEST_TIMEOUT) as response:
                    if response.status in {200, 401}:
                        return
            except (aiohttp.ClientError, TimeoutError):
                pass
            await asyncio.sleep(1.0)
        raise DemoError("starting Home Assistant", f"no HTTP answer within {within:.0f} s", self.log)

    async def token_from_code(self, code: str) -> str:
        """Exchange an authorization code for an access token."""
        answer = await self.request(
            "logging in",
            "POST",
            "/auth/token",
            data={"grant_type": "authorization_code", "code": code, "client_id": self.client_id},
        )
        return cast(str, answer["access_token"])


class WebSocketApi:
    """An authenticated websocket connection; `await ws.command("type", key=value)` returns the result."""

    def __init__(self, session: aiohttp.ClientSession, base_url: str, token: str, log: str) -> None:
        """Connect with `async with`."""
        self._session = session
        self._url = base_url.replace("http", "ws", 1) + "/api/websocket"
        self._token = token
        self._log = log
        self._ws: aiohttp.ClientWebSocketResponse | None = None
        self._ids = itertools.count(1)
        self._lock = asyncio.Lock()

    async def __aenter__(self) -> Self:
        step = "connecting to the websocket API"
        try:
            self._ws = await self._session.ws_connect(self._url, max_msg_size=0)
            hello = await self._ws.receive_json(timeout=30)
            if hello.get("type") != "auth_required":
                raise DemoError(step, f"unexpected greeting {hello}", self._log)
            await self._ws.send_json({"type": "auth", "access_token": self._token})
            answer = await self._ws.receive_json(timeout=30)
        except (aiohttp.ClientError, TimeoutError, TypeError, ValueError) as err:
            raise DemoError(step, repr(err), self._log) from err
        if answer.get("type") != "auth_ok":
            raise DemoError(step, f"authentication refused: {answer}", self._log)
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        if self._ws is not None:
            await self._ws.close()

    async def command(self, step: str, kind: str, **data: Any) -> Any:
        """Send one command and wait for its result (one at a time: events are not subscribed)."""
        if self._ws is None:
            raise DemoError(step, "the websocket is not connected", self._log)
        async with self._lock:
            message_id = next(self._ids)
            try:
                await self._ws.send_json({"id": message_id, "type": kind, **data})
                while True:
                    answer: Mapping[str, Any] = await self._ws.receive_json(timeout=180)
                    if answer.get("id") == message_id and answer.get("type") == "result":
                        break
            except (aiohttp.ClientError, TimeoutError, TypeError, ValueError) as err:
                raise DemoError(step, f"{kind}: {err!r}", self._log) from err
        if not answer.get("success"):
            raise DemoError(step, f"{kind}: {answer.get('error')}", self._log)
        return answer.get("result")
