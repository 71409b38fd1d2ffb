"""dondoc: a Telegram bot that keeps a provincial government's register of assigned tasks."""
