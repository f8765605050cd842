"""The institution page for people (/id/institution/{key} as HTML): record, how to get there, a map drawn
from the gazetteer with no tiles, opening hours, remote reach only when recorded, services, a way back."""

from __future__ import annotations

import json
import re

import pytest
from fastapi.testclient import TestClient

from ipgraph.model.places import haversine_km
from ipgraph.settings import Settings
from ipgraph.web import create_app

HTML = {"Accept": "text/html"}


@pytest.fixture(scope="module")
def client(sample_store):
    return TestClient(create_app(Settings(), sample_store))


def _text(html: str, element_id: str) -> str:
    found = re.search(rf'id="{element_id}"[^>]*>(.*?)</(dd|ul|p|div)>', html, re.S)
    assert found, element_id
    return " ".join(re.sub(r"<[^>]+>", " ", found.group(1)).split())


def test_a_sample_institution_shows_address_coordinates_hours_and_remote_channels(client):
    api = client.get("/api/institutions/hrb-songbei-tisc").json()
    html = client.get("/id/institution/hrb-songbei-tisc", headers=HTML).text
    assert f"<h1>{api['label']}</h1>" in html and "示例数据：虚构的机构" in html
    assert _text(html, "address") == api["contact"]["address"][0]
    assert _text(html, "coordinates") == f"{api['lat']:.5f}, {api['lon']:.5f}"
    assert _text(html, "hours").split("  ")[0] == " ".join(h["text"] for h in api["opening_hours"])
    remote = _text(html, "remote")
    assert api["contact"]["telephone"][0] in remote and 'href="tel:' in html
    assert html.count('<li>\n    <strong>') == len(api["offerings"]) and len(api["offerings"]) > 1
    for offering in api["offerings"]:
        for concept in offering["concepts"]:
            assert concept["label"] in html


def test_a_real_institution_without_phone_or_web_address_is_not_shown_as_reachable_remotely(client):
    api = client.get("/api/institutions/nefu-tisc").json()
    assert api["is_sample"] is False and not api["contact"]["telephone"] and not api["contact"]["url"]
    html = client.get("/id/institution/nefu-tisc", headers=HTML).text
    assert _text(html, "remote") == "未登记电话或网站服务渠道"
    assert _text(html, "hours") == "未登记" and "示例数据：虚构的机构" not in html
    english = client.get("/id/institution/nefu-tisc", params={"lang": "en"}, headers=HTML).text
    assert _text(english, "remote") == "no phone or web channel recorded"


def test_the_map_draws_the_institution_and_the_nearest_county_seats_with_nothing_from_the_internet(client):
    html = client.get("/id/institution/hrb-songbei-tisc", headers=HTML).text
    data = json.loads(re.search(r'<script type="application/json" id="map-data">(.*?)</script>', html, re.S).group(1))
    seats = data["seats"]
    assert len(seats) == 8 and [s["km"] for s in seats] == sorted(s["km"] for s in seats)
    for seat in seats:
        assert abs(haversine_km(data["lat"], data["lon"], seat["lat"], seat["lon"]) - seat["km"]) < 0.1
        assert seat["path"] in _text(html, "seats")  # the same facts as text, for readers without JavaScript
    assert "不从互联网加载底图" in html and 'id="map" hidden' in html
    sources = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert "/static/vendor/leaflet/leaflet.js" in sources and "/static/vendor/leaflet/leaflet.css" in sources
    loaded = re.findall(r'<(?:script|link)[^>]+(?:src|href)="([^"]+)"', html)
    assert all(u.startswith("/") for u in loaded), loaded  # scripts and styles only from this server
    assert "tileLayer" not in html and "{z}" not in html
    config = json.loads(re.search(r'<script type="application/json" id="map-config">(.*?)</script>', html, re.S).group(1))
    assert config["tiles"] is None and config["outlines"].startswith("/static/")  # the bundled outlines only


def test_a_deployment_s_own_tile_server_is_the_base_map_when_configured(sample_store):
    tiles = "https://tiles.example.org/{z}/{x}/{y}.png"
    client = TestClient(create_app(Settings(map_tile_url=tiles, map_tile_attribution="© Example"), sample_store))
    for path in ("/id/institution/hrb-songbei-tisc", "/?q=专利检索&near=哈尔滨"):
        html = client.get(path, headers=HTML).text
        config = json.loads(re.search(r'<script type="application/json" id="map-config">(.*?)</script>', html,
                                      re.S).group(1))
        assert config == {"outlines": config["outlines"], "tiles": tiles, "attribution": "© Example"}, path


def test_a_way_back_to_the_results_and_never_to_another_host(client):
    back = "/?q=侵权分析&near=哈尔滨"
    html = client.get("/id/institution/hrb-songbei-tisc", params={"back": back}, headers=HTML).text
    assert re.search(r'<a href="/\?q=侵权分析&amp;near=哈尔滨" id="back">', html)
    for bad in ("https://example.com/", "//example.com/x", "javascript:alert(1)"):
        page = client.get("/id/institution/hrb-songbei-tisc", params={"back": bad}, headers=HTML).text
        assert re.search(r'<a href="/" id="back">', page) and "example.com" not in page.split('id="back"')[0][-80:]


def test_the_finder_links_each_result_to_its_page_with_the_way_back(client):
    html = client.get("/", params={"q": "侵权分析", "near": "哈尔滨"}).text
    link = re.search(r'<h2><span class="rank">1\.</span><a href="([^"]+)"', html).group(1).replace("&amp;", "&")
    page = client.get(link, headers=HTML).text
    assert 'id="back">← 返回查找结果' in page and "q=%E4%BE%B5%E6%9D%83" in page.split('id="back"')[0]


def test_the_rdf_view_stays_one_click_away_and_by_content_negotiation(client):
    html = client.get("/id/institution/hrb-songbei-tisc", headers=HTML).text
    assert 'href="/id/institution/hrb-songbei-tisc?view=rdf"' in html
    table = client.get("/id/institution/hrb-songbei-tisc", params={"view": "rdf"}, headers=HTML).text
    assert '<p class="iri">' in table and "openingHoursSpecification" in table
    turtle = client.get("/id/institution/hrb-songbei-tisc", headers={"Accept": "text/turtle"})
    assert turtle.headers["content-type"].startswith("text/turtle") and "openingHoursSpecification" in turtle.text
    assert client.get("/id/institution/no-such-place", headers=HTML).status_code == 404

