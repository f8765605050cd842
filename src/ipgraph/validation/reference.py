"""SHACL validation of network data against ``shapes/`` (W3C SHACL, https://www.w3.org/TR/shacl/).

pySHACL is the reference engine. The ontology, the SKOS schemes and the regions are mixed into the data
graph, so ``sh:class``/``sh:targetClass`` follow ``rdfs:subClassOf`` and region checks find the gazetteer;
no inference is run (none is needed, and it would cost seconds). Each result carries the clause its shape
cites (``ipg:clause``, else ``dct:source``), the severity the clause's modal verb gives it (应 → Violation,
宜 → Warning, 可 → Info) and the message in Chinese and English.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from functools import cache
from pathlib import Path

import pyoxigraph as ox
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, RDF, SH, SKOS
from rdflib.term import Node

from ..model.iris import ID, IPG
from ..model.network import owner_key
from ..paths import SHAPES_DIR
from ..store.base import BadData, rdf_format, to_rdflib
from ..store.seed import ONTOLOGY_FILE, REGIONS_FILE, SCHEME_FILES

SEVERITIES = ("Violation", "Warning", "Info")
SEVERITY_ZH = {"Violation": "违反", "Warning": "警告", "Info": "提示"}


class InputError(Exception):
    """An input that cannot be read: ``source``, ``line`` and ``column`` (or a spreadsheet's cells) say where."""

    def __init__(self, message: str, *, source: str | None = None, line: int | None = None,
                 column: int | None = None, zh: str | None = None, problems: list[dict] | None = None):
        self.message, self.source, self.line, self.column = message, source, line, column
        self.zh = zh or message
        self.problems = problems or []   # a spreadsheet's bad cells: sheet, row, column, message_zh, message_en
        super().__init__(self.where() + message)

    def where(self) -> str:
        parts = [str(p) for p in (self.source, self.line, self.column) if p is not None]
        return ":".join(parts) + ": " if parts else ""


@dataclass(frozen=True)
class ValidationResult:
    """One shortfall: which node, which clause, how serious, and what to do about it."""

    focus: str
    institution: str | None
    path: str | None
    value: str | None
    clause: str
    severity: str
    shape: str
    message_zh: str
    message_en: str

    def message(self, lang: str = "zh") -> str:
        return self.message_en if lang == "en" else self.message_zh

    def as_dict(self, lang: str | None = None) -> dict:
        data = {"focus": self.focus, "institution": self.institution, "path": self.path, "value": self.value,
                "clause": self.clause, "severity": self.severity, "shape": self.shape,
                "message_zh": self.message_zh, "message_en": self.message_en}
        if lang:
            data["message"] = self.message(lang)
        return data


# where a result's data came from (a spreadsheet's sheet, row and column: ipgraph.sheets.locations), or None
Places = Callable[[ValidationResult], "dict | None"]


@dataclass
class ValidationReport:
    """The results of one validation run, with the labels needed to print them by institution."""

    results: list[ValidationResult]
    labels: dict[str, dict[str, str]] = field(default_factory=dict, repr=False)
    graph: Graph | None = field(default=None, repr=False, compare=False)
    # builds ``graph`` when first asked for (:meth:`shacl_graph`): a report of thousands of results took
    # longer to write as a SHACL graph than the validation took to find them
    make_graph: Callable[[], Graph] | None = field(default=None, repr=False, compare=False)

    def shacl_graph(self) -> Graph | None:
        """The W3C SHACL validation report graph (built on first use)."""
        if self.graph is None and self.make_graph is not None:
            self.graph = self.make_graph()
        return self.graph

    @property
    def conforms(self) -> bool:
        """True when there is no Violation (warnings and infos do not break conformance)."""
        return not any(r.severity == "Violation" for r in self.results)

    @property
    def counts(self) -> dict[str, int]:
        counts = dict.fromkeys(SEVERITIES, 0)
        for result in self.results:
            counts[result.severity] += 1
        return counts

    def failed(self, strict: bool = False) -> bool:
        """A Violation, or with ``strict`` also a Warning."""
        counts = self.counts
        return counts["Violation"] > 0 or (strict and counts["Warning"] > 0)

    def label(self, iri: str | None, lang: str = "zh") -> str:
        if iri is None:
            return "（不属于任何机构）" if lang == "zh" else "(not part of an institution)"
        names = self.labels.get(iri, {})
        return names.get(lang) or names.get("zh") or names.get("en") or iri

    def grouped(self) -> dict[str | None, dict[str, list[ValidationResult]]]:
        """Results by institution (in IRI order, loose nodes last), then by clause (in clause order)."""
        groups: dict[str | None, dict[str, list[ValidationResult]]] = defaultdict(lambda: defaultdict(list))
        for result in self.results:
            groups[result.institution][result.clause].append(result)
        ordered = {}
        for institution in sorted(groups, key=lambda i: (i is None, i or "")):
            clauses = groups[institution]
            ordered[institution] = {c: sorted(clauses[c], key=_result_order) for c in sorted(clauses, key=clause_key)}
        return ordered

    def to_json(self, lang: str = "zh", places: Places | None = None) -> dict:
        """By institution and clause; with ``places`` (where a result's data came from, e.g. a spreadsheet cell:
        ``{"sheet", "row", "column", "where"}`` or None) each result carries it as ``place``."""

        def result(r: ValidationResult) -> dict:
            data = r.as_dict(lang)
            if places is not None:
                data["place"] = places(r)
            return data

        institutions = []
        for institution, clauses in self.grouped().items():
            institutions.append({
                "institution": institution,
                "label": self.label(institution, lang) if institution else None,
                "clauses": [{"clause": clause, "results": [result(r) for r in results]}
                            for clause, results in clauses.items()],
            })
        return {"conforms": self.conforms, "counts": self.counts, "lang": lang, "institutions": institutions}

    def to_text(self, lang: str = "zh", places: Places | None = None) -> str:
        """One line per result, by institution; with ``places`` (as :meth:`to_json`), where each came from."""
        lines = []
        for institution, clauses in self.grouped().items():
            head = self.label(institution, lang)
            lines.append(f"{head}  <{institution}>" if institution and head != institution else head)
            for clause, results in clauses.items():
                for r in results:
                    severity = f"{SEVERITY_ZH[r.severity]} {r.severity}" if lang == "zh" else r.severity
                    where = "" if r.focus == institution else f"  [{r.focus}]"
                    value = "" if r.value is None else (f"（值：{r.value}）" if lang == "zh" else f" (value: {r.value})")
                    place = places(r) if places is not None else None
                    at = f"  @ {place['where']}" if place else ""
                    lines.append(f"  {clause:<12} {severity:<12} {r.message(lang)}{value}{at}{where}")
            lines.append("")
        counts = self.counts
        if lang == "zh":
            verdict = "符合（无违反项）" if self.conforms else "不符合"
            lines.append(f"{verdict}：违反 {counts['Violation']} 项，警告 {counts['Warning']} 项，提示 {counts['Info']} 项。")
        else:
            verdict = "Conforms (no Violation)" if self.conforms else "Does not conform"
            lines.append(f"{verdict}: {counts['Violation']} violations, {counts['Warning']} warnings, "
                         f"{counts['Info']} infos.")
        return "\n".join(lines) + "\n"

    def to_turtle(self) -> str:
        """The SHACL validation report graph (sh:ValidationReport), each result annotated with its clause."""
        graph = Graph()
        graph.bind("sh", SH)
        graph.bind("ipg", IPG)
        if self.shacl_graph() is not None:
            graph += self.graph
            for node in graph.subjects(RDF.type, SH.ValidationResult):
                shape = graph.value(node, SH.sourceShape)
                clause = _clause_of(shapes_graph(), shape) if shape is not None else None
                if clause:
                    graph.add((node, IPG.clause, Literal(clause)))
        return graph.serialize(format="turtle")


def _result_order(result: ValidationResult) -> tuple:
    return (SEVERITIES.index(result.severity), result.focus, result.shape, result.value or "")


def clause_key(clause: str) -> tuple:
    """Sort key that puts '5.1 a' before '5.2' and '6.3.3.10' after '6.3.3.9'; non-clauses last."""
    head = re.match(r"^(\d+(?:\.\d+)*)(.*)$", clause)
    if not head:
        return (1, (), clause)
    return (0, tuple(int(p) for p in head.group(1).split(".")), head.group(2))


# -- reference data and shapes ---------------------------------------------------------------------

@cache
def shapes_graph(directory: Path = SHAPES_DIR) -> Graph:
    """All shapes of ``shapes/*.ttl`` in one graph (read once per process)."""
    graph = Graph()
    for path in sorted(directory.glob("*.ttl")):
        graph.parse(path)
    return graph


@cache
def reference_graph() -> Graph:
    """Ontology, SKOS schemes and regions: what class membership and region checks need (read once)."""
    graph = Graph()
    for path in (ONTOLOGY_FILE, *SCHEME_FILES, REGIONS_FILE):
        if path.exists():
            graph.parse(path)
    return graph


def shape_clauses(shapes: Graph | None = None) -> dict[URIRef, str]:
    """Every named shape that cites a clause or a source, with that citation."""
    shapes = shapes if shapes is not None else shapes_graph()
    found = {}
    for shape in set(shapes.subjects(RDF.type, SH.NodeShape)) | set(shapes.subjects(RDF.type, SH.PropertyShape)):
        if isinstance(shape, URIRef) and (clause := _clause_of(shapes, shape)):
            found[shape] = clause
    return found


def _clause_of(shapes: Graph, shape: Node) -> str | None:
    """The clause a shape cites; a nested property shape inherits its node shape's citation."""
    seen = set()
    while shape is not None and shape not in seen:
        seen.add(shape)
        clauses = sorted(str(c) for c in shapes.objects(shape, IPG.clause))
        if clauses:
            return " / ".join(clauses)
        sources = [s for s in shapes.objects(shape, DCTERMS.source) if isinstance(s, Literal)]
        if sources:
            return _short_source(sources)
        shape = shapes.value(None, SH.property, shape) or shapes.value(None, SH.sparql, shape)
    return None


def _short_source(sources: list[Literal]) -> str:
    """'GB 32100' from 'GB 32100—2015 …': the standard's code, or the whole citation when it has none."""
    text = str(sorted(sources, key=lambda s: s.language != "en")[0])
    found = re.match(r"^((?:GB(?:/T)?|RFC)\s*[\d.]+|W3C \w+|ITU-T [A-Z]\.\d+)", text)
    return found.group(1) if found else text.split("：")[0].split(":")[0]


def _named_shape(shapes: Graph, shape: Node) -> Node:
    """The named node shape a (possibly blank) property shape or SPARQL constraint belongs to."""
    seen = set()
    while isinstance(shape, BNode) and shape not in seen:
        seen.add(shape)
        parent = shapes.value(None, SH.property, shape) or shapes.value(None, SH.sparql, shape)
        if parent is None:
            break
        shape = parent
    return shape


def _messages(report: Graph, result: Node, shapes: Graph, shape: Node) -> tuple[str, str]:
    messages = {}
    for m in report.objects(result, SH.resultMessage):
        # pySHACL drops the language tag of a SPARQL constraint's message when it fills in {?var}
        lang = m.language or ("zh" if re.search(r"[\u4e00-\u9fff]", str(m)) else "en")
        messages.setdefault(lang[:2], str(m))
    for node in (shape, _named_shape(shapes, shape)):
        for m in shapes.objects(node, SH.message):
            messages.setdefault(m.language, str(m))
    zh = messages.get("zh") or messages.get(None) or messages.get("en", "")
    en = messages.get("en") or messages.get(None) or zh
    return zh, en


# -- reading inputs -----------------------------------------------------------------------------------

def read_graph(source: Path | bytes, *, format: str | None = None, name: str | None = None) -> Graph:
    """Parse Turtle, N-Triples, JSON-LD (…) from a file or bytes. Raises InputError with line and column."""
    label = name or (str(source) if isinstance(source, Path) else "<input>")
    try:
        fmt = rdf_format(source if isinstance(source, Path) else "", format or (None if isinstance(source, Path)
                                                                                else "turtle"))
    except BadData as error:
        raise InputError(str(error), source=label,
                         zh=f"无法识别 {label} 的 RDF 格式（支持 .ttl、.nt、.jsonld、.rdf、.trig、.nq）") from None
    graph = Graph()
    try:
        if isinstance(source, Path):
            quads = ox.parse(path=str(source), format=fmt)
        else:
            quads = ox.parse(source, format=fmt)
        for quad in quads:
            graph.add((to_rdflib(quad.subject), to_rdflib(quad.predicate), to_rdflib(quad.object)))
    except SyntaxError as error:
        line, column = getattr(error, "lineno", None), getattr(error, "offset", None)
        message = str(error).split("\n")[0]
        raise InputError(message, source=label, line=line, column=column,
                         zh=f"无法解析：{message}") from None
    except (OSError, ValueError) as error:
        raise InputError(str(error), source=label, zh=f"无法读取：{error}") from None
    return graph


# -- validation -----------------------------------------------------------------------------------------

def validate(data: Graph, *, shapes: Graph | None = None, reference: Graph | None = None) -> ValidationReport:
    """Validate ``data`` (with the reference graph mixed in) against the shapes; never modifies ``data``."""
    from pyshacl import validate as shacl

    shapes = shapes if shapes is not None else shapes_graph()
    reference = reference if reference is not None else reference_graph()
    combined = _PreparingGraph()
    combined += data
    combined += reference
    _, report, _ = shacl(combined, shacl_graph=shapes, inference="none", inplace=True,
                         allow_warnings=True, allow_infos=True)
    return _report(report, shapes, combined)


@cache
def _prepared(text: str):
    from rdflib.plugins.sparql import prepareQuery

    return prepareQuery(text)


class _PreparingGraph(Graph):
    """A graph that parses each SPARQL text once: pySHACL sends the same constraint query for every focus
    node, and rdflib's parser (not the evaluation) is what made a SPARQL constraint cost ~70 ms per node."""

    def query(self, query_object, *args, **kwargs):
        if isinstance(query_object, str):
            query_object = _prepared(query_object)
        return super().query(query_object, *args, **kwargs)


def _institution_of(node: Node, data: Graph) -> str | None:
    """The institution a focus node belongs to: itself, the IRI it sits under, or what points to a blank node."""
    seen = set()
    while node is not None and node not in seen:
        seen.add(node)
        if isinstance(node, URIRef):
            key = owner_key(node)
            return str(ID["institution/" + key]) if key else None
        node = next(iter(data.subjects(None, node)), None)
    return None


def _labels(data: Graph, iris: Iterable[str]) -> dict[str, dict[str, str]]:
    labels = {}
    for iri in iris:
        names = {}
        for label in data.objects(URIRef(iri), SKOS.prefLabel):
            if isinstance(label, Literal):
                names.setdefault((label.language or "zh")[:2], str(label))
        labels[iri] = names
    return labels


def _text(term: Node | None) -> str | None:
    if term is None:
        return None
    if isinstance(term, BNode):
        return f"_:{term}"
    return str(term)


def _report(report: Graph, shapes: Graph, data: Graph) -> ValidationReport:
    results = []
    top = [r for rep in report.subjects(RDF.type, SH.ValidationReport) for r in report.objects(rep, SH.result)]
    for node in top:   # nested results (sh:detail) are explained by the top-level result that holds them
        source = report.value(node, SH.sourceShape)
        named = _named_shape(shapes, source)
        focus = report.value(node, SH.focusNode)
        severity = str(report.value(node, SH.resultSeverity)).rsplit("#", 1)[-1]
        zh, en = _messages(report, node, shapes, source)
        results.append(ValidationResult(
            focus=_text(focus), institution=_institution_of(focus, data),
            path=_text(report.value(node, SH.resultPath)) if isinstance(report.value(node, SH.resultPath), URIRef)
            else None,
            value=None if report.value(node, SH.value) == focus else _text(report.value(node, SH.value)), clause=_clause_of(shapes, source) or "",
            severity=severity, shape=_text(named), message_zh=zh, message_en=en))
    results.sort(key=lambda r: (r.institution or "~", clause_key(r.clause), _result_order(r)))
    institutions = {r.institution for r in results if r.institution}
    results = _name_iris(results, data)
    return ValidationReport(results=results, labels=_labels(data, institutions), graph=report)


_IRI = re.compile(r"https?://[^\s，。、；：）)（(]+")


def _name_iris(results: list[ValidationResult], data: Graph) -> list[ValidationResult]:
    """Messages name institutions and regions by their labels (哈尔滨市), not by IRI, where the data has one."""
    iris = {iri for r in results for text in (r.message_zh, r.message_en) for iri in _IRI.findall(text)}
    labels = _labels(data, iris)

    def name(text: str, lang: str) -> str:
        def label(found: re.Match) -> str:
            names = labels.get(found.group(0), {})
            return names.get(lang) or names.get("zh") or found.group(0)
        return _IRI.sub(label, text)

    return [replace(r, message_zh=name(r.message_zh, "zh"), message_en=name(r.message_en, "en")) for r in results]
