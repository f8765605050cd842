"""Places outside the network: China's GB/T 2260 divisions from ``data/regions-cn.csv``, to tell a person
where they are when the network's gazetteer (:mod:`ipgraph.model.places`) does not know their place.

The gazetteer holds only the network's own regions (Heilongjiang), so 北京 or a point in Jilin used to be
"unknown" or silently matched to a look-alike name. This national list (same source as the gazetteer:
cpca 0.5.5 / Vonng/adcode, 国家统计局 2016 codes, AutoNavi centres converted to WGS84; see
``data/build_regions.py``) is read only to say *where* such a place is and how far the network's nearest
institutions are — never to locate institutions. Matching of names is exact (full name, or the short name
of a province or prefecture; county names of 3 characters or more, and only when unique in the country),
so a service word in a question is not taken for a place.
"""

from __future__ import annotations

import csv
import functools
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ..paths import DATA_DIR
from .catalog import find_spans, index_keys, normalize
from .places import haversine_km


@dataclass(frozen=True)
class NationalRegion:
    """A division of the national list: code, names, level, parent code, point (WGS84)."""

    adcode: str
    name: str
    short: str
    level: str
    parent: str | None
    lat: float
    lon: float

    @property
    def province_code(self) -> str:
        return self.adcode[:2] + "0000"


_LEVEL_RANK = {"province": 0, "prefecture": 1, "county": 2}


class NationalPlaces:
    """The national list with a name index and the county-level seats for "which division is this point in"."""

    def __init__(self, regions: list[NationalRegion]):
        self.by_code = {r.adcode: r for r in regions}
        named: dict[str, list[NationalRegion]] = {}
        for r in regions:
            names = {r.name}
            if r.level != "county" and len(r.short) >= 2:
                names.add(r.short)
            for name in names:
                named.setdefault(normalize(name), []).append(r)
        self.names: dict[str, NationalRegion] = {}
        for key, found in named.items():
            found.sort(key=lambda r: (_LEVEL_RANK.get(r.level, 3), r.adcode))
            unique = len(found) == 1 or _LEVEL_RANK.get(found[0].level) < _LEVEL_RANK.get(found[1].level, 3)
            if unique and (found[0].level != "county" or len(key) >= 3):
                self.names[key] = found[0]
        self._keys = index_keys(self.names)
        self._seats = [r for r in regions if r.level == "county"]
        self._lat = np.array([r.lat for r in self._seats])
        self._lon = np.array([r.lon for r in self._seats])

    @classmethod
    def from_csv(cls, path: Path) -> "NationalPlaces":
        with open(path, encoding="utf-8", newline="") as handle:
            return cls([NationalRegion(row["adcode"], row["name"], row["short_name"] or row["name"], row["level"],
                                       row["parent_adcode"] or None, float(row["lat"]), float(row["lon"]))
                        for row in csv.DictReader(handle)])

    def lookup(self, text: str) -> NationalRegion | None:
        """The division ``text`` names exactly (full name, or a province's or prefecture's short name)."""
        return self.names.get(normalize(text).strip())

    def find_in(self, text: str, avoid: list[tuple[int, int]] = ()) -> tuple[NationalRegion, str] | None:
        """The first division named in ``text`` and the text without it; None when it names none. ``avoid``:
        spans of the normalised text already taken (service labels)."""
        key = normalize(text)
        spans = [s for s in find_spans(key, self._keys) if all(s[1] <= a or s[0] >= b for a, b in avoid)]
        if not spans:
            return None
        start, end, name = spans[0]
        return self.names[name], " ".join((key[:start] + " " + key[end:]).split())

    def nearest_seat(self, lat: float, lon: float) -> tuple[NationalRegion, float]:
        """The county-level division whose seat is nearest the point, and how far (km)."""
        distances = haversine_km(lat, lon, self._lat, self._lon)
        at = int(np.argmin(distances))
        return self._seats[at], float(distances[at])

    def chain(self, region: NationalRegion) -> list[NationalRegion]:
        """The division and the divisions it lies in, innermost first."""
        out, current = [], region
        while current is not None and current not in out:
            out.append(current)
            current = self.by_code.get(current.parent or "")
        return out

    def path_label(self, region: NationalRegion) -> str:
        """The division with its parents, e.g. 吉林省长春市朝阳区."""
        return "".join(r.name for r in reversed(self.chain(region)))

    def romanized_path(self, region: NationalRegion) -> str:
        """The same in pinyin without tones, innermost first (Chaoyang Qu, Changchun Shi, Jilin Sheng)."""
        return ", ".join(romanized(r.name) for r in self.chain(region))


def romanized(name: str) -> str:
    """A Chinese place name in pinyin without tones (北京市 → Beijing Shi), for English sentences."""
    from pypinyin import lazy_pinyin

    stem, suffix = name, ""
    for tail in _SUFFIXES:
        if name.endswith(tail) and len(name) > len(tail):
            stem, suffix = name[: -len(tail)], tail
            break
    words = ["".join(lazy_pinyin(stem)).capitalize()]
    if suffix:
        words.append(" ".join(w.capitalize() for w in lazy_pinyin(suffix)))
    return " ".join(words)


_SUFFIXES = ("维吾尔自治区", "壮族自治区", "回族自治区", "自治区", "自治州", "自治县", "地区", "省", "市", "区", "县", "盟", "旗")


@functools.lru_cache(maxsize=1)
def national_places() -> NationalPlaces:
    """The national list, read once per process (3,200 rows, ~20 ms)."""
    return NationalPlaces.from_csv(DATA_DIR / "regions-cn.csv")
