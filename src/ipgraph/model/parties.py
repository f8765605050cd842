"""The parties of a complaint: someone else (``{others}``) and the asker (``{mine}``), the fillers of those slots.

A situation ``{others}+{mine} {ip}`` (ontology/situations.ttl) reads 合伙人退出后还在用我们的商标 as a complaint about
another's use of our right, whatever the verb: the words below name the other party (a person, a firm, a former
partner or employee — 反不正当竞争法 第九条 names the employee who discloses a secret) and the asker's possession.
"""

from __future__ import annotations

OTHERS = ("别人", "有人", "他人", "人家", "对方", "合伙人", "合作方", "前员工", "员工", "同行", "竞争对手", "对手", "某公司",
          "有家", "有公司", "别的公司", "别家", "其他公司", "隔壁", "商家", "网店", "厂家",
          "someone", "somebody", "they", "another company", "a company", "competitor", "rival", "former partner")
MINE = ("我的", "我们的", "我们", "我家的", "我家", "我司", "我司的", "本公司", "我们公司的", "我公司", "咱们的",
        "my", "our")
