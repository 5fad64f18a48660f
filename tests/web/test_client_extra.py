"""The docs' Python walkthrough needs nothing beyond `pip install invoke-web[client]`."""

from __future__ import annotations

import ast
import sys
import tomllib
from importlib.metadata import packages_distributions
from pathlib import Path

from docs_runner import DOCS, python_blocks
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

PYPROJECT = Path(__file__).parents[2] / "packages" / "invoke-web" / "pyproject.toml"
FIRST_PARTY = {"invoke_core", "invoke_web"}


def imported_modules(code: str) -> set[str]:
    modules = set()
    for node in ast.walk(ast.parse(code)):
        if isinstance(node, ast.Import):
            modules |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            modules.add(node.module.split(".")[0])
    return modules


def test_every_module_the_walkthrough_imports_comes_with_invoke_web_and_its_client_extra():
    project = tomllib.loads(PYPROJECT.read_text(encoding="utf-8"))["project"]
    requirements = [*project["dependencies"], *project["optional-dependencies"]["client"]]
    provided = {canonicalize_name(Requirement(line).name) for line in requirements}
    imported = set()
    for _line, code in python_blocks((DOCS / "web" / "index.md").read_text(encoding="utf-8")):
        imported |= imported_modules(code)
    third_party = imported - set(sys.stdlib_module_names) - FIRST_PARTY
    assert "httpx" in third_party and "socketio" in third_party  # the walkthrough's client side
    distributions = packages_distributions()
    missing = {
        module: distributions.get(module)
        for module in third_party
        if not {canonicalize_name(name) for name in distributions.get(module, [])} & provided
    }
    assert missing == {}, f"imported by docs/web/index.md but not installed by invoke-web[client]: {missing}"
