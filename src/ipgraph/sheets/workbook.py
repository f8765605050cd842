"""The administrators' spreadsheet: its sheets, columns, bilingual headers and drop-down vocabularies.

One layout shared by the template writer (``template``) and the reader (``ingest``), so the two cannot
drift apart. The vocabularies (institution kinds, regions, services, fees, channels, IP types, …) are read
from the store through named queries — never written down here — so a new concept in the catalogue
appears in the next template. docs/spreadsheet.md describes every column for administrators.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache, lru_cache

from rdflib import URIRef
from rdflib.namespace import DCAT

from ..model.iris import ID, IPG, REGIONS_GRAPH, SCHEMES_GRAPH
from ..model.catalog import ConceptMatch
from ..model.places import Gazetteer, Region
from ..model.resolver import RegionHints, Resolver
from ..store.base import Store
from ..store.vocabularies import load_resolver

INSTITUTIONS = "机构 institutions"
OFFERINGS = "服务 offerings"
LISTS = "lists"
HEADER_ROWS = 2          # row 1 Chinese, row 2 English; data from row 3
IGNORED_HEADERS = {"备注", "notes", "note", "说明", "remarks"}

YES = ("是", "yes", "true", "y", "1", "✓", "√")
NO = ("否", "no", "false", "n", "0", "✗", "×")
SEPARATORS = re.compile(r"\s*[、;；,，/|]\s*")

# 5.4 resources an institution provides: key of the IRI ``…/resource/{key}``, class, zh, en header, and the
# DCAT property of its web address (a data service has an endpoint, a dataset or resource a landing page).
RESOURCES = (
    ("thematic-database", IPG.ThematicDatabase, "知识产权专题数据库", "thematic database", DCAT.landingPage),
    ("open-dataset", IPG.OpenDataset, "开放数据集", "open dataset", DCAT.landingPage),
    ("data-interface", IPG.DataInterface, "数据接口", "data interface", DCAT.endpointURL),
    ("online-class", IPG.OnlineClass, "在线课堂", "online class", DCAT.landingPage),
    ("online-library", IPG.OnlineLibrary, "线上知识产权图书馆", "online IP library", DCAT.landingPage),
)
DESIGNATION_SLOTS = 2
EVALUATION_SLOTS = 3


@dataclass(frozen=True)
class Column:
    """One column: ``key`` names it in code, ``zh``/``en`` are its two header rows, ``values`` the
    drop-down list it takes (a key of :attr:`Vocabulary.lists`), ``multi`` whether a cell holds several."""

    key: str
    zh: str
    en: str
    values: str | None = None
    multi: bool = False
    width: int = 14


@dataclass(frozen=True)
class Concept:
    iri: URIRef
    key: str          # the last segment of the IRI: ``tisc``, ``6.3.3.1-b-6``, ``phone``
    notation: str
    zh: str
    en: str
    kind_class: URIRef | None = None
    default_fee: URIRef | None = None

    @property
    def choice(self) -> str:
        """How the concept is written in a cell and offered in a drop-down."""
        return self.zh or self.en or self.key


def region_choice(region: Region) -> str:
    """How a region is written in a cell and offered in a drop-down: code and Chinese name (``230102 道里区``),
    since a name alone can be ambiguous."""
    return f"{region.adcode} {region.label('zh')}"


@dataclass
class Vocabulary:
    """The concepts and regions a spreadsheet may name, with lookups from what people type."""

    schemes: dict[str, list[Concept]]
    resolver: Resolver

    def __post_init__(self):
        # a list of national size names the same few hundred concepts 200,000 times: each distinct cell text is
        # read by the resolver once (bounded, as the vocabulary lives as long as the service)
        self._term = lru_cache(maxsize=8192)(self.resolver.term)
        self._by_iri = {name: {str(c.iri): c for c in concepts} for name, concepts in self.schemes.items()}

    @property
    def gazetteer(self) -> Gazetteer:
        return self.resolver.gazetteer

    @classmethod
    def from_store(cls, store: Store) -> "Vocabulary":
        """Read the schemes (named query ``spreadsheet-concepts``) and the gazetteer from the store."""
        schemes: dict[str, list[Concept]] = {}
        names = {name: ID[f"scheme/{name}"] for name in SCHEME_NAMES}
        for row in store.select("spreadsheet-concepts", scheme=list(names.values())):
            name = str(row["scheme"]).rsplit("/", 1)[-1]
            iri = row["concept"]
            concepts = schemes.setdefault(name, [])
            if any(c.iri == iri for c in concepts):
                continue  # a second label in the same language: keep the first
            concepts.append(Concept(iri, str(iri).rsplit("/", 1)[-1], str(row.get("notation", "")),
                                    str(row.get("zh", "")), str(row.get("en", "")),
                                    row.get("kindClass"), row.get("defaultFee")))
        for name, concepts in schemes.items():
            concepts.sort(key=lambda c: _natural(c.notation or c.key))
        return cls(schemes, load_resolver(store, SCHEME_NAMES))

    @property
    def regions(self) -> list[Region]:
        return sorted(self.gazetteer.regions.values(), key=lambda r: r.adcode)

    def concepts(self, scheme: str) -> list[Concept]:
        return self.schemes.get(scheme, [])

    def lists(self) -> dict[str, list[str]]:
        """The drop-down lists: name → choices, in the order the template offers them."""
        lists = {name: [self.choice(name, c) for c in concepts]
                 for name, concepts in self.schemes.items() if name in LIST_SCHEMES}
        lists["regions"] = [region_choice(r) for r in self.regions]
        lists["yes-no"] = [YES[0], NO[0]]
        return lists

    @staticmethod
    def choice(scheme: str, concept: Concept) -> str:
        """How a concept is written in a cell and offered in a drop-down: its Chinese label, and for a
        service its notation first (``6.3.3.1-b-6 侵权对比分析``), since several services share words."""
        return f"{concept.notation} {concept.zh}" if scheme == "services" else concept.choice

    def resolve_concept(self, scheme: str, text: str) -> tuple[Concept, ConceptMatch]:
        """The concept of ``scheme`` a cell names, as the resolver (``model.resolver``) reads it: any label or
        synonym in zh or en, the specification's phrasing, key, notation, the drop-down choice
        (``6.3.3.1-b-6 侵权对比分析``), in traditional or simplified characters, typed pinyin, a small typo.

        Raises model.catalog.UnknownConcept (with the candidates; ``ambiguous`` when several fit).
        """
        match = self._term(scheme, text)
        return self._by_iri[scheme][match.concept.iri], match

    def find_concept(self, scheme: str, text: str) -> Concept | None:
        """:meth:`resolve_concept`'s concept, or None when the cell names none (or several)."""
        try:
            return self.resolve_concept(scheme, text)[0]
        except LookupError:
            return None

    def find_region(self, text: str, hints: RegionHints | None = None) -> Region:
        """The region a cell names: the drop-down choice (``230102 道里区``), a code (also a former one),
        a full or short Chinese name, an English name or pinyin (the gazetteer's rules, ``places``). A name
        two regions share (向阳区) is settled by ``hints`` — the row's coordinates, address, name — when
        they decide it.

        Raises places.UnknownPlace (with near spellings) or places.AmbiguousPlace (with the candidates).
        """
        return self.resolver.region(text.strip(), hints).region

    def region_by_iri(self, iri: URIRef) -> Region | None:
        return self.gazetteer.regions.get(str(iri))


# Schemes the spreadsheet names (``id:scheme/{name}``) and those offered as drop-downs.
SCHEME_NAMES = ("institution-kinds", "services", "fees", "channels", "ip-types", "work-systems", "facilities",
                "evaluations", "designations")
LIST_SCHEMES = ("institution-kinds", "services", "fees", "channels", "ip-types", "designations", "evaluations")


def _natural(text: str) -> list:
    """Sort key that puts 6.3.3.10 after 6.3.3.9 and clause items before topics."""
    return [(0, int(part), "") if part.isdigit() else (1, 0, part) for part in re.split(r"(\d+)", text)]


def reference_store() -> Store:
    """An in-memory store holding only the schemes and regions, for reading a spreadsheet without a service."""
    from ..store.embedded import EmbeddedStore
    from ..store.seed import reference_files

    store = EmbeddedStore()
    files = reference_files()
    for graph in (SCHEMES_GRAPH, REGIONS_GRAPH):
        for path in files[graph]:
            store.load(path, graph=graph)
    return store


@cache
def reference_vocabulary() -> Vocabulary:
    """The vocabulary of the project's own reference files (cached: they do not change while running)."""
    store = reference_store()
    try:
        return Vocabulary.from_store(store)
    finally:
        store.close()


def vocabulary(store: Store | None = None) -> Vocabulary:
    """The vocabulary of ``store``, or of the reference files when no store is given."""
    return Vocabulary.from_store(store) if store is not None else reference_vocabulary()


def institution_columns(vocab: Vocabulary) -> list[Column]:
    """The columns of the institutions sheet, in order (work systems, facilities from the schemes)."""
    columns = [
        Column("key", "机构标识", "key", width=24),
        Column("kind", "机构类别", "kind", "institution-kinds", width=28),
        Column("name_zh", "中文名称", "name (zh)", width=36),
        Column("name_en", "英文名称", "name (en)", width=36),
        Column("sample", "示例数据", "sample data", "yes-no"),
        Column("uscc", "统一社会信用代码", "unified social credit code", width=22),
        Column("region", "所在区划", "region", "regions", width=18),
        Column("area_served", "服务区域", "area served", "regions", width=18),
        Column("address", "地址", "address", width=30),
        Column("lat", "纬度", "latitude"),
        Column("lon", "经度", "longitude"),
        Column("phone", "电话", "phone", width=18),
        Column("email", "电子邮箱", "e-mail", width=26),
        Column("url", "网址", "URL", width=28),
        Column("opening_hours", "开放时间", "opening hours (e.g. 周一至周五 9:00-17:00; Mo-Fr 09:00-17:00)", width=30),
        Column("belongs_to", "所属知识产权管理部门", "belongs to (IP administration key)"),
        Column("guided_by", "业务指导节点", "guided by (node key)", width=20),
        Column("coordinated_by", "协调节点", "coordinated by (node key)", width=20),
        Column("supported_by", "辐射支撑节点", "supported by (node key)", width=20),
        Column("source_text", "信息来源", "source"),
        Column("source_url", "来源网址", "source URL"),
    ]
    for n in range(1, DESIGNATION_SLOTS + 1):
        columns += [
            Column(f"designation{n}_kind", f"认定备案{n}类型", f"designation {n} kind", "designations", width=18),
            Column(f"designation{n}_by", f"认定备案{n}部门", f"designation {n} granted by (administration key)"),
            Column(f"designation{n}_date", f"认定备案{n}日期", f"designation {n} date"),
        ]
    columns += [
        Column("full_time", "专职人员数", "full-time staff"),
        Column("part_time", "兼职人员数", "part-time staff"),
        Column("qualifications", "已明确任职条件", "job qualifications defined", "yes-no"),
        Column("duties", "已明确工作职责", "job duties defined", "yes-no"),
    ]
    columns += [Column(f"work_system:{c.key}", f"工作制度：{c.zh}", f"work system: {c.en}", width=20)
                for c in vocab.concepts("work-systems")]
    columns += [Column(f"facility:{c.key}", f"基础设施：{c.zh}", f"facility: {c.en}")
                for c in vocab.concepts("facilities")]
    for key, _, zh, en, _ in RESOURCES:
        columns += [Column(f"resource:{key}", f"信息资源：{zh}", f"resource: {en}", width=20),
                    Column(f"resource_url:{key}", f"{zh}网址", f"{en} URL", width=24)]
    columns += [
        Column("platform", "地方特色服务平台", "local featured platform", width=24),
        Column("platform_url", "特色平台地址", "platform URL", width=24),
        Column("security_level", "网络安全等级保护级别", "graded protection level (1–5)"),
        Column("collects", "收集服务对象信息", "collects service-recipient information", "yes-no"),
        Column("consent_policy", "服务对象信息管理制度", "consent policy", width=20),
    ]
    for n in range(1, EVALUATION_SLOTS + 1):
        columns += [
            Column(f"evaluation{n}_kind", f"评估{n}类型", f"evaluation {n} kind", "evaluations"),
            Column(f"evaluation{n}_date", f"评估{n}日期", f"evaluation {n} date"),
        ]
    columns += [
        Column("feedback_url", "意见反馈渠道网址", "feedback channel URL", width=28),
        Column("case_title", "实践案例", "practice case", width=28),
        Column("case_date", "案例日期", "practice case date"),
        Column("case_reported_to", "案例报送部门", "case reported to (administration key)"),
    ]
    return columns


def offering_columns(vocab: Vocabulary) -> list[Column]:
    """The columns of the offerings sheet, one row per service an institution offers."""
    return [
        Column("institution", "机构标识", "institution key", width=24),
        Column("service", "服务事项", "service", "services", width=40),
        Column("fee", "收费方式", "fee", "fees"),
        Column("channels", "服务渠道", "channels", "channels", multi=True, width=18),
        Column("ip_types", "知识产权类型", "IP types", "ip-types", multi=True, width=22),
        Column("capability", "服务能力记录", "recorded capability", width=30),
        Column("description", "服务说明", "description", width=40),
    ]
