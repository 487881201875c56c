"""The JSON API under ``/api/``: the pages' data, same access rules (401 / 404)."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from govinspect.web import data
from govinspect.web.core import Web, api
from govinspect.web.data import NotFound
from govinspect.web.evidence import capture, finding_view, ref_of
from govinspect.web.users import Account


def _json(value: Any, status: int = 200) -> Response:
    return JSONResponse(value, status_code=status)


def _choice(request: Request, web: Web) -> data.RunChoice:
    if not data.has_check_run(web.store):
        raise NotFound("no check run")
    return data.choose_run(
        web.store, request.query_params.get("period"), request.query_params.get("run")
    )


@api("/api/me")
def me(request: Request, web: Web, account: Account, form: Any) -> Response:
    return _json({"name": account.name, "role": account.role, "units": list(account.units)})


@api("/api/ranking")
def ranking(request: Request, web: Web, account: Account, form: Any) -> Response:
    choice = _choice(request, web)
    view = data.overview(web.store, account, choice, web.data_dir)
    rows = [
        {k: v for k, v in row.items() if k != "trend"} | {"trend": row["trend_values"]}
        for row in view["rows"]
    ]
    for row in rows:
        row.pop("trend_values", None)
    return _json(
        {
            "run_id": choice.run_id,
            "as_of": choice.as_of.isoformat(),
            "period": choice.period.code,
            "trend_periods": [p.code for p in view["quarters"]],
            "units": rows,
        }
    )


@api("/api/units")
def units(request: Request, web: Web, account: Account, form: Any) -> Response:
    h = data.health(web.store, account)
    return _json(
        {"units": [{"id": u.id, "name": u.name, "category": u.category} for u in h["units"]]}
    )


def _unit_export(request: Request, web: Web, account: Account) -> tuple[data.RunChoice, dict, dict]:
    unit_id = request.path_params["unit_id"]
    data.require_unit(web.store, account, unit_id)
    choice = _choice(request, web)
    exported = data.export(web.store, choice.run_id, web.data_dir)
    return choice, exported, data.unit_of(exported, unit_id)


@api("/api/units/{unit_id}")
def unit(request: Request, web: Web, account: Account, form: Any) -> Response:
    unit_id = request.path_params["unit_id"]
    row = data.require_unit(web.store, account, unit_id)
    history = data.run_history(web.store, unit_id)
    return _json(
        {
            "id": row.id,
            "name": row.name,
            "category": row.category,
            "website": row.website,
            "runs": [{k: data.iso(v) for k, v in r.items()} for r in history["runs"]],
            "checks": [{k: data.iso(v) for k, v in r.items()} for r in history["checks"]],
        }
    )


@api("/api/units/{unit_id}/export")
def unit_export(request: Request, web: Web, account: Account, form: Any) -> Response:
    """The export of one unit: the export document with only that unit in ``units``."""
    _, exported, unit_data = _unit_export(request, web, account)
    return _json({**exported, "units": [unit_data]})


@api("/api/units/{unit_id}/findings/{finding_id:int}/evidence/{n:int}")
def evidence(request: Request, web: Web, account: Account, form: Any) -> Response:
    p = request.path_params
    view = finding_view(web.store, account, p["unit_id"], p["finding_id"], web.data_dir)
    ref = ref_of(view, p["n"])
    cap = capture(web.data_dir, ref)
    return _json(
        {
            "url": ref.url,
            "warc_file": ref.warc_file,
            "warc_offset": ref.warc_offset,
            "fetched_at": ref.fetched_at,
            "status": cap.record.status,
            "rec_type": cap.record.rec_type,
            "headers": cap.record.headers,
            "original_date": cap.original.date if cap.original else None,
            "body": cap.text,
            "truncated": cap.truncated,
        }
    )


@api("/api/health")
def health(request: Request, web: Web, account: Account, form: Any) -> Response:
    h = data.health(web.store, account, stale_after=web.settings.max_run_seconds + 3600)

    def run(r: Any) -> dict[str, Any] | None:
        if r is None:
            return None
        return {
            "id": r.id, "kind": r.kind, "unit": r.unit_id, "status": r.status,
            "started_at": data.iso(r.started_at), "finished_at": data.iso(r.finished_at),
            "error": r.error,
        }  # fmt: skip

    return _json(
        {
            "check": run(h["check"]),
            "units": {
                u.id: {
                    "crawl": run(h["last"][u.id].get("crawl")),
                    "feeds": run(h["last"][u.id].get("feeds")),
                    "probe": {k: data.iso(v) for k, v in h["last"][u.id]["probe_row"].items()}
                    if "probe_row" in h["last"][u.id]
                    else None,
                    "feed_poll": {k: data.iso(v) for k, v in h["last"][u.id]["feed_row"].items()}
                    if "feed_row" in h["last"][u.id]
                    else None,
                }
                for u in h["units"]
            },
            "failed": [run(r) for r in h["failed"]],
        }
    )


ROUTES = [me, ranking, units, unit, unit_export, evidence, health]
