"""FollowTheMoney entities in: JSON lines as OpenSanctions publishes and Aleph exports them.

:class:`FtmSource` reads a file of FtM entities and hands the ingest pipeline flat rows
that the built-in mapping ``ingest/mappings/ftm.yaml`` maps like any other file, so
quarantine, count identity, idempotency, checkpoints and checksums are the pipeline's.
The schemata come from the ``followthemoney`` package (``Company`` and ``PublicBody`` are
legal entities, ``Vessel`` is a vehicle …):

* a legal entity → ``Enterprise`` keyed by the first valid USCC among its registration
  numbers, a person → ``Person`` keyed by a valid 居民身份证号; otherwise, and for every
  vehicle (FtM has no plate colour), the key is ``ftm:<id>`` and ``unresolved`` is true —
  never merged by name;
* ``Address`` → an address ``Contact``; ``phone`` / ``email`` / ``addressEntity`` of a
  legal entity → ``HAS_CONTACT`` (the first three of each);
* ``Ownership`` → ``SHAREHOLDER_OF`` (percentage, share count; role 实际控制人 →
  ``ACTUAL_CONTROLLER_OF``), ``Directorship`` → ``OFFICER_OF`` (role; 法定代表人 →
  ``LEGAL_REP_OF``, 主要负责人 → ``PRINCIPAL_OF``), ``Employment`` → ``EMPLOYED_BY``,
  ``Family`` / ``Associate`` → ``ASSOCIATE_OF``, with ``startDate`` / ``endDate`` as the
  validity window; ``Sanction`` → a credit record (authority, program, dates);
* any other schema becomes a quarantined row (``unknown kind``) naming the schema.

The file is read in three parts — entities, vehicles (which name their owners), links —
so every relation's endpoints are written before it; rows keep their line numbers.
References are resolved within the file: a relation naming an entity the file lacks is
quarantined.

>>> rows = list(flatten_lines(['{"id": "c1", "schema": "Company", "properties": '
...     '{"name": ["甲运输"], "registrationNumber": ["91110000600037341L"]}}']))
>>> rows[0].values["ftm_target"], rows[0].values["uscc"], rows[0].values["foreign_key"]
('enterprise', '91110000600037341L', 'ftm:c1')
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from graph.exc import CreditlinkError
from graph.identifiers import FOREIGN_KEY_PREFIX
from ingest.normalise import Rejected, clean_text, normalise_identifier, parse_phone
from ingest.sources import Row, Source, parse_jsonl

__all__ = [
    "MINTED_PREFIX",
    "FtmScan",
    "FtmSource",
    "InteropUnavailable",
    "flatten_lines",
    "ftm_schemata",
    "looks_like_ftm",
    "scan_ftm",
]

#: Ids the creditlink exporter mints for nodes that have no FtM id; not kept as ``ftm_id``.
MINTED_PREFIX = "cl-"
CONTACT_SLOTS = 3
_USCC_PROPS = ("registrationNumber", "taxNumber", "idNumber", "uniqueEntityId", "vatCode")
_ID_NO_PROPS = ("idNumber", "nationalId", "taxNumber", "passportNumber")
_LEGAL_REP_ROLES = frozenset({"法定代表人", "legal representative"})
_PRINCIPAL_ROLES = frozenset({"主要负责人", "principal"})
_CONTROLLER_ROLES = frozenset({"实际控制人", "actual controller"})
_CREDIT_KINDS = frozenset(
    {"dishonesty", "honour", "red_list", "black_list", "失信记录", "守信记录", "红名单", "黑名单"}
)
#: Relation schemata: the properties naming the two ends, and the row target.
_LINKS = {
    "Ownership": ("owner", "asset", "shareholder"),
    "Directorship": ("director", "organization", "officer"),
    "Employment": ("employee", "employer", "employee"),
    "Family": ("person", "relative", "associate"),
    "Associate": ("person", "associate", "associate"),
}
_PARTS = ("entities", "vehicles", "links")
_COLUMNS = (
    *("ftm_id", "ftm_schema", "ftm_target", "ftm_keep_id", "ftm_source", "foreign_key"),
    *("unmapped_schema", "name", "uscc", "id_no", "plate", "plate_color", "sector"),
    *("address", "established", "status", "vehicle_type", "owner_kind", "owner_key"),
    *("operator_kind", "operator_key", "src_kind", "src_key", "dst_kind", "dst_key"),
    *("start", "end", "ratio", "shares", "role", "subject_kind", "subject_key"),
    *("credit_kind", "behaviour_code", "decision_no", "authority", "decision_date"),
    *("valid_until", "evidence", "summary"),
    *(f"{c}_{i}" for c in ("phone", "email", "address") for i in range(1, CONTACT_SLOTS + 1)),
)


class InteropUnavailable(CreditlinkError):
    """The optional ``interop`` extra (the ``followthemoney`` package) is not installed."""

    status = 501
    title = "FollowTheMoney support not installed"


def ftm_schemata() -> Any:
    """followthemoney's schema model, imported when first needed.

    It is an optional extra (``pip install 'creditlink[interop]'``): its ``normality``
    dependency builds PyICU from source, which needs ICU headers and a C++ compiler
    (Debian: ``libicu-dev pkg-config g++``), more than the demo should ask of a machine.

    >>> ftm_schemata().get("Company").name
    'Company'
    """
    try:
        from followthemoney import model
    except ImportError as err:
        raise InteropUnavailable(
            "FollowTheMoney import and export need the optional followthemoney package "
            "(the 'interop' extra): pip install 'followthemoney>=4,<5' "
            "(it builds PyICU: apt-get install libicu-dev pkg-config g++)"
        ) from err
    return model


def foreign_key(ftm_id: str) -> str:
    """The key of an entity known only by its FtM id.

    >>> foreign_key("NK-2xAb")
    'ftm:NK-2xAb'
    """
    return f"{FOREIGN_KEY_PREFIX}{ftm_id}"


def target_of(schema_name: str) -> str:
    """The row target of an FtM schema (``unmapped`` when creditlink has no mapping).

    >>> target_of("PublicBody"), target_of("Vessel"), target_of("Payment")
    ('enterprise', 'vehicle', 'unmapped')
    """
    schema = ftm_schemata().get(schema_name)
    if schema is None:
        return "unmapped"
    if schema.name in _LINKS:
        return _LINKS[schema.name][2]
    for parent, target in (
        ("Person", "person"),
        ("LegalEntity", "enterprise"),
        ("Vehicle", "vehicle"),
        ("Address", "contact"),
        ("Sanction", "sanction"),
    ):
        if schema.is_a(parent):
            return target
    return "unmapped"


def _part_of(target: str) -> str:
    if target in ("enterprise", "person", "contact"):
        return "entities"
    return "vehicles" if target == "vehicle" else "links"


def _values(entity: dict[str, Any], prop: str) -> list[str]:
    raw = (entity.get("properties") or {}).get(prop) or []
    values = raw if isinstance(raw, list) else [raw]
    return [str(v) for v in values if v is not None and str(v).strip()]


def _first(entity: dict[str, Any], *props: str) -> str | None:
    for prop in props:
        values = _values(entity, prop)
        if values:
            return values[0]
    return None


def _valid(kind: str, values: Iterable[str]) -> str | None:
    for value in values:
        try:
            return normalise_identifier(kind, value, kind)
        except Rejected:
            continue
    return None


def ftm_date(value: str | None) -> str | None:
    """An FtM date (``2019``, ``2019-05``, ``2019-05-28T10:00``) as an ISO day; a partial
    date is taken at its first day.

    >>> ftm_date("2019"), ftm_date("2019-05"), ftm_date("2019-05-28T10:00:00")
    ('2019-01-01', '2019-05-01', '2019-05-28')
    """
    if not value:
        return None
    text = value.strip()[:10]
    return {4: f"{text}-01-01", 7: f"{text}-01"}.get(len(text), text)


def _address_text(entity: dict[str, Any]) -> str | None:
    full = _first(entity, "full")
    if full:
        return full
    parts = [_first(entity, p) for p in ("street", "city", "region", "postalCode", "country")]
    joined = ", ".join(p for p in parts if p)
    return joined or None


@dataclass
class _Index:
    """What pass one learns: the (kind, key) of every entity and the text of every address."""

    refs: dict[str, tuple[str, str]] = field(default_factory=dict)
    addresses: dict[str, str] = field(default_factory=dict)

    def ref(self, ftm_id: str | None) -> tuple[str, str]:
        if not ftm_id:
            return "", ""
        return self.refs.get(ftm_id, (f"not in the file: {ftm_id}", foreign_key(ftm_id)))


def _thing_key(target: str, entity: dict[str, Any], ftm_id: str) -> tuple[str, str]:
    if target == "enterprise":
        props = [v for p in _USCC_PROPS for v in _values(entity, p)]
        uscc = _valid("uscc", props)
        return "Enterprise", uscc or foreign_key(ftm_id)
    if target == "person":
        id_no = _valid("id_no", [v for p in _ID_NO_PROPS for v in _values(entity, p)])
        return "Person", id_no or foreign_key(ftm_id)
    return "Vehicle", foreign_key(ftm_id)


def _index(entities: Iterable[tuple[Row, dict[str, Any]]]) -> _Index:
    index = _Index()
    for _, entity in entities:
        ftm_id, target = str(entity["id"]), target_of(str(entity["schema"]))
        if target in ("enterprise", "person", "vehicle"):
            index.refs[ftm_id] = _thing_key(target, entity, ftm_id)
        elif target == "contact":
            text = _address_text(entity)
            if text:
                index.addresses[ftm_id] = text
    return index


def _contacts(values: dict[str, Any], entity: dict[str, Any], index: _Index) -> None:
    phones = []
    for raw in _values(entity, "phone"):
        try:
            phones.append(parse_phone(raw))
        except Rejected:
            continue  # a phone the Chinese rules cannot read (foreign numbers) is left out
    emails = [e.lower() for e in _values(entity, "email") if "@" in e]
    addresses = [
        index.addresses[a] for a in _values(entity, "addressEntity") if a in index.addresses
    ]
    for channel, found in (("phone", phones), ("email", emails), ("address", addresses)):
        for i, value in enumerate(dict.fromkeys(found).keys()):
            if i < CONTACT_SLOTS:
                values[f"{channel}_{i + 1}"] = value


def _flat(entity: dict[str, Any], index: _Index) -> dict[str, Any]:
    ftm_id, schema = str(entity["id"]), str(entity["schema"])
    target = target_of(schema)
    v: dict[str, Any] = dict.fromkeys(_COLUMNS)
    record = _first(entity, "recordId")
    v.update(ftm_id=ftm_id, ftm_schema=schema, ftm_target=target, foreign_key=foreign_key(ftm_id))
    v["ftm_source"] = record or f"ftm:{ftm_id}"
    v["ftm_keep_id"] = None if ftm_id.startswith(MINTED_PREFIX) else ftm_id
    if target in ("enterprise", "person", "vehicle"):
        kind, key = index.refs[ftm_id]
        v.update(name=_first(entity, "name"))
        if kind == "Enterprise" and not key.startswith("ftm:"):
            v["uscc"] = key
        if kind == "Person" and not key.startswith("ftm:"):
            v["id_no"] = key
    if target == "enterprise":
        v.update(
            sector=_first(entity, "sector"),
            address=_first(entity, "address"),
            established=ftm_date(_first(entity, "incorporationDate")),
            status=_first(entity, "status"),
        )
    if target in ("enterprise", "person"):
        _contacts(v, entity, index)
    elif target == "vehicle":
        v["plate"] = _valid("plate", _values(entity, "registrationNumber"))
        v["vehicle_type"] = _first(entity, "type")
        v["owner_kind"], v["owner_key"] = index.ref(_first(entity, "owner"))
        v["operator_kind"], v["operator_key"] = index.ref(_first(entity, "operator"))
    elif target == "contact":
        v["address"] = index.addresses.get(ftm_id)
    elif target == "sanction":
        _sanction(v, entity, index)
    elif target == "unmapped":
        known = (
            "FtM schema without a creditlink mapping"
            if ftm_schemata().get(schema)
            else "no FtM schema"
        )
        v["unmapped_schema"] = f"{schema} ({known})"
    else:
        _link(v, schema, entity, index)
    return v


def _link(v: dict[str, Any], schema: str, entity: dict[str, Any], index: _Index) -> None:
    src_prop, dst_prop, _ = _LINKS[schema]
    v["src_kind"], v["src_key"] = index.ref(_first(entity, src_prop))
    v["dst_kind"], v["dst_key"] = index.ref(_first(entity, dst_prop))
    v["start"] = ftm_date(_first(entity, "startDate"))
    v["end"] = ftm_date(_first(entity, "endDate"))
    role = _first(entity, "relationship" if schema in ("Family", "Associate") else "role")
    v["role"] = role or ({"Family": "family", "Associate": "associate"}.get(schema))
    wording = (role or "").strip().lower()
    if schema == "Ownership":
        percentage = _first(entity, "percentage")
        v["ratio"] = f"{percentage.rstrip('%')}%" if percentage else None
        v["shares"] = _first(entity, "sharesCount")
        if wording in _CONTROLLER_ROLES:
            v["ftm_target"] = "controller"
    elif schema == "Directorship" and wording in _LEGAL_REP_ROLES:
        v["ftm_target"] = "legal_rep"
    elif schema == "Directorship" and wording in _PRINCIPAL_ROLES:
        v["ftm_target"] = "principal"


def _sanction(v: dict[str, Any], entity: dict[str, Any], index: _Index) -> None:
    v["subject_kind"], v["subject_key"] = index.ref(_first(entity, "entity"))
    status = clean_text(_first(entity, "status") or "")
    v["credit_kind"] = status if status in _CREDIT_KINDS else "black_list"
    v["behaviour_code"] = _first(entity, "programId")
    v["decision_no"] = _first(entity, "authorityId", "unscId") or f"ftm:{v['ftm_id']}"
    v["authority"] = _first(entity, "authority", "publisher")
    v["decision_date"] = ftm_date(_first(entity, "startDate", "listingDate", "date"))
    v["valid_until"] = ftm_date(_first(entity, "endDate"))
    v["evidence"] = ";".join(_values(entity, "sourceUrl")) or None
    given = _first(entity, "summary")
    wording = [_first(entity, "program"), _first(entity, "reason")]
    v["summary"] = given or "; ".join(w for w in wording if w) or None


def _entities(lines: Iterable[str]) -> Iterator[tuple[Row, dict[str, Any]]]:
    """Parsed lines; malformed ones come back with their problem and an empty entity."""
    for row in parse_jsonl(lines):
        values = row.values
        if row.problem is None and not (values.get("id") and values.get("schema")):
            row = Row(row.number, row.values, problem="an FtM entity needs 'id' and 'schema'")
        yield row, values if row.problem is None else {}


def flatten_lines(lines: Iterable[str], part: str | None = None) -> Iterator[Row]:
    """Flat rows of FtM JSON lines (all of them, or one part); for tests and doctests."""
    text = list(lines)
    index = _index((r, e) for r, e in _entities(text) if e)
    for row, entity in _entities(text):
        if not entity:
            if part in (None, "links"):  # malformed lines are reported with the links
                yield row
            continue
        values = _flat(entity, index)
        if part is None or _part_of(values["ftm_target"]) == part:
            yield Row(row.number, values, sheet=part)


class FtmSource(Source):
    """A FollowTheMoney JSON lines file, read in three parts: entities, vehicles, links."""

    suffixes = (".ftm.json", ".ftm.jsonl")

    def __init__(self, path: Path, encoding: str | None = None) -> None:
        super().__init__(path)
        self.encoding = encoding or "utf-8-sig"
        self._index: _Index | None = None

    def _lines(self) -> Iterator[str]:
        with self.path.open(encoding=self.encoding, errors="replace") as fh:
            yield from fh

    def _part(self, part: str) -> Iterator[Row]:
        if self._index is None:
            self._index = _index((r, e) for r, e in _entities(self._lines()) if e)
        for row, entity in _entities(self._lines()):
            if not entity:
                if part == "links":
                    yield Row(row.number, row.values, sheet=part, problem=row.problem)
                continue
            values = _flat(entity, self._index)
            if _part_of(values["ftm_target"]) == part:
                yield Row(row.number, values, sheet=part)

    def rows(self) -> Iterator[Row]:
        """Every row, parts in order."""
        for _, rows in self.parts():
            yield from rows

    def parts(self) -> Iterator[tuple[str | None, Iterator[Row]]]:
        """Entities, then vehicles (they name owners), then links (they name both)."""
        for part in _PARTS:
            yield part, self._part(part)


def looks_like_ftm(path: Path, lines: int = 20) -> bool:
    """Whether a JSON lines file holds FtM entities (its first object has id, schema and
    properties, and the schema is one FtM knows).

    >>> looks_like_ftm(Path("/nonexistent.jsonl"))
    False
    """
    try:
        with path.open(encoding="utf-8-sig", errors="replace") as fh:
            for _, line in zip(range(lines), fh, strict=False):
                try:
                    value = json.loads(line)
                except json.JSONDecodeError:
                    continue
                if isinstance(value, dict):
                    keys = {"id", "schema", "properties"}
                    if not keys <= set(value):
                        return False
                    try:  # without the extra, the shape decides (reading it then says why)
                        return ftm_schemata().get(str(value["schema"])) is not None
                    except InteropUnavailable:
                        return True
    except OSError:
        return False
    return False


class FtmScan(dict[str, dict[str, int]]):
    """Entities per schema and what they map to: ``{schema: {target: count}}``."""

    @property
    def unmapped(self) -> dict[str, int]:
        """Schemata creditlink has no mapping for, with their counts."""
        return {s: t["unmapped"] for s, t in sorted(self.items()) if "unmapped" in t}


#: What each row target becomes in creditlink's words (for the import summary).
BECOMES = {
    "enterprise": "Enterprise",
    "person": "Person",
    "vehicle": "Vehicle",
    "contact": "Contact (address)",
    "shareholder": "SHAREHOLDER_OF",
    "controller": "ACTUAL_CONTROLLER_OF",
    "officer": "OFFICER_OF",
    "legal_rep": "LEGAL_REP_OF",
    "principal": "PRINCIPAL_OF",
    "employee": "EMPLOYED_BY",
    "associate": "ASSOCIATE_OF",
    "sanction": "credit record",
    "unmapped": "unmapped",
}


def scan_ftm(path: Path) -> FtmScan:
    """Count the entities of an FtM file by schema and what they become (the roles of a
    ``Directorship`` or an ``Ownership`` decide its relationship type).

    >>> from pathlib import Path
    >>> scan_ftm(Path("tests/fixtures/ftm_cluster/cluster.ftm.json"))["Directorship"]
    {'LEGAL_REP_OF': 1, 'OFFICER_OF': 3}
    """
    counts: dict[str, Counter[str]] = {}
    source = FtmSource(path)
    for _, rows in source.parts():
        for row in rows:
            if row.problem is None:
                schema, target = str(row.values["ftm_schema"]), str(row.values["ftm_target"])
                counts.setdefault(schema, Counter())[BECOMES[target]] += 1
    return FtmScan({s: dict(sorted(c.items())) for s, c in sorted(counts.items())})
