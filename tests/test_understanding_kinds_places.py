"""Institution kinds and misspelt places inside a question, read through the one resolver (issue 20)."""

import pytest

from ipgraph.matching.understanding import MatchInputError, interpret
from ipgraph.model.catalog import UnknownConcept
from ipgraph.model.places import AmbiguousPlace, BadCoordinates, UnknownPlace
from ipgraph.model.resolver import OutsidePlace, Resolver


@pytest.fixture(scope="module")
def vocab(sample_matcher):
    return sample_matcher.vocabulary


def _key(iri):
    return iri.rsplit("/", 1)[-1]


def test_a_kind_named_in_a_question_is_a_filter_and_the_rest_is_the_service(vocab):
    reading = interpret(vocab, "漠河市图书馆有知识产权讲座吗")
    assert _key(reading.kind.concept.iri) == "public-library"
    assert "6.3.3.5-b-2" in {m.concept.notation for m in reading.concepts}
    assert reading.place.region.adcode == "232701"


def test_the_kind_named_in_a_question_filters_the_institutions(sample_matcher):
    everyone = sample_matcher.match("专利检索", limit=50)
    libraries = sample_matcher.match("图书馆 专利检索", limit=50)
    wanted = "https://w3id.org/ipgraph/ontology#PublicLibraryOutlet"
    assert any(wanted not in r.record.classes for r in everyone.results)  # the filter has something to drop
    assert libraries.results and all(wanted in r.record.classes for r in libraries.results)


def test_a_question_naming_only_a_kind_reads_the_kinds_focus_services_not_a_look_alike(vocab):
    reading = interpret(vocab, "尚志市有没有专利代理机构")
    assert _key(reading.kind.concept.iri) == "market-agency"
    # 6.1 and 6.2 (every node and outlet) and the kind's focus 6.3.3.8 — not 专利管理 (read fuzzily before)
    assert [(m.concept.notation, m.how) for m in reading.concepts] == [("6.1", "kind"), ("6.2", "kind"),
                                                                       ("6.3.3.8", "kind")]


def test_a_kind_word_inside_a_longer_service_label_stays_the_services(vocab):
    reading = interpret(vocab, "园区产业知识产权信息咨询")
    assert reading.kind is None
    assert [m.concept.notation for m in reading.concepts] == ["6.3.3.6-a"]


def test_a_place_misspelt_by_one_character_is_read_in_a_question_and_in_the_place_box(vocab):
    reading = interpret(vocab, "哈尔宾专利检索")
    assert (reading.place.region.adcode, reading.place.how) == ("230100", "fuzzy")
    assert reading.service_text == "专利检索"
    assert vocab.resolver.place("齐齐哈儿").region.adcode == "230200"
    assert interpret(vocab, "patent search near Ning'an").place.region.adcode == "231084"  # apostrophe folded


def test_words_that_are_not_places_are_not_read_as_misspelt_places(vocab):
    assert vocab.resolver.place_in("banquan dengji zixun") is None  # one letter from baiquan (拜泉) but a service word
    with pytest.raises(UnknownPlace):
        vocab.resolver.place("专利检索")


def test_a_misspelling_near_two_places_answers_with_both(vocab):
    with pytest.raises(AmbiguousPlace) as caught:
        vocab.resolver.place("七芬河")  # one character from 七台河 and from 绥芬河
    assert {r.adcode for r in caught.value.candidates} == {"230900", "231081"}
    with pytest.raises(MatchInputError) as asked:
        interpret(vocab, "七芬河专利检索")
    assert asked.value.field == "near" and len(asked.value.candidates) == 2


def test_the_place_box_is_read_by_the_resolver_coordinates_included(vocab):
    typed = vocab.resolver.place("45.75 126.63")
    assert (typed.region, typed.lat, typed.lon, typed.how) == (None, 45.75, 126.63, "coordinates")
    with pytest.raises(BadCoordinates):
        vocab.resolver.place("95,126")  # a pair of numbers out of range: bad coordinates, not an unknown name
    with pytest.raises(MatchInputError) as caught:
        interpret(vocab, "专利检索", near="95,126")
    assert caught.value.field == "lat"


def test_a_place_of_another_province_is_read_by_the_resolver_as_that_place(vocab):
    beijing = vocab.resolver.place("北京")
    assert isinstance(beijing, OutsidePlace) and beijing.national.adcode == "110000" and beijing.region is None
    found, rest = vocab.resolver.place_in("北京哪里能做侵权分析")
    assert isinstance(found, OutsidePlace) and rest == "哪里能做侵权分析"
    assert not isinstance(vocab.resolver.place("哈尔滨"), OutsidePlace)  # the network's own region
    alone = Resolver(vocab.resolver.schemes, vocab.gazetteer)  # without the national list: unknown, as before
    with pytest.raises(UnknownPlace):
        alone.place("北京")


@pytest.mark.parametrize("word,key", [("牌子", "trademark"), ("配方", "trade-secret"), ("照片", "copyright"),
                                      ("新品种", "plant-variety"), ("芯片布图", "ic-layout"), ("營業秘密", "trade-secret")])
def test_everyday_names_of_a_right_are_the_ip_type(vocab, word, key):
    assert _key(vocab.resolver.term("ip-types", word).concept.iri) == key


def test_any_name_of_a_right_as_the_subject_of_a_passive_is_a_rights_protection_situation(vocab):
    for question in ("客户名单被同事拷走了", "我们的牌子让人给注册了", "摄影作品遭网站转载"):
        read = {(m.concept.notation, m.how) for m in interpret(vocab, question).concepts}
        assert ("topic-rights-protection", "situation") in read, question


def test_the_filled_phrases_are_found_only_as_written_never_as_a_typo_or_a_part(vocab):
    assert "topic-rights-protection" not in {m.concept.notation for m in vocab.resolver.read("services", "新品种，怎么申请")}
    assert not [m for m in vocab.resolver.read("services", "地理标志怎么申请") if m.matched.endswith("被")]
    with pytest.raises(UnknownConcept):
        vocab.resolver.term("services", "{ip}被")  # the slot itself is no phrase anyone types


def test_typed_pinyin_with_a_typo_is_read_and_latin_gibberish_is_not(vocab):
    read = vocab.resolver.read("services", "zhuanli jainsuo")  # two letters swapped in jiansuo
    assert [(m.concept.notation, m.how) for m in read] == [("topic-search", "fuzzy")]
    assert vocab.resolver.read("services", "qwertyuiop asdf") == []
