"""Validation kept current: the findings per focus node, and after a change only the focus nodes it can reach
re-checked (:meth:`IncrementalValidation.replace`) — what the write path runs before every commit.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping

from rdflib import BNode, Graph, URIRef
from rdflib.term import Node

from ..collector import freeze_long_lived
from ..store.base import Store, read_graphs
from ..store.queries import Table
from .compiled import REGION_LINKS, CompiledEngine, Progress, _covered, _named, _quiet
from .findings import FOCUS_BATCH, Finding, _finding_order


class IncrementalValidation:
    """Findings kept per focus node, brought up to date when institutions' graphs are replaced.

    A replaced graph can change the results of (1) the nodes it held before and holds after (subjects and IRI
    objects), (2) the nodes that link to those subjects from other graphs (guidance, coordination, support,
    designations are written in both directions across institutions' graphs), and (3) when a municipal node
    changes, the institutions of its prefecture-level region (coordination, 6.3.2.2 c, compares an outlet with
    its prefecture's municipal nodes). Only those focus nodes are re-checked, every compiled constraint restricted
    to them by ``VALUES``.
    """

    def __init__(self, store: Store, engine: CompiledEngine | None = None, *,
                 findings: Iterable[Finding] | None = None, progress: Progress = _quiet):
        """Start from ``findings`` (a full run's, when the caller has one) or run every constraint now."""
        self.store = store
        self.engine = engine or CompiledEngine()
        self.by_focus: dict[Node, set[Finding]] = defaultdict(set)
        self.last_nodes: list[Node] = []   # the focus nodes the last re-check covered
        self._forget()
        for finding in self.engine.findings(store, progress=progress) if findings is None else findings:
            self.by_focus[finding.focus].add(finding)
        freeze_long_lived()   # the findings live as long as the service, and hold no reference cycles

    @property
    def findings(self) -> list[Finding]:
        return sorted((f for found in self.by_focus.values() for f in found), key=_finding_order)

    @property
    def last_rechecked(self) -> int:
        """How many focus nodes the last re-check covered."""
        return len(self.last_nodes)

    def _forget(self) -> None:
        """Start afresh what :meth:`affected` learns between re-checks."""
        # the subjects of the changed graphs (re-checked for every shape), their objects with the predicates that
        # link them, and the neighbours' links to the subjects (for the prefecture's institutions, the region links)
        self._subjects: set[Node] = set()
        self._objects: dict[Node, set[Node]] = defaultdict(set)
        self._linking: dict[Node, set[Node]] = defaultdict(set)
        # subjects whose neighbours were asked for, and by which links (None: any)
        self._asked: dict[Node, frozenset[URIRef] | None] = {}
        # the changed graphs' triples before the replacement (only those it removes, when the store compared the
        # new content with the old), and the predicates of the triples it adds or removes
        self._before: dict[Node, set[tuple[Node, Node, Node]]] = {}
        self._compared: set[Node] = set()   # graphs whose new content was compared with the old
        self._seen: dict[Node, tuple[Graph, set[Node], set[Node]]] = {}   # new graphs read: nodes, subjects
        self._delta: set[Node] = set()
        self._delta_known = True

    def affected(self, graphs: Iterable[URIRef], new: Mapping[URIRef, Graph] | None = None) -> set[Node]:
        """The focus nodes whose results a replacement of ``graphs`` (by ``new``) can change.

        Called with the graph names before the replacement and with the new graphs (before or after it), it
        also learns which predicates the replacement changes: see :meth:`recheck`.
        """
        names = list(graphs)
        nodes: set[Node] = set()
        subjects: set[Node] = set()
        new = new or {}
        # an rdflib graph is slow to walk: each new one once, unless it was read before the write
        contents = {name: set(graph) for name, graph in new.items()
                    if not ((seen := self._seen.get(name)) is not None and seen[0] is graph and name in self._before)}
        # with the new content at hand, the store compares it with the old and returns only what differs: the
        # old graph's nodes are the new one's and those of the triples removed
        replaced = [name for name in names if name in contents]
        changes = self.store.graph_changes({name: contents[name] for name in replaced}) if replaced else {}
        held = read_graphs(self.store, [name for name in names if name not in changes])
        for name, (removed, added) in changes.items():
            held[name] = removed
            self._delta |= {p for s_, p, o in removed | added}
            self._compared.add(name)
        for name, triples in held.items():
            held_nodes, held_subjects = self._touched(triples)
            nodes |= held_nodes
            subjects |= held_subjects
            self._before.setdefault(name, triples)
        for name, graph in new.items():
            if name not in contents:        # asked again after the write
                nodes |= self._seen[name][1]
                subjects |= self._seen[name][2]
                continue
            before = self._before.get(name)
            if before is None:      # what the graph held was not read: any predicate may have changed
                self._delta_known = False
            elif name not in self._compared:
                # blank nodes are named anew by every upload: their triples always count as changed
                self._delta |= {p for s_, p, o in before ^ contents[name]}
                self._compared.add(name)
            own_nodes, own_subjects = self._touched(contents[name])
            if before is not None:
                self._seen[name] = (graph, own_nodes, own_subjects)
            nodes |= own_nodes
            subjects |= own_subjects
        self._subjects |= subjects
        return nodes | self._neighbours(subjects)

    def _touched(self, triples: Iterable[tuple[Node, Node, Node]]) -> tuple[set[Node], set[Node]]:
        """The nodes of some triples (subjects and IRI objects) and their subjects; learns the linking predicates."""
        nodes, subjects = set(), set()
        for s_, p, o in triples:
            nodes.add(s_)
            subjects.add(s_)
            if isinstance(o, URIRef):
                nodes.add(o)
                self._objects[o].add(p)
        return nodes, subjects

    def _delta_settled(self) -> bool:
        """Whether every changed graph was read before and compared with its new content."""
        return self._delta_known and bool(self._before) and set(self._before) <= self._compared

    def _neighbours(self, subjects: set[Node]) -> set[Node]:
        """The nodes related to ``subjects`` from outside the changed graphs that a re-check must consider.

        Once the replacement's delta is known, only the links that a shape mentioning a changed predicate also
        mentions are asked for (none: nothing is asked); the prefecture's institutions only when such a shape
        mentions the region links. A node related otherwise keeps its findings (see :meth:`recheck`).
        """
        named = sorted((s for s in subjects if isinstance(s, URIRef)), key=str)
        links = self.engine.mentioned(self.engine.following(self._delta)) if self._delta_settled() else None
        found: set[Node] = set()
        # links from other graphs are the same before and after a replacement (links inside the replaced
        # graphs come from its own subjects): a subject's neighbours are asked for once per re-check, again
        # only when the links asked for grow
        unasked = [s for s in named if not _covered(self._asked.get(s, frozenset()), links)]
        for subject in unasked:
            self._asked[subject] = links
        if links is not None and not links:
            unasked = []        # no shape could see the change from a neighbour
        # by given links, the pairs (link, subject) are bound together, each one index lookup: a provincial node
        # is the object of thousands of guidance links, and filtering them on the links read every one
        pairs = None if links is None else sorted(links)
        step = max(1, FOCUS_BATCH // len(pairs)) if pairs else FOCUS_BATCH
        for start in range(0, len(unasked), step):
            # read as text columns: a node guides hundreds
            chunk = unasked[start:start + step]
            columns = (self.store.select_columns("validation-neighbours", node=chunk) if pairs is None else
                       self.store.select_columns("validation-neighbours",
                                                 links=Table(("p", "node"), [(p, n) for p in pairs for n in chunk])))
            for neighbour, predicate in zip(columns["neighbour"], columns["p"]):
                node = BNode(neighbour[2:]) if neighbour.startswith("_:") else URIRef(neighbour)
                found.add(node)
                self._linking[node].add(URIRef(predicate))
        if links is None or links & REGION_LINKS:
            for start in range(0, len(named), FOCUS_BATCH):
                chunk = named[start:start + FOCUS_BATCH]
                for row in self.store.select("validation-prefecture", node=chunk):   # a node's region can change
                    found.add(row["neighbour"])
                    # related to the changed municipal node through the region hierarchy, not by a link of its own
                    self._linking[row["neighbour"]] |= REGION_LINKS
        return found

    def recheck(self, nodes: set[Node]) -> tuple[set[Finding], set[Finding]]:
        """Re-run every constraint for ``nodes``; returns (findings gone, findings new).

        When :meth:`affected` saw the graphs before and after, a node is re-checked only for the shapes that
        mention a predicate the replacement changed: any other shape reads the same triples as before (its
        target pattern included), so its findings for the node stand. A node with no data of its own in the
        changed graphs (one linked to their subjects, or in a changed municipal node's prefecture) is
        re-checked only for those of them that also follow one of its links. Re-uploading a node with a new
        telephone number re-checks the node for the shapes that read telephone numbers, not for its staff or
        services, nor the hundreds of institutions it guides.
        """
        # what affected learnt: the changed graphs' subjects (data of their own there), the nodes linked to them
        # from outside and the nodes their triples link to, each with the linking predicates
        subjects, linking, objects = self._subjects, self._linking, self._objects
        changed = self.engine.following(self._delta) if self._delta_settled() else None
        self._forget()
        shapes_for: dict[frozenset[Node], frozenset[Node]] = {}   # by linking predicates: a node guides thousands

        def linked_only(node: Node) -> bool:
            """Whether the changed graphs only link to ``node`` (no data of its own there, not a neighbour): see
            :meth:`CompiledEngine.focus_nodes`."""
            return node in objects and node not in subjects and node not in linking

        def reached(node: Node) -> frozenset[Node] | None:
            """The shapes a node is re-checked for (None: all): a node without data of its own in the changed
            graphs, only links between it and their subjects (either way), for those that follow such a link."""
            into, out = (None, None) if node in subjects else (linking.get(node), objects.get(node))
            if into is None and out is None:
                return changed
            predicates = frozenset(out if into is None else into if out is None else into | out)
            found = shapes_for.get(predicates)
            if found is None:
                following = self.engine.following(predicates)
                found = shapes_for[predicates] = following if changed is None else following & changed
            return found

        reach = {node: reached(node) for node in nodes}
        named = _named(n for n in nodes if reach[n] is None or reach[n])
        self.last_nodes = named
        # the shapes any node is re-checked for: the others need not be asked which nodes they target
        wanted = None if any(reach[n] is None for n in named) else frozenset().union(*(reach[n] for n in named))
        linked = {n: objects[n] for n in named if linked_only(n)}
        per_shape = self.engine.focus_nodes(self.store, named, linked, wanted) if named else {}
        for top, listed in per_shape.items():
            per_shape[top] = [n for n in listed if reach[n] is None or top in reach[n]]
        after = set(self.engine.findings(self.store, named, per_shape=per_shape)) if named else set()
        ran = {(node, top) for top, listed in per_shape.items() for node in listed}
        before: set[Finding] = set()
        for node in nodes:
            if reach[node] is not None and not reach[node]:
                continue        # re-checked for no shape: its findings stand as they are
            old = self.by_focus.pop(node, set())
            before |= old
            # findings under shapes a node was deliberately not re-checked for stay: a node the change only
            # links to, under subject/object targets (see CompiledEngine.focus_nodes); a linked node, under the
            # shapes it was not re-checked for (above)
            kept = {f for f in old if (top := self.engine.top_of.get(f.shape)) is not None and (node, top) not in ran
                    and ((linked_only(node) and self.engine.by_links(top))
                         or (reach[node] is not None and top not in reach[node]))}
            after |= kept
        for finding in after:
            self.by_focus[finding.focus].add(finding)
        return before - after, after - before

    def replace(self, graphs: Mapping[URIRef, Graph]) -> tuple[set[Finding], set[Finding]]:
        """Replace the named graphs in the store (one transaction) and bring the findings up to date.

        Returns (findings gone, findings new).
        """
        before = self.affected(graphs, graphs)
        self.store.replace_graphs(graphs)
        return self.recheck(before | self.affected([], graphs))
