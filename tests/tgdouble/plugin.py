"""Pytest fixtures: ``tg`` (a started BotApiDouble) and ``tg_factory`` (custom ones).

Each double is stopped at teardown, and the test fails if the double refused calls the
test did not expect (``tg.expect_refusals(...)`` or ``tg.refused.clear()`` to allow them).
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import pytest
import pytest_asyncio

from tests.tgdouble.server import DEFAULT_TOKEN, BotApiDouble

__all__ = ["TgFactory", "tg", "tg_factory"]

TgFactory = Callable[..., Awaitable[BotApiDouble]]


@pytest_asyncio.fixture
async def tg_factory() -> AsyncIterator[TgFactory]:
    """``await tg_factory(**BotApiDouble kwargs)`` → a started double on 127.0.0.1."""
    doubles: list[BotApiDouble] = []

    async def make(**kwargs: Any) -> BotApiDouble:
        kwargs.setdefault("token", DEFAULT_TOKEN)
        kwargs.setdefault("bot_username", "dondoc_test_bot")
        double = BotApiDouble(host="127.0.0.1", port=0, **kwargs)
        await double.start()
        doubles.append(double)
        return double

    yield make
    problems: list[str] = []
    for double in doubles:
        await double.stop()
        problems.extend(double.refusal_problems())
    if problems:
        pytest.fail("\n".join(problems), pytrace=False)


@pytest_asyncio.fixture
async def tg(tg_factory: TgFactory) -> BotApiDouble:
    """A started double with Telegram's default rate limits; token ``tg.token``."""
    return await tg_factory()
