"""The one place for configuration.

Precedence: CLI option > environment (``GOVINSPECT_*``) > defaults.  The CLI builds a
:class:`Settings` with its options as init arguments, which pydantic-settings ranks above the
environment.  Every knob that changes behaviour lives here, with its default documented in
``docs/configuration.md``.
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any, Literal

from pydantic import Field, SecretStr, ValidationError, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from govinspect import __version__
from govinspect.errors import ConfigError
from govinspect.redaction import redact

TIMEZONE = "Asia/Shanghai"
# "postgresql:/u:pw@host/db", "redis:host": a URL scheme without "//", not a file name.
_SCHEME_WITHOUT_SLASHES = re.compile(r"^[A-Za-z][A-Za-z0-9+.\-]*:(?!//)")

#: Default of ``retry_after_max``: the longest ``Retry-After`` the crawler and the feed poller
#: wait for (one cap for both; see ``govinspect/crawler/retry_after.py``).
RETRY_AFTER_MAX = 60.0


def _default_analysis_workers() -> int:
    """One worker when a core is left over; none on one or two cores.

    A crawl process keeps one worker busy at most (analysis is about a quarter of its CPU,
    docs/benchmarks.md "Every core"), and on two cores the units crawled at once
    (``crawl_parallel``) already take the second core: there a worker bought 15 % of one
    unit's wall time for 65 MB, above the 300 MB budget of a 30k-URL crawl.
    """
    cores = os.cpu_count() or 1
    return 1 if cores > 2 else 0


class Settings(BaseSettings):
    """Typed settings; field names map to ``GOVINSPECT_<NAME>`` environment variables."""

    model_config = SettingsConfigDict(
        env_prefix="GOVINSPECT_", extra="ignore", validate_default=True
    )

    # Where things are.
    config: Path = Field(Path("govinspect.yaml"), description="site registry (units) YAML")
    data_dir: Path = Field(Path("var"), description="database, WARC files, crawl state, reports")
    db: str | None = Field(None, description="SQLAlchemy URL; default SQLite in data_dir")
    redis_url: str | None = Field(None, description="enables distributed crawling")

    # Identity: government webmasters must be able to tell who is crawling and whom to call.
    contact: str = Field("", description="e-mail or URL put into the User-Agent")

    # Politeness and limits (per unit overridable in the registry under `crawl:`).
    concurrency_per_host: int = Field(4, ge=1, le=64, description="requests at once to one host")
    concurrency_total: int = Field(32, ge=1, le=1024, description="requests at once in one crawl")
    download_delay: float = Field(0.0, ge=0, description="seconds between requests to one host")
    timeout: float = Field(15.0, gt=0, description="seconds a crawl request waits for its answer")
    retry_times: int = Field(2, ge=0, le=10, description="retries of a transient fault")
    retry_after_max: float = Field(
        RETRY_AFTER_MAX,
        ge=0,
        le=3600,
        description="longest Retry-After wait in seconds (crawl and feeds); a longer ask is "
        "not waited for",
    )
    obey_robots: bool = Field(True, description="obey robots.txt (skips are recorded)")
    max_pages: int = Field(100_000, ge=1, description="pages per unit per crawl")
    max_depth: int = Field(12, ge=0, description="link hops from the homepage")
    max_links_per_page: int = Field(5_000, ge=1, description="links read from one page")
    max_url_length: int = Field(2_048, ge=64, description="longer URLs are not followed")
    max_response_bytes: int = Field(8 * 1024 * 1024, ge=1024, description="cap on a body")
    max_run_seconds: int = Field(6 * 3600, ge=1, description="wall-clock cap of one crawl")
    # Units at once: each is one crawl subprocess, mostly waiting on its hosts (politeness), so
    # more than the machine's cores pays; units sharing a crawled host still go one at a time.
    crawl_parallel: int = Field(
        4,
        ge=1,
        le=64,
        description="units `govinspect crawl` crawls at once (one subprocess each); the nightly "
        "job uses the registry's schedule.crawl_parallel",
    )
    recheck_delay: float = Field(30.0, ge=0, description="wait before the 2nd verification pass")
    warc_body_cap: int = Field(1024 * 1024, ge=0, description="bytes of a body kept as evidence")
    http_cache: bool = Field(
        True,
        description="keep pages in data_dir/httpcache and revalidate them (304s); also keeps "
        "each page's analysis, reused for an unchanged page",
    )
    analysis_workers: int = Field(
        default_factory=lambda: _default_analysis_workers(),
        ge=0,
        le=64,
        description="worker processes analysing pages in one crawl (default: 1 on three "
        "cores or more, else 0: in the crawl process)",
    )
    # Crawl plans (crawler/plans.py, docs/crawler.md "Crawl plans"); per unit overridable.
    crawl_plan: Literal["quick", "full", "rolling"] = Field(
        "full", description="quick | full | rolling (crawl --plan; the nightly job: schedule)"
    )
    recheck_all: bool = Field(
        False, description="request every target again, however recently verified"
    )
    link_recheck_hours: float = Field(
        24.0,
        ge=0,
        description="a target verified ok this recently is carried forward, not requested "
        "(internal targets of a new or changed page are always re-checked); 0: never",
    )
    rolling_budget_per_host: int = Field(
        0,
        ge=0,
        description="rolling plan: URLs per host re-verified per night (0: the site's size "
        "÷ rolling_cycle_nights)",
    )
    rolling_cycle_nights: int = Field(
        7, ge=1, description="rolling plan: every URL re-verified within this many nights"
    )
    quick_list_pages: int = Field(
        1, ge=1, description="quick plan: list pages fetched again per known column"
    )
    # Content safety (docs/content-safety.md).
    content_safety: bool = Field(
        True, description="record content-safety facts (hidden links, privacy, wording, ...)"
    )
    safety_attachment_bytes: int = Field(
        5 * 1024 * 1024,
        ge=0,
        description="xls/xlsx/doc/docx/pdf/csv attachments up to this size are downloaded and "
        "scanned for personal data; 0: attachments are only status-checked",
    )
    sensitive_words: Path | None = Field(
        None, description="a sensitive-word file (one word a line) matched in every page"
    )

    # The rubric of `check` and of the nightly job (a file or a folder); beats the registry's
    # `schedule: rubric:`, and `check --rubric` beats it (docs/configuration.md).
    rubric: Path | None = Field(
        None, description="rubric YAML or folder (default: the registry's, else packaged)"
    )

    # Probes and feeds.
    probe_timeout: float = Field(
        30.0,
        gt=0,
        description="seconds a probe waits at most (the rubric's timeout_ms judges; never below)",
    )
    feed_timeout: float = Field(20.0, gt=0, description="seconds a feed fetch waits")
    feed_concurrency_per_host: int = Field(4, ge=1, description="feed fetches at once per host")

    # Output.
    verbose: bool = Field(
        False, description="library log lines (Alembic, APScheduler, …) on stderr; also --verbose"
    )

    # Notifications (digests): e-mail over SMTP; webhooks are in the registry's contacts.
    smtp_host: str | None = Field(None, description="SMTP server for the digests (None: no e-mail)")
    smtp_port: int = Field(25, ge=1, le=65535, description="SMTP port (465 with smtp_tls)")
    smtp_tls: bool = Field(False, description="implicit TLS from the first byte (SMTPS)")
    smtp_starttls: bool = Field(False, description="upgrade the connection with STARTTLS")
    smtp_user: str | None = Field(None, description="SMTP login (with smtp_password)")
    smtp_password: SecretStr | None = Field(None, description="SMTP password (never logged)")
    smtp_from: str = Field("govinspect@localhost", description="sender address of the digests")
    smtp_timeout: float = Field(15.0, gt=0, description="seconds an SMTP exchange may take")
    webhook_timeout: float = Field(10.0, gt=0, description="seconds a webhook call may take")
    notify_max_attempts: int = Field(8, ge=1, le=100, description="sends of one message at most")
    notify_retry_seconds: float = Field(
        60.0, ge=0, description="first retry delay; doubles after every failure"
    )
    notify_retry_max_seconds: float = Field(
        3600.0, ge=0, description="longest delay between two retries"
    )

    # Storage.
    sqlite_busy_timeout_ms: int = Field(
        30_000, ge=0, description="how long a SQLite writer waits for another"
    )

    # The dashboard (`govinspect serve`, docs/dashboard.md).
    web_secret_key: str | None = Field(
        None,
        description="signs the session cookies; default: a random key kept in "
        "data_dir/web-secret.key",
    )
    web_session_minutes: int = Field(
        480, ge=5, le=60 * 24 * 30, description="a login expires after this many minutes"
    )
    web_cookie_secure: Literal["auto", "always", "never"] = Field(
        "auto",
        description="Secure cookie flag: auto = when the request came over HTTPS (directly or "
        "per X-Forwarded-Proto of a trusted proxy)",
    )
    web_trusted_proxies: str = Field(
        "",
        description="comma-separated addresses of reverse proxies whose X-Forwarded-For/-Proto "
        "are believed (e.g. 127.0.0.1 behind nginx); empty: none",
    )
    web_login_attempts: int = Field(
        5, ge=1, description="failed logins per user name in 15 minutes before it is locked"
    )
    web_login_attempts_per_address: int = Field(
        20, ge=1, description="failed logins per client address in 15 minutes"
    )

    @field_validator("db")
    @classmethod
    def _db_url(cls, value: str | None) -> str | None:
        if value is not None and _SCHEME_WITHOUT_SLASHES.match(value):
            # The value is not quoted: it may carry a password.
            raise ValueError("not a database URL (scheme://...) nor a file path")
        if value is not None and "://" not in value:
            # A bare path is friendlier than a URL for SQLite users.
            return f"sqlite:///{Path(value).expanduser()}"
        return value

    @field_validator("sensitive_words")
    @classmethod
    def _sensitive_words(cls, value: Path | None) -> Path | None:
        if value is not None and not value.expanduser().is_file():
            raise ValueError(f"no such file: {value}")
        return value.expanduser() if value is not None else None

    @field_validator("redis_url")
    @classmethod
    def _redis_url(cls, value: str | None) -> str | None:
        if value and not value.startswith(("redis://", "rediss://", "unix://")):
            raise ValueError("not a Redis URL (redis://, rediss:// or unix://)")
        return value or None

    @property
    def database_url(self) -> str:
        if self.db:
            return self.db
        return f"sqlite:///{(self.data_dir / 'govinspect.db').resolve()}"

    @property
    def user_agent(self) -> str:
        contact = f"; {self.contact}" if self.contact else ""
        return f"govinspect/{__version__} (+https://github.com/govinspect/govinspect{contact})"

    @property
    def warc_dir(self) -> Path:
        return self.data_dir / "warc"

    @property
    def state_dir(self) -> Path:
        return self.data_dir / "state"

    @property
    def reports_dir(self) -> Path:
        return self.data_dir / "reports"


def load_settings(**overrides: Any) -> Settings:
    """Build settings from the environment with CLI overrides (``None`` means not given)."""
    given = {key: value for key, value in overrides.items() if value is not None}
    try:
        return Settings(**given)
    except ValidationError as exc:
        first = exc.errors()[0]
        field = ".".join(str(part) for part in first["loc"]) or "settings"
        env = f"GOVINSPECT_{field.upper()}"
        # The message never quotes the value, but a validator's own text might: no passwords.
        raise ConfigError(f"setting {field} ({env}): {redact(first['msg'])}") from None
