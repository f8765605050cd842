"""The SKOS service catalogue and the other schemes: labels, notations, hierarchy, coverage of 6.1–6.3."""

import pytest
from rdflib import Graph, URIRef
from rdflib.namespace import RDF, SKOS

from ipgraph.model.iris import ID
from ipgraph.model.spec import service_items
from ipgraph.store.seed import SCHEME_FILES

SERVICES = ID["scheme/services"]


@pytest.fixture(scope="module")
def schemes() -> Graph:
    graph = Graph()
    for path in SCHEME_FILES:
        graph.parse(path)
    return graph


def _concepts(graph: Graph, scheme: URIRef | None = None):
    concepts = set(graph.subjects(RDF.type, SKOS.Concept))
    if scheme is not None:
        concepts = {c for c in concepts if (c, SKOS.inScheme, scheme) in graph}
    return concepts


def test_every_concept_has_zh_and_en_preflabel_and_a_notation(schemes):
    concepts = _concepts(schemes)
    assert len(concepts) > 100
    for concept in concepts:
        languages = [label.language for label in schemes.objects(concept, SKOS.prefLabel)]
        assert sorted(languages) == ["en", "zh"], concept
        assert schemes.value(concept, SKOS.notation) is not None, concept
        assert schemes.value(concept, SKOS.inScheme) is not None, concept


def test_every_service_item_of_chapter_6_has_a_concept_named_by_its_clause(schemes):
    items = service_items()
    assert len(items) == 52  # 6.1 a–d, 6.2 a–d, 6.3.2.x and 6.3.3.x lettered items
    notations = {str(n): c for c, n in schemes.subject_objects(SKOS.notation) if (c, SKOS.inScheme, SERVICES) in schemes}
    missing = [item for item in items if item not in notations]
    assert not missing
    for item in items:
        assert notations[item] == ID["service/" + item]


def test_the_service_hierarchy_has_no_cycle(schemes):
    broader = {}
    for narrow, broad in schemes.subject_objects(SKOS.broader):
        broader.setdefault(narrow, set()).add(broad)
    for narrow, broad in schemes.subject_objects(SKOS.narrower):
        broader.setdefault(broad, set()).add(narrow)

    def reaches_itself(start):
        seen, stack = set(), list(broader.get(start, ()))
        while stack:
            node = stack.pop()
            if node == start:
                return True
            if node not in seen:
                seen.add(node)
                stack.extend(broader.get(node, ()))
        return False

    assert not [c for c in broader if reaches_itself(c)]


def test_infringement_analysis_expands_to_the_specific_services(schemes):
    topic = ID["service/topic-infringement-analysis"]
    narrower = set(schemes.subjects(SKOS.broader, topic)) | set(schemes.objects(topic, SKOS.narrower))
    assert {ID["service/6.3.3.1-b-6"], ID["service/6.3.3.1-b-7"]} <= narrower
    assert "侵权分析" in {str(l) for l in schemes.objects(topic, SKOS.prefLabel)} | \
        {str(l) for l in schemes.objects(topic, SKOS.altLabel)}


def test_people_s_words_are_alt_labels(schemes):
    alt = {str(label).lower() for label in schemes.objects(None, SKOS.altLabel)}
    for word in ["fto", "专利检索", "patent search", "infringement analysis", "自由实施"]:
        assert word in alt, word


def test_no_two_service_concepts_share_a_preflabel(schemes):
    seen = {}
    for concept in _concepts(schemes, SERVICES):
        for label in schemes.objects(concept, SKOS.prefLabel):
            key = (str(label), label.language)
            assert key not in seen, (key, concept, seen.get(key))
            seen[key] = concept


@pytest.mark.parametrize("scheme,count", [("ip-types", 10), ("channels", 4), ("fees", 2), ("institution-kinds", 11),
                                          ("work-systems", 5), ("facilities", 5), ("evaluations", 3),
                                          ("designations", 4), ("region-levels", 3)])
def test_other_schemes_are_complete(schemes, scheme, count):
    assert len(_concepts(schemes, ID["scheme/" + scheme])) == count
