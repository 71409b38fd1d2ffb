"""English texts. Every key of vi.py has its English here."""

TEXTS: dict[str, str] = {
    # --- general -------------------------------------------------------------------------
    "error.apology": "Sorry, something went wrong. The Office has been told. Please try again later.",
    "error.admin_notice": "⚠️ Error in the bot: <code>{kind}</code>\n{summary}",
    # --- access and onboarding (issue 3) ---
    "access.stranger": "Hello! This Telegram account is not linked to the staff list of {office}.\n\nTo use the bot you can:\n• open the invite link that {office} sent you; or\n• send /start and press «Share phone number»: if your number is on the list, the bot will recognise you.\n\nFor help, please contact {office}.",
    "access.stranger_short": "You have no access yet. Send /start to the bot in a private chat.",
    "access.not_for_role": "This command is not for your role. Type /help to see what you can do.",
    "access.not_for_role_short": "This button is not for your role.",
    "access.role.admin": "the Office (admin)",
    "access.role.leader": "leader",
    "access.role.head": "unit head",
    "access.role.officer": "officer",
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
