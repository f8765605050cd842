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

from collections.abc import Mapping
from dataclasses import dataclass

from .catalog import Catalog, ConceptMatch, UnknownConcept
from .places import AmbiguousPlace, Gazetteer, Place, UnknownPlace, haversine_km
from .text import normalize

__all__ = ["Resolver", "RegionHints", "UnknownConcept", "AmbiguousPlace", "UnknownPlace"]

# A row's coordinates settle an ambiguous region when the nearest candidate's seat is at most this share of
# the distance to the next one (the two 向阳区 seats are 60 km apart; a point in one is ≤ 15 km from its seat).
_DECIDING_RATIO = 0.5


@dataclass(frozen=True)
class RegionHints:
    """What else a row says about where it is: a point, and texts that may name a parent region."""

    lat: float | None = None
    lon: float | None = None
    texts: tuple[str, ...] = ()


class Resolver:
    """Text → concept of a named scheme, text → region; one instance shared by every entrance."""

    def __init__(self, schemes: Mapping[str, Catalog], gazetteer: Gazetteer | None = None):
        self.schemes = dict(schemes)
        self.gazetteer = gazetteer

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

    # -- regions ----------------------------------------------------------------------------------
    def place(self, text: str) -> Place:
        """The region a place field names. Raises UnknownPlace or AmbiguousPlace (with candidates)."""
        return self._gazetteer().lookup(text)

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
