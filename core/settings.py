"""Settings from the environment and ``.env``.

The variable names (``HOSHO_*``, ``SLACK_*``) are what deployments set: renaming one
breaks them, so a name, once released, stays. Code reads settings from the ``Runtime``
its front end opened (``runtime.settings``), never from here directly.
"""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field, ValidationError, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from hosho.core.errors import ConfigError


class Settings(BaseSettings):
    """Every knob hosho reads. Unknown ``HOSHO_*`` variables are ignored."""

    model_config = SettingsConfigDict(
        env_file=".env", env_file_encoding="utf-8", extra="ignore", env_ignore_empty=True
    )

    database_url: str = Field("sqlite:///var/hosho.db", alias="HOSHO_DATABASE_URL")
    municipality: str = Field("aya", alias="HOSHO_MUNICIPALITY")
    maildir: Path = Field(Path("var/inbox"), alias="HOSHO_MAILDIR")

    imap_host: str | None = Field(None, alias="HOSHO_IMAP_HOST")
    imap_port: int | None = Field(None, alias="HOSHO_IMAP_PORT", ge=1, le=65535)
    imap_user: str | None = Field(None, alias="HOSHO_IMAP_USER")
    imap_password: str | None = Field(None, alias="HOSHO_IMAP_PASSWORD")
    imap_folder: str = Field("INBOX", alias="HOSHO_IMAP_FOLDER")
    imap_security: Literal["ssl", "starttls", "none"] = Field("ssl", alias="HOSHO_IMAP_SECURITY")
    imap_timeout: float = Field(30.0, alias="HOSHO_IMAP_TIMEOUT", gt=0)
    imap_keyword_only: bool = Field(False, alias="HOSHO_IMAP_KEYWORD_ONLY")
    poll_seconds: float = Field(60.0, alias="HOSHO_POLL_SECONDS", gt=0)
    max_message_mb: float = Field(20.0, alias="HOSHO_MAX_MESSAGE_MB", gt=0)
    #: Ledger mode: register a notice for a number never imported from the notice itself.
    register_unknown: bool = Field(False, alias="HOSHO_REGISTER_UNKNOWN")

    smtp_host: str | None = Field(None, alias="HOSHO_SMTP_HOST")
    smtp_port: int | None = Field(None, alias="HOSHO_SMTP_PORT", ge=1, le=65535)
    smtp_user: str | None = Field(None, alias="HOSHO_SMTP_USER")
    smtp_password: str | None = Field(None, alias="HOSHO_SMTP_PASSWORD")
    smtp_security: Literal["ssl", "starttls", "none"] = Field(
        "starttls", alias="HOSHO_SMTP_SECURITY"
    )
    smtp_timeout: float = Field(30.0, alias="HOSHO_SMTP_TIMEOUT", gt=0)
    mail_from: str | None = Field(None, alias="HOSHO_MAIL_FROM")
    reply_limit_per_hour: int = Field(3, alias="HOSHO_REPLY_LIMIT_PER_HOUR", ge=0)
    staff_email: str = Field("", alias="HOSHO_STAFF_EMAIL")
    digest_at: str | None = Field(None, alias="HOSHO_DIGEST_AT")
    outbox_lease_seconds: float = Field(60.0, alias="HOSHO_OUTBOX_LEASE_SECONDS", gt=0)

    slack_bot_token: str | None = Field(None, alias="SLACK_BOT_TOKEN")
    slack_app_token: str | None = Field(None, alias="SLACK_APP_TOKEN")
    slack_signing_secret: str | None = Field(None, alias="SLACK_SIGNING_SECRET")
    slack_api_url: str = Field("https://slack.com/api/", alias="HOSHO_SLACK_API_URL")
    admin_user_ids: str = Field("", alias="HOSHO_ADMIN_USER_IDS")
    staff_channel: str | None = Field(None, alias="HOSHO_STAFF_CHANNEL")
    chat_user: str = Field("UDEMO0001", alias="HOSHO_CHAT_USER")
    notice_dir: Path = Field(Path("var/notices"), alias="HOSHO_NOTICE_DIR")

    pdf_font: Path | None = Field(None, alias="HOSHO_PDF_FONT")
    #: OCR of scans and photos (Tesseract jpn, optional): on/off, and one page's limits.
    ocr: bool = Field(True, alias="HOSHO_OCR")
    ocr_seconds: float = Field(20.0, alias="HOSHO_OCR_SECONDS", gt=0, le=300)
    ocr_memory_mb: int = Field(512, alias="HOSHO_OCR_MEMORY_MB", ge=128, le=4096)

    @field_validator("database_url")
    @classmethod
    def _known_database(cls, value: str) -> str:
        if not value.startswith(("sqlite:", "postgresql:", "postgresql+psycopg:")):
            raise ValueError("must be a sqlite:/// or postgresql:// URL")
        return value

    @field_validator("staff_email")
    @classmethod
    def _staff_addresses(cls, value: str) -> str:
        from email_validator import EmailNotValidError, validate_email

        addresses = [a.strip() for a in value.split(",") if a.strip()]
        if value.strip() and not addresses:  # ", ," would silently send staff nothing
            raise ValueError("holds no e-mail address (a comma-separated list)")
        for address in addresses:
            try:
                validate_email(address, check_deliverability=False)
            except EmailNotValidError as err:
                raise ValueError(f"{address!r} is not an e-mail address ({err})") from None
        return value

    @field_validator("digest_at")
    @classmethod
    def _clock_time(cls, value: str | None) -> str | None:
        if value is not None and not re.fullmatch(r"([01]\d|2[0-3]):[0-5]\d", value.strip()):
            raise ValueError("must be HH:MM in town time, e.g. 08:30")
        return value.strip() if value else None

    @model_validator(mode="after")
    def _staff_mail_can_go(self) -> Settings:
        if self.staff_email.strip() and not self.smtp_host:
            raise ValueError("HOSHO_STAFF_EMAIL is set but HOSHO_SMTP_HOST is not")
        if self.digest_at and not self.staff_email.strip():
            raise ValueError("HOSHO_DIGEST_AT is set but HOSHO_STAFF_EMAIL is not")
        return self

    @field_validator("pdf_font")
    @classmethod
    def _font_exists(cls, value: Path | None) -> Path | None:
        if value is not None and not value.is_file():
            raise ValueError(f"font file not found: {value}")
        return value

    @property
    def admins(self) -> frozenset[str]:
        """Slack user IDs allowed to run admin commands."""
        return frozenset(u.strip() for u in self.admin_user_ids.split(",") if u.strip())

    @property
    def staff_addresses(self) -> list[str]:
        """HOSHO_STAFF_EMAIL as a list (empty: staff get no mail)."""
        return [a.strip() for a in self.staff_email.split(",") if a.strip()]

    @property
    def sqlalchemy_url(self) -> str:
        """The URL with the psycopg 3 driver named for PostgreSQL."""
        url = self.database_url
        if url.startswith("postgresql://"):
            return "postgresql+psycopg://" + url[len("postgresql://") :]
        return url


def load_settings() -> Settings:
    """Read settings; a bad value becomes one ConfigError line naming the setting."""
    try:
        return Settings()
    except ValidationError as err:
        first = err.errors()[0]
        name = ".".join(str(p) for p in first["loc"])
        why = first["msg"].removeprefix("Value error, ")
        raise ConfigError(f"invalid setting {name}: {why}" if name else why) from None


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process-wide settings (cached; tests call ``get_settings.cache_clear()``)."""
    return load_settings()
