"""Text → service concepts: labels in both languages, folding, whole questions, hierarchy, suggestions."""

import pytest

from ipgraph.model.catalog import UnknownConcept, normalize
from ipgraph.model.iris import SCHEMES_GRAPH
from ipgraph.store.vocabularies import load_catalog

SVC = "https://w3id.org/ipgraph/id/service/"

# A tiny catalogue: a topic stated only with skos:narrower, clause items stated with skos:broader,
# a grand-child two steps below the topic, and a search topic that "FTO search" must not widen to.
CATALOGUE = """
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
@prefix svc: <https://w3id.org/ipgraph/id/service/> .
@prefix scheme: <https://w3id.org/ipgraph/id/scheme/> .
svc:topic-infringement-analysis a skos:Concept ; skos:inScheme scheme:services ; skos:notation "topic-infringement-analysis" ;
    skos:prefLabel "侵权分析类服务"@zh , "infringement analysis services"@en ;
    skos:altLabel "侵权分析"@zh , "infringement analysis"@en ;
    skos:narrower svc:6.3.3.1-b-6 , svc:6.3.3.2-h-2 .
svc:6.3.3.1-b-6 a skos:Concept ; skos:inScheme scheme:services ; skos:notation "6.3.3.1-b-6" ;
    skos:prefLabel "侵权对比分析"@zh , "infringement comparison analysis"@en .
svc:6.3.3.2-h-2 a skos:Concept ; skos:inScheme scheme:services ; skos:notation "6.3.3.2-h-2" ;
    skos:prefLabel "自由运作权（FTO）分析"@zh , "freedom to operate (FTO) analysis"@en ;
    skos:altLabel "FTO"@zh , "自由实施"@zh .
svc:fto-report a skos:Concept ; skos:inScheme scheme:services ; skos:notation "x-1" ;
    skos:prefLabel "FTO报告"@zh , "FTO report"@en ; skos:broader svc:6.3.3.2-h-2 .
svc:topic-search a skos:Concept ; skos:inScheme scheme:services ; skos:notation "topic-search" ;
    skos:prefLabel "检索类服务"@zh , "search services"@en ; skos:altLabel "检索"@zh , "search"@en , "专利检索"@zh ;
    skos:narrower svc:6.1-b , svc:6.2-a .
svc:6.1-b a skos:Concept ; skos:inScheme scheme:services ; skos:notation "6.1-b" ;
    skos:prefLabel "基础检索指导"@zh , "basic search guidance"@en .
svc:6.2-a a skos:Concept ; skos:inScheme scheme:services ; skos:notation "6.2-a" ;
    skos:prefLabel "专业检索分析"@zh , "professional search and analysis"@en .
svc:topic-navigation a skos:Concept ; skos:inScheme scheme:services ; skos:notation "topic-navigation" ;
    skos:prefLabel "专利导航类服务"@zh , "patent navigation services"@en ; skos:altLabel "专利导航"@zh .
"""


@pytest.fixture(scope="module")
def catalog():
    from ipgraph.store.embedded import EmbeddedStore

    store = EmbeddedStore()
    store.load(CATALOGUE.encode(), graph=SCHEMES_GRAPH, format="turtle")
    yield load_catalog(store)
    store.close()


def _found(catalog, text):
    return [(m.concept.iri.removeprefix(SVC), m.how) for m in catalog.find(text)]


def test_normalize_folds_full_width_and_case():
    assert normalize("ＦＴＯ　Ａｎａｌｙｓｉｓ") == "fto analysis"
    assert normalize("侵权分析？") == "侵权分析?"


@pytest.mark.parametrize("text,expected", [
    ("侵权对比分析", [("6.3.3.1-b-6", "exact")]),
    ("infringement comparison analysis", [("6.3.3.1-b-6", "exact")]),
    ("侵权分析", [("topic-infringement-analysis", "synonym")]),
    ("Infringement Analysis", [("topic-infringement-analysis", "synonym")]),
    ("ＦＴＯ", [("6.3.3.2-h-2", "synonym")]),
    ("fto", [("6.3.3.2-h-2", "synonym")]),
    ("自由运作权分析", [("6.3.3.2-h-2", "exact")]),  # the label without its bracketed part
    ("6.3.3.1-b-6", [("6.3.3.1-b-6", "notation")]),
])
def test_labels_alt_labels_and_notations_in_both_languages(catalog, text, expected):
    assert _found(catalog, text) == expected


def test_a_whole_question_finds_the_service_it_names(catalog):
    assert _found(catalog, "哈尔滨哪里能做侵权分析？") == [("topic-infringement-analysis", "synonym")]
    assert _found(catalog, "where can I get infringement analysis, please?") == [
        ("topic-infringement-analysis", "synonym")]


def test_latin_labels_match_whole_words_only(catalog):
    assert _found(catalog, "photos research") == []  # neither "fto" in photos nor "search" in research


def test_words_side_by_side_are_one_phrase_and_the_specific_concept_wins(catalog):
    assert _found(catalog, "an FTO search") == [("6.3.3.2-h-2", "synonym")]
    assert _found(catalog, "专利导航和专利检索") == [("topic-navigation", "synonym"), ("topic-search", "synonym")]


def test_a_concept_named_with_a_narrower_one_gives_way_to_it(catalog):
    assert _found(catalog, "侵权分析, 尤其侵权对比分析") == [("6.3.3.1-b-6", "exact")]


def test_a_word_inside_labels_is_a_partial_match_on_the_most_general_concepts(catalog):
    assert _found(catalog, "侵权") == [("topic-infringement-analysis", "partial")]


def test_broader_expands_to_narrower_over_both_directions_with_depth_and_via(catalog):
    expansion = {e.concept.iri.removeprefix(SVC): (e.depth, e.via.removeprefix(SVC))
                 for e in catalog.expand([SVC + "topic-infringement-analysis"])}
    assert expansion == {"topic-infringement-analysis": (0, "topic-infringement-analysis"),
                         "6.3.3.1-b-6": (1, "topic-infringement-analysis"),
                         "6.3.3.2-h-2": (1, "topic-infringement-analysis"),
                         "fto-report": (2, "topic-infringement-analysis")}


def test_a_small_typo_is_read_fuzzily_and_unknown_text_raises_with_the_closest_labels(catalog):
    assert _found(catalog, "侵权分折") == [("topic-infringement-analysis", "fuzzy")]  # one character off
    with pytest.raises(UnknownConcept) as caught:
        catalog.resolve("侵害鉴定")  # shares a character, too far to be a typo
    assert SVC + "topic-infringement-analysis" in [c.iri for c in caught.value.suggestions]
    with pytest.raises(UnknownConcept) as caught:
        catalog.resolve('"} SELECT * WHERE { ?s ?p ?o }')
    assert caught.value.suggestions  # something to try, never an empty answer


def test_tree_nests_narrower_concepts_with_both_languages(catalog):
    tree = {node["notation"]: node for node in catalog.tree()}
    topic = tree["topic-infringement-analysis"]
    assert topic["labels"] == {"zh": "侵权分析类服务", "en": "infringement analysis services"}
    assert "侵权分析" in topic["alt_labels"]["zh"]
    children = {child["notation"]: child for child in topic["narrower"]}
    assert set(children) == {"6.3.3.1-b-6", "6.3.3.2-h-2"}
    assert [g["notation"] for g in children["6.3.3.2-h-2"]["narrower"]] == ["x-1"]
