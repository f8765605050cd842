"""Folding text before it is compared with a vocabulary: one definition shared by every lookup.

:func:`normalize` is what labels and what people type both go through: NFKC (full-width → half-width,
compatibility forms), traditional → simplified Chinese (OpenCC's ``t2s`` tables, through
``opencc-python-reimplemented``), case folding, whitespace collapsed. :func:`compact` also drops
punctuation and spaces (``科研院所、科技情报机构`` = ``科研院所,科技情报机构``), :func:`pinyin_key` turns
Chinese into toneless pinyin without spaces and :func:`latin_key` folds typed pinyin the same way
(``Zhuānlì jiǎnsuǒ``, ``zhuan1li4 jian3suo3`` and ``zhuanlijiansuo`` all give ``zhuanlijiansuo``), and
:func:`lemmas` turns English words into their lemmas (simplemma: copied → copy, fairs → fair).
:func:`find_spans` finds labels inside a question.
"""

from __future__ import annotations

import re
import unicodedata
from collections import defaultdict
from collections.abc import Iterable
from functools import lru_cache

_LATIN = re.compile(r"[a-z0-9]")
_PUNCT_ALL = re.compile(r"[\s\"'`‘’“”{}\[\]()<>?!,.;:、/\\|*#@$%^&=+~\-_·…—–《》〈〉【】「」『』]+")
_TONE_DIGITS = re.compile(r"(?<=[a-z])[1-5]")


@lru_cache(maxsize=1)
def _t2s():
    from opencc import OpenCC  # opencc-python-reimplemented: pure Python, OpenCC's own tables

    return OpenCC("t2s")


@lru_cache(maxsize=65536)
def normalize(text: str) -> str:
    """NFKC, traditional → simplified, case folding, whitespace collapsed."""
    folded = unicodedata.normalize("NFKC", text)
    if any("\u3400" <= ch <= "\u9fff" for ch in folded):
        folded = _t2s().convert(folded)
    return " ".join(folded.casefold().split())


def compact(text: str) -> str:
    """:func:`normalize` without punctuation or spaces: how a whole cell is compared."""
    return _PUNCT_ALL.sub("", normalize(text))


def is_latin(char: str) -> bool:
    return bool(_LATIN.match(char))


def is_latin_text(text: str) -> bool:
    """Whether ``text`` (normalised) holds letters and no Chinese."""
    return any(ch.isalpha() for ch in text) and not any("\u3400" <= ch <= "\u9fff" for ch in text)


def strip_tones(text: str) -> str:
    """Pinyin tone marks (ā á ǎ à, ü) and tone digits taken off: ``zhuān1`` → ``zhuan``."""
    decomposed = unicodedata.normalize("NFKD", text.casefold().replace("ü", "v"))
    bare = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return _TONE_DIGITS.sub("", bare)


def latin_key(text: str) -> str:
    """Latin text folded for comparison with pinyin: no tones, no spaces, hyphens or apostrophes."""
    return re.sub(r"[^a-z0-9]", "", strip_tones(normalize(text)))


@lru_cache(maxsize=8192)
def pinyin_key(text: str) -> str:
    """Toneless pinyin of the Chinese in ``text``, without spaces (专利检索 → zhuanlijiansuo); '' for none."""
    chinese = "".join(ch for ch in normalize(text) if "\u3400" <= ch <= "\u9fff")
    if not chinese:
        return ""
    from pypinyin import lazy_pinyin

    return "".join(lazy_pinyin(chinese)).replace("ü", "v")


@lru_cache(maxsize=8192)
def lemmas(text: str) -> str:
    """English words as their lemmas (simplemma): "someone copied my trademarks" → "someone copy my trademark"."""
    import simplemma

    words = re.findall(r"[a-z0-9]+(?:[-'][a-z0-9]+)*", normalize(text))
    return " ".join(simplemma.lemmatize(w, lang="en") for w in words)


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
    occurrences = []
    if isinstance(keys, dict):  # see index_keys
        for start in range(len(text) - 1):
            entry = keys.get(text[start:start + 2])
            if entry is not None:
                lengths, members = entry
                occurrences += [(start, text[start:start + n]) for n in lengths
                                if start + n <= len(text) and text[start:start + n] in members]
    else:
        for key in keys:
            start = text.find(key)
            while start >= 0:
                occurrences.append((start, key))
                start = text.find(key, start + 1)
    for start, key in occurrences:
        end = start + len(key)
        before_ok = start == 0 or not (is_latin(key[0]) and is_latin(text[start - 1]))
        after_ok = end == len(text) or not (is_latin(key[-1]) and is_latin(text[end]))
        if before_ok and after_ok:
            found.append((start, end, key))
    found.sort(key=lambda span: (-(span[1] - span[0]), span[0]))
    taken: list[tuple[int, int, str]] = []
    for span in found:
        if all(span[1] <= other[0] or span[0] >= other[1] for other in taken):
            taken.append(span)
    return sorted(taken)
