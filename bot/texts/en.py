"""English texts. Every key of vi.py has its English here."""

TEXTS: dict[str, str] = {
    # --- general -------------------------------------------------------------------------
    "error.apology": "Sorry, something went wrong. The Office has been told. Please try again later.",
    "error.admin_notice": "⚠️ Error in the bot: <code>{kind}</code>\n{summary}",
}
