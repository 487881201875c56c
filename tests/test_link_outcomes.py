"""The link outcome classes are defined once, where the crawler and the checks both read them."""

from __future__ import annotations

from twisted.internet import error as txerror

from govinspect.checks import dead_links, tables
from govinspect.crawler import outcomes
from govinspect.store import link_outcomes
from tests.test_layering import _imports, _modules


def test_one_definition_shared_by_the_crawler_and_the_checks():
    assert outcomes.DEAD is link_outcomes.DEAD and outcomes.UNKNOWN is link_outcomes.UNKNOWN
    assert dead_links.outcome_groups() == (link_outcomes.DEAD, link_outcomes.UNKNOWN)
    assert "link_outcomes" not in tables.tables()  # the checks' tables no longer repeat them
    assert not link_outcomes.DEAD & link_outcomes.UNKNOWN


def test_what_the_crawler_writes_is_a_known_class():
    known = link_outcomes.DEAD | link_outcomes.UNKNOWN | {link_outcomes.OK}
    for status in (200, 301, 401, 403, 404, 410, 429, 451, 500, 503, 999):
        assert outcomes.classify_status(status) in known
    for exc in (
        txerror.DNSLookupError("x"),
        txerror.ConnectionRefusedError(),
        txerror.TimeoutError(),
        txerror.ConnectionLost(),
        RuntimeError("SSL routines: certificate verify failed"),
        RuntimeError("Crawled (403) forbidden by robots.txt"),
        RuntimeError("max redirections reached"),
    ):
        assert outcomes.classify_exception(exc).outcome in known


def test_every_dead_class_has_its_words_for_the_message():
    words = tables.tables()["labels"]["outcomes"]
    assert sorted(link_outcomes.DEAD - set(words)) == []


def test_the_crawler_and_the_checks_never_import_each_other():
    modules = _modules()
    for name, path in modules.items():
        imported = _imports(name, path, modules)
        if name.startswith("govinspect.checks"):
            assert not [m for m in imported if m.startswith("govinspect.crawler")], name
        if name.startswith("govinspect.crawler"):
            assert not [m for m in imported if m.startswith("govinspect.checks")], name
