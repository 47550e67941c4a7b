"""Placeholder."""

from pathlib import Path

from .state import DemoState


async def run_check(state: DemoState, screenshots: Path) -> None:
    """Placeholder."""
