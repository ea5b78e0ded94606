"""Each package declares every distribution its modules import.

``make`` installs all packages into one environment, where an undeclared import still works
(another package brought the distribution); an image installs one service alone, where it
does not. Imports are read from the source (``ast``), mapped to distributions with
``importlib.metadata``, and compared with ``[project] dependencies`` of the package's pyproject.
"""

from __future__ import annotations

import ast
import importlib.metadata
import importlib.util
import re
import sys
import tomllib
from collections.abc import Mapping
from functools import cache
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = sorted(p.parent for p in [*ROOT.glob("libs/*/pyproject.toml"), *ROOT.glob("services/*/pyproject.toml")])


def normalized(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def declared(package: Path) -> set[str]:
    project = tomllib.loads((package / "pyproject.toml").read_text())["project"]
    names = {re.match(r"[A-Za-z0-9._-]+", requirement)[0] for requirement in project["dependencies"]}  # type: ignore[index]
    return {normalized(name) for name in names} | {normalized(project["name"])}


def imported_modules(package: Path) -> dict[str, str]:
    """Absolute imports of the package's modules: module name -> the first file importing it."""
    found: dict[str, str] = {}
    for path in sorted((package / "src").rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names = [f"{node.module}.{alias.name}" for alias in node.names]  # a name may be a module
            else:
                continue
            for name in names:
                found.setdefault(name, str(path.relative_to(ROOT)))
    return found


@cache
def top_level_distributions() -> Mapping[str, list[str]]:
    return importlib.metadata.packages_distributions()


@cache
def distributions_by_file() -> dict[str, str]:
    """``opentelemetry/sdk/__init__.py`` (relative to its site-packages) -> the distribution installing it."""
    return {
        str(file): normalized(dist.metadata["Name"])
        for dist in importlib.metadata.distributions()
        for file in dist.files or ()
    }


def owner_of_file(origin: str) -> str | None:
    for entry in filter(None, sys.path):
        if origin.startswith(entry.rstrip("/") + "/"):
            return distributions_by_file().get(origin[len(entry.rstrip("/")) + 1 :])
    return None


def distribution_of(module: str) -> str | None:
    """The distribution providing ``module``; None for the standard library."""
    top = module.split(".")[0]
    if top in sys.stdlib_module_names:
        return None
    if top == "mlp":  # the workspace's namespace: mlp.<name> is distribution mlp-<name>
        return normalized(f"mlp-{module.split('.')[1]}")
    candidates = set(top_level_distributions().get(top, []))
    if len(candidates) == 1:
        return normalized(candidates.pop())
    # a namespace several distributions share (opentelemetry, google): the owner of the module's file
    parts = module.split(".")
    for depth in range(len(parts), 0, -1):
        spec = importlib.util.find_spec(".".join(parts[:depth]))
        if spec is not None and spec.origin and (owner := owner_of_file(spec.origin)):
            return owner
    raise AssertionError(f"no installed distribution provides {module}")


@pytest.mark.parametrize("package", PACKAGES, ids=[p.name for p in PACKAGES])
def test_every_imported_distribution_is_declared(package: Path) -> None:
    undeclared: dict[str, str] = {}
    for module, where in imported_modules(package).items():
        distribution = distribution_of(module)
        if distribution is not None and distribution not in declared(package):
            undeclared.setdefault(distribution, f"{distribution} (import {module} in {where})")
    assert not undeclared, f"{package.name}'s pyproject does not declare: " + ", ".join(sorted(undeclared.values()))
