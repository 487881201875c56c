"""When the evidence behind a finding was collected, for facts a crawl carried forward.

A crawl plan (crawler/plans.py) copies what it did not request again into the run, keeping the
original ``fetched_at``/``checked_at`` and the run that saw it (``carried_from_run_id``).  This
loader reads those times for a finding's URLs; ``checks/evidence_age.py`` puts them on findings.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from govinspect.checks.evidence_age import Observed
from govinspect.checks.timeutil import aware
from govinspect.store.models import LinkCheck, Page

CHUNK = 500


def _chunks(values: Sequence[str]) -> Iterator[Sequence[str]]:
    for start in range(0, len(values), CHUNK):
        yield values[start : start + CHUNK]


def observed_times(session: Session, run_id: int, urls: Iterable[str]) -> dict[str, Observed]:
    """URL → when and in which run it was last seen, for the run's carried pages and checks
    among ``urls`` (a URL the run fetched itself is as old as the run: not listed)."""
    wanted = sorted(set(urls))
    found: dict[str, Observed] = {}
    for chunk in _chunks(wanted):
        rows = session.execute(
            select(Page.url, Page.fetched_at, Page.carried_from_run_id).where(
                Page.run_id == run_id,
                Page.url.in_(chunk),
                Page.carried_from_run_id.is_not(None),
            )
        ).all()
        rows += session.execute(
            select(LinkCheck.target_url, LinkCheck.checked_at, LinkCheck.carried_from_run_id).where(
                LinkCheck.run_id == run_id,
                LinkCheck.target_url.in_(chunk),
                LinkCheck.carried_from_run_id.is_not(None),
            )
        ).all()
        for url, at, source in rows:
            _keep_oldest(found, url, aware(at), source)
    return found


def _keep_oldest(found: dict[str, Observed], url: str, at: datetime, source: int) -> None:
    known = found.get(url)
    if known is None or at < known.at:
        found[url] = Observed(at, source)
