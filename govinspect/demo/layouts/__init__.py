"""Layout-variety generator: small government sites in many independent layout families.

Each family (``choices.FAMILIES``) is one combination of independent choices: URL scheme, list
markup, date format and position, breadcrumb label and separator, link form, pager, how policy
documents and interpretations link each other, article head tags, how an article's breadcrumb
ends, the metadata table, where an article shows its date.  Every family site carries the same
planted facts (``plants.PLANTERS``): columns (one stale, one blank, one paginated, one content
page), dead links and decoys, policy documents with and without interpretations, an
interpretation without back-link and a copied one, the 政府信息公开指南 and annual reports.
``build_site(family, seed, base, refused, as_of)`` gives the pages and the ground truth;
``LayoutServer`` serves every family on its own loopback port; ``evaluate.inspect_families``
crawls, checks and scores them.  Used by ``tests/test_layouts.py`` and
``bench/eval_layouts.py`` (docs/accuracy.md).

Extending it
------------
* A new option of an existing dimension: add it to ``choices.DIMENSIONS``, handle it in the
  renderer of that dimension (``markup.py``: ``href``, ``record``, ``date_text``, ``crumbs``;
  ``cms.py``: ``pager`` and the list sources; ``render.py``: heads, article parts), and use it
  in at least one row of ``FAMILIES`` (a test fails on an unused option).
* A new choice dimension: add it to ``DIMENSIONS`` and as a field of ``Family`` (with a
  default, so the existing rows keep their meaning), add its renderer, vary it across rows.
  A new link form (CSS ``url()``, ``formaction``, ``mailto``, ``.wps``/``.ofd`` files ...) is
  usually a planted link (``site.place``) or an option of ``links`` rendered by ``href``.
* A new kind of planted fact (messages, consultations, privacy leaks, link forms ...): write a
  ``plant_x(site)`` in ``plants.py`` that adds its columns, items, links (``site.place``) or
  resources and records its truth in ``site.truth``; append it to ``PLANTERS``; expose the
  truth in ``build.ground_truth`` with absolute URLs; add its measure to
  ``evaluate.MEASURES`` and ``FamilyResult.measures``: ``tests/test_layouts.py`` asserts every
  measure per family and ``bench/eval_layouts.py`` prints it in the accuracy table.

Dates are offsets from ``as_of`` (default: today in Asia/Shanghai, the crawler's calendar), so
the truth holds whenever the suite runs; one (family, seed, as-of) always gives the same site.
"""

from govinspect.demo.layouts.build import Built, build_site
from govinspect.demo.layouts.choices import DIMENSIONS, FAMILIES, Family, family
from govinspect.demo.layouts.server import LayoutServer, today

__all__ = [
    "DIMENSIONS",
    "FAMILIES",
    "Built",
    "Family",
    "LayoutServer",
    "build_site",
    "family",
    "today",
]
