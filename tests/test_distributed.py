"""Distributed mode on real Redis and PostgreSQL: several workers crawl like one.

Acceptance (issue 10): two workers crawl the demo town and record the same pages, links, link
outcomes, columns and findings as a single-node crawl; a worker killed mid-run (SIGKILL) loses
nothing; the per-host limit holds across workers.  Skipped with a reason when Redis or
PostgreSQL is absent (they must be there when CI=true).
"""

from __future__ import annotations

import asyncio
import os
import random
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from redis import Redis
from scrapy.http import Request
from sqlalchemy import func, select

from govinspect.crawler.distributed import control
from govinspect.crawler.distributed.bloom import BloomDupeFilter, layer_shapes
from govinspect.crawler.distributed.common import CoordinationLost, RunKeys
from govinspect.crawler.distributed.frontier import RunQueue, requeue
from govinspect.crawler.distributed.politeness import GlobalHostLimitMiddleware, HostGate
from govinspect.crawler.launch import build_plan, open_run, run_crawl
from govinspect.demo import AS_OF, DemoServer, build_town
from govinspect.errors import ConfigError, GovinspectError
from govinspect.registry import load_registry, parse_registry
from govinspect.settings import load_settings
from govinspect.store.db import open_store
from govinspect.store.models import Column, Finding, Link, LinkCheck, Page, Run, Score
from govinspect.store.units import sync_registry
from tests.conftest import REDIS_URL, pg_schema, require_redis
from tests.fixture_site import FixtureServer, html, slow

HEARTBEAT = 2.0  # seconds: a killed worker's requests come back after this
ROOT = Path(__file__).resolve().parents[1]

pytestmark = [pytest.mark.redis, pytest.mark.postgres]


# --- fixtures and helpers ----------------------------------------------------------------------


@pytest.fixture(scope="module")
def server() -> Iterator[Any]:
    client = Redis.from_url(require_redis())
    yield client
    client.close()


@contextmanager
def namespace(server: Any) -> Iterator[str]:
    """A Redis key namespace of its own, deleted afterwards."""
    name = f"gitest-{uuid.uuid4().hex[:10]}"
    try:
        yield name
    finally:
        keys = list(server.scan_iter(match=f"{name}:*", count=1000))
        if keys:
            server.delete(*keys)


@contextmanager
def workers(count: int, db: str, data_dir: Path, ns: str) -> Iterator[list[subprocess.Popen]]:
    """``count`` worker processes (each its own process group, so a test can kill one whole)."""
    env = {
        **os.environ,
        "GOVINSPECT_REDIS_URL": REDIS_URL,
        "GOVINSPECT_DB": db,
        "GOVINSPECT_DATA_DIR": str(data_dir),
    }
    command = [
        sys.executable, "-m", "govinspect.crawler.distributed", "--namespace", ns, "worker",
        "--stop-after-idle", "3", "--heartbeat", str(HEARTBEAT),
    ]  # fmt: skip
    data_dir.mkdir(parents=True, exist_ok=True)
    started = []
    for index in range(count):
        log = (data_dir / f"supervisor-{index}.log").open("w")
        started.append(
            subprocess.Popen(
                command, env=env, cwd=ROOT, stdout=log, stderr=log, start_new_session=True
            )
        )
    try:
        yield started
    finally:
        for process in started:
            if process.poll() is None:
                try:
                    process.wait(timeout=30)
                except subprocess.TimeoutExpired:
                    os.killpg(process.pid, signal.SIGKILL)
                    process.wait()


def facts(store: Any, run_id: int) -> dict[str, Any]:
    """What a crawl recorded, as sets (row ids and times left out)."""
    with store.session() as session:
        return {
            "pages": set(
                session.execute(
                    select(Page.url, Page.status, Page.state, Page.published).where(
                        Page.run_id == run_id
                    )
                ).all()
            ),
            "links": set(
                session.execute(
                    select(Page.url, Link.target_url, Link.kind, Link.anchor_text)
                    .join(Page, Page.id == Link.page_id)
                    .where(Link.run_id == run_id)
                ).all()
            ),
            "link_rows": session.scalar(
                select(func.count()).select_from(Link).where(Link.run_id == run_id)
            ),
            "outcomes": set(
                session.execute(
                    select(LinkCheck.target_url, LinkCheck.outcome, LinkCheck.status).where(
                        LinkCheck.run_id == run_id
                    )
                ).all()
            ),
            "columns": set(
                session.execute(
                    select(
                        Column.url,
                        Column.name,
                        Column.type,
                        Column.level,
                        Column.item_count,
                        Column.newest,
                        Column.blank,
                    ).where(Column.run_id == run_id)
                ).all()
            ),  # fmt: skip
        }


def finding_key(finding: Finding) -> tuple:
    evidence = finding.evidence or {}
    if finding.check == "dead_links" and "found_on_total" in evidence:
        # The pages quoted as "found on" are a sample ranked by crawl depth and page order,
        # which differ between any two crawls, single-node ones included: compare the rest.
        return (
            finding.unit_id, finding.check, finding.indicator, finding.severity,
            finding.urls[0], evidence["found_on_total"], evidence["on_homepage"],
            evidence["outcome"], evidence["status"],
        )  # fmt: skip
    subject = (finding.unit_id, finding.check, finding.indicator, finding.severity)
    return (*subject, finding.message, tuple(sorted(finding.urls)))


def judged(store: Any, check_run: int) -> dict[str, set]:
    with store.session() as session:
        findings = {
            finding_key(f)
            for f in session.scalars(select(Finding).where(Finding.run_id == check_run))
        }
        scores = {
            (s.unit_id, s.dimension, s.score, s.max, s.failed)
            for s in session.scalars(select(Score).where(Score.run_id == check_run))
        }
    return {"findings": findings, "scores": scores}


def wait_pages(store: Any, run_id: int, pages: int, timeout: float = 90) -> int:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with store.session() as session:
            done = session.scalar(
                select(func.count()).select_from(Page).where(Page.run_id == run_id)
            )
        if done >= pages:
            return done
        time.sleep(0.05)
    raise AssertionError(f"run {run_id} reached {done} pages, not {pages}")


# --- the demo town: single-node reference and two workers ----------------------------------------


@pytest.fixture(scope="module")
def town(server, tmp_path_factory):
    tmp = tmp_path_factory.mktemp("town")
    with (
        DemoServer(build_town(scale=5), slow_seconds=0.5, hang_seconds=12) as site,
        pg_schema() as db,
        namespace(server) as ns,
    ):
        site.write_config(tmp / "govinspect.yaml")
        registry = load_registry(tmp / "govinspect.yaml")
        common = {"config": tmp / "govinspect.yaml", "timeout": 3.0, "recheck_delay": 0.5}

        reference = load_settings(data_dir=tmp / "single", **common)
        single = open_store(reference.database_url)
        sync_registry(single, registry)
        with ThreadPoolExecutor(max_workers=3) as pool:
            expected = list(
                pool.map(lambda u: run_crawl(reference, single, u, progress=False), registry.units)
            )

        settings = load_settings(data_dir=tmp / "shared", db=db, redis_url=REDIS_URL, **common)
        shared = open_store(settings.database_url)
        run_ids = control.enqueue_units(settings, registry, shared, namespace=ns)
        with workers(2, db, settings.data_dir, ns):
            results = control.wait_for_runs(
                settings, shared, run_ids, poll=0.5, timeout=150, namespace=ns
            )
        yield {
            "registry": registry,
            "single": single,
            "shared": shared,
            "expected": {r.unit_id: r for r in expected},
            "results": {r.unit_id: r for r in results},
            "settings": (reference, settings),
            "db": db,
            "tmp": tmp,
        }
        single.dispose()
        shared.dispose()


SITES = ["county", "dept", "modern"]


@pytest.mark.parametrize("site", SITES)
def test_two_workers_record_what_one_process_records(town, site):
    expected, got = town["expected"][site], town["results"][site]
    assert expected.status == "complete", expected.error
    assert got.status == "complete", got.error
    want = facts(town["single"], expected.run_id)
    have = facts(town["shared"], got.run_id)
    for name in want:
        assert have[name] == want[name], name
    assert got.summary["pages"] == len(want["pages"])
    assert got.summary["truncated"] == expected.summary["truncated"] == {}
    # The finalising worker records the IPv6 fact as a single-node crawl does (127.0.0.1).
    assert got.summary["ipv6"]["reason"] == expected.summary["ipv6"]["reason"] == "ip_literal"


def test_both_workers_took_part(town):
    supervisors = {
        worker.split("-")[-2]  # <host>-<supervisor pid>-<random>
        for result in town["results"].values()
        for worker in result.summary["workers"]
    }
    assert len(supervisors) == 2


def test_findings_equal_single_node(town):
    from govinspect.checks.run import run_checks

    reference, settings = town["settings"]
    runs = [
        run_checks(store, town["registry"], AS_OF, None, cfg.data_dir)
        for store, cfg in ((town["single"], reference), (town["shared"], settings))
    ]
    want, have = judged(town["single"], runs[0]), judged(town["shared"], runs[1])
    assert want["findings"], "the demo town has planted faults"
    for name in want:
        assert have[name] == want[name], (name, have[name] - want[name], want[name] - have[name])


# --- a worker killed mid-run --------------------------------------------------------------------


def test_killed_worker_loses_nothing(town, server):
    registry, expected = town["registry"], town["expected"]["county"]
    with pg_schema() as db, namespace(server) as ns:
        reference, _ = town["settings"]
        settings = load_settings(
            config=reference.config,
            data_dir=town["tmp"] / "killed",
            db=db,
            redis_url=REDIS_URL,
            timeout=3.0,
            recheck_delay=0.5,
        )
        store = open_store(settings.database_url)
        [run_id] = control.enqueue_units(settings, registry, store, ["county"], namespace=ns)
        with workers(2, db, settings.data_dir, ns) as started:
            wait_pages(store, run_id, 250)
            os.killpg(started[0].pid, signal.SIGKILL)  # the supervisor and its crawl process
            started[0].wait()
            with store.session() as session:
                assert session.get(Run, run_id).status == "running"
            [result] = control.wait_for_runs(
                settings, store, [run_id], poll=0.5, timeout=120, namespace=ns
            )
        assert result.status == "complete", result.error
        # Crawl process ids are "<host>-<supervisor pid>-<random>": the survivor may have
        # joined again with a new crawl process after it took over the dead one's requests.
        assert len({w.split("-")[-2] for w in result.summary["workers"]}) == 2
        assert facts(store, run_id) == facts(town["single"], expected.run_id)
        store.dispose()


# --- politeness across workers ----------------------------------------------------------------


def polite_site() -> dict:
    # Slow enough (40 pages × 0.15 s ÷ 2 ≈ 3 s a crawl) that two crawls surely overlap.
    routes: dict = {}
    for section in ("a", "b"):
        links = "".join(f'<a href="/{section}/p{i}.html">页{i}</a>' for i in range(40))
        routes[f"/{section}/"] = html(links, title=f"栏目{section}")
        for i in range(40):
            routes[f"/{section}/p{i}.html"] = slow(0.15, html(f"<p>{section}{i}</p>"))
    return routes


def test_per_host_limit_holds_across_workers(server, tmp_path):
    # Two units on one host: two runs, one host limit between them.
    with FixtureServer(polite_site()) as site, pg_schema() as db, namespace(server) as ns:
        registry = parse_registry(
            {
                "units": [
                    {"id": s, "name": s, "category": "county", "website": f"{site.base}/{s}/"}
                    for s in ("a", "b")
                ]
            }
        )
        limits = {"timeout": 5.0, "recheck_delay": 0.2, "concurrency_per_host": 2}
        limits["obey_robots"] = False
        # Control: two single-node crawls in parallel each keep the limit, not both together.
        alone = load_settings(data_dir=tmp_path / "single", **limits)
        single = open_store(alone.database_url)
        sync_registry(single, registry)
        with ThreadPoolExecutor(max_workers=2) as pool:
            list(pool.map(lambda u: run_crawl(alone, single, u, progress=False), registry.units))
        assert site.peak > 2
        single.dispose()

        site.peak = 0
        settings = load_settings(data_dir=tmp_path / "var", db=db, redis_url=REDIS_URL, **limits)
        store = open_store(settings.database_url)
        run_ids = control.enqueue_units(settings, registry, store, namespace=ns)
        with workers(2, db, settings.data_dir, ns):
            results = control.wait_for_runs(
                settings, store, run_ids, poll=0.3, timeout=90, namespace=ns
            )
        assert [r.status for r in results] == ["complete", "complete"]
        supervisors = {w.split("-")[-2] for r in results for w in r.summary["workers"]}
        assert len(supervisors) == 2, "both workers crawled"
        assert site.peak <= 2
        store.dispose()


def test_host_gate_limits_concurrency_and_spaces_starts(server):
    async def scenario(ns: str) -> tuple[int, list[float]]:
        # Two gates: two workers' views of the same host.
        gates = [HostGate(server, ns, concurrency=3, delay=0.0, lease=10) for _ in range(2)]
        active, peak = 0, 0

        async def fetch(gate: HostGate) -> None:
            nonlocal active, peak
            lease = await gate.acquire("example.gov.cn")
            active += 1
            peak = max(peak, active)
            await asyncio.sleep(0.02)
            active -= 1
            gate.release("example.gov.cn", lease)

        await asyncio.gather(*(fetch(gates[i % 2]) for i in range(30)))
        spaced = HostGate(server, ns, concurrency=10, delay=0.1, lease=10)
        starts = []
        for _ in range(4):
            await spaced.acquire("slow.gov.cn")
            starts.append(time.monotonic())
        return peak, starts

    with namespace(server) as ns:
        peak, starts = asyncio.run(scenario(ns))
    assert peak == 3
    assert all(b - a >= 0.09 for a, b in zip(starts, starts[1:], strict=False))


def test_expired_lease_frees_the_host(server):
    with namespace(server) as ns:
        gate = HostGate(server, ns, concurrency=1, delay=0.0, lease=0.2)
        assert gate.try_acquire("h.gov.cn", "dead-worker") == 0
        assert gate.try_acquire("h.gov.cn", "other") == -1
        time.sleep(0.25)
        assert gate.try_acquire("h.gov.cn", "other") == 0


def test_a_false_positive_never_leaves_a_link_unchecked(server, tmp_path):
    """URLs the Bloom filter wrongly calls seen are verified before the run ends."""
    from govinspect.crawler.state import url_fingerprint
    from govinspect.crawler.urls import normalize_url

    routes = {
        "/": html('<a href="/a.html">甲</a><a href="/missing.html">坏链</a>', title="首页"),
        "/a.html": html('<a href="/b.html">乙</a>', title="甲"),
        "/b.html": html("<p>乙</p>", title="乙"),
    }
    with FixtureServer(routes) as site, pg_schema() as db, namespace(server) as ns:
        registry = parse_registry(
            {"units": [{"id": "u", "name": "u", "category": "county", "website": site.base}]}
        )
        settings = load_settings(
            data_dir=tmp_path / "var", db=db, redis_url=REDIS_URL, recheck_delay=0.2
        )
        store = open_store(settings.database_url)
        [run_id] = control.enqueue_units(settings, registry, store, namespace=ns)
        # Make the filter answer "seen" for a dead link and for a page, as a false positive would.
        skipped = [normalize_url(f"{site.base}/missing.html"), normalize_url(f"{site.base}/a.html")]
        bloom = BloomDupeFilter(server, RunKeys(ns, run_id).dupefilter)
        assert bloom.claim_many([url_fingerprint(u) for u in skipped]) == [True, True]
        with workers(1, db, settings.data_dir, ns):
            [result] = control.wait_for_runs(
                settings, store, [run_id], poll=0.3, timeout=60, namespace=ns
            )
        assert result.status == "complete" and "unverified" not in result.summary
        got = facts(store, run_id)
        outcomes = {url: (outcome, status) for url, outcome, status in got["outcomes"]}
        assert outcomes[skipped[0]] == ("http_error", 404)
        assert {normalize_url(f"{site.base}/{p}") for p in ("a.html", "b.html")} <= {
            url for url, *_ in got["pages"]
        }
        assert server.hget(RunKeys(ns, run_id).state, "reconcile_rounds") == b"1"
        store.dispose()


# --- the pieces -----------------------------------------------------------------------------------


def test_bloom_filter_has_no_false_negatives_and_few_false_positives(server):
    with namespace(server) as ns:
        seen = BloomDupeFilter(server, f"{ns}:seen")
        rng = random.Random(7)
        first = [rng.getrandbits(64) for _ in range(40_000)]  # over two layers
        assert all(seen.claim_many(first))
        assert not any(seen.claim_many(first))
        assert seen.claim_many([1, 1, 2]) == [True, False, True]
        fresh = [rng.getrandbits(64) for _ in range(40_000)]
        # At 1e-7 the chance of even one false positive here is below 1%.
        assert sum(seen.claim_many(fresh)) >= len(fresh) - 1
        assert int(server.hget(f"{ns}:seen", "layers")) >= 2
        seen.clear()
        assert not server.exists(f"{ns}:seen", f"{ns}:seen:0")


def test_bloom_layers_stay_under_the_error_budget():
    shapes = layer_shapes()
    assert shapes[0][0] == 16_384
    # bits per URL of layer 0 at 5e-8: ln(2e7) / ln(2)^2 = 35
    assert 34 < shapes[0][2] / shapes[0][0] < 36
    assert all(bits < 2**32 for _, _, bits in shapes)


def test_in_flight_requests_of_a_dead_worker_go_back(server, tmp_path):
    from scrapy import Request

    from govinspect.crawler.spider import SiteSpider

    registry = parse_registry(
        {"units": [{"id": "u", "name": "u", "category": "county", "website": "http://x.gov.cn/"}]}
    )
    settings = load_settings(data_dir=tmp_path, redis_url=REDIS_URL)
    with namespace(server) as ns:
        plan = build_plan(settings, registry.units[0], 7, False)
        plan.redis_url, plan.redis_namespace, plan.worker_id = REDIS_URL, ns, "w1"
        spider = SiteSpider(plan)
        keys = RunKeys(ns, 7)
        queue = RunQueue(server, spider, keys.frontier)
        for i in range(3):
            queue.push(Request(f"http://x.gov.cn/{i}", callback=spider.parse_page, meta={"gi": {}}))
        request = queue.pop()
        assert request.meta["gi"]["token"]
        assert len(queue) == 2 and server.hlen(keys.processing("w1")) == 1
        assert requeue(server, keys, "w1") == 1
        assert len(queue) == 3 and not server.exists(keys.processing("w1"))
        again = queue.pop()
        queue.ack([again.meta["gi"]["token"]])
        assert server.hlen(keys.processing("w1")) == 0 and len(queue) == 2


def test_enqueue_keeps_an_active_run_and_single_node_keeps_off_it(server, tmp_path):
    registry = parse_registry(
        {"units": [{"id": "u", "name": "u", "category": "county", "website": "http://x.gov.cn/"}]}
    )
    with pg_schema() as db, namespace(server) as ns:
        settings = load_settings(data_dir=tmp_path, db=db, redis_url=REDIS_URL)
        store = open_store(settings.database_url)
        [first] = control.enqueue_units(settings, registry, store, namespace=ns)
        assert control.enqueue_units(settings, registry, store, namespace=ns) == [first]
        [progress] = control.run_status(settings, ns)
        assert (progress.run_id, progress.unit_id, progress.queued) == (first, "u", 3)
        with pytest.raises(GovinspectError, match="distributed workers"):
            open_run(store, "u", resume=True)
        # Nor abandoned by it: the workers would go on crawling it beside the new run.
        with pytest.raises(GovinspectError, match="--distributed --restart"):
            open_run(store, "u", resume=False)
        [second] = control.enqueue_units(settings, registry, store, restart=True, namespace=ns)
        assert second != first
        assert [p.run_id for p in control.run_status(settings, ns)] == [second]
        with store.session() as session:
            assert session.get(Run, first).status == "abandoned"
        store.dispose()


def test_distributed_mode_needs_redis(tmp_path, monkeypatch):
    monkeypatch.delenv("GOVINSPECT_REDIS_URL", raising=False)
    settings = load_settings(data_dir=tmp_path)
    with pytest.raises(ConfigError, match="GOVINSPECT_REDIS_URL"):
        control.redis_for(settings)


def test_a_redis_outage_is_not_recorded_as_the_sites_fault():
    # Redis gone mid-crawl: the request is neither the site's failure nor acknowledged, and the
    # worker stops (the run's other workers take its in-flight requests up).
    dead = Redis.from_url("redis://127.0.0.1:1/0", socket_connect_timeout=0.2)
    closed: list[str] = []

    class Engine:
        async def close_spider_async(self, reason: str) -> None:
            closed.append(reason)

    middleware = GlobalHostLimitMiddleware(
        HostGate(dead, "gitest-dead", concurrency=2, delay=0.0, lease=10),
        SimpleNamespace(engine=Engine()),
    )
    request = Request("http://example.gov.cn/a.html", meta={"gi": {"kind": "page"}})

    async def scenario() -> None:
        with pytest.raises(CoordinationLost):
            await middleware.process_request(request)
        await asyncio.sleep(0)

    asyncio.run(scenario())
    assert request.meta["gi"]["parked"] is True
    assert closed == ["redis_error"]
