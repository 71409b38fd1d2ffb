"""The handlers' layering, read from the source with `ast` (imports at module level and
inside functions alike): a handler module imports no other handler module but the one
shared glue module (`handlers.access`: the guard, `requires` and the reply helpers); only
the registry (`handlers/__init__.py`) imports them all; the use cases (`bot/services`)
never import handlers, nor PTB's handler classes; of `bot/`, only the composition root
(`bot/app.py`) imports handlers."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
GLUE = "handlers.access"  # the one module every handler may import
REGISTRY = ROOT / "handlers" / "__init__.py"  # the table: imports every handler module


def module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imported(source: str, module: str, *, package: bool = False) -> set[str]:
    """Every module `source` imports, anywhere in it (`from a import b` gives `a` and
    `a.b`: b may be a module), relative imports resolved against `module`."""
    found: set[str] = set()
    base = module.split(".") if package else module.split(".")[:-1]
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                head = base[: len(base) - node.level + 1]
                target = ".".join([*head, *([node.module] if node.module else [])])
            else:
                target = node.module or ""
            found.add(target)
            found.update(f"{target}.{alias.name}" for alias in node.names)
    return found


def imports_of(path: Path) -> set[str]:
    return imported(path.read_text(), module_name(path), package=path.name == "__init__.py")


def handler_modules() -> list[Path]:
    return sorted(p for p in (ROOT / "handlers").glob("*.py") if p != REGISTRY)


def is_handlers(name: str) -> bool:
    return name == "handlers" or name.startswith("handlers.")


def test_the_import_reader_sees_imports_inside_functions_and_relative_ones() -> None:
    source = (
        "import os\n"
        "from handlers.access import me\n"
        "def f():\n"
        "    from handlers import workflow\n"
        "    from .tasks import find_task\n"
    )
    found = imported(source, "handlers.figures")
    assert {"os", "handlers.access", "handlers.workflow", "handlers.tasks"} <= found


def test_no_handler_module_imports_another_handler_module() -> None:
    wrong = []
    for path in handler_modules():
        me = module_name(path)
        for name in imports_of(path):
            if not is_handlers(name) or name == me or name.startswith(f"{me}."):
                continue
            known = ROOT / Path(*name.split(".")).with_suffix(".py")
            if name == "handlers" or (known.exists() and name != GLUE):
                wrong.append(f"{me} imports {name}")
    assert wrong == []


def test_the_glue_module_imports_no_handler_module() -> None:
    path = ROOT / Path(*GLUE.split(".")).with_suffix(".py")
    assert sorted(name for name in imports_of(path) if is_handlers(name)) == []


def test_services_import_no_handlers_nor_ptb_handler_classes() -> None:
    wrong = []
    for path in sorted((ROOT / "bot" / "services").rglob("*.py")):
        for name in imports_of(path):
            if is_handlers(name) or (name.startswith("telegram.ext.") and name.endswith("Handler")):
                wrong.append(f"{module_name(path)} imports {name}")
    assert wrong == []


def test_of_bot_only_the_composition_root_imports_handlers() -> None:
    wrong = []
    for path in sorted((ROOT / "bot").rglob("*.py")):
        if path == ROOT / "bot" / "app.py":
            continue
        wrong += [f"{module_name(path)} imports {n}" for n in imports_of(path) if is_handlers(n)]
    assert wrong == []
