"""The direction of dependence between the project's layers, read from the source with `ast`:
every import counts, at module level or inside a function.

One rule a line in RULES: the modules a glob matches may not import the forbidden package,
except the modules named as allowed (a name covers its submodules).
"""

from __future__ import annotations

import ast
from fnmatch import fnmatchcase
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("bot", "handlers", "storage")

# (importer glob, forbidden, allowed exceptions)
RULES: list[tuple[str, str, tuple[str, ...]]] = [
    ("storage*", "bot", ("bot.models",)),  # storage speaks in the domain's types only
    ("storage*", "handlers", ()),
    ("bot.models*", "bot", ("bot.models",)),  # the models are a leaf
    ("bot.models*", "handlers", ()),
    ("bot.models*", "storage", ()),
]


def _module(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imports(path: Path) -> set[str]:
    """Every module `path` imports, relative imports resolved."""
    package = _module(path).split(".")
    if path.name != "__init__.py":
        package = package[:-1]
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = package[: len(package) - node.level + 1] if node.level else []
            module = ".".join([*base, *([node.module] if node.module else [])])
            found.add(module)
            found.update(f"{module}.{alias.name}" for alias in node.names)
    return found


def _within(module: str, package: str) -> bool:
    return module == package or module.startswith(package + ".")


MODULES = {
    _module(path): _imports(path)
    for package in PACKAGES
    for path in sorted((ROOT / package).rglob("*.py"))
}


@pytest.mark.parametrize(("importer", "forbidden", "allowed"), RULES)
def test_layers_import_only_downwards(
    importer: str, forbidden: str, allowed: tuple[str, ...]
) -> None:
    matched = {name: found for name, found in MODULES.items() if fnmatchcase(name, importer)}
    assert matched, f"no module matches {importer}"
    wrong = sorted(
        f"{name} imports {target}"
        for name, found in matched.items()
        for target in found
        if _within(target, forbidden) and not any(_within(target, a) for a in allowed)
    )
    assert wrong == []
