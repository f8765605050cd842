"""Words that place a need outside China: the filler of the ``{abroad}`` slot of situations (去德国参展 → overseas).

The countries are ISO 3166-1's, in English and in Chinese, from pycountry (its database and the Debian
iso-codes translations it bundles); China itself and its Taiwan, Hong Kong and Macao are not abroad. The
general words (海外, 国外, 境外, abroad, overseas …) and the continents people name instead of a country
(欧洲, 东南亚) are written here, as the specification words its overseas services (6.3.3.1 b 海外维权、海外参展).
"""

from __future__ import annotations

import gettext
from functools import lru_cache

HOME = {"CN", "TW", "HK", "MO"}
WORDS = ("海外", "国外", "境外", "外国", "出国", "出口", "欧洲", "欧盟", "美洲", "北美", "南美", "非洲", "东南亚",
         "中东", "东盟", "韩国", "abroad", "overseas", "foreign", "export", "europe", "european union",
         "eu", "north america", "south america", "latin america", "africa", "southeast asia", "middle east", "asean")


@lru_cache(maxsize=1)
def abroad_names() -> tuple[str, ...]:
    """Every word for a place outside China: the general words, then each country's names (en, zh)."""
    import pycountry

    chinese = gettext.translation("iso3166-1", pycountry.LOCALES_DIR, languages=["zh_CN"], fallback=True)
    names = list(WORDS)
    for country in pycountry.countries:
        if country.alpha_2 in HOME:
            continue
        for name in (country.name, getattr(country, "common_name", None)):
            if name:
                names += [name, chinese.gettext(name)]
    return tuple(dict.fromkeys(n for n in names if n))
