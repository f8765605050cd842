"""`ipgraph match`: the ranked table or the API's JSON; a bad place is a clean message and exit code 2."""

from __future__ import annotations

import json

import pytest

from ipgraph.cli import main as cli


class _Borrowed:
    """The session's sample store lent to the command, which closes what it opened."""

    def __init__(self, store):
        self._store = store

    def __getattr__(self, name):
        return getattr(self._store, name)

    def close(self):
        pass


@pytest.fixture
def borrowed_store(monkeypatch, sample_store):
    monkeypatch.setattr("ipgraph.store.seed.open_embedded", lambda *args, **kwargs: _Borrowed(sample_store))


def test_match_prints_the_ranked_table(borrowed_store, capsys, sample_matcher):
    assert cli.main(["match", "侵权分析", "--near", "哈尔滨", "--limit", "3"]) == 0
    out = capsys.readouterr().out.splitlines()
    expected = sample_matcher.match("侵权分析", near="哈尔滨", limit=3)
    assert "侵权分析类服务" in out[0] and "黑龙江省哈尔滨市" in out[0]
    rows = out[2:2 + len(expected.results)]
    assert [row.split()[0] for row in rows] == ["1", "2", "3"]
    for row, result in zip(rows, expected.results):
        assert row.split()[1] == f"{round(result.distance_km, 3):.1f}"  # as the JSON answer gives it (m)


def test_match_json_is_the_api_answer(borrowed_store, capsys, sample_matcher):
    assert cli.main(["match", "where in Harbin can I get an FTO search", "--json", "--lang", "en"]) == 0
    body = json.loads(capsys.readouterr().out)
    assert body["interpretation"]["place"]["region"]["adcode"] == "230100"
    assert [c["notation"] for c in body["interpretation"]["concepts"]] == ["6.3.3.2-h-2"]
    assert body["results"] and body["results"][0]["label"] == body["results"][0]["labels"]["en"]


def test_an_unknown_place_exits_2_with_suggestions(borrowed_store, capsys):
    assert cli.main(["match", "侵权分析", "--near", "哈尔宾滨"]) == 2
    err = capsys.readouterr().err
    assert "哈尔宾滨" in err and "黑龙江省哈尔滨市" in err and "Traceback" not in err


def test_the_table_says_what_the_answers_notices_say(borrowed_store, capsys, sample_matcher):
    assert cli.main(["match", "专利价值评估", "--near", "北京", "--lang", "en"]) == 0
    out = capsys.readouterr().out
    answer = sample_matcher.result_json(sample_matcher.match("专利价值评估", near="北京"), "en")
    for notice in answer["notices"]:
        assert f"Note: {notice['message']}" in out
    assert {n["code"] for n in answer["notices"]} == {"no_offering", "outside_network"}
    assert "(no institution matches)" in out and "Alternatives (broader service)" in out
    assert answer["alternative"]["results"][0]["label"][:20] in out
