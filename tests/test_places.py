"""Place → point: names with or without suffix, English and pinyin, codes old and new, ambiguity, distance."""

import math

import pytest

from ipgraph.model.catalog import normalize
from ipgraph.model.iris import REGIONS_GRAPH
from ipgraph.model.places import AmbiguousPlace, BadCoordinates, UnknownPlace, check_point, haversine_km
from ipgraph.store.vocabularies import load_gazetteer

R = "https://w3id.org/ipgraph/id/region/"

REGIONS = """
@prefix ipg: <https://w3id.org/ipgraph/ontology#> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
@prefix wgs84: <http://www.w3.org/2003/01/geo/wgs84_pos#> .
@prefix r: <https://w3id.org/ipgraph/id/region/> .
@prefix lvl: <https://w3id.org/ipgraph/id/region-level/> .
r:230000 a ipg:Region ; ipg:adcode "230000" ; skos:prefLabel "黑龙江省"@zh , "Heilongjiang"@en ;
    ipg:regionLevel lvl:province ; wgs84:lat 45.74 ; wgs84:long 126.66 .
r:230100 a ipg:Region ; ipg:adcode "230100" ; skos:prefLabel "哈尔滨市"@zh , "Harbin"@en ; skos:altLabel "哈尔滨"@zh ;
    ipg:regionLevel lvl:prefecture ; ipg:parentRegion r:230000 ; wgs84:lat 45.80 ; wgs84:long 126.53 .
r:230102 a ipg:Region ; ipg:adcode "230102" ; skos:prefLabel "道里区"@zh ; skos:altLabel "道里"@zh ;
    ipg:regionLevel lvl:county ; ipg:parentRegion r:230100 ; wgs84:lat 45.75 ; wgs84:long 126.61 .
r:230400 a ipg:Region ; ipg:adcode "230400" ; skos:prefLabel "鹤岗市"@zh , "Hegang"@en ; skos:altLabel "鹤岗"@zh ;
    ipg:regionLevel lvl:prefecture ; ipg:parentRegion r:230000 ; wgs84:lat 47.35 ; wgs84:long 130.30 .
r:230402 a ipg:Region ; ipg:adcode "230402" ; skos:prefLabel "向阳区"@zh ; skos:altLabel "向阳"@zh ;
    ipg:regionLevel lvl:county ; ipg:parentRegion r:230400 ; wgs84:lat 47.34 ; wgs84:long 130.29 .
r:230800 a ipg:Region ; ipg:adcode "230800" ; skos:prefLabel "佳木斯市"@zh , "Jiamusi"@en ; skos:altLabel "佳木斯"@zh ;
    ipg:regionLevel lvl:prefecture ; ipg:parentRegion r:230000 ; wgs84:lat 46.80 ; wgs84:long 130.32 .
r:230803 a ipg:Region ; ipg:adcode "230803" ; skos:prefLabel "向阳区"@zh ; skos:altLabel "向阳"@zh ;
    ipg:regionLevel lvl:county ; ipg:parentRegion r:230800 ; wgs84:lat 46.81 ; wgs84:long 130.36 .
r:232701 a ipg:Region ; ipg:adcode "232701" ; skos:prefLabel "漠河市"@zh ; skos:altLabel "漠河"@zh , "漠河县"@zh ;
    ipg:formerAdcode "232723" ; ipg:regionLevel lvl:county ; ipg:parentRegion r:230000 ;
    wgs84:lat 52.97 ; wgs84:long 122.54 .
"""


@pytest.fixture(scope="module")
def gazetteer():
    from ipgraph.store.embedded import EmbeddedStore

    store = EmbeddedStore()
    store.load(REGIONS.encode(), graph=REGIONS_GRAPH, format="turtle")
    yield load_gazetteer(store)
    store.close()


@pytest.mark.parametrize("text,code,how", [
    ("哈尔滨市", "230100", "name"), ("哈尔滨", "230100", "short name"), ("Harbin", "230100", "English name"),
    ("HARBIN city", "230100", "English name"), ("Haerbin", "230100", "pinyin"), ("ｈａｒｂｉｎ", "230100", "English name"),
    ("道里区", "230102", "name"), ("道里", "230102", "short name"), ("230102", "230102", "code"),
    ("黑龙江", "230000", "name without suffix"),
    ("232723", "232701", "former code"), ("漠河县", "232701", "former name"),
    ("佳木斯向阳区", "230803", "name"), ("黑龙江省哈尔滨市道里区", "230102", "name"),
])
def test_names_codes_and_former_codes_resolve(gazetteer, text, code, how):
    place = gazetteer.lookup(text)
    assert (place.region.adcode, place.how) == (code, how)
    assert (place.lat, place.lon) == (place.region.lat, place.region.lon)


def test_an_ambiguous_name_lists_its_candidates(gazetteer):
    with pytest.raises(AmbiguousPlace) as caught:
        gazetteer.lookup("向阳区")
    assert [r.adcode for r in caught.value.candidates] == ["230402", "230803"]
    assert [gazetteer.path_label(r) for r in caught.value.candidates] == ["黑龙江省鹤岗市向阳区", "黑龙江省佳木斯市向阳区"]


def test_an_unknown_place_suggests_near_spellings(gazetteer):
    with pytest.raises(UnknownPlace) as caught:
        gazetteer.lookup("哈尔宾")
    assert caught.value.suggestions[0].adcode == "230100"
    with pytest.raises(UnknownPlace) as caught:
        gazetteer.lookup("Harbni")
    assert "230100" in [r.adcode for r in caught.value.suggestions]


@pytest.mark.parametrize("question,code,rest", [
    ("哈尔滨哪里能做侵权分析？", "230100", "哪里能做侵权分析?"),
    ("where in Harbin can I get an FTO search", "230100", "where in can i get an fto search"),
    ("道里区 专利检索", "230102", "专利检索"),
])
def test_a_place_inside_a_question_is_found_and_taken_out(gazetteer, question, code, rest):
    place, remainder = gazetteer.find_in(question)
    assert place.region.adcode == code and remainder == rest


def test_a_question_without_a_place_has_none(gazetteer):
    assert gazetteer.find_in("侵权分析") is None


def test_words_already_read_as_a_service_are_not_taken_for_a_place(gazetteer):
    key = normalize("向阳分析")
    assert gazetteer.find_in(key, avoid=[(0, 4, "向阳分析")]) is None


def test_completion_by_prefix_in_chinese_latin_and_code(gazetteer):
    assert [r.adcode for r in gazetteer.complete("哈")] == ["230100"]
    assert [r.adcode for r in gazetteer.complete("har")] == ["230100"]
    assert [r.adcode for r in gazetteer.complete("2301")] == ["230100", "230102"]


def test_haversine_one_degree_of_latitude_and_arrays():
    assert haversine_km(45.0, 126.0, 46.0, 126.0) == pytest.approx(math.pi / 180 * 6371.0088, rel=1e-9)
    distances = haversine_km(45.0, 126.0, [45.0, 46.0], [126.0, 126.0])
    assert distances[0] == 0 and distances[1] == pytest.approx(111.195, abs=1e-3)


@pytest.mark.parametrize("lat,lon", [(91, 0), (-90.5, 0), (0, 180.1), (0, -181), (float("nan"), 0)])
def test_coordinates_out_of_range_are_refused(lat, lon):
    with pytest.raises(BadCoordinates):
        check_point(lat, lon)
