"""The demo's one exception: which step failed, and where to look."""

from __future__ import annotations


class DemoError(Exception):
    """A demo step failed; the message names the step and the log to read."""

    def __init__(self, step: str, detail: str, log: str | None = None) -> None:
        """`step` says what the demo was doing, `detail` what went wrong, `log` where more is written."""
        message = f"{step} failed: {detail}"
        if log:
            message += f" (see {log})"
        super().__init__(message)
        self.step = step
