#!/usr/bin/env python3
"""Build the Heilongjiang sample network: ``data/sample-network.ttl``.

The network of docs/model.md, held here as compact tables and written with rdflib:

* the IP administrations: 黑龙江省知识产权局 and 国家知识产权局 (real public bodies; the latter grants
  the national TISC / university-centre / national-outlet designations) and one *sample*
  administration per prefecture-level division;
* the provincial node and a municipal node in each of the 13 prefecture-level divisions, with the
  network relations of 3.2 / 6.3.2.1 b / 6.3.2.2 c written in both directions;
* the outlets (3.3, 6.3.3.x) of all nine kinds, their designations, service offerings (6.1, 6.2, 6.3),
  channels, and what chapter 5 and 7 ask an institution to have.

Data honesty
    Only three outlets are real, because a public source names them: a 2025 news page of Northeast
    Forestry University (NEFU_NEWS below) names 东北林业大学知识产权信息服务与研究中心 and
    哈尔滨工程大学技术与创新支持中心 as TISCs and 黑龙江省技术市场协会 as a national
    知识产权信息公共服务网点. For them we record name, kind, region, approximate coordinates of their
    campus / city, the designation the source states (no date: the source gives none; the grantor,
    国家知识产权局, is how these national designations are made, not stated by the page), and the services
    the specification lists for their kind — never staff counts, contacts, security levels or
    evaluations. Every other institution is invented: ``ipg:isSample true`` and "（示例）" / "(sample)"
    in its names.

Fake contacts
    Telephone numbers are ``+86-{area}-0000-01NN``: a real Heilongjiang area code followed by a
    local number starting with 0, which no Chinese subscriber number does — well-formed, never
    dialable to anyone. E-mail and web addresses are under ``{key}.example.org`` (RFC 2606).

Deliberate 宜 (should) gaps, so that the validator shows Warnings (no 应 item is ever missing for an
invented institution): see the ``gaps`` column of OUTLETS ("no-case" 7.3, "no-ws:{kind}" 5.3, "no-fac:{kind}" 5.1 b).

Inputs: ``ontology/services.ttl`` (labels of the service concepts; every notation used here must
exist), ``data/regions.ttl`` (seat points; every region used must exist) and — checked when present —
``ontology/schemes.ttl`` (every scheme concept used must exist).
Output is deterministic: no blank nodes, no clock, no randomness (coordinates are jittered by a hash
of the key), so the same inputs give a byte-identical file.

Usage: ``python data/build_sample.py [--out PATH] [--services PATH] [--schemes PATH] [--regions PATH]``
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import sys
from collections import Counter
from pathlib import Path

from rdflib import RDF, XSD, Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCAT, DCTERMS, FOAF, ORG, PROV, SKOS

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent

BASE = "https://w3id.org/ipgraph/"
IPG = Namespace(BASE + "ontology#")
ID = Namespace(BASE + "id/")
CPSV = Namespace("http://purl.org/vocab/cpsv#")
CV = Namespace("http://data.europa.eu/m8g/")
SCHEMA = Namespace("https://schema.org/")
WGS84 = Namespace("http://www.w3.org/2003/01/geo/wgs84_pos#")
CHINA = URIRef("http://publications.europa.eu/resource/authority/country/CHN")  # EU country authority table

NEFU_NEWS = "https://news.nefu.edu.cn/info/1014/29492.htm"
NEFU_NEWS_LABEL = "东北林业大学新闻网，2025年4月（全国知识产权宣传周黑龙江分会场启动仪式报道）"

# ---------------------------------------------------------------------------------------------
# Regions. Institutions sit near the seat point (wgs84) of their region in data/regions.ttl,
# except where SEAT_OVERRIDES gives a better point. Codes changed after 2016 (伊春 districts, 嫩江,
# 漠河) are not used.
# ---------------------------------------------------------------------------------------------

SEAT_OVERRIDES = {
    # 大兴安岭地区: the administrative office is at 加格达奇 (approx.); the gazetteer's point is in 塔河.
    "232700": (50.418, 124.120),
}
SEATS: dict[str, tuple[float, float]] = {}     # filled from data/regions.ttl by load_seats()

# Prefecture-level divisions: code, name zh, name en, telephone area code, seat of the municipal node.
PREFECTURES = [
    ("230100", "哈尔滨市", "Harbin", "451", "230102"),
    ("230200", "齐齐哈尔市", "Qiqihar", "452", "230202"),
    ("230300", "鸡西市", "Jixi", "467", "230302"),
    ("230400", "鹤岗市", "Hegang", "468", "230402"),
    ("230500", "双鸭山市", "Shuangyashan", "469", "230502"),
    ("230600", "大庆市", "Daqing", "459", "230602"),
    ("230700", "伊春市", "Yichun", "458", "230700"),
    ("230800", "佳木斯市", "Jiamusi", "454", "230803"),
    ("230900", "七台河市", "Qitaihe", "464", "230902"),
    ("231000", "牡丹江市", "Mudanjiang", "453", "231002"),
    ("231100", "黑河市", "Heihe", "456", "231102"),
    ("231200", "绥化市", "Suihua", "455", "231202"),
    ("232700", "大兴安岭地区", "Da Hinggan Ling", "457", "232700"),
]
PREF = {p[0]: p for p in PREFECTURES}

# ---------------------------------------------------------------------------------------------
# Service bundles (notations of ontology/services.ttl). "@phone+web" after a notation overrides the
# channels of that one offering.
# ---------------------------------------------------------------------------------------------

BASIC = "6.1-a-1 6.1-a-2 6.1-b 6.1-c-1 6.1-c-2 6.1-c-3 6.1-d"   # free, phone + web + window
BASIC_CORE = "6.1-b 6.1-c-1 6.1-c-2 6.1-d"
NODE_PRO = "6.2-a-1 6.2-a-2 6.2-a-3 6.2-b-1 6.2-b-2 6.2-c 6.2-d-1 6.2-d-2"  # low cost, web + window
PROVINCIAL = "6.3.2.1-a 6.3.2.1-b 6.3.2.1-c 6.3.2.1-d-1 6.3.2.1-d-2 6.3.2.1-e"
MUNICIPAL = "6.3.2.2-a 6.3.2.2-b 6.3.2.2-c 6.3.2.2-d 6.3.2.2-e"

DEFAULT_CHANNELS = {"6.1": ("phone", "web", "window"), "6.2": ("web", "window")}
FOCUS_CHANNELS = ("web", "window")
ONSITE = {"6.3.3.9-c"}                                        # 驻场 services at fairs and events

# Offerings whose IP type is fixed by the service itself; others take the institution's IP types.
SERVICE_IP_TYPES = [  # (notation prefix, IP types), first match wins
    ("6.2-a-2", ("trademark",)), ("6.2-a-3", ("geographical-indication",)),
    ("6.2-a-1", ("patent",)), ("6.2-b", ("patent",)), ("6.2-c", ("patent",)),
    ("6.3.3.1-b-6", ("patent",)), ("6.3.3.1-b-7", ("patent",)), ("6.3.3.2-", ("patent",)),
    ("6.3.3.7-a-2", ("patent",)),
]

# Focus services that are basic in nature (consulting, publicity, training, public-interest): free.
FREE_FOCUS = {
    "6.3.2.1-a", "6.3.2.1-b", "6.3.2.1-e", "6.3.2.2-a", "6.3.2.2-b", "6.3.2.2-c", "6.3.2.2-e",
    "6.3.3.1-a", "6.3.3.2-g", "6.3.3.3-a", "6.3.3.3-b", "6.3.3.3-e", "6.3.3.4-a",
    "6.3.3.5-a", "6.3.3.5-b", "6.3.3.6-a", "6.3.3.6-c", "6.3.3.7-c", "6.3.3.8-c",
    "6.3.3.9-a", "6.3.3.9-b", "6.3.3.9-c", "6.3.3.9-d",
}

# ---------------------------------------------------------------------------------------------
# Outlets. key, class, name zh, name en, adcode, (full-time, part-time staff), security level,
# collects service-object information, IP types, offerings, gaps (deliberately missing 宜 items).
# Names of invented ones end in （示例）/(sample), added by the builder.
# ---------------------------------------------------------------------------------------------

T, UC, UO, RI, PL, IP, IO, MA, RP = (
    "TISC", "UniversityCentre", "UniversityOutlet", "ResearchInstituteOutlet", "PublicLibraryOutlet",
    "IndustrialParkOutlet", "IndustryOrganisationOutlet", "MarketAgencyOutlet", "RightsProtectionWorkstation",
)
PAT, TM, CR, GI, PV, TS = "patent", "trademark", "copyright", "geographical-indication", "plant-variety", "trade-secret"

OUTLETS = [
    # --- 哈尔滨市 -----------------------------------------------------------------------------
    ("hrb-songbei-tisc", T, "哈尔滨松北创新园区技术与创新支持中心", "Harbin Songbei Innovation Park TISC", "230109",
     (6, 3), 3, True, (PAT,),
     f"{BASIC} 6.2-a-1 6.3.3.1-a-2 6.3.3.1-a-3 6.3.3.1-b-1 6.3.3.1-b-3 6.3.3.1-b-6@phone+web 6.3.3.1-b-7@phone+web 6.3.3.1-c-6", ()),
    ("hrb-nangang-univ-centre", UC, "哈尔滨南岗高校国家知识产权信息服务中心", "Harbin Nangang University IP Information Service Centre", "230103",
     (8, 5), 3, True, (PAT,),
     f"{BASIC} 6.2-a-1 6.2-b-3 6.3.3.2-a 6.3.3.2-b 6.3.3.2-c-1 6.3.3.2-c-3 6.3.3.2-d-1 6.3.3.2-g-1 6.3.3.2-g-3 6.3.3.2-h-2 6.3.3.2-h-3", ()),
    ("hrb-daoli-univ-outlet", UO, "哈尔滨道里高校知识产权信息服务网点", "Harbin Daoli University IP Outlet", "230102",
     (4, 6), 2, True, (PAT, CR),
     f"{BASIC_CORE} 6.3.3.3-a 6.3.3.3-b 6.3.3.3-c 6.3.3.3-e", ()),
    ("hrb-daowai-research", RI, "哈尔滨科技情报研究机构知识产权信息服务网点", "Harbin Sci-Tech Information Institute IP Outlet", "230104",
     (7, 2), 3, True, (PAT,),
     f"{BASIC} 6.2-a-1 6.2-c 6.3.3.4-a 6.3.3.4-b-1 6.3.3.4-b-2 6.3.3.4-c", ()),
    ("hrb-library", PL, "哈尔滨市图书馆知识产权信息服务网点", "Harbin Library IP Information Outlet", "230102",
     (3, 4), 2, True, (PAT, TM, CR),
     f"{BASIC} 6.3.3.5-a 6.3.3.5-b-2 6.3.3.5-b-5 6.3.3.5-b-6", ()),
    ("hrb-pingfang-park", IP, "哈尔滨平房产业园区生产力促进中心知识产权信息服务网点", "Harbin Pingfang Industrial Park Productivity Centre IP Outlet", "230108",
     (5, 2), 2, True, (PAT, TS),
     f"{BASIC_CORE} 6.2-a-1 6.2-b-3 6.3.3.6-a 6.3.3.6-b 6.3.3.6-c", ()),
    ("hrb-equipment-assoc", IO, "哈尔滨装备制造行业协会知识产权信息服务网点", "Harbin Equipment Manufacturing Association IP Outlet", "230108",
     (3, 3), 2, True, (PAT,),
     f"{BASIC_CORE} 6.2-c 6.3.3.7-a-2 6.3.3.7-b 6.3.3.7-c-1 6.3.3.7-c-2", ()),
    ("hrb-daoli-agency", MA, "哈尔滨道里知识产权服务机构信息服务网点", "Harbin Daoli IP Service Agency Outlet", "230102",
     (9, 2), 3, True, (PAT, TM),
     f"{BASIC_CORE} 6.2-a-1 6.2-a-2 6.2-d-3 6.2-d-4 6.3.3.8-a 6.3.3.8-b 6.3.3.8-c", ()),
    ("hrb-xiangfang-station", RP, "哈尔滨香坊知识产权维权援助工作站", "Harbin Xiangfang IP Rights-Protection Aid Workstation", "230110",
     (5, 3), 2, True, (PAT, TM, CR),
     f"{BASIC} 6.2-d-2 6.3.3.9-a-1 6.3.3.9-a-2 6.3.3.9-b-1 6.3.3.9-b-2 6.3.3.9-b-5 6.3.3.9-c 6.3.3.9-d", ()),
    # --- 齐齐哈尔市 ---------------------------------------------------------------------------
    ("qqhr-library", PL, "齐齐哈尔市图书馆知识产权信息服务网点", "Qiqihar Library IP Information Outlet", "230202",
     (3, 2), 2, True, (PAT, CR),
     f"{BASIC} 6.3.3.5-a 6.3.3.5-b-1 6.3.3.5-b-2 6.3.3.5-b-6", ()),
    ("qqhr-univ-outlet", UO, "齐齐哈尔高校知识产权信息服务网点", "Qiqihar University IP Outlet", "230203",
     (4, 3), 2, False, (PAT,),
     f"{BASIC_CORE} 6.2-a-1 6.3.3.3-a 6.3.3.3-b 6.3.3.3-c 6.3.3.3-d", ()),
    ("qqhr-fulaerji-park", IP, "齐齐哈尔富拉尔基装备制造产业园区知识产权信息服务网点", "Qiqihar Fularji Equipment Industrial Park IP Outlet", "230206",
     (4, 2), 2, True, (PAT,),
     f"{BASIC_CORE} 6.2-a-1 6.2-c 6.3.3.6-a 6.3.3.6-b", ()),
    ("qqhr-station", RP, "齐齐哈尔知识产权维权援助工作站", "Qiqihar IP Rights-Protection Aid Workstation", "230204",
     (4, 2), 2, True, (PAT, TM),
     f"{BASIC} 6.2-d-2 6.3.3.9-a-1 6.3.3.9-a-2 6.3.3.9-b-1 6.3.3.9-b-2 6.3.3.9-b-5 6.3.3.9-d", ()),
    # --- 鸡西市 ------------------------------------------------------------------------------
    ("jixi-graphite-assoc", IO, "鸡西石墨产业行业协会知识产权信息服务网点", "Jixi Graphite Industry Association IP Outlet", "230302",
     (3, 2), 2, True, (PAT, GI),
     f"{BASIC_CORE} 6.2-a-1 6.2-c 6.3.3.7-a-2 6.3.3.7-b 6.3.3.7-c-1 6.3.3.7-c-2", ()),
    ("jixi-library", PL, "鸡西市图书馆知识产权信息服务网点", "Jixi Library IP Information Outlet", "230302",
     (3, 1), 2, False, (PAT, CR),
     f"{BASIC} 6.3.3.5-a 6.3.3.5-b-2 6.3.3.5-b-5 6.3.3.5-b-6", ()),
    ("jixi-mishan-agency", MA, "密山知识产权服务机构信息服务网点", "Mishan IP Service Agency Outlet", "230382",
     (3, 2), 2, True, (TM, GI),
     f"{BASIC_CORE} 6.2-a-2 6.2-a-3 6.2-d-2 6.3.3.8-a 6.3.3.8-c", ()),
    # --- 鹤岗市 ------------------------------------------------------------------------------
    ("hegang-luobei-park", IP, "鹤岗萝北石墨产业园区知识产权信息服务网点", "Hegang Luobei Graphite Industrial Park IP Outlet", "230421",
     (4, 2), 2, True, (PAT,),
     f"{BASIC_CORE} 6.2-a-1 6.2-b-3 6.3.3.6-a 6.3.3.6-b 6.3.3.6-c", ()),
    ("hegang-station", RP, "鹤岗知识产权维权援助工作站", "Hegang IP Rights-Protection Aid Workstation", "230402",
     (3, 2), 2, True, (PAT, TM),
     f"{BASIC} 6.3.3.9-a-1 6.3.3.9-a-2 6.3.3.9-b-1 6.3.3.9-b-2 6.3.3.9-b-5 6.3.3.9-d", ("no-case",)),
    # --- 双鸭山市 ----------------------------------------------------------------------------
    ("sys-agency", MA, "双鸭山知识产权服务机构信息服务网点", "Shuangyashan IP Service Agency Outlet", "230502",
     (4, 1), 2, True, (PAT, TM),
     f"{BASIC_CORE} 6.2-a-1 6.2-a-2 6.2-d-3 6.3.3.8-a 6.3.3.8-b 6.3.3.8-c", ("no-fac:data",)),
    ("sys-library", PL, "双鸭山市图书馆知识产权信息服务网点", "Shuangyashan Library IP Information Outlet", "230502",
     (3, 2), 2, True, (PAT, CR),
     f"{BASIC} 6.3.3.5-a 6.3.3.5-b-2 6.3.3.5-b-5 6.3.3.5-b-6", ("no-case",)),
    # --- 大庆市 ------------------------------------------------------------------------------
    ("daqing-tisc", T, "大庆技术与创新支持中心", "Daqing TISC", "230602",
     (7, 4), 3, True, (PAT,),
     f"{BASIC} 6.2-a-1 6.2-c 6.3.3.1-a-2 6.3.3.1-a-3 6.3.3.1-b-1 6.3.3.1-b-2 6.3.3.1-b-3 6.3.3.1-b-6 6.3.3.1-c-2", ()),
    ("daqing-petro-assoc", IO, "大庆石油石化行业协会知识产权信息服务网点", "Daqing Petroleum and Petrochemical Association IP Outlet", "230603",
     (4, 3), 2, True, (PAT, TS),
     f"{BASIC_CORE} 6.2-a-1 6.2-c 6.3.3.7-a-2 6.3.3.7-b 6.3.3.7-c-1 6.3.3.7-c-2", ()),
    ("daqing-research", RI, "大庆科技情报研究机构知识产权信息服务网点", "Daqing Sci-Tech Information Institute IP Outlet", "230604",
     (5, 2), 3, True, (PAT,),
     f"{BASIC_CORE} 6.2-a-1 6.3.3.4-a 6.3.3.4-b-1 6.3.3.4-b-2 6.3.3.4-c", ()),
    ("daqing-hitech-park", IP, "大庆高新区产业园区知识产权信息服务网点", "Daqing Hi-Tech Zone Industrial Park IP Outlet", "230603",
     (5, 3), 2, True, (PAT,),
     f"{BASIC_CORE} 6.2-a-1 6.2-b-3 6.3.3.6-a 6.3.3.6-b 6.3.3.6-c", ()),
    ("daqing-library", PL, "大庆市图书馆知识产权信息服务网点", "Daqing Library IP Information Outlet", "230602",
     (3, 3), 2, True, (PAT, TM, CR),
     f"{BASIC} 6.3.3.5-a 6.3.3.5-b-2 6.3.3.5-b-3 6.3.3.5-b-4 6.3.3.5-b-6", ()),
    ("daqing-univ-outlet", UO, "大庆高校知识产权信息服务网点", "Daqing University IP Outlet", "230604",
     (4, 4), 2, True, (PAT,),
     f"{BASIC_CORE} 6.3.3.3-a 6.3.3.3-b 6.3.3.3-c 6.3.3.3-d", ()),
    ("daqing-station", RP, "大庆知识产权维权援助工作站", "Daqing IP Rights-Protection Aid Workstation", "230602",
     (4, 2), 2, True, (PAT, TM),
     f"{BASIC} 6.2-d-2 6.3.3.9-a-1 6.3.3.9-a-2 6.3.3.9-b-1 6.3.3.9-b-2 6.3.3.9-b-5 6.3.3.9-c", ()),
    # --- 伊春市 ------------------------------------------------------------------------------
    ("yichun-library", PL, "伊春市图书馆知识产权信息服务网点", "Yichun Library IP Information Outlet", "230700",
     (3, 1), 2, False, (PAT, CR, GI),
     f"{BASIC} 6.3.3.5-a 6.3.3.5-b-2 6.3.3.5-b-5 6.3.3.5-b-6", ()),
    ("yichun-forest-assoc", IO, "伊春林下经济行业协会知识产权信息服务网点", "Yichun Under-Forest Economy Association IP Outlet", "230781",
     (3, 2), 2, True, (GI, TM, PV),
     f"{BASIC_CORE} 6.2-a-3 6.3.3.7-b 6.3.3.7-c-1 6.3.3.7-c-2", ("no-ws:evaluation",)),
    # --- 佳木斯市 ----------------------------------------------------------------------------
    ("jms-univ-centre", UC, "佳木斯高校国家知识产权信息服务中心", "Jiamusi University IP Information Service Centre", "230803",
     (5, 4), 3, True, (PAT, PV),
     f"{BASIC} 6.2-a-1 6.2-b-4 6.3.3.2-a 6.3.3.2-c-1 6.3.3.2-c-3 6.3.3.2-e-2 6.3.3.2-f-1 6.3.3.2-g-1 6.3.3.2-g-3", ()),
    ("jms-library", PL, "佳木斯市图书馆知识产权信息服务网点", "Jiamusi Library IP Information Outlet", "230804",
     (3, 2), 2, True, (PAT, CR),
     f"{BASIC} 6.3.3.5-a 6.3.3.5-b-2 6.3.3.5-b-5 6.3.3.5-b-6", ()),
    ("jms-agri-research", RI, "佳木斯农业科研院所知识产权信息服务网点", "Jiamusi Agricultural Research Institute IP Outlet", "230811",
     (4, 3), 2, True, (PV, PAT, GI),
     f"{BASIC_CORE} 6.2-a-1 6.3.3.4-a 6.3.3.4-b-1 6.3.3.4-b-2 6.3.3.4-c", ()),
    ("jms-fujin-station", RP, "富锦知识产权维权援助工作站", "Fujin IP Rights-Protection Aid Workstation", "230882",
     (3, 2), 2, True, (TM, GI),
     f"{BASIC} 6.3.3.9-a-1 6.3.3.9-a-2 6.3.3.9-b-1 6.3.3.9-b-2 6.3.3.9-b-5 6.3.3.9-c", ()),
    # --- 七台河市 ----------------------------------------------------------------------------
    ("qth-agency", MA, "七台河知识产权服务机构信息服务网点", "Qitaihe IP Service Agency Outlet", "230902",
     (3, 1), 2, True, (PAT, TM),
     f"{BASIC_CORE} 6.2-a-1 6.2-a-2 6.2-d-2 6.3.3.8-a 6.3.3.8-c", ("no-case",)),
    ("qth-park", IP, "七台河产业园区知识产权信息服务网点", "Qitaihe Industrial Park IP Outlet", "230903",
     (3, 2), 2, True, (PAT,),
     f"{BASIC_CORE} 6.2-a-1 6.3.3.6-a 6.3.3.6-b", ("no-ws:publicity-training",)),
    # --- 牡丹江市 ----------------------------------------------------------------------------
    ("mdj-tisc", T, "牡丹江技术与创新支持中心", "Mudanjiang TISC", "231002",
     (6, 2), 3, True, (PAT, TM),
     f"{BASIC} 6.2-a-1 6.2-d-2 6.3.3.1-a-2 6.3.3.1-a-3 6.3.3.1-b-3 6.3.3.1-b-6 6.3.3.1-b-7 6.3.3.1-b-8 6.3.3.1-c-3", ()),
    ("mdj-library", PL, "牡丹江市图书馆知识产权信息服务网点", "Mudanjiang Library IP Information Outlet", "231003",
     (3, 2), 2, True, (PAT, CR),
     f"{BASIC} 6.3.3.5-a 6.3.3.5-b-2 6.3.3.5-b-5 6.3.3.5-b-6", ()),
    ("mdj-univ-outlet", UO, "牡丹江高校知识产权信息服务网点", "Mudanjiang University IP Outlet", "231004",
     (3, 3), 2, True, (PAT,),
     f"{BASIC_CORE} 6.3.3.3-a 6.3.3.3-b 6.3.3.3-c", ()),
    ("mdj-suifenhe-station", RP, "绥芬河知识产权维权援助工作站", "Suifenhe IP Rights-Protection Aid Workstation", "231081",
     (4, 2), 2, True, (TM, PAT),
     f"{BASIC} 6.2-d-2 6.3.3.9-a-1 6.3.3.9-a-2 6.3.3.9-b-1 6.3.3.9-b-2 6.3.3.9-b-5 6.3.3.9-c 6.3.3.9-d", ()),
    # --- 黑河市 ------------------------------------------------------------------------------
    ("heihe-station", RP, "黑河边境贸易知识产权维权援助工作站", "Heihe Border Trade IP Rights-Protection Aid Workstation", "231102",
     (3, 2), 2, True, (TM, PAT),
     f"{BASIC} 6.2-d-2 6.3.3.9-a-1 6.3.3.9-a-2 6.3.3.9-b-1 6.3.3.9-b-2 6.3.3.9-b-5 6.3.3.9-c", ()),
    ("heihe-library", PL, "黑河市图书馆知识产权信息服务网点", "Heihe Library IP Information Outlet", "231102",
     (3, 1), 2, True, (PAT, CR),
     f"{BASIC} 6.3.3.5-a 6.3.3.5-b-2 6.3.3.5-b-5 6.3.3.5-b-6", ("no-case",)),
    ("heihe-wudalianchi-assoc", IO, "五大连池矿泉产业行业协会知识产权信息服务网点", "Wudalianchi Mineral Water Industry Association IP Outlet", "231182",
     (3, 2), 2, True, (GI, TM),
     f"{BASIC_CORE} 6.2-a-3 6.3.3.7-b 6.3.3.7-c-1 6.3.3.7-c-2", ()),
    # --- 绥化市 ------------------------------------------------------------------------------
    ("suihua-agri-park", IP, "绥化农产品加工产业园区知识产权信息服务网点", "Suihua Agri-Food Processing Industrial Park IP Outlet", "231202",
     (4, 2), 2, True, (PAT, GI, TM),
     f"{BASIC_CORE} 6.2-a-1 6.2-a-3 6.2-b-3 6.3.3.6-a 6.3.3.6-b 6.3.3.6-c", ()),
    ("suihua-zhaodong-agency", MA, "肇东知识产权服务机构信息服务网点", "Zhaodong IP Service Agency Outlet", "231282",
     (3, 2), 2, True, (TM, PAT),
     f"{BASIC_CORE} 6.2-a-1 6.2-a-2 6.2-d-3 6.2-d-4 6.3.3.8-a 6.3.3.8-b 6.3.3.8-c", ()),
    ("suihua-hailun-research", RI, "海伦农业科研院所知识产权信息服务网点", "Hailun Agricultural Research Institute IP Outlet", "231283",
     (3, 3), 2, True, (PV, PAT),
     f"{BASIC_CORE} 6.3.3.4-a 6.3.3.4-b-1 6.3.3.4-b-2 6.3.3.4-c", ()),
    # --- 大兴安岭地区 ------------------------------------------------------------------------
    ("dxal-library", PL, "大兴安岭地区图书馆知识产权信息服务网点", "Da Hinggan Ling Library IP Information Outlet", "232700",
     (3, 1), 2, True, (PAT, GI, CR),
     f"{BASIC} 6.3.3.5-a 6.3.3.5-b-2 6.3.3.5-b-5 6.3.3.5-b-6", ("no-case",)),
]

# Real outlets (see module docstring): key, class, name zh, name en, region, (lat, long), offerings,
# designation kind. Offerings are the lettered items the specification lists for the kind, plus what the
# source itself says (SOURCED). No staff, contacts, security, evaluations; no dates.
REAL_OUTLETS = [
    ("nefu-tisc", T, "东北林业大学知识产权信息服务与研究中心",
     "Northeast Forestry University IP Information Service and Research Centre", "230110", (45.72, 126.64),
     "6.1-a 6.1-b 6.1-c-2 6.3.3.1-a 6.3.3.1-b 6.3.3.1-c 6.2-b 6.3.3.1-b-7", "tisc"),
    ("heu-tisc", T, "哈尔滨工程大学技术与创新支持中心",
     "Harbin Engineering University Technology and Innovation Support Center", "230103", (45.77, 126.68),
     "6.1-a 6.1-b 6.1-c-2 6.3.3.1-a 6.3.3.1-b 6.3.3.1-c", "tisc"),
    ("hl-tech-market-association", IO, "黑龙江省技术市场协会",
     "Heilongjiang Technology Market Association", "230100", (45.76, 126.64),
     "6.1-a 6.1-b 6.1-c-2 6.3.3.7-a 6.3.3.7-b 6.3.3.7-c", "registration"),
]
SOURCED = {  # (key, notation) → what the source says, quoted as our own summary
    ("nefu-tisc", "6.2-b"): "据东北林业大学新闻网2025年报道，该中心表示将围绕企业需求提供前沿技术情报分析、专利导航、专利侵权预警等服务。",
    ("nefu-tisc", "6.3.3.1-b-7"): "据东北林业大学新闻网2025年报道，该中心表示将围绕企业需求提供前沿技术情报分析、专利导航、专利侵权预警等服务。",
}

# 6.3.3.2 h: a university centre that offers FTO or infringement search records its capability.
CAPABILITY = {
    ("hrb-nangang-univ-centre", "6.3.3.2-h-2"): "已为本校重点科研团队完成自由实施（FTO）检索分析项目，配备专利代理师与检索分析人员（示例）",
    ("hrb-nangang-univ-centre", "6.3.3.2-h-3"): "已建立侵权检索分析流程与质量控制规范，具有专利侵权检索分析项目经验（示例）",
}

WORK_SYSTEMS = [
    ("service-standards", "服务事项、服务流程、服务标准和质量要求制度"),
    ("publicity-training", "宣传培训制度"),
    ("consulting", "咨询服务制度"),
    ("information-management", "信息管理制度"),
    ("evaluation", "评估与总结制度"),
]
FACILITIES = [
    ("venue", "服务场地"), ("network", "网络环境"), ("hardware", "硬件设备"),
    ("software", "系统软件"), ("data", "数据资源"),
]
CASE_TOPIC = {
    "ProvincialNode": "重点产业知识产权发展态势分析支撑决策", "MunicipalNode": "区域创新主体知识产权信息利用能力提升",
    T: "为企业开展专利信息检索分析与风险排查", UC: "为高校科研团队开展专利导航与布局", UO: "面向师生开展知识产权信息利用课程",
    RI: "服务科技项目立项的专利信息分析", PL: "知识产权信息传播阅读推广活动", IP: "园区企业技术转化专利信息分析",
    IO: "行业专题数据库建设与会员推送", MA: "公益性知识产权信息服务与智能检索工具", RP: "展会驻场知识产权维权援助",
}


# ---------------------------------------------------------------------------------------------
# helpers
# ---------------------------------------------------------------------------------------------

def h(key: str, salt: str = "") -> int:
    """A stable integer from a key (sha256), for jitter and dates."""
    return int.from_bytes(hashlib.sha256(f"{salt}:{key}".encode()).digest()[:8], "big")


def jitter(key: str, adcode: str, scale: float = 0.012) -> tuple[float, float]:
    """The seat of the region moved by at most ``scale`` degrees, deterministically."""
    if adcode not in SEATS:
        raise SystemExit(f"error: region {adcode} is not in the gazetteer")
    lat, lon = SEATS[adcode]
    dx = (h(key, "lat") % 2001 - 1000) / 1000 * scale
    dy = (h(key, "lon") % 2001 - 1000) / 1000 * scale
    return round(lat + dx, 6), round(lon + dy, 6)


def day(key: str, salt: str, year: int, last_month: int = 12) -> dt.date:
    n = h(key, salt)
    return dt.date(year, 1 + n % last_month, 1 + (n // 13) % 28)


def prefecture_of(adcode: str) -> str:
    return adcode[:4] + "00"


def clause_of(notation: str) -> str:
    return notation.split("-")[0]


def fee_of(notation: str) -> str:
    if notation.startswith("6.1"):
        return "free"
    if notation.startswith("6.2"):
        return "low-cost"
    return "free" if "-".join(notation.split("-")[:2]) in FREE_FOCUS else "low-cost"


def load_seats(path: Path) -> dict[str, tuple[float, float]]:
    """adcode → (lat, long) of every region in the gazetteer, with SEAT_OVERRIDES applied."""
    g = Graph().parse(path)
    seats = {}
    for region, code in g.subject_objects(IPG.adcode):
        lat, lon = g.value(region, WGS84.lat), g.value(region, WGS84.long)
        if lat is not None and lon is not None:
            seats[str(code)] = (float(lat), float(lon))
    seats.update(SEAT_OVERRIDES)
    return seats


def load_catalogue(path: Path) -> dict[str, tuple[URIRef, dict[str, str]]]:
    """notation → (concept IRI, {lang: prefLabel}) from the service catalogue."""
    g = Graph().parse(path)
    out: dict[str, tuple[URIRef, dict[str, str]]] = {}
    for concept, notation in g.subject_objects(SKOS.notation):
        labels = {lbl.language: str(lbl) for lbl in g.objects(concept, SKOS.prefLabel) if lbl.language}
        out[str(notation)] = (concept, labels)
    return out


# ---------------------------------------------------------------------------------------------
# builder
# ---------------------------------------------------------------------------------------------

class Builder:
    def __init__(self, catalogue):
        self.g = Graph()
        self.catalogue = catalogue
        self.missing_notations: set[str] = set()
        for prefix, ns in [("ipg", IPG), ("id", ID), ("org", ORG), ("cpsv", CPSV), ("cv", CV), ("skos", SKOS),
                           ("schema", SCHEMA), ("dcat", DCAT), ("dct", DCTERMS), ("prov", PROV),
                           ("wgs84", WGS84), ("foaf", FOAF), ("xsd", XSD)]:
            self.g.bind(prefix, ns, override=True, replace=True)

    def add(self, s, p, o):
        self.g.add((s, p, o))

    def names(self, s, zh, en):
        self.add(s, SKOS.prefLabel, Literal(zh, lang="zh"))
        self.add(s, SKOS.prefLabel, Literal(en, lang="en"))

    # -- administrations ----------------------------------------------------------------------
    def administrations(self):
        hl = ID["administration/hl"]
        self.add(hl, RDF.type, IPG.IPAdministration)
        self.names(hl, "黑龙江省知识产权局", "Heilongjiang Intellectual Property Administration")
        self.add(hl, IPG.locatedIn, ID["region/230000"])
        self.add(hl, DCTERMS.spatial, ID["region/230000"])
        cnipa = ID["administration/cnipa"]
        self.add(cnipa, RDF.type, IPG.IPAdministration)
        self.names(cnipa, "国家知识产权局", "China National Intellectual Property Administration")
        # CPSV-AP wants every public organisation's spatial coverage: the country, from the EU authority table
        self.add(cnipa, DCTERMS.spatial, CHINA)
        self.add(CHINA, RDF.type, DCTERMS.Location)
        self.names(CHINA, "中华人民共和国", "China")
        for code, zh, en, _area, _seat in PREFECTURES:
            a = ID[f"administration/hl-{code}"]
            self.add(a, RDF.type, IPG.IPAdministration)
            self.names(a, f"{zh}知识产权管理部门（示例）", f"{en} IP administration (sample)")
            self.add(a, IPG.isSample, Literal(True))
            self.add(a, IPG.locatedIn, ID[f"region/{code}"])
            self.add(a, DCTERMS.spatial, ID[f"region/{code}"])

    # -- one institution -----------------------------------------------------------------------
    def institution(self, key, cls, zh, en, adcode, lat, lon, area_served, sample=True):
        s = ID[f"institution/{key}"]
        self.add(s, RDF.type, IPG[cls])
        self.names(s, zh + ("（示例）" if sample else ""), en + (" (sample)" if sample else ""))
        self.add(s, IPG.locatedIn, ID[f"region/{adcode}"])
        self.add(s, WGS84.lat, Literal(lat, datatype=XSD.double))
        self.add(s, WGS84.long, Literal(lon, datatype=XSD.double))
        self.add(s, SCHEMA.areaServed, ID[f"region/{area_served}"])
        self.add(s, DCTERMS.spatial, ID[f"region/{area_served}"])  # CPSV-AP: spatial coverage
        if sample:
            self.add(s, IPG.isSample, Literal(True))
        return s

    def contacts(self, s, key, adcode, serial):
        """Fake, well-formed contacts of an invented institution (see module docstring)."""
        area = PREF[prefecture_of(adcode)][3]
        self.phone = f"+86-{area}-0000-{serial:04d}"
        self.address = f"黑龙江省{PREF[prefecture_of(adcode)][1]}示例路{serial % 100}号（示例地址）"
        self.add(s, SCHEMA.telephone, Literal(self.phone))
        self.add(s, SCHEMA.email, Literal(f"service@{key}.example.org"))
        self.add(s, SCHEMA.url, URIRef(f"https://{key}.example.org/"))
        self.add(s, SCHEMA.address, Literal(self.address, lang="zh"))
        self.opening_hours(s, serial)

    def opening_hours(self, s, serial):
        """Invented opening hours (schema:openingHoursSpecification), varied; every fourth has none recorded."""
        weekdays = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday")
        patterns = ([(weekdays, "08:30", "11:30"), (weekdays, "13:30", "17:00")],
                    [(weekdays, "09:00", "17:00")],
                    [(weekdays, "09:00", "17:00"), (("Saturday",), "09:00", "12:00")],
                    [])
        for n, (days, opens, closes) in enumerate(patterns[serial % 4], start=1):
            spec = URIRef(f"{s}/opening-hours/{n}")
            self.add(s, SCHEMA.openingHoursSpecification, spec)
            self.add(spec, RDF.type, SCHEMA.OpeningHoursSpecification)
            for day_name in days:
                self.add(spec, SCHEMA.dayOfWeek, SCHEMA[day_name])
            self.add(spec, SCHEMA.opens, Literal(opens + ":00"))  # plain: Virtuoso 7 refuses ^^xsd:time
            self.add(spec, SCHEMA.closes, Literal(closes + ":00"))

    def channel(self, s, key, kind, sample):
        c = ID[f"institution/{key}/channel/{kind}"]
        if (c, RDF.type, CV.Channel) in self.g:
            return c
        self.add(c, RDF.type, CV.Channel)
        self.add(c, DCTERMS.type, ID[f"channel/{kind}"])
        self.add(c, DCTERMS.identifier, Literal(kind))  # CPSV-AP: every channel has an identifier
        if sample:
            if kind == "phone":
                self.add(c, SCHEMA.telephone, Literal(self.phone))
            elif kind == "web":
                self.add(c, SCHEMA.url, URIRef(f"https://{key}.example.org/"))
                self.add(c, SCHEMA.email, Literal(f"service@{key}.example.org"))
            else:  # window, onsite
                self.add(c, SCHEMA.address, Literal(self.address, lang="zh"))
                self.add(c, SCHEMA.telephone, Literal(self.phone))
        return c

    def offerings(self, s, key, spec, ip_types, sample, region_zh):
        for item in spec.split():
            notation, _, chans = item.partition("@")
            if notation not in self.catalogue:
                self.missing_notations.add(notation)
                continue
            concept, labels = self.catalogue[notation]
            o = ID[f"institution/{key}/offering/{notation}"]
            self.add(s, IPG.offers, o)
            self.add(o, RDF.type, IPG.ServiceOffering)
            self.add(o, RDF.type, CPSV.PublicService)
            self.add(o, CV.hasCompetentAuthority, s)
            self.add(o, IPG.serviceConcept, concept)
            for lang, text in sorted(labels.items()):
                self.add(o, DCTERMS.title, Literal(text, lang=lang))
            self.add(o, DCTERMS.identifier, Literal(notation))
            label = labels.get("zh", notation)
            if (key, notation) in SOURCED:
                desc = SOURCED[(key, notation)]
            elif sample:
                desc = f"面向{region_zh}社会公众和创新创业主体提供“{label}”服务（示例数据）。"
            else:
                desc = f"规范第{clause_of(notation)}条为该类机构列出的服务事项“{label}”；具体服务内容以机构公布为准。"
            self.add(o, DCTERMS.description, Literal(desc, lang="zh"))
            self.add(o, IPG.fee, ID[f"fee/{fee_of(notation)}"])
            if chans:
                kinds = tuple(chans.split("+"))
            elif not sample:
                kinds = ("web", "window")
            else:
                kinds = DEFAULT_CHANNELS.get(notation[:3], FOCUS_CHANNELS)
                if "-".join(notation.split("-")[:2]) in ONSITE:
                    kinds = kinds + ("onsite",)
            for k in kinds:
                self.add(o, CV.hasChannel, self.channel(s, key, k, sample))
            fixed = [types for prefix, types in SERVICE_IP_TYPES if notation.startswith(prefix)]
            for t in (fixed[0] if fixed else ip_types):
                self.add(o, IPG.ipType, ID[f"ip-type/{t}"])
            if (key, notation) in CAPABILITY:
                self.add(o, IPG.recordedCapability, Literal(CAPABILITY[(key, notation)], lang="zh"))

    def designation(self, s, key, n, kind, grantor, granted=None, source=False):
        d = ID[f"institution/{key}/designation/{n}"]
        self.add(d, RDF.type, IPG.Designation)
        self.add(d, ORG.member, s)
        self.add(s, IPG.hasDesignation, d)
        self.add(d, IPG.grantedBy, ID[f"administration/{grantor}"])
        self.add(d, IPG.designationKind, ID[f"designation/{kind}"])
        if granted:
            self.add(d, IPG.grantedOn, Literal(granted, datatype=XSD.date))
        if source:
            self.add(d, DCTERMS.source, Literal(NEFU_NEWS_LABEL, lang="zh"))
            self.add(d, DCTERMS.source, URIRef(NEFU_NEWS))

    def chapter5and7(self, s, key, cls, staff, level, collects, gaps, reported_to, node=False):
        """Staffing (5.2), work systems (5.3), facilities (5.1 b), resources (5.4), security (5.5),
        evaluations (7.1), feedback (7.2), practice case (7.3) of an invented institution."""
        ft, pt = staff
        self.add(s, IPG.fullTimeStaff, Literal(ft, datatype=XSD.nonNegativeInteger))
        self.add(s, IPG.partTimeStaff, Literal(pt, datatype=XSD.nonNegativeInteger))
        self.add(s, IPG.jobQualificationsDefined, Literal(True))
        self.add(s, IPG.jobDutiesDefined, Literal(True))
        for wkey, title in WORK_SYSTEMS:
            if f"no-ws:{wkey}" in gaps:
                continue
            w = ID[f"institution/{key}/work-system/{wkey}"]
            self.add(s, IPG.hasWorkSystem, w)
            self.add(w, RDF.type, IPG.WorkSystem)
            self.add(w, DCTERMS.type, ID[f"work-system/{wkey}"])
            self.add(w, DCTERMS.title, Literal(title, lang="zh"))
        for fkey, title in FACILITIES:
            if f"no-fac:{fkey}" in gaps:
                continue
            f = ID[f"institution/{key}/facility/{fkey}"]
            self.add(s, IPG.hasFacility, f)
            self.add(f, RDF.type, IPG.Facility)
            self.add(f, DCTERMS.type, ID[f"facility/{fkey}"])
            self.add(f, DCTERMS.title, Literal(title, lang="zh"))
        # 5.4 resources: a thematic database, open data (dataset or interface), an online class or library.
        online = ("online-class", IPG.OnlineClass, "知识产权信息利用在线课堂") if cls in (T, UC, UO, RI) else \
            ("online-library", IPG.OnlineLibrary, "线上知识产权图书馆")
        resources = [("thematic-database", IPG.ThematicDatabase, "知识产权专题数据库"),
                     ("open-dataset", IPG.OpenDataset, "知识产权基础数据开放数据集")]
        resources += [("data-interface", IPG.DataInterface, "知识产权数据接口")] if node else []
        resources += [online]
        for rkey, rcls, title in resources:
            r = ID[f"institution/{key}/resource/{rkey}"]
            self.add(s, IPG.providesResource, r)
            self.add(r, RDF.type, rcls)
            self.add(r, DCTERMS.title, Literal(f"{title}（示例）", lang="zh"))
            if rcls == IPG.DataInterface:
                self.add(r, DCAT.endpointURL, URIRef(f"https://{key}.example.org/api/"))
            elif rcls in (IPG.OpenDataset, IPG.OnlineClass, IPG.OnlineLibrary):
                self.add(r, DCAT.landingPage, URIRef(f"https://{key}.example.org/{rkey}/"))
        # 5.5 security
        self.add(s, IPG.securityProtectionLevel, Literal(level, datatype=XSD.integer))
        self.add(s, IPG.collectsServiceObjectInformation, Literal(collects))
        cp = ID[f"institution/{key}/consent-policy"]
        self.add(s, IPG.hasConsentPolicy, cp)
        self.add(cp, RDF.type, IPG.ConsentPolicy)
        self.add(cp, DCTERMS.title, Literal("服务对象信息管理制度（示例）", lang="zh"))
        # 7.1 evaluations
        for n, (etype, year) in enumerate([("dynamic-monitoring", 2024), ("mid-term", 2025), ("summary", 2026)], 1):
            e = ID[f"institution/{key}/evaluation/{n}"]
            self.add(s, IPG.hasEvaluation, e)
            self.add(e, RDF.type, IPG.Evaluation)
            self.add(e, DCTERMS.type, ID[f"evaluation/{etype}"])
            self.add(e, DCTERMS.date, Literal(day(key, etype, year, 10 if year == 2026 else 12), datatype=XSD.date))
        # 7.2 feedback
        fb = ID[f"institution/{key}/feedback-channel"]
        self.add(s, IPG.hasFeedbackChannel, fb)
        self.add(fb, RDF.type, IPG.FeedbackChannel)
        self.add(fb, DCTERMS.type, ID["channel/web"])
        self.add(fb, DCTERMS.identifier, Literal("feedback"))
        self.add(fb, SCHEMA.url, URIRef(f"https://{key}.example.org/feedback"))
        # 7.3 practice case
        if "no-case" not in gaps:
            pc = ID[f"institution/{key}/practice-case/1"]
            self.add(s, IPG.hasPracticeCase, pc)
            self.add(pc, RDF.type, IPG.PracticeCase)
            self.add(pc, DCTERMS.title, Literal(f"{CASE_TOPIC[cls]}（示例案例）", lang="zh"))
            self.add(pc, DCTERMS.date, Literal(day(key, "case", 2025), datatype=XSD.date))
            self.add(pc, IPG.reportedTo, reported_to)

    # -- the network --------------------------------------------------------------------------
    def build(self):
        self.administrations()
        hl = ID["administration/hl"]
        serial = 100

        prov_key = "hl-provincial-node"
        prov = self.institution(prov_key, "ProvincialNode", "黑龙江省知识产权信息公共服务节点",
                                "Heilongjiang Provincial IP Information Public Service Node",
                                "230103", *jitter(prov_key, "230103", 0.006), "230000")
        self.add(prov, IPG.belongsTo, hl)
        self.contacts(prov, prov_key, "230103", serial)
        self.offerings(prov, prov_key, f"{BASIC} {NODE_PRO} {PROVINCIAL}", (PAT, TM, GI), True, "全省")
        self.designation(prov, prov_key, 1, "recognition", "hl", day(prov_key, "designation", 2021))
        self.chapter5and7(prov, prov_key, "ProvincialNode", (12, 6), 3, True, (), hl, node=True)
        platform = ID[f"institution/{prov_key}/resource/platform"]
        self.add(prov, IPG.localFeaturedPlatform, platform)
        self.add(platform, RDF.type, DCAT.DataService)
        self.add(platform, DCTERMS.title, Literal("黑龙江知识产权信息公共服务特色平台（示例）", lang="zh"))
        self.add(platform, DCAT.endpointURL, URIRef(f"https://{prov_key}.example.org/platform/"))

        nodes = {}
        for i, (code, zh, en, _area, seat) in enumerate(PREFECTURES):
            key = f"node-{code}"
            serial += 1
            s = self.institution(key, "MunicipalNode", f"{zh}知识产权信息公共服务节点",
                                 f"{en} IP Information Public Service Node", seat, *jitter(key, seat, 0.006), code)
            admin = ID[f"administration/hl-{code}"]
            self.add(s, IPG.belongsTo, admin)
            self.add(prov, IPG.guides, s)
            self.add(s, IPG.guidedBy, prov)
            self.contacts(s, key, seat, serial)
            muni = " ".join(MUNICIPAL.split()[: 3 + i % 3])          # 3–5 of the five items, varied
            self.offerings(s, key, f"{BASIC} {NODE_PRO} {muni}", (PAT, TM), True, zh)
            self.designation(s, key, 1, "recognition", f"hl-{code}", day(key, "designation", 2021 + i % 3))
            self.chapter5and7(s, key, "MunicipalNode", (3 + i % 4, 2 + i % 3), 3, True, (), admin, node=True)
            nodes[code] = s

        def link(outlet, pref_code):
            node = nodes[pref_code]
            self.add(prov, IPG.guides, outlet)
            self.add(outlet, IPG.guidedBy, prov)
            self.add(node, IPG.coordinates, outlet)
            self.add(outlet, IPG.coordinatedBy, node)
            self.add(node, IPG.supports, outlet)
            self.add(outlet, IPG.supportedBy, node)

        for key, cls, zh, en, code, latlon, spec, dkind in REAL_OUTLETS:
            pref = prefecture_of(code)
            s = self.institution(key, cls, zh, en, code, *latlon, pref, sample=False)
            self.add(s, DCTERMS.source, Literal(NEFU_NEWS_LABEL, lang="zh"))
            self.add(s, DCTERMS.source, URIRef(NEFU_NEWS))
            self.offerings(s, key, spec, (PAT,), False, PREF[pref][1])
            self.designation(s, key, 1, dkind, "cnipa", source=True)   # no grantedOn: not in the source
            link(s, pref)

        for key, cls, zh, en, code, staff, level, collects, ip_types, spec, gaps in OUTLETS:
            pref = prefecture_of(code)
            serial += 1
            s = self.institution(key, cls, zh, en, code, *jitter(key, code), pref)
            self.contacts(s, key, code, serial)
            self.offerings(s, key, spec, ip_types, True, PREF[pref][1])
            if cls in (T, UC):   # programme designations are national; the province registers it too
                self.designation(s, key, 1, "tisc" if cls == T else "university-centre", "cnipa",
                                 day(key, "designation", 2020 + h(key) % 4))
                self.designation(s, key, 2, "registration", "hl", day(key, "registration", 2024))
            else:
                kind, grantor = ("recognition", "hl") if h(key, "grant") % 3 == 0 else ("registration", f"hl-{pref}")
                self.designation(s, key, 1, kind, grantor, day(key, "designation", 2021 + h(key) % 4))
            self.chapter5and7(s, key, cls, staff, level, collects, gaps, ID[f"administration/hl-{pref}"])
            link(s, pref)
        return self.g


# ---------------------------------------------------------------------------------------------
# checks and report
# ---------------------------------------------------------------------------------------------

def referenced(g: Graph, prefix: str) -> set[URIRef]:
    p = str(ID) + prefix
    return {o for o in g.objects() if isinstance(o, URIRef) and str(o).startswith(p)}


def check_refs(g: Graph, path: Path, prefixes: list[str], what: str) -> list[str]:
    """IRIs under ``id:{prefix}`` that the data uses but ``path`` does not describe."""
    if not path.exists():
        print(f"note: {path} not found — {what} references not checked", file=sys.stderr)
        return []
    known = set(Graph().parse(path).subjects())
    return sorted(f"{what}: {iri}" for pre in prefixes for iri in referenced(g, pre) if iri not in known)


def report(g: Graph) -> None:
    """Print institutions by kind and by prefecture (a kind × prefecture table)."""
    table: Counter = Counter()
    for s in set(g.subjects(IPG.locatedIn, None)):
        cls = g.value(s, RDF.type)
        if cls != IPG.IPAdministration:
            code = str(g.value(s, IPG.locatedIn)).rsplit("/", 1)[1]
            table[(str(cls).split("#")[1], prefecture_of(code))] += 1
    kinds = sorted({k for k, _ in table})
    cols = [code for code, *_ in PREFECTURES]
    print(f"{'kind':28s}" + "".join(f"{PREF[c][2][:6]:>7s}" for c in cols) + "  total")
    for k in kinds:
        row = [table[(k, c)] for c in cols]
        print(f"{k:28s}" + "".join(f"{n or '.':>7}" for n in row) + f"{sum(row):7d}")
    totals = [sum(table[(k, c)] for k in kinds) for c in cols]
    print(f"{'total':28s}" + "".join(f"{n:>7d}" for n in totals) + f"{sum(totals):7d}")
    outlets = sum(n for (k, _), n in table.items() if not k.endswith("Node"))
    real = len(set(g.subjects(DCTERMS.source, None)) & set(g.subjects(IPG.locatedIn, None)))
    print(f"outlets: {outlets} (real: {real}), offerings: {len(set(g.subjects(RDF.type, IPG.ServiceOffering)))}, "
          f"triples: {len(g)}")


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--out", type=Path, default=HERE / "sample-network.ttl")
    ap.add_argument("--services", type=Path, default=ROOT / "ontology" / "services.ttl")
    ap.add_argument("--schemes", type=Path, default=ROOT / "ontology" / "schemes.ttl")
    ap.add_argument("--regions", type=Path, default=HERE / "regions.ttl")
    args = ap.parse_args(argv)

    for path, what in [(args.services, "service catalogue (offering titles)"),
                       (args.regions, "regions gazetteer (seat points)")]:
        if not path.exists():
            print(f"error: {what} {path} not found", file=sys.stderr)
            return 2
    SEATS.update(load_seats(args.regions))
    b = Builder(load_catalogue(args.services))
    g = b.build()
    problems = [f"service notation not in catalogue: {n}" for n in sorted(b.missing_notations)]
    problems += check_refs(g, args.schemes, ["ip-type/", "channel/", "fee/", "work-system/", "facility/",
                                             "evaluation/", "designation/"], "scheme concept")
    problems += check_refs(g, args.regions, ["region/"], "region")
    for p in problems:
        print("error:", p, file=sys.stderr)
    if problems:
        return 1

    header = ("# The Heilongjiang sample network of ipgraph — generated by data/build_sample.py; do not edit.\n"
              "# Invented institutions carry ipg:isSample true and （示例）/(sample) in their names; their\n"
              "# contacts and opening hours are invented (+86-area-0000-01NN, *.example.org). Real institutions\n"
              "# cite dct:source and have no opening hours here (none was published with a source).\n\n")
    text = header + g.serialize(format="turtle")
    args.out.write_text(text, encoding="utf-8")
    check = Graph().parse(data=text, format="turtle")
    assert len(check) == len(g), "round trip lost triples"
    report(g)
    print(f"wrote {args.out} ({len(text.encode())} bytes); parses back to {len(check)} triples")
    return 0


if __name__ == "__main__":
    sys.exit(main())
