"""The product's bot.sandbox.botapi.html, where the tests have always imported it from."""

from bot.sandbox.botapi.html import *  # noqa: F403
from bot.sandbox.botapi.html import __all__  # noqa: F401
