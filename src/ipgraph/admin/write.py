"""The administrators' write path: validate, then commit in one transaction, and record who did it (PROV).

Every write — an upload of institutions' data, an evaluation (7.1) or practice case (7.3) added to an
institution, an institution retired — goes through :meth:`Writer.write`, one at a time:

1. the new graphs are applied to a scratch copy of the public graphs and validated there with the compiled
   shapes (:mod:`ipgraph.validation.compiled`), only for the focus nodes the change can reach;
2. a Violation the change introduces, or any Violation on a written institution, refuses the write
   (:class:`Rejected`, with the report) and nothing changes;
3. otherwise the graphs *and* the provenance graph (a ``prov:Activity`` naming the agent, the time and the
   graphs generated or invalidated) are replaced in one store transaction — a crash leaves old or new,
   never a mix (DESIGN: writes are validate-then-commit) — and the incremental validation state and the
   match index (``on_commit``) are brought up to date.

The compiled shapes always run on pyoxigraph: the scratch copy is in memory, and over a SPARQL engine the
incremental validation state runs on an in-memory copy of the engine's public graphs that each commit updates
(:meth:`Writer._validated_store`). The generated queries are portable SPARQL 1.1, but Virtuoso 7.2 answers 14
of the 75 wrongly or not at all (15 as partial runs) (docs/remote-store.md, "Known engine limits").

A retired institution's graph is dropped; its last content is kept in the provenance graph as an N-Triples
literal, so history stays but no query that looks for institutions (the union default graph of the named
queries, the public endpoint, pages, dumps) can find it.
"""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDF, RDFS, SH
from rdflib.term import Node

from ..model.iris import (ID, IPG, NON_PUBLIC_GRAPHS, PROV, PROVENANCE_GRAPH, graph_institution_key,
                          institution_graph, is_public_graph)
from ..model.network import owner_key, split_by_institution
from ..store import changes
from ..store.base import Store
from ..store.embedded import EmbeddedStore
from ..validation.compiled import CompiledEngine
from ..validation.findings import Finding, to_report
from ..validation.incremental import IncrementalValidation
from ..validation.reference import InputError, ValidationReport, read_graph
from .backup import scratch_copy
from .preview import Preview, preview
from .staging import Staged

# Upload media types → the parser that reads them (see docs/admin.md).
RDF_TYPES = {
    "text/turtle": "turtle", "application/x-turtle": "turtle",
    "application/n-triples": "nt", "text/plain": "nt",
    "application/ld+json": "json-ld", "application/json": "json-ld",
}
SPREADSHEET_TYPES = {
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": "xlsx",
    "text/csv": "csv",
}
Extras = list[tuple[URIRef, Node]]
WHOLE_RUN = 1500   # more focus nodes than this: validate everything once instead of by focus node


class UnsupportedType(ValueError):
    """An upload in a media type the write path does not read."""


class BadUpload(ValueError):
    """An upload that cannot be read: ``problems`` say where (line/column, or sheet/row/column)."""

    def __init__(self, zh: str, en: str, problems: list[dict]):
        super().__init__(en)
        self.zh, self.en, self.problems = zh, en, problems


class NotAnInstitution(LookupError):
    """No institution with that key in the graph."""


class Rejected(Exception):
    """The write would introduce a Violation; nothing was changed. ``report`` says what and where."""

    def __init__(self, report: ValidationReport):
        super().__init__("the write was refused: the data has Violations")
        self.report = report


@dataclass
class WriteResult:
    """An accepted write: the activity that records it, the graphs replaced or dropped, the report (warnings)."""

    activity: str
    graphs: list[str]
    report: ValidationReport
    institutions: list[str] = field(default_factory=list)


def agent_label(token: str) -> str:
    """Who wrote, without keeping the secret: a short hash of the bearer token."""
    return "admin-token:" + hashlib.sha256(token.encode()).hexdigest()[:12]


def parse_upload(body: bytes, media_type: str) -> Graph:
    """The RDF of an upload. Raises UnsupportedType, BadUpload (with line/column or sheet/row/column)."""
    return read_upload(body, media_type)[0]


def read_upload(body: bytes, media_type: str):
    """:func:`parse_upload`'s graph, and for a spreadsheet where each part came from
    (:class:`ipgraph.sheets.locations.Locations`, None for RDF): a report can then point at the cell."""
    kind = media_type.split(";", 1)[0].strip().lower()
    if kind in RDF_TYPES:
        try:
            return read_graph(body, format=RDF_TYPES[kind], name="upload"), None
        except InputError as error:
            where = {"line": error.line, "column": error.column}
            at = f"第 {error.line} 行第 {error.column} 列：" if error.line else ""
            at_en = f"line {error.line}, column {error.column}: " if error.line else ""
            raise BadUpload(f"无法解析上传的数据（{kind}）：{at}{error.zh}",
                            f"Cannot parse the upload ({kind}): {at_en}{error.message}",
                            [{**where, "problem": error.message}]) from None
    if kind in SPREADSHEET_TYPES:
        from ..sheets.ingest import SpreadsheetError, import_spreadsheet

        try:
            imported = import_spreadsheet(body, locate=True)
            return imported.graph, imported.locations
        except SpreadsheetError as error:
            problems = [{"sheet": p.sheet, "row": p.row, "column": p.column, "where": p.where,
                         "problem_zh": p.zh, "problem_en": p.en} for p in error.problems]
            first = error.problems[0] if error.problems else None
            where = f"{first.where}：{first.zh}" if first else ""
            raise BadUpload(f"电子表格有 {len(problems)} 处问题，未写入任何数据。{where}",
                            f"The spreadsheet has {len(problems)} problems; nothing was written. "
                            + (f"{first.where}: {first.en}" if first else ""), problems) from None
    raise UnsupportedType(kind)


def _finding_institution(finding: Finding) -> str | None:
    return owner_key(finding.focus) if isinstance(finding.focus, URIRef) else None


class Writer:
    """The one writer of a store: writes are serialised, validated, committed with provenance."""

    def __init__(self, store: Store, *, on_commit: Callable[[], None] = lambda: None,
                 before_commit: Callable[[], None] = lambda: None, validation: IncrementalValidation | None = None):
        self.store = store
        self.on_commit = on_commit
        self.before_commit = before_commit  # e.g. stop serving records cached from the graph about to change
        self._validation = validation
        self._lock = threading.RLock()

    # -- the validation state ---------------------------------------------------------------------
    @property
    def validation(self) -> IncrementalValidation:
        """The incremental validation state (built over the whole store on first use)."""
        with self._lock:
            if self._validation is None:
                self._validation = IncrementalValidation(self._validated_store(), CompiledEngine())
            return self._validation

    def another_wrote(self) -> None:
        """Another worker (or ``ipgraph load``) wrote to the engine: over a SPARQL engine the in-memory copy the
        validation state runs on no longer shows the network, so it is read again on next use."""
        with self._lock:
            if self._validation is not None and self._validation.store is not self.store:
                self._validation = None

    def _validated_store(self) -> Store:
        """Where the incremental validation runs: the embedded store itself; over a SPARQL engine, an in-memory
        copy of its public graphs (what the scratch copy of every write validates too), because an engine's own
        SPARQL compiler may answer the compiled shapes' queries wrongly — measured on Virtuoso 7.2: 11 of the 75
        give wrong rows (``rdfs:subClassOf*`` inside ``MINUS``, ``sameTerm`` on booleans), 3 fail (SQ156,
        SP031), see docs/remote-store.md."""
        return self.store if isinstance(self.store, EmbeddedStore) else scratch_copy(self.store, set())

    def compliance_report(self) -> ValidationReport:
        """Every current finding as a report (what ``/admin/compliance`` shows)."""
        with self._lock:
            state = self.validation
            findings = state.findings
            return to_report(self.store, state.engine.shapes, findings)

    # -- reads the write path needs ----------------------------------------------------------------
    def graph_of(self, key: str) -> Graph:
        """The current content of an institution's graph (empty when there is none)."""
        return self._graph(institution_graph(key))

    def _graph(self, name: URIRef) -> Graph:
        graph = Graph()
        for row in self.store.select("admin-quads", graph=name):
            graph.add((row["s"], row["p"], row["o"]))
        return graph

    # -- the write ---------------------------------------------------------------------------------
    def write(self, build: Callable[[], tuple[dict[URIRef, Graph], Extras]], *, agent: str, action: str,
              check: bool = True, institutions: set[str] | None = None, maintain: bool = True) -> WriteResult:
        """Build the new graphs under the write lock, validate them, commit them with their provenance.

        ``build`` returns (graphs to replace — an empty graph drops it —, extra (predicate, object) pairs
        describing the activity). Raises Rejected (nothing changed) when ``check`` and the change brings a
        Violation. ``institutions`` are the keys the write is about (by default, those of every graph written):
        any Violation on them refuses it. Without ``check`` and ``maintain`` the validation state is not brought
        up to date but read again on first use (one of many writes that :meth:`load` makes in a row).
        """
        with self._lock:
            if not (check or maintain):
                graphs, extras = build()
                self._commit(graphs, extras, agent=agent, action=action)
                self._validation = None
                self.on_commit()
                return WriteResult(activity="", graphs=sorted(str(g) for g in graphs),
                                   report=ValidationReport(results=[]), institutions=sorted(institutions or ()))
            state = self.validation
            graphs, extras = build()
            written = institutions if institutions is not None else \
                {key for g in graphs if (key := graph_institution_key(g))}
            affected = state.affected(list(graphs), graphs)
            report = self._check(state, graphs, affected, written) if check else None
            if report is not None and not report.conforms:
                raise Rejected(report)
            activity = self._commit(graphs, extras, agent=agent, action=action)
            if hasattr(self.store, "flush"):
                self.store.flush()
            if state.store is not self.store:   # the in-memory copy the validation runs on follows the commit
                state.store.replace_graphs({g: content for g, content in graphs.items()
                                            if g not in NON_PUBLIC_GRAPHS})
            nodes = affected | state.affected([], graphs)
            if len(nodes) > WHOLE_RUN:   # a whole network: one full run beats thousands of focus-bound ones
                self._validation = state = IncrementalValidation(state.store, state.engine)
            else:
                state.recheck(nodes)
            self.on_commit()
            if report is None:
                report = to_report(self.store, state.engine.shapes,
                                   [f for f in state.findings if _finding_institution(f) in written])
            return WriteResult(activity=str(activity), graphs=sorted(str(g) for g in graphs), report=report,
                               institutions=sorted(written))

    def _commit(self, graphs: dict[URIRef, Graph], extras: Extras, *, agent: str, action: str) -> URIRef:
        """Replace the graphs and record the activity, in one transaction; returns the activity. The caller calls
        ``on_commit`` once its state is up to date (here, when the store refuses: nothing changed)."""
        activity_graph = Graph()
        activity = self._activity(activity_graph, {name: len(content) for name, content in graphs.items()},
                                  extras, agent=agent, action=action)
        self.before_commit()
        try:   # the record is added to the provenance graph, never rewritten: a concurrent writer keeps its own
            self.store.replace_graphs(graphs, add={PROVENANCE_GRAPH: activity_graph})
        except BaseException:
            self.on_commit()  # nothing changed: the caches are read again from the graph as it is
            raise
        return activity

    def _check(self, state: IncrementalValidation, graphs: Mapping[URIRef, Graph], affected: set[Node],
               written: set[str]) -> ValidationReport:
        scratch = scratch_copy(self.store, set(graphs))
        try:
            scratch.replace_graphs({g: content for g, content in graphs.items() if len(content)})
            if len(affected) > WHOLE_RUN:
                found = [f for f in state.engine.findings(scratch) if f.focus in affected]
            else:
                found = state.engine.findings(scratch, affected) if affected else []
            before = {f for node in affected for f in state.by_focus.get(node, ())}
            shown = [f for f in found
                     if _finding_institution(f) in written
                     or (f.severity == SH.Violation and f not in before)]
            return to_report(scratch, state.engine.shapes, shown)
        finally:
            scratch.close()

    @staticmethod
    def _activity(description: Graph, graphs: Mapping[URIRef, int], extras: Extras, *, agent: str,
                  action: str) -> URIRef:
        """Add the ``prov:Activity`` (who, when, which graphs: their new sizes, 0 for one dropped) to
        ``description``; returns its IRI."""
        return changes.describe_activity(description, dict(graphs), agent=agent, action=action, extras=extras)

    # -- the writes ------------------------------------------------------------------------------------
    def upload(self, data: Graph, *, agent: str) -> WriteResult:
        """Replace the graphs of the institutions ``data`` describes (gives a type); add the rest.

        A triple about another institution (a link written in both directions, e.g. ``guides``) or an IP
        administration is *added* to that graph, so an upload of one institution never empties another's.
        Raises Rejected, or ValueError when ``data`` describes no institution.
        """
        parts = split_by_institution(data)
        described = {g for g, part in parts.items()
                     if (key := graph_institution_key(g)) and (ID["institution/" + key], RDF.type, None) in part}

        def build() -> tuple[dict[URIRef, Graph], Extras]:
            graphs = {}
            for name, part in parts.items():
                if name in described:
                    graphs[name] = part
                else:
                    merged = self._graph(name)
                    merged += part
                    graphs[name] = merged
            return graphs, []

        if not described:
            raise ValueError("the upload describes no institution")
        return self.write(build, agent=agent, action="upload",
                          institutions={graph_institution_key(g) for g in described})

    def preview(self, staged: Staged, *, retire: Iterable[str] = (), progress: Callable[[str], None] | None = None
                ) -> Preview:
        """What an upload of ``staged`` (retiring ``retire``) would be told and would change; writes nothing
        (:mod:`ipgraph.admin.preview`)."""
        with self._lock:
            state = self.validation
            return preview(self.store, state.engine, state.findings, staged, retire=retire, progress=progress)

    def load(self, staged: Staged, *, agent: str, retire: Iterable[str] = (), reason: str | None = None
             ) -> tuple[Preview, WriteResult]:
        """A whole network (``ipgraph load``): validated as an upload is (:meth:`preview`, Rejected when the
        report has a Violation), then the institutions of ``retire`` retired (:meth:`retire`, each with its
        history) and the staged graphs committed with their provenance — an institution's graph replaced, other
        graphs (administrations, links about other institutions) added to.

        The embedded store takes the staged quads in bulk (:meth:`EmbeddedStore.commit_staged`, not one
        transaction); any other store through :meth:`write` (a split ``staged`` only). The validation state is
        read again afterwards, on first use.
        """
        with self._lock:
            checked = self.preview(staged, retire=retire)
            if not checked.conforms:
                raise Rejected(checked.report)
            for key in checked.change.retired:
                self.retire(key, agent=agent, reason=reason, maintain=False)
                if hasattr(self.store, "flush"):
                    self.store.flush()      # each write's memtables to disk: 63 in a row held 300 MB
            described = {institution_graph(key) for key in staged.described}
            note = [(RDFS.comment, Literal(", ".join(staged.sources)))]
            if not hasattr(self.store, "commit_staged"):
                graphs = staged.as_graphs()
                for name in graphs:
                    if name not in described:
                        graphs[name] = self._graph(name) + graphs[name]
                result = self.write(lambda: (graphs, note), agent=agent, action="load", check=False,
                                    institutions=set(staged.described))
                result.report = checked.report
                return checked, result
            import tempfile
            from pathlib import Path

            existing = set(self.store.graph_names())
            with tempfile.TemporaryDirectory(prefix="ipgraph-load-") as folder:
                payload = staged.write_payload(Path(folder))
                sizes = staged.sizes            # by target graph, now that the payload is written
                staged.close()                  # its memory goes before the store's bulk load takes some
                activity_graph = Graph()
                activity = self._activity(activity_graph, sizes, note, agent=agent, action="load")
                self.before_commit()
                try:
                    self.store.commit_staged(payload, sorted(described & existing), {PROVENANCE_GRAPH: activity_graph})
                finally:
                    self._validation = None
                    self.on_commit()
            if hasattr(self.store, "flush"):
                self.store.flush()
            return checked, WriteResult(activity=str(activity), graphs=sorted(str(g) for g in sizes),
                                        report=checked.report, institutions=sorted(staged.described))

    def add_record(self, key: str, make: Callable[[Graph], tuple[Graph, URIRef]], *, agent: str,
                   action: str) -> tuple[WriteResult, URIRef]:
        """Add an evaluation or practice case to an institution's graph: ``make(current graph)`` gives its
        triples and IRI (read under the write lock, so numbering cannot race). Raises NotAnInstitution, Rejected.
        """
        made: list[URIRef] = []

        def build() -> tuple[dict[URIRef, Graph], Extras]:
            current = self.graph_of(key)
            if not len(current):
                raise NotAnInstitution(key)
            record, subject = make(current)
            made.append(subject)
            return {institution_graph(key): current + record}, [(PROV.used, subject)]

        result = self.write(build, agent=agent, action=action)
        return result, made[0]

    def retire(self, key: str, *, agent: str, reason: str | None = None, maintain: bool = True) -> WriteResult:
        """Drop an institution's graph, keeping its last content in the provenance graph. Raises NotAnInstitution.
        ``maintain``: see :meth:`write`."""

        def build() -> tuple[dict[URIRef, Graph], Extras]:
            current = self.graph_of(key)
            if not len(current):
                raise NotAnInstitution(key)
            institution = ID["institution/" + key]
            graphs: dict[URIRef, Graph] = {institution_graph(key): Graph()}
            removed = Graph()
            removed += current
            for row in self.store.select("admin-links-to", target=institution):
                name = row["graph"]
                if name == institution_graph(key) or not is_public_graph(name):
                    continue   # feedback about it (private) stays: it is history too
                if name not in graphs:
                    graphs[name] = self._graph(name)
                link = (row["s"], row["p"], institution)
                graphs[name].remove(link)
                removed.add(link)
            lines = sorted(line for line in removed.serialize(format="nt").splitlines() if line)
            extras: Extras = [(IPG.retiredContent, Literal("\n".join(lines))),
                              (IPG.retiredInstitution, institution)]
            if reason:
                extras.append((RDFS.comment, Literal(reason)))
            return graphs, extras

        return self.write(build, agent=agent, action="retire", check=False, maintain=maintain)
