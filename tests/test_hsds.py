"""The HSDS 3.0.1 profile under /hsds/: every answer valid against the official JSON Schemas (standards/hsds-3),
the filters, the tabular export, and a mirror kept with modified_after that ends identical to a full fetch."""

from __future__ import annotations

import csv
import io
import json
import zipfile
from datetime import datetime
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from jsonschema import Draft202012Validator, FormatChecker
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012
from sample_copies import institution_copy

from ipgraph.matching.hsds import uid
from ipgraph.model.places import haversine_km
from ipgraph.settings import Settings
from ipgraph.web import create_app

HSDS = Path(__file__).parents[1] / "standards" / "hsds-3"
BASE = "https://hsds.invalid/"
TOKEN = "hsds-test-token"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
INSTITUTION = "https://w3id.org/ipgraph/id/institution/"


def _registry() -> Registry:
    resources = []
    for path in HSDS.glob("*.json"):
        contents = json.loads(path.read_text(encoding="utf-8"))
        if isinstance(contents, dict) and "properties" in contents:
            resources.append((BASE + path.name, Resource.from_contents({**contents, "$id": BASE + path.name},
                                                                      default_specification=DRAFT202012)))
    return Registry().with_resources(resources)


REGISTRY = _registry()
PAGE = json.loads((HSDS / "openapi.json").read_text(encoding="utf-8"))["components"]["schemas"]["Page"]


def validator(name: str) -> Draft202012Validator:
    return Draft202012Validator({"$ref": BASE + name + ".json"}, registry=REGISTRY, format_checker=FormatChecker())


def check(obj: dict, name: str) -> None:
    errors = sorted(validator(name).iter_errors(obj), key=lambda e: list(e.path))
    assert not errors, [f"{'/'.join(map(str, e.path))}: {e.message}" for e in errors[:5]]
    if "last_modified" in obj:
        datetime.fromisoformat(obj["last_modified"])   # format "date-time" is not checked without extras


def check_page(body: dict, name: str) -> list[dict]:
    page_errors = list(Draft202012Validator(PAGE).iter_errors(body))
    assert not page_errors, page_errors[:3]
    assert body["size"] == len(body["contents"])
    for item in body["contents"]:
        check(item, name)
    return body["contents"]


def every(client, route: str, **params) -> list[dict]:
    """Every item of a paged HSDS route, following page numbers to the last page."""
    found, number = [], 1
    while True:
        body = client.get(route, params={**params, "page": number, "per_page": 100}).json()
        found += body["contents"]
        if body["last_page"]:
            return found
        number += 1


@pytest.fixture(scope="module")
def client(store):
    with TestClient(create_app(Settings(admin_token=TOKEN), store)) as client:
        yield client


@pytest.mark.parametrize("route,name,params", [
    ("/hsds/services", "service", {}), ("/hsds/services", "service", {"full": "true"}),
    ("/hsds/organizations", "organization", {}), ("/hsds/organizations", "organization", {"full_service": "true"}),
    ("/hsds/service_at_locations", "service_at_location", {"full": "true"}),
    ("/hsds/taxonomies", "taxonomy", {}), ("/hsds/taxonomy_terms", "taxonomy_term", {}),
    ("/hsds/taxonomy_terms", "taxonomy_term", {"lang": "en"}),
])
def test_every_page_of_every_list_is_schema_valid(client, route, name, params):
    number, seen = 1, 0
    while True:
        response = client.get(route, params={**params, "page": number, "per_page": 200})
        assert response.status_code == 200, response.text
        body = response.json()
        seen += len(check_page(body, name))
        if body["last_page"]:
            break
        number += 1
    assert seen == body["total_items"] > 0


def test_objects_by_id_are_schema_valid_and_fully_nested(client):
    first = client.get("/hsds/services", params={"per_page": 1}).json()["contents"][0]
    service = client.get(f"/hsds/services/{first['id']}").json()
    check(service, "service")
    assert service["organization"]["id"] == service["organization_id"]
    at = service["service_at_locations"][0]
    check(client.get(f"/hsds/service_at_locations/{at['id']}").json(), "service_at_location")
    organization = client.get(f"/hsds/organizations/{service['organization_id']}").json()
    check(organization, "organization")
    assert first["id"] in {s["id"] for s in organization["services"]}
    for item in organization["services"]:
        check(item, "service")
    term = service["attributes"][0]["taxonomy_term"]
    check(client.get(f"/hsds/taxonomy_terms/{term['id']}").json(), "taxonomy_term")
    check(client.get(f"/hsds/taxonomies/{term['taxonomy_id']}").json(), "taxonomy")
    missing = client.get("/hsds/services/00000000-0000-0000-0000-000000000000")
    assert missing.status_code == 404 and missing.json()["message_zh"] and missing.json()["message_en"]


def test_services_follow_the_graph(client, sample_matcher):
    """Each offering of the records is one service, with its fee as a cost option and its concept as a term."""
    iri = INSTITUTION + "hrb-songbei-tisc"
    record = sample_matcher.records([iri])[iri]
    services = every(client, "/hsds/services", organization_id=uid(iri), full="true")
    assert {s["id"] for s in services} == {uid(o.iri) for o in record.offerings}
    by_id = {s["id"]: s for s in services}
    for offering in record.offerings:
        service = by_id[uid(offering.iri)]
        terms = {a["taxonomy_term"]["term_uri"] for a in service["attributes"]}
        assert set(offering.concepts) <= terms and set(offering.ip_types) <= terms
        if offering.fee and offering.fee.endswith("/fee/free"):
            assert service["cost_options"][0]["amount"] == 0 and service["cost_options"][0]["currency"] == "CNY"
    location = services[0]["service_at_locations"][0]["location"]
    assert (location["latitude"], location["longitude"]) == (record.lat, record.lon)


def test_opening_hours_are_the_location_s_schedules(client):
    """The institution page's opening hours, as HSDS schedules: weekly, iCal day codes, China Standard Time; in the
    organization, its services' locations and the tabular export alike; none invented where none is recorded."""
    iri = INSTITUTION + "hrb-songbei-tisc"
    hours = client.get("/api/institutions/hrb-songbei-tisc").json()["opening_hours"]
    assert hours  # the sample institution has sample hours
    organization = client.get(f"/hsds/organizations/{uid(iri)}").json()
    schedules = organization["locations"][0]["schedules"]
    for schedule in schedules:
        check(schedule, "schedule")
    codes = {"Monday": "MO", "Tuesday": "TU", "Wednesday": "WE", "Thursday": "TH", "Friday": "FR",
             "Saturday": "SA", "Sunday": "SU"}
    assert [(s["byday"], s["opens_at"], s["closes_at"], s["freq"]) for s in schedules] == [
        (",".join(codes[d] for d in h["days"]), h["opens"] + "+08:00", h["closes"] + "+08:00", "WEEKLY") for h in hours]
    service = client.get(f"/hsds/services/{organization['services'][0]['id']}").json()
    assert service["service_at_locations"][0]["location"]["schedules"] == schedules
    real = client.get(f"/hsds/organizations/{uid(INSTITUTION + 'nefu-tisc')}").json()
    assert "schedules" not in real["locations"][0]  # no hours recorded: no schedule
    archive = zipfile.ZipFile(io.BytesIO(client.get("/hsds/export.zip").content))
    rows = list(csv.DictReader(io.StringIO(archive.read("schedules.csv").decode("utf-8"))))
    assert {r["id"] for r in rows} >= {s["id"] for s in schedules}


def test_taxonomy_term_takes_in_the_narrower_terms(client, sample_matcher):
    catalog = sample_matcher.vocabulary.services
    broad = next(c for c in catalog.concepts.values() if c.notation == "6.1")
    under = {uid(i) for i in catalog.descendants(broad.iri)}
    found = every(client, "/hsds/services", taxonomy_term_id=uid(broad.iri), full="true")
    assert found
    assert all(any(a["taxonomy_term_id"] in under for a in s["attributes"]) for s in found)
    narrow = [s for s in found if not any(a["taxonomy_term_id"] == uid(broad.iri) for a in s["attributes"])]
    assert narrow, "a broad term should find services filed under its narrower terms"
    assert client.get("/hsds/taxonomy_terms", params={"parent_id": uid(broad.iri)}).json()["total_items"] > 0


def test_proximity_keeps_only_what_is_near_and_nearest_first(client):
    point = (45.80, 126.53)
    body = every(client, "/hsds/service_at_locations", proximity=15000, near=f"{point[0]},{point[1]}", full="true")
    distances = [haversine_km(*point, a["location"]["latitude"], a["location"]["longitude"]) for a in body]
    assert body and all(d <= 15.0 for d in distances) and distances == sorted(distances)
    everything = every(client, "/hsds/service_at_locations", full="true")
    assert len(body) < len(everything)
    assert client.get("/hsds/service_at_locations", params={"proximity": 5000, "near": "哈尔滨"}).json()["total_items"] > 0


@pytest.mark.parametrize("params,field", [({"proximity": 1000, "near": "91,200"}, "near"),
                                          ({"proximity": 1000, "near": "没有这个地方"}, "near"),
                                          ({"proximity": 1000}, "near"),
                                          ({"modified_after": "last tuesday"}, "modified_after")])
def test_bad_parameters_are_400_in_both_languages(client, params, field):
    response = client.get("/hsds/service_at_locations", params=params)
    assert response.status_code == 400, response.text
    body = response.json()
    assert body["field"] == field and body["message_zh"] and body["message_en"]


def test_tabular_export_is_a_datapackage_whose_rows_match_the_api(client):
    archive = zipfile.ZipFile(io.BytesIO(client.get("/hsds/export.zip").content))
    package = json.loads(archive.read("datapackage.json"))
    assert package["profile"] == "tabular-data-package"
    tables = {}
    for resource in package["resources"]:
        reader = csv.DictReader(io.StringIO(archive.read(resource["path"]).decode("utf-8")))
        assert reader.fieldnames == [f["name"] for f in resource["schema"]["fields"]]
        tables[resource["name"]] = list(reader)
    services = every(client, "/hsds/services")
    assert {r["id"] for r in tables["service"]} == {s["id"] for s in services}
    numbers = {f["name"] for r in package["resources"] if r["name"] == "location" for f in r["schema"]["fields"]
               if f["type"] == "number"}
    for row in tables["location"]:
        item = {k: (float(v) if k in numbers else v) for k, v in row.items() if v != ""}
        check(item, "location")
    service_ids = {r["id"] for r in tables["service"]}
    assert all(r["service_id"] in service_ids for r in tables["service_at_location"])
    assert all(r["link_id"] in service_ids for r in tables["attribute"])


# -- a mirror ---------------------------------------------------------------------------------------------

def _upload(client, body: bytes) -> None:
    response = client.post("/admin/upload", content=body, headers={**AUTH, "Content-Type": "text/turtle"})
    assert response.status_code == 200, response.text[:500]


def test_a_mirror_kept_with_modified_after_ends_identical_to_a_full_fetch(client):
    _upload(client, institution_copy("hsds-mirror-a", "镜像测试甲"))
    _upload(client, institution_copy("hsds-mirror-b", "镜像测试乙"))
    mirror = {s["id"]: s for s in every(client, "/hsds/services", full="true")}
    mark = client.get("/api/changes", params={"limit": 1}).json()["latest"]

    _upload(client, institution_copy("hsds-mirror-a", "镜像测试甲（改名）"))     # changed
    _upload(client, institution_copy("hsds-mirror-c", "镜像测试丙"))              # new
    assert client.delete("/admin/institutions/hsds-mirror-b", headers=AUTH).status_code == 200   # gone

    # the consumer: which institutions changed (the feed), then their services as they are now
    touched = {uid(c["iri"]) for c in client.get("/api/changes", params={"since": mark, "limit": 1000}).json()["changes"]}
    fresh = every(client, "/hsds/services", full="true", modified_after=mark)
    assert fresh and {s["organization_id"] for s in fresh} <= touched
    mirror = {i: s for i, s in mirror.items() if s["organization_id"] not in touched}
    mirror.update({s["id"]: s for s in fresh})

    full = {s["id"]: s for s in every(client, "/hsds/services", full="true")}
    assert mirror == full
    assert any(s["organization"]["name"] == "镜像测试甲（改名）" for s in full.values())
    assert not any(s["organization_id"] == uid(INSTITUTION + "hsds-mirror-b") for s in full.values())
    assert len(fresh) < len(full)
