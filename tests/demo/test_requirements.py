"""The demo's extra packages cover what Home Assistant 2025.4.4 needs for the demo's components."""

from __future__ import annotations

import importlib.metadata
import json
from pathlib import Path

from homeassistant.auth.mfa_modules import totp
from homeassistant.bootstrap import DEFAULT_INTEGRATIONS
import homeassistant.const
from packaging.requirements import Requirement
import pytest

from demo.config import COMPONENTS

REPO = Path(__file__).resolve().parents[2]
COMPONENTS_DIR = Path(homeassistant.const.__file__).parent / "components"


def _demo_requirements() -> dict[str, str]:
    lines = (REPO / "requirements_demo.txt").read_text(encoding="utf-8").splitlines()
    requirements = [Requirement(line) for line in lines if line.strip() and not line.startswith("#")]
    return {requirement.name.lower(): str(requirement) for requirement in requirements}


DEMO_RUNTIME = pytest.mark.skipif(
    homeassistant.const.__version__ != "2025.4.4", reason="the demo runs on Home Assistant 2025.4.4 (.venv)"
)


@DEMO_RUNTIME
def test_totp_pins_match_home_assistant() -> None:
    """HA loads its TOTP module at every start; the pins follow HA's own REQUIREMENTS."""
    demo = _demo_requirements()
    for requirement in totp.REQUIREMENTS:
        assert demo[Requirement(requirement).name.lower()] == requirement


@DEMO_RUNTIME
def test_every_component_requirement_is_installed_or_listed() -> None:
    """Each requirement of the demo's components (with dependencies) is in the test env or requirements_demo.txt.

    Offline, Home Assistant cannot install a missing one, so the demo would log an error and lose the component.
    """
    manifest = json.loads((REPO / "custom_components/echonet_hems/manifest.json").read_text(encoding="utf-8"))
    todo = [*COMPONENTS, *DEFAULT_INTEGRATIONS, *manifest.get("dependencies", [])]
    seen: set[str] = set()
    missing = []
    demo = _demo_requirements()
    while todo:
        domain = todo.pop()
        if domain in seen:
            continue
        seen.add(domain)
        component = json.loads((COMPONENTS_DIR / domain / "manifest.json").read_text(encoding="utf-8"))
        todo.extend(component.get("dependencies", []))
        for requirement in component.get("requirements", []):
            name = Requirement(requirement).name.lower()
            try:
                importlib.metadata.version(name)
            except importlib.metadata.PackageNotFoundError:
                if name not in demo:
                    missing.append(f"{domain}: {requirement}")
    assert missing == []
