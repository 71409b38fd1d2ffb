"""The Telegram Bot API, as much of it as dondoc uses, served by dondoc (see server.py)."""
