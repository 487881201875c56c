"""The dashboard is a presentation layer: nothing below it imports it, and it has no cycle."""

from __future__ import annotations

from tests.test_layering import _imports, _modules, import_cycles

ABOVE = ("govinspect.web", "govinspect.cli_web", "govinspect.cli")


def test_nothing_below_imports_the_dashboard():
    modules = _modules()
    offenders = {
        name: sorted(m for m in _imports(name, path, modules) if m.startswith("govinspect.web"))
        for name, path in modules.items()
        if not name.startswith(ABOVE)
    }
    assert {k: v for k, v in offenders.items() if v} == {}


def test_the_dashboard_is_in_no_import_cycle():
    assert [c for c in import_cycles() if any(m.startswith(ABOVE) for m in c)] == []
