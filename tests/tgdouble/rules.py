"""The product's bot.sandbox.botapi.rules, where the tests have always imported it from."""

from bot.sandbox.botapi.rules import *  # noqa: F403
from bot.sandbox.botapi.rules import __all__  # noqa: F401
