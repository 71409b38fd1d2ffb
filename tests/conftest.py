"""Shared fixtures: the Bot API test double is a plugin of its own."""

pytest_plugins = ["tests.tgdouble.plugin", "tests.harness"]
