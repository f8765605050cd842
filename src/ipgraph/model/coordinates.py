"""Coordinates typed as text: ``45.75,126.63``, ``45.75 126.63``, ``N45.75 E126.63``, ``45.75°N, 126.63°E``.

People paste a point from a map or a phone into the place box; this reads it as (latitude, longitude) in
WGS84 decimal degrees. Hemisphere letters (N/S/E/W, 北纬/南纬/东经/西经) may stand before or after each
number and decide its sign and role (``E126.63 N45.75`` is read latitude first all the same); without
letters the order is latitude, longitude, as in ISO 6709 and as map applications copy them.
Text that is not a pair of numbers is not coordinates (``None``): it is left to the gazetteer.
"""

from __future__ import annotations

import re

_NUMBER = r"[-+]?\d{1,3}(?:\.\d+)?"
_HEMI = r"[NSEWnsew]|北纬|南纬|东经|西经"
_PART = rf"\s*(?P<@pre>{_HEMI})?\s*(?P<@num>{_NUMBER})\s*°?\s*(?P<@post>{_HEMI})?\s*"
_POINT = re.compile("^" + _PART.replace("@", "a") + r"(?:[,，;；/]|\s)" + _PART.replace("@", "b") + "$")
_SIGN = {"n": 1, "北纬": 1, "s": -1, "南纬": -1, "e": 1, "东经": 1, "w": -1, "西经": -1}
_LATITUDE = {"n", "s", "北纬", "南纬"}


def parse_point(text: str | None) -> tuple[float, float] | None:
    """(lat, lon) read from ``text``, or None when it is not a pair of coordinates.

    Range is not checked here (``places.check_point`` does, so that 95,126 is a bad coordinate with a
    message rather than an unknown place name).
    """
    if not text:
        return None
    found = _POINT.match(text.strip())
    if found is None:
        return None
    values = []
    for part in "ab":
        pre, post = found.group(part + "pre"), found.group(part + "post")
        if pre and post:
            return None
        hemi = (pre or post or "").lower()
        number = float(found.group(part + "num"))
        if hemi and number < 0:
            return None  # "S-45" says the sign twice
        values.append((number * _SIGN.get(hemi, 1), hemi))
    (first, h1), (second, h2) = values
    if h1 and h2 and ((h1 in _LATITUDE) == (h2 in _LATITUDE)):
        return None  # two latitudes or two longitudes
    if (h1 and h1 not in _LATITUDE) or (h2 and h2 in _LATITUDE):
        first, second = second, first
    return first, second
