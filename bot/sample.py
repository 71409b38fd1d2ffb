"""A sample province to try dondoc with, and the import templates.

`write_sample(DIR, today=…)` writes units.csv, people.csv and tasks.csv: the departments and
district committees of Lạng Sơn, about a hundred people, and 500 tasks around `today` in
every status. Seeded, so the same day gives the same files. `write_templates(DIR)` writes
the templates of templates/ (Vietnamese labels, two example rows, .csv and .xlsx).
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

from bot.exporter import ExportCell, headers, write_table
from bot.formats import format_date
from bot.importer import COLUMNS, ROLE_LABELS
from bot.models import ImportKind, Role

SEED = 2020
TASKS = 500
OFFICE = "VP"
DEPARTMENT = "Sở, ban, ngành"
DISTRICT = "UBND huyện, thành phố"
UNITS: tuple[tuple[str, str, str], ...] = (
    (OFFICE, "Văn phòng UBND tỉnh", DEPARTMENT),
    ("SNV", "Sở Nội vụ", DEPARTMENT),
    ("STP", "Sở Tư pháp", DEPARTMENT),
    ("SKHDT", "Sở Kế hoạch và Đầu tư", DEPARTMENT),
    ("STC", "Sở Tài chính", DEPARTMENT),
    ("SCT", "Sở Công Thương", DEPARTMENT),
    ("SNNPTNT", "Sở Nông nghiệp và Phát triển nông thôn", DEPARTMENT),
    ("SGTVT", "Sở Giao thông vận tải", DEPARTMENT),
    ("SXD", "Sở Xây dựng", DEPARTMENT),
    ("STNMT", "Sở Tài nguyên và Môi trường", DEPARTMENT),
    ("STTTT", "Sở Thông tin và Truyền thông", DEPARTMENT),
    ("SLDTBXH", "Sở Lao động - Thương binh và Xã hội", DEPARTMENT),
    ("SVHTTDL", "Sở Văn hóa, Thể thao và Du lịch", DEPARTMENT),
    ("SKHCN", "Sở Khoa học và Công nghệ", DEPARTMENT),
    ("SGDDT", "Sở Giáo dục và Đào tạo", DEPARTMENT),
    ("SYT", "Sở Y tế", DEPARTMENT),
    ("TTT", "Thanh tra tỉnh", DEPARTMENT),
    ("BDT", "Ban Dân tộc tỉnh", DEPARTMENT),
    ("BQLKKT", "Ban Quản lý Khu kinh tế cửa khẩu Đồng Đăng - Lạng Sơn", DEPARTMENT),
    ("UBND-TPLS", "UBND thành phố Lạng Sơn", DISTRICT),
    ("UBND-TD", "UBND huyện Tràng Định", DISTRICT),
    ("UBND-VL", "UBND huyện Văn Lãng", DISTRICT),
    ("UBND-VQ", "UBND huyện Văn Quan", DISTRICT),
    ("UBND-BG", "UBND huyện Bình Gia", DISTRICT),
    ("UBND-BS", "UBND huyện Bắc Sơn", DISTRICT),
    ("UBND-HL", "UBND huyện Hữu Lũng", DISTRICT),
    ("UBND-CLA", "UBND huyện Chi Lăng", DISTRICT),
    ("UBND-CLO", "UBND huyện Cao Lộc", DISTRICT),
    ("UBND-LB", "UBND huyện Lộc Bình", DISTRICT),
    ("UBND-DL", "UBND huyện Đình Lập", DISTRICT),
)
LEADERS = ("LD01", "LD02", "LD03", "LD04")  # the Chairman, then three Vice-Chairmen
BODY = "UBND tỉnh"

FAMILY = ("Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Hà", "Lương", "Vi", "Nông", "Lăng",
          "Đinh", "Vũ", "Đoàn", "Triệu", "Hứa", "Chu", "Mai", "Dương")  # fmt: skip
MIDDLE_MEN = ("Văn", "Đức", "Minh", "Quốc", "Hữu", "Thanh", "Xuân", "Công")
MIDDLE_WOMEN = ("Thị", "Thu", "Thanh", "Minh", "Ngọc", "Hồng")
GIVEN_MEN = ("An", "Bình", "Cường", "Dũng", "Hải", "Hùng", "Khánh", "Long", "Nam", "Quang",
             "Sơn", "Thắng", "Tuấn", "Việt", "Hoàn", "Trường")  # fmt: skip
GIVEN_WOMEN = ("Hà", "Hạnh", "Hương", "Lan", "Mai", "Ngọc", "Phương", "Thủy", "Vân", "Yến",
               "Hoa", "Linh", "Nhung", "Trang")  # fmt: skip

ACTIONS = (
    "Báo cáo tình hình",
    "Tham mưu xây dựng kế hoạch",
    "Rà soát, đề xuất giải pháp",
    "Kiểm tra, xử lý kiến nghị về",
    "Tổng hợp ý kiến góp ý về",
    "Hoàn thiện dự thảo đề án",
    "Đôn đốc triển khai",
    "Đánh giá kết quả thực hiện",
)
TOPICS = (
    "phòng, chống dịch COVID-19",
    "giải ngân vốn đầu tư công",
    "cải cách hành chính",
    "xây dựng nông thôn mới",
    "thu ngân sách nhà nước",
    "phát triển kinh tế cửa khẩu",
    "giải phóng mặt bằng dự án cao tốc Hữu Nghị - Chi Lăng",
    "bảo vệ và phát triển rừng",
    "chuyển đổi số trong cơ quan nhà nước",
    "bảo đảm trật tự an toàn giao thông",
    "giảm nghèo bền vững",
    "đào tạo nghề cho lao động nông thôn",
    "quản lý đất đai và khoáng sản",
    "phát triển du lịch Mẫu Sơn",
    "sắp xếp đơn vị hành chính cấp xã",
)
DOC_SUFFIXES = ("UBND-KT", "UBND-TH", "VP-TH", "UBND-NC", "TB-UBND", "UBND-KGVX")

# Of every 20 tasks: what each becomes, so that every status is there in fair numbers.
PATTERN = (
    ("on_time",) * 8
    + ("late",) * 2
    + ("in_time",) * 3
    + ("due_soon",) * 2
    + ("overdue",) * 2
    + ("no_deadline",)
    + ("extended",) * 2
)


@dataclass(frozen=True, slots=True)
class SampleFiles:
    units: Path
    people: Path
    tasks: Path
    unit_count: int
    person_count: int
    task_count: int


def _phone(rng: random.Random) -> str:
    """Phone numbers written the ways people write them in Viet Nam."""
    digits = "".join(rng.choice("0123456789") for _ in range(7))
    style = rng.randrange(4)
    if style == 0:
        return f"09{rng.randint(1, 9)}{digits[0]} {digits[1:4]} {digits[4:]}"
    if style == 1:
        return f"+84 9{rng.randint(1, 8)} {digits[:3]} {digits[3:5]} {digits[5:]}"
    if style == 2:
        return f"03{rng.randint(2, 9)}.{digits[:3]}.{digits[3:]}"
    return f"0205 3{digits[:3]} {digits[3:6]}"  # a landline in Lạng Sơn


def _name(rng: random.Random) -> str:
    if rng.random() < 0.5:
        return f"{rng.choice(FAMILY)} {rng.choice(MIDDLE_MEN)} {rng.choice(GIVEN_MEN)}"
    return f"{rng.choice(FAMILY)} {rng.choice(MIDDLE_WOMEN)} {rng.choice(GIVEN_WOMEN)}"


def _people(rng: random.Random) -> tuple[list[list[ExportCell]], dict[str, list[str]]]:
    """Two admins, four leaders, a head and two or three officers per unit."""
    rows: list[list[ExportCell]] = []
    officers: dict[str, list[str]] = {}

    def person(code: str, unit: str, role: Role) -> None:
        rows.append([code, _name(rng), unit, ROLE_LABELS[role], _phone(rng), ""])

    for number in (1, 2):
        person(f"VP{number:02d}", OFFICE, Role.ADMIN)
    for code in LEADERS:
        person(code, "", Role.LEADER)
    for position, (unit, _, _) in enumerate(UNITS):
        person(f"TT-{unit}", unit, Role.HEAD)
        count = 3 if position % 3 == 1 else 2
        officers[unit] = [f"CV-{unit}-{n}" for n in range(1, count + 1)]
        for code in officers[unit]:
            person(code, unit, Role.OFFICER)
    return rows, officers


def _dates(
    rng: random.Random, status: str, today: date
) -> tuple[date, date | None, date | None, date | None]:
    """(assigned, original deadline, deadline, completed) for a task meant to be in `status`."""

    def ago(low: int, high: int) -> date:
        return today - timedelta(days=rng.randint(low, high))

    def ahead(low: int, high: int) -> date:
        return today + timedelta(days=rng.randint(low, high))

    if status == "on_time":
        assigned = ago(15, 180)
        deadline = assigned + timedelta(days=rng.randint(7, 45))
        took = timedelta(days=rng.randint(0, (deadline - assigned).days))
        completed = min(assigned + took, today)
        return assigned, deadline, deadline, completed
    if status == "late":
        assigned = ago(30, 180)
        deadline = assigned + timedelta(days=rng.randint(7, 29))
        late_by = rng.randint(1, min(20, (today - deadline).days))
        return assigned, deadline, deadline, deadline + timedelta(days=late_by)
    if status == "in_time":
        deadline = ahead(10, 60)
        return ago(0, 60), deadline, deadline, None
    if status == "due_soon":
        deadline = ahead(0, 5)
        return ago(5, 40), deadline, deadline, None
    if status == "overdue":
        assigned = ago(20, 150)
        deadline = assigned + timedelta(days=rng.randint(5, (today - assigned).days - 1))
        return assigned, deadline, deadline, None
    if status == "no_deadline":
        assigned = ago(0, 120)
        done = rng.random() < 0.3
        return assigned, None, None, min(assigned + timedelta(days=12), today) if done else None
    assigned = ago(20, 60)  # extended: past its original deadline, in time on the new one
    return assigned, max(ago(1, 10), assigned), ahead(8, 40), None


def _tasks(
    rng: random.Random, today: date, officers: dict[str, list[str]]
) -> list[list[ExportCell]]:
    statuses = [PATTERN[i % len(PATTERN)] for i in range(TASKS)]
    rng.shuffle(statuses)
    units = [code for code, _, _ in UNITS if code != OFFICE]
    names = {code: name for code, name, _ in UNITS}
    drafts = []
    for status in statuses:
        assigned, original, deadline, completed = _dates(rng, status, today)
        lead = rng.choice(units)
        others = rng.sample([u for u in units if u != lead], rng.choice((0, 0, 1, 2)))
        action, topic = rng.choice(ACTIONS), rng.choice(TOPICS)
        by = "báo cáo UBND tỉnh"
        if deadline is not None:
            by += f" trước ngày {format_date(deadline)}"
        content = (
            f"Giao {names[lead]} chủ trì, phối hợp với các cơ quan liên quan "
            f"{action[0].lower()}{action[1:]} {topic}; {by}."
        )
        drafts.append(
            (
                assigned,
                f"{rng.randint(100, 3500)}/{rng.choice(DOC_SUFFIXES)}",
                assigned - timedelta(days=rng.randint(0, 3)),
                f"{action} {topic}",
                content,
                BODY if rng.random() < 0.3 else rng.choice(LEADERS),
                lead,
                ";".join(sorted(others)),
                rng.choice(officers[lead]) if rng.random() < 0.8 else "",
                original,
                deadline,
                completed,
            )
        )
    drafts.sort(key=lambda draft: draft[0])
    return [
        [f"NV-{a.year}-{n:04d}", doc, doc_date, title, content, by, lead, others, officer, a,
         original, deadline, completed]
        for n, (a, doc, doc_date, title, content, by, lead, others, officer, original, deadline,
                completed) in enumerate(drafts, 1)
    ]  # fmt: skip


def write_sample(directory: Path, *, today: date, seed: int = SEED) -> SampleFiles:
    """The sample province's three import files, built around `today`."""
    rng = random.Random(seed)
    units = [list(unit) for unit in UNITS]
    people, officers = _people(rng)
    tasks = _tasks(rng, today, officers)
    paths = {kind: directory / f"{kind.value}.csv" for kind in ImportKind}
    for kind, rows in (
        (ImportKind.UNITS, units),
        (ImportKind.PEOPLE, people),
        (ImportKind.TASKS, tasks),
    ):
        write_table(paths[kind], headers(COLUMNS[kind], "vi"), rows)
    return SampleFiles(
        paths[ImportKind.UNITS], paths[ImportKind.PEOPLE], paths[ImportKind.TASKS],
        len(units), len(people), len(tasks),
    )  # fmt: skip


# fmt: off
TEMPLATE_ROWS: dict[ImportKind, Sequence[Sequence[ExportCell]]] = {
    ImportKind.UNITS: (
        ("SYT", "Sở Y tế", DEPARTMENT),
        ("UBND-CLO", "UBND huyện Cao Lộc", DISTRICT),
    ),
    ImportKind.PEOPLE: (
        ("LD02", "Nguyễn Văn An", "", ROLE_LABELS[Role.LEADER], "0912 345 678", ""),
        ("CV-SYT-1", "Trần Thị Bình", "SYT", ROLE_LABELS[Role.OFFICER], "+84 98 765 43 21", ""),
    ),
    ImportKind.TASKS: (
        ("NV-2020-0001", "930/VP-TH", date(2020, 3, 13),
         "Báo cáo tình hình phòng, chống dịch COVID-19",
         "Sở Y tế chủ trì, phối hợp với UBND huyện Cao Lộc báo cáo UBND tỉnh.", "LD02", "SYT",
         "UBND-CLO", "CV-SYT-1", date(2020, 3, 13), date(2020, 3, 31), date(2020, 3, 31),
         date(2020, 3, 30)),
        ("NV-2020-0002", "1045/UBND-KT", date(2020, 3, 20),
         "Rà soát, đề xuất giải pháp giải ngân vốn đầu tư công", "", "UBND tỉnh", "UBND-CLO",
         "SYT", "", date(2020, 3, 20), date(2020, 4, 15), date(2020, 4, 30), None),
    ),
}
# fmt: on


def write_templates(directory: Path) -> list[Path]:
    """templates/: units, people and tasks, each as .csv and .xlsx."""
    written = []
    for kind, rows in TEMPLATE_ROWS.items():
        for suffix in (".csv", ".xlsx"):
            path = directory / f"{kind.value}{suffix}"
            write_table(path, headers(COLUMNS[kind], "vi"), rows)
            written.append(path)
    return written
