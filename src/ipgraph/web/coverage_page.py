"""The ``/coverage`` page's content: the map's cells and points (as GeoJSON-like data for Leaflet and as inline
SVG for browsers without JavaScript), the legend, and the three charts as inline SVG rendered here.

Charts (all from :func:`ipgraph.matching.coverage_report.report`): counties by distance band per basic
service; institutions per kind per prefecture; catalogue items (6.1–6.3) offered per prefecture, with the
items nobody offers. Drawn as plain SVG so that they need no script and no library.
"""

from __future__ import annotations

import math

import numpy as np
from markupsafe import Markup, escape

from ..matching import coverage_report
from ..matching.coverage_gaps import BANDS_KM, CoverageTable, basic_services, offered_matrix, ordered
from ..matching.matcher import Matcher
from ..matching.region_cells import cells

BAND_COLOURS = ("#1a9850", "#91cf60", "#d9ef8b", "#fee08b", "#fc8d59", "#d73027", "#7f7f7f")  # ≤10 … >200, none
KIND_COLOURS = ("#4e79a7", "#f28e2b", "#e15759", "#76b7b2", "#59a14f", "#edc948", "#b07aa1", "#ff9da7", "#9c755f",
                "#bab0ac", "#2f4b7c", "#a05195")


def band_of(distance_km: float | None) -> int:
    """The band index of a distance (len(BANDS_KM) for farther than the last, +1 for none)."""
    if distance_km is None:
        return len(BANDS_KM) + 1
    return int(np.searchsorted(np.asarray(BANDS_KM), distance_km, side="left"))


def band_labels(lang: str) -> list[str]:
    """Legend text of each band."""
    within = [f"≤ {b:g} km" for b in BANDS_KM]
    return within + [f"> {BANDS_KM[-1]:g} km", "无线下机构" if lang == "zh" else "no in-person provider"]


def page_context(matcher: Matcher, table: CoverageTable, asked: coverage_report.Request, lang: str,
                 form: dict) -> dict:
    """Everything the template shows, for one chosen service."""
    t = (lambda zh, en: zh if lang == "zh" else en)
    catalog, gaz, index = matcher.vocabulary.services, matcher.vocabulary.gazetteer, matcher.index
    body = coverage_report.report(matcher, table, asked, lang)
    service = asked.services[0]
    rows = [r for r, region in enumerate(table.regions)
            if asked.region is None or asked.region.iri in gaz.ancestors(region.iri)]
    shown = [table.regions[r] for r in rows]
    rings = cells(np.array([r.lat for r in shown]), np.array([r.lon for r in shown]))
    counties = []
    for cell, ring in zip(body["cells"], rings):
        band = band_of(cell["nearest_km"])
        counties.append({**cell, "ring": ring, "band": band, "colour": BAND_COLOURS[band]})
    in_person = set(np.flatnonzero(_providers_mask(matcher, service)).tolist())
    regions_shown = {r.iri for r in shown}
    points = []
    located = np.flatnonzero(~np.isnan(index.lat))
    inside = [p for p in located.tolist()
              if index.region[p] >= 0 and index.regions[index.region[p]] in regions_shown]
    records = matcher.records([index.iris[p] for p in inside])
    for p in inside:
        record = records.get(index.iris[p])
        points.append({"iri": index.iris[p], "lat": float(index.lat[p]), "lon": float(index.lon[p]),
                       "label": (record.labels.get(lang) or record.labels.get("zh")) if record else index.iris[p],
                       "offers": p in in_person})
    basic = basic_services(catalog)
    bands = [{"label": f"{catalog.concepts[s].notation} {catalog.concepts[s].label(lang)}",
              "counts": coverage_report.band_counts(table, rows, table.column(s))} for s in basic]
    return {
        "form": form, "body": body, "service": body["services"][0],
        "services": [{"iri": c, "notation": catalog.concepts[c].notation, "label": catalog.concepts[c].label(lang)}
                     for c in ordered(catalog, catalog.concepts)],
        "counties": counties, "points": points, "legend": list(zip(BAND_COLOURS, band_labels(lang))),
        "map_data": {"counties": [{"label": c["region"]["label"], "ring": c["ring"], "colour": c["colour"],
                                   "gap": c["gap"], "km": c["nearest_km"], "lat": c["region"]["lat"],
                                   "lon": c["region"]["lon"]} for c in counties],
                     "points": points, "approximation": t("区域形状为按县级驻地划分的近似（Voronoi）单元，并非行政边界。",
                                                          "Shapes are approximate (Voronoi) cells around county "
                                                          "seats, not administrative boundaries.")},
        "svg_map": svg_map(counties, points, t),
        "chart_bands": chart_bands(bands, band_labels(lang), t),
        "chart_kinds": chart_kinds(body, t),
        "chart_items": chart_items(body, t),
    }


def _providers_mask(matcher: Matcher, service: str) -> np.ndarray:
    """Per institution, whether it offers ``service`` (or a narrower concept) in person."""
    providers = coverage_report.providers_of(matcher)
    return offered_matrix(providers, matcher.vocabulary.services, [service], providers.in_person)[0]


def _project(points: list[tuple[float, float]]):
    lats = [p[0] for p in points] or [0.0]
    lons = [p[1] for p in points] or [0.0]
    scale = math.cos(math.radians(sum(lats) / len(lats)))
    x0, y0 = min(lons) * scale, max(lats)
    width, height = (max(lons) - min(lons)) * scale or 1, (max(lats) - min(lats)) or 1
    factor = 600 / max(width, height)
    return (lambda lat, lon: ((lon * scale - x0) * factor, (y0 - lat) * factor)), width * factor, height * factor


def svg_map(counties: list[dict], points: list[dict], t) -> Markup:
    """The map as inline SVG: cells coloured by band (gaps outlined in black), institutions as dots."""
    every = [p for c in counties for p in c["ring"]] + [(p["lat"], p["lon"]) for p in points]
    if not every:
        return Markup("")
    xy, width, height = _project(every)
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="-5 -5 {width + 10:.0f} {height + 10:.0f}" '
             f'role="img" class="map-svg" aria-label="{escape(t("覆盖地图（近似区域）", "Coverage map (approximate cells)"))}">']
    for c in counties:
        if not c["ring"]:
            continue
        path = " ".join(f"{x:.1f},{y:.1f}" for x, y in (xy(lat, lon) for lat, lon in c["ring"]))
        km = "—" if c["nearest_km"] is None else f'{c["nearest_km"]:.1f} km'
        parts.append(f'<polygon points="{path}" fill="{c["colour"]}" stroke="{"#000" if c["gap"] else "#fff"}" '
                     f'stroke-width="{1.6 if c["gap"] else 0.6}"><title>{escape(c["region"]["label"])}: {km}</title>'
                     '</polygon>')
    for p in points:
        x, y = xy(p["lat"], p["lon"])
        parts.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="{3.2 if p["offers"] else 2}" '
                     f'fill="{"#08306b" if p["offers"] else "#fff"}" stroke="#08306b" stroke-width="0.8">'
                     f'<title>{escape(p["label"])}</title></circle>')
    parts.append("</svg>")
    return Markup("".join(parts))


def _stacked(rows: list[tuple[str, list[int]]], colours, legend: list[str], title: str, unit: str) -> Markup:
    """Horizontal stacked bars, one per row, scaled to the largest row total; a legend below."""
    label_w, bar_w, row_h = 190, 300, 18
    top = max([sum(v) for _, v in rows] + [1])
    height = len(rows) * row_h + 10 + 16 * math.ceil(len(legend) / 2)
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {label_w + bar_w + 40} {height}" role="img" '
             f'class="chart" aria-label="{escape(title)}"><title>{escape(title)}</title>']
    for i, (label, values) in enumerate(rows):
        y = i * row_h
        parts.append(f'<text x="{label_w - 4}" y="{y + 13}" text-anchor="end" font-size="11">'
                     f'{escape(label[:26])}</text>')
        x = label_w
        for k, v in enumerate(values):
            if v:
                w = v / top * bar_w
                parts.append(f'<rect x="{x:.1f}" y="{y + 2}" width="{w:.1f}" height="{row_h - 4}" '
                             f'fill="{colours[k % len(colours)]}"><title>{escape(label)} · {escape(legend[k])}: '
                             f'{v} {escape(unit)}</title></rect>')
                x += w
        parts.append(f'<text x="{x + 3:.1f}" y="{y + 13}" font-size="10">{sum(values)}</text>')
    y0 = len(rows) * row_h + 10
    for k, name in enumerate(legend):
        x, y = (k % 2) * 260, y0 + (k // 2) * 16
        parts.append(f'<rect x="{x}" y="{y}" width="10" height="10" fill="{colours[k % len(colours)]}"/>'
                     f'<text x="{x + 14}" y="{y + 9}" font-size="10">{escape(name[:40])}</text>')
    parts.append("</svg>")
    return Markup("".join(parts))


def chart_bands(bands: list[dict], labels: list[str], t) -> Markup:
    return _stacked([(b["label"], b["counts"]) for b in bands], BAND_COLOURS, labels,
                    t("各基础性服务：县级行政区按最近线下机构距离分段", "Counties by distance band, per basic service"),
                    t("个县级行政区", "counties"))


def chart_kinds(body: dict, t) -> Markup:
    return _stacked([(p["prefecture"], p["counts"]) for p in body["institutions_by_prefecture"]], KIND_COLOURS,
                    body["kinds"], t("各市（地）机构数（按类别）", "Institutions per kind per prefecture"),
                    t("家", "institutions"))


def chart_items(body: dict, t) -> Markup:
    total = body["catalogue_items"]
    rows = [(p["prefecture"], [p["offered"], total - p["offered"]]) for p in body["items_by_prefecture"]]
    return _stacked(rows, ("#4e79a7", "#e0e0e0"), [t("有机构提供的服务事项", "items offered"),
                                                   t("无机构提供的服务事项", "items not offered")],
                    t(f"各市（地）提供的服务事项（共 {total} 项，6.1–6.3）",
                      f"Catalogue items offered per prefecture (of {total}, 6.1–6.3)"), t("项", "items"))
