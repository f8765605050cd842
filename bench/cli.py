#!/usr/bin/env python3
"""Benchmark: the command line's whole process (``ipgraph validate``, ``import``, ``load``) on a 40× copy of the
sample network, against the floor — what pyoxigraph alone takes on the same file — measured in the same run.

The 40× copy is ``data/sample-network.ttl`` forty times over, every institution's IRI (and every IRI under it)
renamed per copy (``…/institution/KEY-cN``); administrations, regions and concepts stay shared, so the copy is a
network of 2,520 institutions that validates like the sample. Its spreadsheet (the filled template of the same
network, for ``ipgraph import``) is written once by ``ipgraph template --network``. Both are kept in
``bench/data/``.

Every measurement is a fresh process, timed from start to exit (Python's start-up included on both sides), its
peak memory read from the kernel (``os.wait4``):

* **floor: parse** — ``pyoxigraph.parse`` of the file, every quad read;
* **floor: load** — ``pyoxigraph.Store().load`` of the file (parse and index, in memory; what any check needs),
  and into an on-disk store (what ``ipgraph load`` needs);
* **validate** — ``ipgraph validate FILE --format json`` (against the reference context);
* **before** — what ``ipgraph validate`` did before (the file read into an rdflib graph, then the compiled
  engine), to show the findings are the same: compared as (focus, shape, severity, path, value) sets;
* **import** — ``ipgraph import FILE.xlsx -o OUT.ttl`` (its floors: parsing the Turtle it writes, and loading it
  into an in-memory store);
* **load** — ``ipgraph load FILE --replace --data-dir D`` into a store seeded beforehand (not timed).

Each is run ``--repeat`` times (default 3) in turn and the median is reported; the ratios are medians of the
per-round ratios, each against the floor measured in the same round. Writes ``bench/results/cli-<time>.json``
and ``bench/results/cli-latest.json`` and prints a Markdown table (the README's Performance section).

Usage: ``python bench/cli.py [--copies 40] [--repeat 3] [--skip before,import]``
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "bench" / "data"
RESULTS = ROOT / "bench" / "results"
SAMPLE = ROOT / "data" / "sample-network.ttl"
INSTITUTION = re.compile(r"(https://w3id\.org/ipgraph/id/institution/[A-Za-z0-9._-]+?)([/>])")


def progress(message: str) -> None:
    print(f"[bench cli] {message}", file=sys.stderr, flush=True)


def copies_file(copies: int) -> Path:
    """The sample network ``copies`` times, institutions renamed per copy (made once)."""
    path = DATA / f"sample-{copies}x.ttl"
    if not path.exists():
        DATA.mkdir(parents=True, exist_ok=True)
        head, _, body = SAMPLE.read_text(encoding="utf-8").partition("\n\n<")
        parts = [head] + [INSTITUTION.sub(lambda m, n=n: f"{m.group(1)}-c{n}{m.group(2)}", "<" + body)
                          for n in range(copies)]
        path.write_text("\n\n".join(parts), encoding="utf-8")
    return path


def ipgraph() -> list[str]:
    """The ``ipgraph`` command as users run it (its console script: jemalloc where the machine has it)."""
    script = Path(sys.executable).with_name("ipgraph")
    return [str(script)] if script.exists() else [sys.executable, "-m", "ipgraph"]


def run(command: list[str], *, stdout=None) -> dict:
    """Run to the end; wall seconds, peak RSS (MiB) and exit code."""
    started = time.perf_counter()
    process = subprocess.Popen(command, stdout=stdout or subprocess.DEVNULL, stderr=subprocess.PIPE, cwd=ROOT)
    _, status, usage = os.wait4(process.pid, 0)
    seconds = time.perf_counter() - started
    error = process.stderr.read().decode(errors="replace")
    process.stderr.close()
    code = os.waitstatus_to_exitcode(status)
    return {"seconds": round(seconds, 3), "peak_mib": round(usage.ru_maxrss / 1024, 1), "exit": code,
            "stderr_tail": error.strip().splitlines()[-2:]}


def python(code: str, *args: str) -> list[str]:
    return [sys.executable, "-c", code, *args]


PARSE = "import sys, pyoxigraph as ox; sum(1 for _ in ox.parse(path=sys.argv[1], format=ox.RdfFormat.TURTLE))"
LOAD = ("import sys, pyoxigraph as ox; s = ox.Store(sys.argv[2]) if len(sys.argv) > 2 else ox.Store(); "
        "s.load(path=sys.argv[1], format=ox.RdfFormat.TURTLE, to_graph=ox.NamedNode('urn:x')); s.flush() "
        "if len(sys.argv) > 2 else None")
BEFORE = ("import json, sys; from pathlib import Path; from ipgraph.sheets.inputs import read_inputs; "
          "from ipgraph.validation.compiled import validate_graph; "
          "print(json.dumps(validate_graph(read_inputs([Path(sys.argv[1])])).to_json('zh'), ensure_ascii=False))")


def finding_keys(path: Path) -> set[tuple]:
    report = json.loads(path.read_text(encoding="utf-8"))
    return {(r["focus"], r["shape"], r["severity"], r["path"], r["value"])
            for i in report["institutions"] for c in i["clauses"] for r in c["results"]}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--copies", type=int, default=40)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--skip", default="", help="comma-separated: before, import, load")
    args = parser.parse_args()
    skip = set(filter(None, args.skip.split(",")))
    network = copies_file(args.copies)
    size_mb = network.stat().st_size / 1e6
    progress(f"{network.name}: {size_mb:.1f} MB")
    work = Path(tempfile.mkdtemp(prefix="ipgraph-bench-cli-"))
    sheet = DATA / f"sample-{args.copies}x.xlsx"
    try:
        if "import" not in skip and not sheet.exists():
            progress("writing the filled template of the network (once)")
            made = run([*ipgraph(), "template", str(sheet), "--network", str(network)])
            assert made["exit"] == 0, made
        rounds = []
        for number in range(1, args.repeat + 1):
            progress(f"round {number}/{args.repeat}")
            one: dict[str, dict] = {}
            one["floor_parse"] = run(python(PARSE, str(network)))
            one["floor_load_memory"] = run(python(LOAD, str(network)))
            with (work / "validate.json").open("wb") as out:
                one["validate"] = run([*ipgraph(), "validate", str(network), "--format", "json"], stdout=out)
            if "load" not in skip:
                disk = work / f"floor-store-{number}"
                one["floor_load_disk"] = run(python(LOAD, str(network), str(disk)))
                shutil.rmtree(disk, ignore_errors=True)
                data_dir = work / f"data-{number}"
                seeded = run([*ipgraph(), "load", str(SAMPLE), "--data-dir", str(data_dir)])
                assert seeded["exit"] == 0, seeded
                one["load"] = run([*ipgraph(), "load", str(network), "--replace", "--data-dir", str(data_dir)])
                shutil.rmtree(data_dir, ignore_errors=True)
            if "import" not in skip:
                output = work / "imported.ttl"
                one["import"] = run([*ipgraph(), "import", str(sheet), "-o", str(output)])
                one["floor_parse_import_output"] = run(python(PARSE, str(output)))
                one["floor_load_import_output"] = run(python(LOAD, str(output)))
            if "before" not in skip and number == 1:
                with (work / "before.json").open("wb") as out:
                    one["before"] = run(python(BEFORE, str(network)), stdout=out)
                one["same_findings_as_before"] = {"value": finding_keys(work / "before.json")
                                                  == finding_keys(work / "validate.json")}
            for name, measured in one.items():
                if "seconds" in measured:
                    progress(f"  {name}: {measured['seconds']:.2f} s, {measured['peak_mib']:.0f} MiB, exit "
                             f"{measured['exit']}")
            rounds.append(one)
        result = summarise(rounds, network, size_mb, args)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    stamp = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%S")
    RESULTS.mkdir(parents=True, exist_ok=True)
    for name in (f"cli-{stamp}.json", "cli-latest.json"):
        (RESULTS / name).write_text(json.dumps(result, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    print(table(result))
    return 0


def summarise(rounds: list[dict], network: Path, size_mb: float, args) -> dict:
    def median(name: str, key: str) -> float | None:
        values = [r[name][key] for r in rounds if name in r]
        return round(statistics.median(values), 3) if values else None

    def ratio(name: str, floor: str) -> float | None:
        values = [r[name]["seconds"] / r[floor]["seconds"] for r in rounds if name in r and floor in r]
        return round(statistics.median(values), 2) if values else None

    names = sorted({name for r in rounds for name, m in r.items() if "seconds" in m})
    same = [r["same_findings_as_before"]["value"] for r in rounds if "same_findings_as_before" in r]
    return {
        "file": str(network.relative_to(ROOT)), "megabytes": round(size_mb, 1), "copies": args.copies,
        "rounds": len(rounds), "cpus": os.cpu_count(), "load_average": os.getloadavg(),
        "median": {name: {"seconds": median(name, "seconds"), "peak_mib": median(name, "peak_mib")} for name in names},
        "ratios": {"validate / parse": ratio("validate", "floor_parse"),
                   "validate / load in memory": ratio("validate", "floor_load_memory"),
                   "load / parse": ratio("load", "floor_parse"),
                   "load / load on disk": ratio("load", "floor_load_disk"),
                   "import / parse of its output": ratio("import", "floor_parse_import_output"),
                   "import / load of its output": ratio("import", "floor_load_import_output")},
        "same_findings_as_before": same[0] if same else None,
        "exits": {name: sorted({r[name]["exit"] for r in rounds if name in r}) for name in names},
        "all_rounds": rounds,
    }


def table(result: dict) -> str:
    m, r = result["median"], result["ratios"]
    rows = [("pyoxigraph parse (floor)", "floor_parse", None),
            ("pyoxigraph load, in memory", "floor_load_memory", None),
            ("pyoxigraph load, on disk", "floor_load_disk", None),
            ("`ipgraph validate`", "validate", f"{r['validate / parse']}× parse, {r['validate / load in memory']}× load"),
            ("`ipgraph load --replace`", "load", f"{r['load / parse']}× parse, {r['load / load on disk']}× load on disk"),
            ("`ipgraph import` (40× spreadsheet)", "import", f"{r['import / parse of its output']}× parse of its output, "
                                                             f"{r['import / load of its output']}× load of it"),
            ("before: rdflib graph + compiled engine", "before", None)]
    lines = [f"{result['file']} ({result['megabytes']} MB), median of {result['rounds']} rounds, "
             f"{result['cpus']} CPUs, load average {result['load_average'][0]:.1f}; same findings as before: "
             f"{result['same_findings_as_before']}", "",
             "| step | seconds | peak RSS (MiB) | ratio to the floor |", "|---|---|---|---|"]
    for label, name, note in rows:
        if name in m:
            lines.append(f"| {label} | {m[name]['seconds']:.2f} | {m[name]['peak_mib']:.0f} | {note or ''} |")
    return "\n".join(lines)


if __name__ == "__main__":
    sys.exit(main())
