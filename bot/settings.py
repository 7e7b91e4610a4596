"""One typed settings object per process, read once from the environment and .env."""

from __future__ import annotations

import ipaddress
import re
import secrets
from pathlib import Path

from pydantic import AliasChoices, Field, SecretStr, ValidationInfo, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

ROOT = Path(__file__).resolve().parent.parent
# Tokens and keys people set by hand: at least 32 characters (secrets.token_urlsafe(32) gives 43).
MIN_SECRET = 32
MAKE_SECRET = "python -c 'import secrets; print(secrets.token_urlsafe(32))'"
# what Telegram accepts as a webhook's secret_token (setWebhook): 1-256 of A-Z a-z 0-9 _ -
TELEGRAM_SECRET = re.compile(r"[A-Za-z0-9_-]{1,256}")


def _env_name(field: str | None) -> str:
    name = (field or "").upper()
    return name if name.startswith("TELEGRAM_") else f"HELPLINE_{name}"


class Settings(BaseSettings):
    """Every port, URL and path of the helpline. Wrong values fail at start-up."""

    # hide_input_in_errors: a wrong value is named, never printed (it may be a token or a password)
    model_config = SettingsConfigDict(env_file=".env", env_prefix="HELPLINE_", extra="ignore",
                                      populate_by_name=True, hide_input_in_errors=True)

    content_dir: Path = ROOT / "content"
    locales_dir: Path = ROOT / "locales"
    nlu_dir: Path = ROOT / "nlu"
    build_dir: Path = ROOT / "build"
    data_dir: Path = ROOT / "var"

    host: str = "127.0.0.1"            # where Rasa and the action server listen
    gateway_host: str = "127.0.0.1"    # where the gateway listens (0.0.0.0 in a container)
    rasa_host: str | None = None       # where the gateway finds Rasa (default: host)
    action_host: str | None = None     # where Rasa and the gateway find the actions (default: host)
    rasa_port: int = Field(5005, ge=1, le=65535)
    action_port: int = Field(5055, ge=1, le=65535)
    gateway_port: int = Field(8000, ge=1, le=65535)
    # several Rasa servers sharing the tracker and lock stores: "http://10.0.0.5:5005,http://10.0.0.6:5005"
    # (default: the one at rasa_host:rasa_port). Name every replica: a publish gives each one the new
    # model with PUT /model (bot/studio/rollout.py); compose and Kubernetes list them.
    rasa_replicas: str | None = None
    # the token of Rasa's HTTP API (at least 32 characters); unset: a new one at every start
    rasa_token: SecretStr = Field(default_factory=lambda: SecretStr(secrets.token_urlsafe(32)))
    tracker_store_url: str | None = None
    lock_store_url: str | None = None
    # where several gateways share per-conversation message limits and languages
    # ("redis://redis:6379/1"); unset: kept in the gateway's memory (one gateway)
    shared_state_url: str | None = None
    request_timeout: float = Field(10.0, gt=0, le=60)
    rasa_concurrency: int = Field(8, ge=1, le=256)     # messages in flight to each Rasa server at once
    log_level: str = "INFO"
    database_url: str | None = Field(
        None, validation_alias=AliasChoices("DATABASE_URL", "HELPLINE_DATABASE_URL"))
    development: bool = False            # shows unverified (example) contacts to users
    default_organisation: str = "helpline"   # owns cases no union link points elsewhere
    casework_hours: str = "mon-fri 09:00-18:00 Europe/Moscow"
    urgent_claim_minutes: float = Field(10, gt=0)     # unclaimed urgent case: tell the user
    idle_case_hours: float = Field(24, gt=0)          # an open case with no activity ends
    console_session_hours: float = Field(8, gt=0, le=24 * 7)
    console_secure_cookies: bool = True   # off only for http://127.0.0.1 in development
    # argon2 password checks at once in one gateway process (19 MiB each, bot/console/passwords.py);
    # a login beyond them waits a moment, then is asked to try again (429)
    login_checks: int = Field(2, ge=1, le=16)
    # the proxies (addresses or networks, comma-separated) whose X-Forwarded-For and -Proto the
    # gateway believes (uvicorn's --forwarded-allow-ips); unset: none, a client is the socket's
    # peer. Never "*": every client could then pick its own address and its own login budget.
    forwarded_allow_ips: str | None = None
    public_url: str | None = None         # e.g. https://helpline.example.org (links in announcements)
    # a monitor that is not on the gateway's machine reads /healthz in detail (each dependency,
    # restarts) with "Authorization: Bearer <this>" (at least 32 characters); loopback needs none
    health_token: SecretStr | None = None
    # a caseworkers' Telegram group told about new urgent cases (a link only, never the user's words)
    caseworker_chat_id: int | None = None
    # the key behind conversation pseudonyms and sealed chat ids (at least 32 characters);
    # unset: a key file is made in the data folder on first start (the laptop default)
    secret_key: SecretStr | None = None
    retention_days: int = Field(30, ge=1, le=3650)     # `helpline purge` deletes what is older
    messages_per_minute: int = Field(20, ge=1, le=600)  # per conversation; more get a polite pause
    # floods of cases (beyond them the user is told kindly, with the emergency numbers): cases one
    # conversation may open in 24 hours (one open at a time), one client address (IPv6: its /64)
    # in an hour on the web chat (many workers may share a mobile operator's address), and each
    # channel (web, Telegram) in an hour; a user's messages into their open case per minute; urgent cases
    # announced to the caseworkers' group per 10 minutes (the others in one summary line)
    cases_per_conversation_day: int = Field(3, ge=1, le=100)
    cases_per_address_hour: int = Field(10, ge=1, le=10_000)
    cases_per_hour: int = Field(100, ge=1, le=100_000)
    case_messages_per_minute: int = Field(30, ge=5, le=600)
    # the web page asks for a caseworker's replies every 3 s while a case is open (20 a minute)
    case_polls_per_minute: int = Field(60, ge=30, le=6000)
    urgent_announcements: int = Field(5, ge=1, le=100)
    # the action server adds organisers' usage counts to the database this often (0: every turn)
    usage_flush_seconds: float = Field(5.0, ge=0, le=3600)
    # when content_dir is a published link (<root>/live, bot/studio/live.py), how often the
    # action server looks whether it moved to a new version
    content_watch_seconds: float = Field(2.0, gt=0, le=3600)
    check_language: str = "en"            # what `helpline check` speaks to organisers: en or ru
    # the collective signal: organisers see an employer once this many different users who
    # agreed to have it counted have named it (fewer could point at one person)
    signal_threshold: int = Field(3, ge=2, le=1000)
    telegram_bot_token: SecretStr | None = Field(
        None, validation_alias=AliasChoices("TELEGRAM_BOT_TOKEN", "HELPLINE_TELEGRAM_BOT_TOKEN"))
    telegram_webhook_url: str | None = Field(
        None, validation_alias=AliasChoices("TELEGRAM_WEBHOOK_URL", "HELPLINE_TELEGRAM_WEBHOOK_URL"))
    telegram_webhook_secret: SecretStr | None = Field(
        None, validation_alias=AliasChoices("TELEGRAM_WEBHOOK_SECRET", "HELPLINE_TELEGRAM_WEBHOOK_SECRET"))
    telegram_api_base_url: str = Field(
        "https://api.telegram.org/bot",
        validation_alias=AliasChoices("TELEGRAM_API_BASE_URL", "HELPLINE_TELEGRAM_API_BASE_URL"))

    @field_validator("content_dir", "locales_dir", "nlu_dir")
    @classmethod
    def _must_exist(cls, value: Path) -> Path:
        if not value.is_dir():
            raise ValueError(f"folder {value} does not exist")
        return value

    @field_validator("secret_key", "rasa_token", "telegram_webhook_secret", "health_token")
    @classmethod
    def _long_enough(cls, value: SecretStr | None, info: ValidationInfo) -> SecretStr | None:
        if value is not None and len(value.get_secret_value()) < MIN_SECRET:
            raise ValueError(f"{_env_name(info.field_name)} must have at least {MIN_SECRET} characters "
                             f"(make one with: {MAKE_SECRET})")
        return value

    @field_validator("telegram_webhook_secret")
    @classmethod
    def _telegram_accepts(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None and not TELEGRAM_SECRET.fullmatch(value.get_secret_value()):
            raise ValueError("TELEGRAM_WEBHOOK_SECRET may hold only A-Z, a-z, 0-9, _ and - "
                             f"(at most 256 characters; make one with: {MAKE_SECRET})")
        return value

    @field_validator("rasa_replicas")
    @classmethod
    def _urls(cls, value: str | None) -> str | None:
        if value is not None and not all(u.strip().startswith(("http://", "https://"))
                                         for u in value.split(",") if u.strip()):
            raise ValueError("HELPLINE_RASA_REPLICAS must be http:// URLs separated by commas")
        return value

    @field_validator("shared_state_url")
    @classmethod
    def _redis_url(cls, value: str | None) -> str | None:
        if value is not None and not value.startswith(("redis://", "rediss://", "unix://")):
            raise ValueError("HELPLINE_SHARED_STATE_URL must start with redis://, rediss:// or unix://")
        return value

    @field_validator("forwarded_allow_ips")
    @classmethod
    def _trusted_proxies(cls, value: str | None) -> str | None:
        items = [item.strip() for item in (value or "").split(",") if item.strip()]
        for place, item in enumerate(items, 1):
            try:
                network = ipaddress.ip_network(item, strict=False)
            except ValueError:
                network = None
            if item == "*" or (network is not None and network.prefixlen == 0):
                raise ValueError("HELPLINE_FORWARDED_ALLOW_IPS may not trust every address (*): any client could "
                                 "then name its own address, and get a fresh login budget with each name. "
                                 "List your proxy's addresses or networks, e.g. 10.0.0.7 or 10.42.0.0/16")
            if network is None:
                raise ValueError(f"HELPLINE_FORWARDED_ALLOW_IPS: item {place} is not an IP address or network "
                                 "(e.g. 10.0.0.7 or 10.42.0.0/16; several separated by commas)")
        return ",".join(items) or None

    @field_validator("log_level")
    @classmethod
    def _known_level(cls, value: str) -> str:
        if value.upper() not in {"DEBUG", "INFO", "WARNING", "ERROR"}:
            raise ValueError("log level must be DEBUG, INFO, WARNING or ERROR")
        return value.upper()

    @field_validator("check_language")
    @classmethod
    def _check_language(cls, value: str) -> str:
        from bot.content.wording import LANGUAGES

        if value.strip().lower() not in LANGUAGES:
            raise ValueError(f"HELPLINE_CHECK_LANGUAGE must be {' or '.join(LANGUAGES)} "
                             f"(the language of `helpline check`), not {value!r}")
        return value.strip().lower()

    @field_validator("database_url")
    @classmethod
    def _known_database(cls, value: str | None) -> str | None:
        if value is not None and not value.startswith(("sqlite:", "postgresql:", "postgres:", "postgresql+")):
            raise ValueError("DATABASE_URL must start with sqlite:/// or postgresql://")
        return value

    @field_validator("casework_hours")
    @classmethod
    def _hours(cls, value: str) -> str:
        from bot.duty_hours import parse_hours

        parse_hours(value)   # raises ValueError with the reason
        return value

    @model_validator(mode="after")
    def _distinct_ports(self) -> Settings:
        ports = [self.rasa_port, self.action_port, self.gateway_port]
        if len(set(ports)) != len(ports):
            raise ValueError(f"the Rasa, action server and gateway ports must differ: {ports}")
        return self

    @model_validator(mode="after")
    def _webhook_needs_secret(self) -> Settings:
        if self.telegram_webhook_url and not self.telegram_webhook_secret:
            raise ValueError("TELEGRAM_WEBHOOK_SECRET must be set when TELEGRAM_WEBHOOK_URL is set")
        if self.telegram_webhook_url and not self.telegram_bot_token:
            raise ValueError("TELEGRAM_BOT_TOKEN must be set when TELEGRAM_WEBHOOK_URL is set")
        return self

    @property
    def rasa_url(self) -> str:
        return f"http://{self.rasa_host or self.host}:{self.rasa_port}"

    @property
    def rasa_urls(self) -> list[str]:
        if not self.rasa_replicas:
            return [self.rasa_url]
        return [url.strip().rstrip("/") for url in self.rasa_replicas.split(",") if url.strip()]

    @property
    def tracker_store(self) -> str:
        """Where Rasa keeps trackers, as a URL: HELPLINE_TRACKER_STORE_URL, or SQLite under the
        data folder. The one answer for Rasa's endpoints (bot/processes.py), /forget and retention."""
        return self.tracker_store_url or f"sqlite:///{self.data_dir / 'rasa' / 'tracker.db'}"

    @property
    def action_url(self) -> str:
        return f"http://{self.action_host or self.host}:{self.action_port}/webhook"

    @property
    def action_health_url(self) -> str:
        return f"http://{self.action_host or self.host}:{self.action_port}/health"

    @property
    def trusted_proxies(self) -> str:
        """uvicorn's forwarded_allow_ips: the configured proxies, or "" (none: the socket's peer)."""
        return self.forwarded_allow_ips or ""

    @property
    def database(self) -> str:
        """The database URL: DATABASE_URL, else SQLite under the data folder."""
        return self.database_url or f"sqlite:///{self.data_dir / 'helpline.db'}"

    @property
    def key_file(self) -> Path:
        return self.data_dir / "secret.key"

    @property
    def studio_dir(self) -> Path:
        """The organisers' studio: the content repository, the published versions and their
        models (bot/studio/)."""
        return self.data_dir / "studio"

    @property
    def model_dir(self) -> Path:
        return self.build_dir / "models"
