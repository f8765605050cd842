"""Matching on the sample network, checked against answers computed independently from the graph.

``expected`` below is a brute-force computation over every institution with rdflib and ``math`` (no code
shared with the matcher but the catalogue's expansion is recomputed too); the pure-SPARQL named query
``match-sparql`` is the second reference. A wrong ranking, a lost narrower concept or a filter that lets
something through fails here.
"""

from __future__ import annotations

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from rdflib import Literal, URIRef
from rdflib.namespace import RDF, RDFS, SKOS

from ipgraph.matching.understanding import MatchInputError
from ipgraph.model.iris import CV, ID, IPG, WGS84

DCT_TYPE = URIRef("http://purl.org/dc/terms/type")
FREE = ID["fee/free"]
HARBIN = (45.801777, 126.528904)  # the seat of 哈尔滨市 in data/regions.ttl


# -- the independent reference -------------------------------------------------------------------

def _narrower_depths(graph, concept):
    """Each concept under ``concept`` (and itself) with its smallest number of steps down."""
    depths, frontier = {concept: 0}, [concept]
    while frontier:
        nxt = []
        for c in frontier:
            below = set(graph.subjects(SKOS.broader, c)) | set(graph.objects(c, SKOS.narrower))
            for n in below:
                if n not in depths:
                    depths[n] = depths[c] + 1
                    nxt.append(n)
        frontier = nxt
    return depths


def _great_circle(lat1, lon1, lat2, lon2):
    p1, p2 = math.radians(lat1), math.radians(lat2)
    a = math.sin((p2 - p1) / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(math.radians(lon2 - lon1) / 2) ** 2
    return 2 * 6371.0088 * math.asin(math.sqrt(min(1.0, a)))


def expected(graph, concepts, point=None, *, radius_km=None, kind=None, ip_type=None, channel=None, free=False):
    """Ranked institution IRIs: distance (to the mm), then fewest steps below the asked concept, then IRI."""
    depths = {}
    for concept in concepts:
        for c, d in _narrower_depths(graph, URIRef(concept)).items():
            depths[c] = min(d, depths.get(c, d))
    ranked = []
    for institution in set(graph.subjects(IPG.offers, None)):
        classes = set(graph.objects(institution, RDF.type))
        if kind is not None and not any((c, RDFS.subClassOf, URIRef(kind)) in graph or c == URIRef(kind)
                                        for c in classes):
            continue
        best = None
        for offering in graph.objects(institution, IPG.offers):
            if free and (offering, IPG.fee, FREE) not in graph:
                continue
            if ip_type and (offering, IPG.ipType, URIRef(ip_type)) not in graph:
                continue
            if channel and URIRef(channel) not in {graph.value(c, DCT_TYPE) for c in graph.objects(offering, CV.hasChannel)}:
                continue
            for concept in graph.objects(offering, IPG.serviceConcept):
                if concept in depths and (best is None or depths[concept] < best):
                    best = depths[concept]
        if best is None:
            continue
        distance = 0.0
        if point is not None:
            distance = round(_great_circle(point[0], point[1], float(graph.value(institution, WGS84.lat)),
                                           float(graph.value(institution, WGS84.long))), 6)
            if radius_km is not None and distance > radius_km:
                continue
        ranked.append((distance, best, str(institution)))
    return [iri for _, _, iri in sorted(ranked)]


def _ids(result):
    return [r.record.iri for r in result.results]


def _all(matcher, q=None, **options):
    return _ids(matcher.match(q, limit=100, **options))


# -- behaviour on the sample network -------------------------------------------------------------

def test_the_nearest_offering_institution_comes_first_and_distances_never_decrease(sample_matcher, sample_graph):
    result = sample_matcher.match("侵权对比分析", near="哈尔滨", limit=100)
    assert _ids(result) == expected(sample_graph, [ID["service/6.3.3.1-b-6"]], HARBIN)
    assert len(result.results) >= 3
    distances = [r.distance_km for r in result.results]
    assert distances == sorted(distances)
    first = result.results[0]
    assert first.distance_km == pytest.approx(_great_circle(*HARBIN, first.record.lat, first.record.lon), abs=1e-3)


def test_a_broad_request_returns_institutions_that_offer_only_a_narrower_service(sample_matcher, sample_graph):
    topic = ID["service/topic-infringement-analysis"]
    assert not set(sample_graph.subjects(IPG.serviceConcept, topic))  # nobody offers the topic as such
    result = sample_matcher.match("侵权分析", near="哈尔滨", limit=100)
    assert [m.concept.iri for m in result.interpretation.concepts] == [str(topic)]
    assert _ids(result) == expected(sample_graph, [topic], HARBIN)
    assert result.results and all(r.specificity == 1 for r in result.results)
    for r in result.results:
        assert r.offerings and all(m.match_type == "narrower" and m.via == str(topic) for m in r.offerings)


@pytest.mark.parametrize("zh,en", [("侵权分析", "infringement analysis"), ("专利检索", "patent search"),
                                   ("自由实施", "FTO"), ("专利导航", "patent navigation")])
def test_english_and_chinese_queries_agree(sample_matcher, zh, en):
    chinese, english = sample_matcher.match(zh, near="哈尔滨", limit=100), sample_matcher.match(en, near="Harbin",
                                                                                              limit=100)
    assert _ids(chinese) == _ids(english) and chinese.results


def test_a_whole_question_names_the_place_and_the_service(sample_matcher):
    asked = sample_matcher.match("哈尔滨哪里能做侵权分析？", limit=100)
    assert asked.interpretation.place_from_text and asked.interpretation.place.region.adcode == "230100"
    assert _ids(asked) == _ids(sample_matcher.match("侵权分析", near="哈尔滨", limit=100))
    english = sample_matcher.match("where in Harbin can I get an FTO search", limit=100)
    assert english.interpretation.place.region.adcode == "230100"
    assert [m.concept.notation for m in english.interpretation.concepts] == ["6.3.3.2-h-2"]


def test_free_excludes_low_cost_offerings(sample_matcher, sample_graph):
    everything = sample_matcher.match("专利检索", near="哈尔滨", limit=100)
    free_only = sample_matcher.match("专利检索", near="哈尔滨", free=True, limit=100)
    topic = ID["service/topic-search"]
    assert _ids(free_only) == expected(sample_graph, [topic], HARBIN, free=True)
    assert all(m.offering.fee == str(FREE) for r in free_only.results for m in r.offerings)
    low_cost_only = set(_ids(everything)) - set(_ids(free_only))
    assert low_cost_only or any(m.offering.fee != str(FREE) for r in everything.results for m in r.offerings)
    fto = sample_matcher.match("FTO", near="哈尔滨", limit=100)
    assert fto.results and not sample_matcher.match("FTO", near="哈尔滨", free=True).results  # FTO is low cost


@pytest.mark.parametrize("options,narrows", [
    ({"kind": "TISC"}, True), ({"kind": "outlet"}, True), ({"kind": "municipal-node"}, True),
    ({"channel": "phone"}, True), ({"channel": "窗口"}, False), ({"ip_type": "trademark"}, True),
    ({"radius_km": 50.0}, True), ({"free": True, "kind": "node"}, True),
])
def test_filters_match_the_reference(sample_matcher, sample_graph, options, narrows):
    result = sample_matcher.match("检索", near="哈尔滨", limit=100, **options)
    interp = result.interpretation
    reference = dict(radius_km=options.get("radius_km"), free=options.get("free", False),
                     ip_type=interp.filters["ip_type"], channel=interp.filters["channel"])
    if "kind" in options:
        wanted = {"TISC": IPG.TISC, "outlet": IPG.Outlet, "municipal-node": IPG.MunicipalNode, "node": IPG.Node}
        reference["kind"] = wanted[options["kind"]]
    ids = _ids(result)
    assert ids == expected(sample_graph, [ID["service/topic-search"]], HARBIN, **reference)
    assert ids and (len(ids) < len(_all(sample_matcher, "检索", near="哈尔滨"))) == narrows


def test_phone_and_web_offerings_are_reachable_from_anywhere_only_with_a_number_or_address(sample_matcher):
    window = sample_matcher.match("检索", near="哈尔滨", limit=100)
    flags = {m.reachable_from_anywhere for r in window.results for m in r.offerings}
    assert flags == {True, False}
    for r in window.results:
        for m in r.offerings:
            usable = {c.type.rsplit("/", 1)[-1] for c in m.offering.channels if c.telephone or c.url}
            assert m.reachable_from_anywhere == bool(usable & {"phone", "web"})
    # the real institutions record a web channel but no web address: not shown as reachable from anywhere
    bare = [m for r in window.results for m in r.offerings
            if any(c.type.endswith("/web") and not c.url for c in m.offering.channels)]
    assert bare and not any(m.reachable_from_anywhere for m in bare
                            if not any(c.telephone or c.url for c in m.offering.channels))


def test_pages_put_together_are_the_whole_ranking(sample_matcher):
    whole = _all(sample_matcher, "检索", near="佳木斯")
    pages = []
    for offset in range(0, len(whole), 7):
        page = sample_matcher.match("检索", near="佳木斯", limit=7, offset=offset)
        assert page.total == len(whole)
        pages += _ids(page)
    assert pages == whole


def test_without_a_place_results_rank_by_specificity_then_iri(sample_matcher, sample_graph):
    result = sample_matcher.match("侵权分析", limit=100)
    assert all(r.distance_km is None for r in result.results)
    assert _ids(result) == expected(sample_graph, [ID["service/topic-infringement-analysis"]])


@pytest.mark.parametrize("request_,field", [
    ({"q": "侵权分析", "near": "亚特兰蒂斯"}, "near"), ({"q": "侵权分析", "near": "向阳区"}, "near"),
    ({"q": "xyzzy", "near": "哈尔滨"}, "q"), ({"q": "侵权分析", "lat": 95.0, "lon": 126.0}, "lat"),
    ({"q": "侵权分析", "lat": 45.0, "lon": 190.0}, "lon"), ({"q": "侵权分析", "lat": 45.0}, "lon"),
    ({"q": "侵权分析", "kind": "bakery"}, "kind"), ({"q": "侵权分析", "channel": "pigeon"}, "channel"),
    ({"near": "哈尔滨"}, "q"), ({"q": "侵权分析", "radius_km": 10.0}, "radius_km"),
])
def test_what_cannot_be_understood_says_which_field(sample_matcher, request_, field):
    with pytest.raises(MatchInputError) as caught:
        sample_matcher.match(**request_)
    assert caught.value.field == field and caught.value.zh and caught.value.en


def test_unknown_place_and_service_come_with_suggestions(sample_matcher):
    with pytest.raises(MatchInputError) as caught:
        sample_matcher.match("侵权分析", near="哈尔宾滨")
    assert caught.value.suggestions[0]["adcode"] == "230100"
    typo = sample_matcher.match("侵权分折", near="哈尔滨").interpretation  # one character off: read fuzzily
    assert [(m.concept.notation, m.how) for m in typo.concepts] == [("topic-infringement-analysis", "fuzzy")]
    with pytest.raises(MatchInputError) as caught:
        sample_matcher.match("侵害鉴定", near="哈尔滨")
    assert "topic-infringement-analysis" in [s["notation"] for s in caught.value.suggestions]
    with pytest.raises(MatchInputError) as caught:
        sample_matcher.match("侵权分析", near="向阳区")
    assert {c["adcode"] for c in caught.value.candidates} == {"230402", "230803"}


@pytest.mark.parametrize("text", ['侵权分析" } UNION { ?s ?p ?o } #', "侵权分析'; DROP ALL; --",
                                  "侵权分析 {{ FILTER(true) }} SELECT * WHERE"])
def test_text_full_of_quotes_braces_and_sparql_keywords_is_only_text(sample_matcher, sample_store, text):
    before = sample_store.triple_count()
    result = sample_matcher.match(text, near="哈尔滨", limit=100)
    assert _ids(result) == _ids(sample_matcher.match("侵权分析", near="哈尔滨", limit=100))
    assert sample_store.triple_count() == before


# -- the graph is the authority ------------------------------------------------------------------

def _sparql_reference(matcher, store, concepts, point, *, kind=None, ip_type=None, channel=None, free=False):
    depths = {e.concept.iri: e.depth for e in matcher.vocabulary.services.expand(concepts)}
    classes = matcher.kind_classes(kind or str(IPG.ServiceInstitution))
    rows = store.select("match-sparql", concept=[URIRef(c) for c in depths],
                        kindClass=[URIRef(c) for c in sorted(classes)], freeOnly=free,
                        anyIpType=ip_type is None, ipType=URIRef(ip_type or ID["scheme/ip-types"]),
                        anyChannel=channel is None, channel=URIRef(channel or ID["scheme/channels"]))
    best = {}
    for row in rows:
        iri, depth = str(row["institution"]), depths[str(row["concept"])]
        distance = round(_great_circle(*point, float(row["lat"]), float(row["lon"])), 6)
        best[iri] = min(best.get(iri, (distance, depth)), (distance, depth))
    return [iri for iri, _ in sorted(best.items(), key=lambda item: (*item[1], item[0]))]


@pytest.mark.parametrize("concept,options", [
    ("topic-infringement-analysis", {}), ("topic-search", {"free": True}),
    ("topic-search", {"kind": str(IPG.Outlet)}), ("topic-search", {"channel": str(ID["channel/phone"])}),
    ("topic-training", {"ip_type": str(ID["ip-type/trademark"])}), ("6.1", {}),
])
def test_the_index_answers_as_the_pure_sparql_query_does(sample_matcher, sample_store, concept, options):
    iri = str(ID["service/" + concept])
    depths = {e.concept.iri: e.depth for e in sample_matcher.vocabulary.services.expand([iri])}
    kinds = sample_matcher.kind_classes(options["kind"]) if "kind" in options else None
    total, hits = sample_matcher.index.search(depths, point=HARBIN, kinds=kinds, ip_type=options.get("ip_type"),
                                              channel=options.get("channel"), free_only=options.get("free", False),
                                              limit=100)
    reference = _sparql_reference(sample_matcher, sample_store, [iri], HARBIN, **options)
    assert [sample_matcher.index.iris[h.position] for h in hits] == reference
    assert total == len(reference) > 0


def test_rebuild_sees_a_new_institution(empty_store):
    from ipgraph.matching.matcher import Matcher
    from ipgraph.store.seed import reference_files

    for graph, files in reference_files().items():
        for path in files:
            if path.parent.name != "shapes":
                empty_store.load(path, graph=graph)
    matcher = Matcher(empty_store)
    assert len(matcher.index) == 0
    with pytest.raises(MatchInputError):
        matcher.match("侵权分析", near="哈尔滨", kind="tisc-typo")
    assert matcher.match("侵权分析", near="哈尔滨").results == ()
    empty_store.load("""
        @prefix ipg: <https://w3id.org/ipgraph/ontology#> . @prefix wgs84: <http://www.w3.org/2003/01/geo/wgs84_pos#> .
        @prefix skos: <http://www.w3.org/2004/02/skos/core#> . @prefix id: <https://w3id.org/ipgraph/id/> .
        id:institution\\/t1 a ipg:TISC ; skos:prefLabel "测试中心"@zh ; wgs84:lat 45.8e0 ; wgs84:long 126.5e0 ;
            ipg:offers id:institution\\/t1\\/offering\\/x .
        id:institution\\/t1\\/offering\\/x ipg:serviceConcept <https://w3id.org/ipgraph/id/service/6.3.3.1-b-6> .
        """.encode(), graph=URIRef("https://w3id.org/ipgraph/graph/institution/t1"), format="turtle")
    matcher.rebuild()
    result = matcher.match("侵权分析", near="哈尔滨")
    assert [r.record.labels["zh"] for r in result.results] == ["测试中心"]
    assert result.results[0].offerings[0].match_type == "narrower"


def test_records_never_show_the_private_graph(empty_store):
    from ipgraph.matching.records import fetch_records
    from ipgraph.model.iris import PRIVATE_GRAPH

    institution = "https://w3id.org/ipgraph/id/institution/p1"
    empty_store.load(f"""<{institution}> <https://schema.org/telephone> "+86-451-0000-0001" ;
        <http://www.w3.org/2004/02/skos/core#prefLabel> "示例"@zh .""".encode(),
                     graph=URIRef("https://w3id.org/ipgraph/graph/institution/p1"), format="turtle")
    empty_store.load(f"""<{institution}> <https://schema.org/telephone> "+86-139-secret" ;
        <https://schema.org/email> "person@example.org" .""".encode(), graph=PRIVATE_GRAPH, format="turtle")
    record = fetch_records(empty_store, [institution])[institution]
    assert record.telephone == ("+86-451-0000-0001",) and record.email == ()


# -- property: the index agrees with brute force over every institution --------------------------

@pytest.fixture(scope="module")
def offered_concepts(sample_graph):
    offered = set(sample_graph.objects(None, IPG.serviceConcept))
    above = {b for c in offered for b in sample_graph.transitive_objects(c, SKOS.broader)}
    return sorted(str(c) for c in above)


@settings(max_examples=40, deadline=None)
@given(data=st.data(), lat=st.floats(43.0, 54.0), lon=st.floats(121.0, 135.5), free=st.booleans(),
       kind=st.sampled_from([None, str(IPG.Outlet), str(IPG.Node), str(IPG.TISC), str(IPG.PublicLibraryOutlet)]),
       channel=st.sampled_from([None, "phone", "web", "window", "onsite"]),
       radius=st.sampled_from([None, 30.0, 150.0, 600.0]))
def test_ranked_ids_equal_a_brute_force_computation(sample_matcher, sample_graph, offered_concepts, data, lat, lon,
                                                    free, kind, channel, radius):
    concept = data.draw(st.sampled_from(offered_concepts))
    depths = {e.concept.iri: e.depth for e in sample_matcher.vocabulary.services.expand([concept])}
    channel_iri = str(ID["channel/" + channel]) if channel else None
    kinds = sample_matcher.kind_classes(kind) if kind else None
    total, hits = sample_matcher.index.search(depths, point=(lat, lon), radius_km=radius, kinds=kinds,
                                              channel=channel_iri, free_only=free, limit=100)
    brute = expected(sample_graph, [concept], (lat, lon), radius_km=radius, kind=kind, channel=channel_iri, free=free)
    assert [sample_matcher.index.iris[h.position] for h in hits] == brute
    assert total == len(brute)
    assert all(isinstance(h.distance_km, float) for h in hits)


def test_sample_is_an_honest_test_bed(sample_graph):
    """The checks above mean something only if the sample has choices to make."""
    tiscs = set(sample_graph.subjects(RDF.type, IPG.TISC))
    assert len(tiscs) >= 3
    assert (None, IPG.isSample, Literal(True)) in sample_graph
