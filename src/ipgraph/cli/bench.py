"""``ipgraph bench``: a benchmark of the checkout's ``bench/`` folder, run in this process.
"""

from __future__ import annotations

import argparse
import sys

from .commands import Command, UserError, command


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
