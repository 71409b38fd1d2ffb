"""The workflow's pure rules: who reports, what a report or a request must satisfy."""

from __future__ import annotations

from datetime import date

import pytest

from bot.config import WorkflowSettings
from bot.models import DeadlineChange, ItemKind, Person, Refusal, ReportState, Role, Task
from bot.workdays import WorkCalendar
from bot.workflow import (
    document_numbers,
    extension_refusal,
    last_day_to_ask,
    looks_like_code,
    may_review,
    new_deadline_refusal,
    report_refusal,
    split_word,
    text_refusal,
)

CALENDAR = WorkCalendar()
SETTINGS = WorkflowSettings()
OFFICER = Person(id=1, code="CB1", name="Nguyễn Văn An", role=Role.OFFICER, unit_id=10)
COLLEAGUE = Person(id=2, code="CB2", name="Trần Thị Bình", role=Role.OFFICER, unit_id=10)
HEAD = Person(id=3, code="GD", name="Lê Văn Cường", role=Role.HEAD, unit_id=10)
STRANGER = Person(id=4, code="CB9", name="Phạm Văn Dũng", role=Role.OFFICER, unit_id=20)
ADMIN = Person(id=5, code="VP", name="Hoàng Thị Én", role=Role.ADMIN)
LEADER = Person(id=6, code="PCT", name="Vũ Văn Giang", role=Role.LEADER)
OTHER_LEADER = Person(id=7, code="CT", name="Đỗ Văn Hải", role=Role.LEADER)


def task(**changes: object) -> Task:
    values: dict[str, object] = {
        "id": 100,
        "code": "NV-2020-0001",
        "title": "Báo cáo tình hình",
        "lead_unit_id": 10,
        "assigned_on": date(2020, 3, 2),
        "original_deadline": date(2020, 5, 4),
        "deadline": date(2020, 5, 4),
        "assigner_id": LEADER.id,
    }
    values.update(changes)
    return Task(**values)  # type: ignore[arg-type]


# --- reply documents -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "found"),
    [
        ("Đã có Báo cáo số 123/BC-SNV ngày 10/4/2020", ("123/BC-SNV",)),
        ("Theo 45/QĐ-UBND và 12/2020/TT-BTC.", ("45/QĐ-UBND", "12/2020/TT-BTC")),
        ("Công văn 01/CT-TTg, công văn 01/CT-TTg", ("01/CT-TTg",)),
        ("Hoàn thành ngày 15/04/2020, đạt 100%", ()),
        ("Đã xong 2/3 khối lượng", ()),
        ("Xem tại https://x.vn/123/BC-SNV", ()),
    ],
)
def test_document_numbers_are_recognised_in_a_result(text: str, found: tuple[str, ...]) -> None:
    assert document_numbers(text) == found


# --- texts ---------------------------------------------------------------------------------


def test_an_empty_result_is_refused() -> None:
    assert text_refusal("  \n ", what="result", max_length=1000) == Refusal("result_empty")


def test_a_result_over_the_cap_is_refused_with_the_cap() -> None:
    assert text_refusal("x" * 5000, what="result", max_length=1000) == Refusal(
        "result_long", {"cap": 1000, "length": 5000}
    )
    assert text_refusal("x" * 1000, what="result", max_length=1000) is None


def test_a_reason_needs_enough_words() -> None:
    assert text_refusal("chờ", what="reason", max_length=1000, min_words=3) == Refusal(
        "reason_short", {"words": 3}
    )
    assert text_refusal("chờ ý kiến Bộ", what="reason", max_length=1000, min_words=3) is None


def test_a_refusal_names_its_catalogue_text() -> None:
    assert Refusal("date_past").key == "wf.no.date_past"


# --- who reports ---------------------------------------------------------------------------


def test_the_named_officer_and_the_head_may_report_but_a_colleague_may_not() -> None:
    named = task(officer_id=OFFICER.id)
    assert report_refusal(OFFICER, named) is None
    assert report_refusal(HEAD, named) is None
    assert report_refusal(COLLEAGUE, named) == Refusal("not_reporter")


def test_any_officer_of_the_lead_unit_reports_when_none_is_named() -> None:
    assert report_refusal(COLLEAGUE, task()) is None


def test_another_unit_admins_and_leaders_may_not_report() -> None:
    assert report_refusal(STRANGER, task()) == Refusal("other_unit")
    assert report_refusal(ADMIN, task()) == Refusal("not_reporter")
    assert report_refusal(LEADER, task()) == Refusal("not_reporter")


def test_a_completed_task_or_a_waiting_report_refuses_another_report() -> None:
    assert report_refusal(OFFICER, task(completed_on=date(2020, 4, 1))) == Refusal(
        "completed", {"on": date(2020, 4, 1)}
    )
    assert report_refusal(OFFICER, task(report_state=ReportState.PENDING)) == Refusal(
        "report_pending"
    )
    assert report_refusal(OFFICER, task(report_state=ReportState.RETURNED)) is None


# --- extension requests --------------------------------------------------------------------


def ask(
    new_deadline: date,
    *,
    today: date = date(2020, 4, 20),
    reason: str = "Chờ ý kiến của Bộ Y tế",
    the_task: Task | None = None,
    settings: WorkflowSettings = SETTINGS,
    request_open: bool = False,
) -> Refusal | None:
    return extension_refusal(
        OFFICER,
        the_task or task(),
        new_deadline=new_deadline,
        reason=reason,
        today=today,
        settings=settings,
        calendar=CALENDAR,
        request_open=request_open,
    )


def test_a_good_request_is_accepted() -> None:
    assert ask(date(2020, 5, 15)) is None


def test_the_new_date_must_be_later_than_the_deadline_in_force() -> None:
    assert ask(date(2020, 5, 4)) == Refusal(
        "date_not_later", {"date": date(2020, 5, 4), "deadline": date(2020, 5, 4)}
    )


def test_a_date_in_the_past_is_refused_first() -> None:
    assert ask(date(2020, 4, 1)) == Refusal(
        "date_past", {"date": date(2020, 4, 1), "today": date(2020, 4, 20)}
    )


def test_at_most_max_extension_days_after_the_deadline() -> None:
    settings = WorkflowSettings(max_extension_days=30)
    assert ask(date(2020, 6, 3), settings=settings) is None
    assert ask(date(2020, 6, 4), settings=settings) == Refusal(
        "date_too_far", {"days": 30, "deadline": date(2020, 5, 4)}
    )


def test_requests_are_taken_until_the_deadline_day_by_default() -> None:
    assert ask(date(2020, 5, 15), today=date(2020, 5, 4)) is None
    assert ask(date(2020, 5, 15), today=date(2020, 5, 5)) == Refusal(
        "too_late", {"last_day": date(2020, 5, 4), "deadline": date(2020, 5, 4)}
    )


def test_the_request_window_counts_working_days_over_the_holidays() -> None:
    # 04/05/2020 is a Monday after the 30/4 and 1/5 holidays: two working days before it
    # is Tuesday 28/04.
    settings = WorkflowSettings(extend_until=2)
    assert last_day_to_ask(date(2020, 5, 4), settings, CALENDAR) == date(2020, 4, 28)
    assert ask(date(2020, 5, 15), today=date(2020, 4, 28), settings=settings) is None
    assert ask(date(2020, 5, 15), today=date(2020, 4, 29), settings=settings) == Refusal(
        "too_late", {"last_day": date(2020, 4, 28), "deadline": date(2020, 5, 4)}
    )


def test_no_more_than_max_extensions_are_granted() -> None:
    granted = DeadlineChange(
        task_id=100,
        old_deadline=date(2020, 4, 20),
        new_deadline=date(2020, 5, 4),
        granted_on=date(2020, 4, 10),
    )
    settings = WorkflowSettings(max_extensions=1)
    assert ask(date(2020, 5, 15), the_task=task(extensions=(granted,)), settings=settings) == (
        Refusal("too_many", {"count": 1})
    )


def test_one_open_request_per_task() -> None:
    assert ask(date(2020, 5, 15), request_open=True) == Refusal("request_open")


def test_the_reason_is_required() -> None:
    assert ask(date(2020, 5, 15), reason="") == Refusal("reason_empty")
    assert ask(date(2020, 5, 15), reason="y" * 5000) == Refusal(
        "reason_long", {"cap": 1000, "length": 5000}
    )


def test_a_completed_task_or_one_without_deadline_cannot_be_extended() -> None:
    assert ask(date(2020, 5, 15), the_task=task(completed_on=date(2020, 4, 2))) == Refusal(
        "completed", {"on": date(2020, 4, 2)}
    )
    assert ask(date(2020, 5, 15), the_task=task(deadline=None, original_deadline=None)) == (
        Refusal("no_deadline")
    )


def test_a_reviewer_may_set_any_later_date_within_the_cap() -> None:
    assert (
        new_deadline_refusal(
            date(2020, 5, 4), date(2020, 5, 5), today=date(2020, 5, 4), settings=SETTINGS
        )
        is None
    )


# --- reviewers -----------------------------------------------------------------------------


def test_admins_review_everything_and_the_assigning_leader_extensions_when_configured() -> None:
    the_task = task()
    assert may_review(ADMIN, ItemKind.REPORT, the_task, leaders_review=False)
    assert may_review(ADMIN, ItemKind.EXTENSION, the_task, leaders_review=False)
    assert not may_review(LEADER, ItemKind.EXTENSION, the_task, leaders_review=False)
    assert may_review(LEADER, ItemKind.EXTENSION, the_task, leaders_review=True)
    assert not may_review(OTHER_LEADER, ItemKind.EXTENSION, the_task, leaders_review=True)
    assert not may_review(LEADER, ItemKind.REPORT, the_task, leaders_review=True)
    assert not may_review(HEAD, ItemKind.EXTENSION, the_task, leaders_review=True)


# --- commands ------------------------------------------------------------------------------


def test_a_command_splits_into_its_first_word_and_the_rest() -> None:
    assert split_word("  NV-1   Đã gửi  báo cáo ") == ("NV-1", "Đã gửi  báo cáo")
    assert split_word("") == ("", "")


def test_a_task_code_is_told_from_a_result() -> None:
    assert looks_like_code("NV-2020-0345")
    assert looks_like_code("nv-2020-0345")
    assert not looks_like_code("Đã")
    assert not looks_like_code("123/BC-SNV")
    assert not looks_like_code("15/04")
