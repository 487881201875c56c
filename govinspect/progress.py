"""Crawl progress for people: a live rich display on a terminal, plain log lines otherwise."""

from __future__ import annotations

import threading
import time
from typing import Any

from rich.console import Console
from rich.live import Live
from rich.table import Table

# Unit ids come from the registry, crawl errors from servers and subprocess logs.
from govinspect.crawler.plans import plan_note
from govinspect.text import for_console as _out

PLAIN_EVERY = 10.0  # seconds between plain progress lines (logs, CI, cron mail)
#: Outcomes that are no problem with the site: fine, or never fetched on purpose (mailto:).
NOT_PROBLEMS = frozenset({"ok", "not_checked"})


class CrawlProgress:
    """Live progress of the units being crawled, one line each, prefixed by the unit id.

    Units may run at once (``crawl --parallel``): ``update`` is called from their worker
    threads, hence the lock.  On a terminal the running units' lines stay at the bottom of the
    screen, under the lines of the units that started and ended; elsewhere each unit prints a
    plain line every ``PLAIN_EVERY`` seconds.
    """

    def __init__(self, console: Console) -> None:
        self.console = console
        self.live: Live | None = None
        self.lines: dict[str, str] = {}  # running unit → its latest progress line
        self.last_plain: dict[str, float] = {}
        self.lock = threading.Lock()

    def __enter__(self) -> CrawlProgress:
        if self.console.is_terminal:
            self.live = Live(console=self.console, refresh_per_second=4, transient=True)
            self.live.__enter__()
        return self

    def __exit__(self, *exc: object) -> None:
        if self.live is not None:
            self.live.__exit__(None, None, None)

    def start(self, unit_id: str) -> None:
        with self.lock:
            self.lines[unit_id] = f"  {_out(unit_id)}: starting …"
            self.last_plain[unit_id] = time.monotonic()
            self.console.print(f"crawling [bold]{_out(unit_id)}[/] …")
            self._refresh()

    def update(self, unit_id: str, event: dict[str, Any]) -> None:
        if event.get("event") != "progress":
            return
        with self.lock:
            if unit_id not in self.lines:
                return  # a late event of a unit already finished
            line = self.lines[unit_id] = self._line(unit_id, event)
            if self.live is not None:
                self._refresh()
            elif time.monotonic() - self.last_plain.get(unit_id, 0.0) >= PLAIN_EVERY:
                self.last_plain[unit_id] = time.monotonic()
                self.console.print(line, highlight=False)

    def _refresh(self) -> None:
        if self.live is not None:
            # Markup (a str), like console.print: the outside text in it is escaped by _out.
            self.live.update("\n".join(self.lines.values()))

    @staticmethod
    def _line(unit_id: str, event: dict[str, Any]) -> str:
        seconds = max(event.get("seconds", 0.0), 0.1)
        done = event.get("pages", 0) + event.get("checked", 0)
        outcomes = event.get("outcomes", {})
        problems = sum(v for k, v in outcomes.items() if k != "ok")
        return (
            f"  {_out(unit_id)}: {event.get('pages', 0)} pages, "
            f"{event.get('checked', 0)} links checked, {problems} not ok, "
            f"{event.get('queued', 0)} queued, {done / seconds:.1f} URL/s"
        )

    def finish(self, result: Any) -> None:
        with self.lock:
            self.lines.pop(result.unit_id, None)
            self._refresh()
            self._print_result(result)

    def _print_result(self, result: Any) -> None:
        colour = "green" if result.status == "complete" else "red"
        note = (" (resumed)" if result.resumed else "") + plan_note(result.summary or {})
        error = f": {_out(result.error)}" if result.error and result.status != "complete" else ""
        self.console.print(
            f"  {_out(result.unit_id)}: run {result.run_id} "
            f"[{colour}]{result.status}[/]{note}{error}"
        )

    def summary(self, results: list[Any]) -> None:
        table = Table(title="crawl summary")
        for name in (
            "unit",
            "run",
            "status",
            "pages",
            "links checked",
            "not ok",
            "truncated",
            "notes",
            "homepage newest",
            "seconds",
        ):
            table.add_column(name)
        for r in results:
            s = r.summary
            outcomes = s.get("outcomes", {})
            truncated = ", ".join(f"{k} ({v['count']})" for k, v in s.get("truncated", {}).items())
            # Pages whose links were not followed (meta robots nofollow), pages an analysis
            # step failed on (crawl log and page row say which).
            notes = ", ".join(
                f"{k} ({s[k]['count']})" for k in ("nofollow", "analysis_errors") if s.get(k)
            )
            table.add_row(
                _out(r.unit_id),
                str(r.run_id),
                r.status,
                str(s.get("pages", "-")),
                str(s.get("checked", "-")),
                str(sum(v for k, v in outcomes.items() if k not in NOT_PROBLEMS)),
                _out(truncated or "-"),
                _out(notes or "-"),
                str(s.get("homepage_newest") or "-"),
                str(s.get("seconds", "-")),
            )
        self.console.print(table)
