"""The words of one SKOS scheme and what each names: the index the resolver reads a cell or a question with.

Every label of a concept is indexed after :func:`~ipgraph.model.text.normalize` (so traditional characters,
full-width forms and case do not matter) and after :func:`~ipgraph.model.text.compact` (nor punctuation or
spaces), with how it matched: ``skos:prefLabel`` (exact), ``skos:altLabel`` / ``skos:hiddenLabel``
(synonym), ``ipg:specPhrasing`` (the specification's own wording, generated from ``spec/``),
``ipg:situation`` (how people describe needing the service), ``skos:notation`` and the key (the IRI's last
segment). Chinese labels are also indexed by their toneless pinyin.

A *term* (a spreadsheet cell, a filter value) must name one concept: exactly, then compacted, then in
pinyin, then without a generic 服务, then within a small edit distance (rapidfuzz), then as one concept's
label with words around it (电话联系) — or :class:`~ipgraph.model.catalog.UnknownConcept`
carries the closest candidates. A *question* is scanned for the labels it contains (longest first), then
cut into words by jieba (with the scheme's labels in its dictionary) so that a one-character situation
word (抄, 卖) counts only as a word of its own, then read as pinyin, then as a part of a label, then as
words found in order inside a label (专利评估 → 专利价值评估, also in pinyin), then fuzzily.
"""

from __future__ import annotations

import logging
import re
from collections import defaultdict
from collections.abc import Callable, Iterable
from functools import cached_property
from typing import TYPE_CHECKING

from . import combinations
from .catalog import (EXACT, FUZZY, KEY, NOTATION, PARTIAL, PINYIN, SITUATION, SPEC, SYNONYM, WORD, ConceptMatch,
                      UnknownConcept)
from .text import (compact, find_spans, index_keys, is_latin, is_latin_text, latin_key, lemmas, normalize,
                   pinyin_key)

if TYPE_CHECKING:
    from .catalog import Catalog, Concept

# Best first: a term matched several ways keeps its best; equal ranks between concepts are an ambiguity.
RANK = {EXACT: 0, NOTATION: 0, KEY: 0, SYNONYM: 1, SPEC: 1, SITUATION: 2, WORD: 2, PINYIN: 3, PARTIAL: 4, FUZZY: 5}

# Words of a question that say nothing about what is wanted (dropped before partial and fuzzy matching).
NOISE_ZH = ("什么地方", "怎么办", "怎么样", "怎么", "如何", "哪里", "哪儿", "哪家", "哪个", "哪些", "能够", "可以", "能",
            "做", "办理", "提供", "找", "有没有", "有", "我们", "我", "想", "要", "需要", "的", "在", "附近", "周边", "吗",
            "呢", "哪", "请问", "一下", "帮我", "帮忙", "谁", "去", "了", "服务机构", "机构", "请", "是否")
NOISE_EN = {"where", "in", "can", "i", "we", "get", "an", "a", "the", "near", "me", "do", "does", "find", "who",
            "offers", "offer", "for", "my", "to", "is", "are", "there", "which", "institution", "institutions",
            "please", "help", "with", "around", "nearby", "service", "services", "of", "on", "how", "any", "what",
            "should", "someone", "somebody", "our", "it", "be", "need", "want", "i'm", "im", "you"}
COMMON_WORD = 50  # jieba's count above which a word is a word people mean (授权 2785, 梳理 255), not a typo (专力 3)
_NEGATION = re.compile(r"[不非无未没]")
_GENERIC_SUFFIX = re.compile(r"(服务|工作|活动|事项|业务)$")
_PUNCT = re.compile(r"[\s\"'`{}\[\]()<>?!,.;:、/\\|*#@$%^&=+~-]+")


def strip_noise(key: str) -> str:
    """The words of a normalised question that may name a service: punctuation and question words out."""
    words = [w for w in _PUNCT.sub(" ", key).split() if w not in NOISE_EN]
    text = " ".join(words)
    for noise in NOISE_ZH:
        text = text.replace(noise, " ")
    return " ".join(text.split())


def variants(key: str) -> list[str]:
    """A label and, when it has a bracketed part, the label without it (自由运作权(fto)分析 → 自由运作权分析)."""
    out = [key]
    bare = re.sub(r"\s*\([^)]*\)\s*", "", key).strip()
    if bare and bare != key:
        out.append(bare)
    return out


Entry = tuple[str, str, str]  # (concept IRI, how, the label as written)


class Lexicon:
    """The label index of one :class:`~ipgraph.model.catalog.Catalog`, and the ways of reading text with it."""

    def __init__(self, catalog: "Catalog"):
        self.catalog = catalog
        self.by_key: dict[str, list[Entry]] = defaultdict(list)
        self.by_compact: dict[str, list[Entry]] = defaultdict(list)
        self.by_pinyin: dict[str, list[Entry]] = defaultdict(list)
        self._filled: set[str] = set()  # labels made by :meth:`fill`
        told_in_parts: list[combinations.Combination] = []  # situations in parts (…+…)
        for concept in catalog.concepts.values():
            labels = [(label, EXACT) for label in concept.labels.values()]
            labels += [(label, SYNONYM) for _, label in concept.alt_labels]
            labels += [(label, how) for how, _, label in concept.other_labels]
            for label, how in labels:
                if how == SITUATION and combinations.PART in label:
                    told_in_parts.append(combinations.Combination.parse(concept.iri, label))
                    continue
                for variant in variants(normalize(label)):
                    self._add(self.by_key, variant, concept.iri, how, label)
                    self._add(self.by_compact, compact(variant), concept.iri, how, label)
                    if len(variant) >= 2 and (spelled := pinyin_key(variant)) and len(spelled) >= 4:
                        self._add(self.by_pinyin, spelled, concept.iri, PINYIN, label)
            if concept.notation:
                self._add(self.by_key, normalize(concept.notation), concept.iri, NOTATION, concept.notation)
            key = concept.iri.rsplit("/", 1)[-1].rsplit("#", 1)[-1]
            self._add(self.by_key, normalize(key), concept.iri, KEY, key)
        self.combinations = combinations.Combinations(told_in_parts)
        # longest keys first; single characters are too ambiguous to find inside a question
        self._scan_keys = index_keys(k for k in self.by_key if len(k) >= 2)

    def fill(self, slot: str, fillers: Callable[[], Iterable[str]]) -> None:
        """Labels with ``slot`` ({ip}被) indexed once per filler (商标被, 配方被), as the same concept and how;
        the slot label itself stays unreadable (no one types braces). ``fillers()`` gives the words, called only
        when a label holds the slot (situations in parts take it when first read)."""
        self.combinations = self.combinations.filled(slot, fillers)
        if not any(slot in key for key in self.by_key):
            return
        fillers = sorted({normalize(f) for f in fillers() if f and not is_latin_text(normalize(f))})
        for key, entries in list(self.by_key.items()):
            if slot not in key:
                continue
            for filler in fillers:
                filled = key.replace(slot, filler)
                for iri, how, _ in entries:  # found as written only: never a typo's or a part's target
                    self._add(self.by_key, filled, iri, how, filled)
                    self._filled.add(filled)
        for key in [k for k in self.by_key if slot in k]:
            del self.by_key[key]
            self.by_compact.pop(compact(key), None)
        self._scan_keys = index_keys(k for k in self.by_key if len(k) >= 2)
        for cached in ("_tokenizer", "_single_keys", "_by_lemma"):
            self.__dict__.pop(cached, None)

    @staticmethod
    def _add(index: dict[str, list[Entry]], key: str, iri: str, how: str, label: str) -> None:
        if key and (iri, how, label) not in index[key]:
            index[key].append((iri, how, label))

    # -- one term (a cell, a filter value) --------------------------------------------------------
    def term(self, text: str) -> ConceptMatch:
        """The one concept ``text`` names. Raises UnknownConcept (several: ``ambiguous``; none: suggestions)."""
        key = normalize(text).strip()
        if not key:
            raise UnknownConcept(text, [])
        if text.strip() in self.catalog.concepts:
            return ConceptMatch(self.catalog.concepts[text.strip()], KEY, text.strip())
        first = key.split(None, 1)[0]
        for entries in (self.by_key.get(key), self.by_compact.get(compact(key)),
                        [e for e in self.by_key.get(first, []) if e[1] == NOTATION],  # "6.3.3.1-b-6 侵权对比分析"
                        self.by_pinyin.get(latin_key(key)) if is_latin_text(key) else None):
            if entries:
                return self._one(text, entries)
        stem = _GENERIC_SUFFIX.sub("", compact(key))  # 诉讼咨询服务 is 诉讼咨询
        if stem != compact(key) and len(stem) >= 2 and (entries := self.by_compact.get(stem)):
            return self._one(text, entries)
        fuzzy = self._fuzzy(compact(key))
        if fuzzy:
            return self._one(text, fuzzy)
        if (inside := self._inside(key)) is not None:
            return inside
        raise UnknownConcept(text, self.suggest(text))

    def _inside(self, key: str) -> ConceptMatch | None:
        """A cell that is one concept's label with words around it (低成本收费, 电话联系, 开展专利导航工作): the labels
        inside cover at least half of it, all name the same concept, and no negation comes before (非免费)."""
        spans = self.spans(key) if not is_latin_text(key) else []  # "tisc-typo" is no kind
        if not spans:
            return None
        covered = sum(end - start for start, end, _ in spans)
        iris = {iri for _, _, k in spans for iri, how, _ in self.by_key[k] if how not in (NOTATION, KEY)}
        before = key[:spans[0][0]]
        if len(iris) != 1 or 2 * covered < len(compact(key)) or _NEGATION.search(before[-2:] if before else ""):
            return None
        label = next(label for _, _, k in spans for iri, how, label in self.by_key[k] if iri in iris)
        return ConceptMatch(self.catalog.concepts[iris.pop()], PARTIAL, label)

    def _one(self, text: str, entries: list[Entry]) -> ConceptMatch:
        matches = self._best(entries)
        best = min(RANK[m.how] for m in matches)
        top = [m for m in matches if RANK[m.how] == best]
        if len(top) > 1:  # a label as written beats another's label without its bracket (…（维权援助工作站）)
            top = [m for m in top if compact(m.matched) == compact(text)] or top
        if len(top) > 1:
            raise UnknownConcept(text, [m.concept for m in top], ambiguous=True)
        return top[0]

    def _best(self, entries: Iterable[Entry]) -> list[ConceptMatch]:
        best: dict[str, tuple[str, str]] = {}
        for iri, how, label in entries:
            if iri not in best or RANK[how] < RANK[best[iri][0]]:
                best[iri] = (how, label)
        return [ConceptMatch(self.catalog.concepts[iri], how, label) for iri, (how, label) in sorted(best.items())]

    # -- a question ---------------------------------------------------------------------------------
    def spans(self, text: str) -> list[tuple[int, int, str]]:
        """Where labels of this scheme occur in normalised ``text`` (longest first, no overlap)."""
        if len(text) >= 2 and text in self.by_key:  # a whole label: the longest span, overlapping any other
            return [(0, len(text), text)]
        return find_spans(text, self._scan_keys)

    def find(self, text: str) -> list[ConceptMatch]:
        """The concepts a question names; [] when none. A whole label or notation wins, then labels inside it.

        Labels found side by side ("fto search") form one phrase: only the most specific concept of the
        phrase is kept (FTO, not every search service). Mentions apart ("专利导航和专利预警") all count.
        A concept mentioned together with a narrower one of its own is dropped (the narrower one is meant).
        """
        key = normalize(text).strip()
        if not key:
            return []
        if key in self.by_key:
            return self._best(self.by_key[key])
        spans = self.spans(key)
        words = self._words(key)
        told = self.combinations.read(key)
        if told:  # the need the parts tell together replaces what each part says alone (德国+展会)
            parts = {word for _, found in told for word in found}
            spans = [s for s in spans if not any(s[2] in part for part in parts)]
            words = [w for w in words if w[2] not in parts]
            named = {iri for _, _, k in spans for iri, _, _ in self.by_key[k]} | {iri for iri, _, _ in words}
            words += [(c.iri, SITUATION, combinations.PART.join(found)) for c, found in told if c.iri not in named]
        if spans and is_latin_text(key):  # beside the labels as written, those in other forms (check … infringes)
            seen = {lemmas(k) for _, _, k in spans} | {lemmas(w) for _, found in told for w in found}
            words = words + [entry for lemma, entries in self._lemma_spans(key)
                             if not any(lemma in other for other in seen) for entry in entries]
        if spans or words:
            return self._from_spans(key, spans, words)
        return (self._lemmas(key) or self._pinyin(key) or self._partial(key) or self._in_order(key)
                or self._fuzzy_question(key))

    def _from_spans(self, key: str, spans: list[tuple[int, int, str]], words: list[Entry]) -> list[ConceptMatch]:
        groups: list[list[tuple[int, int, str]]] = []
        for span in spans:
            # situation words ("selling fake") each say something of their own: never one phrase
            alone = all(how == SITUATION for _, how, _ in self.by_key[span[2]])
            if groups and not alone and not key[groups[-1][-1][1]:span[0]].strip() and not all(
                    how == SITUATION for _, how, _ in self.by_key[groups[-1][-1][2]]):
                groups[-1].append(span)
            else:
                groups.append([span])
        chosen: list[Entry] = list(words)
        for group in groups:
            entries = [entry for span in group for entry in self.by_key[span[2]]]
            size = {iri: len(self.catalog.descendants(iri)) for iri, _, _ in entries}
            smallest = min(size.values())
            chosen += [entry for entry in entries if size[entry[0]] == smallest]
        matches = self._best(chosen)
        iris = {m.concept.iri for m in matches}
        return [m for m in matches if not (self.catalog.descendants(m.concept.iri) - {m.concept.iri}) & iris]

    def _words(self, key: str) -> list[Entry]:
        """One-character labels (situation words such as 抄, 卖) that stand as a word of their own (jieba)."""
        singles = self._single_keys
        if not singles or not any(ch in singles for ch in key):
            return []
        found = []
        for token in self.tokens(key):
            word = token if token in singles else strip_noise(token)  # jieba's 能查 is 能 + 查
            if word in singles:
                found += [(iri, WORD if how == SITUATION else how, label) for iri, how, label in self.by_key[word]]
        return found

    @cached_property
    def _single_keys(self) -> frozenset[str]:
        return frozenset(k for k in self.by_key if len(k) == 1 and not is_latin(k))

    def tokens(self, text: str) -> list[str]:
        """``text`` cut into words by jieba, with this scheme's labels in its dictionary."""
        return [t for t in self._tokenizer.lcut(normalize(text)) if t.strip()]

    @cached_property
    def _tokenizer(self):
        import jieba

        jieba.setLogLevel(logging.WARNING)  # not "Building prefix dict…" on every first question
        tokenizer = jieba.Tokenizer()
        for key in self.by_key:  # words, not the specification's whole sentences
            if not is_latin_text(key) and len(key) <= 12 and compact(key) == key and key not in self._filled:
                tokenizer.add_word(key, freq=200000)
        return tokenizer

    @cached_property
    def _by_lemma(self) -> tuple[dict[str, list[Entry]], dict]:
        """The English labels by the lemmas of their words, and the scan index of those keys."""
        index: dict[str, list[Entry]] = defaultdict(list)
        for key, entries in self.by_key.items():
            if is_latin_text(key):
                index[lemmas(key)] += [e for e in entries if e[1] not in (NOTATION, KEY)]
        index = {k: v for k, v in index.items() if k and v}
        return index, index_keys(k for k in index if len(k) >= 2)

    def _lemma_spans(self, key: str) -> list[tuple[str, list[Entry]]]:
        """English words in other forms than the labels' (copying, fairs, infringed): the labels' lemmas found."""
        if not is_latin_text(key):
            return []
        index, scan = self._by_lemma
        return [(lemma, index[lemma]) for _, _, lemma in find_spans(lemmas(key), scan)]

    def _lemmas(self, key: str) -> list[ConceptMatch]:
        return self._from_entries([entry for _, entries in self._lemma_spans(key) for entry in entries])

    def _pinyin(self, key: str) -> list[ConceptMatch]:
        """Typed pinyin (with or without tones and spaces): the longest runs of words that spell a label."""
        if not is_latin_text(key):
            return []
        words = [latin_key(w) for w in _PUNCT.sub(" ", key).split()]
        words = [w for w in words if w]
        found: list[Entry] = []
        start = 0
        while start < len(words):
            for end in range(len(words), start, -1):
                entries = self.by_pinyin.get("".join(words[start:end]))
                if entries:
                    found += entries
                    start = end
                    break
            else:
                start += 1
        return self._from_entries(found)

    def _from_entries(self, entries: list[Entry]) -> list[ConceptMatch]:
        matches = self._best(entries)
        iris = {m.concept.iri for m in matches}
        return [m for m in matches if not (self.catalog.descendants(m.concept.iri) - {m.concept.iri}) & iris]

    def _partial(self, key: str) -> list[ConceptMatch]:
        words = strip_noise(key)
        if len(words) < 2 or (is_latin(words[0]) and len(words) < 3):
            return []
        hits = [(iri, label) for k, entries in self.by_key.items() if words in k and k not in self._filled
                for iri, how, label in entries if how not in (NOTATION, KEY)]
        if not hits:
            return []
        iris = {iri for iri, _ in hits}
        # keep the most general concepts: their expansion already covers the narrower ones
        top = {iri for iri in iris if not (self.catalog.ancestors(iri) - {iri}) & iris}
        labels: dict[str, str] = {}
        for iri, label in hits:
            labels.setdefault(iri, label)
        return [ConceptMatch(self.catalog.concepts[iri], PARTIAL, labels[iri]) for iri in sorted(top)]

    def _in_order(self, key: str) -> list[ConceptMatch]:
        """Every content word of the question inside one label, in order (专利评估 → 专利价值评估; in pinyin,
        zhuanli pinggu → zhuanlijiazhipinggu): the shortest such labels, when they name at most three concepts."""
        latin = is_latin_text(key)
        if latin:
            words = [latin_key(w) for w in strip_noise(key).split()]
            index = self.by_pinyin
        else:
            words = [w for w in (strip_noise(t) for t in self.tokens(strip_noise(key))) if w.strip()]
            index = self.by_compact
        words = [w for w in words if len(w) >= (3 if latin else 2)]
        if len(words) < 2:
            return []
        hits = []
        for label_key in index:
            at = 0
            for word in words:
                at = label_key.find(word, at)
                if at < 0:
                    break
                at += len(word)
            else:
                hits.append(label_key)
        if not hits:
            return []
        shortest = min(len(k) for k in hits)
        entries = [(iri, PARTIAL, label) for k in hits if len(k) == shortest
                   for iri, how, label in index[k] if how not in (NOTATION, KEY)]
        return self._from_entries(entries) if 0 < len({e[0] for e in entries}) <= 3 else []

    # -- typos ---------------------------------------------------------------------------------------
    def _fuzzy(self, key: str, index: dict[str, list[Entry]] | None = None) -> list[Entry]:
        """Labels within a small edit distance of ``key`` (1 from 4 characters, 2 from 8; none under 4), in
        ``index`` (the compacted labels; :attr:`by_pinyin` for typed pinyin)."""
        from rapidfuzz import process
        from rapidfuzz.distance import Levenshtein

        # one edit from four characters, two from eight: three-character words one edit apart are as often
        # different words (不收费 / 低收费) as typos
        if len(key) < 4:
            return []
        allowed = 1 if len(key) < 8 else 2
        index = self.by_compact if index is None else index
        close = process.extract(key, list(index), scorer=Levenshtein.distance, score_cutoff=allowed, limit=8)
        close = [c for c in close if is_latin_text(key) or self._typo_of(key, c[0])]
        if not close:
            return []
        best = min(distance for _, distance, _ in close)
        entries = [(iri, FUZZY, label) for found, distance, _ in close if distance == best
                   for iri, how, label in index[found] if how not in (NOTATION, KEY)]
        # a typo is near one or two concepts; text equally near many is not a typo of any of them
        return entries if len({iri for iri, _, _ in entries}) <= 2 else []

    def _typo_of(self, text: str, label: str) -> bool:
        """Whether ``text`` may be ``label`` mistyped: no character it changes lies in a common word of its own
        (商标授权 is not 商标侵权 mistyped, nor 梳理专利 管理专利; 商表注册 and 专力检索 are typos)."""
        from rapidfuzz.distance import Levenshtein

        changed = {at for op, at, _ in Levenshtein.editops(text, label) if op != "insert"}
        at = 0
        for word in self._tokenizer.lcut(text):
            if (len(word) >= 2 and word not in label and changed & set(range(at, at + len(word)))
                    and self._tokenizer.FREQ.get(word, 0) >= COMMON_WORD):
                return False
            at += len(word)
        return True

    def _fuzzy_question(self, key: str) -> list[ConceptMatch]:
        words = strip_noise(key)
        if is_latin_text(words):  # English or pinyin misspelt (zhuanli jainsuo → zhuanlijiansuo)
            entries = self._fuzzy(words.replace(" ", "")) or self._fuzzy(latin_key(words), self.by_pinyin)
            return self._from_entries(entries) if entries else []
        entries = self._fuzzy(compact(words))
        if not entries:  # a misspelt label inside the question: windows the length of labels (4 or more:
            chars = compact(words)  # one character off in three is a different word more often than a typo)
            for size in range(min(len(chars), 8), 3, -1):
                for start in range(len(chars) - size + 1):
                    entries += self._fuzzy(chars[start:start + size])
                if entries:
                    break
        return self._from_entries(entries) if entries else []

    # -- suggestions ---------------------------------------------------------------------------------
    def suggest(self, text: str, limit: int = 5) -> list["Concept"]:
        """The concepts whose labels are closest to ``text`` (rapidfuzz), for a "did you mean" answer."""
        from rapidfuzz import fuzz, process

        words = strip_noise(normalize(text)) or normalize(text)
        keys = [k for k in self.by_key if k not in self._filled
                and not any(how in (NOTATION, KEY) for _, how, _ in self.by_key[k])]
        close = process.extract(words, keys, scorer=fuzz.WRatio, limit=limit * 3, score_cutoff=40)
        out: list["Concept"] = []
        for key, _, _ in sorted(close, key=lambda c: (-c[1], c[0])):
            for iri, _, _ in self.by_key[key]:
                if self.catalog.concepts[iri] not in out:
                    out.append(self.catalog.concepts[iri])
        return out[:limit] or self.catalog.roots()[:limit]
