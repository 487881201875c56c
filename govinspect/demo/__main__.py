"""``python -m govinspect.demo``: serve the demo town and write its config and manifest."""

from __future__ import annotations

import argparse
import sys

from govinspect.demo import DemoServer, build_town
from govinspect.demo.server import ALL_PORT_KEYS


def _parse(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m govinspect.demo", description="Serve the govinspect demo town on 127.0.0.1."
    )
    parser.add_argument("--scale", type=int, default=1, help="article multiplier (>= 1)")
    parser.add_argument(
        "--lifetime", type=float, default=0.0, help="seconds to serve; 0 = until Ctrl-C"
    )
    parser.add_argument("--config-out", help="write the govinspect config (YAML; .json = JSON)")
    parser.add_argument("--manifest-out", help="write the ground-truth manifest (JSON)")
    parser.add_argument("--host", default="127.0.0.1", help="loopback address to bind")
    parser.add_argument("--slow-seconds", type=float, default=1.0)
    parser.add_argument("--hang-seconds", type=float, default=30.0)
    for key in ALL_PORT_KEYS:
        parser.add_argument(
            f"--port-{key}",
            type=int,
            default=0,
            help=f"fixed port for {key} (default: any free port)",
        )
    args = parser.parse_args(argv)
    if args.scale < 1:
        parser.error("--scale must be >= 1")
    return args


def main(argv: list[str] | None = None) -> int:
    args = _parse(argv)
    ports = {key: getattr(args, f"port_{key}") for key in ALL_PORT_KEYS}
    server = DemoServer(
        build_town(args.scale),
        host=args.host,
        ports={k: v for k, v in ports.items() if v},
        slow_seconds=args.slow_seconds,
        hang_seconds=args.hang_seconds,
    )
    with server:
        if args.config_out:
            server.write_config(args.config_out)
        if args.manifest_out:
            server.write_manifest(args.manifest_out)
        for origin in (*ALL_PORT_KEYS,):
            print(f"{origin:8s} {server.base_url(origin)}", flush=True)
        server.serve_for(args.lifetime)
    return 0


if __name__ == "__main__":
    sys.exit(main())
