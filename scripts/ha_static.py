"""The checks behind `scripts/check_ha_static` (which downloads what they need): our code against a Home Assistant
release's source, without running it.

1. pyright over the integration with the release on its path (Python 3.14 syntax): names exist with compatible
   signatures and types; `reportDeprecated` flags what the release marks `@deprecated`. Unresolved imports of
   packages other than Home Assistant are expected (only two of its dependencies are provided) and ignored.
2. Every name imported from (or read off) a Home Assistant module is defined in that module and is not a deprecated
   constant (`_DEPRECATED_<name>`, served by a module-level `__getattr__`): independent of pyright's view of such
   modules, and it says which of the two it is (pyright reports both as an unknown symbol).
   Functions and classes marked with Home Assistant's own `deprecated_function`/`deprecated_class` (invisible to
   pyright) are found by name in our code.
3. The manifest's requirements against the release's pins (`package_constraints.txt` and the wheel's own
   `Requires-Dist`).

Before checking the integration it checks the fixtures in `scripts/ha_static_fixtures/`: `good.py` must pass, every
other fixture must fail with the problems its first line names (`# expect: ...`), or the check is not trustworthy.
"""

from __future__ import annotations

import argparse
import ast
from collections.abc import Iterator
from dataclasses import dataclass
import json
import os
from pathlib import Path
import re
import subprocess
import sys
import time

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

REPO = Path(__file__).resolve().parent.parent
INTEGRATION = REPO / "custom_components" / "echonet_hems"
FIXTURES = REPO / "scripts" / "ha_static_fixtures"
HA = "homeassistant"


@dataclass(frozen=True, slots=True)
class Problem:
    """One finding, located in our code."""

    path: Path
    line: int
    message: str

    def __str__(self) -> str:
        try:
            where = self.path.relative_to(REPO)
        except ValueError:
            where = self.path
        return f"{where}:{self.line}: {self.message}"


# ---------------------------------------------------------------------------------------------------------- pyright


def pyright_config(paths: list[Path], ha_src: Path, deps: Path, venv: Path, work: Path) -> dict[str, object]:
    """The configuration (written to `work`): the release's source and the typing-relevant dependencies on the path,
    nothing else. Pyright takes `include` only relative to the configuration's directory."""
    return {
        "include": [os.path.relpath(path, work) for path in paths],
        # lib/ imports no Home Assistant (tests/lib/test_library_boundary.py); a glob would not reach outside `work`.
        "exclude": [os.path.relpath(path / "lib", work) for path in paths],
        "extraPaths": [str(ha_src), str(deps)],
        "venvPath": str(venv.parent),
        "venv": venv.name,
        "pythonVersion": "3.14",
        "pythonPlatform": "Linux",
        "typeCheckingMode": "basic",
        "reportDeprecated": "error",
        "reportMissingModuleSource": "none",
    }


_UNRESOLVED = re.compile(r'^Import "([\w.]+)" could not be resolved')


def pyright_problems(report: dict[str, object]) -> tuple[list[Problem], set[str]]:
    """Errors and warnings from pyright's JSON report; unresolved non-Home-Assistant imports are returned apart."""
    problems: list[Problem] = []
    unresolved: set[str] = set()
    diagnostics = report.get("generalDiagnostics", [])
    assert isinstance(diagnostics, list)
    for diagnostic in diagnostics:
        if diagnostic["severity"] not in {"error", "warning"}:
            continue
        message = diagnostic["message"]
        match = _UNRESOLVED.match(message)
        if match and diagnostic.get("rule") == "reportMissingImports":
            module = match.group(1)
            if module.split(".")[0] not in {HA, "custom_components"}:
                unresolved.add(module.split(".")[0])
                continue
        rule = diagnostic.get("rule", "")
        text = " ".join(message.split())
        problems.append(
            Problem(Path(diagnostic["file"]), diagnostic["range"]["start"]["line"] + 1, f"{text} [pyright {rule}]")
        )
    return problems, unresolved


def run_pyright(pyright: str, config: dict[str, object], work: Path) -> dict[str, object]:
    """Run pyright with `config`; its JSON report (pyright exits 1 when it found errors, which is no failure here)."""
    config_file = work / "pyrightconfig.json"
    config_file.write_text(json.dumps(config, indent=2))
    result = subprocess.run(
        [pyright, "--outputjson", "-p", str(config_file)], capture_output=True, text=True, check=False
    )
    if result.returncode not in {0, 1}:
        raise SystemExit(f"pyright failed ({result.returncode}):\n{result.stdout}\n{result.stderr}")
    report: dict[str, object] = json.loads(result.stdout)
    return report


# ------------------------------------------------------------------------------------------- Home Assistant names


def module_file(ha_src: Path, module: str) -> Path | None:
    """The source file of a dotted module inside the release, or None."""
    base = ha_src.joinpath(*module.split("."))
    for candidate in (base.with_suffix(".py"), base / "__init__.py"):
        if candidate.is_file():
            return candidate
    return None


_EXCEPT_WITHOUT_PARENTHESES = re.compile(
    r"^(\s*except\*?\s+)([\w.]+(?:\s*,\s*[\w.]+)+)(\s*(?:as\s+\w+\s*)?:)", re.MULTILINE
)


def parse(path: Path) -> ast.Module:
    """Parse a module of the release with this (older) Python: `except A, B:` (PEP 758, Python 3.14) gets
    parentheses first, the only newer syntax the releases use so far. A module still unparsable ends the check."""
    source = path.read_text(encoding="utf-8")
    try:
        return ast.parse(source)
    except SyntaxError:
        return ast.parse(_EXCEPT_WITHOUT_PARENTHESES.sub(r"\1(\2)\3", source), str(path))


def _top_level_statements(body: list[ast.stmt]) -> Iterator[ast.stmt]:
    """Module-level statements, including those inside module-level if/try/with blocks."""
    for statement in body:
        yield statement
        if isinstance(statement, ast.If):
            yield from _top_level_statements(statement.body)
            yield from _top_level_statements(statement.orelse)
        elif isinstance(statement, ast.Try):
            for block in (statement.body, statement.orelse, statement.finalbody):
                yield from _top_level_statements(block)
            for handler in statement.handlers:
                yield from _top_level_statements(handler.body)
        elif isinstance(statement, ast.With):
            yield from _top_level_statements(statement.body)


def _target_names(target: ast.expr) -> Iterator[str]:
    if isinstance(target, ast.Name):
        yield target.id
    elif isinstance(target, ast.Tuple | ast.List):
        for element in target.elts:
            yield from _target_names(element)


def defined_names(ha_src: Path, module: str, _seen: frozenset[str] = frozenset()) -> set[str]:
    """Names a module of the release binds at module level (following `from x import *`)."""
    path = module_file(ha_src, module)
    if path is None or module in _seen:
        return set()
    tree = parse(path)
    names: set[str] = set()
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    for statement in _top_level_statements(tree.body):
        if isinstance(statement, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            names.add(statement.name)
        elif isinstance(statement, ast.Assign):
            for target in statement.targets:
                names.update(_target_names(target))
        elif isinstance(statement, ast.AnnAssign | ast.AugAssign):
            names.update(_target_names(statement.target))
        elif isinstance(statement, ast.TypeAlias):
            names.add(statement.name.id)
        elif isinstance(statement, ast.Import):
            names.update((alias.asname or alias.name).split(".")[0] for alias in statement.names)
        elif isinstance(statement, ast.ImportFrom):
            source = _absolute(package, statement)
            for alias in statement.names:
                if alias.name == "*":
                    names.update(defined_names(ha_src, source, _seen | {module}))
                else:
                    names.add(alias.asname or alias.name)
    return names


def _absolute(package: str, node: ast.ImportFrom) -> str:
    """The absolute module an ImportFrom reads from, seen from inside `package`."""
    if not node.level:
        return node.module or ""
    parts = package.split(".")
    base = parts[: len(parts) - node.level + 1]
    return ".".join([*base, node.module] if node.module else base)


def _check_name(ha_src: Path, module: str, name: str, path: Path, line: int) -> Problem | None:
    if module_file(ha_src, f"{module}.{name}") is not None:
        return None  # a submodule
    names = defined_names(ha_src, module)
    if f"_DEPRECATED_{name}" in names:
        return Problem(path, line, f"{module}.{name} is a deprecated constant in this release")
    if name not in names:
        return Problem(path, line, f"{module}.{name} does not exist in this release")
    return None


def imported_name_problems(ha_src: Path, path: Path) -> list[Problem]:  # noqa: PLR0912 - one walk per import form
    """Names our file imports from Home Assistant modules, or reads off a module it imported, that the release lacks."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    problems: list[Problem] = []
    aliases: dict[str, str] = {}  # local name → Home Assistant module
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and not node.level and node.module and node.module.split(".")[0] == HA:
            if module_file(ha_src, node.module) is None:
                problems.append(Problem(path, node.lineno, f"module {node.module} does not exist in this release"))
                continue
            for alias in node.names:
                if (problem := _check_name(ha_src, node.module, alias.name, path, node.lineno)) is not None:
                    problems.append(problem)
                elif module_file(ha_src, f"{node.module}.{alias.name}") is not None:
                    aliases[alias.asname or alias.name] = f"{node.module}.{alias.name}"
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.split(".")[0] != HA:
                    continue
                if module_file(ha_src, alias.name) is None:
                    problems.append(Problem(path, node.lineno, f"module {alias.name} does not exist in this release"))
                elif alias.asname:
                    aliases[alias.asname] = alias.name
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id in aliases:
            problem = _check_name(ha_src, aliases[node.value.id], node.attr, path, node.lineno)
            if problem is not None:
                problems.append(problem)
    return problems


_DEPRECATION_DECORATORS = frozenset({"deprecated_function", "deprecated_class", "deprecated_substitute"})


def deprecated_definitions(ha_src: Path, modules: set[str]) -> dict[str, str]:
    """Functions, methods and classes the release marks with its own deprecation decorators (which pyright cannot
    see, unlike `@warnings.deprecated`), in the core modules, helpers, util and the components in `modules`."""
    root = ha_src / HA
    files = [*root.glob("*.py"), *(root / "helpers").rglob("*.py"), *(root / "util").rglob("*.py")]
    for module in modules:
        parts = module.split(".")
        if len(parts) > 2 and parts[1] == "components":
            files += (root / "components" / parts[2]).rglob("*.py")
    found: dict[str, str] = {}
    for file in files:
        for node in ast.walk(parse(file)):
            if not isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
                continue
            for decorator in node.decorator_list:
                function = decorator.func if isinstance(decorator, ast.Call) else decorator
                name = function.id if isinstance(function, ast.Name) else getattr(function, "attr", "")
                if name in _DEPRECATION_DECORATORS:
                    found[node.name] = f"{file.relative_to(ha_src)}:{node.lineno} ({name})"
    return found


def ha_modules(path: Path) -> set[str]:
    """The Home Assistant modules a file imports."""
    modules: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and not node.level and node.module and node.module.startswith(HA):
            modules.add(node.module)
        elif isinstance(node, ast.Import):
            modules.update(alias.name for alias in node.names if alias.name.startswith(HA))
    return modules


def deprecated_use_problems(path: Path, deprecated: dict[str, str]) -> list[Problem]:
    """Identifiers of our file that name something the release marks deprecated (by name: may over-report)."""
    problems: list[Problem] = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        name = node.attr if isinstance(node, ast.Attribute) else node.id if isinstance(node, ast.Name) else None
        if name is None and isinstance(node, ast.alias):
            name = node.name.rpartition(".")[2]
        if name in deprecated:
            line = getattr(node, "lineno", 1)
            problems.append(Problem(path, line, f"{name} is marked deprecated at {deprecated[name]}"))
    return problems


# ------------------------------------------------------------------------------------------------- requirements


def release_pins(ha_src: Path) -> dict[str, str]:
    """Exact pins of the release: its package constraints and the wheel's own requirements (name → version)."""
    lines = (ha_src / HA / "package_constraints.txt").read_text(encoding="utf-8").splitlines()
    for metadata in ha_src.glob("homeassistant-*.dist-info/METADATA"):
        lines += [line.removeprefix("Requires-Dist:").strip() for line in metadata.read_text().splitlines()]
    pins: dict[str, str] = {}
    for line in lines:
        text = line.split("#")[0].split(";")[0].strip()
        match = re.fullmatch(r"([A-Za-z0-9][A-Za-z0-9._-]*)\s*==\s*([^,\s]+)", text)
        if match:
            pins[canonicalize_name(match.group(1))] = match.group(2)
    return pins


def requirement_problems(manifest: Path, pins: dict[str, str]) -> tuple[list[Problem], list[str]]:
    """Manifest requirements the release's pins contradict; and a line per requirement for the log."""
    problems: list[Problem] = []
    notes: list[str] = []
    for text in json.loads(manifest.read_text(encoding="utf-8"))["requirements"]:
        requirement = Requirement(text)
        pinned = pins.get(canonicalize_name(requirement.name))
        if pinned is None:
            notes.append(f"{text}: not pinned by this release")
        elif requirement.specifier.contains(pinned, prereleases=True):
            notes.append(f"{text}: the release pins {pinned}, which fits")
        else:
            problems.append(Problem(manifest, 1, f"{text} cannot be installed: this release pins {pinned}"))
    return problems, notes


# ------------------------------------------------------------------------------------------------------- main


def check(paths: list[Path], args: argparse.Namespace) -> tuple[list[Problem], set[str]]:
    """Pyright and the imported-name check over `paths` (files or directories)."""
    config = pyright_config(paths, args.ha_src, args.deps, args.venv, args.work)
    problems, unresolved = pyright_problems(run_pyright(args.pyright, config, args.work))
    files: list[Path] = []
    for root in paths:
        files += (
            [root]
            if root.is_file()
            else sorted(p for p in root.rglob("*.py") if "lib" not in p.relative_to(root).parts)
        )
    deprecated = deprecated_definitions(args.ha_src, set().union(*map(ha_modules, files)))
    for file in files:
        problems += imported_name_problems(args.ha_src, file)
        problems += deprecated_use_problems(file, deprecated)
    return problems, unresolved


def self_test(args: argparse.Namespace) -> list[str]:
    """The fixtures: good.py passes, each other one fails with what its `# expect:` line says."""
    problems, _ = check([FIXTURES], args)
    failures: list[str] = []
    for fixture in sorted(FIXTURES.glob("*.py")):
        found = [problem for problem in problems if problem.path == fixture]
        first = fixture.read_text(encoding="utf-8").splitlines()[0]
        expected = [part.strip() for part in first.removeprefix("# expect:").split(";")] if "expect:" in first else []
        if not expected and found:
            failures.append(f"{fixture.name} should pass, got: " + "; ".join(map(str, found)))
        for text in expected:
            if not any(text in problem.message for problem in found):
                failures.append(f"{fixture.name}: no problem mentions {text!r} (got: {'; '.join(map(str, found))})")
        print(f"  fixture {fixture.name}: {len(found)} problem(s), {len(expected)} expected")
        for problem in found:
            print(f"    {problem.line}: {problem.message}")
    return failures


def main() -> int:
    """Self-test on the fixtures, then the integration; exit 1 on any problem."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--ha-src", type=Path, required=True, help="the extracted wheel (holds homeassistant/)")
    parser.add_argument("--deps", type=Path, required=True, help="extracted typing-relevant dependencies")
    parser.add_argument("--pyright", required=True)
    parser.add_argument("--venv", type=Path, required=True, help="an interpreter without site-packages")
    parser.add_argument("--work", type=Path, required=True, help="where the pyright configuration is written")
    parser.add_argument("paths", nargs="*", type=Path, help="what to check (default: the integration)")
    args = parser.parse_args()
    for name in ("ha_src", "deps", "venv", "work"):
        setattr(args, name, getattr(args, name).resolve())
    started = time.monotonic()

    print("Self-test on scripts/ha_static_fixtures/ (must fail where a fixture expects it):")
    failures = self_test(args)
    if failures:
        print("The check does not catch what it must:", *failures, sep="\n  ")
        return 1

    paths = [path.resolve() for path in args.paths] or [INTEGRATION]
    problems, unresolved = check(paths, args)
    requirement_issues, notes = requirement_problems(INTEGRATION / "manifest.json", release_pins(args.ha_src))
    problems += requirement_issues
    print("Requirements against the release's pins:", *notes, sep="\n  ")
    if unresolved:
        print("Not installed for the check (their names are not verified):", ", ".join(sorted(unresolved)))
    for problem in problems:
        print(problem)
    print(f"{len(problems)} problem(s) in {time.monotonic() - started:.0f} s")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
