"""The vocabulary resolver: each way a word is matched, what it answers when it cannot, regions settled by a row."""

import pytest

from ipgraph.model.catalog import UnknownConcept
from ipgraph.model.places import AmbiguousPlace
from ipgraph.model.resolver import RegionHints
from ipgraph.sheets.workbook import reference_vocabulary


@pytest.fixture(scope="module")
def resolver():
    return reference_vocabulary().resolver


def _term(resolver, scheme, text):
    match = resolver.term(scheme, text)
    return match.concept.iri.rsplit("/", 1)[-1], match.how


@pytest.mark.parametrize("scheme,text,key,how", [
    ("services", "侵权对比分析", "6.3.3.1-b-6", "exact"),
    ("services", "infringement comparison analysis", "6.3.3.1-b-6", "exact"),
    ("services", "纠纷调解", "6.3.3.9-b-5", "synonym"),
    ("services", "6.3.3.1-b-6", "6.3.3.1-b-6", "notation"),
    ("services", "6.3.3.1-b-6 侵权对比分析", "6.3.3.1-b-6", "notation"),  # the drop-down choice
    ("services", "商标检索和分析", "6.2-a-2", "spec phrasing"),
    ("services", "地理标志检索和分析", "6.2-a-3", "spec phrasing"),
    ("services", "展会驻场维权援助", "6.3.3.9-c", "spec phrasing"),
    ("services", "侵權對比分析", "6.3.3.1-b-6", "exact"),             # traditional characters
    ("services", "ｆｔｏ", "6.3.3.2-h-2", "synonym"),                 # full width
    ("services", "qinquan duibi fenxi", "6.3.3.1-b-6", "pinyin"),
    ("services", "侵权对必分析", "6.3.3.1-b-6", "fuzzy"),             # one character off
    ("fees", "低成本收费", "low-cost", "partial"),                     # a label with words around it
    ("channels", "电话联系", "phone", "partial"),
    ("institution-kinds", "技术与创新支持中心", "tisc", "exact"),  # the label without its bracket
    ("institution-kinds", "university-centre", "university-centre", "key"),
    ("institution-kinds", "科研院所,科技情报机构类服务网点", "research-institute", "exact"),  # punctuation
    ("institution-kinds", "维權援助工作站", "rights-protection-workstation", "synonym"),
    ("channels", "网络", "web", "exact"),
    ("channels", "热线", "phone", "synonym"),
    ("fees", "公益", "free", "synonym"),
    ("ip-types", "版权", "copyright", "synonym"),
    ("designations", "认定", "recognition", "exact"),
    ("evaluations", "中期评价", "mid-term", "synonym"),
])
def test_a_term_is_resolved_and_says_how(resolver, scheme, text, key, how):
    assert _term(resolver, scheme, text) == (key, how)


def test_an_unknown_term_comes_with_the_closest_candidates(resolver):
    with pytest.raises(UnknownConcept) as caught:
        resolver.term("services", "纠纷处理和诉讼咨询")  # two services in one cell
    assert not caught.value.ambiguous
    assert {"6.3.3.9-b-2", "6.3.3.9-b-3"} <= {c.notation for c in caught.value.suggestions}


def test_a_term_two_concepts_fit_equally_is_ambiguous_with_both(resolver):
    with pytest.raises(UnknownConcept) as caught:
        resolver.term("services", "免费讲务")  # one character off 免费讲座 and off 免费服务
    assert caught.value.ambiguous
    assert {c.notation for c in caught.value.suggestions} == {"6.1-a-2", "6.1"}


@pytest.mark.parametrize("text", ["非免费", "不免费", "免费或低成本"])
def test_a_negated_or_double_fee_is_not_read_as_one(resolver, text):
    with pytest.raises(UnknownConcept):
        resolver.term("fees", text)


def test_three_characters_one_apart_are_different_words_not_a_typo(resolver):
    assert _term(resolver, "fees", "不收费") == ("free", "synonym")   # a synonym, never 低收费 "fuzzily"
    with pytest.raises(UnknownConcept):
        resolver.term("fees", "高收费")


@pytest.mark.parametrize("question,expected,how", [
    ("我的商标被人抄了怎么办", "topic-rights-protection", "situation"),
    ("someone copied my trademark", "topic-rights-protection", "situation"),
    ("怎么把专利卖出去", "topic-transfer", "situation"),
    ("专利还能卖吗", "topic-transfer", "word"),          # 卖 only as a word of its own (jieba)
    ("專利檢索", "topic-search", "synonym"),
    ("zhuanli jiansuo", "topic-search", "pinyin"),
    ("Zhuānlì jiǎnsuǒ", "topic-search", "pinyin"),
    ("zhuanlijiansuo", "topic-search", "pinyin"),
    ("patnet search", "topic-search", "synonym"),
    ("help valuing my trademarks", "6.3.3.1-c-7", "situation"),  # valuing → value (simplemma)
    ("专利评估", "6.3.3.1-c-7", "partial"),                     # 专利…评估 inside 专利价值评估
])
def test_a_question_is_read_for_what_it_asks(resolver, question, expected, how):
    read = [(m.concept.notation, m.how) for m in resolver.read("services", question)]
    assert (expected, how) in read


def test_a_need_told_in_parts_is_read_whole_instead_of_its_parts(resolver):
    """A foreign place and a fair anywhere in the question are an overseas exhibition (6.3.3.1 b), not the
    on-site aid a fair alone reads, nor the overseas rights protection a foreign place alone reads."""
    def read(question):
        return {m.concept.notation: m for m in resolver.read("services", question)}

    assert set(read("展会上被人说侵权")) >= {"6.3.3.9-c"}
    for question, country in (("下个月去德国参加展会，要准备什么", "德国"), ("we exhibit at a trade fair in Japan", "japan")):
        found = read(question)
        assert "6.3.3.1-b-9" in found and "6.3.3.9-c" not in found, found
        assert country in found["6.3.3.1-b-9"].matched  # says which words it read
    assert "6.3.3.1-b-9" not in read("国外有人仿冒我们的商标")      # abroad alone: no fair
    assert "6.3.3.1-b-7" in read("产品出口，担心侵犯别人的专利")     # worry + infringing: the risk
    assert "6.3.3.1-b-7" not in read("我的专利被侵犯了")


def test_another_party_and_our_right_anywhere_in_a_question_is_a_complaint(resolver):
    """Whatever the verb: someone else ({others}) and our right ({mine} {ip}) are a complaint (rights protection)."""
    def read(question):
        return {m.concept.notation: m.matched for m in resolver.read("services", question)}

    assert read("合伙人退出后还在用我们的商标")["topic-rights-protection"] == "合伙人+我们的商标"
    assert "topic-rights-protection" in read("a rival prints my trademark on their boxes")
    assert "topic-rights-protection" not in read("我们的商标想做个评估")       # no other party
    assert "topic-rights-protection" not in read("对方想了解专利导航")          # nothing of ours


def test_a_typo_correction_never_changes_a_common_word_into_another(resolver):
    """商标授权 (licensing a mark) is one edit from 商标侵权 but two real words: not a typo of it."""
    assert "topic-rights-protection" not in [m.concept.notation for m in resolver.read("services", "打算商标授权")]
    assert [m.how for m in resolver.read("services", "商表注册")] == ["fuzzy"]      # 商表 is no word: a typo
    with pytest.raises(UnknownConcept):
        resolver.term("services", "商标授权")


def test_a_one_character_situation_word_inside_another_word_is_not_read(resolver):
    assert "topic-transfer" not in [m.concept.notation for m in resolver.read("services", "卖场里的商标检索")]


@pytest.mark.parametrize("text,code", [("Mohe", "232701"), ("mò hé", "232701"), ("Daoli", "230102"),
                                       ("binxian", "230125"), ("哈爾濱", "230100"), ("齊齊哈爾", "230200")])
def test_county_names_in_pinyin_and_traditional_resolve(resolver, text, code):
    assert resolver.place(text).region.adcode == code


def test_counties_without_an_english_name_in_the_data_get_a_romanised_one(resolver):
    gaz = resolver.gazetteer
    assert gaz.path_label(gaz.region("230125"), "en") == "Bin County, Harbin, Heilongjiang"
    assert resolver.place("Daoli District").region.adcode == "230102"
    assert gaz.region("230100").label("en") == "Harbin"  # a name the data has is kept
    with pytest.raises(AmbiguousPlace):
        resolver.place("Xiangyang District")  # 向阳区, in 鹤岗 and in 佳木斯


def test_an_ambiguous_region_is_settled_by_coordinates_or_a_parent_named_in_the_row(resolver):
    with pytest.raises(AmbiguousPlace) as caught:
        resolver.region("向阳区")
    assert {r.adcode for r in caught.value.candidates} == {"230402", "230803"}
    assert resolver.region("向阳区", RegionHints(46.81, 130.36)).region.adcode == "230803"  # 佳木斯's seat
    assert resolver.region("向阳区", RegionHints(47.34, 130.29)).region.adcode == "230402"  # 鹤岗's seat
    assert resolver.region("向阳区", RegionHints(texts=("鹤岗市示例路12号",))).region.adcode == "230402"
    with pytest.raises(AmbiguousPlace):  # a point between the two decides nothing
        resolver.region("向阳区", RegionHints(47.07, 130.32))


def test_the_spec_phrasing_file_is_what_the_specification_gives():
    import importlib.util
    from pathlib import Path

    script = Path(__file__).resolve().parents[1] / "scripts" / "spec_phrasing.py"
    spec = importlib.util.spec_from_file_location("spec_phrasing", script)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    assert module.render() == module.OUT.read_text(encoding="utf-8"), "run scripts/spec_phrasing.py"


def test_every_situation_is_data_with_the_reason_it_leads_to_its_concept():
    from rdflib import Graph, Namespace
    from rdflib.namespace import SKOS

    from ipgraph.paths import ONTOLOGY_DIR

    ipg = Namespace("https://w3id.org/ipgraph/ontology#")
    graph = Graph().parse(ONTOLOGY_DIR / "situations.ttl")
    schemes = Graph().parse(ONTOLOGY_DIR / "services.ttl")
    concepts = set(graph.subjects(ipg.situation, None))
    assert len(concepts) >= 10
    for concept in concepts:
        assert (concept, SKOS.inScheme, None) in schemes, concept           # a concept of the catalogue
        assert graph.value(concept, SKOS.editorialNote), concept            # says why, citing the clause
        assert all(label.language in ("zh", "en") for label in graph.objects(concept, ipg.situation))


def test_every_label_key_and_notation_of_every_scheme_names_its_own_concept(resolver):
    wrong = []
    for scheme, catalog in resolver.schemes.items():
        for concept in catalog.concepts.values():
            words = [*concept.labels.values(), *(label for _, label in concept.alt_labels),
                     *(label for how, _, label in concept.other_labels if how != "situation"),
                     concept.notation, concept.iri.rsplit("/", 1)[-1]]
            for word in filter(None, words):
                try:
                    found = resolver.term(scheme, word).concept.iri
                except UnknownConcept:
                    found = None
                if found != concept.iri:
                    wrong.append((scheme, word, concept.notation))
    assert not wrong


def test_misspelt_place_names_found_through_the_index_are_those_a_scan_of_every_name_finds(resolver):
    """The misspelt-place search looks candidates up in an index of one-off spellings; it must find exactly the
    names (and in the order) that comparing the word with every gazetteer name finds."""
    import random

    from rapidfuzz.distance import Hamming, Levenshtein

    from ipgraph.model.resolver import _EN_GENERIC
    from ipgraph.model.text import latin_key

    chinese, latin = resolver._place_keys
    rng = random.Random(7)
    names_zh = [n for names in chinese.values() for n in names]
    names_latin = [n for names in latin.values() for n in names if len(n) >= 6 and n.isalpha()]
    characters = sorted({ch for n in names_zh for ch in n})
    compared = 0
    for _ in range(300):
        name = rng.choice(names_zh)
        at = rng.randrange(len(name))
        word = name[:at] + rng.choice(characters) + name[at + 1:]
        scan = [k for k in chinese.get(len(word), ()) if Hamming.distance(word, k) == 1]
        found = [resolver._gazetteer().names[k] for k in scan]
        assert [entries for _, _, entries in resolver._near_names(word, whole=True)] == (
            [[e for entries in found for e in entries]] if scan else []), word
        compared += bool(scan)
    for _ in range(300):
        name = rng.choice(names_latin)
        at = rng.randrange(len(name))
        letter = rng.choice("abcdefghijklmnopqrstuvwxyz")
        word = rng.choice([name[:at] + letter + name[at + 1:], name[:at] + name[at + 1:], name[:at] + letter + name[at:]])
        if (len(word) < 6 or word in resolver._gazetteer().names or resolver._service_spelling(word)
                or latin_key(_EN_GENERIC.sub("", word)) != word):  # compared as typed: not folded, no "district"
            continue
        scan = [k for k in latin.get(len(word), ()) + latin.get(len(word) - 1, ()) + latin.get(len(word) + 1, ())
                if Levenshtein.distance(word, k) == 1]
        found = [e for k in scan for e in resolver._gazetteer().names[k]]
        assert [entries for _, _, entries in resolver._near_names(word, whole=True)] == ([found] if scan else []), word
        compared += bool(scan)
    assert compared > 300  # most of the misspellings are one off some name
