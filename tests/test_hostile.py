"""A hostile site never takes the crawler down, and its ordinary faults are still found."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from govinspect.crawler.launch import run_crawl
from govinspect.registry import parse_registry
from govinspect.settings import load_settings
from govinspect.store.db import open_store
from govinspect.store.models import LinkCheck, Page, Run
from govinspect.store.units import sync_registry
from tests.hostile_site import hostile_server


@pytest.fixture(scope="module")
def hostile(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("hostile")
    with hostile_server() as site:
        registry = parse_registry(
            {
                "units": [
                    {
                        "id": "evil",
                        "name": "恶意站",
                        "category": "county",
                        "website": site.base + "/",
                    }
                ]
            }
        )
        settings = load_settings(
            data_dir=tmp / "var",
            timeout=2.0,
            retry_times=1,
            recheck_delay=0.2,
            max_pages=300,
            max_depth=6,
            max_links_per_page=300,
            max_url_length=300,
        )
        store = open_store(settings.database_url)
        sync_registry(store, registry)
        result = run_crawl(settings, store, registry.units[0], progress=False)
        yield {"base": site.base, "result": result, "store": store}
        store.dispose()


def check(hostile, path: str) -> LinkCheck:
    with hostile["store"].session() as session:
        row = session.scalars(
            select(LinkCheck).where(
                LinkCheck.run_id == hostile["result"].run_id,
                LinkCheck.target_url == hostile["base"] + path,
            )
        ).first()
    assert row is not None, path
    return row


def page(hostile, path: str) -> Page:
    with hostile["store"].session() as session:
        return session.scalars(
            select(Page).where(
                Page.run_id == hostile["result"].run_id, Page.url == hostile["base"] + path
            )
        ).one()


def test_run_ends_cleanly_with_its_truncations_reported(hostile):
    result = hostile["result"]
    assert result.status == "complete", result.error
    truncated = result.summary["truncated"]
    assert "max_links_per_page" in truncated
    assert {"max_depth", "max_pages"} & set(truncated), "the calendar trap was cut off"
    assert all(entry["count"] > 0 and entry["examples"] for entry in truncated.values())


def test_ordinary_dead_link_still_found(hostile):
    assert (check(hostile, "/gone.html").outcome, check(hostile, "/gone.html").status) == (
        "http_error",
        404,
    )
    assert check(hostile, "/ok.html").outcome == "ok"


@pytest.mark.parametrize("path", ["/bomb.html", "/big-cl.html", "/big-nocl.html"])
def test_oversized_and_bombs_are_recorded_not_dead(hostile, path):
    assert check(hostile, path).outcome == "ok"
    assert page(hostile, path).state == "oversized"


@pytest.mark.parametrize("path", ["/trickle.html", "/silent.html"])
def test_slow_answers_time_out(hostile, path):
    assert check(hostile, path).outcome == "timeout"


def test_redirect_traps(hostile):
    assert check(hostile, "/loop").outcome == "redirect_loop"
    assert check(hostile, "/chain0").outcome == "redirect_loop"


def test_session_ids_do_not_multiply_pages(hostile):
    with hostile["store"].session() as session:
        urls = session.scalars(
            select(Page.url).where(
                Page.run_id == hostile["result"].run_id, Page.url.like("%/sess%")
            )
        ).all()
    assert urls == [hostile["base"] + "/sess"]


@pytest.mark.parametrize(
    "path", ["/ok-badbytes.html", "/ok-charset.html", "/ok-nul.html", "/ok-nested.html"]
)
def test_links_extracted_from_broken_pages(hostile, path):
    assert check(hostile, path).outcome == "ok"


def test_injected_title_is_stored_as_text(hostile):
    assert page(hostile, "/xss.html").title == "<script>alert(1)</script>\"'"


def test_huge_header_block_is_an_answer_or_an_error_never_a_crash(hostile):
    assert check(hostile, "/headers.html").outcome in ("ok", "connection_error")


def test_run_row_is_consistent(hostile):
    with hostile["store"].session() as session:
        run = session.get(Run, hostile["result"].run_id)
    assert run.finished_at is not None and run.summary["close_reason"] == "finished"
