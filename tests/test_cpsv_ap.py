"""The public services the graph publishes conform to the official CPSV-AP 3.2.0 shapes (standards/)."""

from __future__ import annotations

from pathlib import Path

import pytest
from rdflib import Graph, URIRef
from rdflib.namespace import RDF, SH

from ipgraph.model.iris import CV, IPG
from ipgraph.store.seed import SAMPLE_NETWORK
from ipgraph.validation.reference import reference_graph

STANDARDS = Path(__file__).parents[1] / "standards"
SHAPES = ["PublicServiceShape", "PublicOrganisationShape", "ChannelShape"]


@pytest.fixture(scope="module")
def cpsv_shapes() -> Graph:
    """CPSV-AP's shapes for public services, public organisations and channels (the rest target other classes)."""
    full = Graph().parse(STANDARDS / "cpsv-ap-3.2.0-SHACL.ttl")
    subset = Graph()
    for shape in full.subjects(RDF.type, SH.NodeShape):
        if str(shape).rsplit("#", 1)[-1] in SHAPES:
            subset += full.cbd(shape)
            for prop in full.objects(shape, SH.property):
                subset += full.cbd(prop)
    assert len(set(subset.subjects(RDF.type, SH.NodeShape))) == len(SHAPES)
    return subset


def _published(graph: Graph) -> set:
    """Public services, their competent authorities and their channels."""
    services = {s for s in graph.subjects(RDF.type, IPG.ServiceOffering)}
    authorities = {a for s in services for a in graph.objects(s, CV.hasCompetentAuthority)}
    channels = {c for s in services for c in graph.objects(s, CV.hasChannel)}
    return services | authorities | channels


MINIMAL = """
@prefix ipg: <https://w3id.org/ipgraph/ontology#> . @prefix cv: <http://data.europa.eu/m8g/> .
@prefix dct: <http://purl.org/dc/terms/> . @prefix skos: <http://www.w3.org/2004/02/skos/core#> .
@prefix id: <https://w3id.org/ipgraph/id/> .
<https://w3id.org/ipgraph/id/institution/t> a ipg:TISC ; skos:prefLabel "TISC"@zh ;
    dct:spatial <https://w3id.org/ipgraph/id/region/230100> .
<https://w3id.org/ipgraph/id/institution/t/offering/6.1-b> a ipg:ServiceOffering ;
    dct:identifier "6.1-b" ; dct:title "基础检索指导"@zh ; dct:description "指导查询。"@zh ;
    cv:hasCompetentAuthority <https://w3id.org/ipgraph/id/institution/t> ;
    cv:hasChannel <https://w3id.org/ipgraph/id/institution/t/channel/phone> .
<https://w3id.org/ipgraph/id/institution/t/channel/phone> a cv:Channel ; dct:identifier "phone" ;
    dct:type <https://w3id.org/ipgraph/id/channel/phone> .
"""


def _conforms(data: Graph, shapes: Graph) -> tuple[bool, set]:
    from pyshacl import validate as shacl

    combined = Graph()
    combined += data
    combined += reference_graph()
    _, report, _ = shacl(combined, shacl_graph=shapes, inference="none", inplace=True)
    focus = {report.value(r, SH.focusNode) for r in report.subjects(RDF.type, SH.ValidationResult)}
    return not focus, focus


def test_what_a_conforming_offering_needs(cpsv_shapes):
    """identifier, title, description and competent authority on the service; dct:spatial (a region, which the
    ontology makes a dct:Location) on the authority; an identifier on the channel."""
    ok, focus = _conforms(Graph().parse(data=MINIMAL, format="turtle"), cpsv_shapes)
    assert ok, focus
    broken = Graph().parse(data=MINIMAL, format="turtle")
    broken.remove((None, URIRef("http://purl.org/dc/terms/identifier"), None))
    ok, focus = _conforms(broken, cpsv_shapes)
    assert not ok and len(focus) == 2


@pytest.fixture(scope="module")
def sample_focus(cpsv_shapes):
    data = Graph().parse(SAMPLE_NETWORK)
    return data, _conforms(data, cpsv_shapes)[1]


def test_the_sample_network_s_public_services_conform_to_cpsv_ap(sample_focus):
    data, focus = sample_focus
    services = set(data.subjects(RDF.type, IPG.ServiceOffering))
    assert len(services) > 100 and not (focus & services)


def test_their_competent_authorities_and_channels_conform_to_cpsv_ap(sample_focus):
    data, focus = sample_focus
    assert not (focus & _published(data))
