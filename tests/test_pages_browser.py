"""Every page a person opens on a phone fits a 360 px wide screen with no sideways scrolling, with and
without JavaScript, in headless Chromium (the same set-up as tests/test_finder_browser.py): the finder
(with an answer that has notices and alternatives), the institution page with its map, /dataset and /sparql."""

from __future__ import annotations

import os
import shutil
import urllib.parse
from pathlib import Path

import pytest

from test_finder_browser import _browser, server  # noqa: F401  (the module's `ipgraph serve` fixture)

pytestmark = pytest.mark.slow

PAGES = {
    "finder": "/?" + urllib.parse.urlencode({"q": "侵权分析", "near": "哈尔滨"}),
    "finder-notices": "/?" + urllib.parse.urlencode({"q": "专利价值评估", "near": "北京"}),
    "institution": "/id/institution/hrb-songbei-tisc",
    "institution-en": "/id/institution/hl-provincial-node?lang=en",
    "dataset": "/dataset",
    "sparql": "/sparql",
    "sparql-results": "/sparql?" + urllib.parse.urlencode({"format": "html", "query": (
        "PREFIX skos: <http://www.w3.org/2004/02/skos/core#> SELECT ?institution ?name ?note WHERE { "
        "?institution skos:prefLabel ?name . OPTIONAL { ?institution skos:note ?note } } LIMIT 30")}),

}


def _overflow(driver) -> list[str]:
    """Elements wider than the viewport (what makes a page scroll sideways), as tag#id.class."""
    return driver.execute_script("""
        var w = document.documentElement.clientWidth, out = [];
        document.querySelectorAll('body *').forEach(function (e) {
          var r = e.getBoundingClientRect();
          if (r.width > 0 && (r.right > w + 1 || r.left < -1) && getComputedStyle(e).position !== 'fixed') {
            out.push(e.tagName.toLowerCase() + (e.id ? '#' + e.id : '') + (e.className && e.className.baseVal === undefined ? '.' + e.className : '') + ' ' + Math.round(r.right));
          }
        });
        return out.slice(0, 10);""")


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "no-js"])
@pytest.mark.parametrize("name", list(PAGES))
def test_the_page_fits_a_360_pixel_screen(server, tmp_path, name, javascript):  # noqa: F811
    driver = _browser(tmp_path, width=360, javascript=javascript)
    try:
        driver.get(server + PAGES[name])
        assert driver.find_element("tag name", "h1").text  # the page rendered
        # content wider than the screen widens the phone's layout viewport (innerWidth) or scrolls it
        width, scroll = driver.execute_script("return [window.innerWidth, document.documentElement.scrollWidth]")
        assert width == 360 and scroll <= 360, _overflow(driver)
        if javascript and name.startswith("institution"):  # the map is drawn, inside the screen
            box = driver.find_element("id", "map")
            assert box.is_displayed() and box.size["width"] <= 360
            assert driver.find_elements("css selector", "#map .leaflet-interactive")
            from selenium.webdriver.support.ui import WebDriverWait  # the bundled outlines drawn as the base
            WebDriverWait(driver, 20).until(lambda d: d.find_element("id", "map").get_attribute("data-outlines"))
            assert driver.find_elements("css selector", "#map .leaflet-outlines-pane path")
            driver.execute_script("document.getElementById('where').scrollIntoView()")
            driver.save_screenshot(str(tmp_path / f"{name}-360-map.png"))
            if os.environ.get("IPGRAPH_SCREENSHOTS"):
                shutil.copy(tmp_path / f"{name}-360-map.png", Path(os.environ["IPGRAPH_SCREENSHOTS"]))
        path = tmp_path / f"{name}-360{'' if javascript else '-nojs'}.png"
        driver.save_screenshot(str(path))
        if os.environ.get("IPGRAPH_SCREENSHOTS"):
            shutil.copy(path, Path(os.environ["IPGRAPH_SCREENSHOTS"]) / path.name)
    finally:
        driver.quit()


def test_without_javascript_the_institution_page_shows_the_map_facts_as_text(server, tmp_path):  # noqa: F811
    driver = _browser(tmp_path, width=360, javascript=False)
    try:
        driver.get(server + PAGES["institution"])
        assert not driver.find_element("id", "map").is_displayed()
        assert len(driver.find_elements("css selector", "#seats li")) == 8
        assert driver.find_element("id", "coordinates").text.count(".") == 2
        assert "不从互联网加载底图" in driver.find_element("id", "no-base-map").text
    finally:
        driver.quit()


def test_with_javascript_the_finder_shows_the_notice_and_alternatives_of_the_api(server, tmp_path):  # noqa: F811
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys
    from selenium.webdriver.support.ui import WebDriverWait

    driver = _browser(tmp_path, width=360)
    try:
        driver.get(server + "/")
        driver.find_element(By.ID, "q").send_keys("专利价值评估")
        place = driver.find_element(By.ID, "near")
        place.send_keys("45.75,126.63")
        place.send_keys(Keys.ENTER)
        notice = WebDriverWait(driver, 30).until(lambda d: d.find_element(By.CSS_SELECTOR, "p.notice"))
        assert notice.get_attribute("data-code") == "no_offering"
        alternatives = driver.find_elements(By.CSS_SELECTOR, "li.result.alternative")
        assert alternatives and all("替代结果" in a.text for a in alternatives)
        assert driver.execute_script("return document.documentElement.scrollWidth") <= 360
        link = alternatives[0].find_element(By.CSS_SELECTOR, "h2 a").get_attribute("href")
        assert "back=" in link
    finally:
        driver.quit()
