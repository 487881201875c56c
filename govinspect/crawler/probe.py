"""Availability probes: one visit to each unit's homepage per round, recorded as facts.

A probe records what the visit got: the status, whether the homepage answered with a non-error
status and its whole body arrived (``ok``), the latency (connection, redirects and body
together) and the error.  ``probe_timeout`` is only the network cap of a visit; whether a visit
was too slow is the rubric's rule (``availability.timeout_ms``, the rules' 15 s), which
``checks.availability`` applies to a week of probes.  The commands refuse a cap below it.
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass
from datetime import UTC, datetime

import aiohttp

from govinspect.registry import Registry
from govinspect.settings import Settings
from govinspect.store.db import Store
from govinspect.store.models import Probe, Run

MAX_BODY = 16 * 1024 * 1024  # read (and discard) at most this much: the page must arrive


@dataclass(frozen=True, slots=True)
class ProbeResult:
    unit_id: str
    url: str
    probed_at: datetime
    ok: bool
    status: int | None
    latency_ms: float | None
    error: str | None


async def probe_one(
    session: aiohttp.ClientSession, unit_id: str, url: str, timeout: float, user_agent: str
) -> ProbeResult:
    started = datetime.now(UTC)
    clock = time.monotonic()
    status: int | None = None
    try:
        async with asyncio.timeout(timeout):
            async with session.get(url, headers={"User-Agent": user_agent}) as response:
                status = response.status
                read = 0
                async for chunk in response.content.iter_chunked(65536):
                    read += len(chunk)
                    if read > MAX_BODY:
                        break
        latency = (time.monotonic() - clock) * 1000
        ok = status is not None and status < 400
        error = None if ok else f"HTTP {status}"
        return ProbeResult(unit_id, url, started, ok, status, round(latency, 1), error)
    except TimeoutError:
        error = f"not open within {timeout:g} s"
    except aiohttp.ClientError as exc:
        error = f"{type(exc).__name__}: {exc}"[:300]
    except OSError as exc:
        error = f"{type(exc).__name__}: {exc}"[:300]
    return ProbeResult(unit_id, url, started, False, status, None, error)


async def _probe_all(targets: list[tuple[str, str]], settings: Settings) -> list[ProbeResult]:
    connector = aiohttp.TCPConnector(limit=64, limit_per_host=2, force_close=True)
    async with aiohttp.ClientSession(connector=connector) as session:
        return list(
            await asyncio.gather(
                *(
                    probe_one(session, uid, url, settings.probe_timeout, settings.user_agent)
                    for uid, url in targets
                )
            )
        )


def probe_round(
    store: Store, registry: Registry, settings: Settings, unit_ids: list[str] | None = None
) -> list[ProbeResult]:
    """Probe every selected unit's homepage once, concurrently, and store the results."""
    units = registry.select(unit_ids)
    with store.session() as session:
        run = Run(kind="probe", status="running", summary={})
        session.add(run)
        session.flush()
        run_id = run.id
    results = asyncio.run(_probe_all([(u.id, u.website) for u in units], settings))
    with store.session() as session:
        session.add_all(
            Probe(
                run_id=run_id,
                unit_id=r.unit_id,
                url=r.url,
                probed_at=r.probed_at,
                ok=r.ok,
                status=r.status,
                latency_ms=r.latency_ms,
                error=r.error,
            )
            for r in results
        )
        run = session.get(Run, run_id)
        assert run is not None
        run.status = "complete"
        run.finished_at = datetime.now(UTC)
        run.summary = {"probes": len(results), "failed": sum(not r.ok for r in results)}
    return results
