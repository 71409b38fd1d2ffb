"""The bot's changes handed back to the e-office: /export for admins in the bot and
`dondoc export changes`, one row per decision."""

from __future__ import annotations

import csv
import io
from datetime import timedelta
from pathlib import Path

import openpyxl

from tests.e2e_workflow import CODE, Desk, delivered, latest, open_desk
from tests.harness import Harness

REASON = "Chờ ý kiến thẩm định của Bộ Y tế về phương án"
HEADER = [
    "Mã nhiệm vụ", "Số, ký hiệu văn bản", "Thay đổi", "Ngày hoàn thành",
    "Số, ký hiệu văn bản trả lời", "Hạn cũ", "Hạn mới", "Kết quả hoặc lý do",
    "Người quyết định", "Thời điểm quyết định",
]  # fmt: skip


async def decided(harness: Harness) -> Desk:
    """An extension granted at 09:00, then a report accepted at 09:30, on 15/04/2020."""
    desk = await open_desk(harness)
    await desk.officer.send(f"/extend {CODE} 30/04/2020 {REASON}")
    await delivered(desk)
    await desk.admin.press(latest(desk.admin), "✅ Gia hạn")
    harness.clock.advance(timedelta(minutes=30))
    await desk.officer.send(f"/done {CODE} Đã có Báo cáo số 123/BC-SNV")
    await delivered(desk)
    await desk.admin.press(latest(desk.admin), "✅ Chấp nhận")
    await delivered(desk)
    return desk


def sheet_rows(data: bytes) -> list[list[object]]:
    sheet = openpyxl.load_workbook(io.BytesIO(data), read_only=True).worksheets[0]
    return [list(row) for row in sheet.iter_rows(values_only=True)]


async def test_an_admin_gets_the_changes_of_the_last_days_as_a_sheet(harness: Harness) -> None:
    desk = await decided(harness)
    replies = await desk.admin.send("/export")
    [document] = [m for m in replies if m.method == "sendDocument"]
    assert document.json["document"]["file_name"] == "thay-doi-2020-04-09-2020-04-15.xlsx"
    assert document.json["caption"] == (
        "Thay đổi trong bot từ 09/04/2020 đến 15/04/2020: 2 dòng (nhập lại vào hệ thống văn "
        "bản điện tử)."
    )
    rows = sheet_rows(harness.tg.file_bytes(document.json["document"]["file_id"]))
    assert rows[0] == HEADER
    extended, completed = rows[1:]
    admin_name = "Trần Thị Văn Phòng"
    assert extended[:3] == [CODE, "930/VP-TH", "Gia hạn"]
    assert [str(v)[:10] for v in extended[5:7]] == ["2020-04-20", "2020-04-30"]
    assert extended[7:] == [REASON, admin_name, "15/04/2020 09:00"]
    assert completed[:3] == [CODE, "930/VP-TH", "Hoàn thành"]
    assert (str(completed[3])[:10], completed[4]) == ("2020-04-15", "123/BC-SNV")
    assert completed[7:] == ["Đã có Báo cáo số 123/BC-SNV", admin_name, "15/04/2020 09:30"]

    [nothing] = await desk.admin.send("/export 01/04/2020 14/04/2020")
    assert nothing.json["caption"].endswith(": 0 dòng (nhập lại vào hệ thống văn bản điện tử).")
    [wrong] = await desk.admin.send("/export 15/04/2020 01/04/2020")
    assert wrong.text is not None and wrong.text.startswith("Viết ngày dạng dd/mm/yyyy")
    officer_replies = await desk.officer.send("/export")
    assert all(m.method != "sendDocument" for m in officer_replies)  # admins only


async def test_the_command_writes_the_same_rows(harness: Harness, tmp_path: Path) -> None:
    await decided(harness)
    out = tmp_path / "changes.csv"
    done = await harness.cli("export", "changes", "--since", "15/04/2020", str(out))
    assert done.code == 0, done.err
    assert done.out.startswith("Đã xuất 2 thay đổi trong bot từ 15/04/2020 đến ")
    rows = list(csv.reader(io.StringIO(out.read_text(encoding="utf-8-sig"))))
    assert rows[0] == HEADER
    assert [row[2] for row in rows[1:]] == ["Gia hạn", "Hoàn thành"]
    assert rows[1][5:7] == ["20/04/2020", "30/04/2020"]
    assert rows[2][3:5] == ["15/04/2020", "123/BC-SNV"]  # completed on, the reply document

    later = await harness.cli("export", "changes", "--since", "16/04/2020", str(out))
    assert later.out.startswith("Đã xuất 0 thay đổi")
    missing = await harness.cli("export", "changes", str(out))
    assert missing.code == 2
    assert "cần --since" in missing.err
