"""The library under custom_components/echonet_hems/lib never imports Home Assistant (STYLE.md "Library rules")."""

from __future__ import annotations

import ast
from pathlib import Path
import subprocess
import sys

LIB = Path(__file__).resolve().parents[2] / "custom_components" / "echonet_hems" / "lib"


def lib_modules() -> list[str]:
    root = LIB.parents[2]
    return [
        ".".join(path.relative_to(root).with_suffix("").parts).removesuffix(".__init__")
        for path in sorted(LIB.rglob("*.py"))
    ]


def imported_names(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module)
    return names


def test_no_source_file_imports_homeassistant() -> None:
    offenders = {
        str(path.relative_to(LIB)): sorted(
            name for name in imported_names(path) if name.split(".")[0] == "homeassistant"
        )
        for path in LIB.rglob("*.py")
    }
    assert {file: names for file, names in offenders.items() if names} == {}


def test_importing_every_module_loads_no_homeassistant() -> None:
    """Transitive check in a clean interpreter: importing all of lib/ must not pull Home Assistant in.

    The integration package's own __init__ may import Home Assistant, so it is replaced by a bare package object: what
    is checked is what lib/ itself imports (the virtual home and the probe CLIs rely on this).
    """
    modules = lib_modules()
    assert len(modules) >= 5
    code = (
        "import importlib, sys, types\n"
        "package = types.ModuleType('custom_components.echonet_hems')\n"
        f"package.__path__ = [{str(LIB.parent)!r}]\n"
        "sys.modules['custom_components.echonet_hems'] = package\n"
        f"for name in {modules!r}:\n"
        "    importlib.import_module(name)\n"
        "loaded = sorted(m for m in sys.modules if m.split('.')[0] == 'homeassistant')\n"
        "print(','.join(loaded))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=LIB.parents[2], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == ""


def test_the_check_sees_an_offender(tmp_path: Path) -> None:
    """The AST check is not vacuous: it finds a Home Assistant import when there is one."""
    sample = tmp_path / "bad.py"
    sample.write_text("from homeassistant.core import HomeAssistant\nimport homeassistant.const\n", encoding="utf-8")
    assert imported_names(sample) == {"homeassistant.core", "homeassistant.const"}
