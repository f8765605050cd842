"""``ipgraph load``: the reference data and a network pushed into a store, each institution's graph replaced.
"""

from __future__ import annotations

import argparse

from ..settings import Settings
from .commands import Command, UserError, command, open_remote, progress, remote_arguments, remote_settings


@command("load", "push the ontology, schemes, regions, shapes and a network (the sample network unless "
                 "FILES are given) into a remote SPARQL store; each institution replaces its own graph")
def _load(parser: argparse.ArgumentParser) -> Command:
    parser.add_argument("files", nargs="*", metavar="FILE", help="network documents (Turtle, N-Triples, JSON-LD …)")
    parser.add_argument("--no-reference", action="store_true",
                        help="push only the network, not the ontology, schemes, regions and shapes")
    remote_arguments(parser)

    def run(args: argparse.Namespace) -> int:
        from pathlib import Path

        from rdflib import Graph

        from ..store.base import BadData, StoreError
        from ..store.seed import SAMPLE_NETWORK, load_network, reference_files

        settings = Settings.from_env(**remote_settings(args))
        if not settings.sparql_endpoint:
            raise UserError("say where to load: --sparql-endpoint URL (or IPGRAPH_SPARQL_ENDPOINT)")
        networks = [Path(f) for f in args.files] or [SAMPLE_NETWORK]
        for path in networks:
            if not path.is_file():
                raise UserError(f"no such file: {path}")
        store = open_remote(settings, wait=False)
        try:
            if not args.no_reference:  # each reference graph replaced as a whole, so loading again adds nothing
                for graph, paths in reference_files().items():
                    content = Graph()
                    for path in paths:
                        content.parse(path)
                    progress(f"replacing <{graph}> with {', '.join(p.name for p in paths)} ({len(content)} triples)")
                    store.replace_graphs({graph: content})
            for path in networks:
                progress(f"loading {path}")
                try:
                    count = load_network(store, path)
                except (BadData, StoreError):
                    raise
                except Exception as error:  # rdflib's parsers raise many types; all mean a bad file
                    raise UserError(f"cannot read {path} as RDF: {error}") from None
                progress(f"{count} graphs replaced")
        except BadData as error:
            where = f" (line {error.line}, column {error.column})" if error.line else ""
            raise UserError(f"bad RDF{where}: {error}") from None
        except StoreError as error:
            progress(f"the store refused: {error}")
            return 1
        progress(f"{store.triple_count()} triples in {settings.sparql_endpoint}")
        return 0

    return run
