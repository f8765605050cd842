"""Situations told in parts: a need that only the words together name (去德国 … 参加展会 → overseas exhibitions).

A situation label written with ``+`` (``{abroad}+展会``, ``担心+侵犯``; ontology/situations.ttl) names its
concept when every part occurs somewhere in the question, in any order and with any words between. Each
part alone may name a concept of its own (展会 → on-site aid, 国外 → overseas rights protection); when all
parts are there, the narrower need they tell together is read instead of them. A part may hold a slot
(``{ip}``, ``{abroad}``) that the resolver fills with the words of a vocabulary, as for plain situations.

Filled, the parts hold thousands of words ({mine} {ip}: 我们的商标, my trademark …), so a question is not compared
with each: its substrings (Chinese) and its words and lemmas (English) are looked up in one index of every part's
words, built once.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import cached_property

from .text import is_latin_text, lemmas, normalize

PART = "+"
_WORD = re.compile(r"[a-z0-9]+(?:[-'][a-z0-9]+)*")


@dataclass(frozen=True)
class Combination:
    """One situation in parts: the concept, the label as written, and each part's words (any one fills it)."""

    iri: str
    label: str
    parts: tuple[frozenset[str], ...]

    @classmethod
    def parse(cls, iri: str, label: str) -> "Combination":
        return cls(iri, label, tuple(frozenset({normalize(p).strip()}) for p in label.split(PART) if p.strip()))

    def filled(self, slot: str, fillers: Iterable[str]) -> "Combination":
        """Each part's words with ``slot`` replaced by every filler; Chinese words lose the spaces that keep
        English ones apart ({mine} {ip}: my trademark, 我们的商标)."""
        fillers = tuple(fillers)

        def fill(word: str) -> list[str]:
            if slot not in word:
                return [word]
            words = (word.replace(slot, f) for f in fillers)
            return [w if is_latin_text(w) or "{" in w else w.replace(" ", "") for w in words]

        return Combination(self.iri, self.label, tuple(frozenset(w for word in part for w in fill(word))
                                                       for part in self.parts))


class Combinations:
    """The situations in parts of one scheme, and the index that reads a question against all of them."""

    def __init__(self, items: Iterable[Combination] = (),
                 fills: tuple[tuple[str, Callable[[], Iterable[str]]], ...] = ()):
        self._parsed = list(items)
        self._fills = fills

    def filled(self, slot: str, fillers: Callable[[], Iterable[str]]) -> "Combinations":
        """These combinations with ``slot`` to be filled by ``fillers()`` — called on first reading, so that an
        entrance that never reads a question (the importer) never gathers the words (pycountry's countries)."""
        return Combinations(self._parsed, self._fills + ((slot, fillers),))

    @cached_property
    def items(self) -> list[Combination]:
        items = self._parsed
        for slot, fillers in self._fills:
            if any(slot in w for c in items for part in c.parts for w in part):
                words = {normalize(f) for f in fillers() if f}
                items = [c.filled(slot, words) for c in items]
        return items

    @cached_property
    def _index(self) -> tuple[dict[str, list[tuple[int, int]]], dict[str, list[tuple[int, int]]], int, int]:
        """Chinese words and English phrases (as written and as lemmas) → the (combination, part) they fill; the
        longest Chinese word, the most words an English phrase has."""
        chinese: dict[str, list[tuple[int, int]]] = defaultdict(list)
        english: dict[str, list[tuple[int, int]]] = defaultdict(list)
        for c, combination in enumerate(self.items):
            for p, part in enumerate(combination.parts):
                for word in part:
                    if "{" in word:
                        continue
                    if is_latin_text(word):
                        english[" ".join(_WORD.findall(lemmas(word)))].append((c, p))
                        english[" ".join(_WORD.findall(word))].append((c, p))
                    else:
                        chinese[word].append((c, p))
        return (dict(chinese), dict(english), max(map(len, chinese), default=0),
                max((k.count(" ") + 1 for k in english), default=0))

    def read(self, key: str) -> list[tuple[Combination, list[str]]]:
        """The combinations whose every part is in normalised ``key``, each with the word found for each part
        (the longest; for English, as written before as lemmas)."""
        if not self.items:
            return []
        chinese, english, longest, most = self._index
        found: dict[tuple[int, int], str] = {}

        def note(places: list[tuple[int, int]], word: str) -> None:
            for place in places:
                if len(word) > len(found.get(place, "")):
                    found[place] = word

        for start in range(len(key)):
            for end in range(start + 1, min(len(key), start + longest) + 1):
                if (places := chinese.get(key[start:end])) is not None:
                    note(places, key[start:end])
        if any(ch.isascii() and ch.isalpha() for ch in key):
            for words in (_WORD.findall(key), _WORD.findall(lemmas(key))):
                for start in range(len(words)):
                    for end in range(start + 1, min(len(words), start + most) + 1):
                        phrase = " ".join(words[start:end])
                        if (places := english.get(phrase)) is not None:
                            note(places, phrase)
        out = []
        for c, combination in enumerate(self.items):
            words = [found.get((c, p)) for p in range(len(combination.parts))]
            if all(words):
                out.append((combination, words))
        return out
