"""The finder page says what the API's notices say (server-rendered, no JavaScript): not by distance
without a place, outside the network, nobody offers the service (alternatives marked), a filter emptied it."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient

from ipgraph.settings import Settings
from ipgraph.web import create_app


@pytest.fixture(scope="module")
def client(sample_store):
    return TestClient(create_app(Settings(), sample_store))


def _notices(html: str) -> dict[str, str]:
    return dict(re.findall(r'<p class="notice" data-code="([a-z_]+)">([^<]+)</p>', html))


@pytest.mark.parametrize("lang", ["zh", "en"])
@pytest.mark.parametrize("params, code", [
    ({"q": "侵权分析"}, "no_place"),
    ({"q": "侵权分析", "near": "北京"}, "outside_network"),
    ({"q": "北京哪里能做侵权分析"}, "outside_network"),
    ({"q": "侵权分析", "near": "39.9,116.4"}, "outside_network"),
    ({"q": "专利价值评估", "near": "哈尔滨"}, "no_offering"),
    ({"q": "侵权分析", "near": "哈尔滨", "free": "true"}, "filter_emptied")])
def test_the_page_shows_the_apis_notice_in_the_readers_language(client, params, code, lang):
    html = client.get("/", params={**params, "lang": lang}).text
    api = client.get("/api/match", params={**params, "lang": lang}).json()
    shown = _notices(html)
    assert list(shown) == [n["code"] for n in api["notices"]] and code in shown
    message = next(n for n in api["notices"] if n["code"] == code)["message_" + lang]
    assert shown[code] == message.replace("&", "&amp;")


def test_without_a_place_the_page_no_longer_claims_nearest_first(client):
    html = client.get("/", params={"q": "侵权分析"}).text
    assert "未按距离排列" in html and "按距离由近到远排列，以下" not in html
    assert "按距离由近到远排列" in client.get("/", params={"q": "侵权分析", "near": "哈尔滨"}).text


def test_alternatives_are_shown_apart_and_marked(client):
    html = client.get("/", params={"q": "专利价值评估", "near": "哈尔滨"}).text
    api = client.get("/api/match", params={"q": "专利价值评估", "near": "哈尔滨"}).json()
    assert 'class="result"' not in html  # nothing passed off as an answer
    alternatives = re.findall(r'<li class="result alternative" data-iri="([^"]+)"', html)
    assert alternatives == [r["iri"] for r in api["alternative"]["results"]] and alternatives
    assert html.count('<span class="tag alt">替代结果</span>') == len(alternatives)


def test_coordinates_typed_in_the_place_box_rank_by_distance(client):
    html = client.get("/", params={"q": "侵权分析", "near": "N45.75 E126.63"}).text
    api = client.get("/api/match", params={"q": "侵权分析", "lat": 45.75, "lon": 126.63}).json()
    assert re.findall(r'<li class="result" data-iri="([^"]+)"', html) == [r["iri"] for r in api["results"]]
    assert "45.7500, 126.6300" in html
