"""The use cases: what the bot does with the register, apart from Telegram's updates.

Each is an async function or a small typed object; handlers (Telegram glue), the JobQueue,
the command line and the sandbox call them. They may use storage, the rules, the views and
the texts; they never import `handlers` (a Bot, or the Application, is passed in).
"""
