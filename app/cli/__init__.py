"""The `grok-vision` command: the window by default, and headless sub-commands for scripts."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from app import __version__

SUBCOMMANDS = ("tokens", "ask", "batch", "models", "key", "export", "import", "demo-server")

EXIT_OK = 0
EXIT_API = 1
EXIT_USAGE = 2
EXIT_INTERRUPTED = 130


def _gui_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="grok-vision",
        description="Chat with a vision model about images. With no command, opens the window.",
        epilog="Commands: " + ", ".join(SUBCOMMANDS) + " (grok-vision COMMAND --help).",
    )
    parser.add_argument("--version", action="version", version=f"grok-vision {__version__}")
    parser.add_argument(
        "--demo",
        action="store_true",
        help="use the built-in demo endpoint: simulated model, no key, no network",
    )
    parser.add_argument("files", nargs="*", metavar="FILE", help="images to put in the tray")
    return parser


def _command_parser() -> argparse.ArgumentParser:
    # Imported here, not at the top: the window's start needs none of them.
    from app.core.catalog import DEFAULT_MODEL
    from app.core.limits import LIMIT_PROFILES, XAI_BASE_URL
    from app.llm.api_dialect import API_CHOICES

    parser = argparse.ArgumentParser(prog="grok-vision")
    sub = parser.add_subparsers(dest="command", required=True)

    tokens = sub.add_parser("tokens", help="what each image costs as it would be sent")
    tokens.add_argument("--json", action="store_true", help="machine-readable output")
    tokens.add_argument("--limits", choices=sorted(LIMIT_PROFILES), default="xai")
    tokens.add_argument("images", nargs="+", metavar="IMAGE")
    _pdf_options(tokens)
    _split_option(tokens)

    ask = sub.add_parser("ask", help="ask about images; the reply streams to standard output")
    ask.add_argument(
        "--base-url",
        default=XAI_BASE_URL,
        metavar="URL",
        help="the endpoint; it is sent its own stored key only "
        "(grok-vision key set --endpoint URL)",
    )
    ask.add_argument(
        "--model",
        default=None,
        help="a model id (default: the endpoint's current image model, "
        f"{DEFAULT_MODEL} when it lists none)",
    )
    ask.add_argument(
        "--reasoning-effort",
        default=None,
        metavar="EFFORT",
        help="how hard a reasoning model thinks (grok-4.7: low, medium, high, "
        "xhigh; grok-4.3: none, low, medium, high); refused for a model that "
        "takes no effort",
    )
    ask.add_argument(
        "--api",
        choices=API_CHOICES,
        default="auto",
        help="the wire API: responses (xAI's recommended one), chat (Chat Completions, which "
        "every OpenAI-compatible server speaks), or auto: responses, falling back to chat "
        "once, said on standard error, when the endpoint has none",
    )
    ask.add_argument(
        "--image", action="append", default=[], metavar="PATH", help="an image or a PDF"
    )
    _pdf_options(ask)
    _split_option(ask)
    ask.add_argument("--system", default="", metavar="TEXT")
    ask.add_argument(
        "--json-object",
        action="store_true",
        help='ask for a JSON object (response_format {"type": "json_object"})',
    )
    ask.add_argument(
        "--preset",
        metavar="NAME",
        help="a task preset (system prompt, question, answer shape); --preset list shows them",
    )
    ask.add_argument(
        "--schema",
        metavar="FILE",
        help="a JSON schema file the reply must follow (json_schema output)",
    )
    ask.add_argument("--max-tokens", type=int, default=None, metavar="N")
    ask.add_argument("--temperature", type=float, default=None, metavar="T")
    ask.add_argument("--limits", choices=sorted(LIMIT_PROFILES), default="xai")
    ask.add_argument(
        "prompt",
        metavar="PROMPT",
        nargs="?",
        default="",
        help="the question (a preset's default question when left out). A JSON "
        "reply is printed as pretty JSON; exit status 1 when it is not valid "
        "JSON or does not match the schema",
    )

    models = sub.add_parser("models", help="models that take images, with prices")
    models.add_argument(
        "--base-url",
        default=XAI_BASE_URL,
        metavar="URL",
        help="the endpoint; it is sent its own stored key only",
    )
    models.add_argument("--all", action="store_true", help="also list text-only models")

    key = sub.add_parser(
        "key",
        help="an endpoint's API key in the system keyring",
        description="Store, show (redacted) or delete an endpoint's API key in the system "
        "keyring. Every endpoint has its own key: `ask` and `models` send an "
        "endpoint only its own key, and XAI_API_KEY only to api.x.ai.",
    )
    key.add_argument(
        "action",
        choices=("set", "status", "delete"),
        help="set reads the key from standard input only",
    )
    key.add_argument(
        "--endpoint",
        metavar="URL",
        default=None,
        help="the endpoint whose key this is, by its base URL (e.g. "
        "https://openrouter.ai/api/v1 or http://localhost:8000/v1); "
        f"default: xAI ({XAI_BASE_URL})",
    )
    key.add_argument("--account", default=None, help=argparse.SUPPRESS)

    demo = sub.add_parser("demo-server", help="serve the local demo endpoint on 127.0.0.1")
    demo.add_argument("--port", type=int, default=8000)
    demo.add_argument("--pace", type=float, default=0.02, help="seconds between streamed chunks")
    demo.add_argument(
        "--no-responses",
        dest="responses",
        action="store_false",
        help="answer /v1/responses with 404, like a local server that has no Responses API",
    )
    from app.cli.batch import add_parser as add_batch_parser
    from app.cli.history import add_parsers

    add_batch_parser(sub)
    add_parsers(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    if args and args[0] in SUBCOMMANDS:
        ns = _command_parser().parse_args(args)
        return _run_command(ns)
    ns = _gui_parser().parse_args(args)
    from app.gui import run_gui

    return run_gui(ns.files, demo=ns.demo)


def _pdf_options(command: argparse.ArgumentParser) -> None:
    command.add_argument(
        "--pages",
        default=None,
        metavar="LIST",
        help="the pages of each PDF to use, in this order: 1-3,7 (default: all)",
    )
    command.add_argument(
        "--pdf-scale",
        choices=("cheaper", "standard", "sharper"),
        default="standard",
        help="PDF pages rendered at 896, 1344 (default) or 1792 px on their long side",
    )


def _split_option(command: argparse.ArgumentParser) -> None:
    command.add_argument(
        "--split-tall",
        action="store_true",
        help="an image much taller than wide (a whole web page) as parts of readable height",
    )


def _run_command(ns: argparse.Namespace) -> int:
    if ns.command == "tokens":
        from app.cli.tokens import run_tokens
        from app.core.limits import LIMIT_PROFILES

        return run_tokens(
            ns.images,
            as_json=ns.json,
            limits=LIMIT_PROFILES[ns.limits],
            pages=ns.pages,
            pdf_scale=ns.pdf_scale,
            split_tall=ns.split_tall,
        )
    if ns.command == "ask":
        from app.cli.ask import run_ask

        return run_ask(ns)
    if ns.command == "batch":
        from app.cli.batch import run_batch

        return run_batch(ns)
    if ns.command == "models":
        from app.cli.ask import run_models

        return run_models(ns.base_url, show_all=ns.all)
    if ns.command == "export":
        from app.cli.history import run_export

        return run_export(
            ns.id, all_conversations=ns.all, fmt=ns.format, out=ns.out, list_only=ns.list
        )
    if ns.command == "import":
        from app.cli.history import run_import

        return run_import(ns.file)
    if ns.command == "key":
        from app.cli.key import run_key

        return run_key(ns.action, endpoint=ns.endpoint, account=ns.account)
    from app.demo import run_demo_server

    return run_demo_server(port=ns.port, pace=ns.pace, responses=ns.responses)


if __name__ == "__main__":
    sys.exit(main())
