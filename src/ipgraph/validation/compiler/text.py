"""Reading SPARQL text without a parser: tokens (strings, IRIs, comments blanked so that words inside them never
count), prefixed names expanded, the extent of a group or an expression.
"""

from __future__ import annotations

import re

from .checks import Unsupported

_SELECT_HEAD = re.compile(r"^\s*SELECT\s+(DISTINCT\s+|REDUCED\s+)?(.*?)\bWHERE\s*\{", re.IGNORECASE | re.DOTALL)
_PN_LOCAL = r"(?:[\w:%\-\u00B7]|\\.)(?:[\w:%.\-\u00B7]|\\.)*(?<!\.)"
_TOKENS = re.compile(
    r"""(?P<string>'''(?:[^'\\]|\\.|'(?!''))*'''|\"\"\"(?:[^"\\]|\\.|"(?!""))*\"\"\"|'(?:[^'\\\n]|\\.)*'|"(?:[^"\\\n]|\\.)*")"""
    r"""|(?P<iri><[^<>"{}|^`\\\x00-\x20]*>)|(?P<comment>\#[^\n]*)"""
    r"""|(?P<var>[?$]\w+)|(?P<pname>(?<![\w.])([A-Za-z][\w.\-]*)?:(""" + _PN_LOCAL + r""")?)""",
    re.DOTALL,
)
# a sub-select inside a constraint's query: SHACL has it project every pre-bound variable (?this among them)
_SUBSELECT_HEAD = re.compile(r"\{\s*SELECT\s+(?:DISTINCT\s+|REDUCED\s+)?([^{]*?)\bWHERE\s*\{", re.IGNORECASE)
_PREFIX_DECL = re.compile(r"^\s*PREFIX\s+([A-Za-z0-9_.-]*):\s*<([^>]*)>", re.IGNORECASE | re.MULTILINE)


def _string(text: str) -> str:
    """A SPARQL string literal."""
    escaped = text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\r", "\\r")
    return f'"{escaped}"'


def expand_prefixed_names(text: str, prefixes: dict[str, str]) -> str:
    """The query text with every prefixed name of ``prefixes`` written as a full IRI.

    Engines disagree on the rarer prefixed-name forms (pyoxigraph 0.5 rejects ``svc:6.3.3.2-h-2``, which
    SPARQL 1.1 allows); a full IRI reads the same everywhere. Strings, IRIs and comments are left alone.
    """

    def replace(match: re.Match) -> str:
        if match.group("pname") is None:
            return match.group(0)
        prefix, local = match.group(0).split(":", 1)
        if prefix not in prefixes:
            return match.group(0)
        local = re.sub(r"\\(.)", r"\1", local)
        return f"<{prefixes[prefix]}{local}>"

    return _TOKENS.sub(replace, text)


def _blanked(text: str) -> str:
    """The text with strings, IRIs and comments overwritten (same length), so that braces and words in
    them never count."""

    def replace(match: re.Match) -> str:
        if match.group("string") or match.group("iri"):
            return '"' + "x" * (len(match.group(0)) - 2) + '"'
        if match.group("comment"):
            return " " * len(match.group(0))
        return match.group(0)

    return _TOKENS.sub(replace, text)


def _uncommented(text: str) -> str:
    """The text with its comments overwritten by spaces (same length)."""
    return _TOKENS.sub(lambda m: " " * len(m.group(0)) if m.group("comment") else m.group(0), text)


def _closing(blank: str, opening: int) -> int:
    """The index of the brace that closes the one at ``opening``."""
    depth = 0
    for index in range(opening, len(blank)):
        if blank[index] == "{":
            depth += 1
        elif blank[index] == "}":
            depth -= 1
            if depth == 0:
                return index
    raise Unsupported("unbalanced braces in sh:select")


_NOT_EXISTS = re.compile(r"\bFILTER\s+NOT\s+EXISTS\s*\{", re.IGNORECASE)
_EXPRESSION = re.compile(r"\b(FILTER|BIND)\b\s*", re.IGNORECASE)
_EXISTS = re.compile(r"(NOT\s+)?EXISTS\s*\{", re.IGNORECASE)
_UNSCOPED = re.compile(r"\b(SELECT|MINUS|SERVICE|GRAPH)\b", re.IGNORECASE)
_VARIABLE = re.compile(r"[?$](\w+)")
_MARKER = "_absent"


def _expression_end(blank: str, start: int) -> int:
    """The end of the FILTER / BIND whose keyword starts at ``start``."""
    end = _EXPRESSION.match(blank, start).end()
    if exists := _EXISTS.match(blank, end):
        return _closing(blank, exists.end() - 1) + 1
    level = 0
    for index in range(end, len(blank)):
        level += {"(": 1, ")": -1}.get(blank[index], 0)
        if level == 0:
            return index + 1
    return len(blank)


def _expressions(blank: str, *, top_only: bool) -> list[tuple[int, int]]:
    """(start, end) of every FILTER and BIND, or only the FILTERs at depth 0 (``top_only``)."""
    spans, depth, index = [], 0, 0
    while index < len(blank):
        char = blank[index]
        if char == "{":
            depth += 1
        elif char == "}":
            depth -= 1
        elif ((found := _EXPRESSION.match(blank, index)) and (index == 0 or not blank[index - 1].isalnum())
              and (not top_only or (depth == 0 and found.group(1).upper() == "FILTER"))):
            end = _expression_end(blank, index)
            spans.append((index, end))
            index = end
            continue
        index += 1
    return spans


def _without(blank: str, spans: list[tuple[int, int]]) -> str:
    for start, end in spans:
        blank = blank[:start] + " " * (end - start) + blank[end:]
    return blank


def _group_of(blank: str, index: int) -> tuple[int, int]:
    """(start, end) of the innermost ``{ … }`` around ``index`` (the whole text when there is none)."""
    depth = 0
    for start in range(index - 1, -1, -1):
        if blank[start] == "}":
            depth += 1
        elif blank[start] == "{":
            if depth == 0:
                return start, _closing(blank, start) + 1
            depth -= 1
    return 0, len(blank)
