"""Reading a spreadsheet's sheets and cells (XLSX or CSV), each problem located by sheet, row and column.

:class:`Row` turns one row's cells into values — numbers in range, yes/no, dates, concepts and regions of the
:class:`~ipgraph.sheets.workbook.Vocabulary`, well-formed phone numbers, e-mail addresses and URLs — and records a
:class:`Problem` in Chinese and English for each cell it cannot read. ``ingest`` maps the values to RDF.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import pyoxigraph as ox
from openpyxl.utils import get_column_letter
from python_calamine import CalamineError, CalamineWorkbook

from ..model.catalog import UnknownConcept
from ..model.places import AmbiguousPlace, UnknownPlace
from ..model.resolver import RegionHints
from .terms import node
from .workbook import (HEADER_ROWS, IGNORED_HEADERS, INSTITUTIONS, NO, OFFERINGS, SEPARATORS, YES, Column, Concept,
                       Vocabulary, region_choice)

KEY = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*")
PHONE = re.compile(r"\+?[(（]?[0-9][0-9 ()（）\-]{3,22}[0-9](\s*(转|ext\.?|x|#)\s*[0-9]{1,6})?", re.IGNORECASE)
EMAIL = re.compile(r"[\w.!#$%&'*+/=?^`{|}~-]+@[\w-]+(\.[\w-]+)+")
IRI_FORBIDDEN = re.compile(r'[\x00-\x20<>"{}|\\^`]')


def cell_name(sheet: str, row: int | None, column: str | None) -> str:
    """``机构 institutions!G5``; ``机构 institutions!5`` for a whole row, the sheet's name for a whole sheet."""
    cell = f"{column or ''}{row or ''}"
    return f"{sheet}!{cell}" if cell else sheet


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
        return cell_name(self.sheet, self.row, self.column)

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


# -- sheets -------------------------------------------------------------------------------------

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
    """The sheets read by calamine (Rust): a tenth of openpyxl's time on a list of national size (3.1 s → 0.3 s for
    the 40× sample's 34,000 rows), the same values (cached results of formulas, numbers as floats, dates as
    dates); an empty cell is None, as openpyxl gives it."""
    try:
        book = CalamineWorkbook.from_filelike(io.BytesIO(data))
    except (CalamineError, zipfile.BadZipFile, OSError, ValueError) as error:
        raise _unreadable(name, f"无法作为 Excel 工作簿打开：{error}", f"cannot open as an Excel workbook: {error}")
    try:
        sheets = book.sheet_names
        tables = {}
        for role, wanted, words in (("institutions", INSTITUTIONS, ("institution", "机构")),
                                    ("offerings", OFFERINGS, ("offering", "服务"))):
            title = wanted if wanted in sheets else next(
                (t for t in sheets if any(w in t.casefold() for w in words)), None)
            if title is None and role == "institutions" and sheets:
                title = sheets[0]
            if title is not None:
                try:
                    values = book.get_sheet_by_name(title).to_python(skip_empty_area=False)
                except (CalamineError, ValueError) as error:
                    raise _unreadable(name, f"无法读取工作表“{title}”：{error}", f"cannot read sheet {title!r}: {error}")
                rows = [(n, [None if v == "" else v for v in row]) for n, row in enumerate(values, start=1)]
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

class Row:
    """The cells of one row by column key, and the problems found in them."""

    def __init__(self, table: Table, number: int, values: list[object], positions: dict[str, int],
                 missing: frozenset[str] = frozenset()):
        self.table, self.row_number, self.positions = table, number, positions
        self.missing = missing  # required columns the sheet lacks: reported once for the sheet, not per row
        self.values = {key: values[i] if i < len(values) else None for key, i in positions.items()}
        self.problems: list[Problem] = []

    def problem(self, key: str | None, zh: str, en: str, value: object = None) -> None:
        if key in self.missing:
            return
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
        """The concept a cell names (the resolver's reading); a problem with the candidates when none or several."""
        text = self.text(key) if text is None else text
        if not text:
            return None
        try:
            return vocab.resolve_concept(scheme, text)[0]
        except UnknownConcept as error:
            hint = "、".join(c.label("zh") for c in error.suggestions[:5])
            hint_en = "; ".join(c.label("en") for c in error.suggestions[:5])
            if error.ambiguous:
                self.problem(key, f"{what[0]}“{text}”可指多个概念：{hint}（请写明其一）",
                             f"{what[1]} {text!r} could mean several concepts: {hint_en} (name one)", text)
            else:
                self.problem(key, f"未知的{what[0]}“{text}”" + (f"（是否为：{hint}）" if hint else ""),
                             f"unknown {what[1]} {text!r}" + (f" (did you mean: {hint_en})" if hint else ""), text)
            return None

    def concepts(self, key: str, scheme: str, vocab: Vocabulary, what: tuple[str, str]) -> list[Concept]:
        found = []
        for part in SEPARATORS.split(self.text(key)):
            if part and (concept := self.concept(key, scheme, vocab, what, part)) is not None:
                found.append(concept)
        return found

    def region(self, key: str, vocab: Vocabulary, hints: RegionHints | None = None) -> ox.NamedNode | None:
        """The region a cell names; an ambiguous name is settled by ``hints`` (the row's coordinates, address)."""
        text = self.text(key)
        if not text:
            return None
        try:
            region = vocab.find_region(text, hints)
        except AmbiguousPlace as error:
            options = "、".join(region_choice(r) for r in error.candidates)
            self.problem(key, f"区划名称“{text}”不唯一，坐标和地址也未能确定，请写明代码：{options}",
                         f"region name {text!r} is ambiguous and the row's coordinates and address do not settle "
                         f"it; give the code: {options}", text)
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
        return node(region.iri)

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

    def url(self, key: str) -> ox.NamedNode | None:
        text = self.text(key)
        if not text:
            return None
        parts = urlsplit(text) if not IRI_FORBIDDEN.search(text) else None
        if parts is not None and parts.scheme in ("http", "https") and parts.netloc:
            try:
                return ox.NamedNode(text)
            except ValueError:
                pass
        self.problem(key, f"网址格式不正确：“{text}”（应以 http:// 或 https:// 开头）",
                     f"malformed URL: {text!r} (must start with http:// or https://)", text)
        return None

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


def data_rows(table: Table, columns: list[Column], required: tuple[str, ...], fatal: list[Problem]) -> list[Row]:
    """The data rows of a table, after matching its header rows (Chinese, English) to ``columns``.

    Problems with the sheet itself (no header, unknown or duplicate header, a required column missing) go
    to ``fatal``: they cannot be skipped row by row. The rows are still returned, so that their cells are
    checked in the same pass.
    """
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
    missing = frozenset(key for key in required if key not in positions and not (key == "key" and "uscc" in positions))
    for key in required:
        if key in missing:
            fatal.append(Problem(table.name, 1, None, f"缺少列“{names[key].zh}”", f"column {names[key].en!r} is missing"))
    return [Row(table, number, values, positions, missing) for number, values in table.rows[header_rows:]
            if any(cell_text(v) for v in values)]
