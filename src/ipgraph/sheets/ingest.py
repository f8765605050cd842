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

The triples are pyoxigraph's (:mod:`~ipgraph.sheets.terms`), each added with the column it is written from: this
module is the one place that knows which column writes which property (:mod:`~ipgraph.sheets.locations` keeps it
for a finding to point at the cell), which is why it runs past 400 lines — every column's mapping, in the
template's order. A caller that only writes the triples out hands ``write`` to :func:`import_spreadsheet` and
gets them row by row, never all at once (``ipgraph import`` of a list of national size: 285 MiB, not 1 GiB).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from urllib.parse import urlsplit

import pyoxigraph as ox
from rdflib import Graph, URIRef

from ..model.resolver import RegionHints
from ..store.base import Store
from . import opening_hours, uscc
from . import terms as T
from .cells import (IRI_FORBIDDEN, Problem, Row, SpreadsheetError, SpreadsheetUnreadable, Table, data_rows,
                    read_tables)
from .locations import Locations
from .terms import CPSV, CV, DCAT, DCTERMS, ID, IPG, ORG, RDF, SCHEMA, SKOS, WGS84, XSD
from .workbook import (DESIGNATION_SLOTS, EVALUATION_SLOTS, INSTITUTIONS, NO, RESOURCES, YES, Vocabulary,
                       institution_columns, offering_columns, vocabulary)

__all__ = ["ImportResult", "Problem", "SpreadsheetError", "SpreadsheetUnreadable", "import_spreadsheet",
           "read_spreadsheet"]


@dataclass
class ImportResult:
    """What an import produced: the triples (pyoxigraph's, in the order written), and with ``skip_bad_rows`` the
    rows left out and why; with ``locate``, the cell each triple came from (:class:`~.locations.Locations`)."""

    triples: list[ox.Triple]
    institutions: int
    offerings: int
    problems: list[Problem] = field(default_factory=list)
    skipped: list[tuple[str, int]] = field(default_factory=list)
    locations: Locations | None = None

    @cached_property
    def graph(self) -> Graph:
        """The triples as an rdflib graph (made on first use)."""
        return T.graph(self.triples)


def read_spreadsheet(path: Path | bytes, *, store: Store | None = None) -> Graph:
    """The RDF of a spreadsheet (XLSX template, or CSV with an optional ``NAME.offerings.csv`` beside it).

    Concepts and regions are looked up in ``store`` (the reference files when None).
    Raises SpreadsheetUnreadable when the file cannot be opened, SpreadsheetError when any cell is bad.
    """
    return import_spreadsheet(path, store=store).graph


def import_spreadsheet(path: Path | bytes, *, skip_bad_rows: bool = False, store: Store | None = None,
                       locate: bool = False, write: Callable[[Iterator[ox.Triple]], object] | None = None
                       ) -> ImportResult:
    """Like :func:`read_spreadsheet`; with ``skip_bad_rows`` bad rows are left out and reported instead; with
    ``locate`` the result says which sheet, row and column wrote each subject and property. With ``write``, the
    triples are handed to it as the rows are read instead of being kept (``triples`` is then empty): a list of
    national size is written out without three quarters of a million triples held at once. What it wrote is
    to be discarded when SpreadsheetError is raised (after it returns).

    Problems with a whole sheet (missing sheet or column, unknown header) always raise SpreadsheetError,
    together with the problems of every cell: a file's problems are reported in one pass.
    """
    tables = read_tables(path)
    return _Importer(vocabulary(store), tables, Locations() if locate else None).run(skip_bad_rows, write)


def _title(graph: "_Part", subject: ox.NamedNode, text: str, column: str) -> None:
    """A cell that says only yes records the thing without a title; other text is its title."""
    if text.casefold() not in YES:
        graph.add((subject, DCTERMS.title, T.text(text)), column)


def _capability(text: str) -> ox.Literal | ox.NamedNode:
    parts = urlsplit(text)
    if parts.scheme in ("http", "https") and parts.netloc and not IRI_FORBIDDEN.search(text):
        try:
            return ox.NamedNode(text)
        except ValueError:
            pass
    return T.text(text)


# -- the import --------------------------------------------------------------------------------

class _Part:
    """The triples of one row, added to the graph only when the whole row is good; each with the column (key) that
    wrote it, None for what the row implies (a type, a link to the institution)."""

    def __init__(self):
        self.triples: dict[ox.Triple, str | None] = {}
        self.own = ""           # the row's node: the institution's or the offering's IRI
        self.written: list[tuple[set, str]] = []     # shared nodes this row writes, marked once it is kept


    def add(self, triple: tuple, column: str | None = None) -> None:
        self.triples.setdefault(ox.Triple(*triple), column)


@dataclass
class _Institution:
    iri: ox.NamedNode
    phone: str = ""
    email: str = ""
    url: ox.NamedNode | None = None
    address: str = ""
    channels: set[str] = field(default_factory=set)     # keys of its channel nodes written so far


class _Importer:
    def __init__(self, vocab: Vocabulary, tables: dict[str, Table], locations: Locations | None):
        self.vocab = vocab
        self.tables = tables
        self.locations = locations
        self.problems: list[Problem] = []
        self.skipped: list[tuple[str, int]] = []
        self.institutions: dict[str, _Institution] = {}
        self.skipped_keys: dict[str, int] = {}
        self.offered: set[ox.NamedNode] = set()

    def run(self, skip_bad_rows: bool, write: Callable[[Iterator[ox.Triple]], object] | None = None) -> ImportResult:
        self.fatal: list[Problem] = []
        self.offerings = 0
        if write is None:
            triples = list(self._triples())
        else:
            triples = []
            write(self._triples())
        if self.fatal or (self.problems and not skip_bad_rows):
            raise SpreadsheetError(self.fatal + self.problems)
        return ImportResult(triples, len(self.institutions), self.offerings, self.problems, self.skipped,
                            self.locations)

    def _triples(self) -> Iterator[ox.Triple]:
        """The triples of every good row, row by row as they are read (no two rows write the same triple: an
        institution's channel node is written with its first offering on that channel)."""
        institutions = self.tables.get("institutions")
        if institutions is None:
            raise SpreadsheetError([Problem(INSTITUTIONS, None, None, "缺少机构工作表", "the institutions sheet is missing")])
        inst_rows = data_rows(institutions, institution_columns(self.vocab), ("key", "kind", "name_zh", "region"),
                              self.fatal)
        offers = self.tables.get("offerings")
        offer_rows = data_rows(offers, offering_columns(self.vocab), ("institution", "service"), self.fatal) if offers else []
        # every row is read even when a sheet has a problem of its own, so that one pass reports all of them
        for row in inst_rows:
            yield from self._keep(row, self._institution(row))
        for row in offer_rows:
            kept = self._keep(row, self._offering(row))
            self.offerings += bool(kept)
            yield from kept

    def _keep(self, row: Row, part: _Part | None) -> Iterable[ox.Triple]:
        """A good row's triples; a bad row's problems recorded (and no triples)."""
        if row.problems or part is None:
            self.problems += row.problems
            self.skipped.append((row.table.name, row.row_number))
            return ()
        for written, key in part.written:
            written.add(key)
        if self.locations is not None:
            self.locations.record(row, part.own, part.triples)
        return part.triples

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
        lat = row.number("lat", low=-90, high=90)
        lon = row.number("lon", low=-180, high=180)
        hints = RegionHints(lat, lon, (row.text("address"), name_zh, row.text("area_served")))
        region = row.region("region", vocab, hints)
        if not row.text("region"):
            row.problem("region", "缺少所在区划", "region is missing")
        if not key:
            return None
        s = ID[f"institution/{key}"]
        g.own = s.value
        contact = _Institution(s)
        if kind is not None and kind.kind_class is not None:
            g.add((s, RDF.type, T.node(kind.kind_class)), "kind")
        if name_zh:
            g.add((s, SKOS.prefLabel, T.text(name_zh)), "name_zh")
        if name_en := row.text("name_en"):
            g.add((s, SKOS.prefLabel, T.text(name_en, "en")), "name_en")
        if (sample := row.boolean("sample")) is not None:
            g.add((s, IPG.isSample, T.boolean(sample)), "sample")
        if code:
            g.add((s, IPG.uscc, T.plain(code)), "uscc")
        if region is not None:
            g.add((s, IPG.locatedIn, region), "region")
        if (served := row.region("area_served", vocab, RegionHints(texts=(row.text("address"), name_zh)))) is not None:
            g.add((s, SCHEMA.areaServed, served), "area_served")
            g.add((s, DCTERMS.spatial, served), "area_served")  # CPSV-AP: a public organisation's spatial coverage
        if contact_address := row.text("address"):
            contact.address = contact_address
            g.add((s, SCHEMA.address, T.text(contact_address)), "address")
        if bool(row.text("lat")) != bool(row.text("lon")):
            missing = "lon" if not row.text("lon") else "lat"
            row.problem(missing, "纬度和经度应同时填写", "latitude and longitude go together")
        if lat is not None:
            g.add((s, WGS84.lat, T.double(lat)), "lat")
        if lon is not None:
            g.add((s, WGS84.long, T.double(lon)), "lon")
        if contact_phone := row.phone("phone"):
            contact.phone = contact_phone
            g.add((s, SCHEMA.telephone, T.plain(contact_phone)), "phone")
        if contact_email := row.email("email"):
            contact.email = contact_email
            g.add((s, SCHEMA.email, T.plain(contact_email)), "email")
        if (contact_url := row.url("url")) is not None:
            contact.url = contact_url
            g.add((s, SCHEMA.url, contact_url), "url")
        if hours := row.text("opening_hours"):
            try:
                for triple in T.from_rdflib(opening_hours.triples(URIRef(s.value), opening_hours.parse(hours))):
                    g.add(triple, "opening_hours")
            except opening_hours.OpeningHoursError as error:
                row.problem("opening_hours", f"开放时间有误：{error.zh}", f"bad opening hours: {error.en}", hours)
        if admin := row.key("belongs_to", ("管理部门标识", "administration key")):
            g.add((s, IPG.belongsTo, ID[f"administration/{admin}"]), "belongs_to")
        for column, link, inverse in (("guided_by", IPG.guidedBy, IPG.guides),
                                      ("coordinated_by", IPG.coordinatedBy, IPG.coordinates),
                                      ("supported_by", IPG.supportedBy, IPG.supports)):
            for other in row.keys(column, ("机构标识", "institution key")):
                g.add((s, link, ID[f"institution/{other}"]), column)
                g.add((ID[f"institution/{other}"], inverse, s), column)
        sources = []
        if source_text := row.text("source_text"):
            sources.append((T.text(source_text), "source_text"))
        if (source_url := row.url("source_url")) is not None:
            sources.append((source_url, "source_url"))
        for source, column in sources:
            g.add((s, DCTERMS.source, source), column)
        self._designations(row, g, s, key, sources)
        self._chapter5(row, g, s, key)
        self._chapter7(row, g, s, key)
        if row.problems:
            self.skipped_keys[key] = row.row_number
        else:
            self.institutions[key] = contact
        return g

    def _designations(self, row: Row, g: _Part, s: ox.NamedNode, key: str, sources: list) -> None:
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
            g.add((d, RDF.type, IPG.Designation)), f"designation{n}_kind"
            g.add((d, ORG.member, s)), f"designation{n}_kind"
            g.add((s, IPG.hasDesignation, d)), f"designation{n}_kind"
            g.add((d, IPG.designationKind, T.node(kind.iri)), f"designation{n}_kind")
            if by:
                g.add((d, IPG.grantedBy, ID[f"administration/{by}"]), f"designation{n}_by")
            if granted:
                g.add((d, IPG.grantedOn, T.date(granted)), f"designation{n}_date")
            for source, column in sources:
                g.add((d, DCTERMS.source, source), column)

    def _chapter5(self, row: Row, g: _Part, s: ox.NamedNode, key: str) -> None:
        for column, prop in (("full_time", IPG.fullTimeStaff), ("part_time", IPG.partTimeStaff)):
            if (count := row.number(column, low=0, high=1_000_000, integer=True)) is not None:
                g.add((s, prop, T.whole(count, XSD.nonNegativeInteger)), column)
        for column, prop in (("qualifications", IPG.jobQualificationsDefined), ("duties", IPG.jobDutiesDefined),
                             ("collects", IPG.collectsServiceObjectInformation)):
            if (flag := row.boolean(column)) is not None:
                g.add((s, prop, T.boolean(flag)), column)
        for scheme, prefix, cls, link in (("work-systems", "work_system", IPG.WorkSystem, IPG.hasWorkSystem),
                                          ("facilities", "facility", IPG.Facility, IPG.hasFacility)):
            for concept in self.vocab.concepts(scheme):
                text = row.text(f"{prefix}:{concept.key}")
                if not text or text.casefold() in NO:
                    continue
                thing = ID[f"institution/{key}/{prefix.replace('_', '-')}/{concept.key}"]
                column = f"{prefix}:{concept.key}"
                g.add((s, link, thing), column)
                g.add((thing, RDF.type, cls), column)
                g.add((thing, DCTERMS.type, T.node(concept.iri)), column)
                _title(g, thing, text, column)
        for rkey, cls, _zh, _en, url_property in RESOURCES:
            text = row.text(f"resource:{rkey}")
            address = row.url(f"resource_url:{rkey}")
            if not text or text.casefold() in NO:
                if address is not None:
                    row.problem(f"resource_url:{rkey}", "填写了网址，但未填写该信息资源", "a URL is given but not the resource")
                continue
            resource = ID[f"institution/{key}/resource/{rkey}"]
            g.add((s, IPG.providesResource, resource), f"resource:{rkey}")
            g.add((resource, RDF.type, T.node(cls)), f"resource:{rkey}")
            _title(g, resource, text, f"resource:{rkey}")
            if address is not None:
                g.add((resource, T.node(url_property), address), f"resource_url:{rkey}")
        platform_text = row.text("platform")
        platform_url = row.url("platform_url")
        if platform_text or platform_url is not None:
            platform = ID[f"institution/{key}/resource/platform"]
            column = "platform" if platform_text else "platform_url"
            g.add((s, IPG.localFeaturedPlatform, platform), column)
            g.add((platform, RDF.type, DCAT.DataService), column)
            if platform_text:
                _title(g, platform, platform_text, "platform")
            if platform_url is not None:
                g.add((platform, DCAT.endpointURL, platform_url), "platform_url")
        if (level := row.number("security_level", low=1, high=5, integer=True)) is not None:
            g.add((s, IPG.securityProtectionLevel, T.whole(level, XSD.integer)), "security_level")
        if (policy := row.text("consent_policy")) and policy.casefold() not in NO:
            cp = ID[f"institution/{key}/consent-policy"]
            g.add((s, IPG.hasConsentPolicy, cp), "consent_policy")
            g.add((cp, RDF.type, IPG.ConsentPolicy), "consent_policy")
            _title(g, cp, policy, "consent_policy")

    def _chapter7(self, row: Row, g: _Part, s: ox.NamedNode, key: str) -> None:
        for n in range(1, EVALUATION_SLOTS + 1):
            kind = row.concept(f"evaluation{n}_kind", "evaluations", self.vocab, ("评估类型", "evaluation kind"))
            when = row.date(f"evaluation{n}_date")
            if kind is None:
                if when and not row.text(f"evaluation{n}_kind"):
                    row.problem(f"evaluation{n}_kind", f"填写了评估{n}日期，但缺少类型", f"evaluation {n} has a date but no kind")
                continue
            e = ID[f"institution/{key}/evaluation/{n}"]
            g.add((s, IPG.hasEvaluation, e), f"evaluation{n}_kind")
            g.add((e, RDF.type, IPG.Evaluation), f"evaluation{n}_kind")
            g.add((e, DCTERMS.type, T.node(kind.iri)), f"evaluation{n}_kind")
            if when:
                g.add((e, DCTERMS.date, T.date(when)), f"evaluation{n}_date")
        if (feedback := row.url("feedback_url")) is not None:
            fb = ID[f"institution/{key}/feedback-channel"]
            for triple in ((s, IPG.hasFeedbackChannel, fb), (fb, RDF.type, IPG.FeedbackChannel),
                           (fb, DCTERMS.type, ID["channel/web"]),
                           (fb, DCTERMS.identifier, T.plain("feedback")),  # CPSV-AP: every channel has an identifier
                           (fb, SCHEMA.url, feedback)):
                g.add(triple, "feedback_url")
        title = row.text("case_title")
        when = row.date("case_date")
        to = row.key("case_reported_to", ("管理部门标识", "administration key"))
        if title or when or to:
            pc = ID[f"institution/{key}/practice-case/1"]
            g.add((s, IPG.hasPracticeCase, pc), "case_title")
            g.add((pc, RDF.type, IPG.PracticeCase))
            if title:
                g.add((pc, DCTERMS.title, T.text(title)), "case_title")
            if when:
                g.add((pc, DCTERMS.date, T.date(when)), "case_date")
            if to:
                g.add((pc, IPG.reportedTo, ID[f"administration/{to}"]), "case_reported_to")

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
        g.own = o.value
        g.add((s, IPG.offers, o), "service")
        g.add((o, RDF.type, IPG.ServiceOffering))
        g.add((o, RDF.type, CPSV.PublicService))
        g.add((o, CV.hasCompetentAuthority, s), "institution")
        g.add((o, IPG.serviceConcept, T.node(concept.iri)), "service")
        for text, lang in ((concept.zh, "zh"), (concept.en, "en")):
            if text:
                g.add((o, DCTERMS.title, T.text(text, lang)), "service")
        g.add((o, DCTERMS.identifier, T.plain(concept.notation)), "service")
        if description := row.text("description"):
            g.add((o, DCTERMS.description, T.text(description)), "description")
        fee_iri = fee.iri if fee is not None else concept.default_fee
        fee_iri = T.node(fee_iri) if fee_iri is not None else None
        if fee_iri is not None:
            g.add((o, IPG.fee, fee_iri), "fee" if fee is not None else "service")
        for channel in channels:
            c = ID[f"institution/{key}/channel/{channel.key}"]
            g.add((o, CV.hasChannel, c), "channels")
            if channel.key in institution.channels:
                continue            # the institution's channel node, written with an earlier offering
            g.written.append((institution.channels, channel.key))
            g.add((c, RDF.type, CV.Channel), "channels")
            g.add((c, DCTERMS.type, T.node(channel.iri)), "channels")
            g.add((c, DCTERMS.identifier, T.plain(channel.key)), "channels")  # CPSV-AP: every channel has one
            for prop, value in _channel_contacts(channel.key, institution):
                g.add((c, prop, value))
        for ip_type in ip_types:
            g.add((o, IPG.ipType, T.node(ip_type.iri)), "ip_types")
        if capability := row.text("capability"):
            g.add((o, IPG.recordedCapability, _capability(capability)), "capability")
        return g


def _channel_contacts(kind: str, institution: _Institution) -> list[tuple[ox.NamedNode, object]]:
    """A channel's contact details are the institution's, by what the channel is (docs/spreadsheet.md):
    phone → telephone; web → URL and e-mail; window and on-site → address and telephone."""
    wanted = {"phone": ("phone",), "web": ("url", "email"), "window": ("address", "phone"),
              "onsite": ("address", "phone")}.get(kind, ())
    values = {"phone": (SCHEMA.telephone, T.plain(institution.phone) if institution.phone else None),
              "email": (SCHEMA.email, T.plain(institution.email) if institution.email else None),
              "url": (SCHEMA.url, institution.url),
              "address": (SCHEMA.address, T.text(institution.address) if institution.address else None)}
    return [values[w] for w in wanted if values[w][1] is not None]
