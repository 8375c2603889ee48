"""Plausible Chinese personal and place names for the demo data.

Surname weights follow the published frequency of the most common surnames (per cent of the
population, rounded); given names are drawn from characters typical of each generation, so that
a 70-year-old is 桂英 or 建国 and a 25-year-old is 子涵 or 浩然.
"""

import random

# (surname, weight in per cent of the population)
SURNAMES: tuple[tuple[str, float], ...] = (
    ("王", 7.1), ("李", 7.0), ("张", 6.6), ("刘", 5.4), ("陈", 4.5), ("杨", 3.1), ("黄", 2.2),
    ("赵", 2.2), ("吴", 2.0), ("周", 1.9), ("徐", 1.7), ("孙", 1.5), ("马", 1.5), ("朱", 1.3),
    ("胡", 1.3), ("郭", 1.2), ("何", 1.2), ("高", 1.1), ("林", 1.1), ("罗", 1.1), ("郑", 1.0),
    ("梁", 1.0), ("谢", 0.8), ("宋", 0.8), ("唐", 0.8), ("许", 0.7), ("韩", 0.7), ("冯", 0.7),
    ("邓", 0.7), ("曹", 0.7), ("彭", 0.6), ("曾", 0.6), ("肖", 0.6), ("田", 0.6), ("董", 0.5),
    ("袁", 0.5), ("潘", 0.5), ("于", 0.5), ("蒋", 0.5), ("蔡", 0.5), ("余", 0.5), ("杜", 0.5),
    ("叶", 0.4), ("程", 0.4), ("苏", 0.4), ("魏", 0.4), ("吕", 0.4), ("丁", 0.4), ("任", 0.4),
    ("沈", 0.4), ("姚", 0.4), ("卢", 0.4), ("姜", 0.3), ("崔", 0.3), ("钟", 0.3), ("谭", 0.3),
    ("陆", 0.3), ("汪", 0.3), ("范", 0.3), ("金", 0.3), ("石", 0.3), ("廖", 0.3), ("贾", 0.3),
    ("夏", 0.3), ("韦", 0.3), ("付", 0.3), ("方", 0.3), ("白", 0.2), ("邹", 0.2), ("孟", 0.2),
    ("熊", 0.2), ("秦", 0.2), ("邱", 0.2), ("江", 0.2), ("尹", 0.2), ("薛", 0.2), ("闫", 0.2),
    ("段", 0.2), ("雷", 0.2), ("侯", 0.2), ("龙", 0.2), ("史", 0.2), ("陶", 0.2), ("黎", 0.2),
    ("贺", 0.2), ("顾", 0.2), ("毛", 0.2), ("郝", 0.2), ("龚", 0.2), ("邵", 0.2), ("万", 0.2),
    ("钱", 0.2), ("严", 0.2), ("覃", 0.1), ("武", 0.1), ("戴", 0.1), ("莫", 0.1), ("欧阳", 0.05),
    ("司马", 0.01), ("诸葛", 0.01),
)  # fmt: skip
_SURNAME_LIST = [name for name, _ in SURNAMES]
_SURNAME_CUMULATIVE: list[float] = []
_running = 0.0
for _, _weight in SURNAMES:
    _running += _weight
    _SURNAME_CUMULATIVE.append(_running)

# Given-name characters by generation (born before 1960, 1960-1979, 1980 and later) and gender.
_GIVEN: dict[tuple[str, str], str] = {
    ("old", "男"): "建国军华明德福贵生国庆志强伟忠诚文武春林海山成兴家荣宝昌发顺利光炳桂树洪秋有金",
    ("old", "女"): "秀英兰桂芳珍淑玉凤梅翠华琴莲菊花香娥云芬素霞冬娟美玲爱红香容春仙月",
    ("mid", "男"): "伟强军勇斌杰涛明辉刚华平建峰亮波永超东林志国红卫新宏文俊健鹏飞剑锋",
    ("mid", "女"): "丽娟敏静艳芳燕玲红霞英萍华琳慧晶颖莉娜洁瑛琼雪梅红丹秀兰霞凤云",
    ("new", "男"): "浩宇轩杰俊豪博涛磊鑫晨然子睿泽哲凯瑞航明阳鹏鸿文嘉一思天宏程伟",
    ("new", "女"): "欣怡婷雨涵思佳琪梦瑶雪晶萱悦静宁嘉诗语可馨婉倩蕾颖露月琳子彤",
}
# Share of two-character names (surname + one character) per generation.
_SINGLE_GIVEN_SHARE = {"old": 0.12, "mid": 0.3, "new": 0.35}


def surname(rng: random.Random) -> str:
    return rng.choices(_SURNAME_LIST, cum_weights=_SURNAME_CUMULATIVE)[0]


def given_name(rng: random.Random, *, gender: str, birth_year: int) -> str:
    generation = "old" if birth_year < 1960 else "mid" if birth_year < 1980 else "new"
    pool = _GIVEN[(generation, gender)]
    if rng.random() < _SINGLE_GIVEN_SHARE[generation]:
        return rng.choice(pool)
    first, second = rng.choice(pool), rng.choice(pool)
    while second == first:
        second = rng.choice(pool)
    return first + second


# Place names: a village, community or township is named by one of these pairs.
_PLACE_FIRST = "青石桃柳龙凤金银白黄新长东西南北大小高马花竹松梅莲荷枫清丰永兴和平安福太宝双古茶杨"
_PLACE_SECOND = "山田塘桥湾冲坪岭溪口河湖坡源园林洲港堰铺坝庄"


def place_names(rng: random.Random, count: int, *, taken: set[str] | None = None) -> list[str]:
    """`count` distinct two-character place names, none of them in `taken`."""
    used = set(taken or ())
    if count > len(_PLACE_FIRST) * len(_PLACE_SECOND) - len(used):
        raise ValueError(f"cannot make {count} distinct place names")
    names: list[str] = []
    while len(names) < count:
        name = rng.choice(_PLACE_FIRST) + rng.choice(_PLACE_SECOND)
        if name not in used:
            used.add(name)
            names.append(name)
    return names


COMPANY_TRADES = (
    "农业开发",
    "建材",
    "食品",
    "茶业",
    "机械制造",
    "电子科技",
    "物流",
    "竹木制品",
    "生态养殖",
    "纺织",
)
