"""What a write would do, said before it is done: the validation report the write path would give, and the change.

The preview validates as the service validates an upload (:meth:`ipgraph.admin.write.Writer.upload`): the
upload's graphs beside a copy of the store's public graphs (those it replaces or retires left out, and the links
to retired institutions removed as :meth:`~ipgraph.admin.write.Writer.retire` removes them), every compiled
constraint run there, and shown are the findings on the institutions the upload describes and the Violations it
brings elsewhere (those the store does not already have). ``ipgraph validate`` (against the reference context or a
running store's network), ``ipgraph load`` and ``POST /admin/upload?dry_run=true`` all call it, so the command
line and the service cannot disagree about the same file.

The change: institutions added, changed (their triples differ), unchanged and retired; triples in and out.
Blank nodes are named anew by every upload, so a triple with one always counts as changed.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

import pyoxigraph as ox
from rdflib import URIRef
from rdflib.namespace import SH

from ..model.iris import ADMINISTRATIONS_GRAPH, ID, NON_PUBLIC_GRAPHS, institution_graph
from ..model.network import owner_key
from ..store.base import Store, to_ox
from ..validation.compiled import CompiledEngine
from ..validation.findings import Finding, to_report
from ..validation.reference import ValidationReport
from .backup import export_quads
from .staging import STAGING, Staged, institution_keys


@dataclass
class Change:
    """What the write changes in the store."""

    added: list[str] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    retired: list[str] = field(default_factory=list)
    triples_in: int = 0
    triples_out: int = 0

    def as_dict(self) -> dict:
        return {"added": self.added, "changed": self.changed, "unchanged": self.unchanged, "retired": self.retired,
                "counts": {"added": len(self.added), "changed": len(self.changed), "unchanged": len(self.unchanged),
                           "retired": len(self.retired)},
                "triples_in": self.triples_in, "triples_out": self.triples_out}

    def to_text(self, lang: str = "zh") -> str:
        if lang == "zh":
            return (f"新增机构 {len(self.added)} 个，变更 {len(self.changed)} 个，未变 {len(self.unchanged)} 个，"
                    f"撤销 {len(self.retired)} 个；写入三元组 {self.triples_in} 个，移除 {self.triples_out} 个。")
        return (f"{len(self.added)} institutions added, {len(self.changed)} changed, {len(self.unchanged)} unchanged, "
                f"{len(self.retired)} retired; {self.triples_in} triples in, {self.triples_out} out.")


@dataclass
class Preview:
    """The report the write would give and the change it would make; nothing has been written."""

    report: ValidationReport
    change: Change

    @property
    def conforms(self) -> bool:
        return self.report.conforms

    def as_dict(self, lang: str = "zh", places=None) -> dict:
        """``places``: where each result came from (:meth:`ValidationReport.to_json`)."""
        return {"conforms": self.conforms, "report": self.report.to_json(lang, places), "change": self.change.as_dict()}


def _institution(finding: Finding) -> str | None:
    return owner_key(finding.focus) if isinstance(finding.focus, URIRef) else None


def _held(store: Store, names: Iterable[URIRef]) -> dict[URIRef, set[tuple]]:
    """The current triples of some graphs, as pyoxigraph terms."""
    held: dict[URIRef, set[tuple]] = {name: set() for name in names}
    if not held:
        return held
    native = getattr(store, "_store", None)
    if isinstance(native, ox.Store):
        for name in held:
            held[name] = {(q.subject, q.predicate, q.object)
                          for q in native.quads_for_pattern(None, None, None, ox.NamedNode(str(name)))}
        return held
    for row in store.select("admin-quads", graph=sorted(held)):
        held[row["graph"]].add((to_ox(row["s"]), to_ox(row["p"]), to_ox(row["o"])))
    return held


def preview(store: Store, engine: CompiledEngine, before: Iterable[Finding], staged: Staged, *,
            retire: Iterable[str] = (), progress: Callable[[str], None] | None = None) -> Preview:
    """Validate ``staged`` (retiring ``retire``) against ``store`` as the write path would, and say what it
    changes. ``before`` are the store's current findings (:attr:`IncrementalValidation.findings`). The staged
    store receives the copy of the context (its staged graphs stay as they were)."""
    existing = institution_keys(store.graph_names())
    retiring = sorted(set(retire) - staged.described)
    left_out = {str(institution_graph(key)) for key in staged.described | set(retiring)}
    left_out |= {str(g) for g in NON_PUBLIC_GRAPHS}
    context = export_quads(store, lambda graph: graph not in left_out and not graph.startswith(STAGING))
    if context:
        staged.store.load(context, format=ox.RdfFormat.N_QUADS)
    if retiring:    # the links other graphs hold to them go, as Writer.retire removes them
        for row in staged.scratch.select("admin-links-to", target=[ID["institution/" + k] for k in retiring]):
            if not str(row["graph"]).startswith(STAGING):
                staged.store.remove(ox.Quad(to_ox(row["s"]), to_ox(row["p"]), to_ox(row["target"]),
                                            to_ox(row["graph"])))
    found = engine.findings(staged.scratch, **({"progress": progress} if progress else {}))
    known = set(before)
    shown = [f for f in found if _institution(f) in staged.described
             or (f.severity == SH.Violation and f not in known)]
    report = to_report(staged.scratch, engine.shapes, shown)

    change = Change(retired=retiring)
    overlap = sorted(staged.described & existing)
    change.added = sorted(staged.described - existing)
    names = {institution_graph(key) for key in overlap}
    old, new = _held(store, names), staged.triples(names) if names else {}
    kept_in_place = 0
    for key in overlap:
        name = institution_graph(key)
        entering, leaving = new[name] - old[name], old[name] - new[name]
        kept_in_place += len(new[name]) - len(entering)
        change.triples_out += len(leaving)
        (change.changed if entering or leaving else change.unchanged).append(key)
    present = staged.scratch.select("staged-present", kept=ADMINISTRATIONS_GRAPH)
    change.triples_in = staged.triple_count - int(present[0]["present"]) - kept_in_place if present else 0
    if retiring:
        sizes = _held(store, [institution_graph(k) for k in retiring])
        change.triples_out += sum(len(t) for t in sizes.values())
    return Preview(report=report, change=change)
