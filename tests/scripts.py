"""Loading a file under `scripts/` (not a package) as a module, for the tests of those scripts."""

from __future__ import annotations

import importlib.util
from pathlib import Path
import sys
from types import ModuleType


def load_script(path: Path, name: str) -> ModuleType:
    """Import the script at `path` as module `name` (registered in `sys.modules`, as dataclasses need)."""
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module
