"""What administrators read of the coverage table: gaps, per-county cells, charts' figures, in zh or en.

:func:`table_for` computes the :class:`~ipgraph.matching.coverage_gaps.CoverageTable` of a matcher's index
and gazetteer; :func:`report` turns it into one JSON-ready dict that ``GET /api/coverage``, the ``/coverage``
page and ``ipgraph coverage`` all render (so the three say the same thing).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..model.places import Region
from .coverage_gaps import (BANDS_KM, DEFAULT_MAX_KM, CoverageTable, Providers, basic_services, compute,
                            county_regions, offered_matrix, ordered)
from .matcher import Matcher
from .understanding import MatchInputError, find_place, unknown_service

MAX_KM_LIMIT = 5000.0
IN_PERSON_NOTE = {
    "zh": "“线下”指经窗口或驻场渠道提供（不可远程获取的渠道）；电话、网络渠道可远程获取。未记录渠道的服务不计入线下。"
          "距离为县级行政区驻地点（区划数据中的坐标）到机构坐标的大圆距离。",
    "en": "\"In person\" means offered through a service window or on-site (a channel not reachable remotely); "
          "phone and web channels are reachable remotely. An offering with no channel recorded is not counted in "
          "person. Distances are great-circle distances from the county seat (the point in the regions data) to "
          "the institution's point.",
}


def providers_of(matcher: Matcher) -> Providers:
    """The in-person and remote offering rows of the matcher's index (channel types from the schemes)."""
    vocab = matcher.vocabulary
    channels = set(vocab.channels.concepts)
    return Providers.from_index(matcher.index, channels - vocab.remote_channels, set(vocab.remote_channels))


def table_for(matcher: Matcher, *, radius_km: float = DEFAULT_MAX_KM, services: list[str] | None = None,
              regions: list[Region] | None = None) -> CoverageTable:
    """The coverage table of every county-level region of the gazetteer (or ``regions``) × every catalogue
    concept (or ``services``)."""
    vocab = matcher.vocabulary
    return compute(providers_of(matcher), vocab.services, regions or county_regions(vocab.gazetteer), services,
                   radius_km=radius_km)


@dataclass(frozen=True)
class Request:
    """A coverage question, understood: the services (concept IRIs), the distance, the region (or None)."""

    services: list[str]
    max_km: float
    region: Region | None


def understand(matcher: Matcher, service: str | None, max_km: float | None, region: str | None) -> Request:
    """``service`` (comma-separated notations, IRIs or labels; default: the items of 6.1), ``max_km``
    (default 50), ``region`` (a place name or code). Raises MatchInputError (field, zh, en)."""
    vocab = matcher.vocabulary
    if service is None or not service.strip():
        services = basic_services(vocab.services)
    else:
        services = []
        for ref in (part.strip() for part in service.split(",") if part.strip()):
            concept = vocab.services.get(ref)
            if concept is None:
                raise unknown_service("service", ref, vocab.services.suggest(ref))
            services.append(concept.iri)
        services = list(dict.fromkeys(services))
    distance = DEFAULT_MAX_KM if max_km is None else float(max_km)
    if not (0 < distance <= MAX_KM_LIMIT):
        raise MatchInputError("max_km", zh=f"参数 max_km 须大于 0 且不超过 {MAX_KM_LIMIT:g}（收到 {max_km}）。",
                              en=f"max_km must be greater than 0 and at most {MAX_KM_LIMIT:g} (got {max_km}).")
    place = find_place(vocab, region).region if region is not None and region.strip() else None
    return Request(services, distance, place)


def report(matcher: Matcher, table: CoverageTable, request: Request, lang: str = "zh") -> dict:
    """Gaps, cells, charts' figures and notes for ``request`` from ``table`` (computed at ``request.max_km``)."""
    vocab, index = matcher.vocabulary, matcher.index
    gaz, catalog = vocab.gazetteer, vocab.services
    rows = [r for r, region in enumerate(table.regions)
            if request.region is None or request.region.iri in gaz.ancestors(region.iri)]
    columns = [table.column(s) for s in request.services]
    providers = sorted({int(table.nearest[r, c]) for r in rows for c in columns if table.nearest[r, c] >= 0})
    labels = _labels(matcher, [index.iris[p] for p in providers], lang)

    def concept(iri: str) -> dict:
        c = catalog.concepts[iri]
        return {"iri": iri, "notation": c.notation, "label": c.label(lang)}

    def county(region: Region) -> dict:
        prefecture = gaz.regions.get(region.parent or "")
        return {"iri": region.iri, "adcode": region.adcode, "label": region.label(lang), "lat": region.lat,
                "lon": region.lon, "prefecture": prefecture.label(lang) if prefecture else None}

    cells, gaps = [], []
    for r in rows:
        for c in columns:
            distance = float(table.nearest_km[r, c])
            near = int(table.nearest[r, c])
            cell = {"region": county(table.regions[r]), "service": concept(table.services[c]),
                    "nearest_km": round(distance, 3) if np.isfinite(distance) else None,
                    "nearest": None if near < 0 else {"iri": index.iris[near], "label": labels.get(index.iris[near])},
                    "within": int(table.within[r, c]), "in_person_providers": int(table.in_person_providers[c]),
                    "remote_providers": int(table.remote_providers[c]),
                    "reachable_remotely": bool(table.remote_providers[c] > 0),
                    "gap": not distance <= request.max_km}
            cells.append(cell)
            if cell["gap"]:
                gaps.append(cell)
    bands = [{"service": concept(table.services[c]),
              "counts": band_counts(table, rows, c)} for c in columns]
    population = None
    if table.population:
        people = np.array([table.population.get(table.regions[r].adcode, 0) for r in rows], dtype=np.int64)
        population = {"source": table.population_source, "people": int(people.sum()), "far": [
            {"service": concept(table.services[c]),
             "people_farther": int(people[~(table.nearest_km[rows, c] <= request.max_km)].sum())} for c in columns]}
    return {"services": [concept(s) for s in request.services], "max_km": request.max_km,
            "region": None if request.region is None else county(request.region) | {"level": request.region.level},
            "counties": len(rows), "gap_count": len(gaps), "gaps": gaps, "cells": cells,
            "bands_km": list(BANDS_KM), "distance_bands": bands, "population": population,
            "note": IN_PERSON_NOTE[lang], **prefecture_figures(matcher, request.region, lang)}


def band_counts(table: CoverageTable, rows: list[int], column: int) -> list[int]:
    """How many of the counties ``rows`` fall in each distance band of ``column`` (≤ BANDS_KM[0], …, ≤
    BANDS_KM[-1], farther, no in-person provider)."""
    distances = table.nearest_km[rows, column]
    finite = distances[np.isfinite(distances)]
    counts = np.bincount(np.searchsorted(np.asarray(BANDS_KM), finite, side="left"),
                         minlength=len(BANDS_KM) + 1).tolist()
    return counts + [int(np.count_nonzero(~np.isfinite(distances)))]


def _labels(matcher: Matcher, iris: list[str], lang: str) -> dict[str, str]:
    records = matcher.records(iris) if iris else {}
    return {iri: (rec.labels.get(lang) or rec.labels.get("zh") or iri) for iri, rec in records.items()}


def prefecture_figures(matcher: Matcher, within: Region | None, lang: str) -> dict:
    """Institutions per kind per prefecture, and catalogue items (6.1–6.3, leaves) offered per prefecture
    through any channel, with the items nobody offers; over the prefectures of the province shown."""
    vocab, index = matcher.vocabulary, matcher.index
    gaz, catalog = vocab.gazetteer, vocab.services
    province = _province(gaz, within)
    prefectures = sorted((r for r in gaz.regions.values() if r.level == "prefecture"
                          and (province is None or r.parent == province.iri)), key=lambda r: r.adcode)
    pref_id = {r.iri: i for i, r in enumerate(prefectures)}
    region_pref = np.array([next((pref_id[a] for a in gaz.ancestors(r) if a in pref_id), -1) for r in index.regions]
                           + [-1], dtype=np.int64)
    inst_pref = region_pref[index.region]  # index.region == -1 picks the trailing -1
    placed = inst_pref >= 0
    kinds = np.zeros((len(prefectures), len(index.classes)), dtype=np.int64)
    np.add.at(kinds, (inst_pref[placed], index.kind[placed]), 1)
    used = [k for k in range(len(index.classes)) if kinds[:, k].any()]
    items = ordered(catalog, [c.iri for c in catalog.concepts.values()
                              if not c.narrower and not (c.notation or "").startswith("topic-")])
    providers = providers_of(matcher)
    offered = offered_matrix(providers, catalog, items, np.ones(len(providers.row_inst), dtype=bool))
    per_pref = np.zeros((len(prefectures), len(items)), dtype=bool)
    for s in range(len(items)):  # one NumPy step per catalogue item
        present = inst_pref[offered[s] & placed]
        per_pref[np.unique(present), s] = True
    nobody = [i for i in range(len(items)) if not per_pref[:, i].any()]
    return {
        "province": None if province is None else province.label(lang),
        "kinds": [vocab.kind_json(index.classes[k], lang)["label"] for k in used],
        "institutions_by_prefecture": [{"prefecture": p.label(lang), "adcode": p.adcode,
                                        "counts": kinds[i, used].tolist()} for i, p in enumerate(prefectures)],
        "catalogue_items": len(items),
        "items_by_prefecture": [{"prefecture": p.label(lang), "adcode": p.adcode,
                                 "offered": int(per_pref[i].sum())} for i, p in enumerate(prefectures)],
        "offered_by_nobody": [{"iri": items[i], "notation": catalog.concepts[items[i]].notation,
                               "label": catalog.concepts[items[i]].label(lang)} for i in nobody],
    }


def _province(gaz, within: Region | None) -> Region | None:
    if within is not None:
        return next((gaz.regions[a] for a in gaz.ancestors(within.iri) if gaz.regions[a].level == "province"), None)
    provinces = [r for r in gaz.regions.values() if r.level == "province"]
    return provinces[0] if len(provinces) == 1 else None
