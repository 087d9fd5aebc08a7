"""Bid lists: a tender read from a CSV or XLSX file (canonical or Chinese headers).

Files are opened by the ingest sources (:func:`ingest.sources.open_source`: encodings
detected, Excel dates kept typed), cells cleaned and dates parsed by the ingest normaliser,
and the columns mapped to a :class:`~queries.bidding_input.TenderIn` by the mappings of
``queries/bidding_lists.yaml``.  A row that does not fit names its file, row and column.

>>> text = ("项目编号,标段,开标日期,投标人,投标人统一社会信用代码,项目经理,项目经理身份证号\\n"
...         "JL-2024-001,1,2024年5月28日,甲运输,91110000600037341L,王军,110101199003070011\\n"
...         "JL-2024-001,1,2024年5月28日,乙物流,91310115MA1K3BTP2B,,\\n")
>>> tender = parse_bid_list(parse_csv(text_lines(text)), source="投标人名单.csv")
>>> tender.bid_date, [b.name for b in tender.bidders], tender.bidders[0].project_manager_id
(datetime.date(2024, 5, 28), ['甲运输', '乙物流'], '110101199003070011')
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import cache
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, ValidationError

from graph.exc import InvalidModel, SchemaViolation
from ingest.normalise import Rejected, clean_text, parse_date
from ingest.sources import Row, open_source, parse_csv, text_lines
from queries.bidding_input import TenderIn

__all__ = [
    "LISTS_FILE",
    "BidListMapping",
    "load_bid_list",
    "load_list_mappings",
    "parse_bid_list",
    "parse_csv",
    "text_lines",
]

LISTS_FILE = Path(__file__).with_name("bidding_lists.yaml")
TENDER_FIELDS = (
    "project_code",
    "project_name",
    "lot",
    "bid_date",
    "as_of",
    "min_credit_grade",
)
PARTY_FIELDS = {
    "tenderer": ("tenderer_uscc", "tenderer_name"),
    "owner": ("owner_uscc", "owner_name"),
}
BID_FIELDS = (
    "uscc",
    "name",
    "project_manager_id",
    "project_manager_name",
    "phone",
    "email",
    "deposit_account",
    "deposit_bank",
)
PRINT_FIELDS = ("ip", "mac", "cpu", "disk", "dongle")
ALL_FIELDS = frozenset(
    (*TENDER_FIELDS, *BID_FIELDS, *PRINT_FIELDS, *(f for p in PARTY_FIELDS.values() for f in p))
)


class BidListMapping(BaseModel):
    """How one kind of bid list is recognised and read."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    description: str
    match: tuple[str, ...]
    fields: dict[str, tuple[str, ...]]

    def matches(self, headers: Iterable[str]) -> bool:
        """Whether a file with these headers is of this kind."""
        return set(self.match) <= set(headers)

    def value(self, row: Row, field: str) -> Any:
        """The first non-empty cell of the field's headers (None when all are empty)."""
        for header in self.fields.get(field, ()):
            cell = row.values.get(header)
            if cell is not None and str(cell).strip():
                return cell
        return None


@cache
def load_list_mappings(path: Path = LISTS_FILE) -> dict[str, BidListMapping]:
    """The bid-list mappings by name, checked (unknown fields fail fast)."""
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
        found = {name: BidListMapping.model_validate(m) for name, m in raw["mappings"].items()}
    except (OSError, KeyError, TypeError, yaml.YAMLError, ValidationError) as err:
        raise InvalidModel(f"{path}: {err}") from err
    for name, mapping in found.items():
        unknown = sorted(set(mapping.fields) - ALL_FIELDS)
        if unknown:
            raise InvalidModel(f"{path}: mapping {name} has unknown fields {unknown}")
    return found


def _where(source: str, row: Row, column: str | None = None) -> str:
    sheet = f" sheet {row.sheet}" if row.sheet else ""
    return f"{source}{sheet} row {row.number}" + (f" column {column}" if column else "")


def _text(mapping: BidListMapping, row: Row, field: str) -> str | None:
    value = mapping.value(row, field)
    return None if value is None else clean_text(value)


def _tender_part(mapping: BidListMapping, row: Row, source: str) -> dict[str, Any]:
    part: dict[str, Any] = {}
    for field in TENDER_FIELDS:
        value = mapping.value(row, field)
        if value is None:
            continue
        if field in ("bid_date", "as_of"):
            try:
                part[field] = parse_date(value)
            except Rejected as err:
                raise SchemaViolation(f"{_where(source, row, field)}: {err}") from err
        else:
            part[field] = clean_text(value)
    for role, (uscc, name) in PARTY_FIELDS.items():
        code = _text(mapping, row, uscc)
        if code:
            part[role] = {"uscc": code, "name": _text(mapping, row, name)}
    return part


def _bid(mapping: BidListMapping, row: Row) -> dict[str, Any]:
    bid: dict[str, Any] = {f: _text(mapping, row, f) for f in BID_FIELDS}
    bid["fingerprints"] = {f: _text(mapping, row, f) for f in PRINT_FIELDS}
    return bid


def parse_bid_list(
    rows: Iterable[Row],
    *,
    source: str = "bid list",
    mapping: str | None = None,
    lot: str | None = None,
) -> TenderIn:
    """A tender from the rows of a bid list (one row per bid).

    ``mapping`` names one of :func:`load_list_mappings` (default: the first that matches the
    headers); ``lot`` picks one lot of a list that holds several.
    """
    mappings = load_list_mappings()
    chosen = mappings.get(mapping) if mapping else None
    if mapping and chosen is None:
        raise SchemaViolation(f"unknown bid-list mapping {mapping!r}; known: {sorted(mappings)}")
    tenders: dict[tuple[str, str | None], dict[str, Any]] = {}
    for row in rows:
        if row.problem:
            raise SchemaViolation(f"{_where(source, row)}: {row.problem}")
        if chosen is None:
            chosen = next((m for m in mappings.values() if m.matches(row.values)), None)
            if chosen is None:
                raise SchemaViolation(
                    f"{source}: no bid-list mapping fits the headers {sorted(row.values)}; "
                    f"known: {', '.join(f'{n} ({sorted(m.match)})' for n, m in mappings.items())}"
                )
        part = _tender_part(chosen, row, source)
        key = (part.get("project_code", ""), part.get("lot"))
        tender = tenders.setdefault(key, {**part, "bidders": []})
        for field, value in part.items():
            if tender.get(field) != value:
                raise SchemaViolation(
                    f"{_where(source, row, field)}: {value!r} differs from the tender's "
                    f"{tender.get(field)!r} on an earlier row"
                )
        try:
            tender["bidders"].append(_bid(chosen, row))
        except Rejected as err:
            raise SchemaViolation(f"{_where(source, row)}: {err}") from err
    if lot is not None:
        tenders = {k: v for k, v in tenders.items() if k[1] == lot}
    if not tenders:
        raise SchemaViolation(f"{source}: no bids" + (f" for lot {lot!r}" if lot else ""))
    if len(tenders) > 1:
        lots = ", ".join(f"{code} lot {lt}" for code, lt in tenders)
        raise SchemaViolation(f"{source} holds several tenders ({lots}): choose one with --lot")
    (spec,) = tenders.values()
    try:
        return TenderIn.model_validate(spec)
    except ValidationError as err:
        raise SchemaViolation(f"{source}: {_errors(err)}") from err


def _errors(err: ValidationError) -> str:
    parts = []
    for e in err.errors():
        loc = list(e["loc"])
        if loc[:1] == ["bidders"] and len(loc) > 1 and isinstance(loc[1], int):
            loc[1] = f"bid {loc[1] + 1}"
        parts.append(f"{'.'.join(str(x) for x in loc)}: {e['msg']}")
    return "; ".join(parts)


def load_bid_list(
    path: Path, *, mapping: str | None = None, lot: str | None = None, sheet: str | None = None
) -> TenderIn:
    """A tender from a CSV (UTF-8, GBK, GB18030), JSON Lines or XLSX bid list."""
    try:
        source = open_source(path, sheet=sheet)
    except ValueError as err:
        raise SchemaViolation(str(err)) from err
    return parse_bid_list(source.rows(), source=path.name, mapping=mapping, lot=lot)
