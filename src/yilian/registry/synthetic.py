"""A realistic synthetic register for development and benchmarks: ``yilian gen-registry N``.

Names are built the way real ones are — division + 字号 + industry words + organization
form — from common trade-name characters, the industry words that go with a GB/T 4754
class, and the divisions of Shandong; every USCC is valid and uses an all-digit
(pre-2015 style) organization code, so it can never collide with a code Yilian issues.
"""

from __future__ import annotations

import csv
import datetime as dt
import random
from collections.abc import Iterator
from typing import TextIO

from yilian.codes import uscc
from yilian.codes.divisions import KNOWN

# Characters common in trade names (字号); pairs and triples of them read naturally.
TRADE_CHARS = (
    "安宝博昌晨诚达鼎东恒泓宏华辉汇佳嘉建金锦京精凯康科乐利联隆茂美明鹏普齐启融瑞润盛"
    "世泰腾天通同万伟文祥鑫信兴旭亚耀益银英永优宇源远悦振正志中卓德丰福冠海航和鸿"
)
# (industry words, GB/T 4754 class) — a new company's industry as its name says it.
INDUSTRIES = [
    ("科技", "6513"), ("信息技术", "6520"), ("软件", "6513"), ("网络科技", "6432"),
    ("电子商务", "5292"), ("贸易", "5191"), ("商贸", "5139"), ("餐饮管理", "6210"),
    ("食品", "1499"), ("生物医药", "2761"), ("医疗器械", "3581"), ("建筑工程", "4790"),
    ("装饰工程", "5011"), ("物流", "5990"), ("运输", "5430"), ("机械", "3490"),
    ("电子", "3990"), ("纺织", "1713"), ("服装", "1810"), ("文化传媒", "8790"),
    ("广告", "7251"), ("咨询", "7249"), ("教育科技", "8399"), ("农业科技", "0511"),
    ("水产", "0411"), ("旅游", "7271"), ("酒店管理", "6110"), ("新材料", "3985"),
    ("环保科技", "7722"), ("汽车销售", "5261"),
]
ORG_FORMS = [("有限公司", "llc_multi", 0.88), ("有限责任公司", "llc_multi", 0.07),
             ("个人独资企业", "sole_proprietorship", 0.05)]
PREFIXES = {"371000": "威海", "371002": "威海", "371003": "威海", "371071": "威海",
            "371072": "威海", "371073": "威海", "371082": "荣成", "371083": "乳山"}


# Sixteen characters with sixteen different readings, none a place name in any order
# here: any n ≤ 4096 triples of them are distinct 字号 that sound distinct too.
DISTINCT = "瑞博远达嘉鸿泽宇峰腾澜启晟拓卓凯"


def trade_name(i: int) -> str:
    """The ``i``-th of 4096 trade names that clash with none of the others by any name
    rule (for benchmarks and tests that submit many applications)."""
    base = len(DISTINCT)
    if not 0 <= i < base**3:
        raise ValueError(f"only {base ** 3} distinct trade names")
    return "".join(DISTINCT[(i // base**k) % base] for k in (2, 1, 0))


def distinct_trade_names(n: int) -> list[str]:
    return [trade_name(i) for i in range(n)]


def _divisions() -> list[str]:
    return [code for code in KNOWN if code in PREFIXES]


def generate(n: int, seed: int = 1) -> Iterator[dict]:
    """``n`` enterprises as Enterprise fields (``org_form`` included)."""
    rng = random.Random(seed)
    codes = _divisions()
    forms, _, weights = zip(*ORG_FORMS, strict=True)
    start = dt.date(1995, 1, 1)
    for serial in range(n):
        division = rng.choice(codes)
        trade = "".join(rng.choice(TRADE_CHARS) for _ in range(rng.choice((2, 2, 2, 3))))
        words, industry = rng.choice(INDUSTRIES)
        suffix = rng.choices(forms, weights)[0]
        org_form = dict((f, o) for f, o, _ in ORG_FORMS)[suffix]
        yield {
            "uscc": uscc.make(division, 0, body=uscc.legacy_body(serial)),
            "name": f"{PREFIXES[division]}{trade}{words}{suffix}",
            "org_form": org_form,
            "division_code": division,
            "industry_code": industry,
            "established": start + dt.timedelta(days=rng.randrange(11_000)),
        }


def write_csv(rows: Iterator[dict], out: TextIO) -> int:
    writer = csv.writer(out)
    writer.writerow(["name", "uscc", "division", "industry", "established"])
    count = 0
    for row in rows:
        writer.writerow([row["name"], row["uscc"], row["division_code"],
                         row["industry_code"], row["established"].isoformat()])
        count += 1
    return count
