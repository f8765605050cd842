"""The finder page ``GET /``: the public asks which node or outlet near them offers a service.

Principle 4.2 of the specification (便利性) asks that service items be published so that the public can
find services and channels; this page is that, for people rather than programs. It works without
JavaScript — a form that GETs ``/`` and a result list rendered on the server by the matcher library —
and better with it (``templates/finder.js``: answers fetched from ``/api/match`` without reloading, place
completion from ``/api/places``, the browser's location). Both paths render the same JSON
(:meth:`Matcher.result_json`), so they show the same thing. Chinese by default, English on ``?lang=en``.
"""

from __future__ import annotations

import math
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from ..matching.matcher import Matcher
from ..matching.understanding import MatchInputError
from ..model.catalog import HOW_LABELS
from .html import render
from .lang import request_language
from .public import get_matcher

router = APIRouter(tags=["pages"])

PAGE_SIZE = 10

# Strings the script needs (the template has the rest inline).
JS_TEXT = {
    "zh": {"searching": "正在查找…", "located": "已使用您的位置", "locating": "正在获取您的位置…",
           "no_location": "无法获取您的位置，请输入地名。", "my_location": "我的位置", "failed": "查找失败，请重试。"},
    "en": {"searching": "Searching…", "located": "Using your location", "locating": "Finding your location…",
           "no_location": "Your location is not available; please type a place.", "my_location": "My location",
           "failed": "The search failed; please try again."},
}


@router.get("/", response_class=HTMLResponse, summary="Finder page (HTML)",
            description="The public finder: a form (service, place or the browser's location, free only) and, "
                        "when `q` is given, the ranked institutions rendered on the server. Same parameters as "
                        "`/api/match` (`q`, `near`, `lat`, `lon`, `free`, `offset`, `lang`). 422 with the "
                        "message and suggestions in the page when the service or place is not understood.")
def finder(request: Request):
    lang = request_language(request)
    params = request.query_params
    form = {"q": params.get("q", ""), "near": params.get("near", ""), "lat": params.get("lat", ""),
            "lon": params.get("lon", ""), "free": params.get("free", "").lower() in ("true", "1", "on", "yes")}
    matcher = get_matcher(request.app)
    context = {"form": form, "service_labels": service_labels(matcher, lang), "js_text": JS_TEXT[lang],
               "answer": None, "error": None, "results": [], "first_rank": 1, "notices": [],
               "alternative": None}
    status = 200
    if form["q"].strip():
        try:
            context.update(answer_context(matcher, form, params, lang))
        except MatchInputError as error:
            context["error"] = error_context(error, form, lang)
            status = 422
    return render(request, "finder.html", lang=lang, status=status, html_lang="zh-CN" if lang == "zh" else "en",
                  **context)


def service_labels(matcher: Matcher, lang: str) -> list[str]:
    """Labels offered for completion: the topics people ask for first, then every catalogue item."""
    concepts = matcher.vocabulary.services.concepts.values()
    topics = sorted((c for c in concepts if (c.notation or "").startswith("topic-")), key=lambda c: c.notation)
    items = sorted((c for c in concepts if not (c.notation or "").startswith("topic-")),
                   key=lambda c: _notation_order(c.notation or ""))
    return list(dict.fromkeys(c.label(lang) for c in topics + items))


def _notation_order(notation: str) -> list:
    return [(0, int(p), "") if p.isdigit() else (1, 0, p) for p in notation.replace("-", ".").split(".")]


def _number(name: str, text: str) -> float | None:
    if not text.strip():
        return None
    try:
        value = float(text)
    except ValueError:
        raise MatchInputError(name, zh=f"参数 {name} 须为数字（收到“{text}”）。",
                              en=f"{name} must be a number (got {text!r}).") from None
    return value if math.isfinite(value) else float("nan")


def answer_context(matcher: Matcher, form: dict, params, lang: str) -> dict:
    """Run the match and turn its JSON (the same as ``/api/match`` answers) into what the template shows."""
    try:
        offset = max(0, int(params.get("offset", "0") or 0))
    except ValueError:
        offset = 0
    lat, lon = _number("lat", form["lat"]), _number("lon", form["lon"])
    near = None if lat is not None or lon is not None else (form["near"] or None)
    result = matcher.match(form["q"], near=near, lat=lat, lon=lon, free=form["free"], limit=PAGE_SIZE,
                           offset=offset)
    body = matcher.result_json(result, lang)

    def page(at: int) -> str:
        query = {k: v for k, v in (("q", form["q"]), ("near", form["near"]), ("lat", form["lat"]),
                                   ("lon", form["lon"])) if v}
        if form["free"]:
            query["free"] = "true"
        return "/?" + urlencode({**query, "lang": lang, **({"offset": at} if at else {})})

    back = page(offset)  # the institution page links back to this page of results
    results = [result_view(r, lang, back) for r in body["results"]]
    total, shown = body["total"], len(results)

    by_distance = body["ordered_by"] == "distance"
    if lang == "zh":
        order = "按距离由近到远排列" if by_distance else "未按距离排列"
        summary = (f"共有 {total} 家机构提供该服务，{order}，以下为第 {offset + 1}–{offset + shown} 家。"
                   if shown else "没有找到符合条件的机构。")
    else:
        order = "nearest first" if by_distance else "not ordered by distance"
        summary = (f"{total} institutions offer this service, {order}; showing {offset + 1}–{offset + shown}."
                   if shown else "No institution matches.")
    alternative = body.get("alternative")
    if alternative and alternative["results"]:
        names = ("、" if lang == "zh" else "; ").join(c["label"] for c in alternative["concepts"])
        alternative = {"title": (f"替代结果：提供上位服务“{names}”的机构（最近的 {len(alternative['results'])} 家）"
                                 if lang == "zh" else f"Alternatives: institutions offering the broader service "
                                 f"“{names}” (nearest {len(alternative['results'])})"),
                       "results": [result_view(r, lang, back) for r in alternative["results"]]}
    else:
        alternative = None
    return {"answer": True, "results": results, "first_rank": offset + 1, "summary": summary,
            "map_points": map_points(results or (alternative or {}).get("results", []),
                                     body["interpretation"].get("place"), lang),
            "interpretation": interpretation_text(body["interpretation"], lang),
            "notices": body["notices"], "alternative": alternative,
            "prev_href": page(max(0, offset - PAGE_SIZE)) if offset > 0 else None,
            "next_href": page(offset + PAGE_SIZE) if offset + shown < total else None}


def map_points(shown: list[dict], place: dict | None, lang: str) -> list[dict]:
    """What the results map draws (the script draws the same from ``/api/match``'s JSON): each institution shown
    (:func:`result_view`) with its rank and page, and the place asked about."""
    points = [{"lat": v["lat"], "lon": v["lon"], "label": v["name"], "rank": v["rank"], "href": v["href"],
               "role": "result"} for v in shown if v["lat"] is not None]
    if place and place.get("lat") is not None:
        label = (place.get("region") or {}).get("path") or place.get("matched") or ("所查地点" if lang == "zh" else "Your place")
        points.append({"lat": place["lat"], "lon": place["lon"], "label": label, "role": "place"})
    return points


def interpretation_text(interpretation: dict, lang: str) -> str:
    """One sentence saying how the request was understood (concepts, expansion, place)."""
    zh = lang == "zh"

    def how(c: dict) -> str:  # the way it matched and the words it read: 同义词“侵权分析”, situation word "copied"
        name = HOW_LABELS.get(c["how"], (c["how"], c["how"]))[0 if zh else 1]
        return f"{name}“{c['matched']}”" if zh else f"{name} \"{c['matched']}\""

    concepts = [f"{c['label']}（{how(c)}）" if zh else f"{c['label']} ({how(c)})" for c in interpretation["concepts"]]
    parts = [("服务：" if zh else "Service: ") + ("、" if zh else "; ").join(concepts)]
    narrower = interpretation.get("expanded_to") or []
    if narrower:
        parts.append((f"含下位服务 {len(narrower)} 项" if zh else f"including {len(narrower)} narrower services"))
    place = interpretation.get("place")
    if place:
        named = place["matched"] if place.get("how") == "national list" else None  # a place of another province
        where = (place.get("region") or {}).get("path") or named or f"{place['lat']:.4f}, {place['lon']:.4f}"
        if place.get("how") == "fuzzy":  # a misspelt name read as the nearest spelling: say which
            where += "（按近似拼写读出）" if zh else " (read as the nearest spelling)"
        parts.append(("地点：" if zh else "place: ") + where)
    kind = interpretation.get("kind")
    if kind:  # an institution kind named in the question: a filter
        parts.append(("机构类别：" if zh else "institution kind: ") + kind["label"])
    return ("理解为：" if zh else "Understood as: ") + ("；" if zh else "; ").join(parts) + ("。" if zh else ".")


def result_view(r: dict, lang: str, back: str | None = None) -> dict:
    """A ``/api/match`` result as the template shows it (the script builds the same from the same JSON);
    ``back``: the results page the institution page links back to."""
    zh = lang == "zh"
    suffix = "" if zh else "?lang=en"
    detail = "?" + urlencode({**({} if zh else {"lang": "en"}), **({"back": back} if back else {})})
    services, channels = [], {}
    for m in r["matched_offerings"]:
        note = None
        if m["match_type"] != "exact" and m.get("via"):
            note = f"（由“{m['via']['label']}”扩展）" if zh else f"(narrower than “{m['via']['label']}”)"
        fee = m.get("fee") or {}
        services.append({"label": m["concept"]["label"], "note": note, "fee": fee.get("label"), "free": m["free"],
                         "remote": m["reachable_from_anywhere"]})
        for c in m["channels"]:
            channels.setdefault(c["iri"], c)
    return {
        "rank": r["rank"], "iri": r["iri"], "name": r["label"], "lat": r.get("lat"), "lon": r.get("lon"),
        "href": f"/id/institution/{r['id']}{detail if detail != '?' else ''}" if r.get("id") else r["iri"],
        "kind": (r.get("kind") or {}).get("label", ""),
        "region": (r.get("region") or {}).get("path"),
        "distance": distance_text(r.get("distance_km")),
        "services": services,
        "channels": [channel_view(c) for c in sorted(channels.values(), key=lambda c: _CHANNEL_ORDER.get(c["type"], 9))],
        "guide": [{"name": g["label"], "href": f"/id/institution/{g['id']}{suffix}" if g.get("id") else g["iri"]}
                  for g in (r.get("coordinated_by") or []) + (r.get("guided_by") or [])],
    }


_CHANNEL_ORDER = {"phone": 0, "web": 1, "window": 2, "onsite": 3}


def channel_view(c: dict) -> dict:
    items = [{"text": t, "href": "tel:" + t.replace(" ", "")} for t in c.get("telephone", [])]
    items += [{"text": u, "href": u} for u in c.get("url", []) if u.startswith(("http://", "https://"))]
    items += [{"text": e, "href": "mailto:" + e} for e in c.get("email", [])]
    items += [{"text": a, "href": None} for a in c.get("address", [])]
    return {"label": c.get("label") or c.get("type") or "", "links": items}


def distance_text(km: float | None) -> str | None:
    if km is None:
        return None
    return f"{round(km * 1000)} m" if km < 1 else f"{km:.1f} km"


def error_context(error: MatchInputError, form: dict, lang: str) -> dict:
    """The message and, as links that search again, the suggestions or candidates the matcher gave."""
    zh = lang == "zh"
    options = []
    base = {k: v for k, v in (("q", form["q"]), ("near", form["near"])) if v}
    if form["free"]:
        base["free"] = "true"
    for s in error.suggestions + error.candidates:
        if "adcode" in s:  # a region: search again near it
            label = s.get("path_zh" if zh else "path_en") or s["labels"].get(lang) or s["adcode"]
            query = {**base, "near": s["adcode"]}
            options.append({"label": label, "note": s["adcode"], "href": "/?" + urlencode({**query, "lang": lang})})
        elif "iri" in s:  # a service concept (or a scheme value)
            label = s.get("label_zh" if zh else "label_en") or s.get("labels", {}).get(lang) or s["iri"]
            query = {**base, "q": label}
            options.append({"label": label, "note": None, "href": "/?" + urlencode({**query, "lang": lang})})
    return {"field": error.field, "message": error.zh if zh else error.en, "options": options[:8],
            "options_title": "可以试试：" if zh else "Try instead:"}
