"""The pure parts of scripts/ha_static.py (the static check against the newest Home Assistant) on a fake release."""

from __future__ import annotations

import json
from pathlib import Path
from types import ModuleType

import pytest

from tests.scripts import load_script

SCRIPT = Path(__file__).resolve().parents[1] / "scripts" / "ha_static.py"


@pytest.fixture(scope="module")
def ha_static() -> ModuleType:
    return load_script(SCRIPT, "ha_static")


@pytest.fixture
def release(tmp_path: Path) -> Path:
    """A fake extracted wheel: a core module with Python 3.14 syntax, a deprecated constant and a star import."""
    package = tmp_path / "src" / "homeassistant"
    (package / "helpers").mkdir(parents=True)
    (package / "__init__.py").write_text("")
    (package / "helpers" / "__init__.py").write_text("")
    (package / "helpers" / "registry.py").write_text("def async_get(hass):\n    return hass\n")
    (package / "const.py").write_text(
        "from .extra import *\n"
        "try:\n    import x\nexcept ImportError, ValueError:\n    pass\n"
        "if True:\n    PRESENT = 1\n"
        "_DEPRECATED_OLD = object()\n"
        "def __getattr__(name): ...\n"
    )
    (package / "extra.py").write_text("class FromStar: ...\n")
    (package / "package_constraints.txt").write_text("# pins\nserialx==1.8.0\nattrs==26.1.0 ; python_version>'3'\n")
    dist = tmp_path / "src" / "homeassistant-2099.1.0.dist-info"
    dist.mkdir()
    (dist / "METADATA").write_text("Name: homeassistant\nRequires-Dist: holidays==0.40\nRequires-Dist: certifi>=2021\n")
    return tmp_path / "src"


def test_defined_names_follow_blocks_star_imports_and_new_syntax(ha_static: ModuleType, release: Path) -> None:
    names = ha_static.defined_names(release, "homeassistant.const")
    assert {"PRESENT", "FromStar", "_DEPRECATED_OLD", "x", "__getattr__"} <= names
    assert "OLD" not in names


def test_imported_names_missing_deprecated_and_module_attributes(
    ha_static: ModuleType, release: Path, tmp_path: Path
) -> None:
    ours = tmp_path / "ours.py"
    ours.write_text(
        "from homeassistant.const import PRESENT, FromStar, OLD, GONE\n"
        "from homeassistant.helpers import registry as reg\n"
        "from homeassistant.removed import thing\n"
        "import homeassistant.helpers.registry as direct\n"
        "reg.async_get(None)\nreg.async_get_registry(None)\ndirect.missing\n"
    )
    messages = sorted(problem.message for problem in ha_static.imported_name_problems(release, ours))
    assert messages == [
        "homeassistant.const.GONE does not exist in this release",
        "homeassistant.const.OLD is a deprecated constant in this release",
        "homeassistant.helpers.registry.async_get_registry does not exist in this release",
        "homeassistant.helpers.registry.missing does not exist in this release",
        "module homeassistant.removed does not exist in this release",
    ]


def test_requirements_against_the_release_pins(ha_static: ModuleType, release: Path, tmp_path: Path) -> None:
    pins = ha_static.release_pins(release)
    assert pins == {"serialx": "1.8.0", "attrs": "26.1.0", "holidays": "0.40"}
    manifest = tmp_path / "manifest.json"
    manifest.write_text(json.dumps({"requirements": ["serialx>=1.11.0", "holidays>=0.30", "highspy>=1.16.0"]}))
    problems, notes = ha_static.requirement_problems(manifest, pins)
    assert [problem.message for problem in problems] == ["serialx>=1.11.0 cannot be installed: this release pins 1.8.0"]
    assert notes == ["holidays>=0.30: the release pins 0.40, which fits", "highspy>=1.16.0: not pinned by this release"]


def test_pyright_report_keeps_home_assistant_problems_only_drops_other_missing_packages(ha_static: ModuleType) -> None:
    def diagnostic(message: str, rule: str, severity: str = "error") -> dict[str, object]:
        return {
            "file": "/x/a.py",
            "severity": severity,
            "message": message,
            "rule": rule,
            "range": {"start": {"line": 4, "character": 0}},
        }

    report = {
        "generalDiagnostics": [
            diagnostic('Import "voluptuous" could not be resolved', "reportMissingImports"),
            diagnostic('Import "homeassistant.helpers.gone" could not be resolved', "reportMissingImports"),
            diagnostic('No parameter named "via_device"', "reportCallIssue"),
            diagnostic("just a note", "reportUnusedVariable", severity="information"),
        ]
    }
    problems, unresolved = ha_static.pyright_problems(report)
    assert unresolved == {"voluptuous"}
    assert [(problem.line, problem.message) for problem in problems] == [
        (5, 'Import "homeassistant.helpers.gone" could not be resolved [pyright reportMissingImports]'),
        (5, 'No parameter named "via_device" [pyright reportCallIssue]'),
    ]
