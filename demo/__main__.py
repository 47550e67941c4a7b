"""`python -m demo [--check]`: see demo/__init__.py; `scripts/demo` sets up `.venv` and runs this."""

from __future__ import annotations

import argparse
import asyncio
from collections.abc import Sequence
import logging
from pathlib import Path
import sys

from .config import DEFAULT_PORT, DEMO_PASSWORD, LANGUAGES, SiteConfig, exposed_with_published_password
from .run import DEFAULT_HISTORY_DAYS, REPO, DemoOptions, run


def build_parser() -> argparse.ArgumentParser:
    """The demo's flags."""
    parser = argparse.ArgumentParser(
        prog="scripts/demo",
        description="Home Assistant 2025.4.4 with the ECHONET Lite HEMS integration against the virtual home. "
        "Runs until Ctrl-C; state (URL, login, token, the virtual home's start-up line) goes to .demo/state.json.",
    )
    parser.add_argument("--speed", type=float, default=60.0, help="simulated seconds per real second (default 60)")
    parser.add_argument(
        "--history-days",
        type=int,
        default=DEFAULT_HISTORY_DAYS,
        help=f"days the virtual home simulates before start (default {DEFAULT_HISTORY_DAYS}: yesterday whole, which "
        "the Home energy PV forecast learns from; with 1 the forecast stays unknown, so --check needs 2 or more)",
    )
    parser.add_argument(
        "--port", type=int, default=DEFAULT_PORT, help=f"Home Assistant's HTTP port (default {DEFAULT_PORT})"
    )
    parser.add_argument(
        "--host",
        default="127.0.0.1",
        help="address Home Assistant listens on (default 127.0.0.1); any other address needs --password",
    )
    parser.add_argument(
        "--password",
        default=DEMO_PASSWORD,
        help=f"the demo owner's password (default {DEMO_PASSWORD}, published: refused with a --host beyond loopback)",
    )
    parser.add_argument(
        "--language",
        choices=LANGUAGES,
        default="en",
        help="Home Assistant's language (server and the demo user; entity names too): en (default) or ja",
    )
    parser.add_argument(
        "--check",
        action="store_true",
        help="start, run the headless-browser check (saves screenshots), stop; non-zero exit on any failure",
    )
    parser.add_argument(
        "--screenshots",
        type=Path,
        default=None,
        help="where --check saves its screenshots (default .demo/screenshots, so the check leaves the tree clean)",
    )
    parser.add_argument(
        "--update-screenshots",
        action="store_true",
        help="with --check: save the screenshots to docs/screenshots (the README's pictures) instead",
    )
    parser.add_argument("-v", "--verbose", action="store_true", help="debug logging of the demo itself")
    return parser


def screenshot_dir(given: Path | None, *, update: bool) -> Path:
    """Where `--check` saves its screenshots: the tracked README pictures only when asked to update them."""
    if update:
        return REPO / "docs" / "screenshots"
    return given.resolve() if given is not None else REPO / ".demo" / "screenshots"


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point; the exit status."""
    args = build_parser().parse_args(argv)
    logging.basicConfig(level=logging.DEBUG if args.verbose else logging.WARNING, stream=sys.stderr)
    if args.history_days < 1:
        sys.stderr.write("demo: --history-days must be at least 1\n")
        return 2
    if args.check and args.history_days < DEFAULT_HISTORY_DAYS:
        # The check asserts tomorrow's PV forecast, which needs a complete past day (Japan time) of PV statistics.
        sys.stderr.write(
            f"demo: --check needs --history-days {DEFAULT_HISTORY_DAYS} or more "
            "(the PV forecast it checks learns from a complete past day)\n"
        )
        return 2
    if args.update_screenshots and not args.check:
        sys.stderr.write("demo: --update-screenshots needs --check\n")
        return 2
    if args.update_screenshots and args.screenshots is not None:
        sys.stderr.write("demo: give either --screenshots DIR or --update-screenshots\n")
        return 2
    site = SiteConfig(host=args.host, port=args.port, language=args.language, password=args.password)
    if exposed_with_published_password(site):
        sys.stderr.write(
            f"demo: refusing to listen on {args.host} with the published password {DEMO_PASSWORD}: "
            "anyone on your network could log in. Give --password with a password of your own.\n"
        )
        return 2
    options = DemoOptions(
        site=site,
        speed=args.speed,
        history_days=args.history_days,
        screenshots=screenshot_dir(args.screenshots, update=args.update_screenshots),
    )
    check = None
    if args.check:
        from .browser import run_check  # only the check needs the browser module

        check = run_check
    return asyncio.run(run(options, check))


if __name__ == "__main__":
    raise SystemExit(main())
