"""The dashboard's pages (server-rendered, Chinese, readable without JavaScript)."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from starlette.requests import Request
from starlette.responses import FileResponse, RedirectResponse, Response

from govinspect.errors import ConfigError, GovinspectError
from govinspect.reports.period import parse_period
from govinspect.web import data, lifecycle
from govinspect.web.core import Web, page
from govinspect.web.data import NotFound
from govinspect.web.downloads import MEDIA_TYPES, UNIT_FORMATS, report_file
from govinspect.web.evidence import capture, finding_view, record_bytes, ref_of
from govinspect.web.users import Account

#: The evidence body in the frame: rendered with no script, no plugin, no network, no form.
BODY_CSP = (
    "sandbox; default-src 'none'; style-src 'unsafe-inline'; img-src data:; frame-ancestors 'self'"
)


def _choice(request: Request, web: Web) -> data.RunChoice | None:
    if not data.has_check_run(web.store):
        return None
    return data.choose_run(
        web.store, request.query_params.get("period"), request.query_params.get("run")
    )


@page("/")
def overview(request: Request, web: Web, account: Account, form: Any) -> Response:
    choice = _choice(request, web)
    if choice is None:
        return web.render(request, "empty.html", title="总览")
    view = data.overview(web.store, account, choice, web.data_dir)
    return web.render(
        request,
        "overview.html",
        title="总览",
        choice=choice,
        periods=data.periods(web.store),
        **view,
    )


@page("/units/{unit_id}")
def unit_page(request: Request, web: Web, account: Account, form: Any) -> Response:
    unit_id = request.path_params["unit_id"]
    row = data.require_unit(web.store, account, unit_id)
    choice = _choice(request, web)
    history = data.run_history(web.store, unit_id)
    if choice is None:
        return web.render(request, "unit_empty.html", title=row.name, unit=row, history=history)
    try:
        unit = data.unit_of(data.export(web.store, choice.run_id, web.data_dir), unit_id)
    except NotFound:
        return web.render(
            request, "unit_empty.html", title=row.name, unit=row, history=history, choice=choice
        )
    report = data.unit_report(web.store, choice, unit, web.data_dir)
    sort = request.query_params.get("sort")
    descending = request.query_params.get("dir") == "desc"
    findings = {f["id"]: f for f in unit["findings"]}
    return web.render(
        request,
        "unit.html",
        title=unit["name"],
        u=unit,
        r=report,
        choice=choice,
        periods=data.periods(web.store),
        deductions=data.deductions(unit),
        columns=data.sort_columns(report.columns, sort, descending),
        sort=sort,
        descending=descending,
        findings=findings,
        extra=data.extra_sections(unit),
        history=history,
        states=lifecycle.current(web.store, unit_id),
    )


def _finding(
    request: Request, web: Web, account: Account, status: int = 200, error: str | None = None
) -> Response:
    p = request.path_params
    view = finding_view(web.store, account, p["unit_id"], p["finding_id"], web.data_dir)
    state = lifecycle.current(web.store, p["unit_id"]).get(view.finding.get("key") or "")
    return web.render(
        request,
        "finding.html",
        status,
        title=f"问题 {view.finding['id']}",
        v=view,
        state=state,
        actions=lifecycle.allowed(account, state),
        error=error,
        done=request.query_params.get("done"),
    )


@page("/units/{unit_id}/findings/{finding_id:int}")
def finding_page(request: Request, web: Web, account: Account, form: Any) -> Response:
    return _finding(request, web, account)


@page(
    "/units/{unit_id}/findings/{finding_id:int}/act",
    methods=("POST",),
    roles=("office", "webmaster"),
)
def finding_act(request: Request, web: Web, account: Account, form: Any) -> Response:
    """An action on a finding (office: ignore/accept/confirm; webmaster: claim a fix)."""
    p = request.path_params
    view = finding_view(web.store, account, p["unit_id"], p["finding_id"], web.data_dir)
    key = view.finding.get("key")
    if not key:
        raise NotFound(p["finding_id"])
    try:
        lifecycle.perform(
            web.store, account, p["unit_id"], key, str(form.get("action") or ""),
            str(form.get("reason") or ""), str(form.get("deadline") or ""),
        )  # fmt: skip
    except GovinspectError as exc:
        return _finding(request, web, account, 400, str(exc))
    url = f"/units/{quote(p['unit_id'], safe='')}/findings/{p['finding_id']}?done=1"
    return RedirectResponse(url, 303)


def _evidence(request: Request, web: Web, account: Account):  # type: ignore[no-untyped-def]
    p = request.path_params
    view = finding_view(web.store, account, p["unit_id"], p["finding_id"], web.data_dir)
    return view, ref_of(view, p["n"])


@page("/units/{unit_id}/findings/{finding_id:int}/evidence/{n:int}")
def evidence_page(request: Request, web: Web, account: Account, form: Any) -> Response:
    view, ref = _evidence(request, web, account)
    return web.render(
        request,
        "evidence.html",
        title="存档证据",
        v=view,
        ref=ref,
        n=request.path_params["n"],
        cap=capture(web.data_dir, ref),
    )


@page("/units/{unit_id}/findings/{finding_id:int}/evidence/{n:int}/body")
def evidence_body(request: Request, web: Web, account: Account, form: Any) -> Response:
    """The archived body for the sandboxed frame: HTML is shown without running anything."""
    _, ref = _evidence(request, web, account)
    cap = capture(web.data_dir, ref)
    html = "html" in cap.content_type.lower() or cap.text.lstrip()[:1] == "<"
    return Response(
        cap.text,
        media_type="text/html; charset=utf-8" if html else "text/plain; charset=utf-8",
        headers={"Content-Security-Policy": BODY_CSP, "X-Frame-Options": "SAMEORIGIN"},
    )


@page("/units/{unit_id}/findings/{finding_id:int}/evidence/{n:int}/record.warc.gz")
def evidence_record(request: Request, web: Web, account: Account, form: Any) -> Response:
    view, ref = _evidence(request, web, account)
    name = f"{view.unit['id']}-finding-{view.finding['id']}-{request.path_params['n']}.warc.gz"
    return Response(
        record_bytes(web.data_dir, ref),
        media_type="application/warc",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


def _download(web: Web, choice: data.RunChoice, unit_id: str | None, fmt: str) -> Response:
    try:
        path = report_file(web.store, web.settings, choice, unit_id, fmt)
    except NotFound:
        raise
    except ConfigError as exc:  # e.g. the unit is not in that period's check run
        raise NotFound(str(exc)) from None
    except GovinspectError as exc:
        raise _Unavailable(str(exc)) from None
    return FileResponse(path, media_type=MEDIA_TYPES[fmt], filename=path.name)


class _Unavailable(GovinspectError):
    """A report format that cannot be written here (e.g. PDF without Pango)."""

    http_status = 503


def _period_choice(web: Web, code: str) -> data.RunChoice:
    try:
        parse_period(code)
    except GovinspectError:
        raise NotFound(code) from None
    return data.choose_run(web.store, code)


@page("/units/{unit_id}/evidence.zip")
def evidence_pack(request: Request, web: Web, account: Account, form: Any) -> Response:
    unit_id = request.path_params["unit_id"]
    data.require_unit(web.store, account, unit_id)
    choice = _choice(request, web)
    if choice is None:
        raise NotFound(unit_id)
    return _download(web, choice, unit_id, "evidence")


@page("/reports")
def reports_page(request: Request, web: Web, account: Account, form: Any) -> Response:
    choice = _choice(request, web)
    if choice is None:
        return web.render(request, "empty.html", title="报告下载")
    exported = data.export(web.store, choice.run_id, web.data_dir)
    units = data.visible(account, exported["units"])
    return web.render(
        request,
        "reports.html",
        title="报告下载",
        choice=choice,
        periods=data.periods(web.store),
        units=units,
        formats=list(UNIT_FORMATS),
    )


@page("/reports/{period}/{unit_id}/{fmt}")
def report_download(request: Request, web: Web, account: Account, form: Any) -> Response:
    p = request.path_params
    data.require_unit(web.store, account, p["unit_id"])
    if p["fmt"] not in (*UNIT_FORMATS, "evidence"):
        raise NotFound(p["fmt"])
    return _download(web, _period_choice(web, p["period"]), p["unit_id"], p["fmt"])


@page("/reports/{period}/ranking.xlsx")
def ranking_download(request: Request, web: Web, account: Account, form: Any) -> Response:
    # The workbook ranks every unit: not for a webmaster, who sees only their own.
    if not account.all_units:
        raise NotFound("ranking")
    return _download(web, _period_choice(web, request.path_params["period"]), None, "xlsx")


@page("/health")
def health_page(request: Request, web: Web, account: Account, form: Any) -> Response:
    return web.render(
        request,
        "health.html",
        title="运行状况",
        h=data.health(web.store, account, stale_after=web.settings.max_run_seconds + 3600),
    )


ROUTES = [
    overview, unit_page, finding_page, finding_act, evidence_page, evidence_body, evidence_record,
    evidence_pack, reports_page, ranking_download, report_download, health_page,
]  # fmt: skip
