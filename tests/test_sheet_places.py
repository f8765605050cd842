"""A spreadsheet's findings point at the cell to fix: ``ipgraph validate`` (JSON and text) and a check-only upload
to ``/admin/upload`` (and ``POST /api/validate``) name the sheet, row and column of the value a finding is about — the column the importer
wrote that property from — the empty cell of that column for a missing value, and an offering's own row on the
offerings sheet; the two entrances agree (ipgraph.sheets.locations)."""

from __future__ import annotations

import json
from pathlib import Path

import openpyxl
import pytest
from fastapi.testclient import TestClient
from openpyxl.utils import get_column_letter
from rdflib import Graph

from ipgraph.model.iris import ID
from ipgraph.settings import Settings
from ipgraph.store.embedded import EmbeddedStore
from ipgraph.web import create_app
from test_load_cli import cli, institution_file, seeded_dir  # noqa: F401  (seeded_dir is a fixture)

TOKEN = "places-test-token"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
IPG = "https://w3id.org/ipgraph/ontology#"
FOCUS_SERVICE = "6.3.3.2-h-2"      # 6.3.3.2 h (可): an FTO offering with no recorded capability is an Info


def _column(sheet, english_header: str) -> int:
    return [c.value for c in sheet[2]].index(english_header) + 1


def _row(sheet, english_header: str, value: str) -> int:
    column = _column(sheet, english_header)
    return next(r for r in range(3, sheet.max_row + 1) if sheet.cell(row=r, column=column).value == value)


@pytest.fixture()
def workbook(tmp_path) -> tuple[Path, dict]:
    """Two sample institutions as a filled template; one of them with 2 full-time staff (5.2 应: a Violation), no
    part-time staff (a missing value: a Warning; the other row fills that column), and its first offering changed
    to an FTO service with no capability."""
    from ipgraph.sheets.template import write_spreadsheet

    graph = Graph()
    graph.parse(institution_file(tmp_path / "own.ttl", "daqing-hitech-park", "own-places-outlet"))
    graph.parse(institution_file(tmp_path / "other.ttl", "daqing-hitech-park", "own-places-other"))
    path = tmp_path / "own.xlsx"
    write_spreadsheet(graph, path)
    book = openpyxl.load_workbook(path)
    institutions, offerings = book.worksheets[0], book.worksheets[1]
    full_time, part_time = _column(institutions, "full-time staff"), _column(institutions, "part-time staff")
    row = _row(institutions, "key", "own-places-outlet")
    assert institutions.cell(row=_row(institutions, "key", "own-places-other"), column=part_time).value
    institutions.cell(row=row, column=full_time).value = 2
    institutions.cell(row=row, column=part_time).value = None
    offering = _row(offerings, "institution key", "own-places-outlet")
    offerings.cell(row=offering, column=_column(offerings, "service")).value = FOCUS_SERVICE
    offerings.cell(row=offering, column=_column(offerings, "recorded capability")).value = None
    book.save(path)
    return path, {"institutions": institutions.title, "offerings": offerings.title, "row": row,
                  "offering_row": offering, "full_time": get_column_letter(full_time),
                  "part_time": get_column_letter(part_time)}


def _results(report: dict) -> list[dict]:
    return [r for i in report["institutions"] for c in i["clauses"] for r in c["results"]]


def _one(results: list[dict], **wanted) -> dict:
    found = [r for r in results if all(r[k] == v for k, v in wanted.items())]
    assert len(found) == 1, (wanted, found)
    return found[0]


def test_findings_name_the_cell_the_same_way_in_the_cli_and_a_check_only_upload(workbook, seeded_dir, capsys):
    path, where = workbook
    code, out, _ = cli(capsys, "validate", str(path), "--format", "json", "--data-dir", str(seeded_dir))
    by_cli = _results(json.loads(out))
    store = EmbeddedStore(seeded_dir / "store")
    headers = {"Authorization": f"Bearer {TOKEN}", "Content-Type": XLSX}
    try:
        with TestClient(create_app(Settings(admin_token=TOKEN), store)) as client:
            response = client.post("/admin/upload?dry_run=true", content=path.read_bytes(), headers=headers)
            assert response.status_code == 200
            by_http = _results(response.json()["report"])
            refused = client.post("/admin/upload", content=path.read_bytes(), headers=headers)   # the real one
            assert refused.status_code == 422
            by_refusal = _results(refused.json()["report"])
    finally:
        store.close()
    assert code == 1        # the 5.2 Violation
    key = lambda r: (r["focus"], r["shape"], r["path"], r["value"], json.dumps(r["place"], sort_keys=True))  # noqa: E731
    assert sorted(map(key, by_cli)) == sorted(map(key, by_http))
    violations = [r for r in by_http if r["severity"] == "Violation"]
    assert sorted(map(key, violations)) == sorted(map(key, [r for r in by_refusal if r["severity"] == "Violation"]))

    institution = str(ID["institution/own-places-outlet"])
    staff = _one(by_cli, focus=institution, clause="5.2", severity="Violation")
    assert staff["path"] == IPG + "fullTimeStaff" and staff["value"] == "2"
    assert staff["place"] == {"sheet": where["institutions"], "row": where["row"], "column": where["full_time"],
                              "where": f"{where['institutions']}!{where['full_time']}{where['row']}"}
    missing = _one(by_cli, focus=institution, path=IPG + "partTimeStaff")
    assert missing["place"]["row"] == where["row"] and missing["place"]["column"] == where["part_time"]  # empty cell

    offering = str(ID[f"institution/own-places-outlet/offering/{FOCUS_SERVICE}"])
    info = _one(by_cli, focus=offering)
    assert info["clause"] == "6.3.3.2 h" and info["severity"] == "Info"
    assert info["place"]["sheet"] == where["offerings"] and info["place"]["row"] == where["offering_row"]
    assert all(r["place"] and r["place"]["sheet"] in (where["institutions"], where["offerings"]) for r in by_cli)


def test_the_text_report_names_the_cell(workbook, capsys):
    path, where = workbook
    _, out, _ = cli(capsys, "validate", str(path), "--lang", "en")
    line = next(line for line in out.splitlines() if "5.2" in line and "Violation" in line)
    assert line.endswith(f"@ {where['institutions']}!{where['full_time']}{where['row']}")


def test_rdf_input_has_no_places(capsys):
    data = Path(__file__).parents[1] / "data" / "examples" / "non-compliant.ttl"
    _, out, _ = cli(capsys, "validate", str(data), "--format", "json")
    results = _results(json.loads(out))
    assert results and all("place" not in r for r in results)


def test_post_api_validate_names_the_cell_too(workbook, sample_store):
    path, where = workbook
    with TestClient(create_app(Settings(), sample_store)) as client:
        response = client.post("/api/validate?lang=en", content=path.read_bytes(), headers={"Content-Type": XLSX})
    assert response.status_code == 200
    staff = _one(_results(response.json()), focus=str(ID["institution/own-places-outlet"]), clause="5.2",
                 severity="Violation")
    assert staff["place"]["where"] == f"{where['institutions']}!{where['full_time']}{where['row']}"
