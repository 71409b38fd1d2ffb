"""Who may do what: pure rules over a person, a task and the commands of the bot.

Handlers state the roles they need with `handlers.access.requires`; the rules behind a
decision about one task (may this person see it, report on it) live here, so that every
handler and every later feature asks the same question the same way.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from bot.models import Person, Role, Task

ALL_ROLES: frozenset[Role] = frozenset(Role)
# Who sees the task lists of /tasks; leaders and admins are pointed to the figures instead.
UNIT_ROLES: frozenset[Role] = frozenset({Role.HEAD, Role.OFFICER})


def may_view(person: Person, task: Task) -> bool:
    """Admins and leaders see every task; heads and officers their unit's tasks (lead or
    cooperating)."""
    if person.role in (Role.ADMIN, Role.LEADER):
        return True
    if person.unit_id is None:
        return False
    return person.unit_id == task.lead_unit_id or person.unit_id in task.cooperating_unit_ids


def may_report(person: Person, task: Task) -> bool:
    """Who may report completion or ask for more time: the task's named officer; when none
    is named, the lead unit's officers; the lead unit's head always. These are also the
    tasks on the person's /tasks list."""
    if person.role == Role.HEAD:
        return person.unit_id is not None and person.unit_id == task.lead_unit_id
    if person.role == Role.OFFICER:
        if task.officer_id is not None:
            return task.officer_id == person.id
        return person.unit_id is not None and person.unit_id == task.lead_unit_id
    return False


@dataclass(frozen=True, slots=True)
class MenuCommand:
    """A command in the Telegram menu and in /help, for the roles that may use it.

    Its texts live in the catalogues: `cmd.<name>` (the menu line, at most 256 characters)
    and `help.<name>` (what it does, with an example, for /help).
    """

    name: str
    roles: frozenset[Role]
    groups: bool = False

    @property
    def description_key(self) -> str:
        return f"cmd.{self.name}"

    @property
    def help_key(self) -> str:
        return f"help.{self.name}"


def menu_for(commands: Iterable[MenuCommand], role: Role) -> list[MenuCommand]:
    """The commands a person of `role` may use, in the order they were declared, once each."""
    seen: set[str] = set()
    found = []
    for command in commands:
        if role in command.roles and command.name not in seen:
            seen.add(command.name)
            found.append(command)
    return found


def menu_signature(entries: Sequence[tuple[str, str]]) -> str:
    """A short fingerprint of one menu (command, description): it is set again on change."""
    text = "\n".join(f"{name}\t{description}" for name, description in entries)
    return hashlib.sha256(text.encode()).hexdigest()[:16]
