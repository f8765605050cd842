"""Citizens' questions through the matcher: traditional characters, pinyin, English, situations, typos, and
places in pinyin, English or traditional characters — all read by the one resolver."""

import pytest

from ipgraph.matching.understanding import MatchInputError


def _read(result):
    interpretation = result.interpretation
    region = interpretation.place.region.adcode if interpretation.place and interpretation.place.region else None
    return {m.concept.notation for m in interpretation.concepts}, {m.how for m in interpretation.concepts}, region


@pytest.mark.parametrize("q,near,concept,how,region", [
    ("哈爾濱哪裡能做侵權分析", None, "topic-infringement-analysis", "synonym", "230100"),  # traditional
    ("qinquan fenxi haerbin", None, "topic-infringement-analysis", "pinyin", "230100"),   # pinyin, place in it
    ("someone copied my trademark", "Harbin", "topic-rights-protection", "situation", "230100"),
    ("我的商标被人抄了怎么办", "哈尔滨", "topic-rights-protection", "situation", "230100"),
    ("patent search", "Mohe", "topic-search", "synonym", "232701"),                        # a county in English
    ("专利检索", "mò hé", "topic-search", "synonym", "232701"),                             # with tones
    ("patnet search", "Daoli", "topic-search", "synonym", "230102"),
])
def test_questions_as_people_ask_them(sample_matcher, q, near, concept, how, region):
    concepts, hows, found = _read(sample_matcher.match(q, near=near))
    assert concept in concepts and how in hows and found == region


def test_the_same_need_asked_four_ways_gives_the_same_institutions(sample_matcher):
    asked = ["专利检索", "專利檢索", "zhuanli jiansuo", "Zhuānlì jiǎnsuǒ"]
    answers = [sample_matcher.result_json(sample_matcher.match(q, near="哈尔滨", limit=20), "zh")["results"]
               for q in asked]
    assert answers[0]
    assert all([r["iri"] for r in a] == [r["iri"] for r in answers[0]] for a in answers)


def test_the_interpretation_says_which_words_it_read_and_how(sample_matcher):
    body = sample_matcher.result_json(sample_matcher.match("someone copied my trademark", near="Harbin"), "en")
    [concept] = body["interpretation"]["concepts"]
    assert (concept["how"], concept["matched"]) == ("situation", "copied")


def test_a_question_with_nothing_to_understand_still_answers_with_suggestions(sample_matcher):
    with pytest.raises(MatchInputError) as caught:
        sample_matcher.match("今天天气怎么样", near="哈尔滨")
    assert caught.value.field == "q" and caught.value.suggestions
