"""The vocabulary resolver: the one place that decides what a word names, for every entrance.

The importer (a spreadsheet cell), the matcher (a question, a filter value), the finder and the CLI all ask
a :class:`Resolver`, built from the schemes' :class:`~ipgraph.model.catalog.Catalog` objects and the
:class:`~ipgraph.model.places.Gazetteer` handed in (the model reads no store; ``store.vocabularies`` loads
them). It answers with the concept, how it matched and the label that matched — or, when it cannot,
raises with the closest candidates.

Sources of words, all data: every ``skos:prefLabel``, ``skos:altLabel`` and ``skos:hiddenLabel`` in zh and
en, ``skos:notation`` and the key (IRI last segment) of each concept of ``ontology/services.ttl`` and
``ontology/schemes.ttl``; ``ipg:specPhrasing`` — the specification's own wording of each catalogue item,
generated from ``spec/`` into ``ontology/spec-phrasing.ttl`` (``scripts/spec_phrasing.py``);
``ipg:situation`` — how people describe needing a service (``ontology/situations.ttl``, each with its
reason); the gazetteer's names, codes, pinyin. Text is folded once (:mod:`ipgraph.model.text`: NFKC,
OpenCC traditional → simplified, case, punctuation and spacing), read with jieba (questions), pypinyin
(pinyin) and rapidfuzz (typos) in :mod:`ipgraph.model.lexicon`.

A region a cell names ambiguously (向阳区 is in 鹤岗 and in 佳木斯) is settled by the row's other facts —
its coordinates, or a parent region named in its address, name or area served — and only otherwise
raises :class:`~ipgraph.model.places.AmbiguousPlace` with the candidates.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cached_property

from .abroad import abroad_names
from .catalog import KEY, KIND, NOTATION, Catalog, ConceptMatch, UnknownConcept
from .coordinates import parse_point
from .national_places import NationalPlaces, NationalRegion
from .parties import MINE, OTHERS
from .places import AmbiguousPlace, BadCoordinates, Gazetteer, Place, UnknownPlace, check_point, haversine_km
from .text import is_latin_text, latin_key, normalize

__all__ = ["Resolver", "RegionHints", "OutsidePlace", "UnknownConcept", "AmbiguousPlace", "UnknownPlace",
           "BadCoordinates"]

# A row's coordinates settle an ambiguous region when the nearest candidate's seat is at most this share of
# the distance to the next one (the two 向阳区 seats are 60 km apart; a point in one is ≤ 15 km from its seat).
_DECIDING_RATIO = 0.5

COORDINATES, NATIONAL = "coordinates", "national list"  # how a typed point / a place of another province was read
FUZZY_PLACE = "fuzzy"  # how a misspelt place name was read (哈尔宾 → 哈尔滨)
_WORD = re.compile(r"[a-z0-9]+(?:'[a-z0-9]+)*")
_EN_GENERIC = re.compile(r"\s+(city|county|district|prefecture|province)$")

SERVICES, KINDS, IP_TYPES = "services", "institution-kinds", "ip-types"  # the scheme names entrances register
_EVERY_NODE = ("6.1", "6.2")  # the services every node and outlet offers before its focus (规范 6.1, 6.2, 6.3)
IP_SLOT = "{ip}"  # in a situation label: any name of an IP type (ontology/situations.ttl)
# in situation labels: any word for a place outside China (model/abroad.py); the parties of a complaint
# (model/parties.py). Each gives its words when first needed.
SLOTS = {"{abroad}": abroad_names, "{others}": lambda: OTHERS, "{mine}": lambda: MINE}


@dataclass(frozen=True)
class RegionHints:
    """What else a row says about where it is: a point, and texts that may name a parent region."""

    lat: float | None = None
    lon: float | None = None
    texts: tuple[str, ...] = ()


@dataclass(frozen=True)
class OutsidePlace(Place):
    """A place of another province (the national list): its point, and the division, for the answer to say
    where the network is (``region`` is None: it is none of the network's regions)."""

    national: NationalRegion | None = None


class Resolver:
    """Text → concept of a named scheme, text → region; one instance shared by every entrance.

    ``national``: China's divisions (:mod:`ipgraph.model.national_places`), so that a place of another
    province is read as that place (:class:`OutsidePlace`) rather than "unknown" or a look-alike.
    """

    def __init__(self, schemes: Mapping[str, Catalog], gazetteer: Gazetteer | None = None,
                 national: NationalPlaces | None = None):
        self.schemes = dict(schemes)
        self.gazetteer = gazetteer
        self.national = national
        if SERVICES in self.schemes and IP_TYPES in self.schemes:  # situations about a right: 商标被…, 配方被…
            names = [label for c in self.schemes[IP_TYPES].concepts.values()
                     for label in [*c.labels.values(), *(l for _, l in c.alt_labels),
                                   *(l for _, _, l in c.other_labels)]]
            self.schemes[SERVICES].lexicon.fill(IP_SLOT, lambda: names)
        if SERVICES in self.schemes:  # needs told with a foreign place (去德国参加展会) or by the parties of a complaint
            for slot, words in SLOTS.items():
                self.schemes[SERVICES].lexicon.fill(slot, words)

    def catalog(self, scheme: str) -> Catalog:
        return self.schemes[scheme]

    # -- concepts ---------------------------------------------------------------------------------
    def term(self, scheme: str, text: str) -> ConceptMatch:
        """The one concept of ``scheme`` a cell or filter value names, and how.

        Raises :class:`UnknownConcept`: ``ambiguous`` with the concepts it could be, or with the closest.
        """
        return self.schemes[scheme].lexicon.term(text)

    def read(self, scheme: str, text: str) -> list[ConceptMatch]:
        """The concepts of ``scheme`` a whole question names; [] when none."""
        return self.schemes[scheme].lexicon.find(text)

    def suggest(self, scheme: str, text: str, limit: int = 5):
        return self.schemes[scheme].lexicon.suggest(text, limit)

    def spans(self, scheme: str, text: str) -> list[tuple[int, int, str]]:
        return self.schemes[scheme].lexicon.spans(normalize(text))

    def kind_in(self, text: str) -> tuple[ConceptMatch, str] | None:
        """An institution kind named inside a question (图书馆, 专利代理机构, 维权工作站, "library"), and the
        question without it; None when it names none.

        A kind's name inside a longer service label (园区 in 园区产业知识产权信息咨询) is the service's, not a
        kind: the kind is taken only where no longer label of the services scheme covers it. Notations and keys
        are not read inside questions (6.3.3.5 is a service number as much as a kind).
        """
        if KINDS not in self.schemes or SERVICES not in self.schemes:
            return None
        key = normalize(text)
        kinds = self.schemes[KINDS].lexicon
        services = self.spans(SERVICES, key)
        for start, end, label in kinds.spans(key):
            entries = [e for e in kinds.by_key[label] if e[1] not in (NOTATION, KEY)]
            if len({iri for iri, _, _ in entries}) != 1:
                continue
            if any(s <= start and end <= e and e - s > end - start for s, e, _ in services):
                continue
            iri, how, matched = entries[0]
            rest = " ".join((key[:start] + " " + key[end:]).split())
            return ConceptMatch(kinds.catalog.concepts[iri], how, matched), rest
        return None

    def kind_services(self, kind: ConceptMatch) -> list[ConceptMatch]:
        """What an institution of a kind offers by the specification, for a question that names only the kind:
        the basic and professional services every node and outlet builds on (6.1, 6.2; 规范 6.3: 在6.1和6.2所列
        服务的基础上…服务重点) and the kind's own focus services (the services concept of the kind's notation)."""
        wanted = (*_EVERY_NODE, kind.concept.notation)
        return [ConceptMatch(concept, KIND, kind.matched) for notation in wanted if notation
                for concept in self.schemes[SERVICES].concepts.values() if concept.notation == notation]

    # -- regions ----------------------------------------------------------------------------------
    def place(self, text: str) -> Place:
        """What a place field names, the one reader of every place box: coordinates typed as text
        (``45.75,126.63``; :mod:`~ipgraph.model.coordinates`), a region of the network (name, code, pinyin,
        English, traditional), a place of another province (:class:`OutsidePlace`), a region misspelt by one
        character. Raises BadCoordinates (a point out of range), UnknownPlace or AmbiguousPlace (candidates)."""
        point = parse_point(text)
        if point is not None:
            lat, lon = check_point(*point)
            return Place(None, lat, lon, COORDINATES, text.strip())
        try:
            return self._gazetteer().lookup(text)
        except UnknownPlace:
            outside = self._outside(self.national.lookup(text) if self.national else None, text.strip())
            if outside is not None:
                return outside
            near = self._near_names(normalize(text).strip(), whole=True)
            if len(near) != 1:
                raise
            return self._fuzzy_place(text, near[0][2])

    def _outside(self, region: NationalRegion | None, matched: str) -> OutsidePlace | None:
        """The national division as a place, when it lies outside the network's provinces."""
        if region is None or self.in_network(region.adcode):
            return None
        return OutsidePlace(None, region.lat, region.lon, NATIONAL, matched, region)

    def in_network(self, adcode: str) -> bool:
        """Whether a division code lies in one of the gazetteer's provinces."""
        return adcode[:2] in self._provinces

    @cached_property
    def _provinces(self) -> frozenset[str]:
        return frozenset(r.adcode[:2] for r in self._gazetteer().regions.values() if r.level == "province")

    def place_in(self, text: str, avoid: list[tuple[int, int, str]] = ()) -> tuple[Place, str] | None:
        """A place named inside a question, and the question without it (None: it names none): a name as the
        gazetteer spells it, else a place of another province (:class:`OutsidePlace`), else a name misspelt by
        one character (哈尔宾, Qiqihaer) — see :meth:`_near_names`.
        ``avoid``: spans of normalised ``text`` taken by service labels. Raises AmbiguousPlace when a misspelling
        is equally near several regions."""
        gaz = self._gazetteer()
        key = normalize(text)
        taken = {i for start, end, _ in avoid for i in range(start, end)}
        if all(i in taken or not ch.strip() for i, ch in enumerate(key)):  # the question is service labels only
            return None
        found = gaz.find_in(key, avoid)
        if found is not None:
            return found
        free = [(s, e) for s, e, _ in avoid]
        if self.national is not None and (named := self.national.find_in(key, avoid=free)) is not None:
            region, rest = named
            if (outside := self._outside(region, region.name)) is not None:
                return outside, rest
        for start, end, entries in self._near_names(key):
            if all(end <= s or start >= e for s, e in free):
                place = self._fuzzy_place(key[start:end], entries)
                return place, " ".join((key[:start] + " " + key[end:]).split())
        return None

    def _fuzzy_place(self, text: str, entries: list[tuple[str, str, str]]) -> Place:
        gaz = self._gazetteer()
        regions = sorted((gaz.regions[iri] for iri in {iri for iri, _, _ in entries}), key=lambda r: r.adcode)
        if len(regions) > 1:
            raise AmbiguousPlace(text, regions)
        region = regions[0]
        if region.lat is None or region.lon is None:
            raise UnknownPlace(text, [])
        return Place(region, region.lat, region.lon, FUZZY_PLACE, entries[0][2])

    def _near_names(self, key: str, whole: bool = False) -> list[tuple[int, int, list]]:
        """Stretches of ``key`` one letter or character from a region's name, leftmost first, with the names'
        entries. Chinese: the proper part of a name of three characters or more (哈尔滨, 齐齐哈尔; a two-character
        name one character off is another word as often as a typo: 新兴 / 新兴产业), same length, one character
        replaced. Latin: a word (or two) folded like pinyin (ning'an → ningan) that is a name, or one edit from a
        name of six letters or more. ``whole``: ``key`` is a whole place field, compared as one stretch."""
        from rapidfuzz.distance import Levenshtein

        gaz = self._gazetteer()
        one_off, order = self._near_index
        found: list[tuple[int, int, list]] = []
        if is_latin_text(key):
            words = [(m.start(), m.end()) for m in _WORD.finditer(key)]
            if whole:
                words = [(words[0][0], words[-1][1])] if words else []
            spans = [(a, b) for i, (a, _) in enumerate(words) for _, b in words[i:i + 2]]
            for start, end in spans:
                folded = latin_key(_EN_GENERIC.sub("", key[start:end]))
                if folded in gaz.names and not folded.isdigit():
                    found.append((start, end, gaz.names[folded]))
                elif len(folded) >= 6 and not self._service_spelling(folded):
                    # the names of one length and of one letter less and more, in that order, one edit away
                    rank = {len(folded): 0, len(folded) - 1: 1, len(folded) + 1: 2}
                    found_near = {k for v in (folded, *_deletions(folded)) for k in one_off.get(v, ())}
                    near = sorted((k for k in found_near if len(k) in rank and Levenshtein.distance(folded, k) == 1),
                                  key=lambda k: (rank[len(k)], order[k]))
                    if near:
                        found.append((start, end, [e for k in near for e in gaz.names[k]]))
        else:
            sizes = [len(key)] if whole else [4, 3]
            for size in sizes:
                for start in range(len(key) - size + 1):
                    window = key[start:start + size]
                    if not all("\u3400" <= ch <= "\u9fff" for ch in window):
                        continue
                    near = sorted({k for i in range(size) for k in one_off.get(window[:i] + "\0" + window[i + 1:], ())
                                   if k != window}, key=order.__getitem__)
                    if near:
                        found.append((start, start + size, [e for k in near for e in gaz.names[k]]))
        found.sort(key=lambda f: (f[0], -(f[1] - f[0])))
        return found

    def _service_spelling(self, word: str) -> bool:
        """Whether a Latin word is part of a service's pinyin or English label (banquan, search): then it is
        not a misspelt place (banquan is one letter from baiquan, 拜泉)."""
        pinyin, words = self._service_latin
        return word in pinyin or word in words

    @cached_property
    def _service_latin(self) -> tuple[str, frozenset[str]]:
        """The services' pinyin keys as one text (a word inside one of them is inside it: no key holds the
        newline between them), and the words of their Latin labels: asked of every Latin word of a question
        that is not a place, going through the lexicon each time took ~5 ms a word (a fifth of the questions
        of ``bench/match.py`` are English)."""
        if SERVICES not in self.schemes:
            return "", frozenset()
        lexicon = self.schemes[SERVICES].lexicon
        return ("\n".join(lexicon.by_pinyin),
                frozenset(w for key in lexicon.by_key if is_latin_text(key) for w in key.split()))

    @cached_property
    def _place_keys(self) -> tuple[dict[int, tuple[str, ...]], dict[int, tuple[str, ...]]]:
        """The gazetteer's names by length: Chinese proper names (no 省/市/县/区/旗 ending) of 3 characters or
        more, and Latin names."""
        chinese: dict[int, list[str]] = defaultdict(list)
        latin: dict[int, list[str]] = defaultdict(list)
        for name in self._gazetteer().names:
            if name.isdigit():
                continue
            if is_latin_text(name):
                latin[len(name)].append(name)
            elif len(name) >= 3 and name[-1] not in "省市县区旗盟" and all("\u3400" <= ch <= "\u9fff" for ch in name):
                chinese[len(name)].append(name)
        return ({n: tuple(k) for n, k in chinese.items()}, {n: tuple(k) for n, k in latin.items()})

    @cached_property
    def _near_index(self) -> tuple[dict[str, tuple[str, ...]], dict[str, int]]:
        """:meth:`_near_names`' candidates without comparing every name: for a Chinese name, each spelling with
        one character replaced by NUL (a window one character off shares one of them), for a Latin name itself
        and each spelling with one letter dropped (a word one edit away shares one of its own); and each name's
        place among the names of its length (the order a scan of ``_place_keys`` finds them in). Comparing
        every name was ~0.5 ms a question, a third of an ``/api/match`` answer's time."""
        chinese, latin = self._place_keys
        one_off: dict[str, list[str]] = defaultdict(list)
        order: dict[str, int] = {}
        for names in chinese.values():
            for i, name in enumerate(names):
                order[name] = i
                for at in range(len(name)):
                    one_off[name[:at] + "\0" + name[at + 1:]].append(name)
        for names in latin.values():
            for i, name in enumerate(names):
                order[name] = i
                for variant in {name, *_deletions(name)}:
                    one_off[variant].append(name)
        return {k: tuple(v) for k, v in one_off.items()}, order

    def region(self, text: str, hints: RegionHints | None = None) -> Place:
        """Like :meth:`place`, but an ambiguous name is settled by ``hints`` when they decide it."""
        try:
            return self.place(text)
        except AmbiguousPlace as error:
            settled = self._settle(error.candidates, hints or RegionHints())
            if settled is None:
                raise
            region, how = settled
            return Place(region, region.lat, region.lon, how, text)

    def _settle(self, candidates: list, hints: RegionHints):
        """The candidate the row's facts decide, and how (``name and parent`` / ``name and coordinates``)."""
        gaz = self._gazetteer()
        named: set[str] = set()
        for text in hints.texts:
            for _, _, key in gaz.spans(normalize(text or "")):
                named.update(iri for iri, _, _ in gaz.names.get(key, []))
        inside = [r for r in candidates if (gaz.ancestors(r.iri) - {r.iri}) & named]
        if len(inside) == 1:
            return inside[0], "name and parent"
        if hints.lat is not None and hints.lon is not None:
            placed = sorted((haversine_km(hints.lat, hints.lon, r.lat, r.lon), r.adcode, r)
                            for r in candidates if r.lat is not None and r.lon is not None)
            if len(placed) == 1 or (len(placed) >= 2 and placed[0][0] <= _DECIDING_RATIO * placed[1][0]):
                return placed[0][2], "name and coordinates"
        return None

    def _gazetteer(self) -> Gazetteer:
        if self.gazetteer is None:
            raise LookupError("this resolver was built without a gazetteer")
        return self.gazetteer


def _deletions(word: str) -> set[str]:
    """``word`` with one letter dropped, each way."""
    return {word[:i] + word[i + 1:] for i in range(len(word))}
