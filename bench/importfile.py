"""A tasks file for `dondoc import tasks`, with the import's column names, for the generated
register's units and people (bench.generate): deterministic, like the register itself."""

from __future__ import annotations

import csv
import random
from datetime import date, timedelta
from pathlib import Path

from bot.formats import format_date

COLUMNS = (
    "ma_nhiem_vu", "so_ky_hieu", "ngay_van_ban", "trich_yeu", "noi_dung", "nguoi_giao",
    "don_vi_chu_tri", "don_vi_phoi_hop", "can_bo_xu_ly", "ngay_giao", "han_ban_dau",
    "han_xu_ly", "ngay_hoan_thanh",
)  # fmt: skip


def _vn(day: date | None) -> str:
    return "" if day is None else format_date(day)


def write_tasks_csv(
    path: Path, *, tasks: int, units: list[str], officers: dict[str, list[str]],
    leaders: list[str], today: date, seed: int = 11, prefix: str = "IMP",
) -> Path:  # fmt: skip
    """`tasks` rows over the given unit codes; `officers` maps a unit code to its officers.

    Every row is valid: an officer is named only from the lead unit, dates are dd/mm/yyyy as
    the Office types them, about 15% of the tasks are open and 6% carry an extension.
    """
    rng = random.Random(seed)
    with path.open("w", encoding="utf-8-sig", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(COLUMNS)
        for i in range(1, tasks + 1):
            unit = rng.choice(units)
            is_open = rng.random() < 0.15
            back = rng.randint(0, 120) if is_open else rng.randint(30, 700)
            assigned = today - timedelta(days=back)
            original = assigned + timedelta(days=rng.randint(5, 60))
            deadline = original
            if rng.random() < 0.06:
                deadline = original + timedelta(days=rng.randint(5, 30))
            completed = None
            if not is_open:
                late_by = rng.choice((-3, -1, 0, 2))
                completed = max(min(deadline + timedelta(days=late_by), today), assigned)
            cooperating = rng.choice(units) if rng.random() < 0.2 else unit
            unit_officers = officers.get(unit, [])
            officer = rng.choice(unit_officers) if unit_officers and rng.random() < 0.7 else ""
            writer.writerow((
                f"{prefix}-{i:07d}", f"{i}/VP-TH", _vn(assigned),
                f"Nhiệm vụ nhập số {i} về việc triển khai kế hoạch", "Nội dung nhiệm vụ",
                rng.choice(leaders) if leaders and rng.random() < 0.8 else "UBND tỉnh",
                unit, "" if cooperating == unit else cooperating, officer, _vn(assigned),
                _vn(original), _vn(deadline), _vn(completed),
            ))  # fmt: skip
    return path
