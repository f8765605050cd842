"""Opening hours: the spreadsheet column (开放时间) read into schema:openingHoursSpecification, refused with the
cell named when unreadable, written back by the export, and shown by /api/institutions/{id}."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from rdflib import Literal, URIRef
from rdflib.namespace import RDF

from ipgraph.model.iris import ID, SCHEMA
from ipgraph.settings import Settings
from ipgraph.sheets.ingest import SpreadsheetError, read_spreadsheet
from ipgraph.sheets.opening_hours import OpeningHoursError, cell_text, describe, from_graph, parse, triples
from ipgraph.sheets.template import write_spreadsheet, write_template
from ipgraph.sheets.workbook import INSTITUTIONS
from ipgraph.web import create_app
from test_ingest import GOOD_INSTITUTION, _fill, _letter

WEEKDAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday"]


@pytest.mark.parametrize("text, expected", [
    ("周一至周五 9:00-17:00", [(WEEKDAYS, "09:00", "17:00")]),
    ("Mo-Fr 09:00-17:00", [(WEEKDAYS, "09:00", "17:00")]),
    ("工作日 9:00-17:00", [(WEEKDAYS, "09:00", "17:00")]),
    ("星期一至星期五 9点-17点", [(WEEKDAYS, "09:00", "17:00")]),
    ("Monday-Friday 9:00–17:00", [(WEEKDAYS, "09:00", "17:00")]),
    ("周一至周五 8:30-11:30、13:30-17:00；周六 9:00-12:00",
     [(WEEKDAYS, "08:30", "11:30"), (WEEKDAYS, "13:30", "17:00"), (["Saturday"], "09:00", "12:00")]),
    ("Mo,We 09:00-12:00", [(["Monday", "Wednesday"], "09:00", "12:00")]),
    ("每天 8:00-20:00", [(WEEKDAYS + ["Saturday", "Sunday"], "08:00", "20:00")]),
])
def test_hours_as_people_write_them(text, expected):
    assert [(s.to_json()["days"], s.opens, s.closes) for s in parse(text)] == expected


@pytest.mark.parametrize("text, reason", [
    ("周一至周五", "no time range"), ("9:00-17:00", "cannot read the days"), ("周八 9:00-17:00", "cannot read the days"),
    ("周一至周五 17:00-9:00", "bad time range"), ("Mo-Fr 09:00-25:00", "bad time range"),
    ("Mo-Fr 09:00-17:00 except holidays", "cannot read 'except holidays'"), ("", "empty")])
def test_text_that_is_not_hours_is_refused_with_the_reason(text, reason):
    with pytest.raises(OpeningHoursError) as error:
        parse(text)
    assert reason in error.value.en and error.value.zh


def test_the_notation_written_back_reads_the_same():
    hours = parse("周一至周五 8:30-11:30、13:30-17:00；周六 9:00-12:00")
    assert parse(cell_text(hours)) == hours
    assert describe(hours, "en") == ["Mo-Fr 08:30-11:30", "Mo-Fr 13:30-17:00", "Sa 09:00-12:00"]


def test_triples_are_schema_org_opening_hours_specifications():
    institution = URIRef(ID["institution/x"])
    graph_triples = triples(institution, parse("Mo-Fr 09:00-17:00"))
    node = URIRef(f"{institution}/opening-hours/1")
    assert (institution, SCHEMA.openingHoursSpecification, node) in graph_triples
    assert (node, RDF.type, SCHEMA.OpeningHoursSpecification) in graph_triples
    assert {o for s, p, o in graph_triples if p == SCHEMA.dayOfWeek} == {SCHEMA[d] for d in WEEKDAYS}
    assert (node, SCHEMA.opens, Literal("09:00:00")) in graph_triples


@pytest.fixture(scope="module")
def template(tmp_path_factory):
    path = tmp_path_factory.mktemp("hours") / "template.xlsx"
    write_template(path)
    return path


def test_the_column_is_read_and_written_back(template, tmp_path):
    row = {**GOOD_INSTITUTION, "opening_hours": "周一至周五 9:00-17:00；周六 9:00-12:00"}
    graph = read_spreadsheet(_fill(template, tmp_path / "hours.xlsx", [row]))
    institution = ID["institution/test-tisc"]
    assert describe(from_graph(graph, institution), "zh") == ["周一至周五 09:00-17:00", "周六 09:00-12:00"]
    out = tmp_path / "export.xlsx"
    write_spreadsheet(graph, out)
    again = read_spreadsheet(out)
    assert from_graph(again, institution) == from_graph(graph, institution)


def test_an_unreadable_cell_is_reported_with_sheet_row_and_column(template, tmp_path):
    rows = [GOOD_INSTITUTION, {**GOOD_INSTITUTION, "key": "second", "uscc": "", "opening_hours": "看心情"}]
    with pytest.raises(SpreadsheetError) as caught:
        read_spreadsheet(_fill(template, tmp_path / "bad-hours.xlsx", rows))
    [problem] = caught.value.problems
    assert (problem.sheet, problem.row, problem.column) == (INSTITUTIONS, 4, _letter("opening_hours"))
    assert "opening hours" in problem.en and "开放时间" in problem.zh


def test_the_api_gives_the_hours_of_a_sample_institution_and_none_for_a_real_one(sample_store):
    client = TestClient(create_app(Settings(), sample_store))
    hours = client.get("/api/institutions/hrb-songbei-tisc").json()["opening_hours"]
    assert hours and all({"days", "opens", "closes", "text"} <= set(h) for h in hours)
    assert hours[0]["days"] == WEEKDAYS and hours[0]["text"].startswith("周一至周五")
    english = client.get("/api/institutions/hrb-songbei-tisc", params={"lang": "en"}).json()["opening_hours"]
    assert english[0]["text"].startswith("Mo-Fr")
    # invented hours only on invented institutions (data honesty): the real ones have none
    real = client.get("/api/institutions/nefu-tisc").json()
    assert real["is_sample"] is False and real["opening_hours"] == []
