"""Console entry point: serve a scenario on a loopback port, reporting the port actually bound."""

from __future__ import annotations

import argparse
import os
import socket
import sys
from pathlib import Path

import uvicorn

from devteam_scripted_model.app import create_app
from devteam_scripted_model.scenario import Scenario, ScenarioError, load_scenario


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="devteam-scripted-model",
        description="OpenAI-compatible model server answering from a scenario file.",
    )
    parser.add_argument("--scenario", type=Path, help="YAML or JSON scenario file")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0, help="0 picks a free port")
    parser.add_argument("--port-file", type=Path, help="write the bound port here once listening")
    parser.add_argument("--record", type=Path, help="append every request to this JSONL file")
    parser.add_argument("--log-level", default="warning")
    return parser


def _write_port_file(path: Path, port: int) -> None:
    # Written atomically so a polling reader never sees an empty file.
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(f"{port}\n", encoding="utf-8")
    os.replace(tmp, path)


def main(argv: list[str] | None = None) -> int:
    """Parse arguments, bind the socket, announce the port, serve until interrupted."""
    args = _parser().parse_args(argv)
    try:
        scenario = load_scenario(args.scenario) if args.scenario else Scenario()
    except ScenarioError as exc:
        print(f"devteam-scripted-model: {exc}", file=sys.stderr)
        return 2
    family = socket.AF_INET6 if ":" in args.host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((args.host, args.port))
    # Listening before the port is announced, so the first connection is never refused.
    sock.listen(128)
    port = int(sock.getsockname()[1])
    if args.port_file:
        _write_port_file(args.port_file, port)
    print(f"devteam-scripted-model listening on http://{args.host}:{port}/v1", flush=True)
    app = create_app(scenario, record_file=args.record)
    # Short graceful shutdown: a rule with a long delay_s must not hold the server open.
    config = uvicorn.Config(
        app, log_level=args.log_level, access_log=False, timeout_graceful_shutdown=1
    )
    uvicorn.Server(config).run(sockets=[sock])
    return 0


if __name__ == "__main__":
    sys.exit(main())
