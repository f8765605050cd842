"""Situations told in parts: a need that only the words together name (去德国 … 参加展会 → overseas exhibitions).

A situation label written with ``+`` (``{abroad}+展会``, ``担心+侵犯``; ontology/situations.ttl) names its
concept when every part occurs somewhere in the question, in any order and with any words between. Each
part alone may name a concept of its own (展会 → on-site aid, 国外 → overseas rights protection); when all
parts are there, the narrower need they tell together is read instead of them. A part may hold a slot
(``{ip}``, ``{abroad}``) that the resolver fills with the words of a vocabulary, as for plain situations.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache

from .text import is_latin_text, lemmas, normalize

PART = "+"


@lru_cache(maxsize=4096)
def _english(word: str) -> re.Pattern:
    return re.compile(r"(?<![a-z0-9])" + re.escape(word) + r"(?![a-z0-9])")


def _occurs(word: str, key: str, key_lemmas: str, as_lemmas: bool) -> bool:
    if is_latin_text(word):  # a whole English word or phrase, as written or as its lemmas (exhibiting)
        return bool(_english(lemmas(word)).search(key_lemmas) if as_lemmas else _english(word).search(key))
    return not as_lemmas and word in key


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

    def words_in(self, key: str, key_lemmas: str) -> list[str] | None:
        """The word found for each part in normalised ``key``, or None when a part is missing."""
        found = []
        for part in self.parts:
            ordered = sorted((w for w in part if "{" not in w), key=len, reverse=True)
            word = next((w for as_lemmas in (False, True) for w in ordered  # as written first, then as lemmas
                         if _occurs(w, key, key_lemmas, as_lemmas)), None)
            if word is None:
                return None
            found.append(word)
        return found


def read(combinations: Iterable[Combination], key: str) -> list[tuple[Combination, list[str]]]:
    """The combinations whose every part is in normalised ``key``, each with the word found for each part."""
    key_lemmas = lemmas(key) if any(ch.isascii() and ch.isalpha() for ch in key) else ""
    found = []
    for combination in combinations:
        parts = combination.words_in(key, key_lemmas)
        if parts is not None:
            found.append((combination, parts))
    return found
