"""`.demo/state.json`: what a script needs to talk to the running demo."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
import json
import os
from pathlib import Path
from typing import Any


@dataclass(frozen=True, slots=True)
class DemoState:
    """URL, login, a long-lived access token, the Home Assistant pieces created and the virtual home's start-up line."""

    url: str
    username: str
    password: str
    token: str
    ha_config: str
    ha_log: str
    entries: dict[str, str] = field(default_factory=dict)  # entry kind -> config entry id
    dashboards: dict[str, str] = field(default_factory=dict)  # name -> URL path
    virtual_home: dict[str, Any] = field(default_factory=dict)
    pids: dict[str, int] = field(default_factory=dict)
    language: str = "en"  # Home Assistant's and the demo user's language

    def to_json(self) -> str:
        """Pretty JSON, one key per line, for people and scripts alike."""
        return json.dumps(asdict(self), indent=2, ensure_ascii=False) + "\n"


def write_state(path: Path, state: DemoState) -> None:
    """Write atomically and readable by the owner only: the file holds an access token."""
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(path.name + ".tmp")
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w", encoding="utf-8") as file:
        file.write(state.to_json())
    temporary.replace(path)


def remove_state(path: Path) -> None:
    """The demo has stopped: its state (URL, token, process ids) no longer describes anything running."""
    path.unlink(missing_ok=True)
    path.with_name(path.name + ".tmp").unlink(missing_ok=True)


def read_state(path: Path) -> DemoState:
    """The state a running demo wrote (for the browser check and other scripts)."""
    data = json.loads(path.read_text(encoding="utf-8"))
    return DemoState(**data)
