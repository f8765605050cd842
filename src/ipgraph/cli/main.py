"""``ipgraph`` command line: thin commands over the library; user errors are clean messages.

Exit codes: 0 success, 1 the command ran and found a problem (e.g. a Violation), 2 bad input or usage.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence

from ..settings import Settings

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
    _remote_arguments(parser)

    def run(args: argparse.Namespace) -> int:
        import uvicorn

        from ..store.seed import open_embedded
        from ..web import create_app
        from ..web.utf8_targets import widen_h11_request_target

        settings = Settings.from_env(host=args.host, port=args.port, data_dir=args.data_dir, **_remote_settings(args))
        if settings.sparql_endpoint:
            store = _open_remote(settings, wait=True)
        else:
            progress(f"store: {settings.data_dir}")
            store = open_embedded(settings.data_dir / "store", progress=progress)
        progress(f"{store.triple_count()} triples; serving on http://{settings.host}:{settings.port}/")
        try:
            widen_h11_request_target()  # curl '…/api/match?q=侵权分析' sends raw UTF-8
            uvicorn.run(create_app(settings, store), host=settings.host, port=settings.port, log_level="info",
                        http="h11")
        finally:
            store.close()
        return 0

    return run


@command("template", "write the administrators' XLSX template (empty, or filled from a network with --network)")
def _template(parser: argparse.ArgumentParser) -> Command:
    parser.add_argument("output", help="the .xlsx file to write")
    parser.add_argument("--network", help="fill it with the institutions of this RDF file (e.g. data/sample-network.ttl)")

    def run(args: argparse.Namespace) -> int:
        from pathlib import Path

        from ..sheets.template import round_trip_difference, write_spreadsheet, write_template

        output = Path(args.output)
        if output.suffix.lower() != ".xlsx":
            raise UserError(f"the template is an .xlsx file, not {output.name}")
        if not args.network:
            write_template(output)
            progress(f"wrote the empty template {output}")
            return 0
        graph = _read_rdf(args.network)
        count = write_spreadsheet(graph, output)
        missing, extra = round_trip_difference(graph, output)
        progress(f"wrote {count} institutions to {output}")
        if len(missing) or len(extra):
            progress(f"the spreadsheet cannot carry {len(missing)} triples of the network "
                     f"(and adds {len(extra)}); see docs/spreadsheet.md")
        return 0

    return run


@command("import", "convert an administrators' spreadsheet (XLSX template or CSV) to RDF; "
                   "exit 1 and write nothing if a row is bad")
def _import(parser: argparse.ArgumentParser) -> Command:
    parser.add_argument("file", help="the .xlsx template or a .csv of institutions (NAME.offerings.csv beside it is read too)")
    parser.add_argument("-o", "--output", help="RDF file to write (.ttl, .nt, .jsonld); default: Turtle on standard output")
    parser.add_argument("--skip-bad-rows", action="store_true", help="leave bad rows out, report them, and write the rest")
    parser.add_argument("--lang", choices=("zh", "en"), help="language of the problem report (default: both)")

    def run(args: argparse.Namespace) -> int:
        from pathlib import Path

        from rdflib.util import guess_format

        from ..sheets.ingest import SpreadsheetError, SpreadsheetUnreadable, import_spreadsheet

        fmt = guess_format(args.output) if args.output else "turtle"
        if fmt is None:
            raise UserError(f"cannot tell the RDF format of {args.output} (use .ttl, .nt or .jsonld)")

        def report(problems) -> None:
            for problem in problems:
                reason = {"zh": problem.zh, "en": problem.en}.get(args.lang, f"{problem.zh} / {problem.en}")
                print(f"{problem.where}: {reason}", file=sys.stderr)

        try:
            result = import_spreadsheet(Path(args.file), skip_bad_rows=args.skip_bad_rows)
        except SpreadsheetUnreadable as error:
            report(error.problems)
            return 2
        except SpreadsheetError as error:
            report(error.problems)
            progress(f"{len(error.problems)} problems; nothing written")
            return 1
        report(result.problems)
        text = result.graph.serialize(format=fmt)
        if args.output:
            Path(args.output).write_text(text, encoding="utf-8")
        else:
            sys.stdout.write(text)
        skipped = f"; skipped {len(result.skipped)} bad rows: " + ", ".join(
            f"{sheet} {row}" for sheet, row in result.skipped) if result.skipped else ""
        progress(f"{result.institutions} institutions, {result.offerings} offerings, {len(result.graph)} triples"
                 + (f" → {args.output}" if args.output else "") + skipped)
        return 0

    return run


def _read_rdf(path: str):
    """An RDF file as an rdflib graph; a parse error is the user's to fix (exit 2)."""
    from rdflib import Graph

    graph = Graph()
    try:
        graph.parse(path)
    except FileNotFoundError:
        raise UserError(f"no such file: {path}") from None
    except Exception as error:  # rdflib raises many parser-specific types; all mean "bad input file"
        raise UserError(f"cannot read {path} as RDF: {error}") from None
    return graph


@command("match", "find institutions near a place that offer a service, nearest first "
                  "(embedded store with the sample network by default)")
def _match(parser: argparse.ArgumentParser) -> Command:
    parser.add_argument("text", nargs="?", help="the service or a whole question, e.g. 侵权分析 or "
                                               "'where in Harbin can I get an FTO search'")
    parser.add_argument("--service", help="service concept IRI(s) or notation(s), comma-separated")
    parser.add_argument("--near", help="place name or GB/T 2260 code (哈尔滨, 道里区, Harbin, 230102)")
    parser.add_argument("--lat", type=float, help="latitude (WGS84)")
    parser.add_argument("--lon", type=float, help="longitude (WGS84)")
    parser.add_argument("--radius-km", type=float, help="only institutions within this distance")
    parser.add_argument("--kind", help="institution kind (TISC, outlet, node, tisc, …)")
    parser.add_argument("--ip-type", help="IP type (patent, trademark, …)")
    parser.add_argument("--channel", help="channel (phone, web, window, onsite)")
    parser.add_argument("--free", action="store_true", help="only free offerings (6.1)")
    parser.add_argument("--limit", type=int, default=10, help="how many results (default 10, at most 100)")
    parser.add_argument("--offset", type=int, default=0, help="results to skip")
    parser.add_argument("--json", action="store_true", help="print the /api/match JSON answer instead of a table")
    parser.add_argument("--lang", choices=("zh", "en"), default="zh", help="language of labels and messages")
    parser.add_argument("--data-dir", help="folder of the on-disk store (as for serve)")
    parser.add_argument("--in-memory", action="store_true", help="use a fresh in-memory store with the sample "
                                                                 "network (e.g. while serve holds the on-disk one)")

    def run(args: argparse.Namespace) -> int:
        import json

        from ..matching.matcher import Matcher
        from ..matching.understanding import MatchInputError
        from ..store.seed import open_embedded
        from .match_text import table

        settings = Settings.from_env(data_dir=args.data_dir)
        try:
            store = open_embedded(None if args.in_memory else settings.data_dir / "store", progress=progress)
        except OSError as error:
            raise UserError(f"cannot open the store under {settings.data_dir} ({error}); is `ipgraph serve` "
                            "using it? Try --in-memory") from error
        try:
            matcher = Matcher(store)
            result = matcher.match(args.text, service=args.service, near=args.near, lat=args.lat, lon=args.lon,
                                   radius_km=args.radius_km, kind=args.kind, ip_type=args.ip_type,
                                   channel=args.channel, free=args.free, limit=args.limit, offset=args.offset)
        except MatchInputError as error:
            hints = [s.get("label_" + args.lang) or s.get("path_" + args.lang) or s.get("adcode") or s.get("iri")
                     for s in error.suggestions + error.candidates]
            raise UserError((error.zh if args.lang == "zh" else error.en)
                            + (f" [{error.field}]" if error.field else "")
                            + ("".join(f"\n  - {h}" for h in hints if h))) from error
        finally:
            store.close()
        answer = matcher.result_json(result, args.lang)
        print(json.dumps(answer, ensure_ascii=False, indent=2) if args.json else table(answer, args.lang))
        return 0

    return run


@command("validate", "check network data against the SHACL shapes; report by institution and clause "
                     "(exit 0 no Violation, 1 Violation, 2 unreadable input)")
def _validate(parser: argparse.ArgumentParser) -> Command:
    parser.add_argument("paths", nargs="+", metavar="PATH",
                        help="Turtle, N-Triples, JSON-LD (…) or the spreadsheet template (.xlsx/.csv)")
    parser.add_argument("--format", choices=("text", "json", "turtle"), default="text", help="report format")
    parser.add_argument("--lang", choices=("zh", "en"), default="zh", help="language of the messages")
    parser.add_argument("--strict", action="store_true", help="warnings count as failures too (exit 1)")
    parser.add_argument("--engine", choices=("compiled", "pyshacl"), default="compiled",
                        help="compiled: the shapes compiled to SPARQL, run in an in-memory store (fast, the "
                             "default); pyshacl: the reference engine (same findings, much slower)")

    def run(args: argparse.Namespace) -> int:
        import json
        from pathlib import Path

        from ..validation.reference import InputError, read_inputs, validate

        try:
            data = read_inputs([Path(p) for p in args.paths])
        except InputError as error:
            message = error.zh if args.lang == "zh" else error.message
            raise UserError(error.where() + message) from None
        progress(f"validating {len(data)} triples against the shapes ({args.engine} engine)")
        if args.engine == "compiled":
            from ..validation.compiled import validate_graph

            report = validate_graph(data, progress=progress)
        else:
            report = validate(data)
        if args.format == "json":
            print(json.dumps(report.to_json(args.lang), ensure_ascii=False, indent=2))
        elif args.format == "turtle":
            print(report.to_turtle())
        else:
            print(report.to_text(args.lang), end="")
        return 1 if report.failed(strict=args.strict) else 0

    return run


@command("load", "push the ontology, schemes, regions, shapes and a network (the sample network unless "
                 "FILES are given) into a remote SPARQL store; each institution replaces its own graph")
def _load(parser: argparse.ArgumentParser) -> Command:
    parser.add_argument("files", nargs="*", metavar="FILE", help="network documents (Turtle, N-Triples, JSON-LD …)")
    parser.add_argument("--no-reference", action="store_true",
                        help="push only the network, not the ontology, schemes, regions and shapes")
    _remote_arguments(parser)

    def run(args: argparse.Namespace) -> int:
        from pathlib import Path

        from rdflib import Graph

        from ..store.embedded import BadData, StoreError
        from ..store.seed import SAMPLE_NETWORK, load_network, reference_files

        settings = Settings.from_env(**_remote_settings(args))
        if not settings.sparql_endpoint:
            raise UserError("say where to load: --sparql-endpoint URL (or IPGRAPH_SPARQL_ENDPOINT)")
        networks = [Path(f) for f in args.files] or [SAMPLE_NETWORK]
        for path in networks:
            if not path.is_file():
                raise UserError(f"no such file: {path}")
        store = _open_remote(settings, wait=False)
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


def _remote_arguments(parser: argparse.ArgumentParser) -> None:
    """The options that point ipgraph at a remote SPARQL 1.1 store (docs/remote-store.md)."""
    parser.add_argument("--sparql-endpoint", metavar="URL", help="remote SPARQL query endpoint instead of the "
                        "embedded store (IPGRAPH_SPARQL_ENDPOINT)")
    parser.add_argument("--update-endpoint", metavar="URL", help="its update endpoint, when not the same URL "
                        "(IPGRAPH_SPARQL_UPDATE_ENDPOINT)")
    parser.add_argument("--sparql-user", help="user name for the endpoint (IPGRAPH_SPARQL_USER)")
    parser.add_argument("--sparql-password", help="password; prefer IPGRAPH_SPARQL_PASSWORD, which other users "
                        "cannot see in the process list")
    parser.add_argument("--sparql-auth", choices=("basic", "digest"), help="HTTP authentication (default basic; "
                        "Virtuoso's /sparql-auth uses digest)")


def _remote_settings(args: argparse.Namespace) -> dict:
    return {"sparql_endpoint": args.sparql_endpoint, "sparql_update_endpoint": args.update_endpoint,
            "sparql_user": args.sparql_user, "sparql_password": args.sparql_password,
            "sparql_auth": args.sparql_auth}


def _open_remote(settings: Settings, *, wait: bool):
    """The remote store; with ``wait``, keep trying until the engine answers (serve), else fail fast (load)."""
    import time

    from ..store.embedded import StoreUnavailable
    from ..store.remote import RemoteStore

    store = RemoteStore.from_settings(settings)
    progress(f"store: {settings.sparql_endpoint}" + (f" (updates: {settings.sparql_update_endpoint})"
                                                     if settings.sparql_update_endpoint else ""))
    while True:
        try:
            store.graph_names()
            return store
        except StoreUnavailable as error:
            if not wait:
                raise UserError(str(error)) from None
            progress(f"{error}; trying again in 5 s")
            time.sleep(5)


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
        store = _open_existing(EmbeddedStore, settings)
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
        from ..store.embedded import BadData, EmbeddedStore

        if not Path(args.file).is_file():
            raise UserError(f"no such file: {args.file}")
        settings = Settings.from_env(data_dir=args.data_dir)
        store = _open_existing(EmbeddedStore, settings)
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


def _open_existing(store_class, settings: Settings):
    """The on-disk store, or a clean message when `ipgraph serve` holds it."""
    try:
        return store_class(settings.data_dir / "store")
    except OSError as error:
        raise UserError(f"cannot open the store under {settings.data_dir} ({error}); stop `ipgraph serve` "
                        "first") from None


@command("bench", "run a benchmark of a checkout's bench/ folder: `ipgraph bench match|validate [--sizes …]` "
                  "(matching and validation at national scale; see README, Performance)")
def _bench(parser: argparse.ArgumentParser) -> Command:
    parser.add_argument("name", choices=["match", "validate"], help="which benchmark (bench/NAME.py)")
    parser.add_argument("options", nargs=argparse.REMAINDER, help="passed on to bench/NAME.py (try --help)")

    def run(args: argparse.Namespace) -> int:
        import importlib.util

        from ..paths import HOME

        script = HOME / "bench" / f"{args.name}.py"
        if not script.is_file():
            raise UserError(f"{script} not found: benchmarks run from a checkout of ipgraph (or set IPGRAPH_HOME)")
        spec = importlib.util.spec_from_file_location(f"ipgraph_bench_{args.name}", script)
        module = importlib.util.module_from_spec(spec)
        sys.modules[spec.name] = module
        spec.loader.exec_module(module)
        return module.main(args.options)

    return run


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
