"""The service catalogue (SKOS, ``ontology/services.ttl``): what people type → the concepts they mean.

Loaded from the store through named queries (``scheme-labels``, ``scheme-hierarchy``), so it reads the
same graph on the embedded and the remote store. Text is compared after :func:`normalize` (NFKC folds
full-width to half-width, then case folding), against zh and en ``skos:prefLabel`` (match type
``exact``), ``skos:altLabel`` / ``skos:hiddenLabel`` (``synonym``) and ``skos:notation`` (``notation``).
A whole question is scanned for the labels it contains (longest first); failing that, a word that is part
of labels gives a ``partial`` match; failing that, :class:`UnknownConcept` carries the closest labels.
A broader concept stands for its narrower ones (``skos:broader*``): :meth:`Catalog.expand`.

The same class reads the small schemes too (institution kinds, channels, fees, IP types).
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from .iris import ID

SERVICES = ID["scheme/services"]
INSTITUTION_KINDS = ID["scheme/institution-kinds"]
CHANNELS = ID["scheme/channels"]
FEES = ID["scheme/fees"]
IP_TYPES = ID["scheme/ip-types"]

EXACT, SYNONYM, NOTATION, PARTIAL, NARROWER = "exact", "synonym", "notation", "partial", "narrower"
_HOW = {"pref": EXACT, "alt": SYNONYM, "hidden": SYNONYM}

# Words of a question that say nothing about the service (used only for the partial match).
_NOISE_ZH = ("什么地方", "哪里", "哪儿", "哪家", "哪个", "哪些", "能够", "可以", "能", "做", "办理", "提供", "找",
             "有没有", "有", "我们", "我", "想", "要", "需要", "的", "在", "附近", "周边", "吗", "呢", "哪", "请问",
             "服务机构", "机构")
_NOISE_EN = {"where", "in", "can", "i", "we", "get", "an", "a", "the", "near", "me", "do", "does", "find", "who",
             "offers", "offer", "for", "my", "to", "is", "are", "there", "which", "institution", "institutions",
             "please", "help", "with", "around", "nearby", "service", "services", "of", "on", "how", "any"}
_PUNCT = re.compile(r"[\s\"'`{}\[\]()<>?？!！,，.。;；:：、/\\|*#@$%^&=+~-]+")
_LATIN = re.compile(r"[a-z0-9]")


def normalize(text: str) -> str:
    """NFKC (full-width → half-width, compatibility forms) then case folding, whitespace collapsed."""
    return " ".join(unicodedata.normalize("NFKC", text).casefold().split())


def _is_latin(char: str) -> bool:
    return bool(_LATIN.match(char))


KeyIndex = dict[str, tuple[tuple[int, ...], frozenset[str]]]


def index_keys(keys: Iterable[str]) -> KeyIndex:
    """Keys (of two characters or more) by their first two characters: the lengths they come in (longest first)
    and the keys themselves, for :func:`find_spans` on a large vocabulary. A text is then read once, each
    position tried against the few keys that start with its character pair."""
    grouped: dict[str, set[str]] = defaultdict(set)
    for key in keys:
        if len(key) < 2:
            raise ValueError(f"index_keys takes keys of two characters or more, not {key!r}")
        grouped[key[:2]].add(key)
    return {pair: (tuple(sorted({len(k) for k in group}, reverse=True)), frozenset(group))
            for pair, group in grouped.items()}


def find_spans(text: str, keys: Iterable[str] | KeyIndex) -> list[tuple[int, int, str]]:
    """Non-overlapping occurrences of ``keys`` in normalised ``text``, longest first.

    A key starting or ending with a Latin letter or digit must stand as a whole word there ("fto" is
    found in "an fto search", not in "photos"); Chinese keys match anywhere.
    """
    found = []
    if isinstance(keys, dict):  # see index_keys
        occurrences = []
        for start in range(len(text) - 1):
            entry = keys.get(text[start:start + 2])
            if entry is not None:
                lengths, members = entry
                occurrences += [(start, text[start:start + n]) for n in lengths
                                if start + n <= len(text) and text[start:start + n] in members]
    else:
        occurrences = []
        for key in keys:
            start = text.find(key)
            while start >= 0:
                occurrences.append((start, key))
                start = text.find(key, start + 1)
    for start, key in occurrences:
        end = start + len(key)
        before_ok = start == 0 or not (_is_latin(key[0]) and _is_latin(text[start - 1]))
        after_ok = end == len(text) or not (_is_latin(key[-1]) and _is_latin(text[end]))
        if before_ok and after_ok:
            found.append((start, end, key))
    found.sort(key=lambda span: (-(span[1] - span[0]), span[0]))
    taken: list[tuple[int, int, str]] = []
    for span in found:
        if all(span[1] <= other[0] or span[0] >= other[1] for other in taken):
            taken.append(span)
    return sorted(taken)


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
    """Nothing in the catalogue matches the text; ``suggestions`` are the closest concepts."""

    def __init__(self, text: str, suggestions: list[Concept]):
        super().__init__(f"no concept matches {text!r}")
        self.text = text
        self.suggestions = suggestions


class Catalog:
    """A SKOS scheme in memory: concepts by IRI, a label index for lookup, the hierarchy for expansion."""

    def __init__(self, concepts: dict[str, Concept]):
        self.concepts = concepts
        self.by_key: dict[str, list[tuple[str, str, str]]] = defaultdict(list)  # key → [(iri, how, label)]
        for concept in concepts.values():
            entries = [(label, "pref") for label in concept.labels.values()]
            entries += [(label, "alt") for _, label in concept.alt_labels]
            for label, kind in entries:
                for variant in _variants(normalize(label)):
                    self._index(variant, concept.iri, _HOW[kind], label)
            if concept.notation:
                self._index(normalize(concept.notation), concept.iri, NOTATION, concept.notation)
        # longest keys first; single characters are too ambiguous to find inside a question
        self._scan_keys = index_keys(k for k in self.by_key if len(k) >= 2)

    def _index(self, key: str, iri: str, how: str, label: str) -> None:
        if key and (iri, how, label) not in self.by_key[key]:
            self.by_key[key].append((iri, how, label))

    # -- loading ----------------------------------------------------------------------------------
    @classmethod
    def from_rows(cls, labels: list[dict], hierarchy: list[dict], annotations: list[dict] = ()) -> "Catalog":
        """Build from query rows (``concept notation labelProperty label`` and ``narrower broader``)."""
        notation: dict[str, str | None] = {}
        pref: dict[str, dict[str, str]] = defaultdict(dict)
        alt: dict[str, list[tuple[str, str]]] = defaultdict(list)
        for row in sorted(labels, key=lambda r: (str(r["concept"]), str(r["labelProperty"]), str(r["label"]))):
            iri = str(row["concept"])
            notation.setdefault(iri, str(row["notation"]) if row.get("notation") is not None else None)
            label = row["label"]
            lang = (getattr(label, "language", None) or "zh")[:2]
            if str(row["labelProperty"]).endswith("#prefLabel"):
                pref[iri].setdefault(lang, str(label))
            elif (lang, str(label)) not in alt[iri]:
                alt[iri].append((lang, str(label)))
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
                         tuple(sorted(broader[iri])), tuple(sorted(narrower[iri])), dict(notes[iri]))
            for iri in sorted(notation)  # IRI order, whatever order the store gave the rows in
        }
        return cls(concepts)

    # -- lookup -----------------------------------------------------------------------------------
    def get(self, ref: str) -> Concept | None:
        """A concept by IRI, notation or exact label; None when there is none (or several by label)."""
        if ref in self.concepts:
            return self.concepts[ref]
        hits = {iri for iri, _, _ in self.by_key.get(normalize(ref), [])}
        return self.concepts[hits.pop()] if len(hits) == 1 else None

    def spans(self, text: str) -> list[tuple[int, int, str]]:
        """Where labels of this scheme occur in normalised ``text`` (longest first, no overlap)."""
        if len(text) >= 2 and text in self.by_key:  # a whole label: the longest span, overlapping any other
            return [(0, len(text), text)]
        return find_spans(text, self._scan_keys)

    def find(self, text: str) -> list[ConceptMatch]:
        """The concepts ``text`` names; [] when none. A whole label or notation wins, then labels inside it.

        Labels found side by side ("fto search") form one phrase: only the most specific concept of the
        phrase is kept (FTO, not every search service). Mentions apart ("专利导航和专利预警") all count.
        A concept mentioned together with a narrower one of its own is dropped (the narrower one is meant).
        """
        key = normalize(text).strip()
        if not key:
            return []
        if key in self.by_key:
            return self._matches(self.by_key[key])
        spans = self.spans(key)
        if spans:
            groups: list[list[tuple[int, int, str]]] = []
            for span in spans:
                if groups and not key[groups[-1][-1][1]:span[0]].strip():
                    groups[-1].append(span)
                else:
                    groups.append([span])
            chosen: list[tuple[str, str, str]] = []
            for group in groups:
                entries = [entry for span in group for entry in self.by_key[span[2]]]
                size = {iri: len(self.descendants(iri)) for iri, _, _ in entries}
                smallest = min(size.values())
                chosen += [entry for entry in entries if size[entry[0]] == smallest]
            matches = self._matches(chosen)
            iris = {m.concept.iri for m in matches}
            return [m for m in matches if not (self.descendants(m.concept.iri) - {m.concept.iri}) & iris]
        return self._partial(key)

    def _matches(self, entries: Iterable[tuple[str, str, str]]) -> list[ConceptMatch]:
        order = {EXACT: 0, NOTATION: 0, SYNONYM: 1}
        best: dict[str, tuple[str, str]] = {}
        for iri, how, label in entries:
            if iri not in best or order[how] < order[best[iri][0]]:
                best[iri] = (how, label)
        return [ConceptMatch(self.concepts[iri], how, label) for iri, (how, label) in sorted(best.items())]

    def _partial(self, key: str) -> list[ConceptMatch]:
        words = _strip_noise(key)
        if len(words) < 2 or (_is_latin(words[0]) and len(words) < 3):
            return []
        hits = [(iri, label) for k, entries in self.by_key.items() if words in k
                for iri, how, label in entries if how != NOTATION]
        if not hits:
            return []
        iris = {iri for iri, _ in hits}
        # keep the most general concepts: their expansion already covers the narrower ones
        top = {iri for iri in iris if not (self.ancestors(iri) - {iri}) & iris}
        labels = {}
        for iri, label in hits:
            labels.setdefault(iri, label)
        return [ConceptMatch(self.concepts[iri], PARTIAL, labels[iri]) for iri in sorted(top)]

    def resolve(self, text: str) -> list[ConceptMatch]:
        """Like :meth:`find`, but raises :class:`UnknownConcept` with suggestions when nothing matches."""
        matches = self.find(text)
        if not matches:
            raise UnknownConcept(text, self.suggest(text))
        return matches

    def suggest(self, text: str, limit: int = 5) -> list[Concept]:
        """The concepts whose labels are closest to ``text`` (difflib), for a "did you mean" answer."""
        words = _strip_noise(normalize(text)) or normalize(text)
        close = difflib.get_close_matches(words, list(self.by_key), n=limit * 3, cutoff=0.4)
        if not close:  # Chinese: labels sharing characters with the text, closest first
            chars = {ch for ch in words if not ch.isspace() and not _is_latin(ch)}
            close = sorted((k for k in self.by_key if chars & set(k)),
                           key=lambda k: (-difflib.SequenceMatcher(None, words, k).ratio(), k))
        out: list[Concept] = []
        for key in close:
            for iri, _, _ in self.by_key[key]:
                if self.concepts[iri] not in out:
                    out.append(self.concepts[iri])
        return out[:limit] or self.roots()[:limit]

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


def _variants(key: str) -> list[str]:
    """A label and, when it has a bracketed part, the label without it (自由运作权(fto)分析 → 自由运作权分析)."""
    variants = [key]
    bare = re.sub(r"\s*\([^)]*\)\s*", "", key).strip()
    if bare and bare != key:
        variants.append(bare)
    return variants


def _strip_noise(key: str) -> str:
    """The words of a question that may name a service: punctuation and question words taken out."""
    words = [w for w in _PUNCT.sub(" ", key).split() if w not in _NOISE_EN]
    text = " ".join(words)
    for noise in _NOISE_ZH:
        text = text.replace(noise, " ")
    return " ".join(text.split())


def _notation_key(concept: Concept) -> tuple:
    notation = concept.notation or concept.iri
    topic = notation.startswith("topic-")
    parts = re.split(r"[.-]", notation)
    return (topic, [(0, int(p), "") if p.isdigit() else (1, 0, p) for p in parts])
