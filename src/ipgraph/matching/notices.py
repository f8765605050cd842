"""Honest answers: what a match answer says besides its ranked list, so that every answer either ranks
institutions or tells the person what to do next.

Four situations, each a :class:`Notice` with a ``code`` that programs can act on and a sentence in Chinese
and English for people:

``no_place``
    No place was given or found in the question: the list is not by distance (it is by how specific the
    match is, then by IRI). Asks for a place or the browser's location.
``outside_network``
    The place lies outside the area the network covers (its gazetteer's provinces): a place named in
    another province (found in the national list, :mod:`ipgraph.model.national_places`) or a point whose
    nearest county seat is in another province. Says which area the network covers, which division the
    place is, and how far the nearest institution offering the service is (the results stay ranked by
    distance from that place), and points at those reachable by phone or web.
``no_offering``
    No institution offers the service at all (before any filter). The answer's ``alternative`` then lists
    the nearest institutions offering a broader service, marked as such.
``filter_emptied``
    Institutions offer the service, but the filters left none: says which filter did, and how many there
    are without it (and how far the nearest is).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ..model.national_places import NationalRegion, national_places

NO_PLACE, OUTSIDE_NETWORK, NO_OFFERING, FILTER_EMPTIED = "no_place", "outside_network", "no_offering", "filter_emptied"
CODES = (NO_PLACE, OUTSIDE_NETWORK, NO_OFFERING, FILTER_EMPTIED)


@dataclass(frozen=True)
class Notice:
    """One thing the answer must say: a code, a sentence in zh and en, and the facts behind it."""

    code: str
    zh: str
    en: str
    details: dict = field(default_factory=dict)

    def to_json(self, lang: str = "zh") -> dict:
        return {"code": self.code, "message": self.zh if lang == "zh" else self.en, "message_zh": self.zh,
                "message_en": self.en, **self.details}


@dataclass(frozen=True)
class Outside:
    """A place outside the network: the national division it is (or is nearest to), and how it was found."""

    region: NationalRegion
    how: str          # "name" (named in the text or place box) or "point" (nearest county seat of a point)
    text: str         # what the person wrote
    seat_km: float | None = None  # for a point: how far the nearest county seat is


def _name(record: dict, lang: str) -> str:
    labels = record.get("labels") or {}
    return labels.get(lang) or labels.get("zh") or record["iri"]


def _km(value: float) -> str:
    return f"{value:,.0f}" if value >= 10 else f"{value:.1f}"


def no_place() -> Notice:
    return Notice(NO_PLACE,
                  zh="未给出地点，结果未按距离排列（先列与所问服务最吻合的，再按机构标识排列）。请在“在哪里”填写地名、"
                     "区划代码或坐标，或使用您的位置，即可按距离由近到远排列。",
                  en="No place was given, so the list is not ordered by distance (closest match to the service "
                     "first, then by institution identifier). Give a place, a division code or coordinates, or "
                     "use your location, to rank them nearest first.",
                  details={"order": "specificity, iri"})


def outside_network(outside: Outside, area: list[dict], nearest: dict | None) -> Notice:
    """``area``: the network's provinces (adcode, labels); ``nearest``: iri, id, labels, distance_km of the first result."""
    places = national_places()
    where_zh = places.path_label(outside.region)
    where_en = f"{where_zh} ({places.romanized_path(outside.region)})"
    if outside.how == "point":
        where_zh = f"坐标 {outside.text}（{where_zh}附近）"
        where_en = f"The point {outside.text} (near {where_en})"
    area_zh = "、".join(a["labels"].get("zh", a["adcode"]) for a in area)
    area_en = ", ".join(a["labels"].get("en") or a["labels"].get("zh", a["adcode"]) for a in area)
    zh = f"{where_zh}不在本服务网络的范围内（本网络覆盖{area_zh}）。"
    en = f"{where_en} is outside the area this network covers ({area_en})."
    if nearest:
        zh += f"离该处最近的提供该服务的机构是{_name(nearest, 'zh')}，约 {_km(nearest['distance_km'])} 公里。"
        en += (f" The nearest institution offering this service is {_name(nearest, 'en')}, about "
               f"{_km(nearest['distance_km'])} km away.")
    zh += "标有“可远程办理”的机构可以通过电话或网站办理，无需前往。"
    en += " Those marked “reachable from anywhere” can be used by phone or web without travelling."
    region = outside.region
    return Notice(OUTSIDE_NETWORK, zh, en, details={
        "place": {"adcode": region.adcode, "name": region.name, "path": places.path_label(region),
                  "level": region.level, "lat": region.lat, "lon": region.lon, "found_by": outside.how},
        "network_area": area, "nearest": nearest})


def no_offering(labels_zh: list[str], labels_en: list[str], broader: list[dict], broader_total: int) -> Notice:
    """``broader``: concept JSON of the broader services offered instead (empty when none is)."""
    asked_zh, asked_en = "、".join(labels_zh), "; ".join(labels_en)
    zh = f"目前没有机构登记提供“{asked_zh}”。"
    en = f"No institution has registered an offering of “{asked_en}”."
    if broader:
        names_zh = "、".join(b["labels"].get("zh", b["iri"]) for b in broader)
        names_en = "; ".join(b["labels"].get("en") or b["labels"].get("zh", b["iri"]) for b in broader)
        zh += (f"下面列出提供其上位服务“{names_zh}”的 {broader_total} 家机构中最近的几家（替代结果，不一定能办理"
               f"所问的服务，请先联系确认）。")
        en += (f" Below are the nearest of the {broader_total} institutions offering the broader service "
               f"“{names_en}” (alternatives: they may not do exactly what you asked; contact them first).")
    else:
        zh += "请换一种说法描述您的需求，或浏览服务目录选择相近的服务。"
        en += " Try describing your need in other words, or pick a related service from the catalogue."
    return Notice(NO_OFFERING, zh, en, details={"broader": broader})


FILTER_LABELS = {"radius_km": ("距离范围", "the distance limit"), "kind": ("机构类别", "the institution kind"),
                 "ip_type": ("知识产权类型", "the IP type"), "channel": ("服务渠道", "the channel"),
                 "free": ("只看免费服务", "free services only")}


def filter_emptied(culprits: list[dict], total_without: int, nearest_without: float | None) -> Notice:
    """``culprits``: the filters whose removal alone gives results (name, value, total_without, nearest_km_without)."""
    def shown(c: dict, lang: int) -> str:
        label = FILTER_LABELS[c["name"]][lang]
        if c["name"] == "free":
            return f"“{label}”" if lang == 0 else label
        value = f"{c['value']} km" if c["name"] == "radius_km" else c["value"]
        return f"“{label}（{value}）”" if lang == 0 else f"{label} ({value})"

    if culprits:
        parts_zh, parts_en = [], []
        for c in culprits:
            far_zh = f"，最近的约 {_km(c['nearest_km_without'])} 公里" if c.get("nearest_km_without") is not None else ""
            far_en = (f", the nearest about {_km(c['nearest_km_without'])} km away"
                      if c.get("nearest_km_without") is not None else "")
            parts_zh.append(f"筛选条件{shown(c, 0)}排除了所有结果，去掉它有 {c['total_without']} 家机构{far_zh}")
            parts_en.append(f"{shown(c, 1)} left no result; without it {c['total_without']} institutions offer "
                            f"this service{far_en}")
        zh = "；".join(parts_zh) + "。"
        en = "; ".join(parts_en) + "."
    else:
        far_zh = f"，最近的约 {_km(nearest_without)} 公里" if nearest_without is not None else ""
        far_en = f", the nearest about {_km(nearest_without)} km away" if nearest_without is not None else ""
        zh = f"所选筛选条件合在一起排除了所有结果；不加筛选有 {total_without} 家机构提供该服务{far_zh}。"
        en = (f"The filters together left no result; without them {total_without} institutions offer this "
              f"service{far_en}.")
    return Notice(FILTER_EMPTIED, zh, en, details={"filters": culprits, "total_without_filters": total_without})
