"""``ipgraph template`` and ``ipgraph import``: the administrators' spreadsheet written and read (docs/spreadsheet.md).
"""

from __future__ import annotations

import argparse
import sys

from .commands import Command, UserError, command, progress


@command("template", "write the administrators' XLSX template (empty, or filled from a network with --network)")
def _template(parser: argparse.ArgumentParser) -> Command:
    parser.add_argument("output", help="the .xlsx file to write")
    parser.add_argument("--network", help="fill it with the institutions of this RDF file (e.g. data/sample-network.ttl)")

    def run(args: argparse.Namespace) -> int:
        from pathlib import Path

        from ..sheets.template import round_trip_difference, write_spreadsheet, write_template
        from ..validation.reference import InputError, read_graph

        output = Path(args.output)
        if output.suffix.lower() != ".xlsx":
            raise UserError(f"the template is an .xlsx file, not {output.name}")
        if not args.network:
            write_template(output)
            progress(f"wrote the empty template {output}")
            return 0
        try:
            graph = read_graph(Path(args.network))
        except InputError as error:
            raise UserError(error.where() + error.message) from None
        count = write_spreadsheet(graph, output)
        missing, extra = round_trip_difference(graph, output)
        progress(f"wrote {count} institutions to {output}")
        if len(missing) or len(extra):
            progress(f"the spreadsheet cannot carry {len(missing)} triples of the network "
                     f"(and adds {len(extra)}); see docs/spreadsheet.md")
        return 0

    return run


def _native(fmt: str):
    """pyoxigraph's format for the ones it writes (Turtle, N-Triples); None for the others (JSON-LD, RDF/XML),
    written by rdflib: rdflib's graph and Turtle writer took most of an import of a large list."""
    import pyoxigraph as ox

    return {"turtle": ox.RdfFormat.TURTLE, "nt": ox.RdfFormat.N_TRIPLES, "nt11": ox.RdfFormat.N_TRIPLES}.get(fmt)


@command("import", "convert an administrators' spreadsheet (XLSX template or CSV) to RDF; "
                   "exit 1 and write nothing if a row is bad")
def _import(parser: argparse.ArgumentParser) -> Command:
    parser.add_argument("file", help="the .xlsx template or a .csv of institutions (NAME.offerings.csv beside it is read too)")
    parser.add_argument("-o", "--output", help="RDF file to write (.ttl, .nt, .jsonld); default: Turtle on standard output")
    parser.add_argument("--skip-bad-rows", action="store_true", help="leave bad rows out, report them, and write the rest")
    parser.add_argument("--lang", choices=("zh", "en"), help="language of the problem report (default: both)")

    def run(args: argparse.Namespace) -> int:
        import io
        from pathlib import Path

        from rdflib.util import guess_format

        from ..sheets.ingest import SpreadsheetError, SpreadsheetUnreadable, import_spreadsheet
        from ..sheets.terms import serialize

        fmt = guess_format(args.output) if args.output else "turtle"
        if fmt is None:
            raise UserError(f"cannot tell the RDF format of {args.output} (use .ttl, .nt or .jsonld)")

        def report(problems) -> None:
            for problem in problems:
                reason = {"zh": problem.zh, "en": problem.en}.get(args.lang, f"{problem.zh} / {problem.en}")
                print(f"{problem.where}: {reason}", file=sys.stderr)

        native, body, count = _native(fmt), io.BytesIO(), 0

        def write(triples) -> None:
            """Serialise the triples as the rows are read (pyoxigraph), counting them; kept only if all is well."""

            def counted():
                nonlocal count
                for triple in triples:
                    count += 1
                    yield triple

            serialize(counted(), native, output=body)

        try:
            result = import_spreadsheet(Path(args.file), skip_bad_rows=args.skip_bad_rows,
                                        write=write if native is not None else None)
        except SpreadsheetUnreadable as error:
            report(error.problems)
            return 2
        except SpreadsheetError as error:
            report(error.problems)
            progress(f"{len(error.problems)} problems; nothing written")
            return 1
        report(result.problems)
        if native is None:
            body, count = io.BytesIO(result.graph.serialize(format=fmt, encoding="utf-8")), len(result.graph)
        if args.output:
            Path(args.output).write_bytes(body.getbuffer())
        else:
            sys.stdout.buffer.write(body.getbuffer())
            sys.stdout.flush()
        skipped = f"; skipped {len(result.skipped)} bad rows: " + ", ".join(
            f"{sheet} {row}" for sheet, row in result.skipped) if result.skipped else ""
        progress(f"{result.institutions} institutions, {result.offerings} offerings, {count} triples"
                 + (f" → {args.output}" if args.output else "") + skipped)
        return 0

    return run
