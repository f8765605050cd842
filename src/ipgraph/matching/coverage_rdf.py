"""The coverage table as RDF: a small W3C Data Cube (https://www.w3.org/TR/vocab-data-cube/) in the public
graph ``…/graph/coverage``, so that linked-data consumers can ask ``/sparql`` where the gaps are.

One ``ipg:CoverageObservation`` (a ``qb:Observation``) per county-level region × basic service (the items
of 6.1), IRI ``…/id/coverage/{adcode}/{notation}``: dimensions ``ipg:coverageRegion`` and
``ipg:coverageService``, measures ``ipg:nearestDistanceKm`` (absent when nobody offers it in person),
``ipg:providersWithin``, ``ipg:remoteProviders`` and ``ipg:isCoverageGap``, attribute
``ipg:nearestProvider``; the data set ``…/id/coverage`` carries the radius (``ipg:coverageRadiusKm``) and its
structure. The terms are in ``ontology/ipgraph.ttl`` with zh and en labels; docs/linked-data.md has queries.
"""

from __future__ import annotations

from rdflib import RDF, XSD, Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCTERMS, RDFS

from ..model.catalog import Catalog
from ..model.iris import GRAPH, ID, IPG
from .coverage_gaps import CoverageTable

QB = Namespace("http://purl.org/linked-data/cube#")
COVERAGE_GRAPH = GRAPH["coverage"]
DATASET = ID["coverage"]
STRUCTURE = ID["coverage/structure"]


def coverage_graph(table: CoverageTable, catalog: Catalog, services: list[str]) -> Graph:
    """The observations of ``services`` (columns of ``table``) with the data set and its structure."""
    g = Graph()
    g.bind("qb", QB)
    g.bind("ipg", IPG)
    g.add((DATASET, RDF.type, QB.DataSet))
    g.add((DATASET, DCTERMS.title, Literal("知识产权信息公共服务覆盖缺口", lang="zh")))
    g.add((DATASET, DCTERMS.title, Literal("Coverage gaps of the IP information public service network", lang="en")))
    g.add((DATASET, DCTERMS.description, Literal(
        "按县级行政区和基础性服务（6.1）统计：驻地到最近线下服务机构的距离、半径内机构数、可远程获取的机构数。"
        "由 ipgraph 根据本图谱的机构数据计算，每次数据更新后重算。", lang="zh")))
    g.add((DATASET, DCTERMS.description, Literal(
        "Per county-level region and basic service (6.1): distance from the seat to the nearest in-person "
        "provider, providers within the radius, providers reachable remotely. Computed by ipgraph from this "
        "graph's institutions and recomputed after every change.", lang="en")))
    g.add((DATASET, QB.structure, STRUCTURE))
    g.add((DATASET, IPG.coverageRadiusKm, Literal(float(table.radius_km), datatype=XSD.double)))
    g.add((STRUCTURE, RDF.type, QB.DataStructureDefinition))
    for order, (prop, kind) in enumerate([(IPG.coverageRegion, QB.dimension), (IPG.coverageService, QB.dimension),
                                          (IPG.nearestDistanceKm, QB.measure), (IPG.providersWithin, QB.measure),
                                          (IPG.remoteProviders, QB.measure), (IPG.isCoverageGap, QB.measure),
                                          (IPG.nearestProvider, QB.attribute)], start=1):
        component = URIRef(f"{STRUCTURE}/component/{order}")
        g.add((STRUCTURE, QB.component, component))
        g.add((component, kind, prop))
        g.add((component, QB.order, Literal(order)))
    g.add((URIRef(f"{STRUCTURE}/component/7"), QB.componentAttachment, QB.Observation))
    for column in (table.column(s) for s in services):
        service = table.services[column]
        notation = catalog.concepts[service].notation or service.rsplit("/", 1)[-1]
        remote = int(table.remote_providers[column])
        for row, region in enumerate(table.regions):
            o = ID[f"coverage/{region.adcode}/{notation}"]
            g.add((o, RDF.type, IPG.CoverageObservation))
            g.add((o, RDF.type, QB.Observation))
            g.add((o, QB.dataSet, DATASET))
            g.add((o, IPG.coverageRegion, URIRef(region.iri)))
            g.add((o, IPG.coverageService, URIRef(service)))
            distance = float(table.nearest_km[row, column])
            if distance != float("inf"):
                g.add((o, IPG.nearestDistanceKm, Literal(round(distance, 3), datatype=XSD.double)))
                g.add((o, IPG.nearestProvider, URIRef(table.provider_iris[int(table.nearest[row, column])])))
            g.add((o, IPG.providersWithin, Literal(int(table.within[row, column]))))
            g.add((o, IPG.remoteProviders, Literal(remote)))
            g.add((o, IPG.isCoverageGap, Literal(not distance <= table.radius_km)))
            g.add((o, RDFS.label, Literal(f"{region.label('zh')} · {catalog.concepts[service].label('zh')}", lang="zh")))
    return g
