"""Build ipgraph's GB/T 2260 region data from the list embedded in the `cpca` package.

Why: ipgraph needs (a) the national list of province-, prefecture- and county-level divisions with
a point each, for the benchmark generator that spreads synthetic institutions over China
(data/regions-cn.csv), and (b) Heilongjiang's divisions as `ipg:Region` resources that institutions
point to with `ipg:locatedIn` (data/regions.ttl; see docs/model.md, "Regions").

Source: cpca (PyPI, MIT licence), file cpca/resources/adcodes.csv. cpca took it from
github.com/Vonng/adcode (CC BY 4.0), whose codes are the 国家统计局《2016年统计用区划代码和城乡划分代码》
(as of 2016-07-31) and whose points are AutoNavi (高德) district centres in GCJ-02. This script
converts the points to WGS84 and applies the later changes in Heilongjiang listed, with their
citations, in CHANGES; a replaced code stays on its successor as `ipg:formerAdcode`. Changes
outside Heilongjiang are not applied. Taiwan, Hong Kong and Macao (one row each, no subdivisions)
are left out: the network is the mainland's.

Run: /work/venv/bin/python data/build_regions.py
"""

from __future__ import annotations

import csv
import math
import re
from importlib import metadata, resources
from pathlib import Path

DATA = Path(__file__).resolve().parent
BASE = "https://w3id.org/ipgraph/id/"
SOURCE_IRI = BASE + "source/gbt2260-cpca"
LIST_DATE = "2016-07-31"

MCA_2018 = "民政部《中华人民共和国二〇一八年县级以上行政区划变更情况》"
MCA_2019 = "民政部《中华人民共和国二〇一九年县级以上行政区划变更情况》"
MOHE = "国务院批准（2018年2月）；" + MCA_2018
NENJIANG = "国务院批准、民政部批复（2019年8月公布）；" + MCA_2019
YICHUN = "《国务院关于同意黑龙江省调整伊春市部分行政区划的批复》（2019年7月13日在伊春宣布）；" + MCA_2019

# Heilongjiang changes after LIST_DATE: (new code, new name, [(former code, former name)],
# code whose point is the new seat, citation). Checked against a recent 国家统计局 list (as republished
# in github.com/modood/Administrative-divisions-of-China): no other county-level change in 23xxxx since
# then (抚远市 230883, 东宁市 231086 and 双城区 230113 are already in cpca).
CHANGES = [
    ("232701", "漠河市", [("232723", "漠河县")], "232723", MOHE),
    ("231183", "嫩江市", [("231121", "嫩江县")], "231121", NENJIANG),
    # Yichun: 15 districts abolished, 4 districts and 4 counties set up. 乌马河区 was split between
    # 乌翠区 (named after it, holds its 乌马河街道) and 伊美区; its code goes to 乌翠区.
    # 大箐山县 also took 铁力市's 朗乡镇 (铁力市 keeps its code).
    ("230717", "伊美区", [("230702", "伊春区"), ("230708", "美溪区")], "230702", YICHUN),
    ("230718", "乌翠区", [("230706", "翠峦区"), ("230711", "乌马河区")], "230706", YICHUN),
    ("230719", "友好区", [("230704", "友好区"), ("230716", "上甘岭区")], "230704", YICHUN),
    ("230751", "金林区", [("230709", "金山屯区"), ("230705", "西林区")], "230709", YICHUN),
    ("230723", "汤旺县", [("230712", "汤旺河区"), ("230714", "乌伊岭区")], "230712", YICHUN),
    ("230724", "丰林县", [("230707", "新青区"), ("230715", "红星区"), ("230710", "五营区")], "230707", YICHUN),
    ("230725", "大箐山县", [("230713", "带岭区")], "230713", YICHUN),
    ("230726", "南岔县", [("230703", "南岔区")], "230703", YICHUN),
]

ENGLISH = {
    "230000": "Heilongjiang", "230100": "Harbin", "230200": "Qiqihar", "230300": "Jixi",
    "230400": "Hegang", "230500": "Shuangyashan", "230600": "Daqing", "230700": "Yichun",
    "230800": "Jiamusi", "230900": "Qitaihe", "231000": "Mudanjiang", "231100": "Heihe",
    "231200": "Suihua", "232700": "Da Hinggan Ling",
}
ENGLISH_ALT = {"232700": "Daxing'anling"}

PSEUDO = {"市辖区", "县", "省直辖县级行政区划", "自治区直辖县级行政区划"}  # grouping rows, not divisions
HLJ_BOX = (43.4, 53.6, 121.2, 135.1)  # lat min, lat max, lon min, lon max


def level(code: str) -> str:
    return "province" if code.endswith("0000") else "prefecture" if code.endswith("00") else "county"


# --- names ----------------------------------------------------------------------------------------

_ETHNIC = resources.files("cpca.resources").joinpath("56_nations.csv").read_text("utf-8").split()  # 蒙古族 …
_ETHNIC += ["各族", "哈萨克", "柯尔克孜", "蒙古", "锡伯", "塔吉克", "鄂伦春"]  # as written without 族
_ETHNIC_RE = re.compile("^(.*?)((?:%s)+)(?:自治)?[区州县旗]$" % "|".join(sorted(_ETHNIC, key=len, reverse=True)))
_PROVINCE_RE = re.compile("(?:(?:壮族|回族|维吾尔)?自治区|特别行政区|省|市)$")
_SUFFIXES = ("地区", "新区", "矿区", "市", "盟", "区", "县")
_SPECIAL = {"神农架林区": "神农架", "六枝特区": "六枝"}


def short_name(name: str, lvl: str) -> str:
    """哈尔滨市 → 哈尔滨, 杜尔伯特蒙古族自治县 → 杜尔伯特; the full name when only one character would remain."""
    if lvl == "province":
        return _PROVINCE_RE.sub("", name)
    if name in _SPECIAL:
        return _SPECIAL[name]
    m = _ETHNIC_RE.match(name)
    if m:
        return m.group(1) or m.group(2).replace("族", "")  # 东乡族自治县 → 东乡
    for suffix in _SUFFIXES:
        if name.endswith(suffix) and len(name) - len(suffix) >= 2:
            return name[: -len(suffix)]
    return name


# --- coordinates: GCJ-02 → WGS84 -----------------------------------------------------------------
# The published forward GCJ-02 formula (Krasovsky ellipsoid), inverted by fixed-point iteration.

def _wgs84_to_gcj02(lat: float, lon: float) -> tuple[float, float]:
    a, ee = 6378245.0, 0.00669342162296594323
    x, y = lon - 105.0, lat - 35.0
    dlat = (-100.0 + 2.0 * x + 3.0 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * math.sqrt(abs(x))
            + (20.0 * math.sin(6.0 * x * math.pi) + 20.0 * math.sin(2.0 * x * math.pi)) * 2.0 / 3.0
            + (20.0 * math.sin(y * math.pi) + 40.0 * math.sin(y / 3.0 * math.pi)) * 2.0 / 3.0
            + (160.0 * math.sin(y / 12.0 * math.pi) + 320.0 * math.sin(y * math.pi / 30.0)) * 2.0 / 3.0)
    dlon = (300.0 + x + 2.0 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * math.sqrt(abs(x))
            + (20.0 * math.sin(6.0 * x * math.pi) + 20.0 * math.sin(2.0 * x * math.pi)) * 2.0 / 3.0
            + (20.0 * math.sin(x * math.pi) + 40.0 * math.sin(x / 3.0 * math.pi)) * 2.0 / 3.0
            + (150.0 * math.sin(x / 12.0 * math.pi) + 300.0 * math.sin(x / 30.0 * math.pi)) * 2.0 / 3.0)
    rad = lat / 180.0 * math.pi
    magic = 1 - ee * math.sin(rad) ** 2
    dlat = dlat * 180.0 / (a * (1 - ee) / (magic * math.sqrt(magic)) * math.pi)
    dlon = dlon * 180.0 / (a / math.sqrt(magic) * math.cos(rad) * math.pi)
    return lat + dlat, lon + dlon


def gcj02_to_wgs84(lat: float, lon: float) -> tuple[float, float]:
    wlat, wlon = lat, lon
    for _ in range(8):
        glat, glon = _wgs84_to_gcj02(wlat, wlon)
        wlat, wlon = wlat + lat - glat, wlon + lon - glon
    return round(wlat, 6), round(wlon, 6)


# --- the list -------------------------------------------------------------------------------------

def load() -> tuple[dict[str, dict], list[str]]:
    """Regions by code from cpca with CHANGES applied, and the rows dropped for want of a point."""
    regions, dropped = {}, []
    text = resources.files("cpca.resources").joinpath("adcodes.csv").read_text("utf-8")
    for row in csv.DictReader(text.splitlines()):
        code, name = row["adcode"][:6], row["name"]
        if name in PSEUDO or code[:2] in ("71", "81", "82"):
            continue
        if not row["latitude"]:
            dropped.append(f"{code} {name}")
            continue
        lat, lon = gcj02_to_wgs84(float(row["latitude"]), float(row["longitude"]))
        regions[code] = {"name": name, "lat": lat, "lon": lon, "former": []}
    for new, name, former, seat, _ in CHANGES:
        if new in regions:
            print(f"  change already in the source list, not applied: {new} {name}")
            continue
        regions[new] = {"name": name, "lat": regions[seat]["lat"], "lon": regions[seat]["lon"],
                        "former": former}
        for code, _ in former:
            del regions[code]
    for code, r in regions.items():
        r["level"] = level(code)
        r["short"] = short_name(r["name"], r["level"])
        prefecture, province = code[:4] + "00", code[:2] + "0000"
        r["parent"] = ("" if r["level"] == "province" else
                       prefecture if r["level"] == "county" and prefecture in regions else province)
        assert not r["parent"] or r["parent"] in regions, code
    return dict(sorted(regions.items())), dropped


def write_csv(regions: dict[str, dict], path: Path) -> None:
    with path.open("w", newline="", encoding="utf-8") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["adcode", "name", "short_name", "level", "parent_adcode", "lat", "lon"])
        for code, r in regions.items():
            w.writerow([code, r["name"], r["short"], r["level"], r["parent"], r["lat"], r["lon"]])


def _lit(text: str, lang: str) -> str:
    return '"%s"@%s' % (text.replace("\\", "\\\\").replace('"', '\\"'), lang)


def write_ttl(regions: dict[str, dict], path: Path) -> None:
    version = metadata.version("cpca")
    assert metadata.metadata("cpca")["License"] == "MIT"
    source = [
        f'dct:title "cpca {version}: cpca/resources/adcodes.csv (GB/T 2260 codes, names, points)"@en',
        f"rdfs:seeAlso <https://pypi.org/project/cpca/{version}/>",
        "dct:license <http://spdx.org/licenses/MIT>",
        "dct:source <https://github.com/Vonng/adcode>",
        f'dct:date "{LIST_DATE}"^^xsd:date',
        "dct:description " + _lit(
            f"cpca {version}（MIT）所含区划表，取自 Vonng/adcode（CC BY 4.0），代码为国家统计局《2016年统计用区划代码"
            f"和城乡划分代码》（截至{LIST_DATE}）；坐标为高德区划中心点，已由 GCJ-02 换算为 WGS84。"
            "其后的黑龙江区划变更按 skos:changeNote 补入，原代码记为现区划的 ipg:formerAdcode。", "zh"),
    ]
    applied: dict[str, list[str]] = {}  # citation → changes
    for new, name, former, _, doc in CHANGES:
        if regions[new]["former"]:
            applied.setdefault(doc, []).append("、".join(f"{c} {n}" for c, n in former) + f" → {new} {name}")
    source += ["skos:changeNote " + _lit("；".join(ch) + "。依据：" + doc, "zh") for doc, ch in applied.items()]
    out = [
        "# Heilongjiang's GB/T 2260 divisions (province, prefectures, county level).",
        "# Generated by data/build_regions.py from the cpca package; do not edit by hand.",
        "@prefix ipg:   <https://w3id.org/ipgraph/ontology#> .",
        "@prefix skos:  <http://www.w3.org/2004/02/skos/core#> .",
        "@prefix dct:   <http://purl.org/dc/terms/> .",
        "@prefix dcat:  <http://www.w3.org/ns/dcat#> .",
        "@prefix rdfs:  <http://www.w3.org/2000/01/rdf-schema#> .",
        "@prefix wgs84: <http://www.w3.org/2003/01/geo/wgs84_pos#> .",
        "@prefix xsd:   <http://www.w3.org/2001/XMLSchema#> .",
        "",
        f"<{SOURCE_IRI}> a dcat:Dataset ;\n    " + " ;\n    ".join(source) + " .",
    ]
    for code, r in regions.items():
        if not code.startswith("23"):
            continue
        pref = [_lit(r["name"], "zh")] + ([_lit(ENGLISH[code], "en")] if code in ENGLISH else [])
        p = [f"<{BASE}region/{code}> a ipg:Region ;", f'    ipg:adcode "{code}" ;',
             "    skos:prefLabel " + " , ".join(pref) + " ;"]
        alt = [r["short"]] if r["short"] != r["name"] else []
        alt += [n for _, n in r["former"] if n != r["name"]]
        labels = [_lit(a, "zh") for a in alt] + ([_lit(ENGLISH_ALT[code], "en")] if code in ENGLISH_ALT else [])
        if labels:
            p.append("    skos:altLabel " + " , ".join(labels) + " ;")
        if r["former"]:
            p.append("    ipg:formerAdcode " + " , ".join(f'"{c}"' for c, _ in r["former"]) + " ;")
        p.append(f"    ipg:regionLevel <{BASE}region-level/{r['level']}> ;")
        if r["parent"]:
            p.append(f"    ipg:parentRegion <{BASE}region/{r['parent']}> ;")
        p.append(f'    wgs84:lat "{r["lat"]}"^^xsd:double ; wgs84:long "{r["lon"]}"^^xsd:double ;')
        p.append(f"    dct:source <{SOURCE_IRI}> .")
        out += [""] + p
    path.write_text("\n".join(out) + "\n", encoding="utf-8")


def main() -> None:
    regions, dropped = load()
    hlj = {c: r for c, r in regions.items() if c.startswith("23")}
    lat0, lat1, lon0, lon1 = HLJ_BOX
    outside = [c for c, r in hlj.items() if not (lat0 <= r["lat"] <= lat1 and lon0 <= r["lon"] <= lon1)]
    assert not outside, f"Heilongjiang points outside {HLJ_BOX}: {outside}"
    write_csv(regions, DATA / "regions-cn.csv")
    write_ttl(regions, DATA / "regions.ttl")

    def count(rs: dict[str, dict]) -> str:
        return ", ".join(f"{lv} {sum(r['level'] == lv for r in rs.values())}"
                         for lv in ("province", "prefecture", "county"))
    print(f"regions-cn.csv: {count(regions)}")
    print(f"  dropped {len(dropped)} rows without a point: {', '.join(dropped)}")
    applied = sum(bool(regions[new]["former"]) for new, *_ in CHANGES)
    print(f"regions.ttl (Heilongjiang): {count(hlj)}; {applied} of {len(CHANGES)} changes applied")


if __name__ == "__main__":
    main()
