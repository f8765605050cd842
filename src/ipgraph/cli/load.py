"""``ipgraph load``: a network into the embedded store through the write path, or pushed into a remote store.

Embedded (no endpoint): the files are validated as an upload is (:meth:`ipgraph.admin.write.Writer.load`: the
preview of :mod:`ipgraph.admin.preview`; a Violation refuses the load and nothing changes), then each institution's
graph is replaced and the load recorded as a PROV activity, as ``POST /admin/upload`` does; ``--replace`` first
retires, with their history, the institutions the files do not hold. The store is the one ``ipgraph serve`` opens
(seeded on first start), so ``ipgraph load net.ttl --replace && ipgraph serve`` serves that network.

Remote (``--sparql-endpoint``): the reference data and the network pushed as they are, each institution's graph
replaced (the engine is the system of record; nothing is validated here).
"""

from __future__ import annotations

import argparse

from ..settings import Settings
from .commands import Command, UserError, command, open_remote, progress, remote_arguments, remote_settings


def _agent() -> str:
    import getpass

    try:
        return "cli:" + getpass.getuser()
    except (KeyError, OSError):
        return "cli"


def load_embedded(args: argparse.Namespace, settings: Settings, networks: list) -> int:
    from ..admin.staging import Staged, institution_keys
    from ..admin.write import Rejected, Writer
    from ..store.seed import open_embedded
    from ..validation.reference import InputError

    try:
        progress(f"reading {', '.join(str(p) for p in networks)}")
        staged = Staged.from_files(networks, split=False)   # read by pyoxigraph, split as it is written
    except InputError as error:
        raise UserError(error.where() + (error.zh if args.lang == "zh" else error.message)) from None
    if not staged.described:
        staged.close()
        raise UserError("the files describe no institution (no rdf:type for any …/id/institution/KEY)")
    progress(f"store: {settings.data_dir}")
    try:
        store = open_embedded(settings.data_dir / "store", progress=progress)
    except OSError as error:
        staged.close()
        raise UserError(f"cannot open the store under {settings.data_dir} ({error}); stop `ipgraph serve` "
                        "first") from None
    try:
        retire = institution_keys(store.graph_names()) - staged.described if args.replace else set()
        progress(f"validating {staged.triple_count} triples of {len(staged.described)} institutions"
                 + (f", retiring {len(retire)}" if retire else ""))
        try:
            checked, result = Writer(store).load(staged, agent=_agent(), retire=retire,
                                                 reason="ipgraph load --replace")
        except Rejected as error:
            print(error.report.to_text(args.lang, staged.locations.of_result if staged.locations else None), end="")
            progress("refused: the data has Violations; nothing was written" if args.lang == "en"
                     else "数据有违反项，未写入任何内容")
            return 1
        counts = checked.report.counts
        progress(checked.change.to_text(args.lang))
        progress(f"accepted ({counts['Warning']} warnings, {counts['Info']} infos; `ipgraph validate` shows them); "
                 f"recorded as {result.activity}; {store.triple_count()} triples in the store")
        return 0
    finally:
        store.close()
        staged.close()


@command("load", "load a network into the embedded store as an upload is written (validated, then each "
                 "institution's graph replaced, with provenance; --replace retires the institutions the files "
                 "do not hold), or push it with the reference data into a remote SPARQL store")
def _load(parser: argparse.ArgumentParser) -> Command:
    parser.add_argument("files", nargs="*", metavar="FILE", help="network documents (Turtle, N-Triples, JSON-LD …, "
                        "or the spreadsheet template); default: the sample network")
    parser.add_argument("--data-dir", help="folder of the on-disk store (default: the user's data folder; "
                                           "IPGRAPH_DATA_DIR overrides), the one `ipgraph serve` opens")
    parser.add_argument("--replace", action="store_true",
                        help="retire (history kept) every institution of the store that the files do not hold: "
                             "the store then serves exactly the files' network (embedded store only)")
    parser.add_argument("--lang", choices=("zh", "en"), default="zh", help="language of the report")
    parser.add_argument("--no-reference", action="store_true",
                        help="remote store: push only the network, not the ontology, schemes, regions and shapes")
    remote_arguments(parser)

    def run(args: argparse.Namespace) -> int:
        from pathlib import Path

        from ..store.seed import SAMPLE_NETWORK

        settings = Settings.from_env(data_dir=args.data_dir, **remote_settings(args))
        networks = [Path(f) for f in args.files] or [SAMPLE_NETWORK]
        for path in networks:
            if not path.is_file():
                raise UserError(f"no such file: {path}")
        if not settings.sparql_endpoint:
            return load_embedded(args, settings, networks)
        if args.replace:
            raise UserError("--replace is for the embedded store; on a remote store retire institutions with "
                            "DELETE /admin/institutions/{id}")
        return load_remote(args, settings, networks)

    return run


def load_remote(args: argparse.Namespace, settings: Settings, networks: list) -> int:
    from rdflib import Graph

    from ..store.base import BadData, StoreError
    from ..store.seed import load_network, reference_files

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
