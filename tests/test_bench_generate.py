"""bench/generate.py: the synthetic national network is deterministic, has the sample network's shape,
and its planted defects are really there (so a validation benchmark can rely on the sidecar)."""

import importlib.util
import json
import sys
from collections import Counter

import pyoxigraph as ox
import pytest

from ipgraph.paths import HOME
from ipgraph.sheets.uscc import is_valid

IPG = "https://w3id.org/ipgraph/ontology#"
ID = "https://w3id.org/ipgraph/id/"
SKOS_PREF = "http://www.w3.org/2004/02/skos/core#prefLabel"
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
KINDS = {"ProvincialNode", "MunicipalNode", "TISC", "UniversityCentre", "UniversityOutlet",
         "ResearchInstituteOutlet", "PublicLibraryOutlet", "IndustrialParkOutlet", "IndustryOrganisationOutlet",
         "MarketAgencyOutlet", "RightsProtectionWorkstation"}
VALUES_KIND = "VALUES ?kind { " + " ".join(f"<{IPG}{k}>" for k in sorted(KINDS)) + " }"


def _module():
    spec = importlib.util.spec_from_file_location("bench_generate", HOME / "bench" / "generate.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def generate():
    return _module().generate


@pytest.fixture(scope="module")
def network(generate, tmp_path_factory):
    result = generate(400, 7, tmp_path_factory.mktemp("net") / "net.nq")
    store = ox.Store()
    store.load(path=str(result.path), format=ox.RdfFormat.N_QUADS)
    return result, store


def _rows(store, query):
    return list(store.query(query, use_default_graph_as_union=True))


def test_same_seed_gives_the_same_bytes_and_another_seed_another_network(generate, tmp_path):
    a = generate(60, 3, tmp_path / "a.nt")
    b = generate(60, 3, tmp_path / "b.nt")
    c = generate(60, 4, tmp_path / "c.nt")
    assert a.path.read_bytes() == b.path.read_bytes()
    assert a.path.read_bytes() != c.path.read_bytes()


def test_the_network_has_n_institutions_of_the_eleven_kinds_all_marked_sample(network):
    result, store = network
    kinds = Counter(str(r["kind"].value).split("#")[1] for r in _rows(store, f"""
        SELECT ?i ?kind WHERE {{ {VALUES_KIND} ?i a ?kind }}"""))
    assert sum(kinds.values()) == result.institutions == 400
    assert set(kinds) == KINDS
    assert kinds["ProvincialNode"] == 31
    sample = _rows(store, f"SELECT ?i WHERE {{ {VALUES_KIND} ?i a ?kind ; <{IPG}isSample> true }}")
    assert len(sample) == 400
    names = [str(r["name"].value) for r in _rows(store, f"SELECT ?name WHERE {{ {VALUES_KIND} ?i a ?kind ; "
                                                           f"<{SKOS_PREF}> ?name . FILTER(LANG(?name) = 'zh') }}")]
    assert names and all(name.endswith("（示例）") for name in names)


def test_each_institution_lives_in_its_own_named_graph(network):
    _, store = network
    for quad in store.quads_for_pattern(None, None, None, None):
        subject = quad.subject.value
        if subject.startswith(ID + "institution/"):
            key = subject[len(ID + "institution/"):].split("/")[0]
            assert quad.graph_name.value == f"https://w3id.org/ipgraph/graph/institution/{key}"


def test_every_outlet_is_guided_and_offers_catalogue_services_through_channels(network):
    _, store = network
    outlets = _rows(store, f"""SELECT ?o WHERE {{ {VALUES_KIND} ?o a ?kind .
        FILTER(?kind != <{IPG}ProvincialNode>) FILTER NOT EXISTS {{ ?o <{IPG}guidedBy> ?p }} }}""")
    assert outlets == []
    no_channel = _rows(store, f"""SELECT ?offer WHERE {{ ?i <{IPG}offers> ?offer .
        FILTER NOT EXISTS {{ ?offer <http://data.europa.eu/m8g/hasChannel> ?c }} }}""")
    unknown = {str(r["offer"].value) for r in no_channel}
    assert all(offer.endswith("/offering/9.9-z") for offer in unknown)  # only the planted defect


def test_planted_defects_are_recorded_and_present(network):
    result, store = network
    defects = json.loads(result.defects_path.read_text(encoding="utf-8"))["defects"]
    names = Counter(d["defect"] for d in defects)
    assert set(names) == set(_module().DEFECTS)

    def value(iri, prop):
        rows = list(store.quads_for_pattern(ox.NamedNode(iri), ox.NamedNode(prop), None, None))
        return [q.object.value for q in rows]

    for d in defects:
        iri = d["institution"]
        assert value(iri, RDF_TYPE), f"{iri} is not in the network"
        if d["defect"] == "understaffed":
            assert int(value(iri, IPG + "fullTimeStaff")[0]) < 3
        elif d["defect"] == "bad-uscc":
            assert not is_valid(value(iri, IPG + "uscc")[0])
        elif d["defect"] == "coordinates-swapped":
            assert float(value(iri, "http://www.w3.org/2003/01/geo/wgs84_pos#lat")[0]) > 70
        elif d["defect"] == "no-zh-name":
            assert not [q for q in store.quads_for_pattern(ox.NamedNode(iri), ox.NamedNode(SKOS_PREF), None, None)
                        if q.object.language == "zh"]
        elif d["defect"] == "no-consent-policy":
            assert not value(iri, IPG + "hasConsentPolicy")
        elif d["defect"] == "no-feedback-channel":
            assert not value(iri, IPG + "hasFeedbackChannel")
        elif d["defect"] == "no-evaluation":
            assert not value(iri, IPG + "hasEvaluation")
        elif d["defect"] == "duties-undefined":
            assert value(iri, IPG + "jobDutiesDefined") == ["false"]
    # and no other institution has them
    assert len(_rows(store, f"SELECT ?i WHERE {{ ?i <{IPG}uscc> ?c }}")) == names["bad-uscc"]
    assert len(_rows(store, f"SELECT ?i WHERE {{ ?i <{IPG}jobDutiesDefined> false }}")) == names["duties-undefined"]
