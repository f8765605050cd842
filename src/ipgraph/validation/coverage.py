"""The clause-coverage table (``docs/clause-coverage.md``): every clause of chapters 5–7 → the shapes that check
it (with the severity and the verb of the sentence each encodes, and where it interprets, how), or why data cannot.
Built from the clause index (:func:`ipgraph.model.spec.requirement_clauses`) and the shapes.

``python -m ipgraph.validation.coverage`` rewrites the file; a test fails when it is stale. (``ipgraph coverage`` is
another table: the coverage gaps of the service network, :mod:`ipgraph.matching.coverage_gaps`.)
"""

from __future__ import annotations

import sys
from collections import defaultdict

from rdflib import URIRef
from rdflib import Graph
from rdflib.namespace import DCTERMS, RDF, RDFS, SH

from ..model.iris import IPG
from ..model.spec import Clause, requirement_clauses
from ..paths import HOME
from .reference import shapes_graph

COVERAGE_FILE = HOME / "docs" / "clause-coverage.md"
SEVERITY = {"应": "Violation", "宜": "Warning", "可": "Info"}

# Why a clause has no shape of its own: the only hand-written part of the table.
REASONS = {
    "5.1": "引导语；由 5.1 a–d 各项检查。 Lead sentence: checked through items a–d.",
    "5.2": "另：“服务人员应具有一定知识产权专业知识以及信息检索和情报分析能力”须由人评判，数据无法检查。 "
           "Also: staff competence in IP knowledge, search and analysis is judged by people, not data.",
    "5.3": "引导语（宜）：建立工作制度，任一类即可；所列五类为“可包括但不限于”，各为提示。 Lead-in (宜): having "
           "work systems, any kind; the five kinds listed are a 可 open list, each an Info.",
    "5.4": "引导语；由各项检查。 Lead sentence: checked through its bullets.",
    "5.4-1": "平台是否“体现地方特色化、差异化”须由人评判（省级节点的地方特色平台以 ipg:localFeaturedPlatform 记录，"
             "见 6.3.2.1 c）。 Whether a platform reflects local, differentiated features is judged by people.",
    "5.4-2": "跨地区协作机制在数据模型中没有记录项，无法从数据检查。 Cross-region collaboration mechanisms are not "
             "recorded in the data model.",
    "5.5": "引导语；由各项检查。 Lead sentence: checked through its bullets.",
    "5.5-1": "网络安全与信息化规划、避免重复投资是管理过程，数据中没有记录项。 Planning and investment decisions are "
             "not recorded in data.",
    "5.5-3": "本项的“宜”句（建立服务对象信息管理制度）为警告；其中“应”句（所收集的信息应满足服务需求，应保护服务对象"
             "信息安全，防止泄露、丢失）无法从公开数据检查：是否满足需求须由人评判，服务对象信息从不公开——ipgraph 只在"
             "记录了同意后存入私有图（docs/linked-data.md）。 The 宜 sentence (an information policy) is a Warning; its "
             "应 duties cannot be checked from published data: whether what is collected meets service needs is judged "
             "by people, and service-recipient data is never published (ipgraph keeps it, with recorded consent only, "
             "in the private graph).",
    "7.2": "另：“根据服务效果反馈主动改进服务”须由人评判；意见箱等任何渠道均可。 Also: improving the service from "
           "feedback is judged by people; any channel (a suggestion box too) meets the first duty.",
    "6.3.2.1": "服务重点的引导语；见 6.3.1。 Lead sentence of the focus services; see 6.3.1.",
    "6.3.2.2": "服务重点的引导语；见 6.3.1。 Lead sentence of the focus services; see 6.3.1.",
}
FOCUS_NOTE = ("可：提供与否由机构选择；6.3.1 检查每个机构至少提供一项本类服务重点。 "
              "May: optional; 6.3.1 checks that each institution offers at least one focus service of its kind.")
ITEM_NOTE = ("可：提供与否由机构选择；所提供服务须为服务目录概念（数据完整性），收费见上级条款。 "
             "May: optional; an offered service must be a catalogue concept (data integrity), its fee is checked "
             "under the parent clause.")


def shapes_by_clause() -> dict[str, list[str]]:
    """Shape names (``ipgsh:…``) by the clause they cite."""
    shapes = shapes_graph()
    found: dict[str, list[str]] = defaultdict(list)
    for shape, clause in shapes.subject_objects(IPG.clause):
        if isinstance(shape, URIRef) and (shape, RDF.type, SH.NodeShape) in shapes:
            found[str(clause)].append(_name(shape))
    return {clause: sorted(names) for clause, names in found.items()}


def _name(shape: URIRef) -> str:
    return "ipgsh:" + str(shape).rsplit("#", 1)[-1]


def _parent(clause: Clause) -> str:
    return clause.id.replace("-", " ").split(" ")[0]


def rows() -> list[tuple[Clause, list[str], str]]:
    """(clause, shapes that check it, note) for every clause of chapters 5–7."""
    cited = shapes_by_clause()
    table = []
    for clause in requirement_clauses():
        own = list(cited.get(clause.id, []))
        parent = _parent(clause)
        note = REASONS.get(clause.id, "")
        if parent.startswith(("6.3.2.", "6.3.3.")) and clause.id != parent:
            note = note or FOCUS_NOTE
            own = sorted(set(own) | set(cited.get("6.3.1", [])))
        elif parent in ("6.1", "6.2") and clause.id != parent:
            note = note or ITEM_NOTE
            own = own or cited.get(parent, [])
        elif parent.startswith("6.3.3.") and clause.id == parent:
            note = note or REASONS["6.3.2.1"]
        table.append((clause, own, note))
    return table


def _severity(shapes: Graph, shape: URIRef) -> str:
    """The shape's severity as a word (its own, else its property shapes'), Violation when unstated (SHACL §2.1.5)."""
    found = shapes.value(shape, SH.severity) or next(
        (s for p in shapes.objects(shape, SH.property) if (s := shapes.value(p, SH.severity)) is not None), None)
    return str(found or SH.Violation).rsplit("#", 1)[-1]


def _shape_cell(shapes: Graph, name: str) -> str:
    """``ipgsh:X`` (severity, the verb of the sentence it encodes)."""
    shape = _iri(name)
    verb = shapes.value(shape, IPG.modalVerb)
    return f"`{name}` ({_severity(shapes, shape)}{', ' + str(verb) if verb is not None else ''})"


def _interpretations(shapes: Graph, names: list[str]) -> str:
    """What the shapes read into their sentence: the part of each comment after "Interpretation:"."""
    found = []
    for name in names:
        for comment in shapes.objects(_iri(name), RDFS.comment):
            text = str(comment)
            if "Interpretation:" in text:
                found.append(f"Interpretation (`{name}`): " + text.split("Interpretation:", 1)[1].strip())
    return " ".join(found).replace("|", "\\|").replace("\n", " ")


def _iri(name: str) -> URIRef:
    return URIRef(str(IPG).replace("ontology#", "shapes#") + name.split(":", 1)[1])


def render() -> str:
    shapes = shapes_graph()
    lines = [
        "# Clause coverage — 条款覆盖表",
        "",
        "Generated by `python -m ipgraph.validation.coverage` from the clause index (`src/ipgraph/model/spec.py`, which reads",
        "`spec/ip-info-public-service-spec.zh.txt`) and the shapes (`shapes/*.ttl`); do not edit by hand —",
        "`tests/test_coverage.py` fails when this file is out of date.",
        "",
        "Severity follows the modal verb (应 → Violation, 宜 → Warning, 可 → Info). Where a 应 requirement's record",
        "is simply absent, the shape says \"not recorded\" as a **Warning**: the graph is open-world and silence is",
        "not evidence of a shortfall (real institutions carry no invented figures); a record that shows the",
        "requirement unmet is a **Violation**. 7.1's mid-term and summary evaluations are due \"适时\" (at a suitable",
        "time), so a missing one is a Warning too.",
        "",
        "| clause | verb | requirement | shapes | note |",
        "|---|---|---|---|---|",
    ]
    for clause, names, note in rows():
        text = clause.text if len(clause.text) <= 40 else clause.text[:39] + "…"
        checked = ", ".join(_shape_cell(shapes, n) for n in names) or "—"
        own = [n for n in names if clause.id in {str(c) for c in shapes.objects(_iri(n), IPG.clause)}]
        note = " ".join(filter(None, [note, _interpretations(shapes, own)]))
        lines.append(f"| {clause.id} | {clause.verb} | {text} | {checked} | {note} |")
    lines += [
        "",
        "## Network and data integrity — 体系与数据完整性",
        "",
        "Not modal clauses but what makes the network one graph and the data usable: a network link the",
        "specification offers as a 可 item is Info; what the standards the values come from require is a Violation.",
        "",
        "| shape | severity | file | cites |",
        "|---|---|---|---|",
    ]
    for name, path in sorted(_integrity_shapes().items()):
        shape = _iri(name)
        cites = [str(c) for c in shapes.objects(shape, IPG.clause)] + \
            [str(s) for s in shapes.objects(shape, DCTERMS.source)]
        lines.append(f"| `{name}` | {_severity(shapes, shape)} | `{path}` | {'; '.join(sorted(cites))} |")
    return "\n".join(lines) + "\n"


def _integrity_shapes() -> dict[str, str]:
    from ..paths import SHAPES_DIR

    found = {}
    for file in ("network-integrity.ttl", "data-integrity.ttl"):
        graph = Graph().parse(SHAPES_DIR / file)
        for shape in graph.subjects(RDF.type, SH.NodeShape):
            if isinstance(shape, URIRef) and (list(graph.objects(shape, SH.targetClass)) or
                                              list(graph.objects(shape, SH.targetSubjectsOf))):
                found[_name(shape)] = f"shapes/{file}"
    return found


def main(argv: list[str] | None = None) -> int:
    """Write docs/clause-coverage.md (``--check``: exit 1 when the committed file differs)."""
    argv = sys.argv[1:] if argv is None else argv
    text = render()
    if "--check" in argv:
        current = COVERAGE_FILE.read_text(encoding="utf-8") if COVERAGE_FILE.exists() else ""
        if current != text:
            print(f"{COVERAGE_FILE} is out of date: run `python -m ipgraph.validation.coverage`", file=sys.stderr)
            return 1
        return 0
    COVERAGE_FILE.write_text(text, encoding="utf-8")
    print(f"wrote {COVERAGE_FILE}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
