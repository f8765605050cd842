"""The importer understands what the resolver understands, reports a file's problems in one pass, and settles
an ambiguous region by the row's coordinates or address."""

from pathlib import Path

import pytest
from rdflib.namespace import RDF

from ipgraph.model.iris import CV, ID, IPG
from ipgraph.sheets.ingest import SpreadsheetError, import_spreadsheet, read_spreadsheet

DATA = Path(__file__).parent / "data"
SVC = "https://w3id.org/ipgraph/id/service/"


def _offered(graph, key):
    return {str(c).removeprefix(SVC) for o in graph.objects(ID[f"institution/{key}"], IPG.offers)
            for c in graph.objects(o, IPG.serviceConcept)}


@pytest.fixture(scope="module")
def office_list():
    """A list written in an IP office's words: kinds as the spec writes them, services as its sentences phrase
    them, channels as people write them (网络/电话/窗口), 向阳区 twice (coordinates settle one, the address the other)."""
    return import_spreadsheet(DATA / "ip-office-list.csv")


def test_a_list_in_the_words_of_an_ip_office_imports_with_no_problem_cell(office_list):
    assert office_list.problems == []
    assert (office_list.institutions, office_list.offerings) == (13, 30)


def test_spec_phrasing_and_everyday_names_name_the_concepts_they_mean(office_list):
    graph = office_list.graph
    assert {"6.2-a-1", "6.2-a-2", "6.2-a-3", "topic-patent-navigation"} <= _offered(graph, "tisc-a")
    assert _offered(graph, "ws-jms") == {"6.3.3.9-b-5", "6.1-c-3", "6.3.3.9-c"}
    assert (ID["institution/research"], RDF.type, IPG.ResearchInstituteOutlet) in graph
    assert (ID["institution/ws-bin"], RDF.type, IPG.RightsProtectionWorkstation) in graph  # 維權 (traditional)
    offering = ID["institution/hlj-node/offering/6.1-b"]  # 网络/电话/窗口
    kinds = {str(c).rsplit("/", 1)[-1] for c in graph.objects(offering, CV.hasChannel)}
    assert kinds == {"web", "phone", "window"}


def test_an_ambiguous_region_is_settled_by_coordinates_or_address(office_list):
    graph = office_list.graph
    assert graph.value(ID["institution/ws-jms"], IPG.locatedIn) == ID["region/230803"]  # 佳木斯 by its point
    assert graph.value(ID["institution/ws-hg"], IPG.locatedIn) == ID["region/230402"]   # 鹤岗 by its address


def _copy(tmp_path, institutions: str, offerings: str) -> Path:
    (tmp_path / "list.csv").write_text(institutions, encoding="utf-8")
    (tmp_path / "list.offerings.csv").write_text(offerings, encoding="utf-8")
    return tmp_path / "list.csv"


def test_an_undecided_ambiguous_region_is_reported_with_its_candidates(tmp_path):
    path = _copy(tmp_path, "机构标识,机构类别,中文名称,所在区划\nws,维权援助工作站,示例工作站,向阳区\n",
                 "机构标识,服务事项\nws,维权援助\n")
    with pytest.raises(SpreadsheetError) as caught:
        read_spreadsheet(path)
    [problem] = [p for p in caught.value.problems if p.sheet == "list.csv"]
    assert (problem.column, problem.row) == ("D", 2)
    assert "230402" in problem.zh and "230803" in problem.zh and "230402" in problem.en


def test_every_problem_of_a_file_is_reported_in_one_pass(tmp_path):
    path = _copy(tmp_path,
                 "机构标识,机构类别,中文名称,所在区划,传真\n"
                 "a,火星机构,示例甲,南岗区,1\n"
                 "b,高校中心,示例乙,火星市,2\n",
                 "机构标识,服务事项,服务渠道\n"
                 "a,维权援助,信鸽\n"
                 "b,天气预报,网络\n")
    with pytest.raises(SpreadsheetError) as caught:
        read_spreadsheet(path)
    found = {(p.sheet, p.column, p.row) for p in caught.value.problems}
    assert ("list.csv", "E", 1) in found                     # the unknown header: a problem of the sheet
    assert {("list.csv", "B", 2), ("list.csv", "D", 3)} <= found           # unknown kind, unknown region
    assert {("list.offerings.csv", "C", 2), ("list.offerings.csv", "B", 3)} <= found  # channel, service
    unknown_kind = next(p for p in caught.value.problems if (p.column, p.row) == ("B", 2))
    assert "火星机构" in unknown_kind.zh and unknown_kind.en
