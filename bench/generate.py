#!/usr/bin/env python3
"""A seeded synthetic national network for benchmarks: N institutions over the GB/T 2260 regions.

The shape is that of docs/model.md and ``data/sample-network.ttl`` (built by ``data/build_sample.py``):
a provincial node per province, a municipal node per prefecture-level division, and outlets of the nine
kinds spread over the county-level divisions of ``data/regions-cn.csv``; each institution offers services
of the catalogue (``ontology/services.ttl``: the basic 6.1 items, some professional 6.2 items and the focus
items of its kind, ``ipg:focusOfKind``) with the catalogue's default fee and channels with contacts, has
a designation, the network relations of 3.2 / 6.3.2.1 b / 6.3.2.2 c in both directions, staffing (5.2),
work systems (5.3), facilities (5.1 b), a resource (5.4), security (5.5), evaluations (7.1), a feedback
channel (7.2) and sometimes a practice case (7.3).

Everything is invented: ``ipg:isSample true``, names carry （示例）/(sample), telephone numbers use the
non-existent area code 000 and addresses on the web are under ``example.org`` (RFC 2606).

A few defects are planted on purpose — one record per defect in a sidecar ``{out}.defects.json`` (the
institution, the clause it breaks, the expected severity) — so that a validation benchmark can check that
the validator finds them, and only them.

Output is N-Triples (``.nt``) or N-Quads (``.nq``: one named graph per institution, as the store keeps
them, plus the regions and administrations graphs), written as text directly: 100,000 institutions take
well under a minute. The same ``n`` and ``seed`` give a byte-identical file.

Library: ``generate(n, seed, out)`` writes the files and returns a :class:`Generated`; ``lines(n, seed)``
yields the statements. CLI: ``python bench/generate.py -n 10000 -o /tmp/net.nt [--seed 1]``.
"""

from __future__ import annotations

import argparse
import csv
import json
import math
import random
import sys
import time
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT / "src") not in sys.path:  # run from a checkout without `pip install -e .`
    sys.path.append(str(ROOT / "src"))
REGIONS_CSV = ROOT / "data" / "regions-cn.csv"
SERVICES_TTL = ROOT / "ontology" / "services.ttl"
SCHEMES_TTL = ROOT / "ontology" / "schemes.ttl"

BASE = "https://w3id.org/ipgraph/"
ID = BASE + "id/"
GRAPH = BASE + "graph/"
IPG = BASE + "ontology#"
RDF_TYPE = "<http://www.w3.org/1999/02/22-rdf-syntax-ns#type>"
XSD = "http://www.w3.org/2001/XMLSchema#"

P = {  # predicates, ready to write
    "label": "<http://www.w3.org/2004/02/skos/core#prefLabel>",
    "alt": "<http://www.w3.org/2004/02/skos/core#altLabel>",
    "lat": "<http://www.w3.org/2003/01/geo/wgs84_pos#lat>",
    "long": "<http://www.w3.org/2003/01/geo/wgs84_pos#long>",
    "tel": "<https://schema.org/telephone>",
    "email": "<https://schema.org/email>",
    "url": "<https://schema.org/url>",
    "address": "<https://schema.org/address>",
    "areaServed": "<https://schema.org/areaServed>",
    "dtype": "<http://purl.org/dc/terms/type>",
    "title": "<http://purl.org/dc/terms/title>",
    "identifier": "<http://purl.org/dc/terms/identifier>",
    "date": "<http://purl.org/dc/terms/date>",
    "hasChannel": "<http://data.europa.eu/m8g/hasChannel>",
    "authority": "<http://data.europa.eu/m8g/hasCompetentAuthority>",
    "member": "<http://www.w3.org/ns/org#member>",
    "endpointURL": "<http://www.w3.org/ns/dcat#endpointURL>",
    **{name: f"<{IPG}{name}>" for name in (
        "adcode", "regionLevel", "parentRegion", "locatedIn", "isSample", "uscc", "belongsTo", "hasDesignation",
        "grantedBy", "designationKind", "grantedOn", "guides", "guidedBy", "coordinates", "coordinatedBy",
        "supports", "supportedBy", "offers", "serviceConcept", "fee", "ipType", "fullTimeStaff",
        "partTimeStaff", "jobQualificationsDefined", "jobDutiesDefined", "hasWorkSystem", "hasFacility",
        "providesResource", "securityProtectionLevel", "collectsServiceObjectInformation", "hasConsentPolicy",
        "hasEvaluation", "hasFeedbackChannel", "hasPracticeCase", "reportedTo")},
}
C = {name: f"<{IPG}{name}>" for name in (
    "Region", "IPAdministration", "ProvincialNode", "MunicipalNode", "TISC", "UniversityCentre",
    "UniversityOutlet", "ResearchInstituteOutlet", "PublicLibraryOutlet", "IndustrialParkOutlet",
    "IndustryOrganisationOutlet", "MarketAgencyOutlet", "RightsProtectionWorkstation", "ServiceOffering",
    "Designation", "WorkSystem", "Facility", "ThematicDatabase", "OnlineClass", "OnlineLibrary",
    "ConsentPolicy", "Evaluation", "FeedbackChannel", "PracticeCase")}
C["PublicService"] = "<http://purl.org/vocab/cpsv#PublicService>"
C["Channel"] = "<http://data.europa.eu/m8g/Channel>"
TRUE = f'"true"^^<{XSD}boolean>'
FALSE = f'"false"^^<{XSD}boolean>'

# Outlet kinds (3.3, 6.3.3.x): class, name zh, name en, share of outlets, IP types they mostly serve.
OUTLET_KINDS = [
    ("TISC", "技术与创新支持中心", "TISC", 0.05, ("patent",)),
    ("UniversityCentre", "高校国家知识产权信息服务中心", "University IP Information Service Centre", 0.03, ("patent",)),
    ("UniversityOutlet", "高校知识产权信息服务网点", "University IP Outlet", 0.11, ("patent", "copyright")),
    ("ResearchInstituteOutlet", "科技情报研究机构知识产权信息服务网点", "Sci-Tech Information Institute IP Outlet",
     0.09, ("patent", "plant-variety")),
    ("PublicLibraryOutlet", "图书馆知识产权信息服务网点", "Library IP Information Outlet", 0.12,
     ("patent", "trademark", "copyright")),
    ("IndustrialParkOutlet", "产业园区知识产权信息服务网点", "Industrial Park IP Outlet", 0.10, ("patent", "trade-secret")),
    ("IndustryOrganisationOutlet", "行业协会知识产权信息服务网点", "Industry Association IP Outlet", 0.10,
     ("patent", "geographical-indication")),
    ("MarketAgencyOutlet", "知识产权服务机构信息服务网点", "IP Service Agency Outlet", 0.28, ("patent", "trademark")),
    ("RightsProtectionWorkstation", "知识产权维权援助工作站", "IP Rights-Protection Aid Workstation", 0.12,
     ("patent", "trademark", "copyright")),
]
WORK_SYSTEMS = [("service-standards", "服务事项、服务流程、服务标准和质量要求制度"), ("publicity-training", "宣传培训制度"),
                ("consulting", "咨询服务制度"), ("information-management", "信息管理制度"), ("evaluation", "评估与总结制度")]
FACILITIES = [("venue", "服务场地"), ("network", "网络环境"), ("hardware", "硬件设备"), ("software", "系统软件"),
              ("data", "数据资源")]
REMOTE_CHANNELS = ("phone", "web")

# Planted defects: name → (clause, expected severity, what is wrong). See Writer.plant.
DEFECTS = {
    "understaffed": ("5.2", "Violation", "fewer than 3 full-time staff"),
    "duties-undefined": ("5.2", "Violation", "job duties of service staff not defined"),
    "no-consent-policy": ("5.5", "Violation", "collects service-recipient information without a consent policy"),
    "no-evaluation": ("7.1", "Violation", "no dynamic monitoring or evaluation"),
    "no-feedback-channel": ("7.2", "Violation", "no channel for opinions and suggestions"),
    "bad-uscc": ("integrity", "Violation", "unified social credit code with a wrong check character"),
    "coordinates-swapped": ("integrity", "Violation", "latitude and longitude swapped: the point lies outside China"),
    "no-zh-name": ("integrity", "Violation", "no Chinese name (skos:prefLabel @zh)"),
    "unknown-service": ("integrity", "Violation", "an offering's service concept is not in the catalogue"),
}


@dataclass(frozen=True)
class Region:
    adcode: str
    name: str
    short: str
    level: str
    parent: str
    lat: float
    lon: float


@dataclass
class Generated:
    """What :func:`generate` wrote."""

    path: Path
    defects_path: Path
    institutions: int
    statements: int
    seconds: float
    counts_by_kind: dict[str, int] = field(default_factory=dict)


def read_regions(path: Path = REGIONS_CSV) -> list[Region]:
    with path.open(encoding="utf-8", newline="") as handle:
        return [Region(r["adcode"], r["name"], r["short_name"], r["level"], r["parent_adcode"],
                       float(r["lat"]), float(r["lon"])) for r in csv.DictReader(handle)]


def read_catalogue(services: Path = SERVICES_TTL, schemes: Path = SCHEMES_TTL):
    """(notation → (labels {lang: text}, default fee key)), (kind class name → focus notations, leaves only)."""
    from rdflib import Graph, Namespace
    from rdflib.namespace import SKOS

    ipg = Namespace(IPG)
    graph = Graph().parse(services)
    if schemes.exists():
        graph.parse(schemes)
    concepts: dict[str, tuple[dict[str, str], str | None]] = {}
    notation_of = {}
    for concept, notation in graph.subject_objects(SKOS.notation):
        if not str(concept).startswith(ID + "service/"):
            continue
        labels = {label.language: str(label) for label in graph.objects(concept, SKOS.prefLabel) if label.language}
        fee = graph.value(concept, ipg.defaultFee)
        concepts[str(notation)] = (labels, str(fee).rsplit("/", 1)[-1] if fee else None)
        notation_of[concept] = str(notation)
    leaves = {n for n in concepts if not any(other.startswith(n + "-") for other in concepts)}
    focus: dict[str, list[str]] = defaultdict(list)
    for concept, kind in graph.subject_objects(ipg.focusOfKind):
        kind_class = graph.value(kind, ipg.kindClass)
        notation = notation_of.get(concept)
        if kind_class is not None and notation in leaves:
            focus[str(kind_class).rsplit("#", 1)[-1]].append(notation)
    return concepts, {kind: sorted(items) for kind, items in focus.items()}


def _iri(path: str) -> str:
    return f"<{ID}{path}>"


def _lit(text: str, lang: str | None = None) -> str:
    escaped = text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
    return f'"{escaped}"@{lang}' if lang else f'"{escaped}"'


def _typed(value: object, datatype: str) -> str:
    return f'"{value}"^^<{XSD}{datatype}>'


def _uscc_with_wrong_check(rng: random.Random, adcode: str) -> str:
    """An 18-character code of the GB 32100 shape whose check character is wrong (so it is nobody's)."""
    from ipgraph.sheets.uscc import ALPHABET, check_character

    body = "52" + adcode + "".join(rng.choice("0123456789") for _ in range(9))
    right = ALPHABET.index(check_character(body))
    return body + ALPHABET[(right + 1 + rng.randrange(30)) % 31]


class Writer:
    """Builds the statements of one network; ``emit`` collects them per named graph."""

    def __init__(self, n: int, seed: int, *, quads: bool, regions: list[Region], concepts, focus):
        self.n, self.rng, self.quads = n, random.Random(seed), quads
        self.regions = regions
        self.by_code = {r.adcode: r for r in regions}
        self.concepts, self.focus = concepts, focus
        self.basic = sorted(n for n in concepts if n.startswith("6.1-") and not any(
            o.startswith(n + "-") for o in concepts))
        self.professional = sorted(n for n in concepts if n.startswith("6.2-") and not any(
            o.startswith(n + "-") for o in concepts))
        self.defects: list[dict] = []
        self.counts: dict[str, int] = defaultdict(int)
        self.out: list[str] = []
        self.graph = ""
        self.serial = 0

    # -- low level ----------------------------------------------------------------------------
    def use_graph(self, name: str) -> None:
        self.graph = f" <{GRAPH}{name}>" if self.quads else ""

    def emit(self, s: str, p: str, o: str) -> None:
        self.out.append(f"{s} {p} {o}{self.graph} .\n")

    def prefecture_of(self, region: Region) -> Region | None:
        """The prefecture-level division a county belongs to (None for counties directly under a province)."""
        parent = self.by_code.get(region.parent)
        return parent if parent and parent.level == "prefecture" else None

    def province_of(self, region: Region) -> Region:
        while region.level != "province":
            region = self.by_code[region.parent]
        return region

    # -- reference data -------------------------------------------------------------------------
    def region_statements(self) -> None:
        self.use_graph("regions")
        for r in self.regions:
            s = _iri(f"region/{r.adcode}")
            self.emit(s, RDF_TYPE, C["Region"])
            self.emit(s, P["adcode"], _lit(r.adcode))
            self.emit(s, P["label"], _lit(r.name, "zh"))
            if r.short and r.short != r.name:
                self.emit(s, P["alt"], _lit(r.short, "zh"))
            self.emit(s, P["regionLevel"], _iri(f"region-level/{r.level}"))
            if r.parent:
                self.emit(s, P["parentRegion"], _iri(f"region/{r.parent}"))
            self.emit(s, P["lat"], _typed(r.lat, "double"))
            self.emit(s, P["long"], _typed(r.lon, "double"))

    def administration(self, region: Region) -> str:
        s = _iri(f"administration/syn-{region.adcode}")
        self.use_graph("administrations")
        self.emit(s, RDF_TYPE, C["IPAdministration"])
        self.emit(s, P["label"], _lit(f"{region.name}知识产权管理部门（示例）", "zh"))
        self.emit(s, P["label"], _lit(f"IP administration of region {region.adcode} (sample)", "en"))
        self.emit(s, P["isSample"], TRUE)
        self.emit(s, P["locatedIn"], _iri(f"region/{region.adcode}"))
        return s

    # -- one institution ------------------------------------------------------------------------
    def institution(self, key: str, cls: str, zh: str, en: str, region: Region, served: Region,
                    spread: float) -> str:
        rng = self.rng
        self.serial += 1
        self.counts[cls] += 1
        self.use_graph(f"institution/{key}")
        s = _iri(f"institution/{key}")
        self.emit(s, RDF_TYPE, C[cls])
        self.emit(s, P["label"], _lit(f"{zh}（示例）", "zh"))
        self.emit(s, P["label"], _lit(f"{en} (sample)", "en"))
        self.emit(s, P["isSample"], TRUE)
        self.emit(s, P["locatedIn"], _iri(f"region/{region.adcode}"))
        lat = round(region.lat + rng.uniform(-spread, spread), 6)
        lon = round(region.lon + rng.uniform(-spread, spread) / max(0.2, math.cos(math.radians(region.lat))), 6)
        self.emit(s, P["lat"], _typed(lat, "double"))
        self.emit(s, P["long"], _typed(lon, "double"))
        self.emit(s, P["areaServed"], _iri(f"region/{served.adcode}"))
        self.phone = f"+86-000-{self.serial:08d}"
        self.address = f"{self.province_of(region).name}{region.name}示例路{self.serial % 1000}号（示例地址）"
        self.web = f"https://{key}.example.org/"
        self.emit(s, P["tel"], _lit(self.phone))
        self.emit(s, P["email"], _lit(f"service@{key}.example.org"))
        self.emit(s, P["url"], f"<{self.web}>")
        self.emit(s, P["address"], _lit(self.address, "zh"))
        return s

    def channel(self, s: str, key: str, kind: str, made: set[str]) -> str:
        c = _iri(f"institution/{key}/channel/{kind}")
        if kind not in made:
            made.add(kind)
            self.emit(c, RDF_TYPE, C["Channel"])
            self.emit(c, P["dtype"], _iri(f"channel/{kind}"))
            if kind == "web":
                self.emit(c, P["url"], f"<{self.web}>")
                self.emit(c, P["email"], _lit(f"service@{key}.example.org"))
            else:
                self.emit(c, P["tel"], _lit(self.phone))
                if kind != "phone":
                    self.emit(c, P["address"], _lit(self.address, "zh"))
        return c

    def offerings(self, s: str, key: str, notations: list[str], ip_types: tuple[str, ...]) -> None:
        rng, made = self.rng, set()
        for notation in notations:
            labels, fee = self.concepts[notation]
            o = _iri(f"institution/{key}/offering/{notation}")
            self.emit(s, P["offers"], o)
            self.emit(o, RDF_TYPE, C["ServiceOffering"])
            self.emit(o, RDF_TYPE, C["PublicService"])
            self.emit(o, P["authority"], s)
            self.emit(o, P["serviceConcept"], _iri(f"service/{notation}"))
            if fee is None:  # a focus item without a default: public-interest ones free, the rest low cost
                fee = "free" if rng.random() < 0.4 else "low-cost"
            self.emit(o, P["fee"], _iri(f"fee/{fee}"))
            if notation.startswith("6.1"):
                kinds = ["phone", "web", "window"]
            elif rng.random() < 0.15:
                kinds = ["phone", "web"]          # reachable from anywhere
            else:
                kinds = ["web", "window"]
            if notation.startswith("6.3.3.9-c"):
                kinds.append("onsite")
            for kind in kinds:
                self.emit(o, P["hasChannel"], self.channel(s, key, kind, made))
            for ip_type in ip_types:
                self.emit(o, P["ipType"], _iri(f"ip-type/{ip_type}"))

    def designation(self, s: str, key: str, kind: str, grantor: str) -> None:
        d = _iri(f"institution/{key}/designation/1")
        self.emit(s, P["hasDesignation"], d)
        self.emit(d, RDF_TYPE, C["Designation"])
        self.emit(d, P["member"], s)
        self.emit(d, P["grantedBy"], grantor)
        self.emit(d, P["designationKind"], _iri(f"designation/{kind}"))
        year = 2019 + self.rng.randrange(7)
        self.emit(d, P["grantedOn"], _typed(f"{year}-{self.rng.randrange(1, 13):02d}-{self.rng.randrange(1, 29):02d}",
                                            "date"))

    def chapter5and7(self, s: str, key: str, *, node: bool, reported_to: str, defect: str | None) -> None:
        rng = self.rng
        full_time = 2 if defect == "understaffed" else (rng.randrange(6, 15) if node else rng.randrange(3, 10))
        self.emit(s, P["fullTimeStaff"], _typed(full_time, "nonNegativeInteger"))
        self.emit(s, P["partTimeStaff"], _typed(rng.randrange(1, 8), "nonNegativeInteger"))
        self.emit(s, P["jobQualificationsDefined"], TRUE)
        self.emit(s, P["jobDutiesDefined"], FALSE if defect == "duties-undefined" else TRUE)
        gap = rng.random()
        for i, (wkey, title) in enumerate(WORK_SYSTEMS):
            if gap < 0.05 and i == len(WORK_SYSTEMS) - 1:
                continue  # a 宜 (should) gap, as the sample network has: a Warning, not a defect
            w = _iri(f"institution/{key}/work-system/{wkey}")
            self.emit(s, P["hasWorkSystem"], w)
            self.emit(w, RDF_TYPE, C["WorkSystem"])
            self.emit(w, P["dtype"], _iri(f"work-system/{wkey}"))
            self.emit(w, P["title"], _lit(title, "zh"))
        for fkey, title in FACILITIES:
            f = _iri(f"institution/{key}/facility/{fkey}")
            self.emit(s, P["hasFacility"], f)
            self.emit(f, RDF_TYPE, C["Facility"])
            self.emit(f, P["dtype"], _iri(f"facility/{fkey}"))
            self.emit(f, P["title"], _lit(title, "zh"))
        r = _iri(f"institution/{key}/resource/thematic-database")
        self.emit(s, P["providesResource"], r)
        self.emit(r, RDF_TYPE, C["ThematicDatabase"])
        self.emit(r, P["title"], _lit("知识产权专题数据库（示例）", "zh"))
        self.emit(s, P["securityProtectionLevel"], _typed(3 if node else rng.choice((2, 2, 3)), "integer"))
        self.emit(s, P["collectsServiceObjectInformation"], TRUE)
        if defect != "no-consent-policy":
            cp = _iri(f"institution/{key}/consent-policy")
            self.emit(s, P["hasConsentPolicy"], cp)
            self.emit(cp, RDF_TYPE, C["ConsentPolicy"])
            self.emit(cp, P["title"], _lit("服务对象信息管理制度（示例）", "zh"))
        if defect != "no-evaluation":
            for n, etype in enumerate(("dynamic-monitoring", "mid-term"), 1):
                e = _iri(f"institution/{key}/evaluation/{n}")
                self.emit(s, P["hasEvaluation"], e)
                self.emit(e, RDF_TYPE, C["Evaluation"])
                self.emit(e, P["dtype"], _iri(f"evaluation/{etype}"))
                self.emit(e, P["date"], _typed(f"{2023 + n}-{rng.randrange(1, 13):02d}-{rng.randrange(1, 29):02d}",
                                               "date"))
        if defect != "no-feedback-channel":
            fb = _iri(f"institution/{key}/feedback-channel")
            self.emit(s, P["hasFeedbackChannel"], fb)
            self.emit(fb, RDF_TYPE, C["FeedbackChannel"])
            self.emit(fb, P["dtype"], _iri("channel/web"))
            self.emit(fb, P["url"], f"<{self.web}feedback>")
        if rng.random() < 0.7:
            pc = _iri(f"institution/{key}/practice-case/1")
            self.emit(s, P["hasPracticeCase"], pc)
            self.emit(pc, RDF_TYPE, C["PracticeCase"])
            self.emit(pc, P["title"], _lit("知识产权信息服务实践案例（示例案例）", "zh"))
            self.emit(pc, P["date"], _typed(f"2025-{rng.randrange(1, 13):02d}-{rng.randrange(1, 29):02d}", "date"))
            self.emit(pc, P["reportedTo"], reported_to)

    def plant(self, s: str, key: str, region: Region, defect: str | None) -> None:
        """The defects that are extra statements (the others are omissions made by the callers)."""
        if defect is None:
            return
        clause, severity, what = DEFECTS[defect]
        self.defects.append({"defect": defect, "institution": s[1:-1], "clause": clause, "severity": severity,
                             "what": what})
        if defect == "bad-uscc":
            self.emit(s, P["uscc"], _lit(_uscc_with_wrong_check(self.rng, region.adcode)))
        elif defect == "unknown-service":
            o = _iri(f"institution/{key}/offering/9.9-z")
            self.emit(s, P["offers"], o)
            self.emit(o, RDF_TYPE, C["ServiceOffering"])
            self.emit(o, P["authority"], s)
            self.emit(o, P["serviceConcept"], _iri("service/9.9-z"))
            self.emit(o, P["fee"], _iri("fee/free"))

    # -- the network ----------------------------------------------------------------------------
    def build(self) -> Iterator[list[str]]:
        """Yields batches of statements: regions, then the nodes, then outlets."""
        rng = self.rng
        provinces = [r for r in self.regions if r.level == "province"]
        prefectures = [r for r in self.regions if r.level == "prefecture"]
        counties = [r for r in self.regions if r.level == "county"]
        self.region_statements()
        yield self.flush()

        n_provincial = min(len(provinces), self.n)
        n_municipal = min(len(prefectures), max(0, (self.n - n_provincial) // 3))
        n_outlets = self.n - n_provincial - n_municipal
        with_node = set(r.adcode for r in rng.sample(prefectures, n_municipal))
        defect_at = self.defect_positions(n_outlets)

        admins = {r.adcode: self.administration(r) for r in provinces}
        provincial: dict[str, tuple[str, str]] = {}
        for r in provinces[:n_provincial]:
            key = f"syn-p-{r.adcode}"
            s = self.institution(key, "ProvincialNode", f"{r.name}知识产权信息公共服务节点",
                                 f"Provincial IP Information Public Service Node {r.adcode}", r, r, 0.02)
            self.emit(s, P["belongsTo"], admins[r.adcode])
            self.offerings(s, key, self.basic + self.professional + self.focus.get("ProvincialNode", []),
                           ("patent", "trademark", "geographical-indication"))
            self.designation(s, key, "recognition", admins[r.adcode])
            self.chapter5and7(s, key, node=True, reported_to=admins[r.adcode], defect=None)
            provincial[r.adcode] = (s, key)
        yield self.flush()

        municipal: dict[str, tuple[str, str]] = {}
        for r in prefectures:
            if r.adcode not in with_node:
                continue
            admin = self.administration(r)
            key = f"syn-m-{r.adcode}"
            s = self.institution(key, "MunicipalNode", f"{r.name}知识产权信息公共服务节点",
                                 f"Municipal IP Information Public Service Node {r.adcode}", r, r, 0.02)
            self.emit(s, P["belongsTo"], admin)
            guide = provincial.get(self.province_of(r).adcode)
            if guide:
                self.link(guide[0], "guides", s, "guidedBy", guide[1], key)
            focus = self.focus.get("MunicipalNode", [])
            self.offerings(s, key, self.basic + self.professional + rng.sample(focus, min(len(focus), 3 + rng.randrange(3))),
                           ("patent", "trademark"))
            self.designation(s, key, "recognition", admin)
            self.chapter5and7(s, key, node=True, reported_to=admin, defect=None)
            municipal[r.adcode] = (s, key)
        yield self.flush()

        # Outlets: counties weighted unevenly (a few busy districts, many quiet counties).
        weights = [rng.lognormvariate(0, 1.0) for _ in counties]
        places = rng.choices(counties, weights=weights, k=n_outlets)
        kinds = rng.choices(OUTLET_KINDS, weights=[k[3] for k in OUTLET_KINDS], k=n_outlets)
        seq: dict[tuple[str, str], int] = defaultdict(int)
        for i in range(n_outlets):
            region, (cls, kind_zh, kind_en, _, ip_types) = places[i], kinds[i]
            defect = defect_at.get(i)
            key = f"syn-o-{i:06d}"
            seq[(region.adcode, cls)] += 1
            number = seq[(region.adcode, cls)]
            prefecture = self.prefecture_of(region)
            province = self.province_of(region)
            s = self.institution(key, cls, f"{region.name}{kind_zh}{number}号", f"{kind_en} {region.adcode}-{number}",
                                 region, prefecture or region, 0.04)
            if defect == "no-zh-name":
                self.out = [line for line in self.out if not (line.startswith(s) and '"@zh' in line
                                                             and P["label"] in line)]
            if defect == "coordinates-swapped":
                self.out = [line for line in self.out if not (line.startswith(s) and (P["lat"] in line or P["long"] in line))]
                self.emit(s, P["lat"], _typed(round(region.lon, 6), "double"))
                self.emit(s, P["long"], _typed(round(region.lat, 6), "double"))
            focus = self.focus.get(cls, [])
            chosen = sorted(set(rng.sample(self.basic, rng.randrange(2, 5))
                                + rng.sample(self.professional, rng.randrange(0, 3))
                                + rng.sample(focus, min(len(focus), rng.randrange(2, 5)))))
            self.offerings(s, key, chosen, ip_types[:1 + rng.randrange(len(ip_types))])
            grantor = admins[province.adcode]
            self.designation(s, key, "tisc" if cls == "TISC" else "university-centre" if cls == "UniversityCentre"
                             else rng.choice(("recognition", "registration")), grantor)
            guide = provincial.get(province.adcode)
            if guide:
                self.link(guide[0], "guides", s, "guidedBy", guide[1], key)
            node = municipal.get(prefecture.adcode) if prefecture else None
            if node:
                self.link(node[0], "coordinates", s, "coordinatedBy", node[1], key)
                self.link(node[0], "supports", s, "supportedBy", node[1], key)
            self.chapter5and7(s, key, node=False, reported_to=grantor, defect=defect)
            self.use_graph(f"institution/{key}")
            self.plant(s, key, region, defect)
            if len(self.out) > 200_000:
                yield self.flush()
        yield self.flush()

    def link(self, a: str, forward: str, b: str, inverse: str, a_key: str, b_key: str) -> None:
        """``a forward b`` in a's graph and ``b inverse a`` in b's graph."""
        self.use_graph(f"institution/{a_key}")
        self.emit(a, P[forward], b)
        self.use_graph(f"institution/{b_key}")
        self.emit(b, P[inverse], a)

    def defect_positions(self, n_outlets: int) -> dict[int, str]:
        """Which outlets get which defect: each kind max(1, N / 20,000) times, never twice on one outlet."""
        if n_outlets < len(DEFECTS):
            return {}
        each = max(1, self.n // 20_000)
        picks = self.rng.sample(range(n_outlets), min(n_outlets, each * len(DEFECTS)))
        return {position: name for position, name in zip(picks, [d for d in DEFECTS for _ in range(each)])}

    def flush(self) -> list[str]:
        batch, self.out = self.out, []
        return batch


def lines(n: int = 100_000, seed: int = 0, *, quads: bool = False, writer: Writer | None = None) -> Iterator[str]:
    """The network's statements as N-Triples (or N-Quads) lines, each ending in a newline."""
    concepts, focus = read_catalogue()
    w = writer or Writer(n, seed, quads=quads, regions=read_regions(), concepts=concepts, focus=focus)
    for batch in w.build():
        yield from batch


def generate(n: int = 100_000, seed: int = 0, out: Path | str | None = None) -> Generated:
    """Write the network to ``out`` (``.nt`` or ``.nq``; default ``bench/data/network-{n}-{seed}.nt``) and its
    planted defects to ``{out}.defects.json``."""
    started = time.perf_counter()
    path = Path(out) if out else ROOT / "bench" / "data" / f"network-{n}-{seed}.nt"
    if path.suffix not in (".nt", ".nq"):
        raise ValueError(f"output must end in .nt or .nq: {path}")
    path.parent.mkdir(parents=True, exist_ok=True)
    concepts, focus = read_catalogue()
    writer = Writer(n, seed, quads=path.suffix == ".nq", regions=read_regions(), concepts=concepts, focus=focus)
    count = 0
    with path.open("w", encoding="utf-8") as handle:
        for batch in writer.build():
            handle.writelines(batch)
            count += len(batch)
    defects_path = path.with_name(path.name + ".defects.json")
    defects_path.write_text(json.dumps({"n": n, "seed": seed, "network": path.name, "defects": writer.defects},
                                       ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    return Generated(path, defects_path, sum(writer.counts.values()), count, time.perf_counter() - started,
                     dict(sorted(writer.counts.items())))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Write a seeded synthetic national network (示例 data).")
    parser.add_argument("-n", type=int, default=100_000, help="institutions (default 100000)")
    parser.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
    parser.add_argument("-o", "--out", help="output file, .nt or .nq (default bench/data/network-N-SEED.nt)")
    args = parser.parse_args(argv)
    if args.n < 1:
        parser.error("-n must be at least 1")
    try:
        result = generate(args.n, args.seed, args.out)
    except ValueError as error:
        print(f"generate: {error}", file=sys.stderr)
        return 2
    print(f"wrote {result.path}: {result.institutions} institutions, {result.statements} statements "
          f"in {result.seconds:.1f} s; {sum(1 for _ in json.loads(result.defects_path.read_text())['defects'])} "
          f"planted defects in {result.defects_path.name}")
    for kind, count in result.counts_by_kind.items():
        print(f"  {kind:30s} {count:7d}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
