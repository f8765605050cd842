"""The /coverage page in a real headless Chromium against `ipgraph serve` (the finder's browser fixtures): pick
a service, submit, see the gaps on the map and in the list — with JavaScript (Leaflet, bundled, no tiles) and
without (the map as inline SVG and tables), and on a 360 px wide phone screen."""

from __future__ import annotations

import json
import os
import urllib.request
from pathlib import Path

import pytest
from test_finder_browser import _browser, server  # noqa: F401  (the module-scoped `ipgraph serve` fixture)

pytestmark = pytest.mark.slow
SERVICE = "6.1-c-3"


def _api(base: str) -> dict:
    with urllib.request.urlopen(f"{base}/api/coverage?service={SERVICE}&max_km=50") as response:
        return json.load(response)


def _choose(driver, base: str) -> None:
    """Open the page, pick the service in the list, type the distance, submit."""
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import Select

    driver.get(base + "/coverage")
    Select(driver.find_element(By.ID, "service")).select_by_value(SERVICE)
    distance = driver.find_element(By.ID, "max_km")
    distance.clear()
    distance.send_keys("50")
    driver.find_element(By.CSS_SELECTOR, "form button[type=submit]").click()


def _gap_rows(driver) -> list[str]:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    WebDriverWait(driver, 30).until(lambda d: f"service={SERVICE}" in d.current_url)
    return [row.find_elements(By.TAG_NAME, "td")[0].text.split()[0]
            for row in driver.find_elements(By.CSS_SELECTOR, "#gaps tbody tr")]


def test_with_javascript_the_gaps_are_on_the_leaflet_map_and_in_the_list(server, tmp_path):  # noqa: F811
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    driver = _browser(tmp_path, width=1280)
    try:
        _choose(driver, server)
        expected = _api(server)
        assert _gap_rows(driver) == [g["region"]["label"] for g in expected["gaps"]] and expected["gaps"]
        WebDriverWait(driver, 30).until(lambda d: d.find_element(By.ID, "map").get_attribute("data-ready"))
        assert driver.find_element(By.ID, "map").is_displayed()
        assert not driver.find_element(By.ID, "svg-map").is_displayed()
        shapes = driver.find_elements(By.CSS_SELECTOR, "#map .leaflet-overlay-pane path")
        assert len(shapes) >= expected["counties"]  # one cell per county, plus the institutions' dots
        gap_outlines = [p for p in shapes if p.get_attribute("stroke") == "#000"]
        assert len(gap_outlines) == expected["gap_count"]
        assert not driver.find_elements(By.CSS_SELECTOR, "#map .leaflet-tile")  # no tiles, nothing fetched
        for chart in ("chart-bands", "chart-kinds", "chart-items"):
            assert driver.find_element(By.CSS_SELECTOR, f"#{chart} svg rect").is_displayed()
    finally:
        driver.quit()


def test_without_javascript_the_map_is_svg_and_the_list_is_the_same(server, tmp_path):  # noqa: F811
    from selenium.webdriver.common.by import By

    driver = _browser(tmp_path, width=1280, javascript=False)
    try:
        _choose(driver, server)
        expected = _api(server)
        assert _gap_rows(driver) == [g["region"]["label"] for g in expected["gaps"]]
        assert not driver.find_element(By.ID, "map").is_displayed()
        cells = driver.find_elements(By.CSS_SELECTOR, "#svg-map polygon")
        assert len(cells) == expected["counties"]
        assert sum(1 for c in cells if c.get_attribute("stroke") == "#000") == expected["gap_count"]
        assert len(driver.find_elements(By.CSS_SELECTOR, "#counties tbody tr")) == expected["counties"]
    finally:
        driver.quit()


def test_on_a_360_pixel_phone_screen_the_page_fits_without_sideways_scrolling(server, tmp_path):  # noqa: F811
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    driver = _browser(tmp_path, width=360)
    try:
        driver.get(server + f"/coverage?service={SERVICE}")
        WebDriverWait(driver, 30).until(lambda d: d.find_element(By.ID, "map").get_attribute("data-ready"))
        width = driver.execute_script("return window.innerWidth")
        assert width == 360
        assert driver.execute_script("return document.documentElement.scrollWidth") <= width
        if os.environ.get("IPGRAPH_SCREENSHOTS"):  # for a person to look at
            driver.save_screenshot(str(Path(os.environ["IPGRAPH_SCREENSHOTS"]) / "coverage-360.png"))
    finally:
        driver.quit()
