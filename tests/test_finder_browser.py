"""The finder page in a real headless Chromium against `ipgraph serve`: type 侵权分析 and 哈尔滨, submit,
read the ranked results — with JavaScript (answers fetched from /api/match) and without (the server renders
them), on a desktop window and on a 360 px wide phone screen.

Chromium and its WebDriver are Debian packages installed by ``scripts/install-chromium.sh`` (which
``.ci/run`` calls). Selenium drives ``/usr/bin/chromedriver`` directly and never downloads a browser or a
driver. Missing browser: the tests fail in CI (``CI`` set) and are skipped elsewhere with the install hint.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from pathlib import Path

import pytest

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMEDRIVER = "/usr/bin/chromedriver"
QUERY = {"q": "侵权分析", "near": "哈尔滨"}

pytestmark = pytest.mark.slow


def _require_browser() -> None:
    missing = [p for p in (CHROMIUM, CHROMEDRIVER) if not Path(p).exists()]
    if missing:
        message = f"{', '.join(missing)} not installed: run scripts/install-chromium.sh"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextlib.contextmanager
def serving(data_dir: Path, **env: str):
    """`ipgraph serve` on a free loopback port over ``data_dir`` (seeded with the sample network on first
    start), with ``env`` added to the environment; yields its base URL, stops it after."""
    _require_browser()
    port = _free_port()
    env = {**os.environ, "IPGRAPH_DATA_DIR": str(data_dir), **env}
    process = subprocess.Popen([sys.executable, "-m", "ipgraph", "serve", "--port", str(port)], env=env,
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                with urllib.request.urlopen(base + "/health", timeout=2):
                    break
            except OSError:
                assert process.poll() is None, process.stderr.read().decode()
                assert time.monotonic() < deadline, "ipgraph serve did not answer within 120 s"
                time.sleep(0.3)
        yield base
    finally:
        process.terminate()
        process.wait(timeout=30)


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """`ipgraph serve` on 127.0.0.1 with a fresh data folder (seeded with the sample network)."""
    with serving(tmp_path_factory.mktemp("finder-data")) as base:
        yield base


def _api_ranking(base: str, **params) -> list[str]:
    with urllib.request.urlopen(f"{base}/api/match?{urllib.parse.urlencode({**QUERY, **params})}") as response:
        return [r["iri"] for r in json.load(response)["results"]]


def _browser(tmp_path: Path, *, width: int, javascript: bool = True):
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in ("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync",
                 "--disable-dev-shm-usage", f"--user-data-dir={tmp_path / 'profile'}", f"--window-size={width},900",
                 "--lang=zh-CN"):
        options.add_argument(flag)
    prefs = {"intl.accept_languages": "zh-CN,zh"}  # a Chinese reader: the page's default language
    if not javascript:
        prefs["profile.managed_default_content_settings.javascript"] = 2
    options.add_experimental_option("prefs", prefs)
    os.environ.setdefault("SE_OFFLINE", "true")  # selenium-manager must never download anything
    if width < 500:  # narrower than a desktop window can be: emulate the phone's screen
        options.add_experimental_option("mobileEmulation", {"deviceMetrics": {"width": width, "height": 800,
                                                                              "pixelRatio": 2.0}})
    driver = webdriver.Chrome(service=Service(executable_path=CHROMEDRIVER), options=options)
    driver.set_page_load_timeout(60)
    return driver


def _search(driver, base: str) -> None:
    """Type the service and the place like a person and submit with the Enter key."""
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys

    driver.get(base + "/")
    driver.find_element(By.ID, "q").send_keys(QUERY["q"])
    place = driver.find_element(By.ID, "near")
    place.send_keys(QUERY["near"])
    place.send_keys(Keys.ENTER)


def _shown(driver) -> list[str]:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    WebDriverWait(driver, 30).until(lambda d: d.find_elements(By.CSS_SELECTOR, "ol.results li.result"))
    return [li.get_attribute("data-iri") for li in driver.find_elements(By.CSS_SELECTOR, "ol.results li.result")]


def _distances(driver) -> list[float]:
    from selenium.webdriver.common.by import By

    out = []
    for text in (e.text for e in driver.find_elements(By.CSS_SELECTOR, "ol.results li.result .distance")):
        number, unit = text.split()
        out.append(float(number) / (1000 if unit == "m" else 1))
    return out


def test_typing_a_service_and_a_place_shows_the_apis_ranking_nearest_first(server, tmp_path):
    driver = _browser(tmp_path, width=1280)
    try:
        _search(driver, server)
        shown = _shown(driver)
        expected = _api_ranking(server)
        assert shown == expected and len(shown) >= 2
        assert _distances(driver) == sorted(_distances(driver))
        assert "q=" in driver.current_url  # the answer has an address (reload, share, back)
        link = driver.find_element("css selector", "ol.results li.result h2 a").get_attribute("href")
        assert link.startswith(server + "/id/institution/")
    finally:
        driver.quit()


def test_the_page_works_without_javascript(server, tmp_path):
    driver = _browser(tmp_path, width=1280, javascript=False)
    try:
        _search(driver, server)
        assert _shown(driver) == _api_ranking(server)
        assert not driver.find_element("id", "locate").is_displayed()  # the script would have shown it
        assert "near=" in driver.current_url  # a plain form GET
    finally:
        driver.quit()


def test_on_a_360_pixel_phone_screen_the_results_fit_without_sideways_scrolling(server, tmp_path):
    driver = _browser(tmp_path, width=360)
    try:
        _search(driver, server)
        shown = _shown(driver)
        assert shown[0] == _api_ranking(server)[0]
        width = driver.execute_script("return window.innerWidth")
        assert width == 360
        assert driver.execute_script("return document.documentElement.scrollWidth") <= width
        path = tmp_path / "finder-360.png"
        driver.save_screenshot(str(path))
        assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
        if os.environ.get("IPGRAPH_SCREENSHOTS"):
            shutil.copy(path, Path(os.environ["IPGRAPH_SCREENSHOTS"]) / path.name)
    finally:
        driver.quit()


def test_an_unknown_place_is_explained_in_the_page_with_a_suggestion_to_follow(server, tmp_path):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    driver = _browser(tmp_path, width=800)
    try:
        driver.get(server + "/")
        driver.find_element(By.ID, "q").send_keys("侵权分析")
        driver.find_element(By.ID, "near").send_keys("哈儿宾滨")
        driver.find_element(By.CSS_SELECTOR, "button[type=submit]").click()
        error = WebDriverWait(driver, 30).until(lambda d: d.find_element(By.ID, "finder-error"))
        assert "哈儿宾滨" in error.text
        assert driver.find_element(By.ID, "near").get_attribute("aria-invalid") == "true"
        error.find_element(By.PARTIAL_LINK_TEXT, "哈尔滨").click()
        assert _shown(driver) == _api_ranking(server, near="230100")
    finally:
        driver.quit()


def _map_ranks(driver) -> list[str]:
    """The numbers the results map labels its institutions with, once drawn."""
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    WebDriverWait(driver, 30).until(lambda d: d.find_element(By.ID, "results-map").get_attribute("data-points"))
    return [e.text for e in driver.find_elements(By.CSS_SELECTOR, "#results-map .result-label")]


def test_the_results_map_numbers_each_institution_as_the_list_does_and_marks_the_place(server, tmp_path):
    """Searched with the script and opened as a plain page: the map shows one numbered point per result with
    coordinates (the same numbers as the list), the place asked about, and the bundled outlines as its base."""
    from selenium.webdriver.common.by import By

    driver = _browser(tmp_path, width=360)
    try:
        _search(driver, server)
        shown = _shown(driver)
        ranks = [li.find_element(By.CSS_SELECTOR, ".rank").text.rstrip(".")
                 for li in driver.find_elements(By.CSS_SELECTOR, "ol.results li.result")]
        assert _map_ranks(driver) == ranks and len(ranks) == len(shown)
        assert driver.find_elements(By.CSS_SELECTOR, "#results-map .place-label")
        box = driver.find_element(By.ID, "results-map")
        assert box.is_displayed() and box.size["width"] <= 360
        driver.refresh()  # the page the server rendered draws the same map
        assert _map_ranks(driver) == ranks
        assert driver.find_elements(By.CSS_SELECTOR, "#results-map .leaflet-outlines-pane path")
        path = tmp_path / "finder-map-360.png"
        driver.save_screenshot(str(path))
        if os.environ.get("IPGRAPH_SCREENSHOTS"):
            shutil.copy(path, Path(os.environ["IPGRAPH_SCREENSHOTS"]) / path.name)
    finally:
        driver.quit()


def test_without_javascript_the_results_map_stays_hidden_and_the_list_is_the_answer(server, tmp_path):
    driver = _browser(tmp_path, width=360, javascript=False)
    try:
        _search(driver, server)
        assert _shown(driver)
        assert not driver.find_element("id", "results-map").is_displayed()
    finally:
        driver.quit()
