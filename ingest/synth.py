"""Synthetic but valid values for the generator: identifiers, names, places, dates.

Everything here is a *pure function of (seed, index)*: the generator can rebuild any
entity's key from its index without remembering it, so :mod:`ingest.generate` streams a
million nodes and three million relationships in constant memory and every relationship
can name its endpoints.

* Resident ID numbers use county codes from python-stdnum's ``cn/loc.dat`` that existed
  during the whole range of generated birth years, so ``stdnum.cn.ric.validate`` accepts
  them (it checks the birthplace against the birth year).
* Codes are made unique by a bijection of the index (``index * odd + offset mod M``), not by
  remembering what was issued.

>>> h = Hasher(7)
>>> h.uniform(1, 42) == Hasher(7).uniform(1, 42)
True
>>> from graph.identifiers import validate_id_no, validate_uscc
>>> validate_id_no(person_id_no(h, 12345)) == person_id_no(h, 12345)
True
>>> validate_uscc(enterprise_uscc(h, 99)) == enterprise_uscc(h, 99)
True
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta
from functools import cache
from importlib import resources

from graph.identifiers import complete_id_no, complete_uscc

__all__ = [
    "AREAS",
    "Area",
    "Hasher",
    "address_text",
    "area_for",
    "areas_in",
    "enterprise_name",
    "enterprise_uscc",
    "person_id_no",
    "person_name",
    "phone_number",
    "plate_for",
]

_MASK = (1 << 64) - 1
#: Generated people are born in these years (inclusive); the area codes are checked for it.
BIRTH_YEARS = (1955, 2003)
#: Where most generated subjects live: the regulator is provincial (吉林 by default).
HOME_PROVINCE = "22"
_HOME_SHARE = 0.6

_PLATE_PROVINCE = {
    "11": "京", "12": "津", "13": "冀", "14": "晋", "15": "蒙", "21": "辽", "22": "吉",
    "23": "黑", "31": "沪", "32": "苏", "33": "浙", "34": "皖", "35": "闽", "36": "赣",
    "37": "鲁", "41": "豫", "42": "鄂", "43": "湘", "44": "粤", "45": "桂", "46": "琼",
    "50": "渝", "51": "川", "52": "贵", "53": "云", "54": "藏", "61": "陕", "62": "甘",
    "63": "青", "64": "宁", "65": "新",
}  # fmt: skip
# 31 symbols of GB 32100 (no I, O, S, V, Z) and 34 symbols of a plate serial (no I, O).
_USCC_SYMBOLS = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_PLATE_SYMBOLS = "0123456789ABCDEFGHJKLMNPQRSTUVWXYZ"
_PLATE_LETTERS = "ABCDEFGHJKLMNPQRSTUVWXYZ"

_SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚"
    "卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
)
_GIVEN = (
    "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰萍红鹏辉玲建国峰晶志波宇浩斌鑫凯丹琳雪亮林"
    "海飞鸣文博东春宏欣颖慧婷俊佳睿"
)
_BRANDS = (
    "长通", "顺达", "恒远", "鑫源", "宏运", "安泰", "吉运", "通达", "广源", "华盛", "鼎盛",
    "振兴", "中联", "东方", "金桥", "天成", "汇通", "永安", "诚信", "路路通", "北方", "润达",
    "正阳", "利民", "盛世", "兴隆", "嘉禾", "德胜", "宏图", "瑞丰", "新世纪", "万通", "祥和",
    "泰山", "远航", "龙腾",
)  # fmt: skip
_ROADS = (
    "人民大街", "解放大路", "自由大路", "建设街", "工农大路", "西安大路", "南湖大路", "亚泰大街",
    "卫星路", "东风大街", "普阳街", "长江路", "黄河路", "迎宾路", "新华街", "光明路",
)  # fmt: skip


class Hasher:
    """Counter-based randomness: ``uniform(stream, index, j)`` is a pure function of the seed.

    splitmix64 (Steele et al. 2014) mixes the seed, a stream number and the indices; no
    random state is carried, so any entity's values can be recomputed in any order.

    >>> 0.0 <= Hasher(1).uniform(3, 10) < 1.0
    True
    """

    def __init__(self, seed: int) -> None:
        self.base = _mix(seed & _MASK)

    def bits(self, stream: int, index: int, j: int = 0) -> int:
        """64 well-mixed bits for (stream, index, j)."""
        return _mix(self.base ^ _mix((stream << 40) ^ (index << 8) ^ j))

    def uniform(self, stream: int, index: int, j: int = 0) -> float:
        """A float in [0, 1) for (stream, index, j)."""
        return self.bits(stream, index, j) / 18446744073709551616.0

    def below(self, n: int, stream: int, index: int, j: int = 0) -> int:
        """An integer in [0, n) for (stream, index, j)."""
        return self.bits(stream, index, j) % n

    def skewed(self, n: int, stream: int, index: int, j: int = 0, power: float = 3.0) -> int:
        """An index in [0, n) with a heavy head: ``P(0) ~ n**(-1/power)`` (a few hubs).

        The head is scattered over the range by a bijection so hubs are not all at 0, 1, 2.
        """
        rank = min(n - 1, int(n * self.uniform(stream, index, j) ** power))
        return scatter(rank, n)


def _mix(x: int) -> int:
    x = (x + 0x9E3779B97F4A7C15) & _MASK
    x = ((x ^ (x >> 30)) * 0xBF58476D1CE4E5B9) & _MASK
    x = ((x ^ (x >> 27)) * 0x94D049BB133111EB) & _MASK
    return x ^ (x >> 31)


_SCATTER_PRIME = 2_147_483_647  # prime, so coprime with every n below it


def scatter(rank: int, n: int) -> int:
    """A bijection of range(n) (for n < 2**31), mixing neighbouring indices apart.

    >>> sorted(scatter(i, 10) for i in range(10)) == list(range(10))
    True
    """
    return (rank * _SCATTER_PRIME + n // 3) % n


@dataclass(frozen=True)
class Area:
    """A county-level division code (GB/T 2260) and its names."""

    code: str
    province: str
    county: str

    @property
    def plate_province(self) -> str:
        """The one-character plate abbreviation of the province."""
        return _PLATE_PROVINCE[self.code[:2]]


_BRACKET = re.compile(r"^\[(\d*)-(\d*)\](.*)$")


def _names_in(names: str, year: int) -> str | None:
    """The county's name in ``year``, or None if the code was not in use (loc.dat brackets)."""
    for name in names.split(","):
        match = _BRACKET.match(name)
        if match is None:
            return name
        start, end, plain = match.groups()
        if (not start or int(start) <= year) and (not end or int(end) >= year):
            return plain
    return None


@cache
def _raw_areas() -> tuple[tuple[str, str, str], ...]:
    """(code, province, county names with year brackets) of every county-level code."""
    text = resources.files("stdnum").joinpath("cn/loc.dat").read_text(encoding="utf-8")
    rows: list[tuple[str, str, str]] = []
    province_code, province = "", ""
    for line in text.splitlines():
        if not line or line.startswith("#"):
            continue
        if not line.startswith(" "):
            province_code, _, rest = line.partition(" ")
            province = rest.partition('"')[2].rstrip('"')
            continue
        suffix, _, rest = line.strip().partition(" ")
        names = rest.partition('"')[2].rstrip('"')
        if province_code in _PLATE_PROVINCE and not suffix.endswith("00") and "辖" not in names:
            rows.append((province_code + suffix, province, names))
    return tuple(rows)


@cache
def areas_in(year: int) -> tuple[tuple[Area, ...], tuple[Area, ...]]:
    """(all, home-province) county codes in use in ``year``, per python-stdnum's loc.dat."""
    every = tuple(
        Area(code, province, county)
        for code, province, names in _raw_areas()
        if (county := _names_in(names, year))
    )
    return every, tuple(a for a in every if a.code.startswith(HOME_PROVINCE))


#: The year whose division codes enterprises, vehicles and addresses use (USCCs date from 2015).
CURRENT_YEAR = 2020
AREAS: tuple[Area, ...] = areas_in(CURRENT_YEAR)[0]


def area_for(h: Hasher, stream: int, index: int, year: int = CURRENT_YEAR) -> Area:
    """The county where entity ``index`` is registered or was born (60 % in the home province)."""
    every, home = areas_in(year)
    pool = home if home and h.uniform(stream, index, 1) < _HOME_SHARE else every
    return pool[h.below(len(pool), stream, index, 2)]


def _base(value: int, symbols: str, width: int) -> str:
    out = []
    for _ in range(width):
        value, digit = divmod(value, len(symbols))
        out.append(symbols[digit])
    return "".join(reversed(out))


_USCC_SPACE = 31**9
_USCC_MULT = 1_000_000_007  # coprime with 31**9


def enterprise_uscc(h: Hasher, index: int) -> str:
    """A valid USCC (91 + division + unique 9-symbol subject code + check) for ``index``.

    >>> enterprise_uscc(Hasher(0), 0)[:2]
    '91'
    """
    area = area_for(h, 10, index)
    subject = _base((index * _USCC_MULT + (h.base % _USCC_SPACE)) % _USCC_SPACE, _USCC_SYMBOLS, 9)
    return complete_uscc(f"91{area.code}{subject}")


_DAYS = (date(BIRTH_YEARS[1], 12, 31) - date(BIRTH_YEARS[0], 1, 1)).days + 1
_SEQUENCES = 1000


def person_id_no(h: Hasher, index: int) -> str:
    """A valid, unique 居民身份证号 for ``index``.

    Uniqueness: (birth day, sequence) is a bijection of the index, so two indices never
    share both, whatever their county; the county is one in use in the birth year.

    >>> person_id_no(Hasher(0), 1) != person_id_no(Hasher(0), 2)
    True
    """
    slot = (index * 7_919 + h.base % (_DAYS * _SEQUENCES)) % (_DAYS * _SEQUENCES)
    day, sequence = divmod(slot, _SEQUENCES)
    born = date(BIRTH_YEARS[0], 1, 1) + timedelta(days=day)
    area = area_for(h, 11, index, born.year)
    return complete_id_no(f"{area.code}{born:%Y%m%d}{sequence:03d}")


_PLATE_SPACE = len(_PLATE_LETTERS) * len(_PLATE_SYMBOLS) * 10_000
_PLATE_MULT = 1_000_003  # prime, coprime with _PLATE_SPACE


def plate_for(h: Hasher, index: int) -> str:
    """A unique ordinary plate (province + letter + one symbol + 4 digits) for ``index``.

    Unique for up to 8.16 million vehicles: (letter, symbol, digits) is a bijection of the
    index; the province follows the registration county.

    >>> from graph.identifiers import validate_plate
    >>> validate_plate(plate_for(Hasher(0), 5)) == plate_for(Hasher(0), 5)
    True
    """
    area = area_for(h, 12, index)
    slot = (index * _PLATE_MULT + h.base % _PLATE_SPACE) % _PLATE_SPACE
    letter, rest = divmod(slot, len(_PLATE_SYMBOLS) * 10_000)
    symbol, digits = divmod(rest, 10_000)
    return f"{area.plate_province}{_PLATE_LETTERS[letter]}{_PLATE_SYMBOLS[symbol]}{digits:04d}"


def person_name(h: Hasher, index: int) -> str:
    """A common Chinese name; many people share one (as in real registers)."""
    surname = _SURNAMES[h.skewed(len(_SURNAMES), 20, index, power=2.0)]
    given = _GIVEN[h.below(len(_GIVEN), 20, index, 1)]
    if h.uniform(20, index, 2) < 0.6:
        given += _GIVEN[h.below(len(_GIVEN), 20, index, 3)]
    return surname + given


def enterprise_name(h: Hasher, index: int, suffix: str) -> str:
    """``<county><brand><suffix>``, e.g. 南关区顺达运输有限公司."""
    area = area_for(h, 10, index)
    brand = _BRANDS[h.below(len(_BRANDS), 21, index)]
    county = area.county.rstrip("区县市旗") or area.county
    return f"{county}{brand}{suffix}"


def phone_number(h: Hasher, index: int) -> str:
    """A unique 11-digit mobile number for ``index`` (13x-19x prefixes)."""
    prefix = ("130", "131", "135", "136", "138", "139", "150", "151", "186", "188", "199")
    head = prefix[h.below(len(prefix), 22, index)]
    return f"{head}{(index * 7_654_321 + h.base % 100_000_000) % 100_000_000:08d}"


def address_text(h: Hasher, index: int) -> str:
    """A unique street address for ``index``."""
    area = area_for(h, 13, index)
    road = _ROADS[h.below(len(_ROADS), 23, index)]
    return f"{area.province}{area.county}{road}{index + 1}号"
