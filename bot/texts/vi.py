"""Vietnamese texts (the default language). Keys are grouped by feature; HTML allowed."""

TEXTS: dict[str, str] = {
    # --- general -------------------------------------------------------------------------
    "error.apology": "Xin lỗi, đã có lỗi xảy ra. Văn phòng đã được báo để xử lý. Vui lòng thử lại sau.",
    "error.admin_notice": "⚠️ Lỗi trong bot: <code>{kind}</code>\n{summary}",
    # --- access and onboarding (issue 3) ---
    "access.stranger": "Xin chào! Tài khoản Telegram này chưa được liên kết với danh sách cán bộ của {office}.\n\nĐể sử dụng bot, bạn có thể:\n• mở đường liên kết mời mà {office} gửi cho bạn; hoặc\n• gửi /start rồi bấm nút «Chia sẻ số điện thoại»: nếu số điện thoại của bạn có trong danh sách, bot sẽ nhận ra bạn.\n\nCần hỗ trợ, xin liên hệ {office}.",
    "access.stranger_short": "Bạn chưa được cấp quyền. Hãy gửi /start cho bot trong tin nhắn riêng.",
    "access.not_for_role": "Lệnh này không dành cho vai trò của bạn. Gõ /help để xem những việc bạn có thể làm.",
    "access.not_for_role_short": "Nút này không dành cho vai trò của bạn.",
    "access.role.admin": "Văn phòng (quản trị)",
    "access.role.leader": "Lãnh đạo UBND tỉnh",
    "access.role.head": "Thủ trưởng đơn vị",
    "access.role.officer": "Chuyên viên",
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
