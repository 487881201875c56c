"""The site registry: the public config-file contract (``units:`` YAML).

Users write this file and other tools generate it, so the documented keys never change meaning;
new keys are optional.  Validation errors name the file, the unit and the field.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any, Literal
from urllib.parse import urlsplit

import yaml
from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)

from govinspect.errors import ConfigError, UnknownUnitError
from govinspect.linkpatterns import parse_pattern

UNIT_ID = re.compile(r"^[a-z0-9_-]+$")
SITE_CODE = re.compile(r"^(\d{10}|bm\d{8})$")


class Category(StrEnum):
    county = "county"
    department = "department"


class Platform(StrEnum):
    wechat = "wechat"
    weibo = "weibo"
    douyin = "douyin"
    toutiao = "toutiao"
    app = "app"
    other = "other"


def _check_http_url(value: str) -> str:
    parts = urlsplit(value.strip())
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError(f"not an http(s) URL: {value!r}")
    return value.strip()


def _link_pattern(value: str) -> str:
    return parse_pattern(value).text


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class NewMediaAccount(_Strict):
    name: str = Field(min_length=1)
    platform: Platform
    feed: str

    _feed = field_validator("feed")(_check_http_url)


class CrawlOverrides(_Strict):
    """Optional per-unit overrides of the crawl settings (same names as in settings)."""

    concurrency_per_host: int | None = Field(None, ge=1, le=64)
    download_delay: float | None = Field(None, ge=0)
    timeout: float | None = Field(None, gt=0)
    obey_robots: bool | None = None
    max_pages: int | None = Field(None, ge=1)
    max_depth: int | None = Field(None, ge=0)
    max_run_seconds: int | None = Field(None, ge=1)
    # Crawl plans (crawler/plans.py): a big site's own budget and cycle.
    link_recheck_hours: float | None = Field(None, ge=0)
    rolling_budget_per_host: int | None = Field(None, ge=0)
    rolling_cycle_nights: int | None = Field(None, ge=1)
    quick_list_pages: int | None = Field(None, ge=1)


class WebhookKind(StrEnum):
    wecom = "wecom"  # 企业微信 group robot
    dingtalk = "dingtalk"  # 钉钉 robot
    json = "json"  # any endpoint taking the digest as plain JSON


_EMAIL = re.compile(r"^[^@\s<>]+@[^@\s<>]+\.[^@\s<>]+$")
_QUIET = re.compile(r"^([01]\d|2[0-3]):([0-5]\d)-([01]\d|2[0-3]):([0-5]\d)$")


class Webhook(_Strict):
    type: WebhookKind
    url: str
    # DingTalk: the robot's 加签 secret (SEC...); the request is then signed (timestamp, sign).
    secret: str | None = None

    _url = field_validator("url")(_check_http_url)

    @model_validator(mode="after")
    def _secret_only_for_dingtalk(self) -> Webhook:
        if self.secret is not None and self.type is not WebhookKind.dingtalk:
            raise ValueError("secret: only a dingtalk webhook is signed")
        return self


class Contact(_Strict):
    """Who gets the digests: an e-mail address and/or a webhook."""

    name: str | None = None
    email: str | None = None
    webhook: Webhook | None = None

    @field_validator("email")
    @classmethod
    def _email(cls, value: str | None) -> str | None:
        if value is not None and not _EMAIL.match(value.strip()):
            raise ValueError(f"{value!r} is not an e-mail address")
        return value.strip() if value else value

    @model_validator(mode="after")
    def _reachable(self) -> Contact:
        if self.email is None and self.webhook is None:
            raise ValueError("a contact needs an email, a webhook or both")
        return self


class UnitContacts(_Strict):
    webmaster: Contact | None = None
    others: list[Contact] = Field(default_factory=list, max_length=3)

    def all(self) -> list[tuple[str, Contact]]:
        """(role, contact): the webmaster first, then the others."""
        out = [("webmaster", self.webmaster)] if self.webmaster else []
        return out + [(f"other{n}", c) for n, c in enumerate(self.others, start=1)]


class Unit(_Strict):
    id: str
    name: str = Field(min_length=1)
    category: Category
    website: str
    site_code: str | None = None
    new_media: list[NewMediaAccount] = Field(default_factory=list)
    # Optional extensions (all later additions are optional keys).
    extra_hosts: list[str] = Field(default_factory=list)
    crawl: CrawlOverrides = Field(default_factory=CrawlOverrides)
    column_types: dict[str, str] = Field(default_factory=dict)
    # Link targets (URLs, globs, re: patterns) left out of the dead-link counts, shown as excluded.
    exclude_links: list[Annotated[str, AfterValidator(_link_pattern)]] = Field(default_factory=list)
    contacts: UnitContacts = Field(default_factory=UnitContacts)
    # Non-government hosts the unit links to on purpose (合作单位): not listed for review.
    partner_hosts: list[str] = Field(default_factory=list)
    # The local limit for answering a message, in working days (cities set 1, 3, 5 or 10);
    # None: the rubric's default (thresholds.interaction.reply_limit_working_days).
    reply_limit_working_days: int | None = Field(None, ge=1, le=60)

    @field_validator("id")
    @classmethod
    def _id(cls, value: str) -> str:
        if not UNIT_ID.match(value):
            raise ValueError(f"{value!r} must match [a-z0-9_-]+")
        return value

    _website = field_validator("website")(_check_http_url)

    @field_validator("site_code", mode="before")
    @classmethod
    def _site_code(cls, value: Any) -> Any:
        if value is None:
            return None
        text = str(value)
        if not SITE_CODE.match(text):
            raise ValueError(f"{text!r} is not a 网站标识码 (10 digits, or bm + 8 digits)")
        return text

    @field_validator("new_media")
    @classmethod
    def _distinct_accounts(cls, accounts: list[NewMediaAccount]) -> list[NewMediaAccount]:
        """An account is its platform and name (and its feed): units run accounts of the same
        name on several platforms (杞县发布 on WeChat and on Weibo); only a true repeat is wrong.
        """
        by_key: dict[tuple[str, str], int] = {}
        by_feed: dict[str, int] = {}
        for index, account in enumerate(accounts):
            key = (account.platform.value, account.name)
            if key in by_key:
                raise ValueError(
                    f"new_media.{index} repeats new_media.{by_key[key]}: "
                    f"{account.name!r} on {account.platform.value}"
                )
            if account.feed in by_feed:
                raise ValueError(
                    f"new_media.{index} has the same feed as new_media.{by_feed[account.feed]}: "
                    f"{account.feed}"
                )
            by_key[key] = by_feed[account.feed] = index
        return accounts


def _check_cron(value: str, timezone: str = "Asia/Shanghai") -> str:
    from apscheduler.triggers.cron import CronTrigger

    try:
        CronTrigger.from_crontab(value, timezone=timezone)
    except ValueError as exc:
        raise ValueError(
            f"{value!r} is not a cron expression (min hour day month dow): {exc}"
        ) from None
    return value


class ScheduleConfig(_Strict):
    """The optional ``schedule:`` section: when the nightly inspection does what."""

    timezone: str = "Asia/Shanghai"
    crawl: str = "30 1 * * *"  # nightly crawl of all units, then the check
    probe_every_minutes: float = Field(60, gt=0, le=1440)
    probe_jitter_seconds: int = Field(300, ge=0, le=3600)
    feeds: str = "0 */6 * * *"
    # Units publish their 自查整改情况 by the end of the 2nd month of each quarter: the reports are
    # written a week before (06:00 on the 22nd of February, May, August and November).
    reports: str = "0 6 22 2,5,8,11 *"
    # The city's rubric (file or folder) for the nightly check and `check`; relative to the
    # registry file.  GOVINSPECT_RUBRIC and `check --rubric` beat it.
    rubric: Path | None = None
    crawl_parallel: int = Field(2, ge=1, le=32)
    # The nightly crawl's plan (crawler/plans.py): rolling = quick's veto facts every night plus
    # the longest-unverified URLs within the budget; the first night, with nothing to carry
    # forward, is a full crawl.  docs/operations.md has the arithmetic.
    plan: Literal["quick", "full", "rolling"] = "rolling"
    crawl_time_limit_minutes: int = Field(420, ge=1)
    misfire_grace_minutes: int = Field(60, ge=1)

    _cron = field_validator("crawl", "feeds", "reports")(_check_cron)

    @field_validator("timezone")
    @classmethod
    def _zone(cls, value: str) -> str:
        from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"unknown time zone {value!r}") from None
        return value


class NotificationsConfig(_Strict):
    """The optional ``notifications:`` section: the office's contacts and quiet hours."""

    # The supervising office: gets one digest of every unit.
    office: list[Contact] = Field(default_factory=list, max_length=10)
    # "22:00-07:30" in the schedule's time zone: digests are held until the quiet hours end.
    quiet_hours: str | None = None

    @field_validator("quiet_hours")
    @classmethod
    def _quiet(cls, value: str | None) -> str | None:
        if value is None:
            return None
        match = _QUIET.match(value.strip())
        if not match or match.group(1, 2) == match.group(3, 4):
            raise ValueError(f"{value!r} is not a time range like '22:00-07:30'")
        return value.strip()


class Registry(_Strict):
    units: list[Unit]
    schedule: ScheduleConfig = Field(default_factory=ScheduleConfig)
    notifications: NotificationsConfig = Field(default_factory=NotificationsConfig)

    @property
    def has_contacts(self) -> bool:
        return bool(self.notifications.office) or any(u.contacts.all() for u in self.units)

    @model_validator(mode="after")
    def _unique_ids(self) -> Registry:
        seen: set[str] = set()
        for unit in self.units:
            if unit.id in seen:
                raise ValueError(f"duplicate unit id {unit.id!r}")
            seen.add(unit.id)
        return self

    def get(self, unit_id: str) -> Unit:
        for unit in self.units:
            if unit.id == unit_id:
                return unit
        known = ", ".join(u.id for u in self.units) or "none"
        raise UnknownUnitError(f"unknown unit {unit_id!r} (known: {known})")

    def select(self, unit_ids: Iterable[str] | None) -> list[Unit]:
        ids = list(unit_ids or [])
        return [self.get(uid) for uid in ids] if ids else list(self.units)


def _where(data: Any, loc: tuple[Any, ...]) -> str:
    """Describe an error location as 'unit <id>, field <name>' rather than a raw path."""
    parts: list[str] = []
    rest = list(loc)
    if len(rest) >= 2 and rest[0] == "units" and isinstance(rest[1], int):
        index = rest[1]
        unit_id = None
        if isinstance(data, dict) and isinstance(data.get("units"), list):
            units = data["units"]
            if index < len(units) and isinstance(units[index], dict):
                unit_id = units[index].get("id")
        parts.append(f"unit {unit_id!r}" if unit_id else f"unit #{index + 1}")
        rest = rest[2:]
    if rest:
        parts.append("field " + ".".join(str(p) for p in rest))
    return ", ".join(parts) if parts else "top level"


def _message(error: dict[str, Any]) -> str:
    if error["type"] == "missing":
        return "missing required field"
    if error["type"] == "extra_forbidden":
        return "unknown field"
    if error["type"] == "enum":
        return f"{error['input']!r} is not one of {error['ctx']['expected']}"
    return str(error["msg"]).removeprefix("Value error, ")


def parse_registry(data: Any, source: str = "<config>") -> Registry:
    if not isinstance(data, dict) or "units" not in data:
        raise ConfigError(f"{source}: expected a mapping with a 'units:' list")
    try:
        return Registry.model_validate(data)
    except ValidationError as exc:
        lines = [
            f"{source}: {_where(data, tuple(err['loc']))}: {_message(err)}" for err in exc.errors()
        ]
        raise ConfigError("\n".join(lines)) from None


def load_registry(path: Path) -> Registry:
    """Read and validate the registry file; every problem becomes a :class:`ConfigError`."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError(
            f"{path}: config file not found (use --config or GOVINSPECT_CONFIG)"
        ) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: cannot read config: {exc}") from None
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f":{mark.line + 1}:{mark.column + 1}" if mark else ""
        problem = getattr(exc, "problem", None) or str(exc)
        raise ConfigError(f"{path}{where}: invalid YAML: {problem}") from None
    return _resolve_rubric(parse_registry(data, str(path)), path)


def _resolve_rubric(registry: Registry, path: Path) -> Registry:
    """``schedule.rubric`` relative to the registry file, and present."""
    rubric = registry.schedule.rubric
    if rubric is None:
        return registry
    rubric = rubric.expanduser()
    if not rubric.is_absolute():
        rubric = path.parent / rubric
    if not rubric.exists():
        raise ConfigError(f"{path}: field schedule.rubric: {rubric}: no such file or folder")
    schedule = registry.schedule.model_copy(update={"rubric": rubric})
    return registry.model_copy(update={"schedule": schedule})
