"""Opening hours as people write them in a spreadsheet cell ↔ ``schema:openingHoursSpecification``.

A cell holds one or more rules separated by ``；`` ``;`` or a new line; a rule is days then one or more
time ranges:

- Chinese: ``周一至周五 9:00-17:00``, ``周一至周五 8:30-11:30、13:30-17:00``, ``星期六 9:00-12:00``,
  ``工作日 9:00-17:00`` (= 周一至周五), ``每天 8:00-20:00``, ``周一、周三 9:00-12:00``;
- English, the schema.org ``openingHours`` notation: ``Mo-Fr 09:00-17:00``, ``Mo,We 09:00-12:00``,
  ``Sa 09:00-12:00`` (``Mon``/``Monday`` spelt out too).

Each (days, opens, closes) becomes one ``schema:OpeningHoursSpecification`` (schema.org:
https://schema.org/OpeningHoursSpecification) with ``schema:dayOfWeek`` (``schema:Monday`` …),
``schema:opens`` and ``schema:closes`` (``"09:00:00"``: xsd:time's lexical form as a plain literal, as
schema.org's own JSON-LD context writes it — Virtuoso 7 refuses ``"09:00:00"^^xsd:time`` with "Cannot convert
T09:00:00 to time"), at ``{institution}/opening-hours/{n}``.
Text that is not such rules raises :class:`OpeningHoursError` with the reason in Chinese and English,
so the upload names the cell; nothing is guessed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from rdflib import Literal, URIRef
from rdflib.namespace import RDF

from ..model.iris import SCHEMA

DAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
_ZH_DAY = {"一": 0, "二": 1, "三": 2, "四": 3, "五": 4, "六": 5, "日": 6, "天": 6, "七": 6}
_ZH_NAMES = ("周一", "周二", "周三", "周四", "周五", "周六", "周日")
_EN_SHORT = ("Mo", "Tu", "We", "Th", "Fr", "Sa", "Su")
_RULES = re.compile(r"[;；\n|]+")
_TIME = r"(\d{1,2})(?:[:：](\d{2})|点|时)"
_RANGE = re.compile(rf"{_TIME}\s*(?:-|–|—|~|～|至|到)\s*{_TIME}")
_RANGE_SEP = re.compile(r"^[\s,，、和及]*$")


class OpeningHoursError(ValueError):
    """A cell that is not opening hours; ``zh`` and ``en`` say why."""

    def __init__(self, zh: str, en: str):
        super().__init__(en)
        self.zh, self.en = zh, en


@dataclass(frozen=True)
class OpeningHours:
    """One specification: the days (indices 0 = Monday … 6 = Sunday), opening and closing time (HH:MM)."""

    days: tuple[int, ...]
    opens: str
    closes: str

    def day_iris(self) -> list[URIRef]:
        return [SCHEMA[DAYS[d]] for d in self.days]

    def to_json(self) -> dict:
        return {"days": [DAYS[d] for d in self.days], "opens": self.opens, "closes": self.closes}


def parse(text: str) -> list[OpeningHours]:
    """The specifications a cell states, in the order written. Raises OpeningHoursError."""
    out: list[OpeningHours] = []
    for rule in (r.strip() for r in _RULES.split(text or "")):
        if not rule:
            continue
        first = _RANGE.search(rule)
        if first is None:
            raise OpeningHoursError(f"“{rule}”中没有时间段（如 9:00-17:00）",
                                    f"no time range (such as 09:00-17:00) in {rule!r}")
        days = _days(rule[:first.start()].strip(), rule)
        at = first.start()
        for found in _RANGE.finditer(rule, first.start()):
            if not _RANGE_SEP.match(rule[at:found.start()]):
                raise OpeningHoursError(f"无法理解“{rule[at:found.start()].strip()}”（在“{rule}”中）",
                                        f"cannot read {rule[at:found.start()].strip()!r} in {rule!r}")
            opens, closes = _time(found.group(1), found.group(2)), _time(found.group(3), found.group(4))
            if opens is None or closes is None or opens >= closes:
                raise OpeningHoursError(f"时间段“{found.group(0)}”不正确（开始须早于结束，24 小时制）",
                                        f"bad time range {found.group(0)!r} (opening before closing, 24-hour clock)")
            out.append(OpeningHours(days, opens, closes))
            at = found.end()
        if rule[at:].strip(" ，,。."):
            raise OpeningHoursError(f"无法理解“{rule[at:].strip()}”（在“{rule}”中）",
                                    f"cannot read {rule[at:].strip()!r} in {rule!r}")
    if not out:
        raise OpeningHoursError("开放时间为空", "opening hours are empty")
    return out


def _time(hours: str, minutes: str | None) -> str | None:
    h, m = int(hours), int(minutes or 0)
    if h > 24 or m > 59 or (h == 24 and m):
        return None
    return f"{h:02d}:{m:02d}"


def _days(text: str, rule: str) -> tuple[int, ...]:
    """Days from 周一至周五 / 工作日 / 每天 / 周一、周三 / Mo-Fr / Mo,We / Monday-Friday."""
    bad = OpeningHoursError(f"无法理解日期“{text}”（在“{rule}”中；可写 周一至周五、工作日、每天、Mo-Fr）",
                            f"cannot read the days {text!r} in {rule!r} (write e.g. Mo-Fr, Mo,We, 周一至周五)")
    compact = re.sub(r"\s+", "", text).rstrip(":：")
    if compact in ("工作日", "周一至周五"):
        return (0, 1, 2, 3, 4)
    if compact in ("每天", "每日", "全天", "周一至周日", "daily", "Daily", "Mo-Su"):
        return tuple(range(7))
    if not compact:
        raise bad
    days: list[int] = []
    for part in re.split(r"[,，、和及]", compact):
        ends = re.split(r"至|到|-|–|—|~|～", part)
        if len(ends) > 2 or not all(ends):
            raise bad
        indices = [_day(e) for e in ends]
        if None in indices:
            raise bad
        start, end = indices[0], indices[-1]
        span = range(start, end + 1) if start <= end else [*range(start, 7), *range(0, end + 1)]
        days += [d for d in span if d not in days]
    return tuple(days)


def _day(word: str) -> int | None:
    zh = re.fullmatch(r"(?:周|星期|礼拜)([一二三四五六日天七])", word)
    if zh:
        return _ZH_DAY[zh.group(1)]
    folded = word.casefold()
    for index, name in enumerate(DAYS):
        if len(folded) >= 2 and name.casefold().startswith(folded):
            return index
    return None


def triples(institution: URIRef, hours: list[OpeningHours]) -> list[tuple]:
    """The RDF of ``hours`` for ``institution`` (one node per specification)."""
    out = []
    for n, spec in enumerate(hours, start=1):
        node = URIRef(f"{institution}/opening-hours/{n}")
        out += [(institution, SCHEMA.openingHoursSpecification, node), (node, RDF.type, SCHEMA.OpeningHoursSpecification),
                (node, SCHEMA.opens, Literal(spec.opens + ":00")), (node, SCHEMA.closes, Literal(spec.closes + ":00"))]
        out += [(node, SCHEMA.dayOfWeek, day) for day in spec.day_iris()]
    return out


def from_values(days: list[str], opens: str, closes: str) -> OpeningHours | None:
    """A specification read back from the graph (day IRIs, xsd:time strings); None when incomplete."""
    indices = sorted({DAYS.index(d.rsplit("/", 1)[-1]) for d in days if d.rsplit("/", 1)[-1] in DAYS})
    if not indices or not opens or not closes:
        return None
    return OpeningHours(tuple(indices), opens[:5], closes[:5])


def from_graph(graph, institution: URIRef) -> list[OpeningHours]:
    """The specifications ``graph`` states for ``institution``, in the order of their IRIs."""
    out = []
    for node in sorted(graph.objects(institution, SCHEMA.openingHoursSpecification), key=str):
        spec = from_values([str(d) for d in graph.objects(node, SCHEMA.dayOfWeek)],
                           str(graph.value(node, SCHEMA.opens) or ""), str(graph.value(node, SCHEMA.closes) or ""))
        if spec is not None:
            out.append(spec)
    return out


def describe(hours: list[OpeningHours], lang: str = "zh") -> list[str]:
    """One line per specification: 周一至周五 09:00–17:00 / Mo-Fr 09:00-17:00 (the spreadsheet's notation)."""
    lines = []
    for spec in hours:
        names = _ZH_NAMES if lang == "zh" else _EN_SHORT
        runs, run = [], [spec.days[0]]
        for d in spec.days[1:]:
            if d == run[-1] + 1:
                run.append(d)
            else:
                runs.append(run)
                run = [d]
        runs.append(run)
        joined = ("、" if lang == "zh" else ",").join(
            names[r[0]] if len(r) == 1 else names[r[0]] + ("至" if lang == "zh" else "-") + names[r[-1]] for r in runs)
        lines.append(f"{joined} {spec.opens}-{spec.closes}")
    return lines


def cell_text(hours: list[OpeningHours]) -> str:
    """The cell a template or export writes for ``hours`` (Chinese notation, rules separated by ；)."""
    return "；".join(describe(hours, "zh"))
