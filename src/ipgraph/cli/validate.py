"""``ipgraph validate``: network data (RDF or a spreadsheet, turned into a graph here) against the shapes.
"""

from __future__ import annotations

import argparse

from .commands import Command, UserError, command, progress


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

        from ..sheets.inputs import read_inputs
        from ..validation.reference import InputError, validate

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
