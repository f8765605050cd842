"""The specification's clauses, read from its text (``spec/ip-info-public-service-spec.zh.txt``).

Tests and the clause-coverage table use this to know what the catalogue and the shapes must cover.
"""

from __future__ import annotations

import re
from functools import cache

from .paths import HOME

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
