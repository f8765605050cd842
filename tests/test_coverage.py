"""docs/clause-coverage.md lists every clause of chapters 5–7 with its shapes or a reason, and is up to date."""

from ipgraph.model.spec import requirement_clauses
from ipgraph.validation import coverage


def test_every_clause_of_chapters_5_to_7_has_shapes_or_a_reason():
    rows = coverage.rows()
    assert len(rows) == len(requirement_clauses()) > 90
    for clause, shapes, note in rows:
        assert shapes or note, clause.id


def test_clause_index_reads_the_modal_verbs_of_the_text():
    verbs = {c.id: c.verb for c in requirement_clauses()}
    assert verbs["5.2"] == "应" and verbs["7.1"] == "应" and verbs["7.2"] == "应"
    assert verbs["5.5-3"] == "应"                   # the 应 inside a 宜 clause
    assert verbs["5.5-2"] == "宜" and verbs["5.4-5"] == "宜"   # 应用 is not a modal verb
    assert verbs["6.3.3.2 g"] == "可"               # nor is 应对
    assert verbs["6.1 c"] == "可" and verbs["6.3.1"] == "宜" and verbs["7.3"] == "宜"
    assert [c.id for c in requirement_clauses() if c.id.startswith("5.3-")] == [f"5.3-{n}" for n in range(1, 6)]


def test_every_shape_clause_is_a_clause_of_the_index():
    ids = {c.id for c in requirement_clauses()} | {"3.3"}
    assert set(coverage.shapes_by_clause()) <= ids


def test_the_committed_table_is_up_to_date():
    assert coverage.COVERAGE_FILE.read_text(encoding="utf-8") == coverage.render(), \
        "docs/clause-coverage.md is out of date: run `python -m ipgraph.validation.coverage`"
