"""Write the administrators' XLSX template — empty, or filled from a network graph (the export that
:mod:`ingest` reads back).

Headers in Chinese (row 1) with English beneath (row 2); drop-down lists (Excel data validation) for
every column that takes a concept or region, their choices on a hidden ``lists`` sheet taken from the
store. :func:`write_spreadsheet` writes each institution of a graph in the layout ``ingest`` reads, so that
graph → XLSX → graph gives the institutions back (docs/spreadsheet.md lists the normalisations).
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter, quote_sheetname
from openpyxl.worksheet.datavalidation import DataValidation
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCAT, DCTERMS, RDF, SKOS

from ..model.iris import CV, ID, IPG, SCHEMA, WGS84
from ..store.base import Store
from . import opening_hours
from .workbook import (DESIGNATION_SLOTS, EVALUATION_SLOTS, INSTITUTIONS, LISTS, NO, OFFERINGS, RESOURCES, YES,
                       Column, Vocabulary, institution_columns, offering_columns, region_choice, vocabulary)

EMPTY_ROWS = 500          # rows below the data that still get the drop-downs
_HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")
_PROMPTS = {
    False: ("请从列表选择 / pick from the list", "可从列表选择，也可填写代码或名称。 You may also type a code or name."),
    True: ("可填写多项 / several allowed", "从列表选一项，或填写多项并用“、”分隔。 Pick one, or type several separated by 、"),
}


def write_template(path: Path, *, store: Store | None = None) -> None:
    """Write an empty template to ``path`` (drop-downs from ``store``, or the reference files)."""
    _write(path, vocabulary(store), [], [])


def write_spreadsheet(graph: Graph, path: Path, *, store: Store | None = None) -> int:
    """Write every institution of ``graph`` (and its offerings) into the template at ``path``.

    Returns the number of institutions written. What the template has no column for is not written;
    ``ipgraph template --network`` re-reads the file and reports any such difference.
    """
    vocab = vocabulary(store)
    institutions, offerings = _rows(graph, vocab)
    _write(path, vocab, institutions, offerings)
    return len(institutions)


# -- the workbook --------------------------------------------------------------------------------

def _write(path: Path, vocab: Vocabulary, institutions: list[dict], offerings: list[dict]) -> None:
    book = Workbook()
    lists_sheet = book.active
    lists_sheet.title = LISTS
    sources = _lists(lists_sheet, vocab.lists())
    lists_sheet.sheet_state = "hidden"
    lists_sheet.sheet_view.tabSelected = False
    for title, columns, rows in ((INSTITUTIONS, institution_columns(vocab), institutions),
                                 (OFFERINGS, offering_columns(vocab), offerings)):
        sheet = book.create_sheet(title)
        _sheet(sheet, columns, rows, sources)
    book.move_sheet(LISTS, offset=2)
    book.active = 0
    path.parent.mkdir(parents=True, exist_ok=True)
    book.save(path)


def _lists(sheet, lists: dict[str, list[str]]) -> dict[str, str]:
    """Write each list in its own column of the hidden sheet; return list name → range formula."""
    formulas = {}
    for n, (name, choices) in enumerate(lists.items(), start=1):
        letter = get_column_letter(n)
        sheet.cell(1, n, name)
        for row, choice in enumerate(choices, start=2):
            _put(sheet.cell(row, n), choice)
        last = max(2, len(choices) + 1)
        formulas[name] = f"{quote_sheetname(LISTS)}!${letter}$2:${letter}${last}"
    return formulas


def _put(cell, value) -> None:
    """Write a value as data: text that starts with '=' stays text, never a formula Excel would run."""
    cell.value = value
    if isinstance(value, str) and cell.data_type == "f":
        cell.data_type = "s"


def _sheet(sheet, columns: list[Column], rows: list[dict], sources: dict[str, str]) -> None:
    bold = Font(bold=True)
    for n, column in enumerate(columns, start=1):
        for row, text in ((1, column.zh), (2, column.en)):
            cell = sheet.cell(row, n, text)
            cell.font, cell.fill = bold, _HEADER_FILL
            cell.alignment = Alignment(wrap_text=True, vertical="top")
        sheet.column_dimensions[get_column_letter(n)].width = column.width
    for r, values in enumerate(rows, start=3):
        for n, column in enumerate(columns, start=1):
            value = values.get(column.key)
            if value not in (None, ""):
                _put(sheet.cell(r, n), value)
    sheet.freeze_panes = "B3"
    last = len(rows) + 2 + EMPTY_ROWS
    for n, column in enumerate(columns, start=1):
        if column.values is None or column.values not in sources:
            continue
        title, prompt = _PROMPTS[column.multi]
        validation = DataValidation(type="list", formula1=sources[column.values], allow_blank=True,
                                    showDropDown=False, showErrorMessage=True,
                                    errorStyle="information" if column.multi else "warning",
                                    errorTitle=title, error=prompt, promptTitle=title, prompt=prompt,
                                    showInputMessage=True)
        letter = get_column_letter(n)
        validation.add(f"{letter}3:{letter}{last}")
        sheet.add_data_validation(validation)


# -- graph → rows --------------------------------------------------------------------------------

def _key(iri: URIRef | None, prefix: str) -> str:
    text = str(iri or "")
    return text[len(str(ID) + prefix):] if text.startswith(str(ID) + prefix) else ""


def _text(graph: Graph, subject, prop, lang: str | None = None) -> str:
    for value in graph.objects(subject, prop):
        if isinstance(value, Literal) and (lang is None or value.language == lang):
            return str(value)
    return ""


def _yes_no(value) -> str:
    if value is None:
        return ""
    return YES[0] if bool(value.toPython()) else NO[0]


def _title_cell(graph: Graph, thing) -> str:
    """The title of a work system, facility, resource or policy; '是' when it has none."""
    return _text(graph, thing, DCTERMS.title) or YES[0]


def _join(values: Iterable[str]) -> str:
    return "、".join(sorted(v for v in values if v))


def _rows(graph: Graph, vocab: Vocabulary) -> tuple[list[dict], list[dict]]:
    kinds = {c.kind_class: c for c in vocab.concepts("institution-kinds") if c.kind_class is not None}
    concepts = {c.iri: (scheme, c) for scheme in vocab.schemes for c in vocab.concepts(scheme)}

    def choice(iri) -> str:
        found = concepts.get(iri)
        return vocab.choice(*found) if found else str(iri or "")

    def region(iri) -> str:
        found = vocab.region_by_iri(iri) if iri is not None else None
        return region_choice(found) if found else (str(iri) if iri is not None else "")

    institutions, offerings = [], []
    subjects = sorted({s for cls in kinds for s in graph.subjects(RDF.type, cls) if isinstance(s, URIRef)})
    for s in subjects:
        key = _key(s, "institution/")
        kind = next((kinds[c] for c in graph.objects(s, RDF.type) if c in kinds), None)
        row = {
            "key": key, "kind": kind.choice if kind else "",
            "name_zh": _text(graph, s, SKOS.prefLabel, "zh"), "name_en": _text(graph, s, SKOS.prefLabel, "en"),
            "sample": _yes_no(graph.value(s, IPG.isSample)), "uscc": _text(graph, s, IPG.uscc),
            "region": region(graph.value(s, IPG.locatedIn)), "area_served": region(graph.value(s, SCHEMA.areaServed)),
            "address": _text(graph, s, SCHEMA.address), "phone": _text(graph, s, SCHEMA.telephone),
            "email": _text(graph, s, SCHEMA.email), "url": str(graph.value(s, SCHEMA.url) or ""),
            "opening_hours": opening_hours.cell_text(opening_hours.from_graph(graph, s)),
            "belongs_to": _key(graph.value(s, IPG.belongsTo), "administration/"),
            "source_text": _text(graph, s, DCTERMS.source),
            "source_url": next((str(v) for v in graph.objects(s, DCTERMS.source) if isinstance(v, URIRef)), ""),
        }
        for column, prop in (("lat", WGS84.lat), ("lon", WGS84.long), ("full_time", IPG.fullTimeStaff),
                             ("part_time", IPG.partTimeStaff), ("security_level", IPG.securityProtectionLevel)):
            value = graph.value(s, prop)
            row[column] = value.toPython() if isinstance(value, Literal) else None
        for column, prop in (("qualifications", IPG.jobQualificationsDefined), ("duties", IPG.jobDutiesDefined),
                             ("collects", IPG.collectsServiceObjectInformation)):
            row[column] = _yes_no(graph.value(s, prop))
        for column, prop in (("guided_by", IPG.guidedBy), ("coordinated_by", IPG.coordinatedBy),
                             ("supported_by", IPG.supportedBy)):
            row[column] = _join(_key(o, "institution/") for o in graph.objects(s, prop))
        for n in range(1, DESIGNATION_SLOTS + 1):
            d = ID[f"institution/{key}/designation/{n}"]
            if (s, IPG.hasDesignation, d) in graph:
                row[f"designation{n}_kind"] = choice(graph.value(d, IPG.designationKind))
                row[f"designation{n}_by"] = _key(graph.value(d, IPG.grantedBy), "administration/")
                row[f"designation{n}_date"] = _text(graph, d, IPG.grantedOn)
        for prefix, link in (("work_system", IPG.hasWorkSystem), ("facility", IPG.hasFacility)):
            for thing in graph.objects(s, link):
                kind_key = str(graph.value(thing, DCTERMS.type) or "").rsplit("/", 1)[-1]
                row[f"{prefix}:{kind_key}"] = _title_cell(graph, thing)
        for rkey, _cls, _zh, _en, url_property in RESOURCES:
            resource = ID[f"institution/{key}/resource/{rkey}"]
            if (s, IPG.providesResource, resource) in graph:
                row[f"resource:{rkey}"] = _title_cell(graph, resource)
                row[f"resource_url:{rkey}"] = str(graph.value(resource, url_property) or "")
        platform = graph.value(s, IPG.localFeaturedPlatform)
        if platform is not None:
            row["platform"] = _text(graph, platform, DCTERMS.title)
            row["platform_url"] = str(graph.value(platform, DCAT.endpointURL) or "")
        policy = graph.value(s, IPG.hasConsentPolicy)
        if policy is not None:
            row["consent_policy"] = _title_cell(graph, policy)
        for n in range(1, EVALUATION_SLOTS + 1):
            e = ID[f"institution/{key}/evaluation/{n}"]
            if (s, IPG.hasEvaluation, e) in graph:
                row[f"evaluation{n}_kind"] = choice(graph.value(e, DCTERMS.type))
                row[f"evaluation{n}_date"] = _text(graph, e, DCTERMS.date)
        feedback = graph.value(s, IPG.hasFeedbackChannel)
        if feedback is not None:
            row["feedback_url"] = str(graph.value(feedback, SCHEMA.url) or "")
        case = ID[f"institution/{key}/practice-case/1"]
        if (s, IPG.hasPracticeCase, case) in graph:
            row["case_title"] = _text(graph, case, DCTERMS.title)
            row["case_date"] = _text(graph, case, DCTERMS.date)
            row["case_reported_to"] = _key(graph.value(case, IPG.reportedTo), "administration/")
        institutions.append(row)

        for o in sorted(graph.objects(s, IPG.offers)):
            concept = graph.value(o, IPG.serviceConcept)
            capability = graph.value(o, IPG.recordedCapability)
            offerings.append({
                "institution": key, "service": choice(concept), "fee": choice(graph.value(o, IPG.fee)),
                "channels": _join(choice(graph.value(c, DCTERMS.type)) for c in graph.objects(o, CV.hasChannel)),
                "ip_types": _join(choice(t) for t in graph.objects(o, IPG.ipType)),
                "capability": str(capability) if capability is not None else "",
                "description": _text(graph, o, DCTERMS.description),
            })
    return institutions, offerings


def round_trip_difference(graph: Graph, path: Path, *, store: Store | None = None) -> tuple[Graph, Graph]:
    """What the spreadsheet at ``path`` (written by :func:`write_spreadsheet` from ``graph``) loses and adds:
    ``(missing, extra)`` against the institutions' part of ``graph`` (administrations are not in the template).
    """
    from ..model.iris import ADMINISTRATIONS_GRAPH
    from ..model.network import split_by_institution
    from .ingest import read_spreadsheet

    original = Graph()
    for name, part in split_by_institution(graph).items():
        if name != ADMINISTRATIONS_GRAPH:
            original += part
    back = read_spreadsheet(path, store=store)
    return original - back, back - original
