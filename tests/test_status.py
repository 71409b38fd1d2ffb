"""The statuses of DOMAIN.md on their boundary days."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from bot.models import DeadlineChange, Task
from bot.status import (
    Status,
    days_overdue,
    deadline_on,
    exists_on,
    is_due_soon,
    is_extended_on,
    is_open_on,
    status_on,
)

ASSIGNED = date(2020, 3, 2)
D = date(2020, 3, 20)
DAY = timedelta(days=1)


def task(
    deadline: date | None = D,
    completed_on: date | None = None,
    extensions: tuple[tuple[date, date | None], ...] = (),
) -> Task:
    changes, current = [], deadline
    for granted_on, new in extensions:
        changes.append(DeadlineChange(1, current, new, granted_on))
        current = new
    return Task(
        id=1,
        code="NV-1",
        title="t",
        lead_unit_id=1,
        assigned_on=ASSIGNED,
        original_deadline=deadline,
        deadline=current,
        completed_on=completed_on,
        extended_on=extensions[-1][0] if extensions else None,
        extensions=tuple(changes),
    )


def test_open_on_the_deadline_is_in_time_and_the_day_after_overdue() -> None:
    assert status_on(task(), D) is Status.OPEN_IN_TIME
    assert status_on(task(), D + DAY) is Status.OPEN_OVERDUE
    assert days_overdue(task(), D) == 0
    assert days_overdue(task(), D + DAY) == 1
    assert days_overdue(task(), D + 10 * DAY) == 10


def test_completed_on_the_deadline_is_on_time_and_the_day_after_late() -> None:
    assert status_on(task(completed_on=D), D + 30 * DAY) is Status.COMPLETED_ON_TIME
    assert status_on(task(completed_on=D + DAY), D + 30 * DAY) is Status.COMPLETED_LATE
    assert days_overdue(task(completed_on=D + DAY), D + 30 * DAY) == 0


def test_a_completion_counts_only_from_its_day() -> None:
    late = task(completed_on=D + 3 * DAY)
    assert status_on(late, D + 2 * DAY) is Status.OPEN_OVERDUE
    assert is_open_on(late, D + 2 * DAY)
    assert status_on(late, D + 3 * DAY) is Status.COMPLETED_LATE
    assert not is_open_on(late, D + 3 * DAY)


def test_a_task_without_deadline_is_never_overdue_and_on_time_when_completed() -> None:
    assert status_on(task(deadline=None), date(2030, 1, 1)) is Status.OPEN_IN_TIME
    assert days_overdue(task(deadline=None), date(2030, 1, 1)) == 0
    assert status_on(task(None, completed_on=date(2025, 1, 1)), date(2030, 1, 1)) is (
        Status.COMPLETED_ON_TIME
    )


def test_an_extension_counts_from_the_day_it_was_granted() -> None:
    extended = task(extensions=((D + 2 * DAY, D + 10 * DAY),))
    assert deadline_on(extended, D + DAY) == D
    assert status_on(extended, D + DAY) is Status.OPEN_OVERDUE
    assert not is_extended_on(extended, D + DAY)
    assert deadline_on(extended, D + 2 * DAY) == D + 10 * DAY
    assert status_on(extended, D + 2 * DAY) is Status.OPEN_IN_TIME
    assert is_extended_on(extended, D + 2 * DAY)
    assert status_on(extended, D + 11 * DAY) is Status.OPEN_OVERDUE


def test_an_extension_granted_after_the_day_is_ignored() -> None:
    extended = task(completed_on=D + 5 * DAY, extensions=((D + 8 * DAY, D + 10 * DAY),))
    assert status_on(extended, D + 7 * DAY) is Status.COMPLETED_LATE
    assert status_on(extended, D + 8 * DAY) is Status.COMPLETED_ON_TIME


def test_the_deadline_on_a_day_is_the_last_extension_granted_by_then() -> None:
    twice = task(extensions=((D - 5 * DAY, D + 5 * DAY), (D + 3 * DAY, D + 20 * DAY)))
    assert deadline_on(twice, D - 6 * DAY) == D
    assert deadline_on(twice, D - 5 * DAY) == D + 5 * DAY
    assert deadline_on(twice, D + 2 * DAY) == D + 5 * DAY
    assert deadline_on(twice, D + 3 * DAY) == D + 20 * DAY
    same_day = task(extensions=((D, D + 5 * DAY), (D, D + 9 * DAY)))
    assert deadline_on(same_day, D) == D + 9 * DAY


def test_an_extension_that_removes_the_deadline_ends_overdue() -> None:
    removed = task(extensions=((D + 4 * DAY, None),))
    assert status_on(removed, D + 3 * DAY) is Status.OPEN_OVERDUE
    assert status_on(removed, D + 4 * DAY) is Status.OPEN_IN_TIME
    assert is_extended_on(removed, D + 4 * DAY)


@pytest.mark.parametrize(
    ("day", "window", "due_soon"),
    [(D - 7 * DAY, 7, True), (D - 8 * DAY, 7, False), (D, 0, True), (D - DAY, 0, False),
     (D + DAY, 7, False)],
)  # fmt: skip
def test_due_soon_is_open_in_time_within_the_window(day: date, window: int, due_soon: bool) -> None:
    assert is_due_soon(task(), day, window) is due_soon


def test_a_completed_or_deadline_free_task_is_never_due_soon() -> None:
    assert not is_due_soon(task(completed_on=D - 3 * DAY), D - 2 * DAY, 7)
    assert not is_due_soon(task(deadline=None), D, 7)


def test_a_task_exists_from_its_assigned_day() -> None:
    assert not exists_on(task(), ASSIGNED - DAY)
    assert exists_on(task(), ASSIGNED)


def test_statuses_have_stable_names() -> None:
    assert [s.value for s in Status] == [
        "completed_on_time", "completed_late", "open_in_time", "open_overdue",
    ]  # fmt: skip
    assert [s.completed for s in Status] == [True, True, False, False]
