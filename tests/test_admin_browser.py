"""The administration page in a real headless Chromium against `ipgraph serve`, as the finder is tested
(tests/test_finder_browser.py): check a file without writing it (the report as a table, with sheet, row and column for a
spreadsheet, and the preview of the change), then commit it; download the empty template and the network."""

from __future__ import annotations

import json
import os
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from rdflib import Graph
from test_finder_browser import CHROMEDRIVER, CHROMIUM, serving
from test_load_cli import institution_file

pytestmark = pytest.mark.slow
TOKEN = "browser-admin-token"
EXAMPLE = Path(__file__).parents[1] / "data" / "examples" / "non-compliant.ttl"


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    with serving(tmp_path_factory.mktemp("admin-data"), IPGRAPH_ADMIN_TOKEN=TOKEN) as base:
        yield base


@pytest.fixture()
def driver(tmp_path):
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in ("--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage",
                 f"--user-data-dir={tmp_path / 'profile'}", "--window-size=1280,900", "--lang=zh-CN"):
        options.add_argument(flag)
    (tmp_path / "downloads").mkdir()
    options.add_experimental_option("prefs", {"intl.accept_languages": "zh-CN,zh",
                                              "download.default_directory": str(tmp_path / "downloads"),
                                              "download.prompt_for_download": False})
    os.environ.setdefault("SE_OFFLINE", "true")
    browser = webdriver.Chrome(service=Service(executable_path=CHROMEDRIVER), options=options)
    browser.set_page_load_timeout(60)
    browser.downloads = tmp_path / "downloads"
    yield browser
    browser.quit()


def _login(driver, base: str, lang: str = "zh") -> None:
    from selenium.webdriver.common.by import By

    driver.get(f"{base}/admin?lang={lang}")
    driver.find_element(By.ID, "token").send_keys(TOKEN)
    driver.find_element(By.CSS_SELECTOR, "#login button").click()


def _check(driver, path: Path) -> list[list[str]]:
    """Choose the file, leave "check only" ticked, send; the report table's rows as cell texts."""
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    driver.find_element(By.ID, "file").send_keys(str(path))
    assert driver.find_element(By.ID, "check-only").is_selected()
    driver.find_element(By.ID, "send").click()
    WebDriverWait(driver, 60).until(lambda d: d.find_elements(By.CSS_SELECTOR, "#report .counts, #report table"))
    return [[td.text for td in tr.find_elements(By.TAG_NAME, "td")]
            for tr in driver.find_elements(By.CSS_SELECTOR, "#report table.report tr") if tr.find_elements(By.TAG_NAME, "td")]


def _exists(base: str, key: str) -> bool:
    try:
        with urllib.request.urlopen(f"{base}/api/institutions/{key}"):
            return True
    except urllib.error.HTTPError as error:
        assert error.code == 404
        return False


def test_check_only_shows_the_report_as_a_table_and_the_change_and_writes_nothing(server, driver):
    from selenium.webdriver.common.by import By

    _login(driver, server)
    rows = _check(driver, EXAMPLE)
    expected = json.loads(EXAMPLE.with_name("non-compliant.expected.json").read_text(encoding="utf-8"))["results"]
    assert len(rows) == len(expected)
    assert {row[1] for row in rows} == {r["clause"] for r in expected}
    assert any("违反" in row[2] for row in rows) and all(row[3] for row in rows)   # severity in Chinese, a message
    assert driver.find_element(By.CSS_SELECTOR, "#preview .added").text.startswith("6")
    assert not driver.find_element(By.ID, "commit").is_displayed()      # Violations: nothing to commit
    assert not _exists(server, "ex-agency")


def test_a_spreadsheets_bad_cells_and_findings_name_sheet_row_and_column(server, driver, tmp_path):
    import openpyxl
    from ipgraph.sheets.template import write_spreadsheet
    from openpyxl.utils import get_column_letter

    graph = Graph()
    graph.parse(EXAMPLE)
    bad_cells = tmp_path / "bad-cells.xlsx"
    write_spreadsheet(graph, bad_cells)      # the example's bad USCC and latitude cannot even be read
    _login(driver, server, "en")
    rows = _check(driver, bad_cells)
    assert rows and all(row[2] == "Error" for row in rows)
    assert "sheet 机构 institutions, row 3, column F" in [row[4] for row in rows]

    graph = Graph()
    graph.parse(institution_file(tmp_path / "own.ttl", "daqing-hitech-park", "own-sheet-outlet"))
    understaffed = tmp_path / "understaffed.xlsx"
    write_spreadsheet(graph, understaffed)
    book = openpyxl.load_workbook(understaffed)
    sheet = book.worksheets[0]
    header = [c.value for c in sheet[2]]
    column = header.index("full-time staff") + 1
    sheet.cell(row=3, column=column).value = 2   # 5.2 应配备3名及以上专职人员
    book.save(understaffed)
    rows = _check(driver, understaffed)
    assert all(row[4].startswith("sheet 机构 institutions, row 3") for row in rows)
    # the finding about the value points at its cell: the column the importer wrote the property from
    staff = [row for row in rows if row[1:3] == ["5.2", "Violation"]]
    assert [row[4] for row in staff] == [f"sheet 机构 institutions, row 3, column {get_column_letter(column)}"]


def test_a_conforming_file_is_checked_then_committed(server, driver, tmp_path):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    data = institution_file(tmp_path / "own.ttl", "daqing-hitech-park", "own-browser-outlet")
    _login(driver, server)
    _check(driver, data)
    assert driver.find_element(By.CSS_SELECTOR, "#preview .added").text.startswith("1")
    assert "尚未写入" in driver.find_element(By.ID, "status").text and not _exists(server, "own-browser-outlet")
    commit = driver.find_element(By.ID, "commit")
    assert commit.is_displayed()
    commit.click()
    WebDriverWait(driver, 60).until(lambda d: "已写入" in d.find_element(By.ID, "status").text)
    assert _exists(server, "own-browser-outlet")


def test_the_template_and_the_network_download_as_workbooks(server, driver):
    import openpyxl
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    _login(driver, server)
    for button, name in (("download-template", "ipgraph-template.xlsx"), ("download-network", "ipgraph-network.xlsx")):
        driver.find_element(By.ID, button).click()
        target = driver.downloads / name
        WebDriverWait(driver, 60).until(lambda d: target.exists() and target.stat().st_size > 0)
        book = openpyxl.load_workbook(target)
        rows = book.worksheets[0].max_row
        if button == "download-template":
            assert rows <= 2        # headers only
        else:
            keys = {row[0] for row in book.worksheets[0].iter_rows(min_row=3, values_only=True)}
            assert "hl-provincial-node" in keys and len(keys) >= 60
