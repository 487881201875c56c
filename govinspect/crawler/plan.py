"""What one crawl of one unit is to do: a plain, picklable description handed to the subprocess."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from govinspect.crawler.distributed.common import DEFAULT_NAMESPACE
from govinspect.settings import RETRY_AFTER_MAX


@dataclass(slots=True)
class CrawlPlan:
    unit_id: str
    website: str
    run_id: int
    database_url: str
    data_dir: str
    crawl_date: str  # YYYY-MM-DD in Asia/Shanghai: the reference for "future" dates
    extra_hosts: list[str] = field(default_factory=list)
    column_types: dict[str, str] = field(default_factory=dict)
    user_agent: str = "govinspect"
    concurrency_per_host: int = 4
    concurrency_total: int = 32
    download_delay: float = 0.0
    timeout: float = 15.0
    retry_times: int = 2
    retry_after_max: float = RETRY_AFTER_MAX
    obey_robots: bool = True
    max_pages: int = 100_000
    max_depth: int = 12
    max_links_per_page: int = 5_000
    max_url_length: int = 2_048
    max_response_bytes: int = 8 * 1024 * 1024
    max_run_seconds: int = 6 * 3600
    recheck_delay: float = 30.0
    warc_body_cap: int = 1024 * 1024
    http_cache: bool = True
    # Worker processes for page analysis (crawler/analysis_pool.py); 0: in the crawl process.
    analysis_workers: int = 0
    content_safety: bool = True
    safety_attachment_bytes: int = 5 * 1024 * 1024
    sensitive_words: str | None = None
    sqlite_busy_timeout_ms: int = 30_000
    resume: bool = False
    # Crawl plans (crawler/plans.py): quick | full | rolling, and what they carry forward.
    crawl_plan: str = "full"
    recheck_all: bool = False
    link_recheck_hours: float = 24.0
    rolling_budget_per_host: int = 0
    rolling_cycle_nights: int = 7
    quick_list_pages: int = 1
    progress: bool = True
    # Distributed mode (docs/distributed.md): set by the worker that runs the plan.
    redis_url: str | None = None
    redis_namespace: str = DEFAULT_NAMESPACE
    worker_id: str = ""
    heartbeat_seconds: float = 30.0

    @property
    def scope_hosts(self) -> set[str]:
        """host[:port] values whose pages are crawled (not only checked)."""
        hosts = {urlsplit(self.website).netloc.lower()}
        hosts.update(h.lower() for h in self.extra_hosts)
        return hosts

    @property
    def warc_path(self) -> Path:
        # Each worker of a distributed run appends to its own file: one writer per file.
        worker = f"-{self.worker_id}" if self.worker_id else ""
        return Path(self.data_dir) / "warc" / self.unit_id / f"run-{self.run_id}{worker}.warc.gz"

    def to_json(self) -> str:
        return json.dumps(asdict(self), ensure_ascii=False)

    @classmethod
    def from_json(cls, text: str) -> CrawlPlan:
        data: dict[str, Any] = json.loads(text)
        return cls(**data)
