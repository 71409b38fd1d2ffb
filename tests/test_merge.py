"""The import's three-way merge: the file, what the last import brought, and the register.

The issue's two scenarios on the sample province (a /done accepted and an extension granted
in the bot, then the same tasks.csv imported again), the rules field by field, conflicts and
`--prefer file`, `--dry-run`, the history, and a property test of the pure merge.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import openpyxl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.import_summary import summary_lines
from bot.importer import ImportResult
from bot.merge import COMPLETED, DEADLINE, Outcome, merge_fields, resolve
from bot.models import ExtensionRequest, ImportKind, Prefer, Task, Value
from bot.sample import write_sample
from bot.services.imports import import_file
from bot.status import Status, status_on
from bot.workflow_views import event_line
from storage import Database
from storage.register import all_tasks, get_person, get_task, task_history
from storage.workflow import accept_report, grant_extension, request_extension, submit_report
from tests.test_import import cli

TODAY = date(2026, 12, 20)
NOW = datetime(2026, 12, 20, 2, 0, tzinfo=UTC)
LATER = NOW + timedelta(hours=6)
TZ = UTC


# --- the pure merge --------------------------------------------------------------------------


def test_a_field_only_the_bot_changed_is_kept() -> None:
    assert merge_fields({"x": "a"}, {"x": "a"}, {"x": "b"}) == {"x": Outcome.KEPT}


def test_a_field_only_the_file_changed_is_taken() -> None:
    assert merge_fields({"x": "c"}, {"x": "a"}, {"x": "a"}) == {"x": Outcome.TAKE}


def test_a_field_both_changed_differently_is_a_conflict_and_equal_changes_need_nothing() -> None:
    assert merge_fields({"x": "c", "y": "d"}, {"x": "a", "y": "a"}, {"x": "b", "y": "d"}) == {
        "x": Outcome.CONFLICT
    }
    assert not resolve(Outcome.CONFLICT, Prefer.REGISTER)
    assert resolve(Outcome.CONFLICT, Prefer.FILE)


def test_without_a_base_the_register_is_the_base() -> None:
    """A row from before the upgrade: the file is taken where it differs, as imports did."""
    assert merge_fields({"x": "c", "y": "a"}, {}, {"x": "a", "y": "a"}) == {"x": Outcome.TAKE}


def test_a_later_deadline_on_a_task_completed_in_the_bot_is_a_conflict() -> None:
    base = {COMPLETED: None, DEADLINE: date(2026, 12, 25)}
    register = {COMPLETED: date(2026, 12, 20), DEADLINE: date(2026, 12, 25)}
    file = {COMPLETED: None, DEADLINE: date(2027, 1, 10)}
    assert merge_fields(file, base, register) == {
        COMPLETED: Outcome.KEPT,
        DEADLINE: Outcome.CONFLICT,
    }
    # An earlier one is a correction the bot has no say in.
    file[DEADLINE] = date(2026, 12, 24)
    assert merge_fields(file, base, register)[DEADLINE] is Outcome.TAKE


KEYS = ("trich_yeu", COMPLETED, DEADLINE)
DAYS: list[Value] = [None, date(2026, 12, 20), date(2026, 12, 25), date(2027, 1, 4)]
VALUES: dict[str, list[Value]] = {"trich_yeu": ["a", "b", "c"], COMPLETED: DAYS, DEADLINE: DAYS}
row = st.fixed_dictionaries({key: st.sampled_from(VALUES[key]) for key in KEYS})


@dataclass
class Model:
    """A register row and its base, as bot/importer.merge writes them."""

    register: dict[str, Value]
    base: dict[str, Value]

    def imported(self, file: dict[str, Value], prefer: Prefer) -> dict[str, Outcome]:
        outcomes = merge_fields(file, self.base, self.register)
        for key, outcome in outcomes.items():
            if resolve(outcome, prefer):
                self.register[key] = file[key]
        self.base = dict(file)
        return outcomes


step = st.one_of(
    st.tuples(st.just("file"), row),
    st.tuples(st.just("bot"), st.sampled_from(KEYS), st.integers(0, 3)),
)


@settings(max_examples=300, deadline=None)
@given(first=row, steps=st.lists(step, max_size=12), prefer=st.sampled_from(list(Prefer)))
def test_no_change_made_in_the_bot_is_lost_unless_the_file_changed_it_too(
    first: dict[str, Value], steps: list[tuple], prefer: Prefer
) -> None:
    model = Model(dict(first), dict(first))
    for action, *args in steps:
        if action == "bot":
            key, pick = args
            model.register[key] = VALUES[key][pick % len(VALUES[key])]
            continue
        file: dict[str, Value] = args[0]
        before, base = dict(model.register), dict(model.base)
        outcomes = model.imported(file, prefer)
        for key in KEYS:
            bot_changed = before[key] != base[key]
            if bot_changed and model.register[key] != before[key]:
                # Lost only where the file changed it too, and then said as a conflict.
                assert file[key] != base[key]
                assert outcomes[key] is Outcome.CONFLICT and prefer is Prefer.FILE
            if not bot_changed and file[key] != base[key] and model.register[key] != file[key]:
                assert outcomes[key] is Outcome.CONFLICT and prefer is Prefer.REGISTER
        # The same file again changes nothing.
        again = dict(model.register)
        outcomes = model.imported(file, prefer)
        assert model.register == again
        assert all(o is Outcome.KEPT for o in outcomes.values())
        # The register exported and imported changes nothing.
        exported = dict(model.register)
        assert model.imported(exported, prefer) == {}
        assert model.register == exported


# --- the sample province -------------------------------------------------------------------


async def sample(db: Database, folder: Path) -> Path:
    """`dondoc sample` and its three imports, as of TODAY; returns the tasks file."""
    files = write_sample(folder, today=TODAY)
    for kind, path in ((ImportKind.UNITS, files.units), (ImportKind.PEOPLE, files.people),
                       (ImportKind.TASKS, files.tasks)):  # fmt: skip
        result = await import_file(db, kind, path, today=TODAY, now=NOW)
        assert result.ok and result.created > 0
    return files.tasks


async def reimport(db: Database, path: Path, **options: object) -> ImportResult:
    result = await import_file(db, ImportKind.TASKS, path, today=TODAY, now=LATER, **options)  # type: ignore[arg-type]
    assert result.ok
    return result


async def open_task(db: Database, *, overdue: bool) -> Task:
    """An open task of the sample with an officer, overdue or not yet due."""
    for task in await all_tasks(db):
        if (
            task.completed_on is None
            and task.deadline is not None
            and task.officer_id
            and (task.deadline < TODAY) == overdue
            and task.report_state is None
        ):
            return task
    raise AssertionError("the sample has no such task")


async def accept_done(db: Database, task: Task) -> None:
    """/done by the task's officer, accepted by the Office."""
    assert task.officer_id is not None
    filed = await submit_report(
        db, task_id=task.id, person_id=task.officer_id, now=NOW, today=TODAY, result="Đã xong",
        reply_doc="12/BC-SYT", file_id=None, file_kind=None, review=True,
        check=lambda t: None,
    )  # fmt: skip
    assert isinstance(filed, tuple)
    admin = await get_person(db, code="VP01")
    assert admin is not None
    decision = await accept_report(db, report_id=filed[0].id, person_id=admin.id, now=NOW)
    assert decision.taken


async def grant_more_time(db: Database, task: Task, new_deadline: date) -> None:
    """/extend by the task's officer, granted by the Office."""
    assert task.officer_id is not None
    request = await request_extension(
        db, task_id=task.id, person_id=task.officer_id, now=NOW, today=TODAY,
        new_deadline=new_deadline, reason="Chờ số liệu", check=lambda t, open_: None,
    )  # fmt: skip
    assert isinstance(request, ExtensionRequest)
    admin = await get_person(db, code="VP01")
    assert admin is not None
    decided = await grant_extension(
        db, request_id=request.id, person_id=admin.id, now=NOW, today=TODAY, check=lambda t: None
    )
    assert getattr(decided, "taken", False)


async def test_a_completion_accepted_in_the_bot_survives_the_same_file(
    db: Database, tmp_path: Path
) -> None:
    """Issue 11, scenario 1: on main the task came back open and overdue."""
    path = await sample(db, tmp_path)
    task = await open_task(db, overdue=True)
    await accept_done(db, task)
    result = await reimport(db, path)
    after = await get_task(db, id=task.id)
    assert after is not None
    assert after.completed_on == TODAY
    assert status_on(after, TODAY) is not Status.OPEN_OVERDUE
    assert (result.updated, result.kept, result.conflicts) == (0, 1, ())
    assert result.unchanged == result.created + result.unchanged  # nothing created either


async def test_an_extension_granted_in_the_bot_survives_the_same_file(
    db: Database, tmp_path: Path
) -> None:
    """Issue 11, scenario 2: on main the deadline went back to the file's."""
    path = await sample(db, tmp_path)
    task = await open_task(db, overdue=False)
    assert task.deadline is not None
    moved = task.deadline + timedelta(days=30)
    await grant_more_time(db, task, moved)
    result = await reimport(db, path)
    after = await get_task(db, id=task.id)
    assert after is not None and after.deadline == moved
    assert (result.updated, result.kept, result.conflicts) == (0, 1, ())


def rewrite(path: Path, code: str, **cells: str) -> Path:
    """The tasks file with one row's cells (by Vietnamese label) changed, as the e-office
    would export it next week."""
    with path.open(encoding="utf-8-sig", newline="") as src:
        rows = list(csv.reader(src))
    header = rows[0]
    for cells_row in rows[1:]:
        if cells_row[0] == code:
            for label, value in cells.items():
                cells_row[header.index(label)] = value
    out = path.with_name("tasks_next.csv")
    with out.open("w", encoding="utf-8-sig", newline="") as dst:
        csv.writer(dst).writerows(rows)
    return out


async def test_a_deadline_the_file_moved_is_taken_and_granted_as_an_extension(
    db: Database, tmp_path: Path
) -> None:
    path = await sample(db, tmp_path)
    task = await open_task(db, overdue=False)
    assert task.deadline is not None
    moved = task.deadline + timedelta(days=10)
    result = await reimport(
        db, rewrite(path, task.code, **{"Hạn xử lý": moved.strftime("%d/%m/%Y")})
    )
    after = await get_task(db, id=task.id)
    assert after is not None and after.deadline == moved
    assert after.extended_on == TODAY and after.original_deadline == task.original_deadline
    assert (result.updated, result.kept, result.conflicts) == (1, 0, ())
    [change] = result.changes
    assert change.code == task.code and change.fields == {DEADLINE: (task.deadline, moved)}


async def test_the_files_own_completion_is_taken_when_the_bot_has_none(
    db: Database, tmp_path: Path
) -> None:
    path = await sample(db, tmp_path)
    task = await open_task(db, overdue=True)
    done = TODAY - timedelta(days=1)
    await reimport(db, rewrite(path, task.code, **{"Ngày hoàn thành": done.strftime("%d/%m/%Y")}))
    after = await get_task(db, id=task.id)
    assert after is not None and after.completed_on == done


async def test_completed_in_the_bot_and_a_later_deadline_in_the_file_is_a_conflict(
    db: Database, tmp_path: Path
) -> None:
    path = await sample(db, tmp_path)
    task = await open_task(db, overdue=True)
    assert task.deadline is not None
    await accept_done(db, task)
    later = TODAY + timedelta(days=20)
    changed = rewrite(path, task.code, **{"Hạn xử lý": later.strftime("%d/%m/%Y")})
    result = await reimport(db, changed)
    after = await get_task(db, id=task.id)
    assert after is not None and (after.completed_on, after.deadline) == (TODAY, task.deadline)
    [conflict] = result.conflicts
    assert (conflict.code, conflict.field, conflict.base, conflict.register, conflict.file) == (
        task.code, DEADLINE, task.deadline, task.deadline, later,
    )  # fmt: skip
    assert conflict.kept is Prefer.REGISTER
    # The same file again: the Office has seen it; nothing more to say.
    again = await reimport(db, changed)
    assert (again.updated, again.conflicts) == (0, ())


async def test_prefer_file_takes_the_files_value_on_a_conflict(
    db: Database, tmp_path: Path
) -> None:
    path = await sample(db, tmp_path)
    task = await open_task(db, overdue=False)
    assert task.deadline is not None
    await grant_more_time(db, task, task.deadline + timedelta(days=30))
    theirs = task.deadline + timedelta(days=5)
    changed = rewrite(path, task.code, **{"Hạn xử lý": theirs.strftime("%d/%m/%Y")})
    kept = await reimport(db, changed, dry_run=True)
    assert [c.kept for c in kept.conflicts] == [Prefer.REGISTER]
    result = await reimport(db, changed, prefer=Prefer.FILE)
    [conflict] = result.conflicts
    assert (conflict.register, conflict.file, conflict.kept) == (
        task.deadline + timedelta(days=30), theirs, Prefer.FILE,
    )  # fmt: skip
    after = await get_task(db, id=task.id)
    assert after is not None and after.deadline == theirs


async def test_a_dry_run_writes_nothing(db: Database, tmp_path: Path) -> None:
    path = await sample(db, tmp_path)
    task = await open_task(db, overdue=False)
    changed = rewrite(path, task.code, **{"Trích yếu": "Trích yếu mới"})
    before = await db.fetchval("SELECT count(*) FROM task_events")
    result = await reimport(db, changed, dry_run=True)
    assert (result.updated, result.dry_run) == (1, True)
    assert result.changes[0].fields == {"trich_yeu": (task.title, "Trích yếu mới")}
    after = await get_task(db, id=task.id)
    assert after is not None and after.title == task.title
    assert await db.fetchval("SELECT count(*) FROM task_events") == before
    # Nor was the base moved: the real import still takes the title.
    assert (await reimport(db, changed)).updated == 1


async def test_rows_from_before_the_upgrade_take_the_register_as_their_base(
    db: Database, tmp_path: Path
) -> None:
    """No base yet (as after the migration): nothing changes on upgrade; the file is
    taken where it differs, as imports did; from then on the bot's changes are kept."""
    path = await sample(db, tmp_path)
    await db.execute("DELETE FROM import_base")
    same = await reimport(db, path)
    assert (same.updated, same.kept, same.conflicts) == (0, 0, ())
    assert await db.fetchval("SELECT count(*) FROM import_base WHERE kind = 'tasks'") == (
        same.unchanged
    )
    task = await open_task(db, overdue=True)
    await accept_done(db, task)
    await reimport(db, path)
    after = await get_task(db, id=task.id)
    assert after is not None and after.completed_on == TODAY


async def test_the_history_says_what_changed_and_where_from(db: Database, tmp_path: Path) -> None:
    path = await sample(db, tmp_path)
    task = await open_task(db, overdue=False)
    assert task.deadline is not None
    moved = task.deadline + timedelta(days=15)
    new = moved.strftime("%d/%m/%Y")
    await reimport(db, rewrite(path, task.code, **{"Hạn xử lý": new}))
    events = await task_history(db, task.id)
    line = event_line("vi", events[-1], {}, TZ)
    old = task.deadline.strftime("%d/%m/%Y")
    assert f"Cập nhật từ tasks_next.csv: Hạn xử lý: {old} → {new}" in line
    assert events[-1].detail["fields"] == {DEADLINE: [task.deadline.isoformat(), moved.isoformat()]}


def test_old_import_events_stay_readable() -> None:
    from bot.models import TaskEvent

    old = TaskEvent(
        id=1, task_id=1, at=NOW, kind="import_changed", actor_id=None,
        detail={"han_xu_ly": ["2026-12-25", "2027-01-04"]},
    )  # fmt: skip
    assert "Cập nhật từ tệp nhập: Hạn xử lý: 25/12/2026 → 04/01/2027" in event_line(
        "vi", old, {}, TZ
    )


# --- the command ---------------------------------------------------------------------------


def test_the_command_prints_conflicts_writes_them_and_exits_0(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    files = write_sample(tmp_path / "s", today=date.today())  # noqa: DTZ011 - the command's today
    for kind, path in (("units", files.units), ("people", files.people), ("tasks", files.tasks)):
        assert cli(tmp_path, "import", kind, str(path)) == 0
    code = "x"
    with files.tasks.open(encoding="utf-8-sig") as src:
        code = list(csv.reader(src))[1][0]
    first = rewrite(files.tasks, code, **{"Trích yếu": "Bản của Văn phòng"})
    assert cli(tmp_path, "import", "tasks", str(first)) == 0
    capsys.readouterr()
    # The bot (here: the register) and the file both change the title, differently.
    import asyncio

    async def edit() -> None:
        db = await Database.open(tmp_path / "cli.sqlite3")
        try:
            await db.execute("UPDATE tasks SET title = 'Sửa trong bot' WHERE code = ?", (code,))
        finally:
            await db.close()

    asyncio.run(edit())
    second = rewrite(first, code, **{"Trích yếu": "Bản mới của tệp"})
    out = tmp_path / "xung_dot.xlsx"
    assert cli(tmp_path, "import", "tasks", str(second), "--dry-run") == 0
    dry = capsys.readouterr().out.splitlines()
    assert dry[0].startswith("Chạy thử, chưa ghi gì: nhập nhiệm vụ từ tasks_next.csv sẽ có 0 mới,")
    assert cli(tmp_path, "import", "tasks", str(second), "--conflicts", str(out)) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].endswith("1 xung đột.")
    assert lines[1:] == [
        "Xung đột (cả tệp và bot cùng sửa một trường, khác nhau):",
        f"  {code}, «Trích yếu»: lần nhập trước «Bản của Văn phòng», trong sổ «Sửa trong bot»,"
        " trong tệp «Bản mới của tệp»; giữ giá trị trong sổ",
        f"Đã ghi 1 xung đột ra {out}.",
    ]
    sheet = openpyxl.load_workbook(out).worksheets[0]
    assert [list(r) for r in sheet.iter_rows(values_only=True)] == [
        ["Mã", "Trường", "Lần nhập trước", "Trong sổ", "Trong tệp", "Đã giữ"],
        [code, "Trích yếu", "Bản của Văn phòng", "Sửa trong bot", "Bản mới của tệp",
         "giá trị trong sổ"],
    ]  # fmt: skip


def test_the_summary_shows_the_changed_fields_of_a_dry_run() -> None:
    from bot.models import RowChange

    result = ImportResult(
        ImportKind.TASKS, updated=1, unchanged=2, source="tasks.csv", dry_run=True,
        changes=(RowChange("NV-1", {DEADLINE: (date(2026, 12, 25), date(2027, 1, 4))}),),
    )  # fmt: skip
    assert summary_lines(result, "vi", details=True) == [
        "Chạy thử, chưa ghi gì: nhập nhiệm vụ từ tasks.csv sẽ có 0 mới, 1 cập nhật, 2 không đổi;"
        " giữ 0 trường đã sửa trong bot; 0 xung đột.",
        "  NV-1: Hạn xử lý: 25/12/2026 → 04/01/2027",
    ]


async def test_a_short_file_on_a_large_register_reads_only_its_rows(
    db: Database, tmp_path: Path
) -> None:
    """One row of 500, its code typed in lower case: found, merged, its base kept."""
    path = await sample(db, tmp_path)
    task = await open_task(db, overdue=True)
    await accept_done(db, task)
    with path.open(encoding="utf-8-sig", newline="") as src:
        header, *rows = list(csv.reader(src))
    [row] = [r for r in rows if r[0] == task.code]
    row[0] = task.code.lower()
    row[header.index("Trích yếu")] = "Trích yếu mới"
    short = tmp_path / "one.csv"
    with short.open("w", encoding="utf-8-sig", newline="") as out:
        csv.writer(out).writerows([header, row])
    result = await reimport(db, short)
    assert (result.created, result.updated, result.kept, result.conflicts) == (0, 1, 1, ())
    after = await get_task(db, id=task.id)
    assert after is not None and (after.title, after.completed_on) == ("Trích yếu mới", TODAY)


async def test_the_registers_own_export_imported_changes_nothing(
    db: Database, tmp_path: Path
) -> None:
    from bot.services.exports import export_file

    path = await sample(db, tmp_path)
    done, later = await open_task(db, overdue=True), await open_task(db, overdue=False)
    await accept_done(db, done)
    assert later.deadline is not None
    await grant_more_time(db, later, later.deadline + timedelta(days=30))
    await reimport(db, path)
    before = await all_tasks(db)
    for suffix in ("csv", "xlsx"):
        out = tmp_path / f"export.{suffix}"
        await export_file(db, ImportKind.TASKS, out, today=TODAY, lang="vi", due_soon_days=3)
        result = await reimport(db, out)
        assert (result.created, result.updated, result.conflicts) == (0, 0, ())
        assert await all_tasks(db) == before


def test_a_conflicts_file_of_another_kind_is_refused_before_importing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    files = write_sample(tmp_path / "s", today=date.today())  # noqa: DTZ011 - the command's today
    assert cli(tmp_path, "import", "units", str(files.units), "--conflicts", "x.txt") == 1
    assert capsys.readouterr().err == "x.txt: chỉ xuất được ra tệp .csv hoặc .xlsx.\n"
    assert cli(tmp_path, "import", "units", str(files.units)) == 0
    assert ": 0 mới" not in capsys.readouterr().out  # the first did not import
