"""统一社会信用代码 — the unified social credit code of GB 32100-2015.

Eighteen characters from a 31-character alphabet (digits and capital letters without I, O, Z, S, V):

====  ===========================================================
1     登记管理部门代码 registration authority (1 机构编制, 5 民政, 9 工商, Y 其他, …)
2     机构类别代码 kind of organisation within that authority
3–8   登记管理机关行政区划码 GB/T 2260 code of the registering authority (six digits)
9–17  主体标识码 subject identifier (the former organisation code, GB 11714)
18    校验码 check character
====  ===========================================================

The check character (GB 32100-2015, 4.3): with the values 0–30 of the alphabet and the weights
``3**(i-1) mod 31`` for positions i = 1…17, ``C18 = 31 - (Σ value × weight) mod 31``, where 31 means 0.

Only the form and the check character are checked: authority and kind codes have been added to since
2015 (2 外交, 3 司法行政, …), so any character of the alphabet is accepted in positions 1 and 2.
"""

from __future__ import annotations

import re

ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
WEIGHTS = tuple(pow(3, i, 31) for i in range(17))  # 1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28
_CHAR = "[0-9A-HJ-NPQRTUWXY]"
FORM = re.compile(f"{_CHAR}{{2}}[0-9]{{6}}{_CHAR}{{10}}")


def check_character(first17: str) -> str:
    """The check character (position 18) for the first 17 characters.

    >>> check_character("91230100MA1B2C3D4")
    '9'

    Raises ValueError when a character is outside the alphabet or the length is not 17.
    """
    if len(first17) != 17 or any(c not in ALPHABET for c in first17):
        raise ValueError(f"not 17 characters of the GB 32100 alphabet: {first17!r}")
    total = sum(ALPHABET.index(c) * w for c, w in zip(first17, WEIGHTS))
    return ALPHABET[(31 - total % 31) % 31]


def problem(code: str) -> tuple[str, str] | None:
    """None when ``code`` is a well-formed USCC with the right check character, else (zh, en) reasons.

    >>> problem("91230100MA1B2C3D49") is None
    True
    >>> problem("91230100MA1B2C3D4X")[1]
    'check character is X, should be 9 (GB 32100-2015 4.3)'
    """
    if len(code) != 18:
        return (f"应为 18 位，实为 {len(code)} 位", f"must be 18 characters, not {len(code)}")
    bad = sorted({c for c in code if c not in ALPHABET})
    if bad:
        chars = "".join(bad)
        return (f"含有不允许的字符“{chars}”（只允许数字和除 I、O、Z、S、V 以外的大写字母）",
                f"contains characters not allowed: {chars!r} (digits and capital letters except I, O, Z, S, V)")
    if not FORM.fullmatch(code):
        return ("第 3–8 位应为登记管理机关行政区划码（6 位数字）",
                "positions 3–8 must be the six-digit division code of the registering authority")
    expected = check_character(code[:17])
    if code[17] != expected:
        return (f"校验码为 {code[17]}，应为 {expected}（GB 32100-2015 4.3）",
                f"check character is {code[17]}, should be {expected} (GB 32100-2015 4.3)")
    return None


def is_valid(code: str) -> bool:
    """True for a well-formed USCC whose check character is right."""
    return problem(code) is None
