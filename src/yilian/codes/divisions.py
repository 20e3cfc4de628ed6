"""Administrative divisions (行政区划代码), GB/T 2260.

Six digits: province (2), prefecture (2), county (2). Until the full reference data lands
(the rules issue), this module knows the provinces and the divisions Yilian's demo zone
uses, and accepts any code under a known province whose digits are well formed.
"""

from __future__ import annotations

from yilian.codes.errors import InvalidCode, digit_code

PROVINCES = {
    "11": "北京市", "12": "天津市", "13": "河北省", "14": "山西省", "15": "内蒙古自治区",
    "21": "辽宁省", "22": "吉林省", "23": "黑龙江省", "31": "上海市", "32": "江苏省",
    "33": "浙江省", "34": "安徽省", "35": "福建省", "36": "江西省", "37": "山东省",
    "41": "河南省", "42": "湖北省", "43": "湖南省", "44": "广东省", "45": "广西壮族自治区",
    "46": "海南省", "50": "重庆市", "51": "四川省", "52": "贵州省", "53": "云南省",
    "54": "西藏自治区", "61": "陕西省", "62": "甘肃省", "63": "青海省",
    "64": "宁夏回族自治区", "65": "新疆维吾尔自治区", "71": "台湾省",
    "81": "香港特别行政区", "82": "澳门特别行政区",
}

KNOWN = {
    "370000": "山东省",
    "371000": "威海市",
    "371002": "环翠区",
    "371003": "文登区",
    "371071": "威海火炬高技术产业开发区",
    "371072": "威海经济技术开发区",
    "371073": "威海临港经济技术开发区",
    "371082": "荣成市",
    "371083": "乳山市",
}


def name(code: str) -> str:
    """A division's name: the known one, else the province's."""
    return KNOWN.get(code) or PROVINCES.get(code[:2], "")


def validate(code: str) -> str:
    """Check a division code's form; return its (best known) name."""
    code = digit_code(code, 6, "division", "行政区划代码", "division code")
    if code[:2] not in PROVINCES:
        raise InvalidCode("division.province", f"行政区划代码{code}的省级代码不存在",
                          f"division {code}: no province {code[:2]}")
    if code[2:4] == "00" and code[4:] != "00":
        raise InvalidCode("division.format", f"行政区划代码{code}格式不正确",
                          f"division {code} is malformed")
    return name(code)
