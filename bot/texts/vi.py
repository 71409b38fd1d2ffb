"""Vietnamese texts (the default language). Keys are grouped by feature; HTML allowed."""

TEXTS: dict[str, str] = {
    # --- general -------------------------------------------------------------------------
    "error.apology": "Xin lỗi, đã có lỗi xảy ra. Văn phòng đã được báo để xử lý. Vui lòng thử lại sau.",
    "error.admin_notice": "⚠️ Lỗi trong bot: <code>{kind}</code>\n{summary}",
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
