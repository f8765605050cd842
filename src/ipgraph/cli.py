"""``ipgraph`` command line: thin commands over the library; user errors are clean messages.

Exit codes: 0 success, 1 the command ran and found a problem (e.g. a Violation), 2 bad input or usage.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence

from .settings import Settings

Command = Callable[[argparse.Namespace], int]
COMMANDS: dict[str, tuple[Callable[[argparse.ArgumentParser], None], Command]] = {}


class UserError(Exception):
    """A mistake the user can fix; printed without a traceback, exit code 2."""


def command(name: str, help: str):
    """Register a subcommand: the decorated function adds its arguments and returns the runner."""

    def register(setup: Callable[[argparse.ArgumentParser], Command]):
        COMMANDS[name] = (help, setup)
        return setup

    return register


def progress(message: str) -> None:
    print(f"[ipgraph] {message}", file=sys.stderr, flush=True)


@command("serve", "start the web service (embedded store with the sample network by default)")
def _serve(parser: argparse.ArgumentParser) -> Command:
    parser.add_argument("--host", help="address to listen on (default 127.0.0.1)")
    parser.add_argument("--port", type=int, help="port (default 8000)")
    parser.add_argument("--data-dir", help="folder of the on-disk store (default: the user's data folder; "
                                           "IPGRAPH_DATA_DIR overrides)")

    def run(args: argparse.Namespace) -> int:
        import uvicorn

        from .api import create_app
        from .seed import open_embedded

        settings = Settings.from_env(host=args.host, port=args.port, data_dir=args.data_dir)
        progress(f"store: {settings.data_dir}")
        store = open_embedded(settings.data_dir / "store", progress=progress)
        progress(f"{store.triple_count()} triples; serving on http://{settings.host}:{settings.port}/")
        try:
            uvicorn.run(create_app(settings, store), host=settings.host, port=settings.port, log_level="info")
        finally:
            store.close()
        return 0

    return run


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="ipgraph", description="知识产权信息公共服务体系知识图谱 / "
                                     "knowledge graph of the IP information public service network")
    subparsers = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for name, (help_text, setup) in COMMANDS.items():
        sub = subparsers.add_parser(name, help=help_text, description=help_text)
        sub.set_defaults(run=setup(sub))
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return args.run(args)
    except UserError as error:
        print(f"ipgraph: {error}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
