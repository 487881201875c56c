"""``python -m govinspect.crawler.distributed worker|enqueue|status``: distributed mode by hand.

Settings come from the environment (``GOVINSPECT_REDIS_URL``, ``GOVINSPECT_DB``,
``GOVINSPECT_DATA_DIR``, ``GOVINSPECT_CONFIG``), as for the ``govinspect`` command.
"""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import asdict

from govinspect.crawler.distributed.common import DEFAULT_NAMESPACE, TUNING
from govinspect.settings import load_settings


def _parse(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m govinspect.crawler.distributed")
    parser.add_argument("--namespace", default=DEFAULT_NAMESPACE, help="Redis key namespace")
    commands = parser.add_subparsers(dest="command", required=True)
    worker = commands.add_parser("worker", help="work on distributed runs")
    worker.add_argument("--slots", type=int, default=1, help="crawl processes at once")
    worker.add_argument("--stop-after-idle", type=float, default=None, help="seconds")
    worker.add_argument("--heartbeat", type=float, default=TUNING.heartbeat_seconds)
    enqueue = commands.add_parser("enqueue", help="make units' crawls available to workers")
    enqueue.add_argument("--unit", action="append", default=None)
    enqueue.add_argument("--restart", action="store_true")
    enqueue.add_argument("--wait", action="store_true", help="until the runs end")
    commands.add_parser("status", help="print the runs workers may join (JSON lines)")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = _parse(argv)
    settings = load_settings()
    from govinspect.crawler.distributed import control

    if args.command == "worker":
        report = control.run_worker(
            settings,
            stop_after_idle=args.stop_after_idle,
            slots=args.slots,
            namespace=args.namespace,
            heartbeat_seconds=args.heartbeat,
            on_event=lambda kind, data: print(json.dumps({"event": kind, **data}), flush=True),
        )
        return 0 if all(code == 0 for _, _, code in report.crawls) else 1
    if args.command == "status":
        for progress in control.run_status(settings, args.namespace):
            print(json.dumps(asdict(progress), ensure_ascii=False))
        return 0
    from govinspect.registry import load_registry
    from govinspect.store.db import open_store

    registry = load_registry(settings.config)
    store = open_store(settings.database_url, settings.sqlite_busy_timeout_ms)
    try:
        run_ids = control.enqueue_units(
            settings, registry, store, args.unit, args.restart, args.namespace
        )
        print(json.dumps({"event": "enqueued", "runs": run_ids}), flush=True)
        if args.wait:
            results = control.wait_for_runs(settings, store, run_ids, namespace=args.namespace)
            for result in results:
                print(json.dumps({"event": "run", **asdict(result)}, default=str), flush=True)
            return 0 if all(r.status == "complete" for r in results) else 1
    finally:
        store.dispose()
    return 0


if __name__ == "__main__":
    sys.exit(main())
