"""The service catalogue (SKOS, ``ontology/services.ttl``) and the small schemes: concepts and their hierarchy.

Loaded from the store through named queries (``scheme-labels``, ``scheme-hierarchy``), so it reads the
same graph on the embedded and the remote store. What a word names is decided in one place, the
vocabulary resolver (:mod:`ipgraph.model.resolver`, over each scheme's :mod:`ipgraph.model.lexicon`); the
lookups here (:meth:`Catalog.find`, :meth:`~Catalog.resolve`, :meth:`~Catalog.get`, :meth:`~Catalog.suggest`)
are that lexicon's. A broader concept stands for its narrower ones (``skos:broader*``): :meth:`Catalog.expand`.

The same class reads the small schemes too (institution kinds, channels, fees, IP types, designations, …).
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cached_property

from .iris import ID
from .text import find_spans, index_keys, normalize  # noqa: F401  (re-exported: the one folding of text)

SERVICES = ID["scheme/services"]
INSTITUTION_KINDS = ID["scheme/institution-kinds"]
CHANNELS = ID["scheme/channels"]
FEES = ID["scheme/fees"]
IP_TYPES = ID["scheme/ip-types"]

# How a text matched a concept (see ipgraph.model.lexicon for the order they are tried in).
EXACT, SYNONYM, NOTATION, PARTIAL, NARROWER = "exact", "synonym", "notation", "partial", "narrower"
KEY, SPEC, SITUATION, WORD, PINYIN, FUZZY = "key", "spec phrasing", "situation", "word", "pinyin", "fuzzy"
KIND = "kind"  # a question naming only an institution kind: what the specification says such a kind offers
# How each way of matching is named to people (zh, en): the interpretation says what it read and why.
HOW_LABELS = {EXACT: ("名称", "name"), SYNONYM: ("同义词", "synonym"), NOTATION: ("条款编号", "notation"),
              KEY: ("标识", "key"), SPEC: ("规范表述", "the specification's wording"),
              SITUATION: ("情形用语", "situation word"), WORD: ("情形用语", "situation word"),
              PINYIN: ("拼音", "pinyin"), PARTIAL: ("部分匹配", "partial match"), FUZZY: ("近似拼写", "near spelling"),
              NARROWER: ("下位服务", "narrower service"), KIND: ("机构类别", "institution kind")}
# label properties → how a label matched; ipg:specPhrasing and ipg:situation are sub-properties of skos:hiddenLabel
LABEL_HOW = {"prefLabel": EXACT, "altLabel": SYNONYM, "hiddenLabel": SYNONYM, "specPhrasing": SPEC,
             "situation": SITUATION}


@dataclass(frozen=True)
class Concept:
    """One SKOS concept: IRI, notation, labels by language, and its neighbours in the hierarchy."""

    iri: str
    notation: str | None
    labels: dict[str, str]
    alt_labels: tuple[tuple[str, str], ...] = ()
    broader: tuple[str, ...] = ()
    narrower: tuple[str, ...] = ()
    annotations: dict[str, str] = field(default_factory=dict)
    other_labels: tuple[tuple[str, str, str], ...] = ()  # (how, lang, label): hidden, spec phrasing, situation

    def label(self, lang: str = "zh") -> str:
        """The prefLabel in ``lang``, else in the other language, else the notation or IRI."""
        return self.labels.get(lang) or self.labels.get("zh") or self.labels.get("en") or self.notation or self.iri

    def to_json(self) -> dict:
        return {"iri": self.iri, "notation": self.notation, "labels": dict(self.labels)}


@dataclass(frozen=True)
class ConceptMatch:
    """A concept the text resolved to, how (exact / synonym / notation / partial) and the words that matched."""

    concept: Concept
    how: str
    matched: str


@dataclass(frozen=True)
class Expansion:
    """A concept reached from a resolved one over ``skos:narrower*``; ``depth`` 0 is the resolved concept."""

    concept: Concept
    depth: int
    via: str


class UnknownConcept(LookupError):
    """The text names no concept of the scheme (``suggestions`` are the closest), or several equally
    (``ambiguous``; ``suggestions`` are those concepts)."""

    def __init__(self, text: str, suggestions: list[Concept], *, ambiguous: bool = False):
        super().__init__(f"{'several concepts match' if ambiguous else 'no concept matches'} {text!r}")
        self.text = text
        self.suggestions = suggestions
        self.ambiguous = ambiguous


class Catalog:
    """A SKOS scheme in memory: concepts by IRI, the hierarchy for expansion, its words (:attr:`lexicon`)."""

    def __init__(self, concepts: dict[str, Concept]):
        self.concepts = concepts

    @cached_property
    def lexicon(self):
        """The scheme's label index (:class:`ipgraph.model.lexicon.Lexicon`), built on first use."""
        from .lexicon import Lexicon  # the lexicon reads concepts of this module

        return Lexicon(self)

    @property
    def by_key(self) -> dict[str, list[tuple[str, str, str]]]:
        return self.lexicon.by_key

    # -- loading ----------------------------------------------------------------------------------
    @classmethod
    def from_rows(cls, labels: list[dict], hierarchy: list[dict], annotations: list[dict] = ()) -> "Catalog":
        """Build from query rows (``concept notation labelProperty label`` and ``narrower broader``)."""
        notation: dict[str, str | None] = {}
        pref: dict[str, dict[str, str]] = defaultdict(dict)
        alt: dict[str, list[tuple[str, str]]] = defaultdict(list)
        other: dict[str, list[tuple[str, str, str]]] = defaultdict(list)
        for row in sorted(labels, key=lambda r: (str(r["concept"]), str(r["labelProperty"]), str(r["label"]))):
            iri = str(row["concept"])
            notation.setdefault(iri, str(row["notation"]) if row.get("notation") is not None else None)
            label = row["label"]
            lang = (getattr(label, "language", None) or "zh")[:2]
            how = LABEL_HOW.get(re.split(r"[#/]", str(row["labelProperty"]))[-1], SYNONYM)
            if how == EXACT:
                pref[iri].setdefault(lang, str(label))
            elif str(row["labelProperty"]).endswith("#altLabel"):
                if (lang, str(label)) not in alt[iri]:
                    alt[iri].append((lang, str(label)))
            elif (how, lang, str(label)) not in other[iri]:
                other[iri].append((how, lang, str(label)))
        broader: dict[str, set[str]] = defaultdict(set)
        narrower: dict[str, set[str]] = defaultdict(set)
        for row in hierarchy:
            n, b = str(row["narrower"]), str(row["broader"])
            broader[n].add(b)
            narrower[b].add(n)
        notes: dict[str, dict[str, str]] = defaultdict(dict)
        for row in annotations:
            for key, value in row.items():
                if key != "concept" and value is not None:
                    notes[str(row["concept"])][key] = str(value)
        concepts = {
            iri: Concept(iri, notation.get(iri), dict(pref[iri]), tuple(alt[iri]),
                         tuple(sorted(broader[iri])), tuple(sorted(narrower[iri])), dict(notes[iri]),
                         tuple(other[iri]))
            for iri in sorted(notation)  # IRI order, whatever order the store gave the rows in
        }
        return cls(concepts)

    # -- lookup (the lexicon's) ------------------------------------------------------------------
    def get(self, ref: str) -> Concept | None:
        """A concept by IRI, key, notation or label; None when there is none or several."""
        try:
            match = self.lexicon.term(ref)
        except LookupError:
            return None
        return None if match.how == FUZZY else match.concept

    def spans(self, text: str) -> list[tuple[int, int, str]]:
        """Where labels of this scheme occur in normalised ``text`` (longest first, no overlap)."""
        return self.lexicon.spans(text)

    def find(self, text: str) -> list[ConceptMatch]:
        """The concepts a question names; [] when none (:meth:`ipgraph.model.lexicon.Lexicon.find`)."""
        return self.lexicon.find(text)

    def resolve(self, text: str) -> list[ConceptMatch]:
        """Like :meth:`find`, but raises :class:`UnknownConcept` with suggestions when nothing matches."""
        matches = self.find(text)
        if not matches:
            raise UnknownConcept(text, self.suggest(text))
        return matches

    def suggest(self, text: str, limit: int = 5) -> list[Concept]:
        """The concepts whose labels are closest to ``text``, for a "did you mean" answer."""
        return self.lexicon.suggest(text, limit)

    # -- hierarchy --------------------------------------------------------------------------------
    def descendants(self, iri: str) -> set[str]:
        """The concept and everything under it (``skos:narrower*``)."""
        return {e.concept.iri for e in self.expand([iri])}

    def ancestors(self, iri: str) -> set[str]:
        """The concept and everything above it (``skos:broader*``)."""
        seen, stack = {iri}, [iri]
        while stack:
            for up in self.concepts[stack.pop()].broader:
                if up in self.concepts and up not in seen:
                    seen.add(up)
                    stack.append(up)
        return seen

    def expand(self, iris: Iterable[str]) -> list[Expansion]:
        """Each given concept (depth 0) and its narrower concepts, breadth first, at their smallest depth.

        ``via`` names the given concept a narrower one was reached from (the first, in IRI order, when
        several reach it at the same depth), so a result can say "expanded from 侵权分析".
        """
        best: dict[str, Expansion] = {}
        frontier = sorted(i for i in set(iris) if i in self.concepts)
        for iri in frontier:
            best[iri] = Expansion(self.concepts[iri], 0, iri)
        depth = 0
        while frontier:
            depth += 1
            nxt = []
            for iri in frontier:
                for down in self.concepts[iri].narrower:
                    if down in self.concepts and down not in best:
                        best[down] = Expansion(self.concepts[down], depth, best[iri].via)
                        nxt.append(down)
            frontier = sorted(nxt)
        return sorted(best.values(), key=lambda e: (e.depth, e.concept.iri))

    def roots(self) -> list[Concept]:
        """Concepts with no broader concept in the scheme, by notation."""
        return sorted((c for c in self.concepts.values() if not any(b in self.concepts for b in c.broader)),
                      key=_notation_key)

    def tree(self, iri: str | None = None) -> list[dict]:
        """The scheme as nested ``{iri, notation, labels, alt_labels, narrower: [...]}`` (both languages).

        The hierarchy is a DAG (a clause item sits under its clause and under topics), so a concept
        appears under each of its broader concepts.
        """
        children = self.roots() if iri is None else sorted(
            (self.concepts[n] for n in self.concepts[iri].narrower if n in self.concepts), key=_notation_key)
        out = []
        for concept in children:
            alt: dict[str, list[str]] = defaultdict(list)
            for lang, label in concept.alt_labels:
                alt[lang].append(label)
            out.append({**concept.to_json(), "alt_labels": dict(alt), "narrower": self.tree(concept.iri)})
        return out


def _notation_key(concept: Concept) -> tuple:
    notation = concept.notation or concept.iri
    topic = notation.startswith("topic-")
    parts = re.split(r"[.-]", notation)
    return (topic, [(0, int(p), "") if p.isdigit() else (1, 0, p) for p in parts])
