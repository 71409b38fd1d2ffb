"""What an import did, as the lines a person reads: the command, the sync and the admins'
message in Telegram all say it the same way."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from pathlib import Path

from bot.formats import format_date, format_int
from bot.importer import COLUMNS, DATE_KEYS, ImportResult
from bot.models import ImportKind, Value
from bot.texts import plain


def label(kind: ImportKind, key: str) -> str:
    """A column's Vietnamese label (the templates', the export's, the history's)."""
    for column in COLUMNS[kind]:
        if column.key == key:
            return column.label
    return key


def shown(value: Value, lang: str) -> str:
    """A value as a person reads it: dates dd/mm/yyyy, nothing as «(trống)»."""
    if isinstance(value, date):
        return format_date(value)
    return value if value else plain(lang, "import.merge.blank")


def changed_fields(lang: str, kind: ImportKind, fields: Mapping[str, Sequence[object]]) -> str:
    """«Hạn xử lý: 25/12/2026 → 04/01/2027; …» from a history event's (old, new) by column
    key, dates kept ISO there."""

    def value(key: str, kept: object) -> str:
        if key in DATE_KEYS and isinstance(kept, str) and kept:
            return shown(date.fromisoformat(kept), lang)
        return shown(None if kept is None else str(kept), lang)

    return "; ".join(
        plain(lang, "import.merge.field", field=label(kind, key), old=value(key, pair[0]),
              new=value(key, pair[1]))
        for key, pair in fields.items()
        if len(pair) == 2
    )  # fmt: skip


def summary_lines(result: ImportResult, lang: str, *, details: bool = False) -> list[str]:
    """The summary (created, updated, unchanged, kept, conflicts), each conflict, and with
    `details` (a dry run) the changed fields of each updated row."""
    n = {
        name: format_int(getattr(result, name), lang)
        for name in ("created", "updated", "unchanged", "kept")
    }
    key = "import.merge.dry_run" if result.dry_run else "import.merge.done"
    lines = [
        plain(
            lang, key, kind=plain(lang, f"import.kind.{result.kind.value}"), name=result.source,
            conflicts=format_int(len(result.conflicts), lang), **n,
        )
    ]  # fmt: skip
    if result.conflicts:
        lines.append(plain(lang, "import.merge.conflicts_head"))
    for conflict in result.conflicts:
        lines.append(
            plain(
                lang, "import.merge.conflict", code=conflict.code,
                field=label(result.kind, conflict.field), base=shown(conflict.base, lang),
                register=shown(conflict.register, lang), file=shown(conflict.file, lang),
                kept=plain(lang, f"import.merge.kept_{conflict.kept.value}"),
            )
        )  # fmt: skip
    if details:
        for change in result.changes:
            fields = "; ".join(
                plain(lang, "import.merge.field", field=label(result.kind, key),
                      old=shown(old, lang), new=shown(new, lang))
                for key, (old, new) in change.fields.items()
            )  # fmt: skip
            lines.append(plain(lang, "import.merge.change", code=change.code, fields=fields))
    return lines


CONFLICT_COLUMNS = ("code", "field", "base", "register", "file", "kept")


def write_conflicts(result: ImportResult, path: Path, lang: str) -> int:
    """The conflicts as a .csv or .xlsx sheet for the Office (FileProblem if it cannot be)."""
    from bot.exporter import write_table  # xlsxwriter: only for those who ask

    header = [plain(lang, f"import.merge.col.{name}") for name in CONFLICT_COLUMNS]
    rows = (
        (c.code, label(result.kind, c.field), c.base, c.register, c.file,
         plain(lang, f"import.merge.kept_{c.kept.value}"))
        for c in result.conflicts
    )  # fmt: skip
    return write_table(path, header, rows)
