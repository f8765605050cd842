#!/usr/bin/env python3
"""Coverage gaps at provincial and national scale: ``ipgraph.matching.coverage_gaps.compute`` against a
brute-force haversine computation (``brute_force``) and against the floor (SciPy's k-d trees alone), in the
same run.

* **Heilongjiang** — the sample network (``data/sample-network.ttl``, the gazetteer's 121 county-level
  regions) × the whole catalogue (160 concepts, each with its narrower ones), from the match index of a
  seeded in-memory store. Target: under 1 s. Brute force is measured over every cell.
* **National** — ``bench/generate.py``'s network of N institutions (default 100,000) over the 2,838
  county-level regions of ``data/regions-cn.csv`` × the catalogue. The network's statements are read
  straight from the generator (no store: loading 100,000 institutions into pyoxigraph takes ~2 minutes and
  ~8 GB, see ``bench/results/match-latest.json``) into the arrays ``Providers`` holds, saved to a file,
  and the computation runs in a fresh process whose peak RSS is its own (arrays + computation). Targets:
  ≤ 20 s and ≤ 1 GB, identical to brute force on a sample of cells (``--sample`` counties × every concept;
  brute force over all 450,000 cells would take hours, its full time is extrapolated from the sample and
  labelled so).

Prints a table and writes ``bench/results/coverage-{timestamp}.json`` and ``coverage-latest.json``.
Usage: ``python bench/coverage.py [-n 100000] [--seed 0] [--sample 25] [--repeat 3]``.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import platform
import random
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT / "src") not in sys.path:
    sys.path.append(str(ROOT / "src"))
RESULTS = ROOT / "bench" / "results"
ID = "https://w3id.org/ipgraph/id/"
P_LAT = "<http://www.w3.org/2003/01/geo/wgs84_pos#lat>"
P_LONG = "<http://www.w3.org/2003/01/geo/wgs84_pos#long>"
P_OFFERS = "<https://w3id.org/ipgraph/ontology#offers>"
P_CONCEPT = "<https://w3id.org/ipgraph/ontology#serviceConcept>"
P_CHANNEL = "<http://data.europa.eu/m8g/hasChannel>"
P_TYPE = "<http://purl.org/dc/terms/type>"


def _rss_mb() -> float:
    """This process's peak resident memory (MB): ``VmHWM``, which starts afresh at exec — ``ru_maxrss`` would
    also count the parent's memory at the fork."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def floor_seconds(providers, catalog, regions, services) -> float:
    """What SciPy alone takes for the same work: per distinct provider set, build the tree, query the two
    nearest and count twice within the radius (no masks, no bookkeeping)."""
    import numpy as np
    from scipy.spatial import cKDTree

    from ipgraph.matching.coverage_gaps import offered_matrix, unit_vectors

    located = ~np.isnan(providers.lat)
    sets = {m.tobytes(): m for m in (np.flatnonzero(row & located) for row in
                                     offered_matrix(providers, catalog, services, providers.in_person)) if len(m)}
    points = unit_vectors(providers.lat, providers.lon)
    seats = unit_vectors(np.array([r.lat for r in regions]), np.array([r.lon for r in regions]))
    chord = 2 * np.sin(50 / (2 * 6371.0088))
    started = time.perf_counter()
    for members in sets.values():
        tree = cKDTree(points[members])
        tree.query(seats, k=min(2, len(members)))
        tree.query_ball_point(seats, chord * (1 - 1e-9), return_length=True)
        tree.query_ball_point(seats, chord * (1 + 1e-9), return_length=True)
    return time.perf_counter() - started


def timed(function, repeat: int):
    times, result = [], None
    for _ in range(repeat):
        started = time.perf_counter()
        result = function()
        times.append(time.perf_counter() - started)
    return result, statistics.median(times), times


def equal(a, b, rows=None) -> bool:
    import numpy as np
    pick = (lambda x: x) if rows is None else (lambda x: x[rows])
    return all(np.array_equal(pick(getattr(a, k)), getattr(b, k)) for k in ("nearest_km", "nearest", "within"))


def heilongjiang(repeat: int) -> dict:
    from ipgraph.matching import coverage_report
    from ipgraph.matching.coverage_gaps import basic_services, brute_force, compute, county_regions
    from ipgraph.matching.matcher import Matcher
    from ipgraph.store.seed import open_embedded

    store = open_embedded(None)
    matcher = Matcher(store)
    catalog = matcher.vocabulary.services
    regions = county_regions(matcher.vocabulary.gazetteer)
    started = time.perf_counter()
    providers = coverage_report.providers_of(matcher)  # channel masks read from the store once
    providers_seconds = time.perf_counter() - started
    table, seconds, runs = timed(lambda: compute(providers, catalog, regions), repeat)
    reference, brute_seconds, _ = timed(lambda: brute_force(providers, catalog, regions, table.services), 1)
    basic = basic_services(catalog)
    store.close()
    return {"institutions": len(providers.iris), "regions": len(regions), "services": len(table.services),
            "cells": len(regions) * len(table.services), "providers_seconds": round(providers_seconds, 4),
            "compute_seconds": round(seconds, 4), "compute_runs": [round(t, 4) for t in runs],
            "brute_force_seconds": round(brute_seconds, 4),
            "floor_seconds": round(floor_seconds(providers, catalog, regions, table.services), 4),
            "identical_to_brute_force": equal(table, reference), "cells_compared": table.nearest.size,
            "gaps_basic_50km": len(table.gaps(basic, 50.0)), "target_seconds": 1.0}


def read_network(n: int, seed: int, out: Path) -> dict:
    """The generator's statements → the arrays of ``Providers`` (saved as ``out``, .npz)."""
    import numpy as np
    sys.path.insert(0, str(ROOT / "bench"))
    from generate import lines

    started = time.perf_counter()
    lat, lon, offers, concept, channel, channel_type = {}, {}, [], {}, [], {}
    prefix = f"<{ID}institution/"
    for line in lines(n, seed):
        s, p, rest = line.split(" ", 2)
        if p == P_LAT and s.startswith(prefix):
            lat[s] = float(rest.split('"', 2)[1])
        elif p == P_LONG and s.startswith(prefix):
            lon[s] = float(rest.split('"', 2)[1])
        elif p == P_OFFERS:
            offers.append((s, rest[:-3]))
        elif p == P_CONCEPT:
            concept[s] = rest[1:-4]
        elif p == P_CHANNEL:
            channel.append((s, rest[:-3]))
        elif p == P_TYPE and rest.startswith(f"<{ID}channel/"):
            channel_type[s] = rest[1:-4]
    iris = sorted(set(lat) | {s for s, _ in offers})
    position = {iri: i for i, iri in enumerate(iris)}
    concepts = sorted(set(concept.values()))
    concept_id = {c: i for i, c in enumerate(concepts)}
    rows = {o: k for k, (_, o) in enumerate(offers)}
    types_of = [set() for _ in offers]
    for o, ch in channel:
        types_of[rows[o]].add(channel_type.get(ch, ""))
    in_person_types, remote_types = {f"{ID}channel/window", f"{ID}channel/onsite"}, {f"{ID}channel/phone",
                                                                                        f"{ID}channel/web"}
    np.savez(out, iris=np.array(iris), lat=np.array([lat.get(i, np.nan) for i in iris]),
             lon=np.array([lon.get(i, np.nan) for i in iris]),
             row_inst=np.array([position[s] for s, _ in offers], dtype=np.int32),
             row_concept=np.array([concept_id[concept[o]] for _, o in offers], dtype=np.int32),
             in_person=np.array([bool(t & in_person_types) for t in types_of]),
             remote=np.array([bool(t & remote_types) for t in types_of]), concepts=np.array(concepts))
    return {"institutions": len(iris), "offering_rows": len(offers), "read_seconds": round(time.perf_counter() - started, 1)}


def national_measure(path: Path, sample: int, seed: int, repeat: int) -> dict:
    """In a fresh process: load the arrays, compute the whole table, compare a sample with brute force."""
    import numpy as np

    from ipgraph.matching.coverage_gaps import Providers, basic_services, brute_force, compute
    from ipgraph.model.catalog import SERVICES
    from ipgraph.model.places import Region
    from ipgraph.store.embedded import EmbeddedStore
    from ipgraph.store.seed import reference_files
    from ipgraph.store.vocabularies import load_catalog
    from ipgraph.model.iris import ONTOLOGY_GRAPH, SCHEMES_GRAPH

    reference = EmbeddedStore()
    for graph in (ONTOLOGY_GRAPH, SCHEMES_GRAPH):
        for file in reference_files()[graph]:
            reference.load(file, graph=graph)
    catalog = load_catalog(reference, SERVICES)
    reference.close()
    with (ROOT / "data" / "regions-cn.csv").open(encoding="utf-8", newline="") as handle:
        regions = sorted((Region(f"{ID}region/{r['adcode']}", r["adcode"], {"zh": r["name"]}, "county",
                                 f"{ID}region/{r['parent_adcode']}", float(r["lat"]), float(r["lon"]))
                          for r in csv.DictReader(handle) if r["level"] == "county"), key=lambda r: r.adcode)
    data = np.load(path)
    providers = Providers(data["iris"].tolist(), data["lat"], data["lon"], data["row_inst"], data["row_concept"],
                          data["in_person"], data["remote"], data["concepts"].tolist())
    rss_before = _rss_mb()  # the interpreter, NumPy/SciPy/pyoxigraph, the catalogue and the arrays
    table, seconds, runs = timed(lambda: compute(providers, catalog, regions), repeat)
    rss_compute = _rss_mb()  # the peak with the computation (before the brute-force checks)
    rows = sorted(random.Random(seed).sample(range(len(regions)), sample))
    check, brute_seconds, _ = timed(lambda: brute_force(providers, catalog, [regions[r] for r in rows],
                                                        table.services), 1)
    basic = basic_services(catalog)
    basic_check, basic_seconds, _ = timed(lambda: brute_force(providers, catalog, regions, basic), 1)
    gaps_equal = table.gaps(basic, 50.0) == [(r, table.column(basic[c])) for r, c in basic_check.gaps(basic, 50.0)]
    return {"regions": len(regions), "services": len(table.services), "cells": table.nearest.size,
            "compute_seconds": round(seconds, 3), "compute_runs": [round(t, 3) for t in runs],
            "peak_rss_mb_before_compute": round(rss_before, 1), "peak_rss_mb": round(rss_compute, 1),
            "floor_seconds": round(floor_seconds(providers, catalog, regions, table.services), 3),
            "sample_regions": sample, "cells_compared": len(rows) * len(table.services),
            "identical_to_brute_force_on_sample": equal(table, check, rows),
            "brute_force_sample_seconds": round(brute_seconds, 3),
            "brute_force_all_cells_seconds_extrapolated": round(brute_seconds * len(regions) / sample, 1),
            "basic_services_all_counties_brute_force_seconds": round(basic_seconds, 3),
            "gap_list_basic_50km_identical_to_brute_force": gaps_equal,
            "gaps_basic_50km": len(table.gaps(basic, 50.0)), "target_seconds": 20.0, "target_rss_mb": 1024}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("-n", type=int, default=100_000, help="institutions of the national network")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--sample", type=int, default=25, help="counties compared with brute force (× every concept)")
    parser.add_argument("--repeat", type=int, default=3, help="runs of each timed computation (median reported)")
    parser.add_argument("--measure", help=argparse.SUPPRESS)  # internal: the fresh process's arrays file
    args = parser.parse_args(argv)
    if args.measure:
        print(json.dumps(national_measure(Path(args.measure), args.sample, args.seed, args.repeat)))
        return 0
    started_at = datetime.now(timezone.utc)
    result = {"benchmark": "coverage", "when": started_at.isoformat(timespec="seconds"),
              "machine": {"cpus": os.cpu_count(), "python": platform.python_version(),
                          "load_average_at_start": os.getloadavg()}}
    print("Heilongjiang (sample network) …", file=sys.stderr, flush=True)
    result["heilongjiang"] = heilongjiang(max(args.repeat, 5))
    with tempfile.TemporaryDirectory() as work:
        arrays = Path(work) / "providers.npz"
        print(f"national: generating and reading {args.n} institutions …", file=sys.stderr, flush=True)
        read = read_network(args.n, args.seed, arrays)
        print("national: computing in a fresh process …", file=sys.stderr, flush=True)
        measured = subprocess.run([sys.executable, __file__, "--measure", str(arrays), "--sample", str(args.sample),
                                   "--seed", str(args.seed), "--repeat", str(args.repeat)],
                                  check=True, capture_output=True, text=True)
        result["national"] = {"n": args.n, "seed": args.seed, **read, **json.loads(measured.stdout)}
    result["machine"]["load_average_at_end"] = os.getloadavg()
    h, national = result["heilongjiang"], result["national"]
    print(f"Heilongjiang: {h['regions']} counties × {h['services']} concepts: {h['compute_seconds']:.3f} s "
          f"(brute force {h['brute_force_seconds']:.3f} s, floor {h['floor_seconds']:.3f} s), "
          f"identical: {h['identical_to_brute_force']}")
    print(f"national: {national['regions']} × {national['services']} at {national['institutions']} institutions: "
          f"{national['compute_seconds']:.2f} s, peak RSS {national['peak_rss_mb']:.0f} MB (floor "
          f"{national['floor_seconds']:.2f} s; brute force on {national['cells_compared']} cells "
          f"{national['brute_force_sample_seconds']:.1f} s, all cells ≈ "
          f"{national['brute_force_all_cells_seconds_extrapolated']:.0f} s), identical on the sample: "
          f"{national['identical_to_brute_force_on_sample']}, gap list identical: "
          f"{national['gap_list_basic_50km_identical_to_brute_force']}")
    RESULTS.mkdir(parents=True, exist_ok=True)
    text = json.dumps(result, indent=1, ensure_ascii=False)
    (RESULTS / f"coverage-{started_at.strftime('%Y%m%dT%H%M%S')}.json").write_text(text, encoding="utf-8")
    (RESULTS / "coverage-latest.json").write_text(text, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
