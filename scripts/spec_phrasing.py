"""Generate ``ontology/spec-phrasing.ttl``: the specification's own wording of each catalogue item and kind.

Reads the lettered items of chapter 6 (``ipgraph.model.spec.service_items``) and the headings of 6.3, and
the catalogue (``ontology/services.ttl``, ``ontology/schemes.ttl``). For each concept it writes
``ipg:specPhrasing`` labels (a sub-property of ``skos:hiddenLabel``) the resolver understands:

- a lettered item (``6.2-c``): the item's sentence and each of its clauses without the leading verb
  (开展专利预警服务 → 专利预警服务, 专利预警); "为A、B等提供S" also gives "A S" (展会驻场维权援助);
- the n-th service a lettered item enumerates (``6.2-a-2``): the n-th element of the enumeration with the
  shared tail it stands before (专利、商标、地理标志等各类知识产权专业检索和分析服务 → 商标专业检索和分析服务,
  商标检索和分析服务, 商标检索和分析);
- an institution kind (``6.3.3.4``): its heading as the specification writes it.

A phrase that is already a label of some concept, or that two concepts would share, is left out.

    python scripts/spec_phrasing.py   # rewrite the file (tests/test_resolver.py fails when it is out of step)
"""

from __future__ import annotations

import re
import sys
from collections import defaultdict
from pathlib import Path

from rdflib import Graph
from rdflib.namespace import SKOS

HOME = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(HOME / "src"))

from ipgraph.model.spec import SPEC_TEXT, service_items  # noqa: E402
from ipgraph.model.text import compact  # noqa: E402

OUT = HOME / "ontology" / "spec-phrasing.ttl"
VERBS = ("协助高校知识产权管理部门", "协助科研管理部门", "协助高校科研团队", "协助科研团队或企业", "面向社会公众和创新创业主体",
         "结合园区产业特点", "主动向社会免费或者低成本", "协助开展", "协助", "开展", "提供", "开发", "出版", "建立", "举办",
         "搭建", "推动", "加强", "参与", "指导", "发挥", "利用", "实施", "开设", "探索", "引导", "帮助", "聚焦", "推广",
         "进行", "组织", "普及", "将", "对", "为", "向", "在")
GENERIC_TAIL = ("相关服务", "相关", "服务", "活动", "工作")
_HEADING = re.compile(r"^(6\.3\.[23]\.\d)\s+(.+?)服务重点")


def strip_verbs(text: str) -> str:
    changed = True
    while changed:
        changed = False
        for verb in VERBS:
            if text.startswith(verb) and len(text) > len(verb) + 1:
                text, changed = text[len(verb):], True
    return text.strip()


def tail_variants(tail: str) -> list[str]:
    """A shared tail and its shorter forms: 各类知识产权专业检索和分析服务 → …专业检索和分析, 检索和分析."""
    out: list[str] = []
    core = tail
    for prefix in ("各类", "知识产权"):
        core = core.removeprefix(prefix)
    for form in (core, core.removesuffix("服务"), core.replace("专业", ""), core.replace("专业", "").removesuffix("服务")):
        if form and form not in GENERIC_TAIL and form not in out:
            out.append(form)
    return out


def clause_phrases(text: str) -> list[str]:
    """The clauses of an item without their leading verbs, and their forms without 服务 / 等."""
    out = []
    for clause in re.split(r"[，；;]", text):
        clause = clause.strip().rstrip("。；;")
        if not clause:
            continue
        bare = strip_verbs(clause.split("：", 1)[-1])
        forms = [bare, bare.replace("等", ""), bare.replace("等", "").removesuffix("服务")]
        forms += [part for part in bare.split("和") if len(part) >= 4] if "和" in bare else []
        for form in forms:
            if 3 <= len(form) <= 24 and "、" not in form:
                out.append(form)
        found = re.match(r"为(.+?)等?提供(.+)$", clause)
        if found:  # "为展会、交易会等提供驻场等维权援助服务" → 展会驻场维权援助
            service = found.group(2).replace("等", "").removesuffix("服务")
            for target in found.group(1).split("、"):
                out.append(target.removesuffix("等") + service)
    return out


def enumeration(text: str, count: int) -> tuple[list[str], str] | None:
    """The elements of the clause that lists ``count`` services, and the tail they share."""
    segments = [seg for clause in re.split(r"[，；;]", text.split("：", 1)[-1])
                for seg in re.split(r"(?:开展|提供|进行)", clause)]
    for segment in reversed(segments):  # what is offered comes after whom it is for and through what
        parts = segment.strip().rstrip("。；;").split("、")
        if len(parts) != count:
            continue
        parts[0] = strip_verbs(parts[0])
        last, _, tail = parts[-1].partition("等")
        parts[-1] = last
        return [p.strip() for p in parts], tail.strip()
    return None


def phrasings(graph: Graph) -> dict[str, list[str]]:
    """Concept IRI → its specification phrasings (not yet filtered against existing labels)."""
    by_notation = {str(n): str(c) for c, n in graph.subject_objects(SKOS.notation)}
    items = service_items()
    narrower: dict[str, list[str]] = defaultdict(list)
    for notation in by_notation:
        if re.fullmatch(r".+-[a-h]-\d+", notation):
            narrower[notation.rsplit("-", 1)[0]].append(notation)
    out: dict[str, list[str]] = defaultdict(list)
    for item, text in items.items():
        text = text.strip().rstrip("。；;")
        if item in by_notation:
            out[by_notation[item]] += [text] + clause_phrases(text)
        children = sorted(narrower.get(item, []), key=lambda n: int(n.rsplit("-", 1)[1]))
        listed = enumeration(text, len(children)) if children else None
        if listed is None:
            continue
        elements, tail = listed
        prefix = "知识产权" if elements[0].startswith("知识产权") else ""
        tails = tail_variants(tail)
        for notation, element in zip(children, elements):
            forms = [element + t for t in tails] if tails else [element]
            if prefix and not element.startswith(prefix):
                forms += [prefix + f for f in forms]
            out[by_notation[notation]] += forms
    for line in SPEC_TEXT.read_text(encoding="utf-8").splitlines():
        found = _HEADING.match(line.strip().lstrip("-").strip())
        if found and found.group(1) in by_notation:
            for iri in (c for n, c in by_notation.items() if n == found.group(1)):
                out[iri].append(found.group(2))
    return out


def render() -> str:
    graph = Graph()
    for name in ("services.ttl", "schemes.ttl"):
        graph.parse(HOME / "ontology" / name)
    existing: dict[str, set[str]] = defaultdict(set)
    for concept, label in graph.subject_objects(SKOS.prefLabel | SKOS.altLabel | SKOS.hiddenLabel):
        existing[compact(str(label))].add(str(concept))
    proposed = phrasings(graph)
    owners: dict[str, set[str]] = defaultdict(set)
    for iri, forms in proposed.items():
        for form in forms:
            owners[compact(form)].add(iri)
    lines = [
        "# GENERATED by scripts/spec_phrasing.py from spec/ip-info-public-service-spec.zh.txt — do not edit by hand.",
        "# The specification's own wording of each catalogue item and institution kind (ipg:specPhrasing, a",
        "# sub-property of skos:hiddenLabel), so that a list written in the specification's words is understood.",
        "# Phrases that are already a label, or that two concepts would share, are left out.",
        "",
        "@prefix ipg: <https://w3id.org/ipgraph/ontology#> .",
        "",
    ]
    for iri in sorted(proposed, key=lambda i: [int(p) if p.isdigit() else p for p in re.split(r"([0-9]+)", i)]):
        kept = []
        for form in proposed[iri]:
            key = compact(form)
            if key and key not in existing and owners[key] == {iri} and form not in kept and len(key) >= 3:
                kept.append(form)
        if kept:
            labels = " ,\n    ".join('"' + f.replace("\\", "\\\\").replace('"', '\\"') + '"@zh' for f in kept)
            lines.append(f"<{iri}> ipg:specPhrasing\n    {labels} .\n")
    return "\n".join(lines)


if __name__ == "__main__":
    OUT.write_text(render(), encoding="utf-8")
    print(f"wrote {OUT}")
