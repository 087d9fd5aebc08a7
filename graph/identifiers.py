"""Normalise and validate the identifiers that key the graph.

* 统一社会信用代码 (USCC, GB 32100-2015) — python-stdnum's ``stdnum.cn.uscc`` computes the
  check character, but its ``validate`` insists that the first eight characters are digits,
  while real codes start with letters (``N`` 农业, ``Y`` 其他 …).  We check the structure
  ourselves and reuse its ``calc_check_digit``.
* 居民身份证号 (GB 11643-1999) — ``stdnum.cn.ric``, which also checks that the birthplace
  code existed in the birth year.
* 号牌号码 + 号牌颜色 (GA 36-2018 plates, JT/T 697.7 colour codes).

Every failure raises :class:`~graph.exc.InvalidIdentifier` naming the field, the value and
a distinct :class:`~graph.exc.IdentifierProblem`.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import date
from functools import lru_cache

from stdnum.cn import ric, uscc
from stdnum.exceptions import InvalidChecksum, InvalidComponent, InvalidFormat, InvalidLength

from graph.exc import IdentifierProblem, InvalidIdentifier

__all__ = [
    "PLATE_COLOURS",
    "complete_id_no",
    "complete_uscc",
    "is_foreign_key",
    "normalise",
    "normalise_phone",
    "validate_id_no",
    "validate_plate",
    "validate_plate_color",
    "validate_uscc",
]

_USCC_ALPHABET = frozenset("0123456789ABCDEFGHJKLMNPQRTUWXY")

# GB 32100-2015 table 1: 登记管理部门代码 (registration authority).
_USCC_AUTHORITIES = {
    "1": "机构编制",
    "2": "外交",
    "3": "司法行政",
    "4": "文化",
    "5": "民政",
    "6": "旅游",
    "7": "宗教",
    "8": "工会",
    "9": "工商 / 市场监管",
    "A": "中央军委改革和编制办公室",
    "N": "农业",
    "Y": "其他",
}

# 机构类别代码: each authority numbers its organisation types 1..n and uses 9 for "other".
# The standard's table is per authority; we accept the digits it allocates anywhere.
_USCC_ORGANISATION_TYPES = frozenset("123459")

# GB/T 2260 province-level prefixes of the 6-digit division code, plus 10 for
# national-level registrations (e.g. 121000004000…).
_PROVINCE_PREFIXES = frozenset(
    {
        "10",
        "11",
        "12",
        "13",
        "14",
        "15",
        "21",
        "22",
        "23",
        "31",
        "32",
        "33",
        "34",
        "35",
        "36",
        "37",
        "41",
        "42",
        "43",
        "44",
        "45",
        "46",
        "50",
        "51",
        "52",
        "53",
        "54",
        "61",
        "62",
        "63",
        "64",
        "65",
        "71",
        "81",
        "82",
    }
)

_PROVINCES = "京津沪渝冀豫云辽黑湘皖鲁新苏浙赣鄂桂甘晋蒙陕吉闽贵粤青藏川宁琼使领"
_PLATE_RE = re.compile(
    rf"^[{_PROVINCES}][A-HJ-NP-Z]"
    r"(?:\d{5}[A-HJK]"  # large new-energy: energy letter last
    r"|[A-HJK][A-HJ-NP-Z0-9]\d{4}"  # small new-energy: energy letter first
    r"|[A-HJ-NP-Z0-9]{4}[A-HJ-NP-Z0-9挂学警港澳])$"  # ordinary and special suffixes
)

#: JT/T 697.7-2014 plate colour codes (used by JT/T 808 terminal registration).
PLATE_COLOURS: dict[str, str] = {
    "0": "未上牌 / unplated",
    "1": "蓝色 / blue",
    "2": "黄色 / yellow",
    "3": "黑色 / black",
    "4": "白色 / white",
    "5": "绿色 / green",
    "9": "其他 / other",
}
# Colour names found in exports.  The new-energy colours (渐变绿, 黄绿双拼) have no own code
# in JT/T 697.7-2014; mapping them to 5 (green) is our assumption, kept in one place.
_COLOUR_NAMES = {
    "未上牌": "0",
    "蓝": "1",
    "蓝色": "1",
    "黄": "2",
    "黄色": "2",
    "黑": "3",
    "黑色": "3",
    "白": "4",
    "白色": "4",
    "绿": "5",
    "绿色": "5",
    "渐变绿": "5",
    "渐变绿色": "5",
    "黄绿": "5",
    "黄绿双拼": "5",
    "黄绿双拼色": "5",
    "其他": "9",
    "BLUE": "1",
    "YELLOW": "2",
    "BLACK": "3",
    "WHITE": "4",
    "GREEN": "5",
    "OTHER": "9",
}
_PHONE_JUNK = re.compile(r"[\s\-()（）+]")


def normalise(value: str) -> str:
    """Full-width to half-width, all white space removed, upper case.

    >>> normalise(" ９１１１ 0000６０００３７３４１ｌ ")
    '91110000600037341L'
    """
    folded = unicodedata.normalize("NFKC", value)
    return "".join(folded.split()).upper()


def normalise_phone(value: str) -> str:
    """A phone number reduced to its digits, without a +86/0086 country prefix.

    >>> normalise_phone("+86 138-0013-8000")
    '13800138000'
    >>> normalise_phone("(0431) 8888 6666")
    '043188886666'
    """
    digits = _PHONE_JUNK.sub("", unicodedata.normalize("NFKC", value))
    for prefix in ("0086", "86"):
        if digits.startswith(prefix) and len(digits) - len(prefix) >= 11:
            digits = digits[len(prefix) :]
            break
    return digits


#: Prefix of a foreign key: a subject a source names only by its own id (FollowTheMoney).
FOREIGN_KEY_PREFIX = "ftm:"


def is_foreign_key(text: str) -> bool:
    """Whether ``text`` is a foreign key (``ftm:<id>``) rather than a national identifier.

    >>> is_foreign_key("ftm:NK-3xbA7")
    True
    >>> is_foreign_key("91220101MA00000114") or is_foreign_key("ftm:")
    False
    """
    return text.startswith(FOREIGN_KEY_PREFIX) and len(text) > len(FOREIGN_KEY_PREFIX)


def _require(value: str, field: str) -> str:
    code = normalise(value)
    if not code:
        raise InvalidIdentifier(field, value, IdentifierProblem.EMPTY)
    return code


def validate_uscc(value: str, field: str = "uscc") -> str:
    """Return the normalised 统一社会信用代码 or raise :class:`InvalidIdentifier`.

    >>> validate_uscc("91110000600037341l")
    '91110000600037341L'
    >>> validate_uscc("91110000600037341N")
    Traceback (most recent call last):
    ...
    graph.exc.InvalidIdentifier: uscc '91110000600037341N': bad check character (expected L)
    """
    code = _require(value, field)
    if len(code) != 18:
        raise InvalidIdentifier(field, value, IdentifierProblem.LENGTH, f"{len(code)} of 18")
    bad = sorted({c for c in code if c not in _USCC_ALPHABET})
    if bad:
        detail = f"characters {''.join(bad)!r} are not in the 31-symbol alphabet"
        raise InvalidIdentifier(field, value, IdentifierProblem.FORMAT, detail)
    if code[0] not in _USCC_AUTHORITIES:
        raise InvalidIdentifier(field, value, IdentifierProblem.AUTHORITY, code[0])
    if code[1] not in _USCC_ORGANISATION_TYPES:
        raise InvalidIdentifier(field, value, IdentifierProblem.ORGANISATION_TYPE, code[1])
    division = code[2:8]
    if not division.isdigit() or division[:2] not in _PROVINCE_PREFIXES:
        raise InvalidIdentifier(field, value, IdentifierProblem.AREA_CODE, division)
    expected = uscc.calc_check_digit(code[:17])
    if code[17] != expected:
        raise InvalidIdentifier(field, value, IdentifierProblem.CHECKSUM, f"expected {expected}")
    return code


def validate_id_no(value: str, field: str = "id_no") -> str:
    """Return the normalised 居民身份证号 or raise :class:`InvalidIdentifier`.

    >>> validate_id_no("11010119900307001１")
    '110101199003070011'
    >>> validate_id_no("110101199003070012")
    Traceback (most recent call last):
    ...
    graph.exc.InvalidIdentifier: id_no '110101199003070012': bad check character
    >>> validate_id_no("44011320141005001x")
    '44011320141005001X'
    >>> try:
    ...     validate_id_no("439150199001010015")
    ... except InvalidIdentifier as refused:
    ...     print(refused.problem.value, "-", refused.detail)
    unknown area code - 439150 is not a county code
    """
    code = _require(value, field)
    if _ID_NO_PLAIN.fullmatch(code) and _id_no_is_valid(code):
        return code  # what ric.validate returns for plain ASCII digits (its compact is a no-op)
    if len(code) == 18 and not (code[:17].isdigit() and code[17] in "0123456789X"):
        detail = "17 digits and a digit or X expected"
        raise InvalidIdentifier(field, value, IdentifierProblem.FORMAT, detail)
    try:
        return str(ric.validate(code))
    except KeyError:
        # python-stdnum knows some prefixes (a province or prefecture) that name no county
        # and then fails looking the county up: the code names no county that existed.
        detail = f"{code[:6]} is not a county code"
        raise InvalidIdentifier(field, value, IdentifierProblem.AREA_CODE, detail) from None
    except InvalidLength:
        detail = f"{len(code)} of 18"
        raise InvalidIdentifier(field, value, IdentifierProblem.LENGTH, detail) from None
    except InvalidFormat:
        raise InvalidIdentifier(field, value, IdentifierProblem.FORMAT) from None
    except InvalidChecksum:
        raise InvalidIdentifier(field, value, IdentifierProblem.CHECKSUM) from None
    except InvalidComponent:
        try:
            ric.get_birth_date(code)
        except InvalidComponent:
            detail = code[6:14]
            raise InvalidIdentifier(field, value, IdentifierProblem.BIRTH_DATE, detail) from None
        detail = f"{code[:6]} did not exist in {code[6:10]}"
        raise InvalidIdentifier(field, value, IdentifierProblem.AREA_CODE, detail) from None


#: 17 ASCII digits and a digit or X: the only shape the fast path below accepts.
_ID_NO_PLAIN = re.compile(r"^[0-9]{17}[0-9X]$")


def _id_no_is_valid(code: str) -> bool:
    """The success path of ``ric.validate`` for a plain 18-character code, faster.

    ``ric.validate`` normalises the code four times and looks the birthplace up in its
    number database on every call (about 70 us); here the check character and the birth
    date are checked directly and the county's years of existence are parsed once per
    county.  False means "not shown valid here": the caller then runs ``ric.validate``
    itself, so every refusal keeps its exact problem and detail.

    >>> _id_no_is_valid("110101199003070011"), _id_no_is_valid("110101199003070012")
    (True, False)
    >>> _id_no_is_valid("999999199003070012"), _id_no_is_valid("110101199013070015")
    (False, False)
    """
    if code[17] != ric.calc_check_digit(code):
        return False
    try:
        year = date(int(code[6:10]), int(code[10:12]), int(code[12:14])).year
    except ValueError:
        return False
    spans = _county_years(code[:6])
    if spans is None:
        return False
    return any(
        (start is None or year >= start) and (end is None or year <= end) for start, end in spans
    )


@lru_cache(maxsize=1 << 14)
def _county_years(county: str) -> tuple[tuple[int | None, int | None], ...] | None:
    """The years a county code was in use, as ``ric.get_birth_place`` reads them from
    python-stdnum's ``cn/loc`` database: ``(start, end)`` spans (None: open), in its order,
    up to the first entry without years (always valid).  None when the database has no
    county there or an entry is not understood (the caller then asks ``ric`` itself).

    >>> _county_years("110101")
    ((None, None),)
    >>> _county_years("999999") is None
    True
    """
    from stdnum import numdb

    info = {k: v for _, props in numdb.get("cn/loc").info(county) for k, v in props.items()}
    if "county" not in info:
        return None
    spans: list[tuple[int | None, int | None]] = []
    try:
        for entry in info["county"].split(","):
            if not entry.startswith("["):
                spans.append((None, None))
                break
            years, _ = entry[1:].split("]")
            start, end = years.split("-")
            spans.append((int(start) if start else None, int(end) if end else None))
    except ValueError:
        return None
    return tuple(spans)


def validate_plate(value: str, field: str = "plate") -> str:
    """Return the normalised 号牌号码 (ordinary or new-energy) or raise.

    >>> validate_plate("吉a·12345")
    '吉A12345'
    >>> validate_plate("粤BD12345")
    '粤BD12345'
    """
    plate = _require(value, field).replace("·", "").replace(".", "")
    if len(plate) not in (7, 8):
        raise InvalidIdentifier(field, value, IdentifierProblem.LENGTH, f"{len(plate)} of 7 or 8")
    if not _PLATE_RE.match(plate):
        raise InvalidIdentifier(field, value, IdentifierProblem.FORMAT)
    return plate


def validate_plate_color(value: str | int, field: str = "plate_color") -> str:
    """Return the JT/T 697.7 colour code for a code or a colour name, or raise.

    >>> validate_plate_color("黄色"), validate_plate_color(1), validate_plate_color("渐变绿")
    ('2', '1', '5')
    """
    code = _require(str(value), field)
    if code in PLATE_COLOURS:
        return code
    if code in _COLOUR_NAMES:
        return _COLOUR_NAMES[code]
    raise InvalidIdentifier(field, str(value), IdentifierProblem.FORMAT, "not a plate colour")


def complete_uscc(body: str) -> str:
    """Append the check character to a 17-character USCC body (for generators and fixtures).

    >>> complete_uscc("91110000600037341")
    '91110000600037341L'
    """
    return body + uscc.calc_check_digit(body)


def complete_id_no(body: str) -> str:
    """Append the check character to a 17-digit resident ID body.

    >>> complete_id_no("11010119900307001")
    '110101199003070011'
    """
    return body + ric.calc_check_digit(body + "0")
