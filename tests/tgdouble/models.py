"""What the double keeps: the product's models (bot.sandbox.botapi.models) and its faults."""

from __future__ import annotations

from dataclasses import dataclass

from bot.sandbox.botapi.models import (
    Call,
    CallbackAnswer,
    Refusal,
    Stats,
    StoredFile,
    TgGroup,
    TgMessage,
    TgUser,
)

__all__ = [
    "Call",
    "CallbackAnswer",
    "FaultRecord",
    "Refusal",
    "Stats",
    "StoredFile",
    "TgGroup",
    "TgMessage",
    "TgUser",
]


@dataclass(frozen=True)
class FaultRecord:
    """An injected fault that was served."""

    method: str
    kind: str  # "fail", "drop" or "slow"
    status: int | None
