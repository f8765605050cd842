"""``ipgraph match``: the matcher from the terminal, answers as a table (:mod:`ipgraph.cli.match_text`) or JSON.
"""

from __future__ import annotations

import argparse

from .commands import Command, UserError, command, open_local


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
        from .match_text import table

        store = open_local(args.data_dir, args.in_memory)
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
