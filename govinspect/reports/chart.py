"""The trend chart of a self-check report: scores and dead links over the last periods (PNG).

Drawn with matplotlib's Agg canvas (no display, no pyplot global state, safe in threads).
Chinese labels need a CJK font (Debian: fonts-noto-cjk); without one the labels fall back to
English so the chart never shows boxes, and the caller is told why.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from functools import cache
from io import BytesIO
from pathlib import Path

from govinspect.reports.model import TrendPoint
from govinspect.reports.texts import data

log = logging.getLogger("govinspect.reports")

NO_CJK_FONT = (
    "no CJK font found for the trend chart (install fonts-noto-cjk): its labels are in English"
)


@cache
def cjk_font() -> str | None:
    """The first preferred CJK font matplotlib can use, registering font files if needed."""
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
    if found is None:
        log.warning(NO_CJK_FONT)
    return found


def trend_png(
    points: Sequence[TrendPoint], dimensions: Sequence[str]
) -> tuple[bytes | None, str | None]:
    """(PNG bytes, warning) of total, dimension scores and dead links per period.

    None when no period has a scored result: an empty chart says nothing.
    """
    if not any(point.result is not None for point in points):
        return None, None
    import matplotlib
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    font = cjk_font()
    labels = data()["chart"]["labels" if font else "fallback"]
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
            (name, lambda r, name=name: r.scores.get(name)) for name in dimensions
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
    return out.getvalue(), None if font else NO_CJK_FONT
