"""The change feed (/api/changes), modified_after, and conditional GET on the documents mirrors fetch again.
One writable seeded store per module."""

from __future__ import annotations

import gzip
from datetime import datetime, timezone

import pytest
from fastapi.testclient import TestClient
from rdflib import Graph
from sample_copies import institution_copy

from ipgraph.settings import Settings
from ipgraph.store import changes as feed
from ipgraph.store.seed import SAMPLE_NETWORK
from ipgraph.web import create_app

TOKEN = "changes-test-token"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
TURTLE = {**AUTH, "Content-Type": "text/turtle"}


@pytest.fixture(scope="module")
def client(store):
    settings = Settings(admin_token=TOKEN, feedback_burst=1000, feedback_per_minute=1000)
    with TestClient(create_app(settings, store)) as client:
        yield client


def all_changes(client, **params) -> list[dict]:
    """Every change, following the ``next`` links."""
    page = client.get("/api/changes", params=params).json()
    found = list(page["changes"])
    while page["next"]:
        page = client.get(page["next"]).json()
        found += page["changes"]
    return found


def latest(client) -> str:
    return client.get("/api/changes", params={"limit": 1}).json()["latest"]


def upload(client, key: str, name: str) -> dict:
    response = client.post("/admin/upload", content=institution_copy(key, name), headers=TURTLE)
    assert response.status_code == 200, response.text
    return response.json()


def test_the_seeded_network_is_in_the_feed_as_a_load(client):
    sample = Graph().parse(SAMPLE_NETWORK)
    keys = {str(s).rsplit("/", 1)[-1] for s in sample.subjects()
            if str(s).startswith("https://w3id.org/ipgraph/id/institution/") and str(s).count("/") == 6}
    loaded = {c["institution"] for c in all_changes(client, limit=1000) if c["action"] == "load"}
    assert keys and keys <= loaded


def test_an_upload_is_a_change_after_the_time_before_it_and_not_after(client):
    before = latest(client)
    result = upload(client, "feed-upload-tisc", "变更测试中心")
    after = latest(client)
    assert after > before
    seen = all_changes(client, since=before)
    assert [(c["institution"], c["action"], c["removed"], c["activity"]) for c in seen] == \
        [("feed-upload-tisc", "upload", False, result["activity"])]
    assert all_changes(client, since=after) == []
    assert feed.parse_time(seen[0]["time"]) > feed.parse_time(before)


def test_evaluation_case_and_retirement_are_changes_and_feedback_is_not(client):
    upload(client, "feed-life-tisc", "生命周期中心")
    before = latest(client)
    assert client.post("/api/feedback", json={"institution": "feed-life-tisc", "rating": 4}).status_code in (200, 201)
    assert latest(client) == before                     # private feedback (5.5) is no public change
    assert client.post("/admin/institutions/feed-life-tisc/evaluations", headers=AUTH,
                       json={"kind": "summary", "date": "2026-03-01"}).status_code in (200, 201)
    assert client.post("/admin/institutions/feed-life-tisc/cases", headers=AUTH,
                       json={"title": "案例", "date": "2026-03-02"}).status_code in (200, 201)
    assert client.delete("/admin/institutions/feed-life-tisc", headers=AUTH).status_code == 200
    seen = [(c["action"], c["removed"]) for c in all_changes(client, since=before)
            if c["institution"] == "feed-life-tisc"]
    assert len(seen) == 3 and seen[-1] == ("retire", True), seen
    assert all(not removed for _, removed in seen[:2])


def test_pages_of_the_feed_join_up_to_the_whole_feed(client):
    whole = client.get("/api/changes", params={"limit": 1000}).json()
    paged = all_changes(client, limit=7)
    assert len(paged) == whole["total"] == len(whole["changes"]) > 7
    assert paged == whole["changes"]
    times = [c["time"] for c in paged]
    assert times == sorted(times, key=feed.parse_time)


@pytest.mark.parametrize("route,param", [("/api/changes", "since"), ("/api/institutions", "modified_after")])
def test_a_bad_time_is_400_in_both_languages_naming_the_parameter(client, route, param):
    response = client.get(route, params={param: "yesterday"})
    assert response.status_code == 400
    body = response.json()
    assert body["field"] == param and "yesterday" in body["message_zh"] and "ISO 8601" in body["message_en"]


def test_modified_after_lists_only_institutions_written_after(client):
    before = latest(client)
    upload(client, "feed-modified-tisc", "修改时间中心")
    listed = client.get("/api/institutions", params={"modified_after": before, "limit": 100}).json()
    assert [i["id"] for i in listed["institutions"]] == ["feed-modified-tisc"] and listed["total"] == 1
    everything = client.get("/api/institutions", params={"limit": 100}).json()["total"]
    long_ago = client.get("/api/institutions", params={"modified_after": "2000-01-01", "limit": 100}).json()
    assert long_ago["total"] == everything


def test_institution_page_answers_304_until_the_institution_changes(client):
    upload(client, "feed-page-tisc", "页面缓存中心")
    first = client.get("/id/institution/feed-page-tisc", params={"format": "ttl"})
    assert first.status_code == 200 and first.headers["etag"] and first.headers["last-modified"]
    again = client.get("/id/institution/feed-page-tisc", params={"format": "ttl"},
                       headers={"If-None-Match": first.headers["etag"]})
    assert again.status_code == 304 and again.content == b"" and again.headers["etag"] == first.headers["etag"]
    upload(client, "feed-page-tisc", "页面缓存中心（新名）")
    changed = client.get("/id/institution/feed-page-tisc", params={"format": "ttl"},
                         headers={"If-None-Match": first.headers["etag"]})
    assert changed.status_code == 200 and "新名" in changed.text and changed.headers["etag"] != first.headers["etag"]
    modified = datetime.strptime(changed.headers["last-modified"], "%a, %d %b %Y %H:%M:%S GMT")
    assert modified.replace(tzinfo=timezone.utc) >= datetime.strptime(
        first.headers["last-modified"], "%a, %d %b %Y %H:%M:%S GMT").replace(tzinfo=timezone.utc)


def test_if_modified_since_in_the_future_is_304_and_in_the_past_is_200(client):
    page = client.get("/id/institution/daqing-library")
    assert page.status_code == 200 and "last-modified" in page.headers
    assert client.get("/id/institution/daqing-library",
                      headers={"If-Modified-Since": "Fri, 01 Jan 2100 00:00:00 GMT"}).status_code == 304
    assert client.get("/id/institution/daqing-library",
                      headers={"If-Modified-Since": "Sat, 01 Jan 2000 00:00:00 GMT"}).status_code == 200


@pytest.mark.parametrize("path", ["/dataset?format=ttl", "/dumps/ipgraph.nt.gz"])
def test_dataset_and_dumps_answer_304_until_a_write(client, path):
    first = client.get(path)
    assert first.status_code == 200 and first.headers["last-modified"]
    tag = first.headers["etag"]
    assert client.get(path, headers={"If-None-Match": tag}).status_code == 304
    upload(client, "feed-dump-tisc-" + str(abs(hash(path)) % 1000), "转储测试中心")
    changed = client.get(path, headers={"If-None-Match": tag})
    assert changed.status_code == 200 and changed.headers["etag"] != tag
    if path.startswith("/dumps"):
        assert b"feed-dump-tisc" in gzip.decompress(changed.content)
