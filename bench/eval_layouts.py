"""Per-family accuracy of govinspect on the layout-variety sites (docs/accuracy.md).

Usage: ``.venv/bin/python bench/eval_layouts.py [--seed N] [--family NAME]... [--parallel N]
[--details] [--json PATH]``

Serves every family of ``govinspect.demo.layouts`` on 127.0.0.1, crawls each site in its own
subprocess, runs one check run, and compares the crawler's columns and the JSON export with
each site's ground truth.  Prints the Markdown table of docs/accuracy.md (✓ = exact; ✗ −m +e =
m expected things missed, e found that are not in the truth), then the misses when
``--details`` is given.  Exit status 0 when every measure is exact for every family.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

from govinspect.demo.layouts import FAMILIES, family
from govinspect.demo.layouts.evaluate import MEASURES, inspect_families, table


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=0, help="site content seed (default 0)")
    parser.add_argument("--family", action="append", help="only this family (repeatable)")
    parser.add_argument("--parallel", type=int, default=4, help="crawls at once (default 4)")
    parser.add_argument("--details", action="store_true", help="print what each miss was")
    parser.add_argument("--json", type=Path, help="also write the measures as JSON here")
    args = parser.parse_args(argv)
    try:
        families = [family(name) for name in args.family] if args.family else list(FAMILIES)
    except KeyError as exc:
        print(exc.args[0], file=sys.stderr)
        return 2
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="eval-layouts-") as tmp:
        results = inspect_families(Path(tmp), families, seed=args.seed, parallel=args.parallel)
    seconds = time.perf_counter() - started
    print(table(results))
    print(f"\n{len(results)} families, seed {args.seed}, {seconds:.0f} s")
    failed = False
    report = {}
    for name, result in results.items():
        measures = result.measures()
        report[name] = {k: vars(m) for k, m in measures.items()}
        if result.status != "complete":
            print(f"{name}: crawl {result.status}: {result.error}")
            failed = True
        for key, measure in measures.items():
            failed |= not measure.ok
            if args.details and not measure.ok:
                print(f"{name} {key} ({MEASURES[key]}):")
                print(f"  missing {measure.missing}\n  extra {measure.extra}")
    if args.json:
        args.json.write_text(json.dumps(report, ensure_ascii=False, indent=1), encoding="utf-8")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
