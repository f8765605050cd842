"""Administrators' spreadsheets (the XLSX template, or CSV) → RDF as docs/model.md writes it.

The layout is ``workbook``'s, the cells are read by ``cells``; docs/spreadsheet.md describes every column.
Each bad cell becomes a :class:`Problem` naming sheet, row, column (Excel letter) and the reason in Chinese
and English. Reading
is all or nothing: :func:`read_spreadsheet` raises :class:`SpreadsheetError` when any row is bad, so a
caller never writes half a spreadsheet; :func:`import_spreadsheet` with ``skip_bad_rows=True`` instead
leaves the bad rows (and the offerings of a skipped institution) out and lists them.

The graph holds, besides each institution and what hangs below its IRI, the inverse network links
(``node guides outlet`` for ``outlet guidedBy node``) whose subject is the guiding institution — as the
sample network does. A caller that replaces one institution's named graph must merge those links into the
guiding institution's graph rather than replace that graph with them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCAT, DCTERMS, ORG, RDF, SKOS, XSD

from ..model.iris import CPSV, CV, ID, IPG, SCHEMA, WGS84
from ..store.base import Store
from . import opening_hours, uscc
from .cells import (IRI_FORBIDDEN, Problem, Row, SpreadsheetError, SpreadsheetUnreadable, Table, data_rows,
                    read_tables)
from .workbook import (DESIGNATION_SLOTS, EVALUATION_SLOTS, INSTITUTIONS, NO, RESOURCES, YES, Vocabulary,
                       institution_columns, offering_columns, vocabulary)

__all__ = ["ImportResult", "Problem", "SpreadsheetError", "SpreadsheetUnreadable", "import_spreadsheet",
           "read_spreadsheet"]


@dataclass
class ImportResult:
    """What an import produced: the graph, and with ``skip_bad_rows`` the rows left out and why."""

    graph: Graph
    institutions: int
    offerings: int
    problems: list[Problem] = field(default_factory=list)
    skipped: list[tuple[str, int]] = field(default_factory=list)


def read_spreadsheet(path: Path | bytes, *, store: Store | None = None) -> Graph:
    """The RDF of a spreadsheet (XLSX template, or CSV with an optional ``NAME.offerings.csv`` beside it).

    Concepts and regions are looked up in ``store`` (the reference files when None).
    Raises SpreadsheetUnreadable when the file cannot be opened, SpreadsheetError when any cell is bad.
    """
    return import_spreadsheet(path, store=store).graph


def import_spreadsheet(path: Path | bytes, *, skip_bad_rows: bool = False, store: Store | None = None) -> ImportResult:
    """Like :func:`read_spreadsheet`; with ``skip_bad_rows`` bad rows are left out and reported instead.

    Problems with a whole sheet (missing sheet or column, unknown header) always raise SpreadsheetError.
    """
    tables = read_tables(path)
    return _Importer(vocabulary(store), tables).run(skip_bad_rows)


def _title(graph: "_Part", subject: URIRef, text: str) -> None:
    """A cell that says only yes records the thing without a title; other text is its title."""
    if text.casefold() not in YES:
        graph.add((subject, DCTERMS.title, Literal(text, lang="zh")))


def _capability(text: str) -> Literal | URIRef:
    parts = urlsplit(text)
    if parts.scheme in ("http", "https") and parts.netloc and not IRI_FORBIDDEN.search(text):
        return URIRef(text)
    return Literal(text, lang="zh")


# -- the import --------------------------------------------------------------------------------

class _Part:
    """The triples of one row, added to the graph only when the whole row is good."""

    def __init__(self):
        self.triples: set[tuple] = set()

    def add(self, triple: tuple) -> None:
        self.triples.add(triple)

    def __contains__(self, triple: tuple) -> bool:
        return triple in self.triples


@dataclass
class _Institution:
    iri: URIRef
    phone: str = ""
    email: str = ""
    url: URIRef | None = None
    address: str = ""


class _Importer:
    def __init__(self, vocab: Vocabulary, tables: dict[str, Table]):
        self.vocab = vocab
        self.tables = tables
        self.graph = Graph()
        self.problems: list[Problem] = []
        self.skipped: list[tuple[str, int]] = []
        self.institutions: dict[str, _Institution] = {}
        self.skipped_keys: dict[str, int] = {}
        self.offered: set[URIRef] = set()
        for prefix, namespace in (("ipg", IPG), ("id", ID), ("org", ORG), ("cpsv", CPSV), ("cv", CV),
                                  ("skos", SKOS), ("schema", SCHEMA), ("dcat", DCAT), ("dct", DCTERMS),
                                  ("wgs84", WGS84), ("xsd", XSD)):
            self.graph.bind(prefix, namespace, override=True, replace=True)

    def run(self, skip_bad_rows: bool) -> ImportResult:
        fatal: list[Problem] = []
        institutions = self.tables.get("institutions")
        if institutions is None:
            raise SpreadsheetError([Problem(INSTITUTIONS, None, None, "缺少机构工作表", "the institutions sheet is missing")])
        inst_rows = data_rows(institutions, institution_columns(self.vocab), ("key", "kind", "name_zh", "region"), fatal)
        offers = self.tables.get("offerings")
        offer_rows = data_rows(offers, offering_columns(self.vocab), ("institution", "service"), fatal) if offers else []
        if fatal:
            raise SpreadsheetError(fatal)
        offerings = 0
        for row in inst_rows:
            self._keep(row, self._institution(row))
        for row in offer_rows:
            offerings += self._keep(row, self._offering(row))
        if self.problems and not skip_bad_rows:
            raise SpreadsheetError(self.problems)
        return ImportResult(self.graph, len(self.institutions), offerings, self.problems, self.skipped)

    def _keep(self, row: Row, part: _Part | None) -> int:
        """Add a good row's triples to the graph; record a bad row's problems. Returns 1 if kept."""
        if row.problems or part is None:
            self.problems += row.problems
            self.skipped.append((row.table.name, row.row_number))
            return 0
        for triple in part.triples:
            self.graph.add(triple)
        return 1

    # -- institutions -----------------------------------------------------------------------------
    def _institution(self, row: Row) -> _Part | None:
        g = _Part()
        vocab = self.vocab
        code = row.text("uscc")
        if code and (reason := uscc.problem(code)):
            row.problem("uscc", f"统一社会信用代码“{code}”不正确：{reason[0]}", f"bad unified social credit code {code!r}: {reason[1]}", code)
            code = ""
        key = row.key("key", ("机构标识", "key")) or code
        if not key and not row.text("key"):
            row.problem("key", "缺少机构标识（或统一社会信用代码）", "key (or unified social credit code) is missing")
        elif key in self.institutions or key in self.skipped_keys:
            row.problem("key", f"机构标识“{key}”重复", f"key {key!r} appears twice", key)
        kind = row.concept("kind", "institution-kinds", vocab, ("机构类别", "kind"))
        if not row.text("kind"):
            row.problem("kind", "缺少机构类别", "kind is missing")
        name_zh = row.required("name_zh", "中文名称", "the Chinese name")
        region = row.region("region", vocab)
        if not row.text("region"):
            row.problem("region", "缺少所在区划", "region is missing")
        if not key:
            return None
        s = ID[f"institution/{key}"]
        contact = _Institution(s)
        if kind is not None and kind.kind_class is not None:
            g.add((s, RDF.type, kind.kind_class))
        if name_zh:
            g.add((s, SKOS.prefLabel, Literal(name_zh, lang="zh")))
        if name_en := row.text("name_en"):
            g.add((s, SKOS.prefLabel, Literal(name_en, lang="en")))
        if (sample := row.boolean("sample")) is not None:
            g.add((s, IPG.isSample, Literal(sample)))
        if code:
            g.add((s, IPG.uscc, Literal(code)))
        if region is not None:
            g.add((s, IPG.locatedIn, region))
        if (served := row.region("area_served", vocab)) is not None:
            g.add((s, SCHEMA.areaServed, served))
            g.add((s, DCTERMS.spatial, served))  # CPSV-AP: a public organisation's spatial coverage
        if contact_address := row.text("address"):
            contact.address = contact_address
            g.add((s, SCHEMA.address, Literal(contact_address, lang="zh")))
        lat = row.number("lat", low=-90, high=90)
        lon = row.number("lon", low=-180, high=180)
        if bool(row.text("lat")) != bool(row.text("lon")):
            missing = "lon" if not row.text("lon") else "lat"
            row.problem(missing, "纬度和经度应同时填写", "latitude and longitude go together")
        if lat is not None:
            g.add((s, WGS84.lat, Literal(lat, datatype=XSD.double)))
        if lon is not None:
            g.add((s, WGS84.long, Literal(lon, datatype=XSD.double)))
        if contact_phone := row.phone("phone"):
            contact.phone = contact_phone
            g.add((s, SCHEMA.telephone, Literal(contact_phone)))
        if contact_email := row.email("email"):
            contact.email = contact_email
            g.add((s, SCHEMA.email, Literal(contact_email)))
        if (contact_url := row.url("url")) is not None:
            contact.url = contact_url
            g.add((s, SCHEMA.url, contact_url))
        if hours := row.text("opening_hours"):
            try:
                for triple in opening_hours.triples(s, opening_hours.parse(hours)):
                    g.add(triple)
            except opening_hours.OpeningHoursError as error:
                row.problem("opening_hours", f"开放时间有误：{error.zh}", f"bad opening hours: {error.en}", hours)
        if admin := row.key("belongs_to", ("管理部门标识", "administration key")):
            g.add((s, IPG.belongsTo, ID[f"administration/{admin}"]))
        for column, link, inverse in (("guided_by", IPG.guidedBy, IPG.guides),
                                      ("coordinated_by", IPG.coordinatedBy, IPG.coordinates),
                                      ("supported_by", IPG.supportedBy, IPG.supports)):
            for other in row.keys(column, ("机构标识", "institution key")):
                g.add((s, link, ID[f"institution/{other}"]))
                g.add((ID[f"institution/{other}"], inverse, s))
        sources = []
        if source_text := row.text("source_text"):
            sources.append(Literal(source_text, lang="zh"))
        if (source_url := row.url("source_url")) is not None:
            sources.append(source_url)
        for source in sources:
            g.add((s, DCTERMS.source, source))
        self._designations(row, g, s, key, sources)
        self._chapter5(row, g, s, key)
        self._chapter7(row, g, s, key)
        if row.problems:
            self.skipped_keys[key] = row.row_number
        else:
            self.institutions[key] = contact
        return g

    def _designations(self, row: Row, g: _Part, s: URIRef, key: str, sources: list) -> None:
        for n in range(1, DESIGNATION_SLOTS + 1):
            kind = row.concept(f"designation{n}_kind", "designations", self.vocab, ("认定备案类型", "designation kind"))
            by = row.key(f"designation{n}_by", ("管理部门标识", "administration key"))
            granted = row.date(f"designation{n}_date")
            if kind is None:
                if (by or granted) and not row.text(f"designation{n}_kind"):
                    row.problem(f"designation{n}_kind", f"填写了认定备案{n}的部门或日期，但缺少类型",
                                f"designation {n} has a granting body or date but no kind")
                continue
            d = ID[f"institution/{key}/designation/{n}"]
            g.add((d, RDF.type, IPG.Designation))
            g.add((d, ORG.member, s))
            g.add((s, IPG.hasDesignation, d))
            g.add((d, IPG.designationKind, kind.iri))
            if by:
                g.add((d, IPG.grantedBy, ID[f"administration/{by}"]))
            if granted:
                g.add((d, IPG.grantedOn, Literal(granted, datatype=XSD.date)))
            for source in sources:
                g.add((d, DCTERMS.source, source))

    def _chapter5(self, row: Row, g: _Part, s: URIRef, key: str) -> None:
        for column, prop in (("full_time", IPG.fullTimeStaff), ("part_time", IPG.partTimeStaff)):
            if (count := row.number(column, low=0, high=1_000_000, integer=True)) is not None:
                g.add((s, prop, Literal(count, datatype=XSD.nonNegativeInteger)))
        for column, prop in (("qualifications", IPG.jobQualificationsDefined), ("duties", IPG.jobDutiesDefined),
                             ("collects", IPG.collectsServiceObjectInformation)):
            if (flag := row.boolean(column)) is not None:
                g.add((s, prop, Literal(flag)))
        for scheme, prefix, cls, link in (("work-systems", "work_system", IPG.WorkSystem, IPG.hasWorkSystem),
                                          ("facilities", "facility", IPG.Facility, IPG.hasFacility)):
            for concept in self.vocab.concepts(scheme):
                text = row.text(f"{prefix}:{concept.key}")
                if not text or text.casefold() in NO:
                    continue
                thing = ID[f"institution/{key}/{prefix.replace('_', '-')}/{concept.key}"]
                g.add((s, link, thing))
                g.add((thing, RDF.type, cls))
                g.add((thing, DCTERMS.type, concept.iri))
                _title(g, thing, text)
        for rkey, cls, _zh, _en, url_property in RESOURCES:
            text = row.text(f"resource:{rkey}")
            address = row.url(f"resource_url:{rkey}")
            if not text or text.casefold() in NO:
                if address is not None:
                    row.problem(f"resource_url:{rkey}", "填写了网址，但未填写该信息资源", "a URL is given but not the resource")
                continue
            resource = ID[f"institution/{key}/resource/{rkey}"]
            g.add((s, IPG.providesResource, resource))
            g.add((resource, RDF.type, cls))
            _title(g, resource, text)
            if address is not None:
                g.add((resource, url_property, address))
        platform_text = row.text("platform")
        platform_url = row.url("platform_url")
        if platform_text or platform_url is not None:
            platform = ID[f"institution/{key}/resource/platform"]
            g.add((s, IPG.localFeaturedPlatform, platform))
            g.add((platform, RDF.type, DCAT.DataService))
            if platform_text:
                _title(g, platform, platform_text)
            if platform_url is not None:
                g.add((platform, DCAT.endpointURL, platform_url))
        if (level := row.number("security_level", low=1, high=5, integer=True)) is not None:
            g.add((s, IPG.securityProtectionLevel, Literal(level, datatype=XSD.integer)))
        if (policy := row.text("consent_policy")) and policy.casefold() not in NO:
            cp = ID[f"institution/{key}/consent-policy"]
            g.add((s, IPG.hasConsentPolicy, cp))
            g.add((cp, RDF.type, IPG.ConsentPolicy))
            _title(g, cp, policy)

    def _chapter7(self, row: Row, g: _Part, s: URIRef, key: str) -> None:
        for n in range(1, EVALUATION_SLOTS + 1):
            kind = row.concept(f"evaluation{n}_kind", "evaluations", self.vocab, ("评估类型", "evaluation kind"))
            when = row.date(f"evaluation{n}_date")
            if kind is None:
                if when and not row.text(f"evaluation{n}_kind"):
                    row.problem(f"evaluation{n}_kind", f"填写了评估{n}日期，但缺少类型", f"evaluation {n} has a date but no kind")
                continue
            e = ID[f"institution/{key}/evaluation/{n}"]
            g.add((s, IPG.hasEvaluation, e))
            g.add((e, RDF.type, IPG.Evaluation))
            g.add((e, DCTERMS.type, kind.iri))
            if when:
                g.add((e, DCTERMS.date, Literal(when, datatype=XSD.date)))
        if (feedback := row.url("feedback_url")) is not None:
            fb = ID[f"institution/{key}/feedback-channel"]
            g.add((s, IPG.hasFeedbackChannel, fb))
            g.add((fb, RDF.type, IPG.FeedbackChannel))
            g.add((fb, DCTERMS.type, ID["channel/web"]))
            g.add((fb, DCTERMS.identifier, Literal("feedback")))  # CPSV-AP: every channel has an identifier
            g.add((fb, SCHEMA.url, feedback))
        title = row.text("case_title")
        when = row.date("case_date")
        to = row.key("case_reported_to", ("管理部门标识", "administration key"))
        if title or when or to:
            pc = ID[f"institution/{key}/practice-case/1"]
            g.add((s, IPG.hasPracticeCase, pc))
            g.add((pc, RDF.type, IPG.PracticeCase))
            if title:
                g.add((pc, DCTERMS.title, Literal(title, lang="zh")))
            if when:
                g.add((pc, DCTERMS.date, Literal(when, datatype=XSD.date)))
            if to:
                g.add((pc, IPG.reportedTo, ID[f"administration/{to}"]))

    # -- offerings --------------------------------------------------------------------------------
    def _offering(self, row: Row) -> _Part | None:
        g = _Part()
        key = row.required("institution", "机构标识", "the institution key")
        institution = self.institutions.get(key)
        if key and institution is None:
            if key in self.skipped_keys:
                row.problem("institution", f"机构“{key}”所在行（第 {self.skipped_keys[key]} 行）有错误，已跳过",
                            f"institution {key!r} (row {self.skipped_keys[key]}) has errors and was left out", key)
            else:
                row.problem("institution", f"机构表中没有机构标识“{key}”", f"no institution with key {key!r} in the institutions sheet", key)
        concept = row.concept("service", "services", self.vocab, ("服务事项", "service"))
        if not row.text("service"):
            row.problem("service", "缺少服务事项", "service is missing")
        fee = row.concept("fee", "fees", self.vocab, ("收费方式", "fee"))
        channels = row.concepts("channels", "channels", self.vocab, ("服务渠道", "channel"))
        ip_types = row.concepts("ip_types", "ip-types", self.vocab, ("知识产权类型", "IP type"))
        if institution is None or concept is None:
            return None
        s = institution.iri
        o = ID[f"institution/{key}/offering/{concept.notation}"]
        if o in self.offered:
            row.problem("service", f"机构“{key}”的服务事项“{concept.notation}”重复",
                        f"institution {key!r} lists service {concept.notation!r} twice", row.text("service"))
            return None
        self.offered.add(o)
        g.add((s, IPG.offers, o))
        g.add((o, RDF.type, IPG.ServiceOffering))
        g.add((o, RDF.type, CPSV.PublicService))
        g.add((o, CV.hasCompetentAuthority, s))
        g.add((o, IPG.serviceConcept, concept.iri))
        for text, lang in ((concept.zh, "zh"), (concept.en, "en")):
            if text:
                g.add((o, DCTERMS.title, Literal(text, lang=lang)))
        g.add((o, DCTERMS.identifier, Literal(concept.notation)))
        if description := row.text("description"):
            g.add((o, DCTERMS.description, Literal(description, lang="zh")))
        fee_iri = fee.iri if fee is not None else concept.default_fee
        if fee_iri is not None:
            g.add((o, IPG.fee, fee_iri))
        for channel in channels:
            c = ID[f"institution/{key}/channel/{channel.key}"]
            g.add((o, CV.hasChannel, c))
            g.add((c, RDF.type, CV.Channel))
            g.add((c, DCTERMS.type, channel.iri))
            g.add((c, DCTERMS.identifier, Literal(channel.key)))  # CPSV-AP: every channel has an identifier
            for prop, value in _channel_contacts(channel.key, institution):
                g.add((c, prop, value))
        for ip_type in ip_types:
            g.add((o, IPG.ipType, ip_type.iri))
        if capability := row.text("capability"):
            g.add((o, IPG.recordedCapability, _capability(capability)))
        return g


def _channel_contacts(kind: str, institution: _Institution) -> list[tuple[URIRef, object]]:
    """A channel's contact details are the institution's, by what the channel is (docs/spreadsheet.md):
    phone → telephone; web → URL and e-mail; window and on-site → address and telephone."""
    wanted = {"phone": ("phone",), "web": ("url", "email"), "window": ("address", "phone"),
              "onsite": ("address", "phone")}.get(kind, ())
    values = {"phone": (SCHEMA.telephone, Literal(institution.phone) if institution.phone else None),
              "email": (SCHEMA.email, Literal(institution.email) if institution.email else None),
              "url": (SCHEMA.url, institution.url),
              "address": (SCHEMA.address, Literal(institution.address, lang="zh") if institution.address else None)}
    return [values[w] for w in wanted if values[w][1] is not None]
