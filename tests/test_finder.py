"""The finder page ``GET /`` rendered on the server (no JavaScript): form, ranked results, errors, languages."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient

from ipgraph.settings import Settings
from ipgraph.web import create_app


@pytest.fixture(scope="module")
def client(sample_store):
    return TestClient(create_app(Settings(), sample_store))


def _shown(html: str) -> list[str]:
    return re.findall(r'<li class="result" data-iri="([^"]+)"', html)


def test_the_empty_page_is_a_chinese_form_with_labelled_inputs_and_service_completion(client):
    response = client.get("/")
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/html")
    html = response.text
    assert '<html lang="zh-CN">' in html
    for field in ("q", "near"):
        assert f'<label for="{field}">' in html and f'id="{field}" name="{field}"' in html
    assert '<option value="侵权对比分析">' in html  # catalogue labels offered for completion
    assert 'class="result"' not in html


def test_english_on_request_with_a_switch_back(client):
    html = client.get("/", params={"lang": "en"}).text
    assert '<html lang="en">' in html
    assert "Service you need" in html and '<option value="infringement comparison analysis">' in html
    assert 'hreflang="zh"' in html and "lang=zh" in html
    assert '<html lang="en">' in client.get("/", headers={"Accept-Language": "en-GB,en;q=0.9"}).text


def test_results_are_the_apis_ranking_nearest_first_with_service_fee_and_contact(client):
    params = {"q": "侵权分析", "near": "哈尔滨"}
    html = client.get("/", params=params).text
    api = client.get("/api/match", params=params).json()
    assert _shown(html) == [r["iri"] for r in api["results"]] and len(api["results"]) >= 2
    first = api["results"][0]
    assert f'href="/id/institution/{first["id"]}?back=%2F%3Fq%3D' in html  # with the way back
    distances = [float(d) for d in re.findall(r'<span class="distance">([\d.]+) km</span>', html)]
    assert distances == sorted(distances) and len(distances) == len(api["results"])
    assert first["matched_offerings"][0]["concept"]["label"] in html
    assert "低成本" in html or "免费" in html
    assert 'href="tel:' in html  # a channel's contact point
    assert "理解为" in html and "黑龙江省哈尔滨市" in html


def test_a_whole_question_finds_the_place_in_it(client):
    html = client.get("/", params={"q": "哈尔滨哪里能做侵权分析？"}).text
    api = client.get("/api/match", params={"q": "侵权分析", "near": "哈尔滨"}).json()
    assert _shown(html) == [r["iri"] for r in api["results"]]


def test_free_only_keeps_only_free_offerings(client):
    params = {"q": "专利检索", "near": "哈尔滨", "free": "true"}
    html = client.get("/", params=params).text
    api = client.get("/api/match", params={**params, "limit": 10}).json()
    assert _shown(html) == [r["iri"] for r in api["results"]] and api["results"]
    assert "低成本" not in html.split('id="answer"')[1]


def test_coordinates_from_the_browser_stand_in_for_a_place(client):
    html = client.get("/", params={"q": "侵权分析", "lat": "45.75", "lon": "126.63"}).text
    api = client.get("/api/match", params={"q": "侵权分析", "lat": 45.75, "lon": 126.63}).json()
    assert _shown(html) == [r["iri"] for r in api["results"]]


def test_more_results_than_a_page_have_a_next_link_that_continues_the_ranking(client):
    params = {"q": "专利检索", "near": "哈尔滨"}
    html = client.get("/", params=params).text
    api = client.get("/api/match", params={**params, "limit": 20}).json()
    assert api["total"] > 10
    following = re.search(r'<a href="([^"]+)" rel="next">', html).group(1).replace("&amp;", "&")
    assert "offset=10" in following
    assert _shown(client.get(following).text) == [r["iri"] for r in api["results"][10:20]]


def test_an_unknown_place_is_a_422_page_with_the_message_and_a_suggestion_link(client):
    response = client.get("/", params={"q": "侵权分析", "near": "哈儿宾滨"})
    assert response.status_code == 422
    html = response.text
    assert 'role="alert"' in html and "找不到地名“哈儿宾滨”" in html
    assert "near=230100" in html  # the suggestion searches again near 哈尔滨市
    assert 'aria-invalid="true"' in html


def test_an_unknown_service_suggests_catalogue_labels(client):
    response = client.get("/", params={"q": "量子纠缠", "near": "哈尔滨", "lang": "en"})
    assert response.status_code == 422
    assert "No service matches" in response.text and 'role="alert"' in response.text


def test_bad_coordinates_are_explained_not_a_crash(client):
    response = client.get("/", params={"q": "侵权分析", "lat": "123", "lon": "126"})
    assert response.status_code == 422 and "纬度" in response.text
    response = client.get("/", params={"q": "侵权分析", "lat": "north", "lon": "126"})
    assert response.status_code == 422 and "lat" in response.text


def test_markup_in_the_question_is_shown_as_text(client):
    response = client.get("/", params={"q": '<script>alert(1)</script>" } SELECT * WHERE {', "near": "哈尔滨"})
    assert response.status_code == 422
    assert "<script>alert(1)</script>" not in response.text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in response.text


def test_the_page_says_a_misspelt_place_was_read_and_which_kind_filters_the_list(client):
    html = client.get("/", params={"q": "图书馆 专利检索", "near": "哈尔宾"}).text
    assert "黑龙江省哈尔滨市（按近似拼写读出）" in html and "机构类别：公共图书馆类服务网点" in html
    plain = client.get("/", params={"q": "专利检索", "near": "哈尔滨"}).text
    assert "按近似拼写读出" not in plain and "机构类别：" not in plain
