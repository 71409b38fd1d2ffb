"""The use cases: what the bot does with the register, apart from Telegram's updates.

Each is an async function or a small typed object; handlers (Telegram glue), the JobQueue,
the command line and the sandbox call them. They are the only part of `bot/` that reads or
writes the register through `storage` (the shell only opens the `Database` and hands it
over); they may use the rules, the views and the texts; they never import `handlers` (a
Bot, or the Application, is passed in). docs/ARCHITECTURE.md draws the layers.
"""
