"""Pages need nothing from the internet: their assets are served from the package (static/vendor/README.md)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from ipgraph.settings import Settings
from ipgraph.web import STATIC_DIR, create_app

TEMPLATES = Path(STATIC_DIR).parent / "templates"


@pytest.fixture(scope="module")
def client(sample_store):
    return TestClient(create_app(Settings(), sample_store))


@pytest.mark.parametrize("path, media_type", [("vendor/leaflet/leaflet.js", "javascript"),
                                              ("vendor/leaflet/leaflet.css", "text/css"),
                                              ("vendor/leaflet/images/marker-icon.png", "image/png")])
def test_bundled_assets_are_served_from_the_package(client, path, media_type):
    response = client.get(f"/static/{path}")
    assert response.status_code == 200
    assert media_type in response.headers["content-type"]
    assert response.content == (STATIC_DIR / path).read_bytes()


def test_a_missing_asset_is_404_not_a_stack_trace(client):
    response = client.get("/static/vendor/nothing.js")
    assert response.status_code == 404
    assert "Traceback" not in response.text


def test_no_template_loads_a_script_or_stylesheet_from_another_host():
    remote = re.compile(r"""<(script|link)[^>]+(src|href)=["']?(https?:)?//""", re.IGNORECASE)
    found = {p.name: m.group(0) for p in TEMPLATES.iterdir() for m in [remote.search(p.read_text(encoding="utf-8"))] if m}
    assert found == {}


def test_the_api_docs_load_swagger_ui_from_this_server_only(client):
    html = client.get("/docs").text
    loaded = re.findall(r"""(?:src|href)=["']([^"']+)""", html) + re.findall(r"""(?:url|href):\s*['"]([^'"]+)""", html)
    assert "/static/vendor/swagger-ui/swagger-ui-bundle.js" in loaded
    assert "/static/vendor/swagger-ui/swagger-ui.css" in loaded
    assert not re.search(r"https?://", html), re.findall(r"https?://[^\s'\"]+", html)  # no other host at all
    assert '"validatorUrl": null' in html  # no validator badge fetched from validator.swagger.io
    for path in loaded:
        if path.startswith("/static/"):
            assert client.get(path).status_code == 200
    assert client.get("/openapi.json").json()["paths"]["/api/match"]
    assert client.get("/redoc").status_code == 404


def test_the_bundled_swagger_ui_is_the_packaged_one_with_its_licence():
    folder = STATIC_DIR / "vendor" / "swagger-ui"
    assert "Apache License" in (folder / "LICENSE").read_text()
    assert "swagger-ui-dist@5.35.0" in (Path(STATIC_DIR) / "vendor" / "README.md").read_text()
    assert "5.35.0" in (Path(STATIC_DIR).parents[3] / "scripts" / "vendor-assets.sh").read_text()


def test_the_bundled_outlines_are_the_province_s_prefectures_each_around_its_own_seat(client, sample_store):
    """The offline base map: ECharts 4.9.0's Heilongjiang outlines, decoded — each of the gazetteer's
    prefectures has one outline, and its seat (GB/T 2260 data, data/regions-cn.csv) lies inside it."""
    from ipgraph.store.vocabularies import load_gazetteer

    outlines = client.get("/static/vendor/regions/heilongjiang-prefectures.geojson").json()
    prefectures = {r.labels["zh"]: r for r in load_gazetteer(sample_store).regions.values() if r.level == "prefecture"}
    names = {f["properties"]["name"] for f in outlines["features"]}
    assert names == set(prefectures)

    def inside(lon, lat, ring):  # ray casting
        hit = False
        for (x1, y1), (x2, y2) in zip(ring, ring[1:]):
            if (y1 > lat) != (y2 > lat) and lon < x1 + (lat - y1) * (x2 - x1) / (y2 - y1):
                hit = not hit
        return hit

    for feature in outlines["features"]:
        geometry, region = feature["geometry"], prefectures[feature["properties"]["name"]]
        polygons = [geometry["coordinates"]] if geometry["type"] == "Polygon" else geometry["coordinates"]
        assert any(inside(region.lon, region.lat, polygon[0]) for polygon in polygons), region.labels["zh"]
