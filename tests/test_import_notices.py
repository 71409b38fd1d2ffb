"""The notices of an import: one message per person per import, listing the most urgent."""

from __future__ import annotations

import asyncio
import json
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from bot.config import Settings
from bot.import_notices import import_notices
from bot.models import OpenTask, PlannedReminder, Recipient, ReminderKind, Role, TaskLine
from bot.reminders.policy import Policy
from bot.reminders.render import Notice, plain_text, render
from storage import Database
from tests.test_import import cli, write_csv

POLICY = Policy.from_settings(Settings())  # Asia/Ho_Chi_Minh, quiet hours 21:00-07:00
NOON = datetime(2020, 4, 20, 5, 0, tzinfo=UTC)  # 12:00 in Hà Nội
NIGHT = datetime(2020, 4, 20, 15, 0, tzinfo=UTC)  # 22:00: the notices wait for 07:00

OFFICER = Recipient(1, Role.OFFICER, unit_id=10)
COLLEAGUE = Recipient(2, Role.OFFICER, unit_id=10)
HEAD = Recipient(3, Role.HEAD, unit_id=10)
LEADER = Recipient(4, Role.LEADER)
OTHER = Recipient(5, Role.OFFICER, unit_id=20)
PEOPLE = [OFFICER, COLLEAGUE, HEAD, LEADER, OTHER]


def task(task_id: int, *, unit: int = 10, officer: int | None = None, due: int | None = 30,
         completed: bool = False) -> OpenTask:  # fmt: skip
    deadline = None if due is None else date(2020, 4, due)
    completed_on = date(2020, 4, 19) if completed else None
    return OpenTask(task_id, unit, deadline, officer_id=officer, completed_on=completed_on)


def shape(notices: list[PlannedReminder]) -> dict[int, tuple[str, str, int | None]]:
    return {n.person_id: (n.kind.value, n.subject, n.task_id) for n in notices}


def test_one_task_is_announced_as_itself_and_many_in_one_message() -> None:
    tasks = [task(100 + i, officer=1, due=30 - i) for i in range(12)] + [task(200, unit=20)]
    notices = import_notices(tasks, PEOPLE, now=NOON, policy=POLICY, batch="b1")
    assert shape(notices) == {1: ("folded", "imported:b1", None), 5: ("assigned", "task:200", 200)}
    digest = next(n for n in notices if n.person_id == 1)
    assert digest.detail["of"] == "imported"
    assert digest.detail["count"] == 12
    # The ten soonest deadlines first (the eleventh and twelfth task are due first).
    assert [item[0] for item in digest.detail["tasks"]] == [111, 110, 109, 108, 107, 106, 105,
                                                           104, 103, 102]  # fmt: skip
    assert digest.detail["tasks"][0] == [111, "2020-04-19", "assigned", 0]
    assert (digest.day, digest.not_before) == (date(2020, 4, 20), NOON)


def test_a_task_without_a_linked_officer_reaches_the_unit_and_completed_ones_nobody() -> None:
    tasks = [task(1), task(2, officer=99), task(3, completed=True), task(4, officer=1, due=None)]
    notices = import_notices(tasks, PEOPLE, now=NOON, policy=POLICY, batch="b")
    assert shape(notices) == {
        1: ("folded", "imported:b", None),  # its own task 4 and the unit's 1 and 2
        2: ("folded", "imported:b", None),
        3: ("folded", "imported:b", None),
    }
    counts = {n.person_id: n.detail["count"] for n in notices}
    assert counts == {1: 3, 2: 2, 3: 2}
    officer = next(n for n in notices if n.person_id == 1)
    assert [item[:2] for item in officer.detail["tasks"]] == [
        [1, "2020-04-30"], [2, "2020-04-30"], [4, None],  # no deadline: last
    ]  # fmt: skip


def test_an_import_at_night_is_announced_in_the_morning_on_that_day() -> None:
    notices = import_notices([task(1, officer=1), task(2, officer=1)], PEOPLE, now=NIGHT,
                             policy=POLICY, batch="b")  # fmt: skip
    [digest] = notices
    assert digest.day == date(2020, 4, 21)  # a digest is for the day it goes out
    assert digest.not_before == datetime(2020, 4, 21, 7, 0, tzinfo=POLICY.tz)


@pytest.mark.parametrize(
    ("lang", "head", "line", "more"),
    [
        ("vi", "📌 13 nhiệm vụ mới được giao cho bạn (Văn phòng vừa nhập vào sổ theo dõi)",
         "• NV-1 — Báo cáo quý (hạn 30/04/2020)", "… và 12 nhiệm vụ khác."),
        ("en", "📌 13 new tasks assigned to you (just imported into the register by the Office)",
         "• NV-1 — Báo cáo quý (deadline 30/04/2020)", "… and 12 more tasks."),
    ],
)  # fmt: skip
def test_the_digest_reads_as_a_count_and_a_list(lang: str, head: str, line: str, more: str) -> None:
    detail = {"of": "imported", "count": 13, "tasks": [[7, "2020-04-30", "assigned", 0]]}
    notice = Notice(ReminderKind.FOLDED, detail, lines={7: TaskLine("NV-1", "Báo cáo quý", None)})
    text = plain_text(render(notice, lang, POLICY).text)
    see = {"vi": "Xem đầy đủ: /tasks", "en": "See them all: /tasks"}[lang]
    assert text.split("\n") == [head, line, more, "", see]


# --- the command -------------------------------------------------------------------------


async def outbox_of(path: Path) -> tuple[list[tuple[str, str, str, str | None, str]], str]:
    """(person, kind, subject, task, detail) of every outbox row; the first listed task."""
    db = await Database.open(path)
    try:
        rows = await db.fetchall(
            "SELECT p.code, o.kind, o.subject, t.code, o.detail FROM outbox o"
            " JOIN people p ON p.id = o.person_id LEFT JOIN tasks t ON t.id = o.task_id"
            " ORDER BY p.code"
        )
        listed = json.loads(rows[0][4])["tasks"][0][0]
        first = await db.fetchval("SELECT code FROM tasks WHERE id = ?", (listed,))
    finally:
        await db.close()
    return [(r[0], r[1], r[2], r[3], r[4]) for r in rows], first


def test_the_import_command_puts_one_notice_per_person_in_the_outbox(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    units = write_csv(tmp_path / "units.csv", [
        {"ma_don_vi": "SYT", "ten_don_vi": "Sở Y tế"},
        {"ma_don_vi": "SNV", "ten_don_vi": "Sở Nội vụ"},
    ])  # fmt: skip
    people = write_csv(tmp_path / "people.csv", [
        {"ma_can_bo": "CV1", "ho_ten": "Trần Thị Bình", "ma_don_vi": "SYT", "vai_tro": "officer",
         "telegram_id": "1001"},
        {"ma_can_bo": "CV2", "ho_ten": "Vi Văn Nam", "ma_don_vi": "SNV", "vai_tro": "officer",
         "telegram_id": "1002"},
        {"ma_can_bo": "CV3", "ho_ten": "Lê Văn Hải", "ma_don_vi": "SNV", "vai_tro": "officer",
         "telegram_id": ""},  # not linked to Telegram: nobody to tell
    ])  # fmt: skip
    tasks = write_csv(tmp_path / "tasks.csv", [
        {"ma_nhiem_vu": f"NV-{i}", "trich_yeu": f"Việc {i}", "don_vi_chu_tri": "SYT",
         "can_bo_xu_ly": "CV1", "ngay_giao": "01/04/2020", "han_xu_ly": f"{30 - i}/04/2020"}
        for i in range(1, 26)
    ] + [
        {"ma_nhiem_vu": "NV-30", "trich_yeu": "Việc của SNV", "don_vi_chu_tri": "SNV",
         "can_bo_xu_ly": "CV2", "ngay_giao": "01/04/2020", "han_xu_ly": "30/04/2020"},
        {"ma_nhiem_vu": "NV-31", "trich_yeu": "Đã xong", "don_vi_chu_tri": "SNV",
         "can_bo_xu_ly": "CV3", "ngay_giao": "01/04/2020", "han_xu_ly": "30/04/2020",
         "ngay_hoan_thanh": "02/04/2020"},
    ])  # fmt: skip
    for kind, path in (("units", units), ("people", people), ("tasks", tasks)):
        assert cli(tmp_path, "import", kind, str(path)) == 0, capsys.readouterr()
    rows, first_listed = asyncio.run(outbox_of(tmp_path / "cli.sqlite3"))
    assert [(r[0], r[1], r[2].split(":")[0], r[3]) for r in rows] == [
        ("CV1", "folded", "imported", None),
        ("CV2", "assigned", "task", "NV-30"),
    ]
    detail = json.loads(rows[0][4])
    assert (detail["of"], detail["count"], len(detail["tasks"])) == ("imported", 25, 10)
    assert first_listed == "NV-25"  # due 05/04/2020, the soonest
