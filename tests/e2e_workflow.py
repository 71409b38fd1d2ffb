"""What the end-to-end tests of /done, /extend and the review share: a small register with
two admins, the actors, and the rows and figures to check after each step."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from bot.models import Period, PeriodFigures, Role, Task, YearFigures
from bot.services.reminders import flush
from storage.figures import load_figures
from storage.register import get_task, task_history
from tests.factories import World, make_person, make_task, small_world
from tests.harness import Actor, Harness
from tests.tgdouble.models import TgMessage

# The clock stands at Wednesday 15/04/2020 09:00 (tests.harness.DEFAULT_NOW).
DEADLINE = date(2020, 4, 20)  # a Monday
CODE = "NV-2020-0345"
TITLE = "Báo cáo tình hình phòng, chống dịch COVID-19"
APRIL = Period(date(2020, 4, 1), date(2020, 4, 30))


@dataclass
class Desk:
    """The register of tests.factories.small_world, a second admin, and one open task."""

    harness: Harness
    world: World
    task: Task
    officer: Actor
    colleague: Actor
    head: Actor
    admin: Actor
    admin2: Actor
    leader: Actor
    other_officer: Actor


async def open_desk(harness: Harness, *, officer_named: bool = True) -> Desk:
    db = harness.db
    world = await small_world(db)
    second = await make_person(
        db, Role.ADMIN, code="ADMIN2", name="Lý Thị Thẩm Định", telegram_id=1010
    )
    task = await make_task(
        db, world.health, harness.now, code=CODE, title=TITLE, deadline=DEADLINE,
        assigned_on=date(2020, 4, 1), officer=world.officer if officer_named else None,
        assigner="PCT", assigner_id=world.leader.id, doc_number="930/VP-TH",
    )  # fmt: skip
    return Desk(
        harness=harness,
        world=world,
        task=task,
        officer=harness.actor(world.officer),
        colleague=harness.actor(world.colleague),
        head=harness.actor(world.head),
        admin=harness.actor(world.admin),
        admin2=harness.actor(second),
        leader=harness.actor(world.leader),
        other_officer=harness.actor(world.other_officer),
    )


async def task_now(desk: Desk, code: str = CODE) -> Task:
    task = await get_task(desk.harness.db, code=code)
    assert task is not None
    return task


async def event_kinds(desk: Desk, code: str = CODE) -> list[str]:
    task = await task_now(desk, code)
    return [event.kind for event in await task_history(desk.harness.db, task.id)]


async def delivered(desk: Desk) -> None:
    """Wait until the notices of decisions (sent through the reminders' outbox, which the
    decision nudged) have left."""
    assert desk.harness.app is not None
    await flush(desk.harness.app)


def latest(actor: Actor) -> TgMessage:
    """The last message the bot sent to this actor."""
    return actor.inbox[-1]


async def figures(desk: Desk, as_of: date) -> tuple[PeriodFigures, YearFigures]:
    """April 2020 as `dondoc stats` counts it on `as_of`."""
    found = await load_figures(desk.harness.db, period=APRIL, as_of=as_of)
    return found.period_figures, found.year_figures


async def refused(desk: Desk, text: str, expected: str, *, actor: str = "officer") -> None:
    """The sender gets `expected`, and nothing changed: the task and its history."""
    task, history = await task_now(desk), await event_kinds(desk)
    [reply] = await getattr(desk, actor).send(text)
    assert reply.text == expected
    assert (await task_now(desk), await event_kinds(desk)) == (task, history)
