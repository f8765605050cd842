"""``ipgraph`` command line: thin commands over the library; user errors are clean messages.

Exit codes: 0 success, 1 the command ran and found a problem (e.g. a Violation), 2 bad input or usage. Each
command lives in a module of its own and registers itself when imported (:func:`~ipgraph.cli.commands.command`);
the imports below fix the order ``ipgraph --help`` lists them in.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

# importing a command's module registers it; this order is the order of `ipgraph --help`
from . import serve, spreadsheets, match, coverage, validate, load, backup, bench  # noqa: F401  isort: skip
from .commands import COMMANDS, UserError


def _version() -> str:
    from .. import __version__
    from .allocator import in_use

    return f"ipgraph {__version__} (store allocator: {in_use()})"


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="ipgraph", description="知识产权信息公共服务体系知识图谱 / "
                                     "knowledge graph of the IP information public service network")
    parser.add_argument("--version", action="version", version=_version())
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


def entry() -> None:
    """The ``ipgraph`` command: started again with jemalloc under the store when the machine has it
    (:mod:`ipgraph.cli.allocator`), then :func:`main`."""
    from .allocator import restart_with_jemalloc

    restart_with_jemalloc(sys.argv[1:])
    sys.exit(main())


if __name__ == "__main__":
    sys.exit(main())
