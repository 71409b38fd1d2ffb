"""Telegram glue only: parse the update, call bot/ or storage/, reply. Registered by bot/app.py."""
