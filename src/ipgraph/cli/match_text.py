"""Match results as a plain-text table for the terminal (``ipgraph match``), Chinese or English.

Columns line up with Chinese text too: width counts East Asian wide characters as two.
"""

from __future__ import annotations

import unicodedata


def width(text: str) -> int:
    """Terminal columns ``text`` takes (wide and full-width characters count two)."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _cut(text: str, columns: int) -> str:
    """``text`` shortened to ``columns`` with an ellipsis."""
    out, used = "", 0
    for ch in text:
        if used + width(ch) > columns - 1:
            return out + "…"
        out, used = out + ch, used + width(ch)
    return out


def _pad(text: str, columns: int) -> str:
    text = _cut(text, columns) if width(text) > columns else text
    return text + " " * (columns - width(text))


def interpretation_line(answer: dict, lang: str = "zh") -> str:
    """One line saying what was understood: concepts (and how), place."""
    interp = answer["interpretation"]
    concepts = ", ".join(f"{c['label']} [{c['how']}]" for c in interp["concepts"])
    narrower = len(interp["expanded_to"])
    place = interp["place"]
    if place and place["region"]:
        where = f"{place['region'].get('path') or place['region']['adcode']} ({place['lat']:.4f}, {place['lon']:.4f})"
    elif place:
        where = f"({place['lat']:.4f}, {place['lon']:.4f})"
    else:
        where = "—"
    if lang == "en":
        return f"service: {concepts}" + (f" + {narrower} narrower" if narrower else "") + f"; near: {where}; " \
               f"{answer['total']} institutions"
    return f"服务：{concepts}" + (f"（含 {narrower} 个下位服务）" if narrower else "") + f"；地点：{where}；" \
           f"共 {answer['total']} 家机构"


def table(answer: dict, lang: str = "zh") -> str:
    """The ranked results of an ``/api/match`` answer (see ``Matcher.result_json``) as aligned text."""
    heads = ("#", "km", "机构" if lang == "zh" else "institution", "类别" if lang == "zh" else "kind",
             "匹配服务" if lang == "zh" else "matched service", "收费" if lang == "zh" else "fee",
             "渠道" if lang == "zh" else "channels")
    sizes = (4, 8, 40, 16, 36, 10, 24)
    lines = [interpretation_line(answer, lang)]
    lines += [("注意：" if lang == "zh" else "Note: ") + n["message"] for n in answer.get("notices", [])]
    lines += _rows(answer["results"], heads, sizes) or \
        ["（没有符合条件的机构）" if lang == "zh" else "(no institution matches)"]
    alternative = answer.get("alternative")
    if alternative and alternative["results"]:
        lines.append(("替代结果（上位服务）：" if lang == "zh" else "Alternatives (broader service): ")
                     + ", ".join(c["label"] for c in alternative["concepts"]))
        lines += _rows(alternative["results"], heads, sizes)
    if answer["results"] or (alternative and alternative["results"]):
        lines.append("↓ 由上位服务扩展匹配；* 可通过电话或网络远程获得" if lang == "zh" else
                     "↓ matched through a broader service; * reachable from anywhere (phone or web)")
    return "\n".join(lines)


def _rows(results: list[dict], heads: tuple, sizes: tuple) -> list[str]:
    """The header and one aligned line per ranked result (nothing for no results)."""
    if not results:
        return []
    lines = ["  ".join(_pad(h, s) for h, s in zip(heads, sizes))]
    for r in results:
        offerings = r["matched_offerings"]
        services = "; ".join(f"{o['concept']['label']}" + ("" if o["match_type"] == "exact" else "↓")
                             for o in offerings)
        fees = sorted({(o["fee"] or {}).get("label", "") for o in offerings} - {""})
        channels = sorted({c["label"] for o in offerings for c in o["channels"] if c["label"]})
        distance = "" if r["distance_km"] is None else f"{r['distance_km']:.1f}"
        cells = (str(r["rank"]), distance, r["label"], r["kind"]["label"], services, "/".join(fees),
                 ",".join(channels) + (" *" if r["reachable_from_anywhere"] else ""))
        lines.append("  ".join(_pad(c, s) for c, s in zip(cells, sizes)).rstrip())
    return lines
