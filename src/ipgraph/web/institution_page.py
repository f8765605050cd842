"""The page for people about one institution: ``/id/institution/{key}`` as HTML (the finder's detail link).

What someone who found the institution in the finder needs to go or to call: its public record (name, kind,
the guiding node), how to get there (address, region, coordinates, a map), how to reach it remotely — only
when a phone or web channel is recorded, otherwise "not recorded" — its opening hours
(``schema:openingHoursSpecification``) and its services with fees and channels; a way back to the results.
The record is the one ``/api/institutions/{id}`` answers (:meth:`Matcher.institution_json`), so page and
API say the same. The RDF statements stay one click away (``?view=rdf``) and by content negotiation.

The map is the bundled Leaflet (``/static/vendor/leaflet/``) with no tile layer — nothing is fetched from
the internet: it draws the institution and the nearest county-level seats of the gazetteer as labelled
points, and the page says that no base map is shown. Without JavaScript the same facts are text (the
coordinates and the seats with their distances), and the map box is not shown.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from fastapi import Request
from fastapi.responses import Response

from ..matching.matcher import Matcher
from ..matching.records import fetch_opening_hours
from ..model.iris import ID
from ..model.places import haversine_km
from ..sheets.opening_hours import DAYS, describe
from .html import render
from .public import get_matcher, plausible_key

NEARBY_SEATS = 8          # county-level seats drawn around the institution
_REMOTE_TYPES = ("phone", "web")


def institution_page(request: Request, key: str, lang: str, alternates: list[dict], headers: dict) -> Response | None:
    """The page, or None when no institution has that key (the caller answers 404 or the generic page)."""
    matcher = get_matcher(request.app)
    iri = str(ID) + "institution/" + key
    if iri not in matcher.index.position and not plausible_key(key):
        return None
    record = matcher.records([iri]).get(iri)
    if record is None:
        return None
    body = matcher.institution_json(record, lang)
    hours = fetch_opening_hours(matcher.store, iri)
    context = {
        "inst": body, "title": body["label"],
        "offerings": [_offering_view(o, lang) for o in body["offerings"]],
        "remote": remote_contacts(body),
        "hours": [{"text": text, "days": [DAYS[d] for d in spec.days], "opens": spec.opens, "closes": spec.closes}
                  for text, spec in zip(describe(hours, lang), hours)],
        "seats": nearby_seats(matcher, body.get("lat"), body.get("lon"), lang),
        "back": _back(request.query_params.get("back")),
        "rdf_href": f"{request.scope.get('root_path', '').rstrip('/')}{request.url.path}?view=rdf"
                    + ("" if lang == "zh" else "&lang=en"),
        "guides": body["coordinated_by"] + body["guided_by"],
        "region_chain": region_chain(matcher, record.region, lang),
    }
    return render(request, "institution.html", lang=lang, alternates=alternates, headers=headers, **context)


def region_chain(matcher: Matcher, iri: str | None, lang: str) -> list[dict]:
    """The institution's region and the regions it lies in, province first (each a link)."""
    gazetteer = matcher.vocabulary.gazetteer
    chain = []
    while iri and iri in gazetteer.regions and len(chain) < 5:
        region = gazetteer.regions[iri]
        chain.append({"iri": region.iri, "label": region.label(lang), "adcode": region.adcode})
        iri = region.parent
    return chain[::-1]


def remote_contacts(body: dict) -> list[dict]:
    """Phone numbers and web addresses recorded on the phone and web channels of the institution's offerings
    (what "reachable from anywhere" rests on); empty when none is recorded."""
    seen: dict[tuple, dict] = {}
    for offering in body["offerings"]:
        for channel in offering["channels"]:
            if channel.get("type") not in _REMOTE_TYPES:
                continue
            for phone in channel.get("telephone", []):
                seen.setdefault(("tel", phone), {"kind": "phone", "text": phone, "href": "tel:" + phone.replace(" ", "")})
            for url in channel.get("url", []):
                if url.startswith(("http://", "https://")):
                    seen.setdefault(("url", url), {"kind": "web", "text": url, "href": url})
    return list(seen.values())


def nearby_seats(matcher: Matcher, lat: float | None, lon: float | None, lang: str) -> list[dict]:
    """The county-level seats of the gazetteer nearest the point, with their distance (km), nearest first."""
    if lat is None or lon is None:
        return []
    gazetteer = matcher.vocabulary.gazetteer
    seats = [r for r in gazetteer.regions.values() if r.level == "county" and r.lat is not None]
    ranked = sorted(((haversine_km(lat, lon, r.lat, r.lon), r) for r in seats), key=lambda x: (x[0], x[1].adcode))
    return [{"label": r.label(lang), "path": gazetteer.path_label(r, lang), "adcode": r.adcode, "iri": r.iri,
             "lat": r.lat, "lon": r.lon, "km": round(km, 1)} for km, r in ranked[:NEARBY_SEATS]]


def _offering_view(o: dict, lang: str) -> dict:
    zh = lang == "zh"
    channels = []
    for c in o["channels"]:
        links = [{"text": t, "href": "tel:" + t.replace(" ", "")} for t in c.get("telephone", [])]
        links += [{"text": u, "href": u} for u in c.get("url", []) if u.startswith(("http://", "https://"))]
        links += [{"text": e, "href": "mailto:" + e} for e in c.get("email", [])]
        links += [{"text": a, "href": None} for a in c.get("address", [])]
        channels.append({"label": c.get("label") or c.get("type") or "", "links": links})
    return {"concepts": o["concepts"], "fee": (o.get("fee") or {}).get("label"), "free": o["free"],
            "ip_types": ("、" if zh else ", ").join(t["label"] for t in o["ip_types"] if t),
            "channels": channels, "description": o.get("description")}


def _back(value: str | None) -> str | None:
    """A link back to the finder's results: only a path on this site (never another host)."""
    if not value:
        return None
    parts = urlsplit(value)
    if parts.scheme or parts.netloc or not value.startswith("/") or value.startswith("//"):
        return None
    return value
