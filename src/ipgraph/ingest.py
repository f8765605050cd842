"""Administrators' spreadsheets (the XLSX template, or CSV) → RDF as docs/model.md writes it.

The layout is ``workbook``'s; docs/spreadsheet.md describes every column. Each bad cell becomes a
:class:`Problem` naming sheet, row, column (Excel letter) and the reason in Chinese and English. Reading
is all or nothing: :func:`read_spreadsheet` raises :class:`SpreadsheetError` when any row is bad, so a
caller never writes half a spreadsheet; :func:`import_spreadsheet` with ``skip_bad_rows=True`` instead
leaves the bad rows (and the offerings of a skipped institution) out and lists them.

The graph holds, besides each institution and what hangs below its IRI, the inverse network links
(``node guides outlet`` for ``outlet guidedBy node``) whose subject is the guiding institution — as the
sample network does. A caller that replaces one institution's named graph must merge those links into the
guiding institution's graph rather than replace that graph with them.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from openpyxl import load_workbook
from openpyxl.utils import get_column_letter
from openpyxl.utils.exceptions import InvalidFileException
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCAT, DCTERMS, ORG, RDF, SKOS, XSD

from . import uscc
from .iris import CPSV, CV, ID, IPG, SCHEMA, WGS84
from .places import AmbiguousPlace, UnknownPlace
from .store import Store
from .workbook import (DESIGNATION_SLOTS, EVALUATION_SLOTS, HEADER_ROWS, IGNORED_HEADERS, INSTITUTIONS, NO,
                       OFFERINGS, RESOURCES, SEPARATORS, YES, Column, Concept, Vocabulary, institution_columns,
                       offering_columns, region_choice, vocabulary)

KEY = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*")
PHONE = re.compile(r"\+?[0-9][0-9 ()（）\-]{3,22}[0-9](\s*(转|ext\.?|x|#)\s*[0-9]{1,6})?", re.IGNORECASE)
EMAIL = re.compile(r"[\w.!#$%&'*+/=?^`{|}~-]+@[\w-]+(\.[\w-]+)+")
_IRI_FORBIDDEN = re.compile(r'[\x00-\x20<>"{}|\\^`]')


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a spreadsheet: where (sheet, row, column letter) and why, in zh and en."""

    sheet: str
    row: int | None
    column: str | None
    zh: str
    en: str
    value: str | None = None

    @property
    def where(self) -> str:
        """``机构 institutions!G5``, or less when the problem is with a whole row or sheet."""
        cell = f"{self.column or ''}{self.row or ''}"
        return f"{self.sheet}!{cell}" if cell else self.sheet

    def message(self, lang: str = "zh") -> str:
        reason = self.zh if lang == "zh" else self.en
        return f"{self.where}: {reason}"

    def as_dict(self) -> dict:
        return {"sheet": self.sheet, "row": self.row, "column": self.column, "message_zh": self.zh,
                "message_en": self.en, "value": self.value}


class SpreadsheetError(Exception):
    """The spreadsheet has problems; ``problems`` lists each with sheet, row, column and reason."""

    def __init__(self, problems: Iterable[Problem]):
        self.problems = list(problems)
        super().__init__("; ".join(p.message("en") for p in self.problems))


class SpreadsheetUnreadable(SpreadsheetError):
    """The file is not a spreadsheet that can be opened at all (not XLSX, not CSV, missing, corrupt)."""


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


# -- reading cells -----------------------------------------------------------------------------

@dataclass
class Table:
    """The rows of one sheet (or CSV file): Excel row number and cell values."""

    name: str
    rows: list[tuple[int, list[object]]]


def _unreadable(name: str, zh: str, en: str) -> SpreadsheetUnreadable:
    return SpreadsheetUnreadable([Problem(name, None, None, zh, en)])


def read_tables(source: Path | bytes) -> dict[str, Table]:
    """The institutions (and, when present, offerings) tables of an XLSX workbook or CSV file(s).

    Raises SpreadsheetUnreadable.
    """
    name = source.name if isinstance(source, Path) else "upload"
    if isinstance(source, Path):
        if not source.is_file():
            raise _unreadable(name, "找不到文件", "no such file")
        data = source.read_bytes()
    else:
        data = source
    if data[:4] == b"PK\x03\x04" or (isinstance(source, Path) and source.suffix.lower() in (".xlsx", ".xlsm")):
        return _xlsx_tables(name, data)
    if isinstance(source, Path) and source.suffix.lower() not in (".csv", ".txt"):
        raise _unreadable(name, "无法识别的文件类型（应为 .xlsx 或 .csv）", "unknown file type (expected .xlsx or .csv)")
    tables = {"institutions": _csv_table(name, data)}
    if isinstance(source, Path):
        companion = source.with_name(source.name[: -len(source.suffix)] + ".offerings" + source.suffix)
        if companion.is_file():
            tables["offerings"] = _csv_table(companion.name, companion.read_bytes())
    return tables


def _xlsx_tables(name: str, data: bytes) -> dict[str, Table]:
    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, InvalidFileException, KeyError, OSError, ValueError) as error:
        raise _unreadable(name, f"无法作为 Excel 工作簿打开：{error}", f"cannot open as an Excel workbook: {error}")
    try:
        sheets = {title: book[title] for title in book.sheetnames}
        tables = {}
        for role, wanted, words in (("institutions", INSTITUTIONS, ("institution", "机构")),
                                    ("offerings", OFFERINGS, ("offering", "服务"))):
            title = wanted if wanted in sheets else next(
                (t for t in sheets if any(w in t.casefold() for w in words)), None)
            if title is None and role == "institutions" and sheets:
                title = next(iter(sheets))
            if title is not None:
                rows = [(n, list(values)) for n, values in
                        enumerate(sheets[title].iter_rows(values_only=True), start=1)]
                tables[role] = Table(title, rows)
        return tables
    finally:
        book.close()


def _csv_table(name: str, data: bytes) -> Table:
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise _unreadable(name, "无法识别文本编码（应为 UTF-8 或 GB18030）", "unknown text encoding (expected UTF-8 or GB18030)")
    if "\x00" in text:
        raise _unreadable(name, "不是文本文件", "not a text file")
    try:
        rows = list(csv.reader(io.StringIO(text)))
    except csv.Error as error:
        raise _unreadable(name, f"CSV 格式错误：{error}", f"malformed CSV: {error}")
    return Table(name, [(n, [cell if cell != "" else None for cell in row]) for n, row in enumerate(rows, start=1)])


def cell_text(value: object) -> str:
    """A cell as text: numbers without a spurious ``.0``, dates as ISO dates, blanks as ''."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return YES[0] if value else NO[0]
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value).strip()


def _normalise_header(text: str) -> str:
    return re.sub(r"\s+", " ", text.strip().rstrip("*").strip()).casefold()


# -- one row -----------------------------------------------------------------------------------

class _Row:
    """The cells of one row by column key, and the problems found in them."""

    def __init__(self, table: Table, number: int, values: list[object], positions: dict[str, int]):
        self.table, self.row_number, self.positions = table, number, positions
        self.values = {key: values[i] if i < len(values) else None for key, i in positions.items()}
        self.problems: list[Problem] = []

    def problem(self, key: str | None, zh: str, en: str, value: object = None) -> None:
        column = get_column_letter(self.positions[key] + 1) if key in self.positions else None
        self.problems.append(Problem(self.table.name, self.row_number, column, zh, en,
                                     None if value is None else cell_text(value)))

    def text(self, key: str) -> str:
        return cell_text(self.values.get(key))

    def required(self, key: str, zh_name: str, en_name: str) -> str:
        text = self.text(key)
        if not text:
            self.problem(key, f"缺少{zh_name}", f"{en_name} is missing")
        return text

    def number(self, key: str, *, low: float, high: float, integer: bool = False) -> float | int | None:
        raw = self.values.get(key)
        text = cell_text(raw)
        if not text:
            return None
        try:
            value = float(raw) if isinstance(raw, (int, float)) and not isinstance(raw, bool) else float(text)
        except ValueError:
            value = None
        if value is None or value != value or (integer and not value.is_integer()):
            kind_zh, kind_en = ("整数", "a whole number") if integer else ("数值", "a number")
            self.problem(key, f"“{text}”不是{kind_zh}", f"{text!r} is not {kind_en}", raw)
            return None
        if not low <= value <= high:
            self.problem(key, f"{text} 超出范围（{low:g}–{high:g}）", f"{text} is out of range ({low:g}–{high:g})", raw)
            return None
        return int(value) if integer else value

    def boolean(self, key: str) -> bool | None:
        raw = self.values.get(key)
        if isinstance(raw, bool):
            return raw
        text = cell_text(raw).casefold()
        if not text:
            return None
        if text in YES:
            return True
        if text in NO:
            return False
        self.problem(key, f"“{text}”应为“是”或“否”", f"{text!r} must be yes (是) or no (否)", raw)
        return None

    def date(self, key: str) -> dt.date | None:
        raw = self.values.get(key)
        if isinstance(raw, dt.datetime):
            return raw.date()
        if isinstance(raw, dt.date):
            return raw
        text = cell_text(raw)
        if not text:
            return None
        found = re.fullmatch(r"(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?", text)
        try:
            if found:
                return dt.date(*(int(g) for g in found.groups()))
        except ValueError:
            pass
        self.problem(key, f"“{text}”不是日期（应为 2024-05-31）", f"{text!r} is not a date (use 2024-05-31)", raw)
        return None

    def concept(self, key: str, scheme: str, vocab: Vocabulary, what: tuple[str, str], text: str | None = None) -> Concept | None:
        text = self.text(key) if text is None else text
        if not text:
            return None
        found = vocab.find_concept(scheme, text)
        if found is None:
            self.problem(key, f"未知的{what[0]}“{text}”（请从下拉列表选择）",
                         f"unknown {what[1]} {text!r} (pick one from the drop-down list)", text)
        return found

    def concepts(self, key: str, scheme: str, vocab: Vocabulary, what: tuple[str, str]) -> list[Concept]:
        found = []
        for part in SEPARATORS.split(self.text(key)):
            if part and (concept := self.concept(key, scheme, vocab, what, part)) is not None:
                found.append(concept)
        return found

    def region(self, key: str, vocab: Vocabulary) -> URIRef | None:
        text = self.text(key)
        if not text:
            return None
        try:
            region = vocab.find_region(text)
        except AmbiguousPlace as error:
            options = "、".join(region_choice(r) for r in error.candidates)
            self.problem(key, f"区划名称“{text}”不唯一，请写明代码：{options}",
                         f"region name {text!r} is ambiguous; give the code: {options}", text)
            return None
        except UnknownPlace as error:
            hint = "、".join(region_choice(r) for r in error.suggestions[:3])
            self.problem(key, f"未知区划“{text}”（应为 GB/T 2260 代码或区划名称{'；是否为：' + hint if hint else ''}）",
                         f"unknown region {text!r} (expected a GB/T 2260 code or a region name"
                         f"{'; did you mean: ' + hint if hint else ''})", text)
            return None
        if region is None:
            self.problem(key, f"“{text}”不是区划", f"{text!r} is not a region", text)
            return None
        return URIRef(region.iri)

    def phone(self, key: str) -> str:
        text = self.text(key)
        if text and not PHONE.fullmatch(text):
            self.problem(key, f"电话号码格式不正确：“{text}”", f"malformed phone number: {text!r}", text)
            return ""
        return text

    def email(self, key: str) -> str:
        text = self.text(key)
        if text and not EMAIL.fullmatch(text):
            self.problem(key, f"电子邮箱格式不正确：“{text}”", f"malformed e-mail address: {text!r}", text)
            return ""
        return text

    def url(self, key: str) -> URIRef | None:
        text = self.text(key)
        if not text:
            return None
        parts = urlsplit(text) if not _IRI_FORBIDDEN.search(text) else None
        if parts is None or parts.scheme not in ("http", "https") or not parts.netloc:
            self.problem(key, f"网址格式不正确：“{text}”（应以 http:// 或 https:// 开头）",
                         f"malformed URL: {text!r} (must start with http:// or https://)", text)
            return None
        return URIRef(text)

    def key(self, key: str, what: tuple[str, str]) -> str:
        text = self.text(key)
        if text and not KEY.fullmatch(text):
            self.problem(key, f"{what[0]}“{text}”只能含字母、数字、“-”“_”“.”",
                         f"{what[1]} {text!r} may contain only letters, digits, '-', '_' and '.'", text)
            return ""
        return text

    def keys(self, key: str, what: tuple[str, str]) -> list[str]:
        found = []
        for part in SEPARATORS.split(self.text(key)):
            if part and KEY.fullmatch(part):
                found.append(part)
            elif part:
                self.problem(key, f"{what[0]}“{part}”只能含字母、数字、“-”“_”“.”",
                             f"{what[1]} {part!r} may contain only letters, digits, '-', '_' and '.'", part)
        return found


def _title(graph: "_Part", subject: URIRef, text: str) -> None:
    """A cell that says only yes records the thing without a title; other text is its title."""
    if text.casefold() not in YES:
        graph.add((subject, DCTERMS.title, Literal(text, lang="zh")))


def _capability(text: str) -> Literal | URIRef:
    parts = urlsplit(text)
    if parts.scheme in ("http", "https") and parts.netloc and not _IRI_FORBIDDEN.search(text):
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
        inst_rows = self._rows(institutions, institution_columns(self.vocab), ("key", "kind", "name_zh", "region"), fatal)
        offers = self.tables.get("offerings")
        offer_rows = self._rows(offers, offering_columns(self.vocab), ("institution", "service"), fatal) if offers else []
        if fatal:
            raise SpreadsheetError(fatal)
        offerings = 0
        for row in inst_rows:
            self._keep(row, self._institution(row), skip_bad_rows)
        for row in offer_rows:
            offerings += self._keep(row, self._offering(row), skip_bad_rows)
        if self.problems and not skip_bad_rows:
            raise SpreadsheetError(self.problems)
        return ImportResult(self.graph, len(self.institutions), offerings, self.problems, self.skipped)

    def _keep(self, row: _Row, part: _Part | None, skip_bad_rows: bool) -> int:
        if row.problems or part is None:
            self.problems += row.problems
            self.skipped.append((row.table.name, row.row_number))
            return 0
        for triple in part.triples:
            self.graph.add(triple)
        return 1

    def _rows(self, table: Table, columns: list[Column], required: tuple[str, ...], fatal: list[Problem]) -> list[_Row]:
        """The data rows of a table, after matching its header rows to the columns."""
        by_header = {}
        for column in columns:
            by_header[_normalise_header(column.zh)] = column.key
            by_header[_normalise_header(column.en)] = column.key
        positions: dict[str, int] = {}
        header_rows = 0
        unknown: dict[int, tuple[int, str]] = {}
        for number, values in table.rows[:HEADER_ROWS]:
            texts = [_normalise_header(cell_text(v)) for v in values]
            if not any(t in by_header for t in texts):
                break
            header_rows = number
            for i, text in enumerate(texts):
                key = by_header.get(text)
                if key is None:
                    if text and text not in IGNORED_HEADERS:
                        unknown.setdefault(i, (number, cell_text(values[i])))
                elif key in positions and positions[key] != i:
                    fatal.append(Problem(table.name, number, get_column_letter(i + 1),
                                         f"列“{cell_text(values[i])}”重复", f"column {cell_text(values[i])!r} appears twice"))
                else:
                    positions[key] = i
        for i, (number, text) in sorted(unknown.items()):
            if i not in positions.values():
                fatal.append(Problem(table.name, number, get_column_letter(i + 1),
                                     f"未知列标题“{text}”（见模板或 docs/spreadsheet.md）",
                                     f"unknown column header {text!r} (see the template or docs/spreadsheet.md)"))
        if header_rows == 0:
            fatal.append(Problem(table.name, 1, None, "第 1 行应为列标题（见模板）", "row 1 must hold the column headers (see the template)"))
            return []
        names = {c.key: c for c in columns}
        for key in required:
            if key not in positions and not (key == "key" and "uscc" in positions):
                fatal.append(Problem(table.name, 1, None, f"缺少列“{names[key].zh}”", f"column {names[key].en!r} is missing"))
        return [_Row(table, number, values, positions) for number, values in table.rows[header_rows:]
                if any(cell_text(v) for v in values)]

    # -- institutions -----------------------------------------------------------------------------
    def _institution(self, row: _Row) -> _Part | None:
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
        if contact_address := row.text("address"):
            contact.address = contact_address
            g.add((s, SCHEMA.address, Literal(contact_address, lang="zh")))
        lat = row.number("lat", low=-90, high=90)
        lon = row.number("lon", low=-180, high=180)
        if (lat is None) != (lon is None) and not row.problems:
            missing = "lon" if lon is None else "lat"
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

    def _designations(self, row: _Row, g: _Part, s: URIRef, key: str, sources: list) -> None:
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

    def _chapter5(self, row: _Row, g: _Part, s: URIRef, key: str) -> None:
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

    def _chapter7(self, row: _Row, g: _Part, s: URIRef, key: str) -> None:
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
    def _offering(self, row: _Row) -> _Part | None:
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
