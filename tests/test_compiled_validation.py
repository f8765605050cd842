"""The compiled validation engine (shapes → SPARQL) against pySHACL, the reference: the same findings —
(focus node, result path, source shape, severity) — on every SHACL component the compiler knows, the shape
cases, the example and sample networks and a generated network with planted defects; incremental
re-validation after an institution's graph is replaced agrees with a full run."""

from __future__ import annotations

import re
import sys
from pathlib import Path

import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDF, RDFS, SH, SKOS, Namespace

from ipgraph.model.iris import ID, IPG, WGS84, institution_graph
from ipgraph.paths import DATA_DIR, HOME
from ipgraph.store.seed import ONTOLOGY_FILE, SAMPLE_NETWORK, SCHEME_FILES
from ipgraph.validation import reference
from ipgraph.validation.compiled import CompiledEngine, graph_store, pyshacl_keys, validate_graph
from ipgraph.validation.compiler import (FOCUS_SLOT, compile_shapes, expand_prefixed_names, rewrite_not_exists,
                                         sparql_sweep_text, sweep_text)
from ipgraph.validation.incremental import IncrementalValidation

EX = Namespace("http://example.org/")
CASES = Path(__file__).parent / "shapes"
CASE_DIRS = sorted(p for p in CASES.iterdir() if p.is_dir())
EXAMPLE = DATA_DIR / "examples" / "non-compliant.ttl"

ZOO_SHAPES = """
@prefix sh: <http://www.w3.org/ns/shacl#> . @prefix ex: <http://example.org/> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> . @prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
ex:Person a sh:NodeShape ; sh:targetClass ex:Person ;
  sh:property [ sh:path ex:name ; sh:minCount 1 ; sh:maxCount 1 ; sh:datatype xsd:string ; sh:minLength 2 ] ,
    [ sh:path ex:age ; sh:datatype xsd:integer ; sh:minInclusive 0 ; sh:maxExclusive 150 ] ,
    [ sh:path ex:score ; sh:minExclusive 0 ; sh:maxInclusive 10 ; sh:severity sh:Warning ] ,
    [ sh:path ex:email ; sh:pattern "^[a-z]+@EXAMPLE\\\\.org$" ; sh:flags "i" ] ,
    [ sh:path ex:label ; sh:languageIn ( "zh" "en" ) ; sh:uniqueLang true ] ,
    [ sh:path ex:knows ; sh:class ex:Agent ; sh:nodeKind sh:IRI ] ,
    [ sh:path ex:status ; sh:in ( ex:active ex:retired ) ] ,
    [ sh:path ex:friend ; sh:node ex:Named ] ,
    [ sh:path [ sh:inversePath ex:employs ] ; sh:maxCount 1 ; sh:severity sh:Info ] ,
    [ sh:path ( ex:worksFor ex:locatedIn ) ; sh:hasValue ex:Earth ] ,
    [ sh:path [ sh:alternativePath ( ex:knows ex:friend ) ] ; sh:qualifiedValueShape [ sh:class ex:Adult ] ;
      sh:qualifiedMinCount 1 ; sh:qualifiedMaxCount 2 ] ,
    [ sh:path [ sh:zeroOrMorePath ex:parent ] ; sh:minCount 2 ] ,
    [ sh:path [ sh:oneOrMorePath ex:parent ] ; sh:not [ sh:class ex:Robot ] ] ,
    [ sh:path [ sh:zeroOrOnePath ex:nick ] ; sh:nodeKind sh:BlankNodeOrIRI ] ,
    [ sh:path ex:nick ; sh:sparql [ sh:select "SELECT $this ?value WHERE { $this $PATH ?value . FILTER(STRLEN(STR(?value)) > 5) }" ] ] ;
  sh:or ( [ sh:path ex:name ; sh:minCount 1 ] [ sh:path ex:nick ; sh:minCount 1 ] ) ;
  sh:and ( [ sh:path ex:age ; sh:maxCount 1 ] [ sh:path ex:status ; sh:maxCount 1 ] ) .
ex:OnlyActive a sh:NodeShape ; sh:targetClass ex:Person ; sh:severity sh:Info ;
  sh:not [ sh:path ex:status ; sh:minCount 1 ; sh:in ( ex:active ) ] ;
  sh:property [ sh:path ex:knows ; sh:qualifiedValueShape [ sh:path ex:id ; sh:minCount 1 ; sh:datatype xsd:integer ;
    sh:maxInclusive 1 ] ; sh:qualifiedMinCount 1 ] .
ex:Named a sh:NodeShape ; sh:property [ sh:path ex:name ; sh:minCount 1 ] .
ex:Agent a rdfs:Class , sh:NodeShape ; sh:property [ sh:path ex:id ; sh:minCount 1 ] .
ex:Nodes a sh:NodeShape ; sh:targetNode ex:alice , ex:nobody ; sh:class ex:Person .
ex:Subjects a sh:NodeShape ; sh:targetSubjectsOf ex:employs ; sh:nodeKind sh:IRI ; sh:datatype xsd:string .
ex:Objects a sh:PropertyShape ; sh:targetObjectsOf ex:worksFor ; sh:path ex:locatedIn ; sh:minCount 1 .
ex:Off a sh:NodeShape ; sh:targetClass ex:Person ; sh:deactivated true ; sh:property [ sh:path ex:zzz ; sh:minCount 1 ] .
ex:prefixes sh:declare [ sh:prefix "ex" ; sh:namespace "http://example.org/"^^xsd:anyURI ] .
ex:NoCycle a sh:NodeShape ; sh:targetClass ex:Person ; sh:sparql [ sh:message "cycle"@en ;
  sh:select "SELECT $this WHERE { $this ex:parent+ $this . FILTER NOT EXISTS { $this ex:ok true } }" ;
  sh:prefixes ex:prefixes ] .
ex:EmployerOnEarth a sh:NodeShape ; sh:targetClass ex:Person ; sh:sparql [ sh:message "employer not on Earth"@en ;
  sh:select "SELECT $this ?value WHERE { $this ex:worksFor ?value . FILTER NOT EXISTS { $this ex:worksFor|^ex:employs ?value . ?value ex:locatedIn/ex:partOf* ex:Earth } }" ;
  sh:prefixes ex:prefixes ] .
ex:EmployerInFrance a sh:NodeShape ; sh:targetClass ex:Person ; sh:sparql [ sh:message "employer not in France"@en ;
  sh:select "SELECT $this ?value WHERE { $this ex:worksFor ?value . FILTER NOT EXISTS { ?value ex:locatedIn ?place . ?place ex:partOf* ex:France } }" ;
  sh:prefixes ex:prefixes ] .
ex:EmployerInParis a sh:NodeShape ; sh:targetClass ex:Person ; sh:sparql [ sh:message "no employer in Paris"@en ;
  sh:select "SELECT $this WHERE { FILTER NOT EXISTS { $this (ex:worksFor|^ex:employs)/ex:locatedIn ex:Paris } }" ;
  sh:prefixes ex:prefixes ] .
ex:EmployerInNestedRegion a sh:NodeShape ; sh:targetClass ex:Person ; sh:sparql [ sh:message "no employer in a region of a region"@en ;
  sh:select "SELECT $this WHERE { FILTER NOT EXISTS { $this (ex:worksFor|^ex:employs)/ex:locatedIn ?place . ?place ex:partOf ?up . FILTER NOT EXISTS { ?up ex:partOf ex:France } } }" ;
  sh:prefixes ex:prefixes ] .
ex:EmployerBelowCountry a sh:NodeShape ; sh:targetClass ex:Person ; sh:sparql [ sh:message "employer below a country"@en ;
  sh:select "SELECT $this ?value ?region WHERE { $this ex:worksFor ?value . ?value ex:locatedIn/ex:partOf* ?region .\\n  # (a comment)\\n  ?region ex:partOf ?up . FILTER(?up != ex:Earth) }" ;
  sh:prefixes ex:prefixes ] .
ex:ParentWithoutId a sh:NodeShape ; sh:targetClass ex:Person ; sh:sparql [ sh:message "parent without id"@en ;
  sh:select "SELECT $this ?value WHERE { { SELECT DISTINCT $this WHERE { ?child ex:parent $this } } $this ex:parent ?value . FILTER NOT EXISTS { ?value ex:id ?id } }" ;
  sh:prefixes ex:prefixes ] .
"""

ZOO_DATA = """
@prefix ex: <http://example.org/> . @prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
ex:Adult rdfs:subClassOf ex:Person . ex:Person rdfs:subClassOf ex:Agent . ex:Robot rdfs:subClassOf ex:Agent .
ex:alice a ex:Adult ; ex:name "Alice" ; ex:age 30 ; ex:score 5 ; ex:email "alice@example.org" ; ex:id 1 ;
  ex:label "爱丽丝"@zh , "Alice"@en ; ex:knows ex:bob ; ex:status ex:active ; ex:friend ex:bob ;
  ex:worksFor ex:acme ; ex:parent ex:carol ; ex:nick "ally" .
ex:bob a ex:Person ; ex:name "B" , "Bobby" ; ex:age "old"^^xsd:integer , 200 ; ex:score 0 , 11 ;
  ex:email "bob@example.com" , "BOB@EXAMPLE.ORG" ; ex:label "Bob"@en , "Robert"@en , "Bob"@de ;
  ex:knows "carol" , ex:robo ; ex:status ex:gone ; ex:friend ex:anon ; ex:parent ex:robo , ex:bob ;
  ex:worksFor ex:nowhere ; ex:nick "bobby-the-great" , [ ex:x 1 ] ; ex:id 2 .
ex:carol a ex:Person ; ex:nick "c" ; ex:age 40 , 41 ; ex:status ex:active , ex:retired ; ex:parent ex:dave ; ex:id 3 .
ex:robo a ex:Robot . ex:anon ex:age 3 .
ex:acme ex:employs ex:alice , ex:bob ; ex:locatedIn ex:Earth .
ex:carol ex:worksFor ex:lab . ex:lab ex:locatedIn ex:Paris . ex:Paris ex:partOf ex:France . ex:France ex:partOf ex:Earth .
ex:bigco ex:employs ex:alice .
"""

ZOO_FALLBACK = """
@prefix sh: <http://www.w3.org/ns/shacl#> . @prefix ex: <http://example.org/> .
ex:OneOf a sh:NodeShape ; sh:targetClass ex:Person ;
  sh:xone ( [ sh:path ex:name ; sh:minCount 1 ] [ sh:path ex:nick ; sh:minCount 1 ] ) .
"""


def _parse(*texts: str) -> Graph:
    graph = Graph()
    for text in texts:
        graph.parse(data=text, format="turtle")
    return graph


def _differential(data: Graph, *, shapes: Graph | None = None, ref: Graph | None = None,
                  engine: CompiledEngine | None = None):
    """(compiled keys, pySHACL keys) for one data graph."""
    shapes = shapes if shapes is not None else reference.shapes_graph()
    ref = ref if ref is not None else reference.reference_graph()
    engine = engine or CompiledEngine(shapes)
    expected = pyshacl_keys(reference.validate(data, shapes=shapes, reference=ref).graph, shapes)
    store = graph_store(data, ref)
    try:
        got = {f.key(shapes) for f in engine.findings(store)}
        # a small network's shapes all have few focus nodes, which a sweep checks as a partial run: the sweep's
        # own texts (hash joins) must find the same
        assert {f.key(shapes) for f in engine.findings(store, few_focus_nodes=0)} == got
    finally:
        store.close()
    return got, expected


@pytest.fixture(scope="session")
def engine():
    return CompiledEngine()


# -- the compiler ---------------------------------------------------------------------------------------

def test_every_project_shape_compiles():
    compiled = compile_shapes(reference.shapes_graph())
    assert compiled.fallback == {}
    assert len(compiled.checks) >= 40


def test_every_compiled_component_gives_pyshacls_findings():
    shapes = _parse(ZOO_SHAPES)
    got, expected = _differential(_parse(ZOO_DATA), shapes=shapes, ref=Graph())
    assert got == expected
    assert len(expected) >= 25      # the zoo data breaks most constraints at least once
    components = {c.component for c in CompiledEngine(shapes).checks}
    assert {SH.QualifiedMaxCountConstraintComponent, SH.UniqueLangConstraintComponent,
            SH.SPARQLConstraintComponent, SH.NotConstraintComponent} <= components


def test_a_run_for_some_focus_nodes_gives_exactly_their_findings_of_a_full_run():
    """Incremental validation rests on this: every check, sub-selects of SPARQL constraints included, narrowed
    to given focus nodes finds what a full run finds for them, no more, no less."""
    shapes = _parse(ZOO_SHAPES)
    engine = CompiledEngine(shapes)
    store = graph_store(_parse(ZOO_DATA), Graph())
    try:
        full = engine.findings(store)
        assert any(f.shape == EX.ParentWithoutId for f in full)
        for node in sorted({f.focus for f in full if isinstance(f.focus, URIRef)}, key=str):
            assert set(engine.findings(store, [node])) == {f for f in full if f.focus == node}, node
    finally:
        store.close()


def test_a_sweep_written_for_hash_joins_finds_the_rows_of_the_query_it_rewrites(network_store, engine):
    """Sweeps run some checks rewritten (focus patterns, value class tests and two-step paths as sub-selects, an
    implied focus pattern left out, a MINUS over triple patterns hashed, the inner DISTINCTs of core checks
    dropped): on a generated network with planted defects, each rewritten check answers exactly what its plain
    query answers."""
    rewritten = [c for c in engine.checks if c.sweep]
    assert len(rewritten) >= 5
    assert any("{ SELECT ?_step" in c.sweep for c in rewritten)      # a sequence path was split
    assert any("MINUS { { SELECT ?this WHERE { { SELECT ?this ?value WHERE" in c.sweep     # a qualified count's
               for c in rewritten if c.component == SH.QualifiedMinCountConstraintComponent)   # MINUS, hashed
    # a MINUS whose path is an alternative with an inverse, (p|(^q)) as path_text writes it, hashed as p|^q
    assert any(re.search(r"MINUS \{ \{ SELECT \?this WHERE \{ \{ SELECT \?this \?\w+ WHERE \{ \?this <[^<>]+>\|\^<", c.sweep)
               for c in rewritten)
    # a type test with a variable class (FocusService-6.3.1's) is looked up from the pattern binding the class
    assert any(re.search(r"\{ SELECT [^{}]*WHERE \{ \?\w+ <[^<>]+> \?(\w+) \. \?this a \?\1 \} \}", c.sweep) for c in rewritten)
    # a value that must be in a list, looked up by its listed values
    assert any(re.search(r"\?_n\d+ \. VALUES \?_n\d+ \{ <", c.sweep) for c in rewritten)
    # a core check keeps one inner DISTINCT only: a class test of its value nodes, once per value node
    inner = [m.group(1) for c in rewritten if c.component != SH.SPARQLConstraintComponent
             for m in re.finditer(r"SELECT DISTINCT [^{}]*WHERE \{ ([^{}]*)\}", c.sweep.split("SELECT DISTINCT", 1)[1])]
    assert inner and all(f" {RDF.type.n3()}/{RDFS.subClassOf.n3()}* " in pattern for pattern in inner)
    rows = lambda text: {tuple(sorted(row.items())) for row in network_store.select_text(text)}
    found_any = False
    for check in rewritten:
        plain = rows(check.query.replace(FOCUS_SLOT, ""))
        assert rows(check.text()) == plain, check.shape
        found_any |= bool(plain)
    assert found_any       # some rewritten check has findings on this network


def test_a_list_filter_becomes_values_only_where_the_pattern_before_it_binds_the_value():
    listed = "FILTER(!(!(sameTerm(?v, <http://example.org/a>) || sameTerm(?v, <http://example.org/b>))))"
    bound = f"SELECT DISTINCT ?this WHERE {{ {{ ?this <http://example.org/p> ?v . {listed} }} }}"
    assert "VALUES ?v { <http://example.org/a> <http://example.org/b> }" in sweep_text(bound)
    assert "FILTER" not in sweep_text(bound)
    unbound = f"SELECT DISTINCT ?this WHERE {{ {{ ?this <http://example.org/p> ?w . {listed} }} }}"
    assert listed in sweep_text(unbound)    # a FILTER over an unbound ?v removes the row; VALUES would keep it
    projected = f"SELECT DISTINCT ?this WHERE {{ {{ SELECT ?this WHERE {{ ?this <http://example.org/p> ?v }} }} {listed} }}"
    assert listed in sweep_text(projected)   # the sub-select does not project ?v


def test_a_shape_the_compiler_cannot_translate_falls_back_to_pyshacl_and_says_so():
    shapes = _parse(ZOO_SHAPES, ZOO_FALLBACK)
    with pytest.warns(UserWarning, match="OneOf.*pySHACL.*xone"):
        engine = CompiledEngine(shapes)
    assert list(engine.compiled.fallback) == [URIRef("http://example.org/OneOf")]
    assert any("OneOf" in note for note in engine.notes)
    got, expected = _differential(_parse(ZOO_DATA), shapes=shapes, ref=Graph(), engine=engine)
    assert got == expected
    assert any(key[2] == URIRef("http://example.org/OneOf") for key in got)


def test_prefixed_names_become_iris_outside_strings_and_iris():
    text = 'SELECT ?x WHERE { ?x svc:6.3.3.2-h-2 "svc:a" ; <http://e/svc:b> svc:6.1 . } # svc:c'
    assert expand_prefixed_names(text, {"svc": "http://s/"}) == (
        'SELECT ?x WHERE { ?x <http://s/6.3.3.2-h-2> "svc:a" ; <http://e/svc:b> <http://s/6.1> . } # svc:c')


def test_a_sweep_joins_a_not_exists_over_triple_patterns_by_hashing_and_finds_the_same_rows():
    """A sweep of a SPARQL-based constraint evaluates a NOT EXISTS over plain triple patterns once, as hashed
    sub-selects (a sequence path split per step, a p* step walked from the ends of the step before); a left
    join the store re-evaluates per row is left as it is. The rows equal those of the plain query."""
    shapes = _parse(ZOO_SHAPES)
    engine = CompiledEngine(shapes)
    on_earth = next(c for c in engine.checks if c.shape == EX.EmployerOnEarth)        # locatedIn/partOf*
    in_france = next(c for c in engine.checks if c.shape == EX.EmployerInFrance)      # partOf* from ?place
    for check in (on_earth, in_france):
        assert check.sweep and "(true AS ?_absent" in check.sweep
        # the walk starts from the distinct nodes bound before it, not from every term of the store
        assert re.search(r"\{ SELECT DISTINCT \?\w+ WHERE \{[^{}]*\} \} \?\w+ " + re.escape(EX.partOf.n3()) + r"\*",
                         check.sweep)
    store = graph_store(_parse(ZOO_DATA), Graph())
    try:
        rows = lambda text: {tuple(sorted(row.items())) for row in store.select_text(text)}
        for check, found in ((on_earth, {EX.bob}), (in_france, {EX.alice, EX.bob})):
            plain = rows(check.query.replace(FOCUS_SLOT, ""))
            assert plain == rows(check.text())
            assert {dict(row)["this"] for row in plain} == found      # the lab is in Paris, in France, on Earth
    finally:
        store.close()

    def plain_and_sweep(check):
        """The rows of a check's plain query and of its sweep text on the zoo data."""
        zoo = graph_store(_parse(ZOO_DATA), Graph())
        try:
            answer = lambda text: {tuple(sorted(row.items())) for row in zoo.select_text(text)}
            return answer(check.query.replace(FOCUS_SLOT, "")), answer(check.text())
        finally:
            zoo.close()

    # a step (p|^q) of a sequence, hashed as the alternative it is
    in_paris = next(c for c in engine.checks if c.shape == EX.EmployerInParis)
    assert f"{{ SELECT ?this ?_hash0 WHERE {{ ?this {EX.worksFor.n3()}|^{EX.employs.n3()} ?_hash0 }} }}" in in_paris.sweep
    plain, swept = plain_and_sweep(in_paris)
    assert plain == swept and {dict(row)["this"] for row in plain} == {EX.alice, EX.bob}
    # the constraint's own triple patterns too, across a comment and up to its FILTER
    below = next(c for c in engine.checks if c.shape == EX.EmployerBelowCountry)
    assert f"{{ SELECT ?this ?value WHERE {{ ?this {EX.worksFor.n3()} ?value }} }}" in below.sweep
    assert f"{{ SELECT ?region ?up WHERE {{ ?region {EX.partOf.n3()} ?up }} }}" in below.sweep
    plain, swept = plain_and_sweep(below)
    assert plain == swept
    assert {(dict(row)["this"], dict(row)["region"]) for row in plain} == {(EX.carol, EX.Paris)}
    # and those at the top of a MINUS group (here a NOT EXISTS with a NOT EXISTS inside), a path in parentheses too
    nested_region = next(c for c in engine.checks if c.shape == EX.EmployerInNestedRegion)
    assert re.search(r"MINUS \{ \{ SELECT \?place \?this \?up WHERE \{ \{ SELECT \?this \?_hash\d+ WHERE \{ \?this "
                     + re.escape(f"{EX.worksFor.n3()}|^{EX.employs.n3()}"), nested_region.sweep)
    plain, swept = plain_and_sweep(nested_region)
    assert plain == swept and {dict(row)["this"] for row in plain} == {EX.alice, EX.bob}
    nested = ("SELECT ?this WHERE { ?this ?p ?v . OPTIONAL { ?v ?q ?w . OPTIONAL { \n?w ?r ?x .\n"
              " BIND(true AS ?_absent0) } FILTER(!BOUND(?_absent0)) } }")
    assert sparql_sweep_text("SELECT * WHERE { { " + nested + " } }") == "SELECT * WHERE { { " + nested + " } }"


def test_not_exists_becomes_a_left_join_only_where_it_means_the_same():
    simple = rewrite_not_exists("?this a ?c . FILTER NOT EXISTS { ?this ?p ?c }")
    assert "NOT EXISTS" not in simple and "OPTIONAL" in simple and "!BOUND" in simple
    # a BIND inside sees no outer row when evaluated on its own: left alone
    kept = "?this ?p ?v . FILTER NOT EXISTS { ?this ?q ?w . BIND(?v + 1 AS ?w) }"
    assert rewrite_not_exists(kept) == kept
    # a nested filter on an outer variable its own group does not bind: left alone
    nested = "?this ?p ?v . FILTER NOT EXISTS { ?this ?q ?w . { ?w ?r ?x FILTER(?x > ?v) } }"
    assert rewrite_not_exists(nested) == nested


# -- the project's shapes on the project's data ---------------------------------------------------------

@pytest.mark.parametrize("case", CASE_DIRS + [EXAMPLE], ids=[p.name for p in CASE_DIRS] + ["non-compliant-example"])
def test_same_findings_as_pyshacl_on_shape_cases_and_example(case, engine):
    data = Graph().parse(EXAMPLE) if case == EXAMPLE else (Graph().parse(CASES / "_network.ttl")
                                                             .parse(case / "data.ttl"))
    got, expected = _differential(data, engine=engine)
    assert got == expected


@pytest.mark.slow
def test_same_findings_as_pyshacl_on_the_sample_network(engine):
    got, expected = _differential(Graph().parse(SAMPLE_NETWORK), engine=engine)
    assert got == expected and expected


def _generated(n: int, seed: int, tmp: Path) -> tuple[Graph, Graph, list[dict]]:
    """A generated network (regions cut down to those it uses, to keep pySHACL quick) and its planted defects."""
    import json

    sys.path.insert(0, str(HOME / "bench"))
    from generate import generate

    made = generate(n, seed, tmp / f"net-{n}-{seed}.nt")
    data = Graph().parse(made.path, format="nt")
    region_prefix = str(ID["region/"])
    used = {o for s, p, o in data if isinstance(o, URIRef) and str(o).startswith(region_prefix)
            and not str(s).startswith(region_prefix)}
    todo = list(used)
    while todo:
        for parent in data.objects(todo.pop(), IPG.parentRegion):
            if parent not in used:
                used.add(parent)
                todo.append(parent)
    for s in {s for s in data.subjects() if str(s).startswith(region_prefix)} - used:
        data.remove((s, None, None))
    ref = Graph().parse(ONTOLOGY_FILE)
    for path in SCHEME_FILES:
        ref.parse(path)
    return data, ref, json.loads(made.defects_path.read_text(encoding="utf-8"))["defects"]


@pytest.mark.slow
def test_same_findings_as_pyshacl_on_a_generated_network_with_planted_defects(engine, tmp_path):
    data, ref, defects = _generated(70, 3, tmp_path)
    got, expected = _differential(data, ref=ref, engine=engine)
    assert got == expected
    assert defects
    # each planted defect shows as a finding of its institution (the shapes call a missing 7.1 evaluation a
    # Warning "not recorded", the generator's sidecar a Violation: the severity is the shapes' to say)
    for defect in defects:
        found = [(focus, shape) for focus, _, shape, _ in got
                 if str(focus) == defect["institution"] or str(focus).startswith(defect["institution"] + "/")]
        assert found, defect
        if defect["clause"] != "integrity":     # and under the clause it breaks
            clauses = {reference._clause_of(reference.shapes_graph(), shape) or "" for _, shape in found}
            assert any(c.startswith(defect["clause"]) for c in clauses), (defect, clauses)


# -- the report -----------------------------------------------------------------------------------------

def test_report_matches_the_reference_report_and_is_a_standard_shacl_report(engine):
    data = Graph().parse(EXAMPLE)
    ours = validate_graph(data, engine=engine)
    theirs = reference.validate(data)
    rows = lambda report: sorted(str((r.focus, r.path, r.value, r.clause, r.severity, r.shape)) for r in report.results)
    assert rows(ours) == rows(theirs)
    # pySHACL drops the language of a SPARQL-based constraint's filled-in message; compare the others
    sparql_shapes = {str(s) for s in reference.shapes_graph().subjects(SH.sparql, None)}
    plain = lambda report: sorted(str((r.focus, r.shape, r.message_zh, r.message_en)) for r in report.results
                                  if r.shape not in sparql_shapes)
    assert plain(ours) == plain(theirs)
    filled = [r for r in ours.results if r.shape in sparql_shapes]
    assert filled and all("{?" not in r.message_zh and "{?" not in r.message_en for r in filled)
    assert ours.conforms is theirs.conforms is False
    assert ours.labels == theirs.labels
    graph = Graph().parse(data=ours.to_turtle(), format="turtle")
    top = graph.value(None, RDF.type, SH.ValidationReport, any=False) or next(graph.subjects(RDF.type,
                                                                                           SH.ValidationReport))
    assert graph.value(top, SH.conforms) == Literal(False)
    results = list(graph.objects(top, SH.result))
    assert len(results) == len(theirs.results)
    for result in results:
        assert graph.value(result, SH.focusNode) is not None and graph.value(result, SH.sourceShape) is not None
        assert graph.value(result, SH.resultSeverity) in (SH.Violation, SH.Warning, SH.Info)


# -- incremental validation ------------------------------------------------------------------------------

@pytest.fixture
def network_store(tmp_path):
    """A generated network in the store, one named graph per institution (as uploads keep them)."""
    from ipgraph.model.iris import ONTOLOGY_GRAPH, SCHEMES_GRAPH
    from ipgraph.store.embedded import EmbeddedStore

    sys.path.insert(0, str(HOME / "bench"))
    from generate import generate

    made = generate(70, 5, tmp_path / "net.nq")
    store = EmbeddedStore()
    store.load(made.path, graph=URIRef("urn:unused"), format="nquads")
    store.load(ONTOLOGY_FILE, graph=ONTOLOGY_GRAPH)
    for path in SCHEME_FILES:
        store.load(path, graph=SCHEMES_GRAPH)
    yield store
    store.close()


def _institution_graph(store, key: str) -> Graph:
    graph = Graph()
    for row in store.select_text(f"SELECT ?s ?p ?o WHERE {{ GRAPH {institution_graph(key).n3()} {{ ?s ?p ?o }} }}"):
        graph.add((row["s"], row["p"], row["o"]))
    return graph


def test_incremental_revalidation_after_replacing_institutions_equals_a_full_run(network_store, engine):
    store = network_store
    incremental = IncrementalValidation(store, engine)
    keys = lambda findings: {f.key(engine.shapes) for f in findings}
    rows = store.select_text(f"SELECT ?i ?c WHERE {{ ?i a ?c . VALUES ?c {{ {IPG.MunicipalNode.n3()} "
                             f"{IPG.ProvincialNode.n3()} {IPG.TISC.n3()} {IPG.MarketAgencyOutlet.n3()} }} }}")
    by_class = {}
    for row in sorted(rows, key=lambda r: str(r["i"])):
        by_class.setdefault(row["c"], row["i"])
    outlet = by_class.get(IPG.MarketAgencyOutlet) or by_class[IPG.TISC]
    municipal = by_class[IPG.MunicipalNode]
    outlet_key, municipal_key = str(outlet).rsplit("/", 1)[-1], str(municipal).rsplit("/", 1)[-1]

    # 1. an outlet is re-uploaded understaffed, without its Chinese name and with a bad phone number
    original = _institution_graph(store, outlet_key)
    changed = original + Graph()
    changed.remove((outlet, IPG.fullTimeStaff, None))
    changed.add((outlet, IPG.fullTimeStaff, Literal(1)))
    changed.remove((outlet, SKOS.prefLabel, None))
    changed.remove((outlet, WGS84.lat, None))
    changed.add((outlet, URIRef("https://schema.org/telephone"), Literal("not a number")))
    gone, new = incremental.replace({institution_graph(outlet_key): changed})
    assert new and any(f.focus == outlet and f.severity == SH.Violation for f in new)
    assert keys(incremental.findings) == keys(engine.findings(store))

    # 1b. only its telephone number changes again: it is re-checked for the shapes that read telephone numbers,
    #     and its understaffing finding (5.2), which no such shape can touch, stands
    phone = URIRef("https://schema.org/telephone")
    rephoned = changed + Graph()
    rephoned.remove((outlet, phone, None))
    rephoned.add((outlet, phone, Literal("0451-12345678")))
    understaffed = URIRef("https://w3id.org/ipgraph/shapes#FullTimeStaff-5.2")
    staff = {f for f in incremental.findings if f.focus == outlet and engine.top_of.get(f.shape) == understaffed}
    gone, new = incremental.replace({institution_graph(outlet_key): rephoned})
    assert staff and staff <= set(incremental.findings) and not staff & gone
    assert any(f.value == Literal("not a number") for f in gone)
    assert keys(incremental.findings) == keys(engine.findings(store))
    changed = rephoned

    # 2. a municipal node's graph is removed: the outlets it coordinated lose their coordinator
    affected = incremental.affected([institution_graph(municipal_key)])
    institutions = store.select_text(f"SELECT DISTINCT ?i WHERE {{ ?i a/{RDFS.subClassOf.n3()}* "
                                     f"{IPG.ServiceInstitution.n3()} }}")
    assert municipal in affected and len(affected & {row["i"] for row in institutions}) < len(institutions) / 2
    gone, new = incremental.replace({institution_graph(municipal_key): Graph()})
    assert keys(incremental.findings) == keys(engine.findings(store))

    # 3. the outlet is put back as it was: its own findings go away again
    incremental.replace({institution_graph(outlet_key): original})
    assert keys(incremental.findings) == keys(engine.findings(store))

    # 4. the outlet links a practice case that has no data of its own anywhere (a node the change only
    #    links to: sh:targetObjectsOf ipg:hasPracticeCase makes it a focus node with a Warning, 7.3),
    #    then the link goes again
    bare = URIRef("https://example.org/case-never-reported")
    linked = original + Graph()
    linked.add((outlet, IPG.hasPracticeCase, bare))
    gone, new = incremental.replace({institution_graph(outlet_key): linked})
    assert any(f.focus == bare and f.severity == SH.Warning for f in new)
    assert keys(incremental.findings) == keys(engine.findings(store))
    gone, new = incremental.replace({institution_graph(outlet_key): original})
    assert any(f.focus == bare for f in gone)
    assert keys(incremental.findings) == keys(engine.findings(store))

    # 5. another institution's graph gives that case a Warning; the outlet then only mentions it: the
    #    case's finding, which the outlet's change cannot touch, is kept
    provincial = by_class[IPG.ProvincialNode]
    provincial_key = str(provincial).rsplit("/", 1)[-1]
    incremental.replace({institution_graph(provincial_key):
                         _institution_graph(store, provincial_key) + Graph().add((provincial, IPG.hasPracticeCase, bare))})
    assert any(f.focus == bare for f in incremental.findings)
    mentioned = original + Graph().add((outlet, RDFS.seeAlso, bare))
    incremental.replace({institution_graph(outlet_key): mentioned})
    assert keys(incremental.findings) == keys(engine.findings(store))
    assert any(f.focus == bare for f in incremental.findings)

    # 6a. a node re-uploaded with a new telephone number and staff count, its links as they were: the
    #     institutions that link to it are not re-checked (no shape reads those of a neighbour), and their
    #     findings stand
    guides = store.select_text(f"SELECT ?p (COUNT(?i) AS ?n) WHERE {{ ?i {IPG.guidedBy.n3()} ?p ; "
                               f"a {IPG.MunicipalNode.n3()} . ?p a {IPG.ProvincialNode.n3()} }} GROUP BY ?p "
                               f"ORDER BY DESC(?n) ?p")
    provincial = guides[0]["p"]
    provincial_key = str(provincial).rsplit("/", 1)[-1]
    linking = {row["i"] for row in store.select_text(f"SELECT DISTINCT ?i WHERE {{ ?i ?p {provincial.n3()} . "
                                                     f"FILTER(isIRI(?i)) }}")}
    own = {s_ for s_ in _institution_graph(store, provincial_key).subjects()}
    relabelled = _institution_graph(store, provincial_key)
    relabelled.remove((provincial, IPG.fullTimeStaff, None))
    relabelled.add((provincial, IPG.fullTimeStaff, Literal(2)))
    relabelled.add((provincial, URIRef("https://schema.org/telephone"), Literal("0451-00000000")))
    incremental.replace({institution_graph(provincial_key): relabelled})
    assert keys(incremental.findings) == keys(engine.findings(store))
    assert len(linking - own) >= 2 and not (linking - own) & set(incremental.last_nodes)

    # 6b. the node moves to another province: what the institutions it guides read of it (its region) changed,
    #     so they are re-checked (the municipal nodes it guides now lie outside its region, 5.1)
    here = store.select_text(f"SELECT ?r WHERE {{ {provincial.n3()} {IPG.locatedIn.n3()} ?r }}")[0]["r"]
    elsewhere = next(row["r"] for row in store.select_text(
        f"SELECT ?r WHERE {{ ?r {IPG.regionLevel.n3()} <https://w3id.org/ipgraph/id/region-level/province> }} "
        f"ORDER BY ?r") if row["r"] != here)
    moved_node = relabelled + Graph()
    served = URIRef("https://schema.org/areaServed")
    for link in (IPG.locatedIn, served):
        moved_node.remove((provincial, link, None))
        moved_node.add((provincial, link, elsewhere))
    gone, new = incremental.replace({institution_graph(provincial_key): moved_node})
    outside = URIRef("https://w3id.org/ipgraph/shapes#MunicipalNodeInsideGuideRegion")
    assert any(f.shape == outside and f.focus in linking for f in new)
    assert (linking - own) <= set(incremental.last_nodes)
    assert keys(incremental.findings) == keys(engine.findings(store))

    # 6c. the graph was replaced before the validation read what it held: nothing is narrowed by the delta, and
    #     the findings still equal a full run
    direct = moved_node + Graph()
    direct.remove((provincial, IPG.fullTimeStaff, None))
    store.replace_graphs({institution_graph(provincial_key): direct})
    incremental.recheck(incremental.affected([], {institution_graph(provincial_key): direct}))
    assert (linking - own) <= set(incremental.last_nodes)
    assert keys(incremental.findings) == keys(engine.findings(store))

    # 6. the provincial node's graph is removed: the municipal nodes it guided (they only link to it) lose their
    #    provincial node (6.3.2.1 b, a 可 item: an Info); the rest of their findings stay as they were
    rows = store.select_text(f"SELECT ?p ?i WHERE {{ ?i {IPG.guidedBy.n3()} ?p ; a {IPG.MunicipalNode.n3()} . "
                             f"?p a {IPG.ProvincialNode.n3()} }} ORDER BY ?p ?i")
    guide = rows[0]["p"]
    guided = {row["i"] for row in rows if row["p"] == guide}
    gone, new = incremental.replace({institution_graph(str(guide).rsplit("/", 1)[-1]): Graph()})
    assert {f.focus for f in new if f.severity == SH.Info} & guided
    assert keys(incremental.findings) == keys(engine.findings(store))

    # 7. the outlet moves into the region of a municipal node that does not coordinate it: an Info (6.3.2.2 c);
    #    when that node goes, the Info goes although nothing links the two (the prefecture relates them)
    node, region = store.select_text(f"SELECT ?m ?r WHERE {{ ?m a {IPG.MunicipalNode.n3()} ; {IPG.locatedIn.n3()} ?r }} "
                                     f"ORDER BY ?m LIMIT 1")[0].values()
    moved = original + Graph()
    moved.remove((outlet, IPG.locatedIn, None))
    moved.add((outlet, IPG.locatedIn, region))
    incremental.replace({institution_graph(outlet_key): moved})
    info = URIRef("https://w3id.org/ipgraph/shapes#OutletCoordinated")
    assert any(f.focus == outlet and f.shape == info for f in incremental.findings)
    gone, new = incremental.replace({institution_graph(str(node).rsplit("/", 1)[-1]): Graph()})
    assert any(f.focus == outlet and f.shape == info for f in gone)
    assert keys(incremental.findings) == keys(engine.findings(store))


# -- the command line -------------------------------------------------------------------------------------

def test_validate_command_uses_the_compiled_engine_by_default_and_agrees_with_pyshacl(capsys):
    import json

    from ipgraph.cli.main import main

    assert main(["validate", str(EXAMPLE), "--format", "json", "--lang", "en"]) == 1
    captured = capsys.readouterr()
    compiled = json.loads(captured.out)
    assert "compiled engine" in captured.err and "constraints" in captured.err      # progress on stderr
    assert main(["validate", str(EXAMPLE), "--format", "json", "--lang", "en", "--engine", "pyshacl"]) == 1
    pyshacl = json.loads(capsys.readouterr().out)
    assert compiled["counts"] == pyshacl["counts"] and compiled["conforms"] is pyshacl["conforms"] is False
    shape_rows = lambda body: sorted((i["institution"] or "", c["clause"], r["focus"], r["shape"], r["severity"])
                                     for i in body["institutions"] for c in i["clauses"] for r in c["results"])
    assert shape_rows(compiled) == shape_rows(pyshacl)


def test_validate_command_writes_a_standard_shacl_report_in_turtle(capsys):
    from ipgraph.cli.main import main

    assert main(["validate", str(EXAMPLE), "--format", "turtle"]) == 1
    graph = Graph().parse(data=capsys.readouterr().out, format="turtle")
    top = next(graph.subjects(RDF.type, SH.ValidationReport))
    assert graph.value(top, SH.conforms) == Literal(False)
    assert len(list(graph.objects(top, SH.result))) == 13
