"""English texts. Every key of vi.py has its English here."""

TEXTS: dict[str, str] = {
    # --- general -------------------------------------------------------------------------
    "error.apology": "Sorry, something went wrong. The Office has been told. Please try again later.",
    "error.admin_notice": "⚠️ Error in the bot: <code>{kind}</code>\n{summary}",
    # --- access and onboarding (issue 3) ---
    # (end of access and onboarding (issue 3))
    # --- task lists and cards (issue 3) ---
    # (end of task lists and cards (issue 3))
    # --- done, extend and review (issue 4) ---
    # (end of done, extend and review (issue 4))
    # --- reminders (issue 5) ---
    # (end of reminders (issue 5))
    # --- figures and reports (issue 6) ---
    # (end of figures and reports (issue 6))
    # --- command line ---
    # (end of command line)
}
