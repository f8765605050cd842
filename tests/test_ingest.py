"""Administrators' spreadsheets: the template, importing it (cell by cell, all or nothing), the CLI, the round trip."""

from __future__ import annotations

import random
from pathlib import Path

import pytest
from openpyxl import load_workbook
from openpyxl.utils import get_column_letter
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, RDF, SKOS, XSD

from ipgraph.cli.main import main
from ipgraph.model.iris import CV, ID, IPG, SCHEMA, WGS84
from ipgraph.sheets import uscc
from ipgraph.sheets.ingest import SpreadsheetError, SpreadsheetUnreadable, import_spreadsheet, read_spreadsheet
from ipgraph.sheets.template import round_trip_difference, write_spreadsheet, write_template
from ipgraph.sheets.workbook import (INSTITUTIONS, LISTS, OFFERINGS, institution_columns, offering_columns,
                                     vocabulary)
from ipgraph.store.seed import REGIONS_FILE, SCHEME_FILES


@pytest.fixture(scope="module")
def schemes() -> Graph:
    graph = Graph()
    for path in (*SCHEME_FILES, REGIONS_FILE):
        graph.parse(path)
    return graph


@pytest.fixture(scope="module")
def template(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("template") / "template.xlsx"
    write_template(path)
    return path


def _valid_uscc(seed: int = 7) -> str:
    rng = random.Random(seed)
    body = "91" + "230102" + "".join(rng.choice(uscc.ALPHABET) for _ in range(9))
    return body + uscc.check_character(body)


GOOD_INSTITUTION = {
    "key": "test-tisc", "kind": "技术与创新支持中心（TISC）", "name_zh": "测试技术与创新支持中心（示例）",
    "name_en": "Test TISC (sample)", "sample": "是", "uscc": _valid_uscc(), "region": "230102 道里区",
    "area_served": "哈尔滨市", "address": "黑龙江省哈尔滨市示例路1号（示例地址）", "lat": 45.75, "lon": 126.61,
    "phone": "+86-451-0000-0199", "email": "service@test-tisc.example.org", "url": "https://test-tisc.example.org/",
    "guided_by": "hl-provincial-node", "designation1_kind": "TISC", "designation1_by": "cnipa",
    "designation1_date": "2023-05-06", "full_time": 4, "part_time": 2, "qualifications": "是", "duties": "否",
    "work_system:consulting": "咨询服务制度", "work_system:evaluation": "是", "security_level": 3,
    "evaluation1_kind": "中期评估", "evaluation1_date": "2025-03-01",
    "feedback_url": "https://test-tisc.example.org/feedback",
}
GOOD_OFFERING = {"institution": "test-tisc", "service": "6.3.3.1-b-6 侵权对比分析", "channels": "电话、网络",
                 "ip_types": "专利"}


def _fill(template: Path, path: Path, institutions=(), offerings=()) -> Path:
    """The template with rows filled in by column key, saved to ``path``, as an administrator would."""
    book = load_workbook(template)
    vocab = vocabulary()
    for sheet, columns, rows in ((INSTITUTIONS, institution_columns(vocab), institutions),
                                 (OFFERINGS, offering_columns(vocab), offerings)):
        position = {c.key: n for n, c in enumerate(columns, start=1)}
        for r, values in enumerate(rows, start=3):
            for key, value in values.items():
                book[sheet].cell(r, position[key], value)
    book.save(path)
    return path


def _letter(key: str, columns=None) -> str:
    columns = columns or institution_columns(vocabulary())
    return get_column_letter(next(n for n, c in enumerate(columns, start=1) if c.key == key))


# -- the template -----------------------------------------------------------------------------------

def test_template_has_chinese_headers_with_english_beneath(template):
    book = load_workbook(template)
    assert book.sheetnames[:2] == [INSTITUTIONS, OFFERINGS]
    sheet = book[INSTITUTIONS]
    columns = institution_columns(vocabulary())
    assert [sheet.cell(1, n).value for n in range(1, len(columns) + 1)] == [c.zh for c in columns]
    assert [sheet.cell(2, n).value for n in range(1, len(columns) + 1)] == [c.en for c in columns]
    assert sheet.cell(1, 1).value == "机构标识" and sheet.cell(2, 1).value == "key"
    assert any("工作制度" in (sheet.cell(1, n).value or "") for n in range(1, len(columns) + 1))


def _dropdown(book, sheet_name: str, en_header: str) -> list[str]:
    """The choices the drop-down of a column offers, read through its data-validation formula."""
    sheet = book[sheet_name]
    column = next(c for c in range(1, sheet.max_column + 1) if sheet.cell(2, c).value == en_header)
    letter = get_column_letter(column)
    validation = next(v for v in sheet.data_validations.dataValidation
                      if any(r.min_col == column for r in v.sqref.ranges))
    assert validation.type == "list" and f"{letter}3" in str(validation.sqref).split(":")[0] + ":"
    target, cells = validation.formula1.split("!")
    assert target.strip("'") == LISTS
    start, end = cells.replace("$", "").split(":")
    lists = book[LISTS]
    col = start.rstrip("0123456789")
    return [lists[f"{col}{r}"].value for r in range(int(start[len(col):]), int(end[len(col):]) + 1)]


def _labels(graph: Graph, scheme: str) -> set[str]:
    concepts = set(graph.subjects(SKOS.inScheme, ID["scheme/" + scheme]))
    return {str(l) for c in concepts for l in graph.objects(c, SKOS.prefLabel) if l.language == "zh"}


def test_dropdowns_offer_the_catalogue_and_the_regions(template, schemes):
    book = load_workbook(template)
    assert book[LISTS].sheet_state == "hidden"
    assert set(_dropdown(book, INSTITUTIONS, "kind")) == _labels(schemes, "institution-kinds")
    regions = _dropdown(book, INSTITUTIONS, "region")
    assert {r.split()[0] for r in regions} == {str(c) for c in schemes.objects(None, IPG.adcode)}
    services = _dropdown(book, OFFERINGS, "service")
    notations = {str(n) for c in schemes.subjects(SKOS.inScheme, ID["scheme/services"])
                 for n in schemes.objects(c, SKOS.notation)}
    assert {s.split()[0] for s in services} == notations
    assert set(_dropdown(book, OFFERINGS, "fee")) == _labels(schemes, "fees")
    assert set(_dropdown(book, OFFERINGS, "channels")) == _labels(schemes, "channels")
    assert set(_dropdown(book, OFFERINGS, "IP types")) == _labels(schemes, "ip-types")


# -- a good sheet -----------------------------------------------------------------------------------

def test_a_good_sheet_gives_the_institution_and_its_offering(template, tmp_path, schemes):
    graph = read_spreadsheet(_fill(template, tmp_path / "good.xlsx", [GOOD_INSTITUTION], [GOOD_OFFERING]))
    s = ID["institution/test-tisc"]
    assert (s, RDF.type, IPG.TISC) in graph
    assert (s, SKOS.prefLabel, Literal("测试技术与创新支持中心（示例）", lang="zh")) in graph
    assert (s, IPG.uscc, Literal(GOOD_INSTITUTION["uscc"])) in graph
    assert (s, IPG.locatedIn, ID["region/230102"]) in graph
    assert (s, SCHEMA.areaServed, ID["region/230100"]) in graph
    assert (s, WGS84.lat, Literal(45.75, datatype=XSD.double)) in graph
    assert (s, IPG.guidedBy, ID["institution/hl-provincial-node"]) in graph
    assert (ID["institution/hl-provincial-node"], IPG.guides, s) in graph
    assert (s, IPG.fullTimeStaff, Literal(4, datatype=XSD.nonNegativeInteger)) in graph
    assert (s, IPG.jobDutiesDefined, Literal(False)) in graph
    assert (s, IPG.securityProtectionLevel, Literal(3, datatype=XSD.integer)) in graph
    designation = ID["institution/test-tisc/designation/1"]
    assert (designation, IPG.designationKind, ID["designation/tisc"]) in graph
    assert (designation, IPG.grantedBy, ID["administration/cnipa"]) in graph
    assert (designation, IPG.grantedOn, Literal("2023-05-06", datatype=XSD.date)) in graph
    consulting = ID["institution/test-tisc/work-system/consulting"]
    assert (consulting, DCTERMS.title, Literal("咨询服务制度", lang="zh")) in graph
    assert (ID["institution/test-tisc/work-system/evaluation"], RDF.type, IPG.WorkSystem) in graph
    assert not list(graph.objects(ID["institution/test-tisc/work-system/evaluation"], DCTERMS.title))
    evaluation = ID["institution/test-tisc/evaluation/1"]
    assert (evaluation, DCTERMS.type, ID["evaluation/mid-term"]) in graph

    offering = ID["institution/test-tisc/offering/6.3.3.1-b-6"]
    assert (s, IPG.offers, offering) in graph and (offering, CV.hasCompetentAuthority, s) in graph
    assert (offering, IPG.serviceConcept, ID["service/6.3.3.1-b-6"]) in graph
    default_fee = schemes.value(ID["service/6.3.3.1-b-6"], IPG.defaultFee)
    assert graph.value(offering, IPG.fee) == default_fee  # a blank fee takes the catalogue's default
    assert (offering, IPG.ipType, ID["ip-type/patent"]) in graph
    phone, web = ID["institution/test-tisc/channel/phone"], ID["institution/test-tisc/channel/web"]
    assert set(graph.objects(offering, CV.hasChannel)) == {phone, web}
    assert (phone, SCHEMA.telephone, Literal("+86-451-0000-0199")) in graph
    assert (web, SCHEMA.url, URIRef("https://test-tisc.example.org/")) in graph


def test_regions_are_found_by_code_name_or_former_code(template, tmp_path):
    rows = [dict(GOOD_INSTITUTION, key=f"r{n}", uscc="", region=region) for n, region in
            enumerate(["230102", "道里区", "道里", "Harbin", "232723"])]
    graph = read_spreadsheet(_fill(template, tmp_path / "regions.xlsx", rows))
    found = [graph.value(ID[f"institution/r{n}"], IPG.locatedIn) for n in range(5)]
    assert found[:3] == [ID["region/230102"]] * 3
    assert found[3] == ID["region/230100"]
    assert found[4] == ID["region/232701"]  # 漠河县 became 漠河市 in 2018


def test_phone_numbers_as_people_write_them_are_accepted(template, tmp_path):
    phones = ["0451-86661234", "12330", "（0451）86661234", "(0451) 8666 1234", "0451-86661234转8001", "+86 138 0000 0000"]
    rows = [dict(GOOD_INSTITUTION, key=f"p{n}", uscc="", phone=phone) for n, phone in enumerate(phones)]
    graph = read_spreadsheet(_fill(template, tmp_path / "phones.xlsx", rows))
    assert [str(graph.value(ID[f"institution/p{n}"], SCHEMA.telephone)) for n in range(len(phones))] == phones


# -- bad cells --------------------------------------------------------------------------------------

BAD_CELLS = [
    ("region", "火星市", "unknown region"),
    ("kind", "银行", "unknown kind"),
    ("lat", "north", "not a number"),
    ("lat", 200, "out of range"),
    ("lon", None, "latitude and longitude go together"),
    ("full_time", 3.5, "not a whole number"),
    ("security_level", 7, "out of range"),
    ("uscc", _valid_uscc()[:17] + ("0" if _valid_uscc()[17] != "0" else "1"), "check character"),
    ("uscc", "12345", "18 characters"),
    ("phone", "call me", "malformed phone"),
    ("email", "service@example", "malformed e-mail"),
    ("url", "www.example.org", "malformed URL"),
    ("designation1_date", "yesterday", "not a date"),
    ("qualifications", "maybe", "yes (是) or no (否)"),
]


@pytest.mark.parametrize("key,value,reason", BAD_CELLS, ids=[f"{k}={v}" for k, v, _ in BAD_CELLS])
def test_each_bad_cell_is_reported_with_sheet_row_and_column(template, tmp_path, key, value, reason):
    rows = [GOOD_INSTITUTION, {**GOOD_INSTITUTION, "key": "second", "uscc": "", key: value}]
    with pytest.raises(SpreadsheetError) as caught:
        read_spreadsheet(_fill(template, tmp_path / "bad.xlsx", rows))
    [problem] = caught.value.problems
    assert (problem.sheet, problem.row, problem.column) == (INSTITUTIONS, 4, _letter(key))
    assert reason in problem.en and problem.zh
    assert problem.where == f"{INSTITUTIONS}!{_letter(key)}4"


BAD_OFFERING_CELLS = [
    ("service", "9.9-z 不存在的服务", "unknown service", "未知的服务事项"),
    ("fee", "很贵", "unknown fee", "未知的收费方式"),
    ("channels", "电话、飞鸽传书", "unknown channel", "未知的服务渠道"),
    ("ip_types", "专利、域名", "unknown IP type", "未知的知识产权类型"),
]


@pytest.mark.parametrize("key,value,reason,reason_zh", BAD_OFFERING_CELLS, ids=[c[0] for c in BAD_OFFERING_CELLS])
def test_each_bad_offering_cell_is_reported_in_the_offerings_sheet(template, tmp_path, key, value, reason, reason_zh):
    offerings = [GOOD_OFFERING, {**GOOD_OFFERING, "service": "6.1-a", key: value}]
    with pytest.raises(SpreadsheetError) as caught:
        read_spreadsheet(_fill(template, tmp_path / "bad.xlsx", [GOOD_INSTITUTION], offerings))
    [problem] = caught.value.problems
    columns = offering_columns(vocabulary())
    assert (problem.sheet, problem.row, problem.column) == (OFFERINGS, 4, _letter(key, columns))
    assert reason in problem.en and reason_zh in problem.zh


def test_an_offering_of_an_unknown_institution_is_reported(template, tmp_path):
    with pytest.raises(SpreadsheetError) as caught:
        read_spreadsheet(_fill(template, tmp_path / "bad.xlsx", [GOOD_INSTITUTION],
                               [dict(GOOD_OFFERING, institution="nobody")]))
    assert "no institution with key 'nobody'" in caught.value.problems[0].en


def test_an_ambiguous_region_name_asks_for_the_code(template, tmp_path):
    with pytest.raises(SpreadsheetError) as caught:
        read_spreadsheet(_fill(template, tmp_path / "bad.xlsx", [dict(GOOD_INSTITUTION, region="向阳区")]))
    message = caught.value.problems[0].en
    assert "ambiguous" in message and "230402" in message and "230803" in message


def test_an_unknown_region_suggests_near_spellings(template, tmp_path):
    with pytest.raises(SpreadsheetError) as caught:
        read_spreadsheet(_fill(template, tmp_path / "bad.xlsx", [dict(GOOD_INSTITUTION, region="道理区")]))
    problem = caught.value.problems[0]
    assert "did you mean: 230102 道里区" in problem.en and "230102 道里区" in problem.zh


def test_a_duplicate_key_is_reported(template, tmp_path):
    with pytest.raises(SpreadsheetError) as caught:
        read_spreadsheet(_fill(template, tmp_path / "bad.xlsx", [GOOD_INSTITUTION, dict(GOOD_INSTITUTION, uscc="")]))
    assert caught.value.problems[0].row == 4 and "twice" in caught.value.problems[0].en


def test_skip_bad_rows_keeps_the_good_rows_and_lists_the_rest(template, tmp_path):
    rows = [dict(GOOD_INSTITUTION, region="火星市"), dict(GOOD_INSTITUTION, key="good", uscc="")]
    offerings = [GOOD_OFFERING, dict(GOOD_OFFERING, institution="good")]
    result = import_spreadsheet(_fill(template, tmp_path / "mixed.xlsx", rows, offerings), skip_bad_rows=True)
    assert (ID["institution/good"], RDF.type, IPG.TISC) in result.graph
    assert not list(result.graph.triples((ID["institution/test-tisc"], None, None)))
    assert result.skipped == [(INSTITUTIONS, 3), (OFFERINGS, 3)]
    assert result.institutions == 1 and result.offerings == 1


def test_a_missing_column_fails_even_when_skipping_bad_rows(tmp_path):
    path = tmp_path / "partial.csv"
    path.write_text("机构标识,中文名称\nkey,name (zh)\nx,某机构\n", encoding="utf-8")
    with pytest.raises(SpreadsheetError) as caught:
        import_spreadsheet(path, skip_bad_rows=True)
    assert {"column 'kind' is missing", "column 'region' is missing"} <= {p.en for p in caught.value.problems}


# -- CSV --------------------------------------------------------------------------------------------

def _csv(path: Path, columns, rows, encoding="utf-8") -> None:
    import csv
    with path.open("w", newline="", encoding=encoding) as handle:
        writer = csv.writer(handle)
        writer.writerow([c.zh for c in columns])
        writer.writerow([c.en for c in columns])
        for row in rows:
            writer.writerow([row.get(c.key, "") for c in columns])


@pytest.mark.parametrize("encoding", ["utf-8", "gb18030"])
def test_csv_institutions_with_offerings_beside_them(tmp_path, encoding):
    vocab = vocabulary()
    _csv(tmp_path / "list.csv", institution_columns(vocab), [GOOD_INSTITUTION], encoding)
    _csv(tmp_path / "list.offerings.csv", offering_columns(vocab), [GOOD_OFFERING], encoding)
    graph = read_spreadsheet(tmp_path / "list.csv")
    assert (ID["institution/test-tisc"], SKOS.prefLabel, Literal("测试技术与创新支持中心（示例）", lang="zh")) in graph
    assert (ID["institution/test-tisc"], IPG.offers, ID["institution/test-tisc/offering/6.3.3.1-b-6"]) in graph


def test_csv_problem_names_the_file_and_the_cell(tmp_path):
    _csv(tmp_path / "list.csv", institution_columns(vocabulary()), [dict(GOOD_INSTITUTION, email="nope")])
    with pytest.raises(SpreadsheetError) as caught:
        read_spreadsheet(tmp_path / "list.csv")
    assert caught.value.problems[0].where == f"list.csv!{_letter('email')}3"


def test_an_uploaded_body_reads_like_the_file(template, tmp_path):
    path = _fill(template, tmp_path / "good.xlsx", [GOOD_INSTITUTION], [GOOD_OFFERING])
    assert set(read_spreadsheet(path.read_bytes())) == set(read_spreadsheet(path))


def test_a_file_that_is_not_a_spreadsheet_is_unreadable(tmp_path):
    path = tmp_path / "broken.xlsx"
    path.write_bytes(b"PK\x03\x04 this is not a zip file")
    with pytest.raises(SpreadsheetUnreadable):
        read_spreadsheet(path)
    with pytest.raises(SpreadsheetUnreadable):
        read_spreadsheet(tmp_path / "missing.xlsx")


# -- the command line -------------------------------------------------------------------------------

def test_import_command_writes_turtle_and_exits_0(template, tmp_path, capsys):
    source = _fill(template, tmp_path / "good.xlsx", [GOOD_INSTITUTION], [GOOD_OFFERING])
    out = tmp_path / "out.ttl"
    assert main(["import", str(source), "-o", str(out)]) == 0
    assert (ID["institution/test-tisc"], RDF.type, IPG.TISC) in Graph().parse(out)


def test_import_command_exits_1_writes_nothing_and_says_where(template, tmp_path, capsys):
    source = _fill(template, tmp_path / "bad.xlsx", [dict(GOOD_INSTITUTION, region="火星市")])
    out = tmp_path / "out.ttl"
    assert main(["import", str(source), "-o", str(out), "--lang", "en"]) == 1
    assert not out.exists()
    assert f"{INSTITUTIONS}!{_letter('region')}3: unknown region '火星市'" in capsys.readouterr().err


def test_import_command_skip_bad_rows_writes_the_rest_and_reports_them(template, tmp_path, capsys):
    rows = [dict(GOOD_INSTITUTION, region="火星市"), dict(GOOD_INSTITUTION, key="good", uscc="")]
    source = _fill(template, tmp_path / "mixed.xlsx", rows)
    out = tmp_path / "out.ttl"
    assert main(["import", str(source), "-o", str(out), "--skip-bad-rows"]) == 0
    assert (ID["institution/good"], RDF.type, IPG.TISC) in Graph().parse(out)
    err = capsys.readouterr().err
    assert "未知区划" in err and "unknown region" in err and f"skipped 1 bad rows: {INSTITUTIONS} 3" in err


def test_import_command_exits_2_on_an_unreadable_file(tmp_path, capsys):
    path = tmp_path / "broken.xlsx"
    path.write_bytes(b"not a workbook")
    assert main(["import", str(path), "-o", str(tmp_path / "out.ttl")]) == 2
    assert main(["import", str(tmp_path / "missing.csv")]) == 2


def test_template_command_writes_a_workbook(tmp_path):
    assert main(["template", str(tmp_path / "t.xlsx")]) == 0
    assert load_workbook(tmp_path / "t.xlsx").sheetnames[:2] == [INSTITUTIONS, OFFERINGS]


# -- the round trip ---------------------------------------------------------------------------------

def test_what_the_template_cannot_carry_is_reported(tmp_path):
    graph = Graph().parse(data="""
        @prefix ipg: <https://w3id.org/ipgraph/ontology#> . @prefix skos: <http://www.w3.org/2004/02/skos/core#> .
        <https://w3id.org/ipgraph/id/institution/x> a ipg:PublicLibraryOutlet ; skos:prefLabel "某图书馆"@zh ;
            ipg:locatedIn <https://w3id.org/ipgraph/id/region/230102> ;
            <https://schema.org/faxNumber> "0451-0000-0000" .""", format="turtle")
    path = tmp_path / "x.xlsx"
    assert write_spreadsheet(graph, path) == 1
    missing, extra = round_trip_difference(graph, path)
    assert [p for _, p, _ in missing] == [SCHEMA.faxNumber] and not len(extra)


def test_text_that_looks_like_a_formula_is_written_as_text(tmp_path):
    graph = Graph().parse(data="""
        @prefix ipg: <https://w3id.org/ipgraph/ontology#> . @prefix skos: <http://www.w3.org/2004/02/skos/core#> .
        <https://w3id.org/ipgraph/id/institution/x> a ipg:PublicLibraryOutlet ;
            skos:prefLabel "=HYPERLINK(\\"http://evil.example\\")"@zh ;
            ipg:locatedIn <https://w3id.org/ipgraph/id/region/230102> .""", format="turtle")
    path = tmp_path / "x.xlsx"
    write_spreadsheet(graph, path)
    cell = load_workbook(path)[INSTITUTIONS][f"{_letter('name_zh')}3"]
    assert cell.data_type == "s" and cell.value.startswith("=HYPERLINK")
    missing, extra = round_trip_difference(graph, path)
    assert not len(missing) and not len(extra)


@pytest.mark.slow
def test_the_sample_network_round_trips_through_the_template(sample_graph, tmp_path):
    path = tmp_path / "sample.xlsx"
    count = write_spreadsheet(sample_graph, path)
    assert count == len({s for s in sample_graph.subjects(SKOS.prefLabel, None)
                         if str(s).startswith(str(ID) + "institution/")})
    missing, extra = round_trip_difference(sample_graph, path)
    assert not len(missing) and not len(extra), (sorted(missing)[:5], sorted(extra)[:5])


def test_import_command_streams_exactly_the_triples_the_importer_reads(tmp_path):
    """The written Turtle (triples handed row by row to pyoxigraph's writer, never all held) and JSON-LD (rdflib's
    writer) hold the graph read_spreadsheet gives, for the sample network's filled template: channels shared by an
    institution's offerings, opening hours, designations, sources."""
    from ipgraph.sheets.template import write_spreadsheet
    from ipgraph.store.seed import SAMPLE_NETWORK

    source = tmp_path / "sample.xlsx"
    write_spreadsheet(Graph().parse(SAMPLE_NETWORK), source)
    expected = read_spreadsheet(source)
    assert len(expected) > 10_000
    for name, fmt in (("out.ttl", "turtle"), ("out.jsonld", "json-ld")):
        assert main(["import", str(source), "-o", str(tmp_path / name)]) == 0
        written = Graph().parse(tmp_path / name, format=fmt)
        assert len(written) == len(expected) and not (written - expected) and not (expected - written)
