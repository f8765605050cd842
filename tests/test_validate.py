"""Validation as users meet it: the report type, `ipgraph validate` exit codes, POST /api/validate, the sample
network (no Violation) and the non-compliant example network (its expected report)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from ipgraph.cli.main import main
from ipgraph.paths import DATA_DIR
from ipgraph.settings import Settings
from ipgraph.sheets.inputs import read_inputs
from ipgraph.store.seed import SAMPLE_NETWORK
from ipgraph.validation.reference import InputError, read_graph, validate
from ipgraph.web import create_app

HERE = Path(__file__).parent
BASE = HERE / "shapes" / "_network.ttl"
EXAMPLE = DATA_DIR / "examples" / "non-compliant.ttl"
EXPECTED = DATA_DIR / "examples" / "non-compliant.expected.json"


@pytest.fixture(scope="module")
def example_report():
    return validate(read_inputs([EXAMPLE]))


@pytest.fixture(scope="session")
def sample_report():
    """One pySHACL run over the whole sample network (slow: once per session)."""
    return validate(read_inputs([SAMPLE_NETWORK]))


def test_the_sample_network_has_no_violation(sample_report):
    assert sample_report.conforms, [r for r in sample_report.results if r.severity == "Violation"][:5]
    assert sample_report.counts["Violation"] == 0


def test_real_institutions_report_their_unrecorded_5_2_figures_as_warnings_not_violations(sample_report):
    not_recorded = [r for r in sample_report.results if r.shape.endswith("FullTimeStaffRecorded-5.2")]
    assert not_recorded and all(r.severity == "Warning" for r in not_recorded)


def test_the_non_compliant_example_gives_its_expected_report(example_report):
    expected = json.loads(EXPECTED.read_text(encoding="utf-8"))
    got = sorted((r.focus.split("/id/")[-1], r.shape.rsplit("#", 1)[-1], r.clause, r.severity)
                 for r in example_report.results)
    assert got == sorted((e["focus"], e["shape"], e["clause"], e["severity"]) for e in expected["results"])
    assert example_report.counts == expected["counts"]
    assert not example_report.conforms


def test_report_groups_by_institution_then_clause_in_clause_order(example_report):
    grouped = example_report.grouped()
    qiqihar = grouped["https://w3id.org/ipgraph/id/institution/ex-qiqihar"]
    assert list(qiqihar) == ["5.2", "6.3.2.1 b", "7.1"]
    assert len(qiqihar["5.2"]) == 2


def test_json_report_is_in_the_requested_language_and_keeps_both(example_report):
    body = example_report.to_json("en")
    assert body["conforms"] is False and body["counts"]["Violation"] == 7
    centre = next(i for i in body["institutions"] if i["institution"].endswith("ex-centre"))
    assert centre["label"] == "示例高校中心（示例）"      # only a zh name: falls back to it
    result = centre["clauses"][0]["results"][0]
    assert result["message"] == result["message_en"] and "Job duties" in result["message"]
    assert "工作职责" in result["message_zh"]
    assert {"focus", "path", "value", "clause", "severity", "shape"} <= set(result)


def test_text_report_says_severity_clause_message_and_value(example_report):
    zh = example_report.to_text("zh")
    assert "违反 Violation" in zh and "专职人员不足 3 名" in zh and "（值：2）" in zh
    assert "不符合：违反 7 项，警告 2 项，提示 4 项。" in zh
    en = example_report.to_text("en")
    assert "Fewer than 3 full-time staff" in en and "(value: 2)" in en


def test_turtle_report_is_a_shacl_report_with_clauses(example_report):
    from rdflib import Graph
    from rdflib.namespace import SH

    graph = Graph().parse(data=example_report.to_turtle(), format="turtle")
    assert len(set(graph.subjects(None, SH.ValidationResult))) >= 13
    assert "5.5-3" in {str(c) for c in graph.objects(None, __import__("ipgraph.model.iris").model.iris.IPG.clause)}


# -- reading --------------------------------------------------------------------------------------

def test_a_syntax_error_names_file_line_and_column(tmp_path):
    bad = tmp_path / "bad.ttl"
    bad.write_text("@prefix ipg: <https://w3id.org/ipgraph/ontology#> .\n<a> ipg:x \"unterminated .\n", encoding="utf-8")
    with pytest.raises(InputError) as error:
        read_inputs([bad])
    assert error.value.source == str(bad) and error.value.line == 2 and error.value.column is not None


def test_json_ld_is_read(tmp_path):
    doc = {"@id": "https://w3id.org/ipgraph/id/institution/j", "@type": "https://w3id.org/ipgraph/ontology#TISC"}
    graph = read_graph(json.dumps(doc).encode(), format="json-ld")
    assert len(graph) == 1


# -- the command line ------------------------------------------------------------------------------

def test_cli_exits_0_for_a_conforming_network(capsys):
    assert main(["validate", str(BASE)]) == 0
    assert "符合（无违反项）" in capsys.readouterr().out


def test_cli_exits_1_when_there_is_a_violation_and_prints_a_bilingual_report(capsys):
    assert main(["validate", str(EXAMPLE), "--lang", "en"]) == 1
    out = capsys.readouterr().out
    assert "示例齐齐哈尔市节点（示例）" in out and "Fewer than 3 full-time staff" in out


def test_cli_strict_counts_warnings(capsys, tmp_path):
    warn_only = tmp_path / "warn.ttl"
    warn_only.write_text(BASE.read_text(encoding="utf-8") + (HERE / "shapes" / "bare-outlet" / "data.ttl").read_text(
        encoding="utf-8"), encoding="utf-8")
    assert main(["validate", str(warn_only)]) == 0
    assert main(["validate", str(warn_only), "--strict"]) == 1


def test_cli_exits_2_with_file_line_and_column_for_unreadable_input(capsys, tmp_path):
    bad = tmp_path / "bad.ttl"
    bad.write_text("<a> <b> .\n", encoding="utf-8")
    assert main(["validate", str(bad)]) == 2
    assert f"{bad}:1:" in capsys.readouterr().err
    assert main(["validate", str(tmp_path / "missing.ttl")]) == 2


def test_cli_json_format(capsys):
    assert main(["validate", str(EXAMPLE), "--format", "json", "--lang", "en"]) == 1
    body = json.loads(capsys.readouterr().out)
    assert body["counts"] == {"Violation": 7, "Warning": 2, "Info": 4} and body["lang"] == "en"


# -- the web API -----------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def client(sample_store):
    with TestClient(create_app(Settings(max_upload_bytes=20_000), sample_store)) as client:
        yield client


def test_post_validate_returns_the_report_in_the_requested_language(client, sample_store):
    before = sample_store.triple_count()
    response = client.post("/api/validate?lang=en", content=EXAMPLE.read_bytes(),
                           headers={"Content-Type": "text/turtle"})
    assert response.status_code == 200
    body = response.json()
    assert body["conforms"] is False and body["counts"]["Violation"] == 7 and body["lang"] == "en"
    assert sample_store.triple_count() == before          # writes nothing


def test_post_validate_in_chinese_by_accept_language(client):
    response = client.post("/api/validate", content=BASE.read_bytes(),
                           headers={"Content-Type": "text/turtle; charset=utf-8", "Accept-Language": "zh-CN"})
    assert response.status_code == 200 and response.json() == {"conforms": True, "counts": {
        "Violation": 0, "Warning": 0, "Info": 0}, "lang": "zh", "institutions": []}


def test_post_validate_rejects_an_unsupported_content_type_with_415(client):
    response = client.post("/api/validate", content=b"{}", headers={"Content-Type": "application/json"})
    assert response.status_code == 415 and "text/turtle" in response.json()["message"]


def test_post_validate_rejects_a_body_over_the_limit_with_413(client):
    response = client.post("/api/validate?lang=en", content=b"#" * 20_001, headers={"Content-Type": "text/turtle"})
    assert response.status_code == 413 and "20000" in response.json()["message"]


def test_post_validate_says_where_the_syntax_error_is(client):
    response = client.post("/api/validate?lang=en", content=b"<a> <b> .\n", headers={"Content-Type": "text/turtle"})
    assert response.status_code == 400
    assert response.json()["line"] == 1 and "body:1:" in response.json()["message"]


XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _xlsx(path: Path, graph) -> Path:
    from ipgraph.sheets.template import write_spreadsheet

    write_spreadsheet(graph, path)
    return path


@pytest.fixture(scope="module")
def example_xlsx(tmp_path_factory):
    """The conforming base network with the municipal node down to 2 full-time staff, as the template."""
    from rdflib import Graph, Literal

    from ipgraph.model.iris import ID, IPG

    graph = Graph().parse(BASE)
    graph.set((ID["institution/muni"], IPG.fullTimeStaff, Literal(2)))
    return _xlsx(tmp_path_factory.mktemp("xlsx") / "shortfalls.xlsx", graph)


def test_cli_validates_the_spreadsheet_template(example_xlsx, capsys):
    assert main(["validate", str(example_xlsx), "--lang", "en"]) == 1
    assert "Fewer than 3 full-time staff" in capsys.readouterr().out


def test_cli_exits_2_naming_sheet_row_and_column_of_bad_cells(tmp_path, capsys):
    from rdflib import Graph

    bad = _xlsx(tmp_path / "example.xlsx", Graph().parse(EXAMPLE))  # bad credit code, swapped coordinates, phone in words
    assert main(["validate", str(bad), "--lang", "en"]) == 2
    err = capsys.readouterr().err
    assert "institutions!F3" in err and "check character" in err


def test_post_validate_accepts_the_spreadsheet_template(example_xlsx, sample_store):
    with TestClient(create_app(Settings(), sample_store)) as client:
        response = client.post("/api/validate?lang=en", content=example_xlsx.read_bytes(), headers={"Content-Type": XLSX})
    assert response.status_code == 200
    assert response.json()["counts"]["Violation"] > 0


def test_post_validate_names_the_bad_cells_of_a_spreadsheet(client):
    response = client.post("/api/validate?lang=en", content="名称\nfoo\n".encode(), headers={"Content-Type": "text/csv"})
    assert response.status_code == 400
    problems = response.json()["problems"]
    assert problems and {"sheet", "row", "column", "message_zh", "message_en"} <= set(problems[0])
