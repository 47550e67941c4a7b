"""Progress lines on stdout (the demo is watched live while it starts)."""

from __future__ import annotations

import sys


def progress(message: str) -> None:
    """One line, flushed at once."""
    sys.stdout.write(f"demo: {message}\n")
    sys.stdout.flush()
