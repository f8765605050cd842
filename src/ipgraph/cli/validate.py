"""``ipgraph validate``: network data (RDF or a spreadsheet) checked as the service checks an upload.

By default against the reference context a fresh service holds (ontology, schemes, regions, shapes, the IP
administrations: :func:`ipgraph.admin.staging.reference_context`); with ``--data-dir`` or a remote endpoint,
against that store's network, so that links to institutions already there resolve. Either way the check is the
write path's own preview (:mod:`ipgraph.admin.preview`), the one ``POST /admin/upload?dry_run=true`` runs. RDF
files are read by pyoxigraph straight into the store the checks run in (:mod:`ipgraph.admin.staging`).
"""

from __future__ import annotations

import argparse

from ..settings import Settings
from .commands import Command, UserError, command, open_remote, progress, remote_arguments, remote_settings


def open_context(args: argparse.Namespace):
    """The store to validate against: a running store's (``--data-dir``, a remote endpoint), else the reference
    context. Raises UserError when the data folder holds no store."""
    from ..store.embedded import EmbeddedStore
    from ..store.seed import is_seeded
    from .commands import open_existing

    settings = Settings.from_env(data_dir=args.data_dir, **remote_settings(args))
    if settings.sparql_endpoint:
        return open_remote(settings, wait=False)
    if args.data_dir:
        if not (settings.data_dir / "store").is_dir():
            raise UserError(f"no store under {settings.data_dir} (start `ipgraph serve --data-dir "
                            f"{settings.data_dir}` or `ipgraph load --data-dir {settings.data_dir}` once)")
        store = open_existing(EmbeddedStore, settings)
        if not is_seeded(store):
            store.close()
            raise UserError(f"the store under {settings.data_dir} was never seeded")
        progress(f"validating against the network in {settings.data_dir}")
        return store
    from ..admin.staging import reference_context

    return reference_context()


@command("validate", "check network data as the service checks an upload (against the reference data and IP "
                     "administrations, or with --data-dir a store's network); report by institution and clause "
                     "(exit 0 no Violation, 1 Violation, 2 unreadable input)")
def _validate(parser: argparse.ArgumentParser) -> Command:
    parser.add_argument("paths", nargs="+", metavar="PATH",
                        help="Turtle, N-Triples, JSON-LD (…) or the spreadsheet template (.xlsx/.csv)")
    parser.add_argument("--format", choices=("text", "json", "turtle"), default="text", help="report format")
    parser.add_argument("--lang", choices=("zh", "en"), default="zh", help="language of the messages")
    parser.add_argument("--strict", action="store_true", help="warnings count as failures too (exit 1)")
    parser.add_argument("--engine", choices=("compiled", "pyshacl"), default="compiled",
                        help="compiled: the shapes compiled to SPARQL, run as the service runs them (the default); "
                             "pyshacl: the reference engine over the files and the reference data alone (no "
                             "administrations, no store; much slower)")
    parser.add_argument("--data-dir", help="validate against the network of the on-disk store in this folder "
                                           "(stop `ipgraph serve` on it first)")
    remote_arguments(parser)

    def run(args: argparse.Namespace) -> int:
        import json
        from pathlib import Path

        from ..validation.reference import InputError

        paths = [Path(p) for p in args.paths]
        try:
            if args.engine == "pyshacl":
                from ..sheets.inputs import read_inputs
                from ..validation.reference import validate

                data = read_inputs(paths)
                progress(f"validating {len(data)} triples against the shapes (pyshacl engine)")
                report, change, places = validate(data), None, None
            else:
                from concurrent.futures import ThreadPoolExecutor

                from ..admin.staging import Staged
                from ..admin.write import Writer

                # pyoxigraph parses outside the GIL: the files are read while the context is opened and the
                # shapes compiled and run over it
                with ThreadPoolExecutor(max_workers=1) as reader:
                    reading = reader.submit(Staged.from_files, paths, split=False)
                    store = open_context(args)
                    try:
                        writer = Writer(store)
                        writer.validation
                        staged = reading.result()
                    except BaseException:
                        store.close()
                        raise
                try:
                    progress(f"validating {staged.triple_count} triples as an upload is validated (compiled engine)")
                    checked = writer.preview(staged, progress=progress)
                finally:
                    store.close()
                    staged.close()
                report, change = checked.report, checked.change
                # a spreadsheet's findings point at the cell that wrote the value, or the row of the node
                places = staged.locations.of_result if staged.locations is not None else None
                progress(change.to_text(args.lang))
        except InputError as error:
            message = error.zh if args.lang == "zh" else error.message
            raise UserError(error.where() + message) from None
        if args.format == "json":
            out = report.to_json(args.lang, places)
            if change is not None:
                out["change"] = change.as_dict()
            print(json.dumps(out, ensure_ascii=False, indent=2))
        elif args.format == "turtle":
            print(report.to_turtle())
        else:
            print(report.to_text(args.lang, places), end="")
        return 1 if report.failed(strict=args.strict) else 0

    return run
