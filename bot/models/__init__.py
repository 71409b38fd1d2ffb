"""The domain's types: the rows that cross from storage to the rules, the views and the
handlers, with the small pure helpers that only describe them.

A leaf: nothing here imports the rest of the project (tests/test_layering.py checks it).
"""

from bot.models.figures import (
    Figures,
    GroupFigures,
    Period,
    PeriodFigures,
    YearFigures,
    leader_groups,
    unit_groups,
    year_figures,
    year_window,
)
from bot.models.imports import (
    Catalog,
    Change,
    Conflict,
    ImportKind,
    Merged,
    PersonRecord,
    Plan,
    Prefer,
    Recheck,
    Record,
    RowChange,
    TaskRecord,
    UnitRecord,
    Value,
    casefold_index,
    record_from,
)
from bot.models.people import AccountLink, Invite, InviteState, NewInvite, Person, Role, Unit
from bot.models.phones import phone_key
from bot.models.reminders import (
    NO_DETAIL,
    REPLY_KINDS,
    ROUND_KINDS,
    TASK_KINDS,
    OpenTask,
    PlannedReminder,
    Recipient,
    ReminderKind,
    TaskLine,
    UnitCounts,
)
from bot.models.reports import (
    APPENDIX_KINDS,
    Appendix,
    MonthlyReport,
    OverduePage,
    ProcessFigures,
    ReportTask,
    UnitOverdue,
    appendix_title_key,
)
from bot.models.tasks import DeadlineChange, ListedTask, ReportState, Task, TaskEvent
from bot.models.text_search import fold
from bot.models.workflow import (
    CompletionReport,
    Decision,
    Dialogue,
    ExtensionRequest,
    ItemKind,
    Refusal,
    Step,
)

__all__ = [
    "APPENDIX_KINDS", "NO_DETAIL", "REPLY_KINDS", "ROUND_KINDS", "TASK_KINDS", "AccountLink",
    "Appendix",
    "Catalog", "Change", "CompletionReport", "Conflict", "DeadlineChange", "Decision",
    "Dialogue", "ExtensionRequest", "Figures", "GroupFigures", "ImportKind", "Invite",
    "InviteState", "ItemKind", "ListedTask", "Merged", "MonthlyReport", "NewInvite",
    "OpenTask", "OverduePage", "Period", "PeriodFigures", "Person", "PersonRecord", "Plan",
    "PlannedReminder", "Prefer", "ProcessFigures", "Recheck", "Recipient", "Record",
    "Refusal", "ReminderKind", "ReportState", "ReportTask", "Role", "RowChange", "Step",
    "Task", "TaskEvent", "TaskLine", "TaskRecord", "Unit", "UnitCounts", "UnitOverdue",
    "UnitRecord", "Value", "YearFigures", "appendix_title_key", "casefold_index", "fold",
    "leader_groups", "phone_key", "record_from", "unit_groups", "year_figures",
    "year_window",
]  # fmt: skip
