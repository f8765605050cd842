"""``ipgraph backup`` and ``ipgraph restore``: the embedded store to and from N-Quads (:mod:`ipgraph.admin.backup`).
"""

from __future__ import annotations

import argparse

from ..settings import Settings
from .commands import Command, UserError, command, open_existing, progress


@command("backup", "write the whole embedded store to an N-Quads file (gzip when FILE ends in .gz); "
                   "private graphs only with --include-private")
def _backup(parser: argparse.ArgumentParser) -> Command:
    parser.add_argument("file", help="the file to write, e.g. ipgraph.nq.gz")
    parser.add_argument("--include-private", action="store_true",
                        help="also the private graph (feedback with contact details, 5.5) and the provenance graph")
    parser.add_argument("--data-dir", help="folder of the on-disk store (as for serve)")

    def run(args: argparse.Namespace) -> int:
        from pathlib import Path

        from ..admin.backup import backup
        from ..store.embedded import EmbeddedStore

        settings = Settings.from_env(data_dir=args.data_dir)
        store = open_existing(EmbeddedStore, settings)
        try:
            count = backup(store, Path(args.file), include_private=args.include_private)
        except OSError as error:
            raise UserError(f"cannot write {args.file}: {error}") from None
        finally:
            store.close()
        progress(f"wrote {count} quads to {args.file}" + ("" if args.include_private else " (public graphs only)"))
        return 0

    return run


@command("restore", "replace the embedded store's graphs by those of an N-Quads backup (one transaction)")
def _restore(parser: argparse.ArgumentParser) -> Command:
    parser.add_argument("file", help="a file written by `ipgraph backup`")
    parser.add_argument("--data-dir", help="folder of the on-disk store (as for serve)")

    def run(args: argparse.Namespace) -> int:
        from pathlib import Path

        from ..admin.backup import restore
        from ..store.base import BadData
        from ..store.embedded import EmbeddedStore

        if not Path(args.file).is_file():
            raise UserError(f"no such file: {args.file}")
        settings = Settings.from_env(data_dir=args.data_dir)
        store = open_existing(EmbeddedStore, settings)
        try:
            count = restore(store, Path(args.file))
        except BadData as error:
            where = f" (line {error.line}, column {error.column})" if error.line else ""
            raise UserError(f"{args.file} is not an N-Quads backup{where}: {error}; nothing changed") from None
        finally:
            store.close()
        progress(f"restored {count} graphs from {args.file}; restart `ipgraph serve` to rebuild its indexes")
        return 0

    return run
