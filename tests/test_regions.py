"""The Heilongjiang gazetteer: GB/T 2260 codes, levels, parents, seat coordinates, and the cited changes."""

import csv

import pytest
from rdflib import Graph, Literal
from rdflib.namespace import RDF, SKOS, XSD

from ipgraph.model.iris import ID, IPG, WGS84
from ipgraph.paths import DATA_DIR
from ipgraph.store.seed import REGIONS_FILE

HEILONGJIANG_BOX = (43.4, 53.6, 121.1, 135.1)  # lat min/max, lon min/max


@pytest.fixture(scope="module")
def regions() -> Graph:
    graph = Graph()
    graph.parse(REGIONS_FILE)
    return graph


def _level(graph, region):
    return str(graph.value(region, IPG.regionLevel)).rsplit("/", 1)[-1]


def test_province_thirteen_prefectures_and_their_counties(regions):
    all_regions = set(regions.subjects(RDF.type, IPG.Region))
    levels = {}
    for region in all_regions:
        levels.setdefault(_level(regions, region), set()).add(region)
    assert levels["province"] == {ID["region/230000"]}
    assert len(levels["prefecture"]) == 13
    assert len(levels["county"]) >= 120
    for county in levels["county"]:
        assert regions.value(county, IPG.parentRegion) in levels["prefecture"], county
    for prefecture in levels["prefecture"]:
        assert regions.value(prefecture, IPG.parentRegion) == ID["region/230000"]


def test_every_region_has_a_code_names_and_seat_coordinates_in_the_province(regions):
    lat_min, lat_max, lon_min, lon_max = HEILONGJIANG_BOX
    for region in regions.subjects(RDF.type, IPG.Region):
        code = str(regions.value(region, IPG.adcode))
        assert region == ID["region/" + code] and len(code) == 6 and code.startswith("23")
        assert any(l.language == "zh" for l in regions.objects(region, SKOS.prefLabel))
        lat, lon = regions.value(region, WGS84.lat), regions.value(region, WGS84.long)
        assert lat.datatype == XSD.double and lon.datatype == XSD.double
        assert lat_min <= float(lat) <= lat_max and lon_min <= float(lon) <= lon_max, (code, lat, lon)


def test_harbin_has_full_short_and_english_names(regions):
    harbin = ID["region/230100"]
    assert Literal("哈尔滨市", lang="zh") in set(regions.objects(harbin, SKOS.prefLabel))
    assert Literal("哈尔滨", lang="zh") in set(regions.objects(harbin, SKOS.altLabel))
    assert Literal("Harbin", lang="en") in set(regions.objects(harbin, SKOS.prefLabel))


def test_mohe_uses_the_current_code_and_still_knows_the_former_one(regions):
    mohe = ID["region/232701"]
    assert (mohe, IPG.formerAdcode, Literal("232723")) in regions
    assert Literal("漠河县", lang="zh") in set(regions.objects(mohe, SKOS.altLabel))
    assert (ID["region/232723"], RDF.type, IPG.Region) not in regions


def test_the_national_list_is_available_to_the_benchmark_generator():
    with open(DATA_DIR / "regions-cn.csv", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    provinces = {r["adcode"] for r in rows if r["level"] == "province"}
    assert len(provinces) >= 31
    assert len([r for r in rows if r["level"] == "county"]) > 2500
