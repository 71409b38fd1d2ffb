"""The product's bot.sandbox.botapi.spec, where the tests have always imported it from."""

from bot.sandbox.botapi.spec import *  # noqa: F403
from bot.sandbox.botapi.spec import __all__  # noqa: F401
