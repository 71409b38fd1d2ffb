"""The direction of dependence between the project's layers (docs/ARCHITECTURE.md), read
from the source with `ast`: every import counts, at module level or inside a function.

A `Rule` in RULES: the modules its importers' globs match (but the exempt ones) may not
import a name its forbidden globs match, unless an allowed glob matches it too. Each
rule carries a made-up breach, so that a test can show the rule still catches one.
"""

from __future__ import annotations

import ast
from collections.abc import Mapping
from dataclasses import dataclass
from fnmatch import fnmatchcase
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("bot", "handlers", "storage")


def under(package: str) -> tuple[str, str]:
    """Globs for a package and everything in it."""
    return (package, f"{package}.*")


GLUE = "handlers.access"  # the guard, `requires` and the reply helpers every handler uses
# The application shell: it opens the database and hands it to the services.
SHELL = ("bot.app", "bot.context", "bot.cli", *under("bot.commands"), "bot.sandbox.room")


@dataclass(frozen=True)
class Rule:
    name: str
    importers: tuple[str, ...]
    forbidden: tuple[str, ...]
    breach: tuple[str, str]  # (importer, imported): a made-up import the rule must report
    allowed: tuple[str, ...] = ()
    exempt: tuple[str, ...] = ()


RULES = [
    Rule(
        "storage speaks in the domain's types only",
        under("storage"),
        (*under("bot"), *under("handlers")),
        ("storage.outbox", "bot.reminders.planner"),
        allowed=under("bot.models"),
    ),
    Rule(
        "the models are a leaf",
        under("bot.models"),
        (*under("bot"), *under("handlers"), *under("storage")),
        ("bot.models.tasks", "bot.status"),
        allowed=under("bot.models"),
    ),
    Rule(
        "of bot/, only the services touch storage",
        under("bot"),
        under("storage"),
        ("bot.figures", "storage.figures"),
        exempt=(*under("bot.services"), *SHELL),
    ),
    Rule(
        "the shell only opens the database",
        SHELL,
        under("storage"),
        ("bot.commands.stats", "storage.figures"),
        allowed=("storage", "storage.Database", *under("storage.db")),
    ),
    Rule(
        "handlers touch no storage",
        under("handlers"),
        under("storage"),
        ("handlers.tasks", "storage.Database"),
    ),
    Rule(
        "a handler imports no other handler but the glue",
        ("handlers.*",),
        under("handlers"),
        ("handlers.figures", "handlers.workflow"),
        allowed=under(GLUE),
        exempt=(GLUE,),
    ),
    Rule(
        "the glue imports no handler",
        (GLUE,),
        under("handlers"),
        (GLUE, "handlers.tasks"),
    ),
    Rule(
        "services import no handlers nor PTB's handler classes",
        under("bot.services"),
        (*under("handlers"), "telegram.ext.*Handler"),
        ("bot.services.review", "telegram.ext.CallbackQueryHandler"),
    ),
    Rule(
        "of bot/, only the composition root imports handlers",
        under("bot"),
        under("handlers"),
        ("bot.cli", "handlers"),
        exempt=("bot.app",),
    ),
]


def module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imported(source: str, module: str, *, package: bool = False) -> set[str]:
    """Every name `source` imports, anywhere in it (`from a import b` gives `a` and `a.b`: b
    may be a module), relative imports resolved against `module`."""
    found: set[str] = set()
    base = module.split(".") if package else module.split(".")[:-1]
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            head = base[: len(base) - node.level + 1] if node.level else []
            target = ".".join([*head, *([node.module] if node.module else [])])
            found.add(target)
            found.update(f"{target}.{alias.name}" for alias in node.names)
    return found


def _matches(name: str, globs: tuple[str, ...]) -> bool:
    return any(fnmatchcase(name, glob) for glob in globs)


def breaches(rule: Rule, modules: Mapping[str, set[str]]) -> list[str]:
    return sorted(
        f"{name} imports {target}"
        for name, found in modules.items()
        if _matches(name, rule.importers) and not _matches(name, rule.exempt)
        for target in found
        if _matches(target, rule.forbidden) and not _matches(target, rule.allowed)
    )


MODULES = {
    module_name(path): imported(
        path.read_text(encoding="utf-8"), module_name(path), package=path.name == "__init__.py"
    )
    for package in PACKAGES
    for path in sorted((ROOT / package).rglob("*.py"))
}


def test_the_import_reader_sees_imports_inside_functions_and_relative_ones() -> None:
    source = (
        "import os\n"
        "from handlers.access import me\n"
        "def f():\n"
        "    from handlers import workflow\n"
        "    from .tasks import find_task\n"
        "    from ..storage import register\n"
    )
    found = imported(source, "handlers.figures")
    assert {"os", "handlers.access", "handlers.workflow", "handlers.tasks"} <= found
    assert "storage.register" in found
    assert imported("from .db import Database", "storage", package=True) >= {"storage.db"}


@pytest.mark.parametrize("rule", RULES, ids=[rule.name for rule in RULES])
def test_the_project_keeps_the_rule(rule: Rule) -> None:
    assert any(_matches(name, rule.importers) for name in MODULES), "the rule covers no module"
    assert breaches(rule, MODULES) == []


@pytest.mark.parametrize("rule", RULES, ids=[rule.name for rule in RULES])
def test_the_rule_reports_its_breach(rule: Rule) -> None:
    importer, target = rule.breach
    assert breaches(rule, {importer: {"os", target}}) == [f"{importer} imports {target}"]


def test_the_shell_may_open_the_database_and_the_services_may_read() -> None:
    allowed = {
        "bot.app": {"storage", "storage.Database"},
        "bot.commands.run": {"storage.db", "storage.db.exclusive"},
        "bot.services.tasks": {"storage.register", "storage.register.get_task"},
        "handlers.tasks": {"handlers.access", "handlers.access.requires", "bot.services"},
    }
    assert [line for rule in RULES for line in breaches(rule, allowed)] == []
