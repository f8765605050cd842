"""Honest answers: every match answer ranks institutions or says what to do next (matching/notices.py).

No place → the list is not by distance; a place in another province or a point outside the network → which
area the network covers and how far the nearest is; a service nobody offers → broader alternatives, marked;
a filter that empties the list → which filter, and the answer without it. Coordinates typed as text.
"""

from __future__ import annotations

import pytest

from ipgraph.matching.understanding import MatchInputError
from ipgraph.model.coordinates import parse_point
from ipgraph.model.national_places import national_places
from ipgraph.model.places import haversine_km


def _answer(matcher, q, **options):
    return matcher.result_json(matcher.match(q, **options), "zh")


def _codes(answer):
    return [n["code"] for n in answer["notices"]]


@pytest.mark.parametrize("text, point", [
    ("45.75,126.63", (45.75, 126.63)), ("45.75 126.63", (45.75, 126.63)), ("45.75，126.63", (45.75, 126.63)),
    ("N45.75 E126.63", (45.75, 126.63)), ("E126.63 N45.75", (45.75, 126.63)),
    ("45.75°N, 126.63°E", (45.75, 126.63)), ("北纬45.75 东经126.63", (45.75, 126.63)),
    ("33.9S 151.2E", (-33.9, 151.2)), ("-33.9, 151.2", (-33.9, 151.2))])
def test_coordinates_are_read_in_the_ways_people_paste_them(text, point):
    assert parse_point(text) == point


@pytest.mark.parametrize("text", ["哈尔滨", "230102", "45.75", "N45 N46", "E126 W12", "1 2 3", "S-45 126", ""])
def test_text_that_is_not_a_pair_of_coordinates_is_left_to_the_gazetteer(text):
    assert parse_point(text) is None


def test_coordinates_in_the_place_box_rank_by_distance_from_that_point(sample_matcher):
    typed = _answer(sample_matcher, "侵权分析", near="45.75 126.63")
    given = _answer(sample_matcher, "侵权分析", lat=45.75, lon=126.63)
    assert [r["iri"] for r in typed["results"]] == [r["iri"] for r in given["results"]]
    assert typed["interpretation"]["place"]["lat"] == 45.75 and typed["notices"] == []
    with pytest.raises(MatchInputError) as error:
        sample_matcher.match("侵权分析", near="95,126")
    assert error.value.field == "lat"


def test_without_a_place_the_answer_says_it_is_not_by_distance(sample_matcher):
    answer = _answer(sample_matcher, "侵权分析")
    assert answer["ordered_by"] == "specificity" and _codes(answer) == ["no_place"]
    assert all(r["distance_km"] is None for r in answer["results"]) and answer["results"]
    assert "未按距离" in answer["notices"][0]["message_zh"] and "not ordered by distance" in \
        answer["notices"][0]["message_en"]
    assert _answer(sample_matcher, "侵权分析", near="哈尔滨")["ordered_by"] == "distance"


@pytest.mark.parametrize("options", [{"near": "北京"}, {"near": "北京市"}, {"near": "39.9,116.4"}, {}])
def test_a_place_in_another_province_names_the_networks_area_and_the_nearest(sample_matcher, options):
    q = "侵权分析" if options else "北京哪里能做侵权分析"
    answer = _answer(sample_matcher, q, **options)
    assert _codes(answer) == ["outside_network"]
    notice = answer["notices"][0]
    assert notice["place"]["adcode"].startswith("11") and "北京市" in notice["message_zh"]
    assert [a["adcode"] for a in notice["network_area"]] == ["230000"] and "黑龙江省" in notice["message_zh"]
    assert "Heilongjiang" in notice["message_en"]
    first = answer["results"][0]
    assert notice["nearest"]["iri"] == first["iri"] and notice["nearest"]["distance_km"] == first["distance_km"]
    # the distance is the real one from Beijing's point, and the results stay nearest first
    beijing = national_places().lookup("北京")
    expected = haversine_km(beijing.lat, beijing.lon, first["lat"], first["lon"])
    assert abs(first["distance_km"] - expected) < 2 and first["distance_km"] > 900
    distances = [r["distance_km"] for r in answer["results"]]
    assert distances == sorted(distances)


def test_a_place_inside_the_network_gets_no_outside_notice(sample_matcher):
    for options in ({"near": "漠河"}, {"near": "45.75,126.63"}, {"near": "佳木斯"}):
        assert "outside_network" not in _codes(_answer(sample_matcher, "专利检索", **options))


def test_a_place_one_character_off_is_the_networks_place_said_fuzzy_not_a_far_away_place(sample_matcher):
    place = sample_matcher.match("侵权分析", near="哈尔宾").interpretation.place
    assert (place.region.adcode, place.how) == ("230100", "fuzzy")


def test_a_place_misspelt_further_is_still_an_error_with_suggestions_not_a_far_away_place(sample_matcher):
    with pytest.raises(MatchInputError) as error:
        sample_matcher.match("侵权分析", near="哈尔宾滨")
    assert error.value.field == "near" and any(s["adcode"] == "230100" for s in error.value.suggestions)


def test_a_service_nobody_offers_says_so_and_offers_the_broader_service_marked_as_such(sample_matcher):
    answer = _answer(sample_matcher, "专利价值评估", near="哈尔滨")
    assert answer["total"] == 0 and answer["results"] == [] and _codes(answer) == ["no_offering"]
    alternative = answer["alternative"]
    assert alternative["reason"] == "no_offering" and alternative["relation"] == "broader"
    asked = {c["iri"] for c in answer["interpretation"]["concepts"]}
    services = sample_matcher.vocabulary.services
    for concept in alternative["concepts"]:  # each is above a concept asked for
        assert any(concept["iri"] in services.ancestors(a) and concept["iri"] != a for a in asked)
    assert alternative["total"] >= len(alternative["results"]) > 0
    offered = {c["iri"] for c in alternative["concepts"]}
    for r in alternative["results"]:
        assert any(o["via"]["iri"] in offered for o in r["matched_offerings"])
    distances = [r["distance_km"] for r in alternative["results"]]
    assert distances == sorted(distances)
    assert "上位服务" in answer["notices"][0]["message_zh"]


def test_a_filter_that_empties_the_list_is_named_with_the_answer_without_it(sample_matcher):
    plain = _answer(sample_matcher, "侵权分析", near="哈尔滨")
    answer = _answer(sample_matcher, "侵权分析", near="哈尔滨", radius_km=1)
    assert answer["total"] == 0 and _codes(answer) == ["filter_emptied"]
    notice = answer["notices"][0]
    assert [f["name"] for f in notice["filters"]] == ["radius_km"]
    assert notice["filters"][0]["total_without"] == plain["total"] == notice["total_without_filters"]
    assert notice["filters"][0]["nearest_km_without"] == plain["results"][0]["distance_km"]
    assert "距离范围" in notice["message_zh"] and "distance limit" in notice["message_en"]
    free = _answer(sample_matcher, "侵权分析", near="哈尔滨", free=True)
    assert free["total"] == 0 and [f["name"] for f in free["notices"][0]["filters"]] == ["free"]


def test_a_ranked_answer_in_the_network_has_no_notice(sample_matcher):
    answer = _answer(sample_matcher, "侵权分析", near="哈尔滨")
    assert answer["results"] and answer["notices"] == [] and answer["alternative"] is None


def test_national_names_never_take_a_service_label_for_a_place(sample_matcher):
    places = national_places()
    taken = {c.label(lang): places.find_in(c.label(lang)) for c in sample_matcher.vocabulary.services.concepts.values()
             for lang in ("zh",)}
    assert {label: found[0].name for label, found in taken.items() if found} == {}
