"""The ontology parses, cites its clauses, aligns with W3C vocabularies and is consistent (HermiT)."""

import pytest
from rdflib import Graph, URIRef
from rdflib.namespace import OWL, RDF, RDFS

from ipgraph.model.iris import IPG, ORG
from ipgraph.store.seed import ONTOLOGY_FILE
from ipgraph.validation import consistency

OUTLET_KINDS = ["TISC", "UniversityCentre", "UniversityOutlet", "ResearchInstituteOutlet", "PublicLibraryOutlet",
                "IndustrialParkOutlet", "IndustryOrganisationOutlet", "MarketAgencyOutlet",
                "RightsProtectionWorkstation"]


@pytest.fixture(scope="module")
def ontology() -> Graph:
    graph = Graph()
    graph.parse(ONTOLOGY_FILE)
    return graph


def test_every_ipg_class_and_property_has_zh_and_en_labels(ontology):
    terms = {s for s in ontology.subjects(RDF.type, None) if isinstance(s, URIRef) and s.startswith(str(IPG))}
    assert len(terms) > 40
    for term in terms:
        languages = {label.language for label in ontology.objects(term, RDFS.label)}
        assert {"zh", "en"} <= languages, term


def test_classes_cite_the_clause_they_come_from(ontology):
    for cls in ontology.subjects(RDF.type, OWL.Class):
        if isinstance(cls, URIRef) and cls.startswith(str(IPG)) and cls != IPG.Facility:
            assert list(ontology.objects(cls, IPG.clause)) or cls in {IPG.Region}, cls


def test_all_nine_outlet_kinds_are_outlets_and_nodes_are_disjoint_from_outlets(ontology):
    for kind in OUTLET_KINDS:
        assert (IPG[kind], RDFS.subClassOf, IPG.Outlet) in ontology, kind
    assert (IPG.Node, OWL.disjointWith, IPG.Outlet) in ontology
    assert (IPG.ServiceInstitution, RDFS.subClassOf, ORG.FormalOrganization) in ontology


def test_network_relations_are_sub_properties_of_org_linked_to_with_inverses(ontology):
    for prop, inverse in [("guides", "guidedBy"), ("coordinates", "coordinatedBy"), ("supports", "supportedBy")]:
        assert (IPG[prop], RDFS.subPropertyOf, ORG.linkedTo) in ontology
        assert (IPG[prop], OWL.inverseOf, IPG[inverse]) in ontology


def test_ontology_metadata_has_version_iri_and_licence(ontology):
    onto = next(ontology.subjects(RDF.type, OWL.Ontology))
    assert ontology.value(onto, OWL.versionIRI) is not None
    assert ontology.value(onto, URIRef("http://purl.org/dc/terms/license")) is not None


@pytest.fixture(scope="session")
def hermit_on_sample(sample_graph):
    """One HermiT run per session over ontology + schemes + regions + sample network (slow)."""
    return consistency.check(sample_graph)


def test_hermit_finds_ontology_and_sample_network_consistent(hermit_on_sample):
    assert hermit_on_sample.consistent, hermit_on_sample.explanation


def test_hermit_finds_an_institution_typed_both_node_and_outlet_inconsistent(ontology):
    graph = Graph()
    graph += ontology
    graph.parse(data="""@prefix ipg: <https://w3id.org/ipgraph/ontology#> .
        <https://w3id.org/ipgraph/id/institution/x> a ipg:MunicipalNode , ipg:PublicLibraryOutlet .""",
                format="turtle")
    assert not consistency.check(graph).consistent


DCT = "http://purl.org/dc/terms/"


def test_ontology_metadata_names_creator_publisher_licence_and_prior_version(ontology):
    onto = next(ontology.subjects(RDF.type, OWL.Ontology))
    for prop in (DCT + "creator", DCT + "publisher", DCT + "license"):
        assert ontology.value(onto, URIRef(prop)) is not None, prop
    assert ontology.value(onto, OWL.priorVersion) is not None
    assert ontology.value(onto, OWL.priorVersion) != ontology.value(onto, OWL.versionIRI)


def test_every_own_class_and_property_has_a_zh_and_en_definition(ontology):
    from rdflib.namespace import SKOS

    terms = {s for s in ontology.subjects(RDF.type, None) if isinstance(s, URIRef) and s.startswith(str(IPG))}
    for term in terms:
        assert {"zh", "en"} <= {d.language for d in ontology.objects(term, SKOS.definition)}, term


def test_every_object_property_has_a_domain_and_a_range(ontology):
    for prop in ontology.subjects(RDF.type, OWL.ObjectProperty):
        if isinstance(prop, URIRef) and prop.startswith(str(IPG)):
            assert ontology.value(prop, RDFS.domain) is not None and ontology.value(prop, RDFS.range) is not None, prop


def test_outlet_kinds_may_overlap_and_guidance_runs_from_the_provincial_node(ontology):
    """3.3's note lists kinds that overlap (a university is often a TISC and a 高校中心 at once); 6.3.2.1 b has the
    provincial node guide municipal nodes and outlets."""
    assert not list(ontology.subjects(RDF.type, OWL.AllDisjointClasses))
    assert ontology.value(IPG.guides, RDFS.domain) == IPG.ProvincialNode
    assert (IPG.Node, RDFS.subClassOf, URIRef("http://data.europa.eu/m8g/PublicOrganisation")) in ontology
    assert (ORG.FormalOrganization, RDFS.subClassOf, ORG.Organization) in ontology


def test_hermit_accepts_a_university_that_is_both_a_tisc_and_a_university_centre(ontology):
    graph = Graph()
    graph += ontology
    graph.parse(data="""@prefix ipg: <https://w3id.org/ipgraph/ontology#> .
        <https://w3id.org/ipgraph/id/institution/u> a ipg:TISC , ipg:UniversityCentre .""", format="turtle")
    assert consistency.check(graph).consistent


def test_hermit_finds_a_municipal_node_guiding_inconsistent(ontology):
    """ipg:guides has ipg:ProvincialNode as its domain, and provincial and municipal nodes are disjoint."""
    graph = Graph()
    graph += ontology
    graph.parse(data="""@prefix ipg: <https://w3id.org/ipgraph/ontology#> .
        <https://w3id.org/ipgraph/id/institution/m> a ipg:MunicipalNode ;
            ipg:guides <https://w3id.org/ipgraph/id/institution/o> .""", format="turtle")
    assert not consistency.check(graph).consistent
