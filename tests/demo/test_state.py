"""`.demo/state.json`."""

from __future__ import annotations

from dataclasses import replace
import json
from pathlib import Path
import stat

from demo.state import DemoState, read_state, write_state


def _state() -> DemoState:
    return DemoState(
        url="http://127.0.0.1:8123",
        username="demo",
        password="echonet-demo",
        token="abc.def.ghi",
        ha_config="/x/.demo/config",
        ha_log="/x/.demo/config/home-assistant.log",
        entries={"lan": "e1", "broute": "e2"},
        dashboards={"home": "/echonet-home/home"},
        virtual_home={"nodes": [{"address": "127.0.0.11"}], "b_route": {"id": "0" * 32}},
        pids={"Home Assistant": 42},
    )


def test_round_trip_and_private(tmp_path: Path) -> None:
    """What is written reads back equal, as plain JSON, readable by the owner only (it holds a token)."""
    path = tmp_path / "sub" / "state.json"
    write_state(path, _state())
    assert read_state(path) == _state()
    assert json.loads(path.read_text(encoding="utf-8"))["virtual_home"]["nodes"][0]["address"] == "127.0.0.11"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert not path.with_name("state.json.tmp").exists()


def test_overwrite(tmp_path: Path) -> None:
    """A second demo run replaces the file."""
    path = tmp_path / "state.json"
    write_state(path, _state())
    write_state(path, replace(_state(), token="new"))
    assert read_state(path).token == "new"
