"""The markdown tables of ``bench/run.py``'s report (``bench/out/results.md``, also printed)."""

from __future__ import annotations

from typing import Any


def _mark(met: bool | None) -> str:
    return {True: "yes", False: "**no**", None: "–"}[met]


def _table(header: list[str], rows: list[list[Any]]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join("–" if v is None else str(v) for v in row) + " |" for row in rows]
    return "\n".join(lines)


def markdown(report: dict[str, Any]) -> str:
    m = report["machine"]
    code = report.get("code_at_start", {})
    parts = [
        f"Machine: {m['nproc']} cores ({m['cpu']}), {m['memory_gib']} GiB, {m['os']}, "
        f"Python {m['python']}, Node {m['node']}, {m['nginx']}.",
        f"govinspect measured: {report.get('govinspect_source')} (HEAD {code.get('commit')}, "
        f"{len(code.get('dirty', []))} uncommitted changes under govinspect/ at the start).",
    ]
    if report.get("peers"):
        parts.append(peers_section("Peer comparison", report["peers"]))
    if report.get("plain"):
        parts.append(peers_section("Plain one-host site, Python server", report["plain"]))
    if report.get("recheck"):
        parts.append(recheck_section(report["recheck"]))
    if report.get("politeness"):
        parts.append(politeness_section(report["politeness"]))
    if report.get("city"):
        parts.append(city_section(report["city"]))
    mem = report.get("memory")
    if mem:
        rows = [
            [p["urls"], p["pages"], p["wall_s"], p["peak_rss_mb"], p["single_rss_mb"]]
            for p in mem["points"]
        ]
        header = ["URLs", "pages", "wall s", "peak RSS MB (tree)", "largest process MB"]
        parts.append("### Memory growth\n\n" + _table(header, rows))
    rows = [[t["target"], t["measured"], _mark(t["met"])] for t in report.get("targets", [])]
    parts.append("### Targets (issues 6, 21)\n\n" + _table(["target", "measured", "met"], rows))
    parts.append(f"Durations (s): {report.get('timings_s')}")
    return "\n\n".join(parts) + "\n"


def peers_section(title: str, peers: dict[str, Any]) -> str:
    site = peers["site"]
    intro = (
        f"### {title}\n\nSite: {site['urls']} URLs ({site['pages']} pages, "
        f"{site['assets']} images/attachments/assets, {site['broken']} planted 404s), "
        f"served by {peers['server']}; median of {peers['rounds']} rounds."
    )
    rows = []
    for r in peers["summary"]:
        wall = r["wall_s_median"]
        if r["capped"]:
            wall = f"stopped at {wall} (whole site ≈ {r.get('projected_full_s')} s)"
        exact = {True: "exact", False: "**differs**", None: "–"}[r["exact_broken_set"]]
        rows.append(
            [
                r["label"],
                r["settings"],
                wall,
                r.get("cpu_s_median"),
                r["urls_per_s"],
                r["peak_rss_mb_median"],
                f"{int(r['covered_median'])}/{site['urls']}",
                int(r["requests_median"]),
                exact,
                r.get("load_median"),
            ]
        )
    header = ["tool", "settings", "wall s", "CPU s", "URLs/s", "peak RSS MB", "URLs fetched"]
    return intro + "\n\n" + _table([*header, "requests", "broken set", "load"], rows)


def recheck_section(recheck: dict[str, Any]) -> str:
    rows = []
    for variant, result in recheck.items():
        same = result["same_findings"]
        for name in ("first", "second"):
            run = result[name]
            rows.append(
                [
                    f"{variant} ({result.get('server')})",
                    name,
                    run["wall_s"],
                    run.get("cpu_s"),
                    run["requests"],
                    round(run["bytes_sent"] / 2**20, 1),
                    run["conditional"],
                    run["not_modified"],
                    result["speedup"] if name == "second" else None,
                    _same(same) if name == "second" else None,
                    run.get("load_before"),
                ]
            )
    header = ["site", "crawl", "wall s", "CPU s", "requests", "MiB sent", "conditional"]
    header += ["304s", "speed-up", "same findings", "load"]
    return "### Incremental recheck\n\n" + _table(header, rows)


def _same(same: dict[str, Any]) -> str:
    if same["all"] is None:
        return "unread"
    if same["all"]:
        return f"yes ({same['broken_count']} broken, {same['columns_count']} columns)"
    differ = [k for k in ("broken", "columns", "homepage_newest") if same[k] is False]
    return "**no**: " + ", ".join(differ)


def politeness_section(polite: dict[str, Any]) -> str:
    row = [
        polite["hosts"],
        polite["latency_s"],
        polite["per_host"],
        polite["requests"],
        polite["bound_s"],
        polite["wall_s"],
        polite["crawl_seconds"],
        polite["ratio_wall"],
        polite["max_in_flight_per_host"],
    ]
    header = ["hosts", "latency s", "per host", "requests", "bound s", "wall s", "crawl s"]
    return "### Politeness\n\n" + _table([*header, "wall ÷ bound", "max in flight/host"], [row])


def city_section(city: dict[str, Any]) -> str:
    intro = (
        f"### {city['units']} units at once\n\n{city['units']} units of "
        f"{city['urls_per_unit']} URLs ({city['site_urls']} in all), each on its own loopback "
        f"host, served by {city['server']}; {city['nproc']} cores."
    )
    rows = [
        [
            r["parallel"],
            r["wall_s"],
            r["cpu_s"],
            r["cores_busy"],
            f"{r.get('tree_cores_p90')} / {r.get('tree_cores_peak')} "
            f"({r.get('tree_over_one_core_pct')} %)",
            " / ".join(str(v) for v in r.get("per_cpu_busy_pct", [])),
            r.get("all_cores_over_half_pct"),
            r.get("max_crawls_at_once"),
            ", ".join(f"{k} {v}" for k, v in r["runs"].items()),
            r["peak_rss_mb"],
            r["load_before"],
        ]
        for r in city["runs"]
    ]
    header = ["--parallel", "wall s", "CPU s", "cores busy", "cores p90 / peak (> 1 core)"]
    header += ["per-core busy %"]
    header += ["all cores > 50 % (% of samples)", "crawls at once", "runs", "peak RSS MB", "load"]
    return intro + "\n\n" + _table(header, rows)
