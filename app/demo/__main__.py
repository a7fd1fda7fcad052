"""`python -m app.demo [--port N] [--pace S] [--no-responses]`: the demo endpoint alone."""

from __future__ import annotations

import argparse
import sys

from .server import run_demo_server


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m app.demo", description=__doc__)
    parser.add_argument("--port", type=int, default=8000)
    parser.add_argument("--pace", type=float, default=0.02)
    parser.add_argument(
        "--no-responses",
        dest="responses",
        action="store_false",
        help="answer /v1/responses with 404, as a local server without the Responses API",
    )
    ns = parser.parse_args(argv)
    return run_demo_server(port=ns.port, pace=ns.pace, responses=ns.responses)


if __name__ == "__main__":
    sys.exit(main())
