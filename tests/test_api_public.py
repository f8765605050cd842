"""The public JSON API over the sample network: /api/match, /api/services, /api/places, /api/institutions."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from ipgraph.settings import Settings
from ipgraph.web import create_app


@pytest.fixture(scope="module")
def client(sample_store, sample_matcher):
    app = create_app(Settings(), sample_store)
    app.state.matcher = sample_matcher  # built once per session; the app would build the same at start-up
    return TestClient(app)


def _ids(body):
    return [r["id"] for r in body["results"]]


def test_the_readme_example_answers_ranked_explained_results(client):
    response = client.get("/api/match", params={"q": "侵权分析", "near": "哈尔滨"})
    assert response.status_code == 200
    body = response.json()
    interp = body["interpretation"]
    assert [c["notation"] for c in interp["concepts"]] == ["topic-infringement-analysis"]
    assert interp["concepts"][0]["how"] == "synonym"
    assert {"6.3.3.1-b-6", "6.3.3.1-b-7"} <= {c["notation"] for c in interp["expanded_to"]}
    assert interp["place"]["region"]["adcode"] == "230100"
    results = body["results"]
    assert results and [r["rank"] for r in results] == list(range(1, len(results) + 1))
    distances = [r["distance_km"] for r in results]
    assert distances == sorted(distances)
    first = results[0]
    assert first["kind"]["key"] and first["label"] and first["region"]["adcode"].startswith("23")
    assert first["guided_by"] or first["coordinated_by"]
    offering = first["matched_offerings"][0]
    assert offering["match_type"] == "narrower" and offering["via"]["notation"] == "topic-infringement-analysis"
    assert offering["fee"]["key"] in ("free", "low-cost") and offering["channels"]
    assert all("type" in c and "telephone" in c for c in offering["channels"])


def test_english_answers_in_english_with_the_same_ranking(client):
    zh = client.get("/api/match", params={"q": "侵权分析", "near": "哈尔滨"}).json()
    en = client.get("/api/match", params={"q": "infringement analysis", "near": "Harbin", "lang": "en"}).json()
    assert _ids(zh) == _ids(en)
    assert en["results"][0]["label"] == en["results"][0]["labels"]["en"]
    assert zh["results"][0]["label"] == zh["results"][0]["labels"]["zh"]


def test_coordinates_rank_like_the_place_they_are(client):
    by_name = client.get("/api/match", params={"q": "专利检索", "near": "230102"}).json()
    point = by_name["interpretation"]["place"]
    by_point = client.get("/api/match", params={"q": "专利检索", "lat": point["lat"], "lon": point["lon"]}).json()
    assert _ids(by_name) == _ids(by_point)


def test_free_answers_only_free_offerings(client):
    body = client.get("/api/match", params={"q": "专利检索", "near": "哈尔滨", "free": "true", "limit": 100}).json()
    assert body["results"] and all(o["free"] for r in body["results"] for o in r["matched_offerings"])


@pytest.mark.parametrize("params,field,hint", [
    ({"q": "侵权分析", "near": "哈尔宾滨"}, "near", "suggestions"),
    ({"q": "侵权分析", "near": "向阳区"}, "near", "candidates"),
    ({"q": "侵害鉴定", "near": "哈尔滨"}, "q", "suggestions"),  # (a one-character typo is read: test_match)
    ({"q": "qwertyuiop", "near": "哈尔滨"}, "q", "suggestions"),
    ({"q": "侵权分析", "lat": 91, "lon": 126}, "lat", None),
    ({"q": "侵权分析", "lat": 45, "lon": -200}, "lon", None),
    ({"q": "侵权分析", "kind": "bakery"}, "kind", "suggestions"),
])
def test_what_is_not_understood_is_a_422_saying_where_with_suggestions(client, params, field, hint):
    response = client.get("/api/match", params=params)
    assert response.status_code == 422
    body = response.json()
    assert body["field"] == field and body["message_zh"] and body["message_en"]
    if hint:
        assert body[hint]
    english = client.get("/api/match", params={**params, "lang": "en"}).json()
    assert english["message"] == english["message_en"]


def test_unknown_place_suggests_harbin_and_unknown_service_suggests_labels(client):
    place = client.get("/api/match", params={"q": "侵权分析", "near": "哈尔宾滨"}).json()
    assert place["suggestions"][0]["adcode"] == "230100" and "哈尔滨市" in place["message"]
    service = client.get("/api/match", params={"q": "侵害鉴定", "near": "哈尔滨"}).json()
    assert "topic-infringement-analysis" in [s["notation"] for s in service["suggestions"]]
    typo = client.get("/api/match", params={"q": "侵权分折", "near": "哈尔滨"}).json()  # one character off: read
    assert [(c["notation"], c["how"]) for c in typo["interpretation"]["concepts"]] == [
        ("topic-infringement-analysis", "fuzzy")]


def test_a_non_number_coordinate_is_a_422_not_a_500(client):
    response = client.get("/api/match", params={"q": "侵权分析", "lat": "north", "lon": "126"})
    assert response.status_code == 422 and "lat" in response.json()["message"]


@pytest.mark.parametrize("q", ['侵权分析"} UNION { ?s ?p ?o } #', "侵权分析 INSERT DATA { <a> <b> <c> }",
                               "'; DROP GRAPH <https://w3id.org/ipgraph/graph/ontology> ; '"])
def test_quotes_braces_and_sparql_keywords_are_only_text(client, sample_store, q):
    before = sample_store.triple_count()
    response = client.get("/api/match", params={"q": q, "near": "哈尔滨"})
    assert response.status_code in (200, 422)
    if response.status_code == 422:
        assert response.json()["field"] == "q"
    else:
        assert _ids(response.json()) == _ids(client.get("/api/match", params={"q": "侵权分析", "near": "哈尔滨"}).json())
    weird_place = client.get("/api/match", params={"q": "侵权分析", "near": q})
    assert weird_place.status_code == 422
    assert client.get("/api/institutions/" + "x%22%7D%20UNION%20%7B").status_code == 404
    assert sample_store.triple_count() == before


def test_services_is_the_catalogue_tree_in_both_languages(client):
    body = client.get("/api/services").json()
    roots = {node["notation"]: node for node in body["tree"]}
    assert {"6.1", "6.2", "6.3", "topic-infringement-analysis"} <= set(roots)
    topic = roots["topic-infringement-analysis"]
    assert topic["labels"]["zh"] and topic["labels"]["en"] and "侵权分析" in topic["alt_labels"]["zh"]
    assert "6.3.3.1-b-6" in {child["notation"] for child in topic["narrower"]}


def test_places_completes_names_pinyin_and_codes(client):
    assert client.get("/api/places", params={"q": "哈"}).json()["places"][0]["adcode"] == "230100"
    assert client.get("/api/places", params={"q": "Harb"}).json()["places"][0]["adcode"] == "230100"
    assert client.get("/api/places", params={"q": "haerb"}).json()["places"][0]["adcode"] == "230100"
    assert client.get("/api/places", params={"q": "23010"}).json()["places"][0]["adcode"].startswith("23010")
    assert client.get("/api/places", params={"q": ""}).status_code == 422


def test_institutions_filter_by_kind_region_and_service_with_paging(client):
    body = client.get("/api/institutions", params={"kind": "TISC", "region": "哈尔滨", "limit": 2}).json()
    assert body["total"] >= 2 and len(body["institutions"]) == 2
    for item in body["institutions"]:
        assert item["kind"]["key"] == "tisc" and "哈尔滨市" in item["region"]["path"]
    second = client.get("/api/institutions", params={"kind": "TISC", "region": "哈尔滨", "limit": 2, "offset": 2}).json()
    assert not {i["id"] for i in body["institutions"]} & {i["id"] for i in second["institutions"]}
    offering = client.get("/api/institutions", params={"service": "侵权分析", "limit": 100}).json()
    matched = client.get("/api/match", params={"q": "侵权分析", "limit": 100}).json()
    assert sorted(i["id"] for i in offering["institutions"]) == sorted(_ids(matched))
    assert client.get("/api/institutions", params={"region": "哈尔宾滨"}).status_code == 422


def test_one_institution_has_its_whole_public_record(client):
    body = client.get("/api/institutions/hl-provincial-node").json()
    assert body["id"] == "hl-provincial-node" and body["kind"]["key"] == "provincial-node"
    assert len(body["offerings"]) > 10
    assert all(o["concepts"] and o["fee"] for o in body["offerings"])
    assert client.get("/api/institutions/no-such-institution").status_code == 404


def test_openapi_documents_the_match_parameters_with_examples(client):
    spec = client.get("/openapi.json").json()
    operation = spec["paths"]["/api/match"]["get"]
    names = {p["name"] for p in operation["parameters"]}
    assert {"q", "service", "near", "lat", "lon", "radius_km", "kind", "ip_type", "channel", "free", "limit",
            "offset", "lang"} <= names
    q = next(p for p in operation["parameters"] if p["name"] == "q")
    assert q["description"] and q.get("examples")
    assert "422" in operation["responses"]
