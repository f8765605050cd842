"""An upload staged for the write path: read once by pyoxigraph, split into one named graph per institution.

The command line reads network files of national size (a 40× copy of the sample network is 56 MB of Turtle,
751,000 triples); an rdflib graph of them took 46 s and 1.9 GB. A :class:`Staged` upload keeps its quads in an
in-memory pyoxigraph store instead: files are streamed through pyoxigraph's parser and each quad goes straight
to the graph of the institution it belongs to (:func:`ipgraph.model.network.owner_key`; a blank node to the owner
of the IRI that reaches it, as :func:`ipgraph.model.network.split_by_institution` does), each under a staging
name (``urn:ipgraph:staging:`` + the graph's name), apart from the context a preview copies in beside them; the
embedded store takes them in bulk (:meth:`ipgraph.store.embedded.EmbeddedStore.commit_staged`).
A spreadsheet arrives as the importer's pyoxigraph triples and is split as a file is, with where each part came from
(:attr:`Staged.locations`); an HTTP upload as an rdflib graph.

The same staged store is the scratch store :mod:`ipgraph.admin.preview` validates in: the public graphs of the
store being written to are copied in beside the staged ones (those the upload replaces or retires left out).
"""

from __future__ import annotations

import itertools
import zlib
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path

import pyoxigraph as ox
from rdflib import Graph, URIRef
from rdflib.namespace import RDF

from ..model.iris import ADMINISTRATIONS_GRAPH, ID, graph_institution_key, institution_graph
from ..model.network import split_by_institution
from ..store.base import BadData, rdf_format, to_ox, to_rdflib
from ..store.embedded import EmbeddedStore
from ..validation.reference import InputError

STAGING = "urn:ipgraph:staging:"
_INSTITUTION = str(ID) + "institution/"
_LENGTH = len(_INSTITUTION)
_TYPE = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
_ADMINISTRATIONS = ox.NamedNode(STAGING + str(ADMINISTRATIONS_GRAPH))
_UNSPLIT_GRAPH = URIRef(STAGING + "unsplit")
_UNSPLIT = ox.NamedNode(_UNSPLIT_GRAPH)


def _own_key(iri: str) -> str | None:
    """The key of an institution's own IRI (not of a node under it)."""
    key = iri[_LENGTH:] if iri.startswith(_INSTITUTION) else ""
    return key if key and "/" not in key else None
SPREADSHEET_SUFFIXES = (".xlsx", ".csv")
PAYLOAD_CHUNK = 150_000    # quads per file of a commit's payload (see Staged.write_payload)


def staging_name(graph: URIRef) -> ox.NamedNode:
    return ox.NamedNode(STAGING + str(graph))


def target_name(staged: ox.NamedNode) -> URIRef:
    return URIRef(staged.value[len(STAGING):])


def _route(quads: Iterator[ox.Quad], described: set[str]) -> Iterator[ox.Quad]:
    """Each quad in its owner's graph (staging name); the keys of the institutions given a type go into
    ``described``. Quads about blank nodes wait until the end, when every IRI that reaches a blank node has been
    read (a blank node nested in a blank node takes its parent's owner)."""
    blank: list[ox.Quad] = []
    owners: dict[str, ox.NamedNode] = {}        # blank node id → graph (staging name)
    targets: dict[str, ox.NamedNode] = {}       # institution key → graph (staging name)
    for quad in quads:
        subject, obj = quad.subject, quad.object
        if isinstance(subject, ox.BlankNode):
            blank.append(quad)
            continue
        text = subject.value
        graph = _ADMINISTRATIONS
        if text.startswith(_INSTITUTION):
            key = text[_LENGTH:].split("/", 1)[0]
            if key:
                graph = targets.get(key)
                if graph is None:
                    graph = targets[key] = staging_name(institution_graph(key))
                if quad.predicate == _TYPE and len(text) == _LENGTH + len(key):
                    described.add(key)
        if isinstance(obj, ox.BlankNode):
            owners.setdefault(obj.value, graph)
        yield ox.Quad(subject, quad.predicate, obj, graph)
    changed = True
    while changed:
        changed = False
        for quad in blank:
            parent = owners.get(quad.subject.value)
            if parent is not None and isinstance(quad.object, ox.BlankNode) and quad.object.value not in owners:
                owners[quad.object.value] = parent
                changed = True
    for q in blank:
        yield ox.Quad(q.subject, q.predicate, q.object, owners.get(q.subject.value, _ADMINISTRATIONS))


class Staged:
    """The upload's quads by target graph (staging names) in an in-memory store; ``described`` are the
    institutions it gives an ``rdf:type`` (their graphs are replaced; the other graphs it touches are added to)."""

    def __init__(self, *, split: bool = True) -> None:
        self.scratch = EmbeddedStore()      # the staged graphs, and (for a preview) the context beside them
        self.store = self.scratch._store
        self.split = split                  # False: RDF files go into one graph, unsplit (enough to validate)
        self.described: set[str] = set()
        self.sources: list[str] = []
        self.locations = None               # spreadsheets: where each part came from (sheets.locations.Locations)
        self._sizes: dict[URIRef, int] | None = None

    # -- reading ------------------------------------------------------------------------------------
    @classmethod
    def from_files(cls, paths: Sequence[Path], *, split: bool = True) -> Staged:
        """RDF files (any syntax pyoxigraph reads) and spreadsheets (XLSX template, CSV). Raises InputError
        naming the file and the line and column (or the bad cells).

        Unsplit (``split=False``), RDF files are loaded by pyoxigraph into one graph without a quad passing
        through Python: what ``ipgraph validate`` needs, for which graph names do not matter (the checks read
        the union of the graphs); such an upload cannot be committed."""
        staged = cls(split=split)
        for path in paths:
            if not path.is_file():
                raise InputError("no such file", source=str(path), zh="文件不存在")
            if path.suffix.lower() in SPREADSHEET_SUFFIXES:
                staged.add_spreadsheet(path)
            else:
                staged.add_file(path)
            staged.sources.append(str(path))
        if not split and all(p.suffix.lower() not in SPREADSHEET_SUFFIXES for p in paths):
            staged._sizes = {_UNSPLIT_GRAPH: len(staged.store)}    # counted now, before a context joins them
        return staged

    @classmethod
    def from_graph(cls, graph: Graph, *, source: str = "upload") -> Staged:
        staged = cls()
        staged.add_graph(graph)
        staged.sources.append(source)
        return staged

    def add_file(self, path: Path) -> None:
        """Stream one RDF file into its institutions' graphs. Raises InputError."""
        label = str(path)
        try:
            fmt = rdf_format(path)
        except BadData as error:
            raise InputError(str(error), source=label,
                             zh=f"无法识别 {label} 的 RDF 格式（支持 .ttl、.nt、.jsonld、.rdf、.trig、.nq）") from None
        try:
            if self.split:
                self._extend(ox.parse(path=str(path), format=fmt))
            else:
                self.store.load(path=str(path), format=fmt, to_graph=_UNSPLIT)
                found = self.scratch.select_columns("staged-institutions", graph=_UNSPLIT_GRAPH)["institution"]
                self.described |= {key for iri in found if (key := _own_key(iri))}
            self._sizes = None
        except SyntaxError as error:
            message = str(error).split("\n")[0]
            raise InputError(message, source=label, line=getattr(error, "lineno", None),
                             column=getattr(error, "offset", None), zh=f"无法解析：{message}") from None
        except (OSError, ValueError) as error:
            raise InputError(str(error), source=label, zh=f"无法读取：{error}") from None

    def add_spreadsheet(self, source: Path | bytes, *, name: str | None = None) -> None:
        """A spreadsheet's triples (pyoxigraph's, no rdflib graph), split as an RDF file is; where each part came
        from joins :attr:`locations`. Raises InputError naming the bad cells."""
        from ..sheets.inputs import import_located

        def stage(triples) -> None:     # row by row, as they are read: never all held in a list
            self._extend(ox.Quad(t.subject, t.predicate, t.object) for t in triples)

        imported = import_located(source, name=name, write=stage)
        if self.locations is None:
            self.locations = imported.locations
        else:
            self.locations.update(imported.locations)

    def add_graph(self, graph: Graph) -> None:
        """An rdflib graph (a spreadsheet's, an HTTP upload's), split as the write path splits uploads."""
        for name, part in split_by_institution(graph).items():
            target = staging_name(name)
            self.store.extend(ox.Quad(to_ox(s), to_ox(p), to_ox(o), target) for s, p, o in part)
            key = graph_institution_key(name)
            if key and (ID["institution/" + key], RDF.type, None) in part:
                self.described.add(key)
        self._sizes = None

    def _extend(self, quads: Iterator[ox.Quad]) -> None:
        self.store.extend(_route(quads, self.described))
        self._sizes = None

    # -- what it holds -------------------------------------------------------------------------------
    @property
    def sizes(self) -> dict[URIRef, int]:
        """Triples staged for each target graph."""
        if self._sizes is None:
            self._sizes = {target_name(ox.NamedNode(str(row["graph"]))): int(row["triples"])
                           for row in self.scratch.select("staged-graph-sizes")}
        return self._sizes

    @property
    def triple_count(self) -> int:
        return sum(self.sizes.values())

    def triples(self, names: set[URIRef]) -> dict[URIRef, set[tuple]]:
        """The staged triples of some graphs, as pyoxigraph terms (unsplit: the file's quads are split here)."""
        if self.split:
            return {name: {(q.subject, q.predicate, q.object)
                           for q in self.store.quads_for_pattern(None, None, None, staging_name(name))}
                    for name in names}
        sorting = Staged()
        sorting._extend(self.store.quads_for_pattern(None, None, None, _UNSPLIT))
        found = sorting.triples(names)
        sorting.close()
        return found

    def write_payload(self, folder: Path, *, chunk: int = PAYLOAD_CHUNK) -> list[Path]:
        """The staged graphs as N-Quads files under their target names, for the store they are committed to: whole
        graphs, about ``chunk`` quads a file (a store's bulk load names a file's blank nodes anew, so a blank node
        never spans two files; loading 750,000 quads in four files peaked at 190 MB, in one at 680 MB)."""
        if not self.split:
            return self._routed_payload(folder, chunk)
        files: list[Path] = []
        batch: list[URIRef] = []
        size = 0

        def flush() -> None:
            def quads() -> Iterator[ox.Quad]:
                for name in batch:
                    target = ox.NamedNode(str(name))
                    for q in self.store.quads_for_pattern(None, None, None, staging_name(name)):
                        yield ox.Quad(q.subject, q.predicate, q.object, target)

            path = folder / f"staged-{len(files)}.nq"
            ox.serialize(quads(), str(path), format=ox.RdfFormat.N_QUADS)
            files.append(path)

        for name, count in self.sizes.items():
            batch.append(name)
            size += count
            if size >= chunk:
                flush()
                batch, size = [], 0
        if batch:
            flush()
        return files

    def _routed_payload(self, folder: Path, chunk: int) -> list[Path]:
        """An unsplit upload's payload: its quads routed to their graphs as they are written (no second store),
        each graph to one of the files by a hash of its name (so that a blank node stays in one file)."""
        count = max(1, -(-len(self.store) // chunk))
        outs = [(folder / f"staged-{n}.nq").open("w", encoding="utf-8") for n in range(count)]
        counts: dict[ox.NamedNode, int] = {}
        names: dict[ox.NamedNode, tuple[ox.NamedNode, int]] = {}
        unsplit = self.store.quads_for_pattern(None, None, None, _UNSPLIT)
        staged = (q for name in self.sizes if name != _UNSPLIT_GRAPH for q in self.quads(name))
        try:
            for quad in itertools.chain(_route(unsplit, set()), staged):
                found = names.get(quad.graph_name)
                if found is None:
                    target = target_name(quad.graph_name)
                    found = names[quad.graph_name] = (ox.NamedNode(str(target)), zlib.crc32(str(target).encode()) % count)
                    counts[quad.graph_name] = 0
                outs[found[1]].write(f"{ox.Quad(quad.subject, quad.predicate, quad.object, found[0])} .\n")
                counts[quad.graph_name] += 1
        finally:
            for out in outs:
                out.close()
        self._sizes = {target_name(name): n for name, n in counts.items()}
        return [out_path for n in range(count) if (out_path := folder / f"staged-{n}.nq").stat().st_size]

    def quads(self, name: URIRef) -> Iterator[ox.Quad]:
        return self.store.quads_for_pattern(None, None, None, staging_name(name))

    def as_graphs(self) -> dict[URIRef, Graph]:
        """The staged graphs as rdflib graphs (for stores that take only those: a remote store)."""
        if not self.split:
            raise ValueError("an unsplit upload goes to a store in bulk only (write_payload)")
        out: dict[URIRef, Graph] = {}
        for name in self.sizes:
            graph = out[name] = Graph()
            for q in self.store.quads_for_pattern(None, None, None, staging_name(name)):
                graph.add((to_rdflib(q.subject), to_rdflib(q.predicate), to_rdflib(q.object)))
        return out

    def close(self) -> None:
        """Free the staged store (again: nothing)."""
        if self.store is not None:
            self.scratch.close()
            self.store = None


def institution_keys(names: Iterable[URIRef]) -> set[str]:
    """The institution keys of some graph names (others left out)."""
    return {key for name in names if (key := graph_institution_key(name))}


def reference_context() -> EmbeddedStore:
    """An in-memory store holding what a fresh service holds besides its institutions: ontology, schemes,
    regions, shapes (:func:`ipgraph.store.seed.seed`) and the IP administrations of the sample network (the
    graph an upload's designations point into). What ``ipgraph validate`` checks files against by default."""
    from ..store.seed import SAMPLE_NETWORK, seed

    store = EmbeddedStore()
    seed(store, network=None)
    sample = Staged.from_files([SAMPLE_NETWORK])
    quads = [ox.Quad(q.subject, q.predicate, q.object, ox.NamedNode(str(ADMINISTRATIONS_GRAPH)))
             for q in sample.store.quads_for_pattern(None, None, None, _ADMINISTRATIONS)]
    store._store.extend(quads)
    sample.close()
    return store
