"""``ipgraph coverage``: coverage gaps from the terminal — counties with no in-person provider of a service
within a distance — as a Markdown table, CSV or the ``/api/coverage`` JSON.

(The clause-coverage table of the shapes is another thing: ``python -m ipgraph.validation.coverage``.)
"""

from __future__ import annotations

import argparse

from .commands import Command, UserError, command, open_local


@command("coverage", "coverage gaps: counties far from an in-person provider of each basic service (6.1) or of "
                     "--service (embedded store with the sample network by default)")
def _coverage(parser: argparse.ArgumentParser) -> Command:
    parser.add_argument("--service", help="service notation(s), IRI(s) or label(s), comma-separated "
                                          "(default: the items of 6.1)")
    parser.add_argument("--max-km", type=float, default=None, help="distance beyond which a county is a gap, "
                                                                     "and the radius providers are counted in "
                                                                     "(default 50)")
    parser.add_argument("--region", help="only counties in this region (place name or GB/T 2260 code)")
    parser.add_argument("--format", choices=("md", "csv", "json"), default="md",
                        help="md: the gap list as a table (default); csv: every county × service; json: the "
                             "/api/coverage answer")
    parser.add_argument("--population", metavar="CSV", help="a cited population table (adcode,population,source) "
                                                            "to weight the gaps by; ipgraph ships none")
    parser.add_argument("--lang", choices=("zh", "en"), default="zh", help="language of labels and messages")
    parser.add_argument("--data-dir", help="folder of the on-disk store (as for serve)")
    parser.add_argument("--in-memory", action="store_true", help="use a fresh in-memory store with the sample "
                                                                 "network (e.g. while serve holds the on-disk one)")

    def run(args: argparse.Namespace) -> int:
        import json

        from ..matching import coverage_report
        from ..matching.coverage_gaps import PopulationError, read_population
        from ..matching.matcher import Matcher
        from ..matching.understanding import MatchInputError
        from ..web.coverage import to_csv

        population = None
        if args.population:
            try:
                population = read_population(args.population)
            except OSError as error:
                raise UserError(f"cannot read {args.population}: {error}") from None
            except PopulationError as error:
                raise UserError(f"{args.population}: {error.zh} / {error.en}") from None
        store = open_local(args.data_dir, args.in_memory)
        try:
            matcher = Matcher(store)
            try:
                asked = coverage_report.understand(matcher, args.service, args.max_km, args.region)
            except MatchInputError as error:
                raise UserError(f"{error.zh} / {error.en} [{error.field}]") from error
            table = coverage_report.table_for(matcher, radius_km=asked.max_km)
            if population is not None:
                table.population, table.population_source = population
            body = coverage_report.report(matcher, table, asked, args.lang)
        finally:
            store.close()
        if args.format == "json":
            print(json.dumps(body, ensure_ascii=False, indent=2))
        elif args.format == "csv":
            print(to_csv(body), end="")
        else:
            print(markdown(body, args.lang))
        return 0

    return run


def markdown(body: dict, lang: str) -> str:
    """The gap list as a Markdown table, with a line per service and the population weighting if any."""
    zh = lang == "zh"
    lines = [f"# {'覆盖缺口' if zh else 'Coverage gaps'} (> {body['max_km']:g} km)", ""]
    for band in body["distance_bands"]:
        service = band["service"]
        gaps = sum(1 for g in body["gaps"] if g["service"]["iri"] == service["iri"])
        lines.append(f"- {service['notation']} {service['label']}: {gaps}/{body['counties']}"
                     + (" 个县级行政区为缺口" if zh else " counties are gaps"))
    if body["population"]:
        lines.append("")
        lines.append(("人口加权（来源：" if zh else "Population weighting (source: ") + body["population"]["source"]
                     + ("）" if zh else ")"))
        for far in body["population"]["far"]:
            lines.append(f"- {far['service']['notation']}: {far['people_farther']}/{body['population']['people']}")
    lines += ["", "| " + " | ".join(["区划代码", "县级行政区", "市（地）", "服务", "最近线下机构", "km"] if zh else
                                     ["code", "county", "prefecture", "service", "nearest in person", "km"]) + " |",
              "|---|---|---|---|---|---:|"]
    for g in body["gaps"]:
        near = g["nearest"]["label"] if g["nearest"] else ("无" if zh else "none")
        km = "—" if g["nearest_km"] is None else f"{g['nearest_km']:.1f}"
        lines.append(f"| {g['region']['adcode']} | {g['region']['label']} | {g['region']['prefecture'] or ''} | "
                     f"{g['service']['notation']} | {near} | {km} |")
    return "\n".join(lines)
