"""``ipgraph validate`` as the service validates, ``ipgraph load`` into the embedded store, and a province's own
network served end to end: ``ipgraph import list.xlsx -o net.ttl && ipgraph load net.ttl --replace && ipgraph
serve`` (the CLI run in-process through ``ipgraph.cli.main.main``, a fresh data folder per test module)."""

from __future__ import annotations

import json
import math
import re
from pathlib import Path

import openpyxl
import pytest
from fastapi.testclient import TestClient
from rdflib import URIRef

from ipgraph.admin.backup import export_quads
from ipgraph.cli.main import main
from ipgraph.model.iris import ID, PROVENANCE_GRAPH
from ipgraph.model.places import EARTH_RADIUS_KM
from ipgraph.settings import Settings
from ipgraph.store.embedded import EmbeddedStore
from ipgraph.store.seed import SAMPLE_NETWORK, open_embedded
from ipgraph.web import create_app

TOKEN = "load-test-token"
AUTH = {"Authorization": f"Bearer {TOKEN}", "Content-Type": "text/turtle"}


def institution_file(path: Path, key: str, renamed: str) -> Path:
    """One institution of the sample network under a new key: it still names the sample's nodes (guided and
    coordinated by them), which only a store holding them can resolve."""
    text = SAMPLE_NETWORK.read_text(encoding="utf-8")
    head, _, body = text.partition("\n\n<")
    blocks = [b for b in ("<" + body).split("\n\n") if b.startswith(f"<https://w3id.org/ipgraph/id/institution/{key}")]
    path.write_text(head + "\n\n" + "\n\n".join(blocks).replace(f"institution/{key}", f"institution/{renamed}"),
                    encoding="utf-8")
    return path


def cli(capsys, *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def findings(report: dict) -> list[tuple]:
    return sorted((r["institution"], c["clause"], r["severity"], r["shape"], r["focus"], r["path"], r["value"],
                   r["message_zh"], r["message_en"])
                  for i in report["institutions"] for c in i["clauses"] for r in c["results"])


@pytest.fixture()
def seeded_dir(tmp_path):
    """A data folder whose store is seeded as `ipgraph serve` seeds it (the sample network)."""
    open_embedded(tmp_path / "store").close()
    return tmp_path


# -- validate as the service validates -----------------------------------------------------------------

def test_cli_validate_with_data_dir_gives_the_findings_of_a_check_only_upload(tmp_path, seeded_dir, capsys):
    data = institution_file(tmp_path / "own.ttl", "daqing-hitech-park", "own-outlet")
    code, out, _ = cli(capsys, "validate", str(data), "--format", "json", "--data-dir", str(seeded_dir))
    by_cli = json.loads(out)
    store = EmbeddedStore(seeded_dir / "store")
    try:
        with TestClient(create_app(Settings(admin_token=TOKEN), store)) as client:
            response = client.post("/admin/upload?dry_run=true", content=data.read_bytes(), headers=AUTH)
            assert response.status_code == 200
            by_http = response.json()
            assert client.get("/api/institutions/own-outlet").status_code == 404   # check only: nothing written
    finally:
        store.close()
    assert by_http["dry_run"] is True and by_http["accepted"] is False
    assert findings(by_cli) == findings(by_http["report"])
    assert by_cli["counts"] == by_http["report"]["counts"]
    assert by_cli["change"] == by_http["change"]
    assert by_http["change"]["added"] == ["own-outlet"]
    assert code == (1 if by_cli["counts"]["Violation"] else 0)


def test_cli_validate_resolves_existing_nodes_only_against_a_store_that_holds_them(tmp_path, seeded_dir, capsys):
    """An outlet in Daqing coordinated by Harbin's municipal node: that node's prefecture is known only to a store
    that holds it, so only there does 6.3.2.2 c (可: Info) say the coordinator is another prefecture's."""
    data = institution_file(tmp_path / "own.ttl", "daqing-hitech-park", "own-outlet")
    text = data.read_text(encoding="utf-8")
    coordinator = re.search(r"ipg:coordinatedBy <([^>]+)>", text).group(1)
    data.write_text(text.replace(coordinator, "https://w3id.org/ipgraph/id/institution/node-230100"), encoding="utf-8")
    alone_code, alone, _ = cli(capsys, "validate", str(data), "--format", "json")
    held_code, held, _ = cli(capsys, "validate", str(data), "--format", "json", "--data-dir", str(seeded_dir))
    alone_clauses = {f[1] for f in findings(json.loads(alone))}
    held_findings = [f for f in findings(json.loads(held)) if f[1] == "6.3.2.2 c"]
    assert "6.3.2.2 c" not in alone_clauses and alone_code == 0
    assert held_findings and {f[2] for f in held_findings} == {"Info"} and held_code == 0


def test_cli_validate_by_default_knows_the_administrations_so_designations_resolve(capsys):
    code, out, _ = cli(capsys, "validate", str(SAMPLE_NETWORK), "--format", "json")
    report = json.loads(out)
    assert code == 0 and report["counts"]["Violation"] == 0
    assert not [f for f in findings(report) if f[1] == "3.3"]
    assert report["change"]["counts"]["added"] == 63


def test_cli_validate_by_default_matches_a_check_only_upload_to_a_service_with_no_institutions(tmp_path, capsys):
    from ipgraph.admin.staging import reference_context

    data = Path(__file__).parents[1] / "data" / "examples" / "non-compliant.ttl"
    code, out, _ = cli(capsys, "validate", str(data), "--format", "json")
    store = reference_context()
    try:
        with TestClient(create_app(Settings(admin_token=TOKEN), store)) as client:
            by_http = client.post("/admin/upload", params={"dry_run": "true"}, content=data.read_bytes(),
                                  headers=AUTH).json()
    finally:
        store.close()
    assert code == 1
    assert findings(json.loads(out)) == findings(by_http["report"])
    expected = json.loads(data.with_name("non-compliant.expected.json").read_text(encoding="utf-8"))["results"]
    assert {(r["focus"].split("/", 1)[1], r["clause"], r["severity"]) for r in expected} == \
        {(f[4].split("/id/", 1)[1].split("/", 1)[1], f[1], f[2]) for f in findings(by_http["report"])}


def test_cli_validate_names_the_line_of_a_syntax_error(tmp_path, capsys):
    bad = tmp_path / "bad.ttl"
    bad.write_text("<https://w3id.org/ipgraph/id/institution/x> a \n <oops", encoding="utf-8")
    code, _, err = cli(capsys, "validate", str(bad), "--lang", "en")
    assert code == 2 and re.search(r"bad\.ttl:2:\d+", err)


def test_cli_validate_with_a_data_dir_without_a_store_says_so(tmp_path, capsys):
    code, _, err = cli(capsys, "validate", str(SAMPLE_NETWORK), "--data-dir", str(tmp_path / "none"))
    assert code == 2 and "no store under" in err


# -- load into the embedded store --------------------------------------------------------------------------

def test_load_with_a_violation_writes_nothing(tmp_path, seeded_dir, capsys):
    data = Path(__file__).parents[1] / "data" / "examples" / "non-compliant.ttl"
    store = EmbeddedStore(seeded_dir / "store")
    before = sorted(export_quads(store, lambda g: True).splitlines())
    store.close()
    code, out, _ = cli(capsys, "load", str(data), "--data-dir", str(seeded_dir), "--replace", "--lang", "en")
    assert code == 1 and "violations" in out
    store = EmbeddedStore(seeded_dir / "store")
    try:
        assert sorted(export_quads(store, lambda g: True).splitlines()) == before
    finally:
        store.close()


def test_load_to_a_remote_store_still_needs_its_endpoint_for_replace(tmp_path, capsys):
    code, _, err = cli(capsys, "load", str(SAMPLE_NETWORK), "--replace", "--sparql-endpoint", "http://127.0.0.1:9/q")
    assert code == 2 and "embedded store" in err


# -- a province's own network, end to end ------------------------------------------------------------------

def own_list(path: Path) -> tuple[Path, dict[str, tuple[float, float]], dict[str, set[str]]]:
    """The filled template of the sample network turned into another network: every key renamed (own-…), the
    institutions no other row names left out but for every other one. Returns the file, each institution's
    coordinates and its services' notations, read from the spreadsheet itself."""
    from ipgraph.sheets.template import write_spreadsheet
    from rdflib import Graph

    graph = Graph()
    graph.parse(SAMPLE_NETWORK)
    write_spreadsheet(graph, path)
    book = openpyxl.load_workbook(path)
    institutions, offerings = book.worksheets[0], book.worksheets[1]
    rows = list(institutions.iter_rows(min_row=3))
    keys = [row[0].value for row in rows]
    named = {cell.value for row in rows for cell in row[1:] if isinstance(cell.value, str)}
    dropped = {key for i, key in enumerate(k for k in keys if k not in named) if i % 2 == 0}
    renamed = {key: f"own-{key}" for key in keys}
    for row in reversed(rows):
        if row[0].value in dropped:
            institutions.delete_rows(row[0].row)
    for sheet in (institutions, offerings):
        for row in list(sheet.iter_rows(min_row=3)):
            if sheet is offerings and row[0].value in dropped:
                sheet.delete_rows(row[0].row)
                continue
            for cell in row:
                if isinstance(cell.value, str) and cell.value in renamed:
                    cell.value = renamed[cell.value]
    book.save(path)
    header = [c.value for c in institutions[2]]
    lat, lon = header.index("latitude"), header.index("longitude")
    places = {row[0]: (float(row[lat]), float(row[lon])) for row in institutions.iter_rows(min_row=3, values_only=True)
              if row[0] and row[lat] is not None}
    services: dict[str, set[str]] = {}
    for row in offerings.iter_rows(min_row=3, values_only=True):
        if row[0]:
            services.setdefault(row[0], set()).add(str(row[1]).split(" ", 1)[0])
    assert dropped and len(places) == len(keys) - len(dropped)
    return path, places, services


def haversine(a: tuple[float, float], b: tuple[float, float]) -> float:
    (lat1, lon1), (lat2, lon2) = (tuple(map(math.radians, p)) for p in (a, b))
    h = math.sin((lat2 - lat1) / 2) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(math.sqrt(h))


def test_import_load_replace_and_serve_a_provinces_own_network(tmp_path, capsys):
    listing, places, services = own_list(tmp_path / "list.xlsx")
    network, data_dir = tmp_path / "net.ttl", tmp_path / "data"
    assert cli(capsys, "import", str(listing), "-o", str(network))[0] == 0
    code, _, err = cli(capsys, "load", str(network), "--replace", "--data-dir", str(data_dir), "--lang", "en")
    assert code == 0, err
    assert f"{len(places)} institutions added" in err and "63 retired" in err

    store = open_embedded(data_dir / "store")     # what `ipgraph serve` opens
    try:
        with TestClient(create_app(Settings(), store)) as client:
            assert client.get("/api/institutions/daqing-hitech-park").status_code == 404   # the sample is retired
            assert client.get(f"/api/institutions/{next(iter(places))}").status_code == 200
            for service, point in (("6.1-b", (45.75, 126.63)), ("6.2-a-1", (47.35, 123.92)), ("6.1-a-1", (46.8, 130.3))):
                expected = sorted((round(haversine(point, places[k]), 3), k) for k, offered in services.items()
                                  if service in offered and k in places)
                answer = client.get("/api/match", params={"service": service, "lat": point[0], "lon": point[1],
                                                          "limit": 100}).json()
                got = [(r["distance_km"], r["id"]) for r in answer["results"]]
                assert answer["total"] == len(expected) > 0
                assert [d for d, _ in got] == sorted(d for d, _ in got)      # nearest first
                assert [k for _, k in sorted(got)] == [k for _, k in expected]   # ties: by key on both sides
                for (d_got, _), (d_expected, _) in zip(sorted(got), expected):
                    assert d_got == pytest.approx(d_expected, abs=0.002)
        activities = export_quads(store, lambda g: g == str(PROVENANCE_GRAPH)).decode()
        assert '"load"' in activities and activities.count('"retire"') == 63
        assert "retiredContent" in activities
    finally:
        store.close()


# -- check only over HTTP -----------------------------------------------------------------------------------

UNDERSTAFFED = """@prefix ipg: <https://w3id.org/ipgraph/ontology#> . @prefix skos: <http://www.w3.org/2004/02/skos/core#> .
<https://w3id.org/ipgraph/id/institution/understaffed-tisc> a ipg:TISC ; skos:prefLabel "专职人员不足的中心"@zh ;
    ipg:locatedIn <https://w3id.org/ipgraph/id/region/230100> ; ipg:fullTimeStaff 2 .
"""   # 5.2 应配备3名及以上专职人员: a recorded 2 is a Violation


def test_a_check_only_upload_writes_nothing_and_predicts_the_refusal_of_the_real_one(seeded_dir):
    store = EmbeddedStore(seeded_dir / "store")
    try:
        with TestClient(create_app(Settings(admin_token=TOKEN), store)) as client:
            before = sorted(export_quads(store, lambda g: True).splitlines())
            checked = client.post("/admin/upload?dry_run=true", content=UNDERSTAFFED.encode(), headers=AUTH)
            assert checked.status_code == 200 and checked.json()["conforms"] is False
            assert sorted(export_quads(store, lambda g: True).splitlines()) == before
            refused = client.post("/admin/upload", content=UNDERSTAFFED.encode(), headers=AUTH)
            assert refused.status_code == 422
            assert findings(checked.json()["report"]) == findings(refused.json()["report"])
    finally:
        store.close()


def test_the_new_admin_routes_are_described_in_chinese_and_english(sample_store):
    with TestClient(create_app(Settings(admin_token=TOKEN), sample_store)) as client:
        paths = client.get("/openapi.json").json()["paths"]
    upload = paths["/admin/upload"]["post"]
    dry_run = next(p for p in upload["parameters"] if p["name"] == "dry_run")
    for text in (upload["description"], dry_run["description"], paths["/admin/template.xlsx"]["get"]["description"],
                 paths["/admin/network.xlsx"]["get"]["description"]):
        assert re.search(r"[\u4e00-\u9fff]", text) and re.search(r"[A-Za-z]{4,} [a-z]{2,}", text)


def test_load_keeps_a_blank_node_with_the_institution_that_reaches_it(tmp_path, seeded_dir, capsys):
    data = institution_file(tmp_path / "own.ttl", "daqing-hitech-park", "own-blank-outlet")
    with data.open("a", encoding="utf-8") as out:
        out.write('\n<https://w3id.org/ipgraph/id/institution/own-blank-outlet> '
                  '<http://www.w3.org/2000/01/rdf-schema#seeAlso> [ '
                  '<http://www.w3.org/2000/01/rdf-schema#label> "说明（空白节点）"@zh ] .\n')
    code, _, err = cli(capsys, "load", str(data), "--data-dir", str(seeded_dir))
    assert code == 0, err
    store = EmbeddedStore(seeded_dir / "store")
    try:
        graph = "<https://w3id.org/ipgraph/graph/institution/own-blank-outlet>"
        lines = [line for line in export_quads(store, lambda g: True).decode().splitlines() if line.endswith(graph + " .")]
    finally:
        store.close()
    link = next(line for line in lines if "rdf-schema#seeAlso" in line)
    blank = link.split()[2]
    assert blank.startswith("_:")
    assert any(line.startswith(blank + " ") and "说明（空白节点）" in line for line in lines)


def test_the_preview_of_a_replace_sees_the_network_without_the_institutions_it_retires(tmp_path, sample_store):
    """An outlet in Daqing coordinated by Harbin's municipal node: 6.3.2.2 c (Info) sees that node's prefecture
    while the node stays, and no longer once the preview retires it."""
    from ipgraph.admin.staging import Staged
    from ipgraph.admin.write import Writer

    writer = Writer(sample_store)      # previews write nothing
    data = institution_file(tmp_path / "own.ttl", "daqing-hitech-park", "own-outlet")
    text = data.read_text(encoding="utf-8")
    coordinator = re.search(r"ipg:coordinatedBy <([^>]+)>", text).group(1)
    data.write_text(text.replace(coordinator, "https://w3id.org/ipgraph/id/institution/node-230100"), encoding="utf-8")

    def coordination(preview) -> list:
        return [r for r in preview.report.results if r.clause == "6.3.2.2 c"]

    kept = writer.preview(Staged.from_files([data], split=False))
    assert kept.change.retired == [] and coordination(kept)
    gone = writer.preview(Staged.from_files([data], split=False), retire={"node-230100"})
    assert gone.change.retired == ["node-230100"] and gone.change.triples_out > 0 and not coordination(gone)
    assert sample_store.ask("institution-exists", institution=URIRef(ID["institution/node-230100"]))
