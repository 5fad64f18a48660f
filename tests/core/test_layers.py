"""invoke_core is layered: every import points down (or within a layer) and none loops.

Every import counts: at module top, inside functions, and under TYPE_CHECKING.
"""

from __future__ import annotations

import ast
from pathlib import Path

import invoke_core

PACKAGE = Path(invoke_core.__file__).parent

# Lowest first. A module belongs to the first prefix it matches.
LAYERS: list[tuple[str, tuple[str, ...]]] = [
    ("foundation", ("errors", "config", "typecheck", "pydantic_compat", "hookspecs")),
    ("node API", ("invocation", "fields", "events", "context")),
    ("plugin catalog", ("catalog", "builtin_plugin", "nodes")),
    ("graph engine", ("graph", "session", "batch")),
    ("services", ("services",)),
    ("execution", ("execution", "preflight")),
    ("application", ("__main__", "")),  # "" is the package itself, the public facade
]


def module_name(path: Path) -> str:
    parts = list(path.relative_to(PACKAGE).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(["invoke_core", *parts])


def all_modules() -> dict[str, Path]:
    return {module_name(path): path for path in sorted(PACKAGE.rglob("*.py"))}


def layer_of(module: str) -> int:
    relative = module.removeprefix("invoke_core").removeprefix(".")
    top = relative.split(".", 1)[0]
    for index, (_name, prefixes) in enumerate(LAYERS):
        if top in prefixes:
            return index
    raise AssertionError(f"{module} is in no layer: add it to LAYERS in {__file__}")


def imports_of(module: str, path: Path, known: set[str]) -> set[str]:
    """The invoke_core modules this one imports, anywhere in its body."""
    is_package = path.name == "__init__.py"
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = module.split(".") if is_package else module.split(".")[:-1]
                base = base[: len(base) - node.level + 1]
                origin = ".".join(base + ([node.module] if node.module else []))
            else:
                origin = node.module or ""
            for alias in node.names:
                submodule = f"{origin}.{alias.name}"
                found.add(submodule if submodule in known else origin)
    return {name for name in found if name in known and name != module}


def import_graph() -> dict[str, set[str]]:
    modules = all_modules()
    known = set(modules)
    return {module: imports_of(module, path, known) for module, path in modules.items()}


def test_every_module_has_a_layer():
    for module in all_modules():
        layer_of(module)


def test_no_import_goes_up_a_layer():
    upward = [
        f"{module} ({LAYERS[layer_of(module)][0]}) imports {target} ({LAYERS[layer_of(target)][0]})"
        for module, targets in import_graph().items()
        for target in sorted(targets)
        if layer_of(target) > layer_of(module)
    ]
    assert upward == []


def find_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """One import cycle, or None. Iterative depth-first search."""
    state: dict[str, int] = {}  # 1: on the current path, 2: done
    for start in graph:
        if state.get(start):
            continue
        path = [start]
        stack = [iter(sorted(graph[start]))]
        state[start] = 1
        while stack:
            target = next(stack[-1], None)
            if target is None:
                state[path.pop()] = 2
                stack.pop()
            elif state.get(target) == 1:
                return path[path.index(target) :] + [target]
            elif not state.get(target):
                state[target] = 1
                path.append(target)
                stack.append(iter(sorted(graph[target])))
    return None


def test_no_import_cycle():
    assert find_cycle(import_graph()) is None


def test_the_checks_see_imports_inside_functions_and_type_checking(tmp_path):
    # The walker must not miss the kinds of imports that made the old cycles.
    source = tmp_path / "probe.py"
    source.write_text(
        "from typing import TYPE_CHECKING\n"
        "if TYPE_CHECKING:\n    from invoke_core.session import Session\n"
        "def f():\n    from invoke_core.catalog import catalog\n"
        "from invoke_core import errors\n"
    )
    known = set(all_modules())
    assert imports_of("invoke_core.probe", source, known) == {
        "invoke_core.session",
        "invoke_core.catalog",
        "invoke_core.errors",
    }
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert find_cycle({"a": {"b"}, "b": set()}) is None


def test_importing_the_package_loads_only_the_node_api():
    import subprocess
    import sys

    code = "import sys, invoke_core; print(' '.join(sorted(m for m in sys.modules if m.startswith('invoke_core'))))"
    loaded = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.split()
    # the engine (graph, session, catalog, services, execution) and the settings model load on first use
    assert set(loaded) <= {
        "invoke_core",
        "invoke_core.context",
        "invoke_core.errors",
        "invoke_core.fields",
        "invoke_core.hookspecs",
        "invoke_core.invocation",
    }
