"""Validation at national scale: the shapes compiled to SPARQL (:mod:`ipgraph.validation.compiler`) and run in the store.

:class:`CompiledEngine` gives the same findings as pySHACL (the reference, :func:`ipgraph.validation.reference.validate`)
in a fraction of the time: each constraint is one SELECT evaluated by the store over the union of its graphs
(ontology, schemes and regions included, as ``validate`` mixes them into pySHACL's data graph). Shapes the
compiler cannot translate are validated by pySHACL over a copy of the data, and the report says so. The
findings and the report made of them are :mod:`ipgraph.validation.findings`; re-checking after a change is
:mod:`ipgraph.validation.incremental`.
"""

from __future__ import annotations

import os
import re
import threading
import time
import warnings
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import OWL, RDF, RDFS, SH
from rdflib.term import Node

from ..model.iris import IPG
from ..store.base import Store, to_ox
from ..store.queries import values_block
from . import reference
from .compiler import Check, Compiled, compile_shapes, path_text
from .findings import FOCUS_BATCH, Finding, _finding_order, to_report

Progress = Callable[[str], None]
# a sweep runs the checks of a shape with at most this many focus nodes as a partial run over them: lookups from
# the 334 municipal nodes of 100,000 institutions took 0.07 s where the sweep's hashed joins took 6.3 s
FEW_FOCUS_NODES = 500
REGION_LINKS = frozenset({IPG.locatedIn, IPG.parentRegion})
WORKERS = max(1, min(4, os.cpu_count() or 1))   # checks evaluated at the same time
_POOL_LOCK = threading.Lock()


def _quiet(message: str) -> None:
    pass


def pyshacl_keys(report: Graph, shapes: Graph) -> set[tuple[Node, str | None, Node, URIRef]]:
    """The same keys read from a pySHACL report graph (paths are copied into the report, so read them there)."""
    keys = set()
    results = [r for top in report.subjects(RDF.type, SH.ValidationReport) for r in report.objects(top, SH.result)]
    for result in results:     # not the nested sh:detail results
        path = report.value(result, SH.resultPath)
        keys.add((report.value(result, SH.focusNode), None if path is None else path_text(report, path),
                  report.value(result, SH.sourceShape), report.value(result, SH.resultSeverity)))
    return keys


@dataclass(frozen=True)
class Targets:
    """A shape's targets (§2.1.3)."""

    classes: frozenset[Node]
    nodes: frozenset[Node]
    subjects_of: frozenset[Node]
    objects_of: frozenset[Node]


class CompiledEngine:
    """The shapes of ``shapes/`` compiled once; :meth:`findings` / :meth:`report` run them on a store."""

    def __init__(self, shapes: Graph | None = None):
        self.shapes = shapes if shapes is not None else reference.shapes_graph()
        self.compiled: Compiled = compile_shapes(self.shapes)
        self.top_of: dict[Node, Node] = {check.shape: check.top for check in self.checks}   # source → targeted
        self._targets = {top: self._read_targets(top) for top in self.top_of.values()}
        # the same, inverted (target → shapes), so that a partial run finds each node's shapes at once
        self._by_class: dict[Node, set[Node]] = defaultdict(set)
        self._by_node: dict[Node, set[Node]] = defaultdict(set)
        self._by_link: dict[tuple[Node, bool], set[Node]] = defaultdict(set)   # (predicate, as subject?)
        for top, targets in self._targets.items():
            for cls in targets.classes:
                self._by_class[cls].add(top)
            for node in targets.nodes:
                self._by_node[node].add(top)
            for predicate in targets.subjects_of:
                self._by_link[predicate, True].add(top)
            for predicate in targets.objects_of:
                self._by_link[predicate, False].add(top)
        self._texts: dict[Node, str] = defaultdict(str)      # every query of a targeted shape, to search
        for check in self.checks:
            self._texts[check.top] += check.query
        # shapes whose SPARQL has a variable in a predicate's place read any predicate: they follow every link
        self._any_predicate = {top for top, text in self._texts.items() if _variable_predicate(text)}
        self._following: dict[frozenset, frozenset[Node]] = {}
        self._workers: ThreadPoolExecutor | None = None
        self._mentioned: dict[frozenset, frozenset[URIRef]] = {}
        for shape, reason in self.compiled.fallback.items():
            warnings.warn(f"shape {shape} is validated by pySHACL, not compiled: {reason}", stacklevel=2)

    def _pool(self) -> ThreadPoolExecutor:
        """The engine's worker threads, started on first use and kept (starting them took ~2 ms a re-check)."""
        if self._workers is None:
            with _POOL_LOCK:
                if self._workers is None:
                    self._workers = ThreadPoolExecutor(max_workers=WORKERS, thread_name_prefix="validation")
        return self._workers

    def following(self, predicates: Iterable[Node]) -> frozenset[Node]:
        """The targeted shapes whose constraints mention one of ``predicates`` (in a path or in their SPARQL) or
        can read any predicate (a variable in a predicate's place), kept per set."""
        key = frozenset(predicates)
        found = self._following.get(key)
        if found is None:
            found = self._following[key] = frozenset(
                top for top, text in self._texts.items()
                if top in self._any_predicate or any(f"<{p}>" in text for p in key))
        return found

    def mentioned(self, tops: Iterable[Node]) -> frozenset[URIRef] | None:
        """Every IRI the constraints of ``tops`` mention (the predicates they can read among them), or None
        when one of them has a variable where a predicate goes."""
        key = frozenset(tops)
        if key & self._any_predicate:
            return None
        found = self._mentioned.get(key)
        if found is None:
            found = self._mentioned[key] = frozenset(
                URIRef(iri) for top in key for iri in _IRI.findall(self._texts.get(top, "")))
        return found

    def by_links(self, top: Node) -> bool:
        """Whether ``top`` targets the subjects or objects of predicates."""
        targets = self.targets(top)
        return bool(targets.subjects_of or targets.objects_of)

    @property
    def checks(self) -> list[Check]:
        return self.compiled.checks

    @property
    def notes(self) -> list[str]:
        """What the report should say about shapes not compiled."""
        return [f"{shape}: validated by pySHACL ({reason})" for shape, reason in self.compiled.fallback.items()]

    def targets(self, top: Node) -> Targets:
        """What ``top`` targets (§2.1.3): classes (an implicit class target included), nodes, predicates."""
        return self._targets[top]

    def _read_targets(self, top: Node) -> Targets:
        g = self.shapes
        classes = set(g.objects(top, SH.targetClass))
        if (top, RDF.type, RDFS.Class) in g or (top, RDF.type, OWL.Class) in g:
            classes.add(top)
        return Targets(frozenset(classes), frozenset(g.objects(top, SH.targetNode)),
                       frozenset(g.objects(top, SH.targetSubjectsOf)), frozenset(g.objects(top, SH.targetObjectsOf)))

    def focus_nodes(self, store: Store, nodes: list[Node], linked_only: Mapping[Node, set[Node]] | None = None,
                    shapes: Iterable[Node] | None = None) -> dict[Node, list[Node]]:
        """For a partial run: each targeted shape's (of ``shapes``, when given) focus nodes among ``nodes`` (none:
        the shape is skipped).

        A changed institution's graph names concepts, regions, classes and fee levels too; running every
        constraint with all of them as focus nodes makes each query a hundred times slower, and most shapes
        target none of them. ``linked_only`` (from :class:`IncrementalValidation`) maps the nodes the change
        only links to onto the linking predicates: such a node became or stopped being a focus node of
        ``sh:targetObjectsOf`` only through those links, and its results under ``sh:targetSubjectsOf`` and
        ``sh:targetObjectsOf`` shapes (whose constraints read the node's own data) cannot have changed, so the
        store is not asked about it — asking which triples point at a class or a concept is what is slow.
        """
        linked_only = linked_only or {}
        tops = self._targets if shapes is None else {top: self._targets[top] for top in shapes}
        classes: dict[Node, set[Node]] = defaultdict(set)
        links: set[tuple[Node, Node, bool]] = {(n, p, False) for n, ps in linked_only.items() for p in ps}
        wanted = {True: {p for t in tops.values() for p in t.subjects_of},
                  False: {p for t in tops.values() for p in t.objects_of}}
        own = [n for n in nodes if n not in linked_only]
        # read one after another in this thread: handing these few-millisecond reads to the worker threads cost
        # more than it saved (the focus reads of a node's re-check: 17 ms on the workers, 8 ms here)
        types: dict[Node, set[Node]] = defaultdict(set)
        for row in _batched_rows(store, "validation-focus-types", nodes):
            types[row["type"]].add(row["node"])
        as_subject = _batched_rows(store, "validation-focus-subjects", own if wanted[True] else [],
                                   predicate=sorted(wanted[True]))
        as_object = _batched_rows(store, "validation-focus-objects", own if wanted[False] else [],
                                  predicate=sorted(wanted[False]))
        supers: dict[Node, set[Node]] = defaultdict(set)
        for row in store.select("validation-subclass-links") if types else []:
            supers[row["class"]].add(row["super"])
        for node_type, typed_nodes in types.items():
            if isinstance(node_type, URIRef):
                for node in typed_nodes:
                    classes[node] |= _closure(node_type, supers)
        blank_typed = sorted({n for t, typed_nodes in types.items() if not isinstance(t, URIRef)
                              for n in typed_nodes}, key=str)
        for row in _batched_rows(store, "validation-focus-classes", blank_typed):
            classes[row["node"]].add(row["class"])
        for subject, answer in ((True, as_subject), (False, as_object)):
            for row in answer:
                if row["predicate"] in wanted[subject]:
                    links.add((row["node"], row["predicate"], subject))
        chosen: dict[Node, set[Node]] = defaultdict(set)       # node → the shapes that target it
        for node, subject_classes in classes.items():
            for cls in subject_classes:
                chosen[node].update(self._by_class.get(cls, ()))
        for node, predicate, subject in links:
            chosen[node].update(self._by_link.get((predicate, subject), ()))
        per_shape: dict[Node, list[Node]] = {top: [] for top in tops}
        for node in nodes:
            for top in chosen.get(node, set()) | self._by_node.get(node, set()):
                if top in per_shape:
                    per_shape[top].append(node)
        return per_shape

    def findings(self, store: Store, focus: Iterable[Node] | None = None, *,
                 per_shape: Mapping[Node, list[Node]] | None = None, progress: Progress = _quiet,
                 few_focus_nodes: int = FEW_FOCUS_NODES) -> list[Finding]:
        """Every result of every shape, or (``focus`` given) only those whose focus node is in ``focus``, or
        (``per_shape`` given, from :meth:`focus_nodes`) those of each targeted shape's listed focus nodes.

        A sweep runs the checks of a focus pattern with at most ``few_focus_nodes`` nodes as a partial run over
        those nodes (0: every check as a sweep)."""
        nodes = None if focus is None else _named(focus)
        if nodes is not None and not nodes:
            return []
        if per_shape is None and nodes is not None:
            per_shape = self.focus_nodes(store, nodes)
        found: set[Finding] = set()
        started = time.perf_counter()
        few = self._few_focus_nodes(store, few_focus_nodes) if per_shape is None and few_focus_nodes else {}

        def rows(check: Check) -> list[dict]:
            listed = few.get(check.focus) if per_shape is None else per_shape.get(check.top, [])
            if listed is None:
                return store.select_text(check.text())
            # per_shape lists each shape's focus nodes among the given ones: class and node targets as
            # focus_nodes read them from the store, but links (sh:targetSubjectsOf / ObjectsOf) as the change
            # had them before or after, so those shapes keep their target pattern
            text = check.text if self.by_links(check.top) else check.for_targets
            return [row for block in _focus_blocks(listed) for row in store.select_text(text(block))]

        # a partial run runs only the checks of shapes that target one of its nodes; a sweep's checks, or a large
        # partial run's, go to the worker threads (the store evaluates queries outside the GIL: two cores halve a
        # sweep), a re-check's few stay in this thread (each takes a millisecond or less, as long as a hand-off)
        checks = self.checks if per_shape is None else [c for c in self.checks if per_shape.get(c.top)]
        many = per_shape is None or sum(len(listed) for listed in per_shape.values()) > FOCUS_BATCH
        run = self._pool().map if many else map
        for number, (check, answer) in enumerate(zip(checks, run(rows, checks)), 1):
            sparql = check.component == SH.SPARQLConstraintComponent
            for row in answer:
                path = row.get("path", check.path)
                messages = _filled(check.messages, row) if sparql else check.messages
                found.add(Finding(row["this"], path, row.get("value"), check.shape, check.severity,
                                  check.component, messages))
            if progress is not _quiet and (number % 10 == 0 or number == len(checks)):
                progress(f"compiled validation: {number}/{len(checks)} constraints, {len(found)} results, "
                         f"{time.perf_counter() - started:.1f} s")
        if self.compiled.fallback:
            found.update(self._fallback(store, nodes, progress))
        return sorted(found, key=_finding_order)

    def _few_focus_nodes(self, store: Store, most: int) -> dict[str, list[Node]]:
        """For a sweep: the focus nodes of each focus pattern that has at most ``most`` of them, none of them a
        blank node (which a query cannot name)."""
        patterns = sorted({c.focus: c for c in self.checks if c.focus}.items())
        answers = self._pool().map(lambda item: store.select_text(item[1].focus_query(most + 1)), patterns)
        return {focus: [row["this"] for row in answer] for (focus, _), answer in zip(patterns, answers)
                if len(answer) <= most and not any(isinstance(row["this"], BNode) for row in answer)}

    def _fallback(self, store: Store, nodes: list[Node] | None, progress: Progress) -> list[Finding]:
        """pySHACL over a copy of the store, for the shapes the compiler left out (other shapes lose targets)."""
        from pyshacl import validate as shacl

        progress(f"pySHACL for {len(self.compiled.fallback)} shape(s) the compiler does not translate")
        shapes = Graph()
        shapes += self.shapes
        for top in {c.top for c in self.checks}:
            for predicate in (SH.targetClass, SH.targetNode, SH.targetSubjectsOf, SH.targetObjectsOf):
                shapes.remove((top, predicate, None))
        data = Graph()
        for row in store.select_text("SELECT ?s ?p ?o WHERE { ?s ?p ?o }"):
            data.add((row["s"], row["p"], row["o"]))
        _, report, _ = shacl(data, shacl_graph=shapes, inference="none", allow_warnings=True, allow_infos=True)
        wanted = None if nodes is None else set(nodes)
        out = []
        for result in report.subjects(RDF.type, SH.ValidationResult):
            focus = report.value(result, SH.focusNode)
            if wanted is not None and focus not in wanted:
                continue
            path = report.value(result, SH.resultPath)
            if path is not None and not isinstance(path, URIRef):
                path = self.shapes.value(report.value(result, SH.sourceShape), SH.path) or path
            shape = report.value(result, SH.sourceShape)
            out.append(Finding(focus, path, report.value(result, SH.value), shape,
                               report.value(result, SH.resultSeverity),
                               report.value(result, SH.sourceConstraintComponent),
                               tuple(sorted(self.shapes.objects(shape, SH.message), key=str))))
        return out

    def report(self, store: Store, findings: Iterable[Finding] | None = None, *,
               progress: Progress = _quiet) -> reference.ValidationReport:
        """The findings as :class:`ipgraph.validation.reference.ValidationReport`, its ``graph`` a standard sh:ValidationReport."""
        findings = list(self.findings(store, progress=progress) if findings is None else findings)
        return to_report(store, self.shapes, findings, notes=self.notes)


def _filled(messages: tuple[Literal, ...], row: Mapping[str, Node]) -> tuple[Literal, ...]:
    """SPARQL-based constraint messages with ``{?var}`` / ``{$var}`` replaced by the row's values (§5.3.2)."""
    out = []
    for message in messages:
        text = str(message)
        for name, value in row.items():
            text = text.replace("{?" + name + "}", str(value)).replace("{$" + name + "}", str(value))
        out.append(Literal(text, lang=message.language))
    return tuple(out)


def _named(nodes: Iterable[Node]) -> list[Node]:
    """The nodes that can be focus nodes of a partial run (blank nodes and literals cannot be named in VALUES)."""
    return sorted({n for n in nodes if not isinstance(n, (BNode, Literal))}, key=str)


_IRI = re.compile(r"<([^<>\s\"{}|^`\\]*)>")
_SELECT_LIST = re.compile(r"\bSELECT\b[^{]*?\bWHERE\b", re.IGNORECASE | re.DOTALL)
_PREDICATE_VARIABLE = re.compile(r"(?:[?$]\w+|<[^<>\s]*>|\]|;)\s+[?$]\w+\s+(?:[?$]\w+|<|\"|'|\[|_:|\d|-|\()")


def _variable_predicate(text: str) -> bool:
    """Whether a query has a variable where a triple pattern's predicate goes (projections aside): it may read
    any predicate. Errs towards yes, which only makes incremental validation re-check more."""
    return bool(_PREDICATE_VARIABLE.search(_SELECT_LIST.sub(" WHERE", text)))


def _covered(asked: frozenset | None, wanted: frozenset | None) -> bool:
    """Whether links asked for (None: any) cover the links wanted."""
    return asked is None or (wanted is not None and wanted <= asked)


def _closure(start: Node, links: Mapping[Node, set[Node]]) -> set[Node]:
    """``start`` and every node reachable from it through ``links`` (rdfs:subClassOf*, cycles allowed)."""
    found, todo = {start}, [start]
    while todo:
        for nxt in links.get(todo.pop(), ()):
            if nxt not in found:
                found.add(nxt)
                todo.append(nxt)
    return found


def _batched_rows(store: Store, query: str, nodes: list[Node], **bindings: object) -> list[dict]:
    """The rows of a named query for ``nodes``, bound FOCUS_BATCH at a time (none for no nodes)."""
    return [row for start in range(0, len(nodes), FOCUS_BATCH)
            for row in store.select(query, node=nodes[start:start + FOCUS_BATCH], **bindings)]


def _focus_blocks(nodes: list[Node]) -> Iterable[str]:
    """The VALUES blocks that narrow a check to ``nodes`` (no run when empty)."""
    for start in range(0, len(nodes), FOCUS_BATCH):
        yield values_block({"this": nodes[start:start + FOCUS_BATCH]})


def graph_store(data: Graph, reference_data: Graph | None = None):
    """An in-memory store holding ``data`` and the reference graph (ontology, schemes, regions), as pySHACL's
    data graph in :func:`ipgraph.validation.reference.validate`; blank nodes keep their labels, so results name the same
    nodes as pySHACL's."""
    import pyoxigraph as ox

    from ..model.iris import GRAPH
    from ..store.embedded import EmbeddedStore

    store = EmbeddedStore()
    reference_data = reference_data if reference_data is not None else reference.reference_graph()
    for name, graph in ((GRAPH["reference"], reference_data), (GRAPH["input"], data)):
        target = ox.NamedNode(str(name))
        # the store's own loaders relabel blank nodes; this keeps them (same labels as rdflib's)
        store._store.extend(ox.Quad(to_ox(s), to_ox(p), to_ox(o), target) for s, p, o in graph)
    return store


def validate_graph(data: Graph, *, engine: CompiledEngine | None = None, reference_data: Graph | None = None,
                   progress: Progress = _quiet) -> reference.ValidationReport:
    """Like :func:`ipgraph.validation.reference.validate` (same inputs, same report), with the compiled engine."""
    engine = engine or CompiledEngine()
    store = graph_store(data, reference_data)
    try:
        return engine.report(store, progress=progress)
    finally:
        store.close()
