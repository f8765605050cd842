"""A compiled query rewritten for a run over every focus node (a sweep): class tests and property sequences
hash-joined instead of looked up one row at a time.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator
from itertools import count

from rdflib.namespace import RDF

from .shapes import _INSTANCE
from .text import _MARKER, _SUBSELECT_HEAD, _VARIABLE, _blanked, _closing, _expression_end, _uncommented

_VALUE_CLASS = re.compile(r"\?((?!this\b)\w+) " + re.escape(_INSTANCE) + r" (<[^<>\s]+>) \.?")
_SEQUENCE = re.compile(r"\?(\w+) \((<[^<>\s]+>)/(<[^<>\s]+>)\) (\?\w+|<[^<>\s]+>) \.?")


def sweep_text(query: str, focus: str = "") -> str:
    """A compiled query (focus slot removed) written for a run over every focus node; ``focus`` is its focus
    pattern (slot removed), when the query has one.

    A sweep reads most of the store, and pyoxigraph evaluates a pattern joined to what precedes it one row
    at a time, with an index lookup per row (~13 µs on disk): the focus pattern, a class test of the value
    nodes (``?v rdf:type/rdfs:subClassOf* C``) and a two-step sequence path become sub-selects, which it
    evaluates once and joins by hashing; a focus pattern ``?this p []`` that the next triple pattern,
    ``?this p ?value``, implies is left out (a telephone number's pattern check: 5.6 s → 1.2 s at 100,000
    institutions). The rows are the same; a partial run keeps the lookups, which start from its few focus
    nodes. SPARQL-based constraints have their own rewrite (:func:`sparql_sweep_text`).
    """
    counter = count()
    # the check's own DISTINCT removes duplicate rows, and every count of the compiler is a COUNT(DISTINCT …):
    # the compiler's inner DISTINCTs (the one-row-per-node sub-selects of requirements, in joins and in MINUS)
    # only cost a hash table each (100,000 institutions: BasicServiceFree-6.1 3.4 → 2.1 s, 38 → 31 s over the
    # fifteen checks that have one)
    head = re.match(r"(?s)(.*?\bSELECT DISTINCT\b)(.*)", query)
    if head:
        query = head.group(1) + head.group(2).replace("SELECT DISTINCT ", "SELECT ")
    if focus and focus in query:
        implied = re.fullmatch(r"\{\s*\{ \?this (<[^<>\s]+>) \[\] \. \} \}", focus.strip())
        after = query[query.index(focus) + len(focus):].lstrip()
        if implied and after.startswith(f"?this {implied.group(1)} ?value ."):
            query = query.replace(focus, "{ }", 1)
        else:
            # no DISTINCT: the check's own removes a node's duplicate rows (a DISTINCT here hashed 750,000
            # service offerings once more)
            query = query.replace(focus, "{ { SELECT ?this WHERE " + focus.strip() + " } }", 1)

    def value_class(match: re.Match) -> str:
        v, cls = match.group(1), match.group(2)
        return f"{{ SELECT DISTINCT ?{v} WHERE {{ ?{v} {_INSTANCE} {cls} }} }}"

    def sequence(match: re.Match) -> str:
        x, first, second, end = match.groups()
        middle = f"?_step{next(counter)}"
        ends = end if end.startswith("?") else ""
        return (f"{{ SELECT ?{x} {middle} WHERE {{ ?{x} {first} {middle} }} }} "
                f"{{ SELECT {middle} {ends} WHERE {{ {middle} {second} {end} }} }}")

    query = _SEQUENCE.sub(sequence, _VALUE_CLASS.sub(value_class, query))
    # a value that must be one of a list (sh:in, where the value is wanted), bound by the pattern just before
    # the filter: the store looks up the listed values instead of testing every value of the path (100,000
    # institutions: BasicServiceChannels-6.1c 6.8–8.8 → 6.4 s and 830 → 660 MiB)
    query = _IN_FILTER.sub(_values_in, query)
    # MINUS { { SELECT ?this WHERE { two or more triple patterns } } } (a qualified count's conforming nodes, an
    # sh:or member's): each triple pattern hashed (a qualified facility check at 100,000 institutions: 1.0 →
    # 0.7 s; Designation-5.1d 3.4 → 0.7 s; one triple pattern gained nothing)
    blank = _blanked(query)
    where = re.search(r"\bWHERE\s*\{", blank)
    once = _evaluated_once(blank, where.end() - 1) if where else set()

    def hashed(match: re.Match) -> str:
        several = match.start() in once and len(_triples(match.group("pattern")) or []) > 1
        joined = _hash_joined(match.group("pattern"), counter) if several else None
        if not joined:
            return match.group(0)
        return f"MINUS {{ {{ SELECT {match.group('projection')} WHERE {{ {joined} }} }} }}"

    return _MINUS_SUBSELECT.sub(hashed, query)


# FILTER(!(!(sameTerm(?v, <a>) || …))) right after a triple pattern or a sub-select (see _values_in)
_IN_FILTER = re.compile(
    r"(?P<binder>\?\w+ [^\s{}]+ \?\w+ \. |\{ SELECT [^{}]*? WHERE \{ [^{}]*\} \} )"
    r"FILTER\(!\(!\((?P<tests>sameTerm\(\?(?P<v>\w+), <[^<>\s]+>\)(?: \|\| sameTerm\(\?(?P=v), <[^<>\s]+>\))*)\)\)\)")
_MINUS_SUBSELECT = re.compile(
    r"MINUS \{ \{ SELECT (?P<projection>[^{}]*?) WHERE \{ (?P<pattern>[^{}]*?) \} \} \}")
_IRI_OR_A = r"(?:<[^<>\s]+>|a)"
_RDF_TYPE = RDF.type.n3()
_ALTERNATIVE = re.compile(rf"\^?{_IRI_OR_A}(?:\|\^?{_IRI_OR_A})*")
_STEP = re.compile(rf"\^?{_IRI_OR_A}[*+]?")
# a left join written for a NOT EXISTS (rewrite_not_exists), or a MINUS, over a pattern without groups
_ANTI_JOIN = re.compile(r"OPTIONAL \{ (?P<pattern>[^{}]*?)\n BIND\(true AS \?(?P<marker>" + _MARKER
                        + r"\d+)\) \} FILTER\(!BOUND\(\?(?P=marker)\)\)|MINUS \{ (?P<minus>[^{}]*?) \}")


def _values_in(match: re.Match) -> str:
    """An sh:in filter as a VALUES block, when the pattern just before it binds the value: a triple pattern whose
    object is the value, or a sub-select that projects it (a FILTER over an unbound variable removes the row, a
    VALUES join would keep it)."""
    binder, v = match.group("binder"), match.group("v")
    binds = (binder.endswith(f" ?{v} . ") if binder.startswith("?")
             else re.search(rf"\?{v}\b", binder[:binder.index(" WHERE {")]) is not None)
    if not binds:
        return match.group(0)
    members = " ".join(re.findall(r"<[^<>\s]+>", match.group("tests")))
    return f"{binder}VALUES ?{v} {{ {members} }}"


def _split(text: str, separator: str) -> list[str]:
    """``text`` cut at each ``separator`` outside strings and IRIs; empty pieces dropped."""
    pieces, start = [], 0
    for index, char in enumerate(_blanked(text) + separator):
        if char == separator:
            if text[start:index].strip():
                pieces.append(text[start:index])
            start = index + 1
    return pieces


def _triples(pattern: str) -> list[tuple[str, str, str]] | None:
    """The (subject, path, object) triple patterns of ``pattern`` (``;`` and ``,`` lists spelled out), or None
    when it holds anything but triple patterns over variables and IRIs."""
    if re.search(r"[{}\[\]]|\b(FILTER|BIND|VALUES|OPTIONAL|MINUS|UNION|GRAPH|SERVICE)\b", _blanked(pattern),
                 re.IGNORECASE):
        return None
    triples = []
    for piece in _split(pattern, "."):
        first, *more = _split(piece, ";")
        head = re.match(r"\s*(\?\w+|<[^<>\s]+>)\s+", first)
        if not head:
            return None
        subject = head.group(1)
        for part in [first[head.end():]] + more:
            path_objects = re.fullmatch(r"\s*(\S+)\s+(.*)", part, re.DOTALL)
            if not path_objects:
                return None
            for end in _split(path_objects.group(2), ","):
                if not re.fullmatch(r"\s*(\?\w+|<[^<>\s]+>)\s*", end):
                    return None
                triples.append((subject, path_objects.group(1), end.strip()))
    return triples


def _hash_joined(pattern: str, counter: Iterator[int]) -> str | None:
    """``pattern`` (triple patterns only) as sub-selects of one triple pattern each, or None when it holds
    anything else. A sequence path becomes one sub-select per step. A step ``p*`` or ``p+`` walks only from the
    distinct nodes where it can start: the ends of the step before it, or, for a path of that one step from a
    variable, the nodes another triple pattern of ``pattern`` binds that variable to (a walk with both ends
    unbound would start from every term of the store)."""
    triples = _triples(pattern)
    if not triples:
        return None
    plain = [(s, p, o) for s, p, o in triples if _ALTERNATIVE.fullmatch(p)]
    parts = []
    # a type test with a variable class, ?x a ?class, would read every rdf:type triple of the store: it stays
    # with a triple pattern that binds the class, so that the store looks the instances up by class
    # (FocusService-6.3.1's `$this a ?class . ?kind ipg:kindClass ?class` at 100,000 institutions: 5.5–5.9 → 3.8–4.2 s)
    for typed in [t for t in triples if t[1] in ("a", _RDF_TYPE) and t[2].startswith("?")]:
        binding = next((t for t in plain if t is not typed and typed[2] in (t[0], t[2]) and t[1] not in ("a", _RDF_TYPE)),
                       None)
        if binding is None or binding not in triples:
            continue
        triples.remove(typed)
        triples.remove(binding)
        names = " ".join(sorted({v for v in (*typed, *binding) if v.startswith("?")}))
        parts.append(f"{{ SELECT {names} WHERE {{ {' '.join(binding)} . {' '.join(typed)} }} }}")
    for subject, path, end in triples:
        path = re.sub(r"\((\^?<[^<>\s]+>)\)", r"\1", path)    # (^q) is ^q: path_text writes an inverse so
        steps = _split(path, "/")
        if len(steps) > 1 and "|" in re.sub(r"\([^()]*\)", "", _blanked(path)):     # p|q/r is p|(q/r)
            return None
        # a step (p|^q) is the alternative p|^q
        steps = [step[1:-1] if step[:1] == "(" and step[-1:] == ")" and _ALTERNATIVE.fullmatch(step[1:-1]) else step
                 for step in steps]
        if not all(_ALTERNATIVE.fullmatch(s) or _STEP.fullmatch(s) for s in steps) or any(
                step[-1] in "*+" and k > 0 and steps[k - 1][-1] in "*+" for k, step in enumerate(steps)):
            return None
        ends = [subject] + [f"?_hash{next(counter)}" for _ in steps[1:]] + [end]
        for k, step in enumerate(steps):
            x, y = ends[k], ends[k + 1]
            bound = " ".join(v for v in (x, y) if v.startswith("?"))
            if not bound:
                return None
            if step[-1] not in "*+":
                parts.append(f"{{ SELECT {bound} WHERE {{ {x} {step} {y} }} }}")
                continue
            if k > 0:
                start = f"?_hash{next(counter)} {steps[k - 1]} {x}"
            elif not x.startswith("?"):
                start = ""
            else:
                binding = next((f"{s} {p} {o}" for s, p, o in plain if x in (s, o)), None)
                if binding is None:
                    return None
                start = binding
            x_from = f"{{ SELECT DISTINCT {x} WHERE {{ {start} }} }} " if start else ""
            parts.append(f"{{ SELECT {bound} WHERE {{ {x_from}{x} {step} {y} }} }}")
    return " ".join(parts) if parts else None


def _evaluated_once(blank: str, body: int) -> set[int]:
    """The indexes in the group opened at ``body`` that the store evaluates once, not once per row: those of
    the group itself and of the ``MINUS`` groups in it, at any depth (a sub-select inside a left join or an
    ``EXISTS`` would be evaluated again for every row)."""
    once, stack = set(), []
    for index in range(body, _closing(blank, body) + 1):
        if not stack or stack[-1]:
            once.add(index)
        if blank[index] == "{":
            stack.append(not stack or (stack[-1] and bool(re.search(r"\bMINUS\s*$", blank[:index], re.IGNORECASE))))
        elif blank[index] == "}":
            stack.pop()
    return once


# a keyword that ends a stretch of triple patterns (not a variable's name: ?values)
_BREAK = re.compile(r"(?<![\w?$])(OPTIONAL|MINUS|UNION|VALUES|GRAPH|SERVICE|FILTER|BIND)\b", re.IGNORECASE)


def _top_level_runs(blank: str, opening: int) -> list[tuple[int, int]]:
    """(start, end) of each stretch at the top level of the group opened at ``opening``: what lies between its
    groups, parentheses (but a path's), FILTERs, BINDs and keywords — where the group's own triple patterns are
    written."""
    runs, start, index, close = [], opening + 1, opening + 1, _closing(blank, opening)
    while index < close:
        keyword = _BREAK.match(blank, index)
        if blank[index] not in "{(" and not keyword:
            index += 1
            continue
        if blank[index] == "(":
            before = blank[start:index].rstrip()
            level, opened = 0, index
            while index < close:
                level += {"(": 1, ")": -1}.get(blank[index], 0)
                index += 1
                if level == 0:
                    break
            if before and not before.endswith("."):     # a parenthesised path, inside a triple pattern
                continue
            runs.append((start, opened))
            start = index
            continue
        runs.append((start, index))
        if blank[index] == "{":
            index = _closing(blank, index) + 1
        elif keyword.group(1).upper() in ("FILTER", "BIND"):
            index = _expression_end(blank, index)
        else:
            index = keyword.end()
        start = index
    runs.append((start, close))
    return [(s, e) for s, e in runs if blank[s:e].strip(" \t\n.")]


def sparql_sweep_text(query: str, focus: str = "") -> str:
    """A SPARQL-based constraint's compiled query written for a sweep: each ``MINUS`` and each left join that
    stands for a ``NOT EXISTS`` (:func:`rewrite_not_exists`) over triple patterns only, where the store
    evaluates it once, becomes a sub-select of the pattern's variables that the rest of the query uses, with
    each triple pattern a sub-select of its own (:func:`_hash_joined`).

    The same rows: such a pattern is already evaluated on its own (no filter in it sees the outer row), and only
    the variables it shares with the rest decide which rows it matches. But pyoxigraph plans it as a chain of
    index lookups (~13 µs each on disk), and evaluates sub-selects once and joins them by hashing
    (``FocusService-6.3.1`` at 100,000 institutions: 17.6 s → 5.7 s). A partial run keeps the lookups, which
    start from its few focus nodes.

    The constraint's own triple patterns, each stretch of them at the top level of its group or of a ``MINUS``
    group evaluated once, are hashed the same way (:func:`_top_level_runs`; ``CoordinatesInProvince`` 3.9 → 0.6
    s, ``OutletDesignatedByAdministration`` 5.3 → 2.3 s), and its ``focus`` pattern becomes a
    sub-select. Both read whole predicates, which suits a shape with many focus nodes; a sweep runs the checks of
    a shape with few as a partial run instead (:class:`~ipgraph.validation.compiled.CompiledEngine`).
    """
    blank = _blanked(query)
    uses = Counter(_VARIABLE.findall(blank))
    counter = count()
    head = _SUBSELECT_HEAD.search(blank)
    once = _evaluated_once(blank, head.end() - 1) if head else set()

    def shared(pattern: str) -> str:
        inner = _VARIABLE.findall(_blanked(pattern))
        return " ".join(f"?{name}" for name in sorted({n for n in inner if uses[n] > inner.count(n)}))

    def hashed(match: re.Match) -> str:
        pattern = match.group("pattern") or match.group("minus")
        joined = _hash_joined(pattern, counter) if match.start() in once else None
        projection = shared(pattern)
        if joined is None or not projection:
            return match.group(0)
        if match.group("marker"):
            marker = match.group("marker")
            return (f"OPTIONAL {{ {{ SELECT DISTINCT {projection} (true AS ?{marker}) WHERE {{ {joined} }} }} }} "
                    f"FILTER(!BOUND(?{marker}))")
        return f"MINUS {{ {{ SELECT {projection} WHERE {{ {joined} }} }} }}"

    query = _ANTI_JOIN.sub(hashed, query)
    if focus and focus in query:
        query = query.replace(focus, "{ { SELECT ?this WHERE " + focus.strip() + " } }", 1)
    blank = _blanked(query)
    head = _SUBSELECT_HEAD.search(blank)
    if not head:
        return query
    # the stretches at the top level, and at the top level of each MINUS group evaluated once
    once = _evaluated_once(blank, head.end() - 1)
    groups = [head.end() - 1] + [m.end() - 1 for m in re.finditer(r"\bMINUS\s*\{", blank) if m.end() in once]
    runs = sorted((run for group in groups for run in _top_level_runs(blank, group)), reverse=True)
    for start, end in runs:
        run = _uncommented(query[start:end])
        joined = _hash_joined(run, counter)
        if joined and "?_hash" in joined:      # the steps' own variables stay inside
            names = " ".join(f"?{n}" for n in sorted(set(_VARIABLE.findall(_blanked(run)))))
            joined = f"{{ SELECT {names} WHERE {{ {joined} }} }}"
        if joined:
            query = f"{query[:start]} {joined} {query[end:]}"
    return query
