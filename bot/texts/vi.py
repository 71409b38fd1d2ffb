"""Vietnamese texts (the default language). Keys are grouped by feature; HTML allowed."""

TEXTS: dict[str, str] = {
    # --- general -------------------------------------------------------------------------
    "error.apology": "Xin lỗi, đã có lỗi xảy ra. Văn phòng đã được báo để xử lý. Vui lòng thử lại sau.",
    "error.admin_notice": "⚠️ Lỗi trong bot: <code>{kind}</code>\n{summary}",
}
