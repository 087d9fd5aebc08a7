"""Calendar periods written the ISO 8601 way (``P3M``, ``P1Y``, ``P90D``, ``P1Y6M``).

Terms and publication periods in the catalog are calendar periods: a term of ``P1Y`` that
starts on 2026-05-20 ends on 2027-05-20 (exclusive).  Months are added first and the day is
clamped to the month's end (2026-01-31 + P1M = 2026-02-28), then days.

>>> add_period(date(2026, 5, 20), "P1Y")
datetime.date(2027, 5, 20)
>>> add_period(date(2024, 2, 29), "P1Y")
datetime.date(2025, 2, 28)
>>> approx_days("P1Y6M")
545
"""

from __future__ import annotations

import calendar
import re
from datetime import date, timedelta
from functools import lru_cache
from typing import Annotated

from pydantic import AfterValidator

__all__ = ["Period", "add_period", "approx_days", "parse_period", "subtract_period"]

_PATTERN = re.compile(r"^P(?:(\d+)Y)?(?:(\d+)M)?(?:(\d+)D)?$")


@lru_cache(maxsize=256)
def parse_period(text: str) -> tuple[int, int, int]:
    """(years, months, days) of a period; raises ValueError on anything else.

    >>> parse_period("P3Y")
    (3, 0, 0)
    >>> parse_period("3 years")
    Traceback (most recent call last):
    ...
    ValueError: period '3 years' is not like P1Y, P3M, P90D or P1Y6M
    """
    match = _PATTERN.match(text)
    if match is None or text == "P":
        raise ValueError(f"period {text!r} is not like P1Y, P3M, P90D or P1Y6M")
    years, months, days = (int(g) if g else 0 for g in match.groups())
    return years, months, days


def _check(text: str) -> str:
    parse_period(text)
    return text


#: A period as the catalog writes it, checked on load.
Period = Annotated[str, AfterValidator(_check)]


@lru_cache(maxsize=8192)
def add_period(start: date, period: str) -> date:
    """``start`` plus the period (years and months with the day clamped, then days)."""
    years, months, days = parse_period(period)
    total = start.year * 12 + (start.month - 1) + years * 12 + months
    year, month = divmod(total, 12)
    month += 1
    day = min(start.day, calendar.monthrange(year, month)[1])
    return date(year, month, day) + timedelta(days=days)


def subtract_period(end: date, period: str) -> date:
    """``end`` minus the period (years and months with the day clamped, then days).

    >>> subtract_period(date(2026, 5, 20), "P5Y")
    datetime.date(2021, 5, 20)
    >>> subtract_period(date(2028, 2, 29), "P1Y")
    datetime.date(2027, 2, 28)
    """
    years, months, days = parse_period(period)
    total = end.year * 12 + (end.month - 1) - years * 12 - months
    year, month = divmod(total, 12)
    month += 1
    day = min(end.day, calendar.monthrange(year, month)[1])
    return date(year, month, day) - timedelta(days=days)


def approx_days(period: str) -> int:
    """Rough length in days (365 a year, 30 a month), only for ordering periods."""
    years, months, days = parse_period(period)
    return years * 365 + months * 30 + days
