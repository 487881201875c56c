"""The trend chart of a self-check report: scores and dead links over the last periods (PNG).

Drawn with matplotlib's Agg canvas (no display, no pyplot global state, safe in threads).
Chinese labels need a CJK font (Debian: fonts-noto-cjk); without one the labels fall back to
English so the chart never shows boxes, and the caller is told why, once (matplotlib's own
"Glyph … missing" warnings are silenced unless govinspect logs at DEBUG).
"""

from __future__ import annotations

import logging
import warnings
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from functools import cache
from io import BytesIO
from pathlib import Path

from govinspect.reports.model import TrendPoint
from govinspect.reports.texts import data

log = logging.getLogger("govinspect.reports")

#: One line for the user when no CJK font is found (the PDF variant is in reports/build.py).
NO_CJK_FONT = (
    "no CJK font found (run `make system-deps`, or apt-get install fonts-noto-cjk): "
    "the trend charts' labels are in English"
)


@cache
def cjk_font() -> str | None:
    """The first preferred CJK font matplotlib can use, registering font files if needed."""
    with _quiet():  # importing matplotlib may log that it builds its font cache
        return _find_cjk_font()


def _find_cjk_font() -> str | None:
    from matplotlib import font_manager

    preferred = list(data()["fonts"])

    def pick() -> str | None:
        names = {font.name for font in font_manager.fontManager.ttflist}
        return next((name for name in preferred if name in names), None)

    found = pick()
    if found is None:
        # matplotlib caches the font list: fonts installed after the cache was built are missing.
        hints = tuple(data()["font_file_hints"])
        for path in font_manager.findSystemFonts():
            if any(hint in Path(path).name.lower() for hint in hints):
                try:
                    font_manager.fontManager.addfont(path)
                except (OSError, RuntimeError, ValueError):
                    continue
        found = pick()
    # No log line here: the caller says it once, in its own words (reports/build.py).
    return found


@contextmanager
def _quiet() -> Iterator[None]:
    """Without a CJK font matplotlib warns once per missing glyph (a hundred lines for one
    report), and its font manager logs; the caller already says in one line what is missing.
    Shown again when govinspect logs at DEBUG (``GOVINSPECT_DEBUG=1``/``--verbose``).
    """
    if log.isEnabledFor(logging.DEBUG):
        yield
        return
    font_log = logging.getLogger("matplotlib.font_manager")
    level = font_log.level
    font_log.setLevel(logging.ERROR)
    try:
        with warnings.catch_warnings():
            warnings.filterwarnings("ignore", message=r"Glyph \d+ .*missing from font")
            yield
    finally:
        font_log.setLevel(level)


def _fallback_names(dimensions: Sequence[str]) -> list[str]:
    """English names of the dimensions for a chart without a CJK font (never tofu boxes)."""
    chart = data()["chart"]
    known = chart["fallback_dimensions"]
    return [
        known.get(name) or (name if name.isascii() else chart["fallback_dimension"].format(n=n))
        for n, name in enumerate(dimensions, 1)
    ]


def trend_png(
    points: Sequence[TrendPoint], dimensions: Sequence[str]
) -> tuple[bytes | None, str | None]:
    """(PNG bytes, warning) of total, dimension scores and dead links per period.

    None when no period has a scored result: an empty chart says nothing.
    """
    if not any(point.result is not None for point in points):
        return None, None
    with _quiet():
        font = cjk_font()
        png = _draw(points, dimensions, font)
    return png, None if font else NO_CJK_FONT


def _draw(points: Sequence[TrendPoint], dimensions: Sequence[str], font: str | None) -> bytes:
    import matplotlib
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    labels = data()["chart"]["labels" if font else "fallback"]
    names = list(dimensions) if font else _fallback_names(dimensions)
    family = [font] if font else ["DejaVu Sans"]
    with matplotlib.rc_context({"font.family": family, "axes.unicode_minus": False}):
        figure = Figure(figsize=(7.2, 3.4), dpi=150)
        FigureCanvasAgg(figure)
        scores = figure.add_subplot(1, 1, 1)
        links = scores.twinx()
        xs = list(range(len(points)))
        counts = [p.result.dead_links if p.result else 0 for p in points]
        links.bar(xs, counts, width=0.5, color="#f2c7c3", label=labels["dead_links"], zorder=1)
        links.set_ylabel(labels["dead_links"])
        links.set_ylim(0, max(counts + [1]) * 1.35)
        series = [(labels["total"], lambda r: r.total)] + [
            (shown, lambda r, name=name: r.scores.get(name))
            for name, shown in zip(dimensions, names, strict=True)
        ]
        highest = 0.0
        for name, value in series:
            ys = [value(p.result) if p.result else None for p in points]
            highest = max([highest, *(y for y in ys if y is not None)])
            scores.plot(xs, [float("nan") if y is None else y for y in ys], marker="o", label=name)
        scores.set_zorder(links.get_zorder() + 1)
        scores.patch.set_visible(False)
        scores.set_xticks(xs, [p.period.code for p in points])
        scores.set_ylabel(labels["score"])
        scores.set_ylim(0, max(highest, 1.0) * 1.35)  # headroom for the legend
        scores.set_title(labels["title"])
        handles = scores.get_legend_handles_labels()
        extra = links.get_legend_handles_labels()
        scores.legend(
            handles[0] + extra[0], handles[1] + extra[1], fontsize="small", loc="upper left",
            ncol=3, framealpha=0.8,
        )  # fmt: skip
        figure.tight_layout()
        out = BytesIO()
        figure.savefig(out, format="png")
    return out.getvalue()
