"""Big sites in one night: ``crawl --plan quick`` (and rolling) against a full crawl.

    .venv/bin/python bench/bench_plans.py [--urls 100000] [--new-items 30] [--rolling]

Night 1: a full crawl of the bench site (bench/site_gen.py).  Then the site changes as a real
portal does overnight, with planted veto-worthy faults: ``--new-items`` new articles in three
columns (one links a missing attachment: a dead link on a new item), and five columns emptied
(the blank-columns veto).  Night 2 is crawled twice from copies of night 1's data dir: with
``--plan quick`` and with a full crawl (``--recheck-all``: the reference), each followed by
``govinspect check``.  The server's access log counts the requests of every crawl.  Targets
(issue 21): quick needs ≤ 5 % of the full crawl's requests and finds every veto the full crawl
finds.  ``--rolling`` adds a third night on the quick copy with ``--plan rolling`` (the default
budget: ⌈URLs ÷ 7⌉).  Results go to ``bench/out/plans.json``.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sqlite3
import subprocess
import sys
import time
from datetime import date
from pathlib import Path
from typing import Any

from harness import crawl_summary, run_tool, site_context
from peers import DEFAULT_PEERS_DIR, Govinspect, RunContext
from servers import StaticServer, exit_on_sigterm
from site_gen import (
    SECTIONS,
    Article,
    Truth,
    _write,
    ensure_site,
    plan,
    render_article,
    render_home,
    render_list_page,
    render_section,
)

OUT_DIR = Path(__file__).resolve().parent / "out"
RUN_TIMEOUT = 3 * 3600.0
#: Columns emptied on night 2: five blank columns are a veto.
BLANK_COLUMNS = 5
CHANGED_COLUMNS = 3
KEPT = ("wall_s", "crawl_seconds", "peak_rss_mb", "requests", "distinct_urls", "load_before")


class PlannedGovinspect(Govinspect):
    """``govinspect crawl`` with a plan (and ``--recheck-all`` for the reference)."""

    def __init__(self, peers_dir: Path, args: list[str]) -> None:
        super().__init__(peers_dir)
        self.args = args

    def command(self, ctx: RunContext) -> list[str]:
        return [*super().command(ctx), "--no-feeds", *self.args]


def change_site(root: Path, urls: int, new_items: int) -> dict[str, Any]:
    """Night 2's site: new items (one with a dead link) and five emptied columns."""
    columns, home_broken, _ = plan(urls, "bench")
    today = date.today()
    docid = 990_001
    changed = [c for c in columns if len(c.articles) > 40][:CHANGED_COLUMNS]
    blank = [c for c in columns if c not in changed][-BLANK_COLUMNS:]
    fresh: list[Article] = []
    for n in range(new_items):
        column = changed[n % len(changed)]
        stem = f"{column.path}{today:%Y%m}/"
        article = Article(
            docid=docid,
            title=f"新发布信息{n + 1}",
            day=today,
            column=column.path,
            image=f"{stem}W0{today:%Y%m%d}{docid}.jpg",
            related=[column.articles[0].path],
        )
        docid += 1
        column.articles.insert(0, article)
        fresh.append(article)
    dead = f"{fresh[0].column}{today:%Y%m}/P0{today:%Y%m%d}{fresh[0].docid}_missing.pdf"
    fresh[0].broken.append(("attachment", dead))
    for column in blank:
        for page in column.list_pages[1:]:  # an emptied column has no further list pages
            (root / page.lstrip("/")).unlink(missing_ok=True)
        column.articles = []
    for article in fresh:
        column = next(c for c in changed if c.path == article.column)
        _write(root, article.path, render_article(column, article))
        _write(root, article.image, b"\xff\xd8\xff\xd9")
    for column in (*changed, *blank):
        for number, page in enumerate(column.list_pages):
            _write(root, page, render_list_page(column, number))
    for sec, name, _ in SECTIONS:
        mine = [c for c in columns if c.section == f"/{sec}/"]
        _write(root, f"/{sec}/", render_section(f"/{sec}/", name, mine))
    # The home page lists the newest items of every column (the blank ones show none).
    _write(root, "/", render_home(columns, home_broken))
    return {
        "new_items": [a.path for a in fresh],
        "dead_link_on_new_item": dead,
        "blank_columns": [c.path for c in blank],
    }


def _crawl(
    server: StaticServer, truth: Truth, workdir: Path, data_dir: Path, args: list[str]
) -> dict[str, Any]:
    tool = PlannedGovinspect(DEFAULT_PEERS_DIR, args)
    ctx = site_context(server, truth, workdir, DEFAULT_PEERS_DIR, data_dir)
    result = run_tool(tool, server, truth, ctx, RUN_TIMEOUT)
    out = {k: result.get(k) for k in KEPT}
    summary = crawl_summary(data_dir)
    out["summary"] = {k: summary.get(k) for k in ("plan", "carried", "pages", "checked", "seconds")}
    out["vetoes"] = _check(tool, ctx)
    return out


def _check(tool: Govinspect, ctx: RunContext) -> list[list[str]]:
    """``govinspect check`` on the crawl's data dir; the vetoes it found (check, subject)."""
    command = [
        str(tool.binary),
        "--config",
        str(tool.config_path(ctx)),
        "--data-dir",
        str(tool.data_dir(ctx)),
        "check",
    ]
    subprocess.run(command, check=True, capture_output=True, timeout=RUN_TIMEOUT)
    with sqlite3.connect(tool.data_dir(ctx) / "govinspect.db") as conn:
        rows = conn.execute(
            "SELECT \"check\", indicator, evidence FROM findings WHERE severity = 'veto' "
            "AND run_id = (SELECT max(id) FROM runs WHERE kind = 'check')"
        ).fetchall()
    return sorted([c, indicator, json.loads(ev).get("subject", "")] for c, indicator, ev in rows)


def _dead_found(data_dir: Path, url: str) -> str | None:
    with sqlite3.connect(data_dir / "govinspect.db") as conn:
        row = conn.execute(
            "SELECT outcome FROM link_checks WHERE target_url = ? ORDER BY run_id DESC LIMIT 1",
            (url,),
        ).fetchone()
    return row[0] if row else None


def bench_plans(
    out: Path, urls: int, new_items: int, rolling: bool, engine: str, keep: bool = False
) -> dict:
    source = out / "sites" / f"site-{urls}"
    truth = ensure_site(source, urls)
    runs = out / "runs" / f"plans-{urls}-{time.strftime('%Y%m%d-%H%M%S')}"
    site = runs / "site"
    shutil.copytree(source, site)
    for folder in (site, *(p for p in site.rglob("*") if p.is_dir())):
        folder.chmod(0o755)  # nginx workers run unprivileged
    report: dict[str, Any] = {"site_urls": truth.total, "load_1min": os.getloadavg()[0]}
    with StaticServer({"127.0.0.1": site}, engine=engine) as server:
        night1 = runs / "data-night1"
        report["night1_full"] = _crawl(server, truth, runs / "night1", night1, [])
        report["changes"] = change_site(site, urls, new_items)
        quick_dir, full_dir = runs / "data-quick", runs / "data-full"
        shutil.copytree(night1, quick_dir)
        shutil.copytree(night1, full_dir)
        shutil.rmtree(night1)
        report["night2_quick"] = _crawl(
            server, truth, runs / "quick", quick_dir, ["--plan", "quick"]
        )
        report["night2_full"] = _crawl(server, truth, runs / "full", full_dir, ["--recheck-all"])
        if rolling:
            report["night3_rolling"] = _crawl(
                server, truth, runs / "rolling", quick_dir, ["--plan", "rolling"]
            )
        report["server"] = server.engine
    dead = server.base_url().rstrip("/") + report["changes"]["dead_link_on_new_item"]
    report["dead_link_outcome"] = {
        "quick": _dead_found(quick_dir, dead),
        "full": _dead_found(full_dir, dead),
    }
    if not keep:
        shutil.rmtree(runs, ignore_errors=True)
    full, quick = report["night1_full"]["requests"], report["night2_quick"]["requests"]
    vetoes_full = {tuple(v) for v in report["night2_full"]["vetoes"]}
    vetoes_quick = {tuple(v) for v in report["night2_quick"]["vetoes"]}
    report["quick_share_of_full"] = round(quick / full, 4) if full else None
    report["targets"] = {
        "quick_requests_le_5_percent": bool(full) and quick <= 0.05 * full,
        "quick_finds_every_full_veto": vetoes_full <= vetoes_quick,
        "same_vetoes": vetoes_full == vetoes_quick,
    }
    return report


def main() -> int:
    exit_on_sigterm()
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--urls", type=int, default=100_000)
    parser.add_argument("--new-items", type=int, default=30)
    parser.add_argument("--rolling", action="store_true", help="add a rolling night")
    parser.add_argument("--keep", action="store_true", help="keep the data dirs and site")
    parser.add_argument("--engine", choices=("auto", "nginx", "aiohttp"), default="auto")
    parser.add_argument("--out", type=lambda p: Path(p).resolve(), default=OUT_DIR)
    args = parser.parse_args()
    report = bench_plans(args.out, args.urls, args.new_items, args.rolling, args.engine, args.keep)
    (args.out / "plans.json").write_text(json.dumps(report, indent=2, ensure_ascii=False))
    print(json.dumps(report, indent=2, ensure_ascii=False))
    return 0 if all(report["targets"].values()) else 1


if __name__ == "__main__":
    sys.exit(main())
