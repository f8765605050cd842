"""The gazetteer: a place name, GB/T 2260 code or coordinates → a point, and distances between points.

Read from the regions graph (``data/regions.ttl``) through the named query ``regions``. A region is found
by its full name (哈尔滨市, 道里区), its short name (哈尔滨, 道里 — the ``skos:altLabel`` that begins its
full name, or the full name without 市/区/县/地区), its English name (Harbin), its pinyin with or without
tones and spaces at every level (Haerbin, Daoli, Mò hé, binxian), traditional characters (哈爾濱, folded by
``text.normalize``), its code (230102) or a code or name it had before a later change (232723 → 漠河市,
``ipg:formerAdcode``). A region the data names only in Chinese gets an English name romanised by rule
(:func:`romanised`: 宾县 → Bin County). An ambiguous name (向阳区 is in 鹤岗 and in 佳木斯) raises
:class:`AmbiguousPlace` with the candidates unless the text also names the parent (佳木斯向阳区); an
unknown one raises :class:`UnknownPlace` with near spellings.
"""

from __future__ import annotations

import difflib
import math
import re
from collections import defaultdict
from dataclasses import dataclass

import numpy as np

from .text import find_spans, index_keys, is_latin_text, latin_key, normalize, pinyin_key

EARTH_RADIUS_KM = 6371.0088  # mean Earth radius (IUGG)
_SUFFIXES = ("自治县", "地区", "林区", "新区", "市", "区", "县", "旗", "省")
_EN_SUFFIX = re.compile(r"\s+(city|prefecture|district|county|province|shi|qu|xian)$")
_CODE = re.compile(r"(?<!\d)\d{6}(?!\d)")
_LEVEL_ORDER = {"province": 0, "prefecture": 1, "county": 2}

# How a name was matched, best first: a tie between regions at the best tier is an ambiguity.
NAME, CODE, SHORT_NAME, ENGLISH, PINYIN, STRIPPED, FORMER_NAME, FORMER_CODE = (
    "name", "code", "short name", "English name", "pinyin", "name without suffix", "former name", "former code")
_TIER = {NAME: 0, CODE: 0, ENGLISH: 0, SHORT_NAME: 1, PINYIN: 1, STRIPPED: 2, FORMER_NAME: 3, FORMER_CODE: 3}


def haversine_km(lat1, lon1, lat2, lon2):
    """Great-circle distance in km (haversine); works on floats and NumPy arrays alike."""
    lat1, lon1, lat2, lon2 = (np.radians(np.asarray(v, dtype=float)) for v in (lat1, lon1, lat2, lon2))
    a = np.sin((lat2 - lat1) / 2) ** 2 + np.cos(lat1) * np.cos(lat2) * np.sin((lon2 - lon1) / 2) ** 2
    distance = 2 * EARTH_RADIUS_KM * np.arcsin(np.sqrt(np.clip(a, 0.0, 1.0)))
    return float(distance) if np.ndim(distance) == 0 else distance


class BadCoordinates(ValueError):
    """Latitude outside [-90, 90] or longitude outside [-180, 180] (or not a number)."""


def check_point(lat: float, lon: float) -> tuple[float, float]:
    """``(lat, lon)`` when valid, else :class:`BadCoordinates` saying which one is wrong."""
    if not (isinstance(lat, (int, float)) and math.isfinite(lat) and -90 <= lat <= 90):
        raise BadCoordinates(f"latitude {lat} is outside [-90, 90]")
    if not (isinstance(lon, (int, float)) and math.isfinite(lon) and -180 <= lon <= 180):
        raise BadCoordinates(f"longitude {lon} is outside [-180, 180]")
    return float(lat), float(lon)


@dataclass(frozen=True)
class Region:
    """One GB/T 2260 division: code, names, level (province/prefecture/county), parent, seat point."""

    iri: str
    adcode: str
    labels: dict[str, str]
    level: str | None
    parent: str | None
    lat: float | None
    lon: float | None
    former_codes: tuple[str, ...] = ()

    def label(self, lang: str = "zh") -> str:
        return self.labels.get(lang) or self.labels.get("zh") or self.adcode

    def to_json(self) -> dict:
        return {"iri": self.iri, "adcode": self.adcode, "labels": dict(self.labels), "level": self.level,
                "lat": self.lat, "lon": self.lon}


@dataclass(frozen=True)
class Place:
    """A resolved place: the region (None for bare coordinates), its point, and how the text matched."""

    region: Region | None
    lat: float
    lon: float
    how: str
    matched: str

    def to_json(self, gazetteer: "Gazetteer | None" = None, lang: str = "zh") -> dict:
        out = {"lat": self.lat, "lon": self.lon, "how": self.how, "matched": self.matched, "region": None}
        if self.region:
            out["region"] = self.region.to_json()
            if gazetteer:
                out["region"]["path"] = gazetteer.path_label(self.region, lang)
        return out


class UnknownPlace(LookupError):
    """No region has that name or code; ``suggestions`` are near spellings."""

    def __init__(self, text: str, suggestions: list[Region]):
        super().__init__(f"unknown place {text!r}")
        self.text, self.suggestions = text, suggestions


class AmbiguousPlace(LookupError):
    """Several regions have that name; ``candidates`` lists them."""

    def __init__(self, text: str, candidates: list[Region]):
        super().__init__(f"ambiguous place {text!r}")
        self.text, self.candidates = text, candidates


class Gazetteer:
    """Regions in memory with a name index; :meth:`lookup` for a place field, :meth:`find_in` for a question."""

    def __init__(self, regions: dict[str, Region], names: dict[str, list[tuple[str, str, str]]]):
        self.regions = regions
        self.by_code = {r.adcode: r for r in regions.values()}
        self.names = names  # normalised key → [(region iri, how, original text)]
        self._scan_keys = index_keys(k for k in names if len(k) >= 2 and not k.isdigit())

    # -- loading ----------------------------------------------------------------------------------
    @classmethod
    def from_rows(cls, rows: list[dict]) -> "Gazetteer":
        """Build from ``regions`` query rows."""
        info: dict[str, dict] = {}
        pref: dict[str, dict[str, str]] = defaultdict(dict)
        alt: dict[str, set[tuple[str, str]]] = defaultdict(set)
        former: dict[str, set[str]] = defaultdict(set)
        for row in sorted(rows, key=lambda r: (str(r["region"]), str(r["labelProperty"]), str(r["label"]))):
            iri = str(row["region"])
            info.setdefault(iri, row)
            label = row["label"]
            lang = (getattr(label, "language", None) or "zh")[:2]
            if str(row["labelProperty"]).endswith("#prefLabel"):
                pref[iri].setdefault(lang, str(label))
            else:
                alt[iri].add((lang, str(label)))
            if row.get("formerAdcode") is not None:
                former[iri].add(str(row["formerAdcode"]))
        regions = {}
        for iri, row in info.items():
            level = str(row["level"]).rsplit("/", 1)[-1] if row.get("level") is not None else None
            labels = dict(pref[iri])
            if "en" not in labels and labels.get("zh"):  # counties carry no English name: romanised by rule
                labels["en"] = romanised(labels["zh"])
            regions[iri] = Region(iri, str(row["adcode"]), labels, level,
                                  str(row["parent"]) if row.get("parent") is not None else None,
                                  float(row["lat"]) if row.get("lat") is not None else None,
                                  float(row["lon"]) if row.get("lon") is not None else None,
                                  tuple(sorted(former[iri])))
        names: dict[str, list[tuple[str, str, str]]] = defaultdict(list)

        def add(key: str, iri: str, how: str, text: str) -> None:
            if key and (iri, how, text) not in names[key] and not any(e[0] == iri for e in names[key]):
                names[key].append((iri, how, text))

        for iri, region in sorted(regions.items(), key=lambda item: item[1].adcode):
            add(region.adcode, iri, CODE, region.adcode)
            full = region.labels.get("zh")
            for lang, label in sorted(region.labels.items()):  # with the romanised English name
                add(normalize(label), iri, NAME if lang == "zh" else ENGLISH, label)
                if lang == "en":
                    add(_compact(label), iri, ENGLISH, label)
            for lang, label in sorted(alt[iri]):
                if lang == "en":
                    add(normalize(label), iri, ENGLISH, label)
                    add(_compact(label), iri, ENGLISH, label)
                elif full and full.startswith(label):
                    add(normalize(label), iri, SHORT_NAME, label)
            if full:
                stripped = _strip_suffix(full)
                if stripped != full and len(stripped) >= 2:
                    add(normalize(stripped), iri, STRIPPED, stripped)
                # pinyin of every level (pypinyin): haerbin, daoli, mohe; and of the full name: binxian
                for spelling in {pinyin_key(stripped) if len(stripped) >= 2 else "", pinyin_key(full)}:
                    if len(spelling) >= 4:
                        add(spelling, iri, PINYIN, spelling)
            for lang, label in sorted(alt[iri]):
                if lang != "en" and not (full and full.startswith(label)):
                    add(normalize(label), iri, FORMER_NAME, label)
            for code in region.former_codes:
                add(code, iri, FORMER_CODE, code)
        return cls(regions, dict(names))

    # -- lookup -----------------------------------------------------------------------------------
    def lookup(self, text: str) -> Place:
        """The place a ``near`` field names. Raises UnknownPlace or AmbiguousPlace."""
        key = normalize(text).strip()
        entries = self.names.get(key) or self.names.get(_compact(key)) or self.names.get(_EN_SUFFIX.sub("", key))
        if not entries and is_latin_text(key):
            entries = self.names.get(latin_key(_EN_SUFFIX.sub("", key)))
        if not entries:
            spans = self.spans(key)
            leftover = key
            for start, end, _ in reversed(spans):
                leftover = leftover[:start] + leftover[end:]
            if spans and not _strip_place_noise(leftover):
                return self._from_spans(text, spans)
            raise UnknownPlace(text, self.suggest(text))
        return self._choose(text, entries)

    def _choose(self, text: str, entries: list[tuple[str, str, str]], inside: str | None = None) -> Place:
        if inside is not None:
            entries = [e for e in entries if inside in self.ancestors(e[0])] or entries
        best = min(_TIER[how] for _, how, _ in entries)
        top = [e for e in entries if _TIER[e[1]] == best]
        if len(top) > 1:
            raise AmbiguousPlace(text, sorted((self.regions[iri] for iri, _, _ in top), key=lambda r: r.adcode))
        iri, how, matched = top[0]
        region = self.regions[iri]
        if region.lat is None or region.lon is None:
            raise UnknownPlace(text, [])
        return Place(region, region.lat, region.lon, how, matched)

    def _from_spans(self, text: str, spans: list[tuple[int, int, str]]) -> Place:
        """A compound like 佳木斯市向阳区 or 黑龙江省哈尔滨市: the innermost region, read inside its parents."""
        chosen: Place | None = None
        for _, _, key in spans:
            chosen = self._choose(text, self.names[key], chosen.region.iri if chosen and chosen.region else None)
        assert chosen is not None
        return chosen

    def spans(self, text: str) -> list[tuple[int, int, str]]:
        """Where place names occur in normalised ``text`` (longest first, no overlap), codes included."""
        spans = find_spans(text, self._scan_keys)
        for found in _CODE.finditer(text):
            if found.group() in self.names and all(found.end() <= s or found.start() >= e for s, e, _ in spans):
                spans.append((found.start(), found.end(), found.group()))
        return sorted(spans)

    def find_in(self, text: str, avoid: list[tuple[int, int, str]] = ()) -> tuple[Place, str] | None:
        """A place named inside a question, and the question without it; None when it names none.

        ``avoid`` are spans of normalised ``text`` already taken (service labels), so that a service name
        is never read as a place. When several places are named, the first one (with the ones next to it:
        哈尔滨市道里区) is taken.
        """
        key = normalize(text)
        if any(a[0] == 0 and a[1] >= len(key) for a in avoid):  # the whole text is taken (a service label)
            return None
        spans = [s for s in self.spans(key) if all(s[1] <= a[0] or s[0] >= a[1] for a in avoid)]
        if not spans:
            return None
        group = [spans[0]]
        for span in spans[1:]:
            if key[group[-1][1]:span[0]].strip():
                break
            group.append(span)
        place = self._from_spans(key[group[0][0]:group[-1][1]], group)
        rest = key[:group[0][0]] + " " + key[group[-1][1]:]
        return place, " ".join(rest.split())

    def suggest(self, text: str, limit: int = 5) -> list[Region]:
        """Regions whose names are spelt closest to ``text``."""
        key = normalize(text)
        close = difflib.get_close_matches(key, list(self.names), n=limit * 2, cutoff=0.5)
        if not close and _compact(key):
            close = difflib.get_close_matches(_compact(key), list(self.names), n=limit * 2, cutoff=0.5)
        out: list[Region] = []
        for name in close:
            for iri, _, _ in self.names[name]:
                if self.regions[iri] not in out:
                    out.append(self.regions[iri])
        return out[:limit]

    def complete(self, prefix: str, limit: int = 10) -> list[Region]:
        """Regions whose names, pinyin or code begin with ``prefix`` (then contain it), province first."""
        key = normalize(prefix).strip()
        if not key:
            return []
        starts, contains = set(), set()
        for name, entries in self.names.items():
            if name.startswith(key) or name.startswith(_compact(key) or key):
                starts.update(iri for iri, _, _ in entries)
            elif key in name:
                contains.update(iri for iri, _, _ in entries)

        def order(iri: str) -> tuple:
            region = self.regions[iri]
            return (_LEVEL_ORDER.get(region.level or "", 3), region.adcode)

        ranked = sorted(starts, key=order) + sorted(contains - starts, key=order)
        return [self.regions[iri] for iri in ranked[:limit]]

    def region(self, ref: str) -> Region | None:
        """A region by IRI or current code."""
        return self.regions.get(ref) or self.by_code.get(ref)

    def ancestors(self, iri: str) -> set[str]:
        """The region and every region it lies in."""
        seen = set()
        while iri and iri in self.regions and iri not in seen:
            seen.add(iri)
            iri = self.regions[iri].parent or ""
        return seen

    def path_label(self, region: Region, lang: str = "zh") -> str:
        """The region with its parents, e.g. 黑龙江省哈尔滨市道里区 / Daoli, Harbin, Heilongjiang."""
        chain = []
        iri: str | None = region.iri
        while iri and iri in self.regions:
            chain.append(self.regions[iri])
            iri = self.regions[iri].parent
        if lang == "en":
            return ", ".join(r.label("en") for r in chain)
        return "".join(r.label("zh") for r in reversed(chain))


_EN_GENERIC = (("自治县", " Autonomous County"), ("林区", " Forest District"), ("区", " District"), ("县", " County"),
               ("市", " City"), ("地区", " Prefecture"))


def romanised(name: str) -> str:
    """An English name for a region the data names only in Chinese: Hanyu Pinyin of its proper name (pypinyin,
    the GB/T 16159 spelling without tones) and its generic in English — 道里区 → Daoli District, 宾县 → Bin
    County, 漠河市 → Mohe City."""
    for suffix, english in _EN_GENERIC:
        if name.endswith(suffix) and len(name) > len(suffix):
            proper = pinyin_key(name[: -len(suffix)])
            return (proper[:1].upper() + proper[1:] + english) if proper else name
    proper = pinyin_key(name)
    return proper[:1].upper() + proper[1:] if proper else name


def _strip_suffix(name: str) -> str:
    for suffix in _SUFFIXES:
        if name.endswith(suffix) and len(name) > len(suffix):
            return name[: -len(suffix)]
    return name


def _compact(text: str) -> str:
    """Latin text without spaces, hyphens and apostrophes (Da Hinggan Ling → dahingganling); '' otherwise."""
    folded = normalize(text)
    if not folded or not all(ch.isascii() for ch in folded):
        return ""
    return re.sub(r"[\s'’\-.]", "", _EN_SUFFIX.sub("", folded))


def _strip_place_noise(text: str) -> str:
    return re.sub(r"[\s,，、.。·]+", "", text)
