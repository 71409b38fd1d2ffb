"""The three-way merge of an import: the file, the base (what the last import of the row
brought) and the register (what the bot made of it since), field by field.

Pure: values in, a decision per field out. A field the file did not change keeps the
register's value, whatever the bot did; a field nobody changed here takes the file's; a field
both changed, differently, is a conflict (the register's value stays unless `Prefer.FILE`).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from enum import StrEnum

from bot.models import Prefer, Value

COMPLETED = "ngay_hoan_thanh"
DEADLINE = "han_xu_ly"


class Outcome(StrEnum):
    TAKE = "take"  # the file's value goes into the register
    KEPT = "kept"  # the bot changed it, the file did not: the register's value stays
    CONFLICT = "conflict"  # both changed it, differently (resolved by `Prefer`)


def _later(a: Value, b: Value) -> bool:
    return isinstance(a, date) and (b is None or (isinstance(b, date) and a > b))


def merge_fields(
    file: Mapping[str, Value],
    base: Mapping[str, Value],
    register: Mapping[str, Value],
) -> dict[str, Outcome]:
    """The decision for each field of `file` whose value differs from the register's.

    Fields missing from the result need nothing: the file agrees with the register. A
    missing base value counts as the register's (a row from before bases were kept).
    """
    outcomes: dict[str, Outcome] = {}
    for key, theirs in file.items():
        ours = register.get(key)
        if theirs == ours:
            continue
        was = base.get(key, ours)
        if theirs == was:
            outcomes[key] = Outcome.KEPT
        elif ours == was:
            outcomes[key] = Outcome.TAKE
        else:
            outcomes[key] = Outcome.CONFLICT
    # Completed in the bot, then given a later deadline by the file: the e-office still
    # sees the task open. Moving the deadline would hide that disagreement, so ask.
    if (
        outcomes.get(DEADLINE) is Outcome.TAKE
        and outcomes.get(COMPLETED) is Outcome.KEPT
        and register.get(COMPLETED) is not None
        and _later(file.get(DEADLINE), register.get(DEADLINE))
    ):
        outcomes[DEADLINE] = Outcome.CONFLICT
    return outcomes


def resolve(outcome: Outcome, prefer: Prefer) -> bool:
    """Whether the file's value is written."""
    return outcome is Outcome.TAKE or (outcome is Outcome.CONFLICT and prefer is Prefer.FILE)
