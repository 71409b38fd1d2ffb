"""Settings: a TOML file with `DONDOC_<SECTION>__<KEY>` environment overrides.

Built once in `main()` by `load_settings` and passed down; nothing is read at import time.
"""

from __future__ import annotations

import os
import re
import tomllib
from datetime import time
from pathlib import Path
from typing import Any, Literal
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    SecretStr,
    ValidationError,
    ValidationInfo,
    field_validator,
    model_validator,
)
from pydantic_settings import BaseSettings, PydanticBaseSettingsSource, SettingsConfigDict

DEFAULT_CONFIG = Path("config.toml")
_PLACEHOLDER = re.compile(r"your|change.?me|xxx|<|token.?here", re.IGNORECASE)
_TOKEN = re.compile(r"^\d+:[A-Za-z0-9_-]+$")
TELEGRAM_API = "https://api.telegram.org/"
FREE_MESSAGES_PER_SECOND = 30  # Telegram's free broadcast limit
PAID_MESSAGES_PER_SECOND = 1000  # with allow_paid_broadcast (0.1 Star a message above 30/s)
_HHMM = re.compile(r"^([01]\d|2[0-3]):[0-5]\d$")
WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")


class ConfigError(Exception):
    """A configuration problem, said in one line that names the key."""


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class TelegramSettings(_Section):
    token: SecretStr | None = None
    api_base_url: str = "https://api.telegram.org/bot"
    api_base_file_url: str | None = None
    bot_username: str | None = None
    webhook_url: str | None = None
    webhook_listen: str = "0.0.0.0"
    webhook_port: int = Field(default=8443, ge=1, le=65535)
    webhook_secret: SecretStr | None = None
    invite_ttl_days: int = Field(default=7, ge=1, le=365)
    messages_per_second: float = Field(default=30.0, gt=0)
    per_chat_per_second: float = Field(default=1.0, gt=0)
    # Telegram's paid broadcasts: reminders and notices go with allow_paid_broadcast, so that
    # up to 1,000 a second are taken; Telegram charges 0.1 Star each above the free 30 a second.
    paid_broadcast: bool = False

    @model_validator(mode="after")
    def _rate_telegram_takes(self) -> TelegramSettings:
        rate = self.messages_per_second
        if self.paid_broadcast and rate > PAID_MESSAGES_PER_SECOND:
            raise ValueError(
                f"messages_per_second = {rate:g}: Telegram's paid broadcasts go up to"
                f" {PAID_MESSAGES_PER_SECOND:,} a second"
            )
        if (
            not self.paid_broadcast
            and rate > FREE_MESSAGES_PER_SECOND
            and self.api_base_url.startswith(TELEGRAM_API)
        ):
            raise ValueError(
                f"messages_per_second = {rate:g}: Telegram takes {FREE_MESSAGES_PER_SECOND}"
                " messages a second for free; above that set paid_broadcast = true (0.1 Star"
                " a message above 30 a second) or lower it"
            )
        return self

    @field_validator("token")
    @classmethod
    def _token_shape(cls, value: SecretStr | None) -> SecretStr | None:
        if value is None or not value.get_secret_value().strip():
            return None
        raw = value.get_secret_value().strip()
        if _PLACEHOLDER.search(raw):
            raise ValueError("is still the placeholder; put the token from @BotFather here")
        if not _TOKEN.match(raw):
            raise ValueError("does not look like a bot token (digits, a colon, then letters)")
        return SecretStr(raw)

    @property
    def file_url(self) -> str:
        if self.api_base_file_url:
            return self.api_base_file_url
        return self.api_base_url.replace("/bot", "/file/bot", 1)


class DatabaseSettings(_Section):
    path: Path = Path("data/dondoc.sqlite3")
    backup_dir: Path | None = None
    backup_keep: int = Field(default=14, ge=1)


class OrganizationSettings(_Section):
    name: str = "UBND tỉnh"
    office: str = "Văn phòng UBND tỉnh"
    place: str = ""
    timezone: str = "Asia/Ho_Chi_Minh"
    language: Literal["vi", "en"] = "vi"

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"unknown time zone {value!r}") from exc
        return value

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)


def _hhmm(value: str) -> str:
    if not _HHMM.match(value):
        raise ValueError(f"{value!r} is not a time of day HH:MM")
    return value


def _parse_hhmm(value: str) -> time:
    hour, minute = value.split(":")
    return time(int(hour), int(minute))


class ReminderSettings(_Section):
    notify_on_assign: bool = True
    days_before: list[int] = Field(default_factory=lambda: [7, 3, 1])
    working_days: bool = True
    overdue_every: int = Field(default=1, ge=1)
    escalate_after: int = Field(default=2, ge=0)
    weekly_on: str = "monday"
    daily_at: str = "08:00"
    quiet_hours: list[str] = Field(default_factory=lambda: ["21:00", "07:00"])
    max_per_round: int = Field(default=5, ge=1)
    tick_seconds: float = Field(default=30, gt=0)

    @field_validator("days_before")
    @classmethod
    def _positive_days(cls, value: list[int]) -> list[int]:
        if any(day < 1 for day in value):
            raise ValueError("days must be whole numbers of 1 or more")
        return sorted(set(value), reverse=True)

    @field_validator("weekly_on")
    @classmethod
    def _weekday(cls, value: str) -> str:
        if value.lower() not in WEEKDAYS:
            raise ValueError(f"{value!r} is not a weekday (monday … sunday)")
        return value.lower()

    @field_validator("daily_at")
    @classmethod
    def _daily_at(cls, value: str) -> str:
        return _hhmm(value)

    @field_validator("quiet_hours")
    @classmethod
    def _quiet(cls, value: list[str]) -> list[str]:
        if value and len(value) != 2:
            raise ValueError('must be [] or ["HH:MM", "HH:MM"] (start, end)')
        return [_hhmm(v) for v in value]

    @property
    def daily_time(self) -> time:
        return _parse_hhmm(self.daily_at)

    @property
    def quiet_window(self) -> tuple[time, time] | None:
        if not self.quiet_hours:
            return None
        return _parse_hhmm(self.quiet_hours[0]), _parse_hhmm(self.quiet_hours[1])


class WorkflowSettings(_Section):
    review_completion: bool = True
    extend_until: int = Field(default=0, ge=0)
    max_extensions: int = Field(default=2, ge=0)
    max_extension_days: int = Field(default=365, ge=1)
    leaders_review_extensions: bool = False
    max_text_length: int = Field(default=1000, ge=50, le=3000)
    min_reason_words: int = Field(default=3, ge=1)
    due_soon_days: int = Field(default=7, ge=0)
    dialog_ttl_minutes: int = Field(default=60, ge=1)


class ReportSettings(_Section):
    number: str = "Số: /BC-VP"
    signer_title: str = "CHÁNH VĂN PHÒNG"
    signer_name: str = ""
    recipients: list[str] = Field(
        default_factory=lambda: [
            "Chủ tịch, các Phó Chủ tịch UBND tỉnh (b/c);",
            "Các sở, ban, ngành;",
            "UBND các huyện, thành phố;",
            "Lưu: VT, TH.",
        ]
    )


_LOOPBACK = ("127.0.0.1", "::1", "localhost")


class SyncSettings(_Section):
    """The scheduled pull of the e-office's exports (bot/services/sync.py)."""

    allow_http: bool = False  # first: the addresses' check reads it
    units_url: str | None = None
    people_url: str | None = None
    tasks_url: str | None = None
    every_minutes: int = Field(default=60, ge=0)
    # Sent with every request (an Authorization value): secret, never logged or printed.
    headers: dict[str, SecretStr] = Field(default_factory=dict)
    timeout_seconds: float = Field(default=30, gt=0, le=3600)
    max_megabytes: float = Field(default=50, gt=0, le=1024)

    @field_validator("units_url", "people_url", "tasks_url")
    @classmethod
    def _address(cls, value: str | None, info: ValidationInfo) -> str | None:
        if value is None or not value.strip():
            return None
        value = value.strip()
        parts = urlsplit(value)
        if parts.scheme not in ("https", "http") or not parts.hostname:
            raise ValueError(f"{redacted(value)!r} is not an https:// address")
        loopback = parts.hostname in _LOOPBACK
        if parts.scheme == "http" and not loopback and not info.data.get("allow_http"):
            raise ValueError(
                f"{redacted(value)!r} is plain http; use https, or set allow_http = true"
            )
        return value

    @field_validator("headers")
    @classmethod
    def _header_names(cls, value: dict[str, SecretStr]) -> dict[str, SecretStr]:
        for name in value:
            if not re.fullmatch(r"[A-Za-z0-9!#$%&'*+.^_`|~-]+", name):
                raise ValueError(f"{name!r} is not an HTTP header name")
        return value

    @property
    def addresses(self) -> dict[str, str]:
        """kind -> address, units then people then tasks, those set."""
        found = {"units": self.units_url, "people": self.people_url, "tasks": self.tasks_url}
        return {kind: url for kind, url in found.items() if url}


def redacted(url: str) -> str:
    """An address as it may be shown: no user, password or query (they may hold a secret)."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    if ":" in host:
        host = f"[{host}]"
    netloc = f"{host}:{parts.port}" if parts.port else host
    return f"{parts.scheme}://{netloc}{parts.path}"


class Settings(BaseSettings):
    """Every setting of dondoc; see config.example.toml for what each key means."""

    model_config = SettingsConfigDict(
        env_prefix="DONDOC_", env_nested_delimiter="__", extra="forbid", frozen=True
    )

    telegram: TelegramSettings = TelegramSettings()
    database: DatabaseSettings = DatabaseSettings()
    organization: OrganizationSettings = OrganizationSettings()
    reminders: ReminderSettings = ReminderSettings()
    workflow: WorkflowSettings = WorkflowSettings()
    report: ReportSettings = ReportSettings()
    sync: SyncSettings = SyncSettings()

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        # The file's values arrive as init arguments; the environment wins over them.
        return env_settings, init_settings

    def require_token(self) -> str:
        if self.telegram.token is None:
            raise ConfigError(
                "telegram.token: missing. Create a bot with @BotFather in Telegram, then put "
                'its token in config.toml ([telegram] token = "...") or in the environment '
                "variable DONDOC_TELEGRAM__TOKEN."
            )
        return self.telegram.token.get_secret_value()


def config_path(cli_path: str | Path | None) -> Path:
    """`--config PATH`, else `$DONDOC_CONFIG`, else `./config.toml`."""
    if cli_path:
        return Path(cli_path)
    env = os.environ.get("DONDOC_CONFIG")
    return Path(env) if env else DEFAULT_CONFIG


def load_settings(path: Path | None, *, required: bool = False) -> Settings:
    """Read the TOML file (a missing default file is fine) and the environment."""
    data: dict[str, Any] = {}
    if path is not None and path.exists():
        try:
            data = tomllib.loads(path.read_text(encoding="utf-8"))
        except tomllib.TOMLDecodeError as exc:
            raise ConfigError(f"{path}: not valid TOML: {exc}") from exc
        except (OSError, UnicodeDecodeError) as exc:
            raise ConfigError(f"{path}: cannot be read: {exc}") from exc
    elif required and path is not None:
        raise ConfigError(f"{path}: no such configuration file")
    try:
        return Settings(**data)
    except ValidationError as exc:
        raise ConfigError(_describe(exc)) from exc


def _describe(exc: ValidationError) -> str:
    lines = []
    for error in exc.errors():
        key = ".".join(str(part) for part in error["loc"]) or "config"
        message = error["msg"].removeprefix("Value error, ")
        if error["type"] == "extra_forbidden":
            message = "unknown key"
        lines.append(f"{key}: {message}")
    return "; ".join(lines)
