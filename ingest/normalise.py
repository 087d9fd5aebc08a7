"""Normalising cell values: text, dates, numbers, phones, identifiers, plate colours.

Every failure raises :class:`Rejected` carrying a :class:`Reason` — the reasons are
distinct so the quarantine can be counted by reason, and each has a test.

>>> parse_date("2024年5月28日"), parse_date("2024/5/28"), parse_date("20240528")
(datetime.date(2024, 5, 28), datetime.date(2024, 5, 28), datetime.date(2024, 5, 28))
>>> parse_date(45440), parse_date("45440")        # Excel serial numbers
(datetime.date(2024, 5, 28), datetime.date(2024, 5, 28))
>>> clean_text("  甲运输（吉林）有限公司 ")          # full-width ASCII folded, trimmed
'甲运输(吉林)有限公司'
"""

from __future__ import annotations

import re
import unicodedata
from datetime import date, datetime, timedelta
from enum import StrEnum
from functools import lru_cache
from typing import Any

from graph import identifiers
from graph.exc import InvalidIdentifier
from graph.model import PropertySpec

__all__ = [
    "Reason",
    "Rejected",
    "clean_text",
    "normalise_property",
    "parse_bool",
    "parse_date",
    "parse_number",
    "parse_phone",
    "parse_ratio",
]


class Reason(StrEnum):
    """Why a row went to quarantine (one per check, so they can be counted and tested)."""

    MALFORMED = "malformed row"  # wrong number of CSV cells, a JSON line that is no object
    ENCODING = "undecodable text"  # U+FFFD left by a byte the encoding cannot read
    MISSING_KEY = "missing key"  # the column that identifies a node is empty
    INVALID_IDENTIFIER = "invalid identifier"  # USCC / ID number / plate / colour refused
    INVALID_DATE = "invalid date"
    INVALID_NUMBER = "invalid number"  # not a number, or a ratio outside 0..1 (0..100 %)
    INVALID_PHONE = "invalid phone"
    INVALID_VALUE = "invalid value"  # not one of the allowed choices, not a boolean
    DATE_ORDER = "dates out of order"  # valid_to before valid_from
    UNKNOWN_KIND = "unknown kind"  # a kind/type the vocabulary lacks or the edge forbids
    UNKNOWN_ENDPOINT = "unknown endpoint"  # a relationship names a node no file or store has
    INVALID_RECORD = "invalid credit record"  # the credit-record model refused the row


class Rejected(ValueError):
    """A value that cannot be loaded: the reason and a human explanation."""

    def __init__(self, reason: Reason, detail: str = "") -> None:
        self.reason = reason
        self.detail = detail
        super().__init__(f"{reason.value}: {detail}" if detail else reason.value)


def clean_text(value: Any) -> str:
    """NFKC (full-width → half-width), inner runs of white space → one space, trimmed.

    >>> clean_text("Ａ　 B\\n")
    'A B'
    """
    if type(value) is str and value.isascii():  # NFKC leaves ASCII as it is; no U+FFFD in it
        return " ".join(value.split())
    text = unicodedata.normalize("NFKC", str(value))
    if "\ufffd" in text:
        raise Rejected(Reason.ENCODING, "the text holds bytes the file's encoding cannot read")
    return " ".join(text.split())


_DATE_PATTERNS = (
    re.compile(r"^(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?(?:[ T].*)?$"),
    re.compile(r"^(\d{4})(\d{2})(\d{2})$"),
)
_EXCEL_EPOCH = date(1899, 12, 30)  # Excel's day 0 (its 1900 leap-year bug folded in)
#: Serial numbers accepted as Excel dates: 1950-01-01 .. 2099-12-31.
_EXCEL_RANGE = (18264, 73050)


def parse_date(value: Any) -> date:
    """A date from ISO, slashes, dots, 年月日, ``YYYYMMDD``, an Excel serial or a datetime.

    >>> parse_date("2024-02-30")
    Traceback (most recent call last):
    ...
    ingest.normalise.Rejected: invalid date: '2024-02-30'
    """
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        return _excel_serial(float(value), value)
    text = clean_text(value)
    for pattern in _DATE_PATTERNS:
        match = pattern.match(text)
        if match:
            year, month, day = (int(g) for g in match.groups())
            try:
                return date(year, month, day)
            except ValueError:
                break
    else:
        try:
            return _excel_serial(float(text), value)
        except ValueError:
            pass
    raise Rejected(Reason.INVALID_DATE, repr(value))


def _excel_serial(serial: float, raw: Any) -> date:
    if not (_EXCEL_RANGE[0] <= serial <= _EXCEL_RANGE[1]) or serial != int(serial):
        raise Rejected(Reason.INVALID_DATE, f"{raw!r} is no date (nor an Excel serial)")
    return _EXCEL_EPOCH + timedelta(days=int(serial))


def parse_number(value: Any) -> float:
    """A float from a number or text (thousands separators and full-width digits allowed).

    >>> parse_number("１,２３4.5")
    1234.5
    """
    if isinstance(value, int | float) and not isinstance(value, bool):
        return float(value)
    text = clean_text(value).replace(",", "")
    try:
        return float(text)
    except ValueError:
        raise Rejected(Reason.INVALID_NUMBER, repr(value)) from None


def parse_ratio(value: Any) -> float:
    """A share in 0..1 from ``0.6``, ``60%`` or ``60`` (numbers above 1 are percentages).

    >>> parse_ratio("60%"), parse_ratio(0.6), parse_ratio("60"), parse_ratio("100")
    (0.6, 0.6, 0.6, 1.0)
    """
    text = clean_text(value) if isinstance(value, str) else value
    percent = isinstance(text, str) and text.endswith("%")
    number = parse_number(text.rstrip("%") if isinstance(text, str) else text)
    if percent or number > 1:
        number = number / 100
    if not 0 <= number <= 1:
        raise Rejected(Reason.INVALID_NUMBER, f"{value!r} is not a share between 0 and 100 %")
    return round(number, 6)


_PHONE_OK = re.compile(r"^(?:1[3-9]\d{9}|0\d{9,11}|\d{7,8}|400\d{7})$")


def parse_phone(value: Any) -> str:
    """A phone number reduced to digits (mobile, landline with area code, or local).

    >>> parse_phone("+86 138-0013-8000"), parse_phone("0431-8888 6666")
    ('13800138000', '043188886666')
    """
    digits = identifiers.normalise_phone(clean_text(value))
    if isinstance(value, float) and digits.endswith(".0"):  # Excel stored it as a number
        digits = digits[:-2]
    if not _PHONE_OK.match(digits):
        raise Rejected(Reason.INVALID_PHONE, repr(value))
    return digits


def parse_bool(value: Any) -> bool:
    """True/false from common spellings (是/否, 1/0, yes/no, true/false).

    >>> parse_bool("是"), parse_bool(0)
    (True, False)
    """
    if isinstance(value, bool):
        return value
    text = clean_text(value).lower()
    if text in {"true", "1", "yes", "y", "是", "t"}:
        return True
    if text in {"false", "0", "no", "n", "否", "f"}:
        return False
    raise Rejected(Reason.INVALID_VALUE, f"{value!r} is not a yes/no value")


_IDENTIFIERS = {
    "uscc": identifiers.validate_uscc,
    "id_no": identifiers.validate_id_no,
    "plate": identifiers.validate_plate,
    "plate_color": identifiers.validate_plate_color,
}


def normalise_identifier(kind: str, value: Any, field: str) -> str:
    """Validate and normalise one identifier; refusals carry the validator's problem.

    >>> normalise_identifier("uscc", " 91110000600037341l", "统一社会信用代码")
    '91110000600037341L'
    """
    text = str(int(value)) if isinstance(value, float) and value == int(value) else str(value)
    valid = _valid_identifier(kind, text)
    if isinstance(valid, str):
        return valid
    raise Rejected(Reason.INVALID_IDENTIFIER, valid[0])


@lru_cache(maxsize=1 << 21)
def _valid_identifier(kind: str, text: str) -> str | tuple[str]:
    """The normalised identifier, or (why not,) — cached: a person or company recurs in
    every relationship file, and the ID check (birthplace in the birth year) is not cheap."""
    try:
        return _IDENTIFIERS[kind](text, kind)
    except InvalidIdentifier as err:
        return (f"{err.problem.value}" + (f" ({err.detail})" if err.detail else ""),)


def normalise_property(name: str, spec: PropertySpec, value: Any, *, field: str = "") -> Any:
    """Normalise ``value`` for a vocabulary property; None for an empty cell.

    >>> from graph.model import load_model
    >>> spec = load_model().require_kind("Enterprise").properties["established"]
    >>> normalise_property("established", spec, "2015年4月1日")
    datetime.date(2015, 4, 1)
    """
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if spec.identifier:
        return normalise_identifier(spec.identifier, value, field or name)
    match spec.type:
        case "date":
            return parse_date(value)
        case "float":
            return parse_ratio(value) if name == "ratio" else parse_number(value)
        case "int":
            number = parse_number(value)
            if number != int(number):
                raise Rejected(Reason.INVALID_NUMBER, f"{value!r} is not a whole number")
            return int(number)
        case "bool":
            return parse_bool(value)
    text = clean_text(str(int(value)) if isinstance(value, float) and value.is_integer() else value)
    if spec.choices and text not in spec.choices:
        raise Rejected(Reason.INVALID_VALUE, f"{text!r} is not one of {spec.choices}")
    return text or None
