"""The Heilongjiang sample network, as users see it: every institution placed, guided and honest."""

import re

import pytest
from rdflib import Literal, URIRef
from rdflib.namespace import RDF, RDFS, SKOS

from ipgraph.model.iris import ID, IPG, WGS84

OUTLET_KINDS = {IPG[k] for k in ["TISC", "UniversityCentre", "UniversityOutlet", "ResearchInstituteOutlet",
                                 "PublicLibraryOutlet", "IndustrialParkOutlet", "IndustryOrganisationOutlet",
                                 "MarketAgencyOutlet", "RightsProtectionWorkstation"]}
NODE_KINDS = {IPG.ProvincialNode, IPG.MunicipalNode}


def _institutions(graph, kinds):
    return {s for kind in kinds for s in graph.subjects(RDF.type, kind)}


def _prefecture(graph, region):
    while region is not None and not str(graph.value(region, IPG.regionLevel)).endswith("prefecture"):
        region = graph.value(region, IPG.parentRegion)
    return region


def test_one_provincial_node_and_a_municipal_node_in_each_prefecture(sample_graph):
    assert len(_institutions(sample_graph, {IPG.ProvincialNode})) == 1
    municipal = _institutions(sample_graph, {IPG.MunicipalNode})
    prefectures = {_prefecture(sample_graph, sample_graph.value(n, IPG.locatedIn)) for n in municipal}
    assert len(municipal) == 13 and len(prefectures) == 13


def test_at_least_40_outlets_of_all_nine_kinds_over_at_least_10_prefectures(sample_graph):
    outlets = _institutions(sample_graph, OUTLET_KINDS)
    assert len(outlets) >= 40
    assert {k for k in OUTLET_KINDS if any(sample_graph.subjects(RDF.type, k))} == OUTLET_KINDS
    prefectures = {_prefecture(sample_graph, sample_graph.value(o, IPG.locatedIn)) for o in outlets}
    assert len(prefectures) >= 10


def test_every_institution_has_a_region_with_coordinates_and_a_guiding_or_coordinating_node(sample_graph):
    for institution in _institutions(sample_graph, OUTLET_KINDS | NODE_KINDS):
        region = sample_graph.value(institution, IPG.locatedIn)
        assert (region, RDF.type, IPG.Region) in sample_graph, institution
        assert sample_graph.value(region, WGS84.lat) is not None
        assert sample_graph.value(institution, WGS84.lat) is not None
        if (institution, RDF.type, IPG.ProvincialNode) not in sample_graph:
            guide = sample_graph.value(institution, IPG.guidedBy) or sample_graph.value(institution, IPG.coordinatedBy)
            assert guide is not None and _institutions(sample_graph, NODE_KINDS) >= {guide}, institution


def test_every_offered_service_is_a_concept_of_the_catalogue(sample_graph):
    offered = set(sample_graph.objects(None, IPG.serviceConcept))
    assert len(offered) > 30
    for concept in offered:
        assert (concept, SKOS.inScheme, ID["scheme/services"]) in sample_graph, concept


def test_invented_institutions_say_so_and_real_ones_cite_a_source_and_carry_no_invented_figures(sample_graph):
    dct_source = URIRef("http://purl.org/dc/terms/source")
    for institution in _institutions(sample_graph, OUTLET_KINDS | NODE_KINDS):
        name = str(next(l for l in sample_graph.objects(institution, SKOS.prefLabel) if l.language == "zh"))
        if (institution, IPG.isSample, Literal(True)) in sample_graph:
            assert "示例" in name, name
        else:
            assert sample_graph.value(institution, dct_source) is not None, name
            for invented in (IPG.fullTimeStaff, IPG.partTimeStaff, IPG.securityProtectionLevel, IPG.hasEvaluation):
                assert sample_graph.value(institution, invented) is None, (name, invented)


def test_contact_details_are_example_addresses_not_real_ones(sample_graph):
    schema = "https://schema.org/"
    for prop in ("email", "url"):
        for value in sample_graph.objects(None, URIRef(schema + prop)):
            assert re.search(r"example\.(org|com|net)", str(value)), value
