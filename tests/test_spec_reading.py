"""The shapes say what the specification says, sentence by sentence (issue 19; docs/validation.md "Reading the
specification"). Each repaired shape is tried on a tiny inline graph holding one institution (or offering) that
the sentence does not fault, which must draw no result, and one that breaks what the sentence says, which must
draw exactly the expected severity."""

from __future__ import annotations

import pytest
from rdflib import Graph, URIRef
from rdflib.namespace import RDF, RDFS, SH

from ipgraph.model.iris import IPG
from ipgraph.model.spec import requirement_clauses
from ipgraph.validation.reference import shapes_graph, validate

PREFIXES = """
@prefix inst:   <https://w3id.org/ipgraph/id/institution/> .
@prefix adm:    <https://w3id.org/ipgraph/id/administration/> .
@prefix reg:    <https://w3id.org/ipgraph/id/region/> .
@prefix svc:    <https://w3id.org/ipgraph/id/service/> .
@prefix fee:    <https://w3id.org/ipgraph/id/fee/> .
@prefix channel: <https://w3id.org/ipgraph/id/channel/> .
@prefix ws:     <https://w3id.org/ipgraph/id/work-system/> .
@prefix ev:     <https://w3id.org/ipgraph/id/evaluation/> .
@prefix ipg:    <https://w3id.org/ipgraph/ontology#> .
@prefix skos:   <http://www.w3.org/2004/02/skos/core#> .
@prefix dct:    <http://purl.org/dc/terms/> .
@prefix cv:     <http://data.europa.eu/m8g/> .
@prefix org:    <http://www.w3.org/ns/org#> .
@prefix schema: <https://schema.org/> .
@prefix local:  <https://example.org/local/> .
"""
SHAPES = "https://w3id.org/ipgraph/shapes#"


def _findings(turtle: str, shape: str) -> dict[str, str]:
    """{focus key: severity} of one shape's results over the graph (institution/… keys shortened)."""
    report = validate(Graph().parse(data=PREFIXES + turtle, format="turtle"))
    found = {}
    for result in report.results:
        if result.shape == SHAPES + shape:
            found[result.focus.split("/id/", 1)[-1]] = result.severity
    return found


def test_5_3_items_are_info_and_its_lead_in_a_warning():
    data = """
    inst:some a ipg:PublicLibraryOutlet ; ipg:hasWorkSystem [ dct:type ws:consulting ] .
    inst:none a ipg:PublicLibraryOutlet ."""
    assert _findings(data, "WorkSystem-5.3") == {"institution/none": "Warning"}
    assert _findings(data, "WorkSystem-5.3-3") == {"institution/none": "Info"}
    assert _findings(data, "WorkSystem-5.3-2") == {"institution/none": "Info", "institution/some": "Info"}


def test_5_4_addresses_institutions_building_resources_and_keeps_its_lists_open():
    data = """
    inst:builds a ipg:TISC ; ipg:providesResource [ a ipg:OpenData ] , [ a ipg:OnlineResource ] .
    inst:api a ipg:TISC ; ipg:providesResource [ a ipg:DataInterface ] , [ a ipg:OnlineLibrary ] , [ a ipg:ThematicDatabase ] .
    inst:database-only a ipg:TISC ; ipg:providesResource [ a ipg:ThematicDatabase ] .
    inst:nothing a ipg:TISC ."""
    assert _findings(data, "OpenData-5.4-3") == {"institution/database-only": "Warning"}
    assert _findings(data, "OnlineService-5.4-5") == {"institution/database-only": "Warning"}
    assert _findings(data, "ThematicDatabase-5.4-4") == {"institution/builds": "Warning"}


def test_5_5_consent_policy_is_a_warning_from_its_should_sentence():
    data = """
    inst:with-policy a ipg:PublicLibraryOutlet ; ipg:collectsServiceObjectInformation true ;
        ipg:hasConsentPolicy [ a ipg:ConsentPolicy ] .
    inst:collects a ipg:PublicLibraryOutlet ; ipg:collectsServiceObjectInformation true .
    inst:silent a ipg:PublicLibraryOutlet ."""
    assert _findings(data, "ConsentPolicy-5.5-3") == {"institution/collects": "Warning"}


def test_5_1d_an_administration_of_any_level_may_designate_an_outlet():
    """3.3 says 各级知识产权管理部门认定或备案: the 齐齐哈尔 administration may register a Harbin outlet."""
    data = """
    adm:qqhr a ipg:IPAdministration ; ipg:locatedIn reg:230200 .
    inst:other-prefecture a ipg:MarketAgencyOutlet ; ipg:locatedIn reg:230103 ;
        ipg:hasDesignation [ a ipg:Designation ; ipg:grantedBy adm:qqhr ] .
    inst:self-granted a ipg:MarketAgencyOutlet ; ipg:hasDesignation [ a ipg:Designation ; ipg:grantedBy inst:other-prefecture ] ."""
    assert _findings(data, "DesignationGrantedByAdministration-5.1d") == {"institution/self-granted": "Warning"}
    assert _findings(data, "OutletDesignatedByAdministration") == {}


def test_6_1c_any_channel_counts():
    data = """
    inst:o a ipg:MarketAgencyOutlet ; ipg:offers inst:o\\/wechat , inst:o\\/none .
    inst:o\\/wechat a ipg:ServiceOffering ; ipg:serviceConcept svc:6.1-c-2 ; ipg:fee fee:free ;
        cv:hasChannel [ a cv:Channel ; dct:type local:wechat ] .
    inst:o\\/none a ipg:ServiceOffering ; ipg:serviceConcept svc:6.1-c-2 ; ipg:fee fee:free ."""
    assert _findings(data, "BasicServiceChannels-6.1c") == {"institution/o/none": "Info"}


def test_6_3_1_any_listed_focus_or_an_own_service_is_a_focus():
    data = """
    inst:library-with-tisc-focus a ipg:PublicLibraryOutlet ; ipg:offers inst:a\\/1 .
    inst:a\\/1 a ipg:ServiceOffering ; ipg:serviceConcept svc:6.3.3.1-b-6 ; ipg:fee fee:low-cost .
    inst:own-focus a ipg:MarketAgencyOutlet ; ipg:offers inst:b\\/1 .
    inst:b\\/1 a ipg:ServiceOffering ; ipg:serviceConcept local:ai-claim-drafting .
    inst:both-kinds a ipg:TISC , ipg:UniversityCentre ; ipg:offers inst:c\\/1 .
    inst:c\\/1 a ipg:ServiceOffering ; ipg:serviceConcept svc:6.1-b ; ipg:fee fee:free ."""
    # one result for an institution of two kinds, not one per kind
    assert _findings(data, "FocusService-6.3.1") == {"institution/both-kinds": "Warning"}


def test_6_3_3_2h_stays_info_and_its_message_does_not_say_only():
    messages = [str(m) for m in shapes_graph().objects(URIRef(SHAPES + "RecordedCapability-6.3.3.2h"), SH.message)]
    assert messages and not any("仅" in m or "only" in m for m in messages)
    data = """
    inst:c a ipg:UniversityCentre ; ipg:offers inst:c\\/fto , inst:c\\/fto2 .
    inst:c\\/fto a ipg:ServiceOffering ; ipg:serviceConcept svc:6.3.3.2-h-2 ; ipg:recordedCapability "检索分析团队 5 人" .
    inst:c\\/fto2 a ipg:ServiceOffering ; ipg:serviceConcept svc:6.3.3.2-h-3 ."""
    assert _findings(data, "RecordedCapability-6.3.3.2h") == {"institution/c/fto2": "Info"}


def test_an_own_service_is_info_and_a_local_concept_under_the_catalogue_meets_it():
    data = """
    local:wechat-consulting a skos:Concept ; skos:broader svc:6.1-c-2 .
    inst:o a ipg:MarketAgencyOutlet ; ipg:offers inst:o\\/linked , inst:o\\/unlinked .
    inst:o\\/linked a ipg:ServiceOffering ; ipg:serviceConcept local:wechat-consulting .
    inst:o\\/unlinked a ipg:ServiceOffering ; ipg:serviceConcept local:something-new ."""
    assert _findings(data, "OfferedServiceInCatalogue") == {"institution/o/unlinked": "Info"}


def test_7_1_monitoring_missing_from_recorded_evaluations_is_not_recorded_not_a_violation():
    data = """
    inst:m a ipg:TISC ; ipg:hasEvaluation [ a ipg:Evaluation ; dct:type ev:dynamic-monitoring ] .
    inst:e a ipg:TISC ; ipg:hasEvaluation [ a ipg:Evaluation ; dct:type ev:summary ] ."""
    assert _findings(data, "DynamicMonitoring-7.1") == {"institution/e": "Warning"}


def test_7_2_a_suggestion_box_is_a_channel():
    data = """
    inst:box a ipg:TISC ; ipg:hasFeedbackChannel inst:box\\/feedback .
    inst:box\\/feedback a ipg:FeedbackChannel ; dct:title "意见箱"@zh .
    inst:none a ipg:TISC ."""
    assert _findings(data, "FeedbackChannelRecorded-7.2") == {"institution/none": "Warning"}
    assert _findings(data, "FeedbackChannelContact-7.2") == {}


def test_6_3_2_1b_an_unrecorded_guidance_is_info_and_two_guides_are_no_breach():
    data = """
    inst:p1 a ipg:ProvincialNode ; ipg:locatedIn reg:230103 ; schema:areaServed reg:230000 .
    inst:p2 a ipg:ProvincialNode ; ipg:locatedIn reg:230103 ; schema:areaServed reg:230000 .
    inst:two-guides a ipg:MunicipalNode ; ipg:locatedIn reg:230202 ; ipg:guidedBy inst:p1 , inst:p2 .
    inst:unguided a ipg:MunicipalNode ; ipg:locatedIn reg:230202 ."""
    assert _findings(data, "GuidedByProvincialNode") == {"institution/unguided": "Info"}
    assert _findings(data, "GuidedByOneProvincialNode") == {}


def test_6_3_2_1b_a_guide_elsewhere_is_info_and_a_guide_without_a_region_is_not_reported():
    data = """
    inst:here a ipg:ProvincialNode ; ipg:locatedIn reg:230103 ; schema:areaServed reg:230000 .
    inst:nowhere a ipg:ProvincialNode .
    inst:inside a ipg:MunicipalNode ; ipg:locatedIn reg:230202 ; ipg:guidedBy inst:here .
    inst:unknown a ipg:MunicipalNode ; ipg:locatedIn reg:230202 ; ipg:guidedBy inst:nowhere .
    inst:outside a ipg:MunicipalNode ; ipg:locatedIn reg:110101 ; ipg:guidedBy inst:here ."""
    assert _findings(data, "MunicipalNodeInsideGuideRegion") == {"institution/outside": "Info"}


def test_6_3_2_2c_coordination_across_prefectures_is_info_and_the_provincial_node_may_coordinate():
    data = """
    inst:prov a ipg:ProvincialNode ; ipg:locatedIn reg:230103 ; schema:areaServed reg:230000 .
    inst:qqhr a ipg:MunicipalNode ; ipg:locatedIn reg:230202 .
    inst:by-province a ipg:TISC ; ipg:locatedIn reg:230603 ; ipg:coordinatedBy inst:prov .
    inst:by-qqhr a ipg:TISC ; ipg:locatedIn reg:230103 ; ipg:coordinatedBy inst:qqhr ."""
    assert _findings(data, "OutletCoordinatedByOwnPrefecture") == {"institution/by-qqhr": "Info"}


def test_every_clause_shape_names_the_verb_of_a_sentence_of_its_clause_and_quotes_it():
    """ipg:modalVerb is the verb of the sentence the shape encodes: it occurs in the clause's text or in the
    lead-in of its list (a bullet of 5.3 is governed by the lead-in's 可包括), and the comment quotes it. A shape
    with no verb says in its comment that it is a data-integrity check."""
    clauses = {c.id: c for c in requirement_clauses()}
    shapes = shapes_graph()
    checked = 0
    for shape, clause in shapes.subject_objects(IPG.clause):
        if (shape, RDF.type, SH.NodeShape) not in shapes or str(clause) not in clauses:
            continue
        verb = shapes.value(shape, IPG.modalVerb)
        comment = shapes.value(shape, RDFS.comment)
        assert comment is not None, shape
        if verb is None:  # a record that contradicts the relation the clause defines, not a modal requirement
            assert "data-integrity" in str(comment), shape
            continue
        parent = str(clause).replace("-", " ").split(" ")[0]
        texts = clauses[str(clause)].text + (clauses[parent].text if parent in clauses else "")
        assert str(verb) in texts, (shape, verb)
        assert str(verb) in str(comment), shape
        checked += 1
    assert checked >= 40


@pytest.mark.parametrize("shape", ["OutletDesignatedByAdministration", "FeedbackChannelContact-7.2",
                                   "GuidedByOneProvincialNode"])
def test_the_shapes_that_invented_requirements_are_gone(shape):
    assert not list(shapes_graph().predicate_objects(URIRef(SHAPES + shape)))
