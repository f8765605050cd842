"""The specification's clauses, read from its text (``spec/ip-info-public-service-spec.zh.txt``).

Tests and the clause-coverage table use this to know what the catalogue and the shapes must cover.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

from ..paths import HOME

SPEC_TEXT = HOME / "spec" / "ip-info-public-service-spec.zh.txt"

_SERVICE_CLAUSE = re.compile(r"^(6\.\d(?:\.\d){0,2})\s")
_OTHER_CHAPTER = re.compile(r"^[57](?:\s|\.\d)")
_LETTERED_ITEM = re.compile(r"^([a-h])\)\s*(.*)")


@cache
def service_items() -> dict[str, str]:
    """Every lettered service item of chapter 6, as ``{'6.3.3.1-b': 'the item text', …}`` in text order."""
    clause = None
    items: dict[str, str] = {}
    for line in SPEC_TEXT.read_text(encoding="utf-8").splitlines():
        text = line.strip().lstrip("-").strip()
        if found := _SERVICE_CLAUSE.match(text):
            clause = found.group(1)
        elif _OTHER_CHAPTER.match(text):
            clause = None
        elif clause and (found := _LETTERED_ITEM.match(text)):
            items[f"{clause}-{found.group(1)}"] = found.group(2)
    return items


_HEADING = re.compile(r"^([5-7](?:\.\d+){1,3})\s+(.*)$")
_CHAPTER = re.compile(r"^([1-9])\s+\S")
_MODAL = re.compile(r"应(?!用|对|开放尽开放)|宜|可")   # not 应用 (apply), 应对 (cope), 应开放尽开放 (idiom)


@dataclass(frozen=True)
class Clause:
    """One checkable unit of chapters 5–7: a clause (``5.2``), a lettered item (``6.1 c``) or a bullet (``5.3-2``).

    ``verb`` is the modal verb that governs it (应 / 宜 / 可, GB/T 1.1—2020): the item's own when it has one
    (the 应 inside 5.5's third bullet), else the verb that governs its clause's list — the lead-in's last one, so
    that the items of "宜建立…，内容可包括但不限于：" (5.3) are 可 while the lead-in itself is 宜.
    """

    id: str
    verb: str
    text: str


def _verb(text: str) -> str | None:
    found = _MODAL.search(text)
    return found.group(0) if found else None


def _list_verb(text: str) -> str | None:
    """The verb that governs a lead-in's list: its last one (5.3 "宜建立…工作制度，内容可包括但不限于：" → 可)."""
    found = _MODAL.findall(text)
    return found[-1] if found else None


@cache
def requirement_clauses() -> tuple[Clause, ...]:
    """Every clause, lettered item and bullet of chapters 5–7, in text order, with its modal verb."""
    lines = SPEC_TEXT.read_text(encoding="utf-8").splitlines()
    start = next(i for i, line in enumerate(lines) if line.strip() == "5 机构管理要求")
    clauses: list[Clause] = []
    heading, lead, verb, bullets = None, "", None, 0

    def close_heading():
        if heading and lead:
            clauses.append(Clause(heading, verb or "", lead))

    for line in lines[start:]:
        text = line.strip().lstrip("-").strip()
        if not text:
            continue
        if found := _HEADING.match(text):
            close_heading()
            heading, title = found.group(1), found.group(2)
            lead, verb, bullets = "", _verb(title), 0
            if _verb(title) and len(title) > 12:       # a heading that runs on into its sentence (6.3.2.1 …)
                lead = title
        elif _CHAPTER.match(text):
            close_heading()
            heading = None
        elif heading is None:
            continue
        elif found := _LETTERED_ITEM.match(text):
            clauses.append(Clause(f"{heading} {found.group(1)}", _item_verb(found.group(2), _list_verb(lead) or verb),
                                  found.group(2)))
        elif line.lstrip().startswith("-"):
            bullets += 1
            clauses.append(Clause(f"{heading}-{bullets}", _item_verb(text, _list_verb(lead) or verb), text))
        elif not lead:
            lead, verb = text, _verb(text) or verb
    close_heading()
    order = {c.id: n for n, c in enumerate(clauses)}
    return tuple(sorted(clauses, key=lambda c: (_numbers(c.id), c.id != _numbered(c.id), order[c.id])))


def _item_verb(text: str, clause_verb: str | None) -> str:
    own = _verb(text)
    return "应" if own == "应" else (clause_verb or "")


def _numbered(clause_id: str) -> str:
    return re.match(r"[\d.]+", clause_id).group(0).rstrip(".")


def _numbers(clause_id: str) -> tuple[int, ...]:
    return tuple(int(p) for p in _numbered(clause_id).split("."))
