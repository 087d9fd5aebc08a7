"""Turning one source row into nodes, relationships and credit records through a mapping.

:class:`RowMapper` is compiled once per (mapping, file) and applied to every row.  A row is
atomic: if any value it needs is refused, the row yields nothing and its problems go to the
quarantine (with the column, the value and the reason), so every row is either loaded,
quarantined or an exact duplicate — never half-loaded.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from functools import partial
from pathlib import Path
from typing import Any, NamedTuple

from pydantic import ValidationError

from graph.credit import CreditRecordIn
from graph.identifiers import is_foreign_key
from graph.model import (
    Edge,
    EdgeKind,
    GraphModel,
    Node,
    NodeKind,
    NodeRef,
    PropertySpec,
    trusted_edge,
    trusted_node,
)
from ingest.mapping import Column, CreditSpec, EdgeSpec, Mapping, NodeSpec, When
from ingest.normalise import (
    Reason,
    Rejected,
    clean_text,
    normalise_identifier,
    normalise_property,
    parse_date,
    parse_phone,
)
from ingest.sources import Row

__all__ = ["Problem", "RowMapper", "RowOutcome", "normalise_key"]


@dataclass(frozen=True)
class Problem:
    """Why (part of) a row was refused: column, raw value, reason and detail."""

    field: str
    value: str
    reason: Reason
    detail: str = ""


@dataclass
class RowOutcome:
    """What one row gives: nodes to write, references that must exist, edges, credit records."""

    nodes: list[Node] = field(default_factory=list)
    refs: list[NodeRef] = field(default_factory=list)
    edges: list[Edge] = field(default_factory=list)
    credit: list[CreditRecordIn] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)


def normalise_key(model: GraphModel, kind: str, key: Any, field_name: str = "key") -> str:
    """Validate a whole key string of ``kind`` (``plate|colour``, ``channel|value`` …).

    >>> from graph.model import load_model
    >>> normalise_key(load_model(), "Vehicle", "吉a12345|黄色")
    '吉A12345|2'
    >>> normalise_key(load_model(), "Contact", "phone|+86 138 0013 8000")
    'phone|13800138000'
    """
    text = clean_text(key)
    if not text:
        raise Rejected(Reason.MISSING_KEY, f"{field_name} is empty")
    if kind != "Contact" and is_foreign_key(text):
        model.require_kind(kind)
        return text  # ftm:<id>: a subject the source names only by its own id
    match kind:
        case "Enterprise":
            return normalise_identifier("uscc", text, field_name)
        case "Person":
            return normalise_identifier("id_no", text, field_name)
        case "Vehicle":
            plate, _, colour = text.partition("|")
            if not colour:
                raise Rejected(Reason.INVALID_IDENTIFIER, f"{text!r} is not plate|colour")
            plate = normalise_identifier("plate", plate, field_name)
            return f"{plate}|{normalise_identifier('plate_color', colour, field_name)}"
        case "Contact":
            channel, _, value = text.partition("|")
            return f"{channel}|{contact_value(channel, value)}"
        case _:
            model.require_kind(kind)
            return text


def contact_value(channel: str, value: Any) -> str:
    """A contact value normalised for its channel (phones to digits, e-mail lower case)."""
    if channel == "phone":
        return parse_phone(value)
    if channel == "email":
        text = clean_text(value).lower()
        if "@" not in text:
            raise Rejected(Reason.INVALID_VALUE, f"{value!r} is not an e-mail address")
        return text
    if channel == "address":
        text = clean_text(value)
        if not text:
            raise Rejected(Reason.MISSING_KEY, "address is empty")
        return text
    raise Rejected(Reason.INVALID_VALUE, f"contact channel {channel!r} is not phone/email/address")


def _read(column: Column, values: dict[str, Any]) -> tuple[str, Any]:
    """(header used, value) — the first non-empty of the column's headers, or the constant."""
    if column.const is not None:
        return "", column.const
    for header in column.column:
        value = values.get(header)
        if value is not None and not (isinstance(value, str) and not value.strip()):
            return header, value
    return column.column[0], None


def _holds(when: When, values: dict[str, Any]) -> bool:
    raw = values.get(when.column)
    text = "" if raw is None else clean_text(raw)
    if when.is_in is not None and text not in when.is_in:
        return False
    if when.not_in is not None and text in when.not_in:
        return False
    if when.looks_like is not None and not _is_identifier(when.looks_like, text):
        return False
    return not (when.not_like is not None and _is_identifier(when.not_like, text))


def _is_identifier(kind: str, text: str) -> bool:
    if not text:
        return False
    try:
        normalise_identifier(kind, text, kind)
    except Rejected:
        return False
    return True


_MISS = object()
#: Distinct values a memo keeps per file before it starts afresh (bounds its memory).
MEMO_LIMIT = 1 << 16


class _Refusal(NamedTuple):
    reason: Reason
    detail: str


def _memo(normalise: Callable[[Any], Any], limit: int = MEMO_LIMIT) -> Callable[[Any], Any]:
    """``normalise`` remembered per distinct text value, refusals included.

    Only ``str`` values are remembered (``1``, ``1.0`` and ``True`` are equal keys but may
    be refused with different details); a remembered refusal is raised again as a new
    :class:`Rejected` with the same reason and detail.

    >>> calls = []
    >>> double = _memo(lambda v: calls.append(v) or v * 2)
    >>> double("a"), double("a"), double(2), calls
    ('aa', 'aa', 4, ['a', 2])
    """
    cache: dict[str, Any] = {}

    def call(value: Any) -> Any:
        if type(value) is not str:
            return normalise(value)
        hit = cache.get(value, _MISS)
        if hit is _MISS:
            try:
                hit = normalise(value)
            except Rejected as err:
                hit = _Refusal(err.reason, err.detail)
            if len(cache) >= limit:
                cache.clear()
            cache[value] = hit
        if type(hit) is _Refusal:
            raise Rejected(hit.reason, hit.detail)
        return hit

    return call


Reader = Callable[[dict[str, Any]], tuple[str, Any]]


def _reader(column: Column) -> Reader:
    """:func:`_read` compiled for one column (the one-header case without a loop)."""
    if column.const is not None:
        constant = ("", column.const)
        return lambda values: constant
    if len(column.column) == 1:
        header = column.column[0]

        def one(values: dict[str, Any]) -> tuple[str, Any]:
            value = values.get(header)
            if value is None or (isinstance(value, str) and not value.strip()):
                return header, None
            return header, value

        return one
    return partial(_read, column)


def _text_property(value: Any) -> Any:
    """:func:`normalise_property` for a plain text property (no identifier, no choices)."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    text = clean_text(str(int(value)) if isinstance(value, float) and value.is_integer() else value)
    return text or None


def _normaliser(name: str, spec: PropertySpec) -> Callable[[Any], Any]:
    """:func:`normalise_property` for one property: memoised where values recur (dates,
    choices, yes/no, numbers, identifiers), direct for free text (names, addresses)."""
    if spec.type == "str" and not spec.identifier and not spec.choices:
        return _text_property
    return _memo(partial(normalise_property, name, spec))


@dataclass(frozen=True)
class _PropsPlan:
    """A node built from property columns."""

    alias: str
    spec: NodeSpec
    kind: NodeKind
    #: (property, reader, constant?, normaliser or None for a contact's value)
    props: tuple[tuple[str, Reader, bool, Callable[[Any], Any] | None], ...]


@dataclass(frozen=True)
class _EdgePlan:
    """A relationship between two of the row's nodes."""

    spec: EdgeSpec
    kind: EdgeKind | None  # None: unknown type, refused when first used (as before)
    sources: frozenset[str]
    targets: frozenset[str]
    valid_from: Reader | None
    valid_to: Reader | None
    props: tuple[tuple[str, Reader, Callable[[Any], Any]], ...]
    source: Reader | None


class RowMapper:
    """A mapping compiled for one source file."""

    def __init__(self, mapping: Mapping, model: GraphModel, source_name: str) -> None:
        self.mapping = mapping
        self.model = model
        self.source_name = source_name
        self._short = Path(source_name).name
        self._parse_date = _memo(parse_date)
        self._clean = _memo(clean_text)
        self._key_memos: dict[tuple[str, str], Callable[[Any], str]] = {}
        self._nodes = [
            (alias, self._compile_node(alias, spec)) for alias, spec in mapping.nodes.items()
        ]
        self._edges = [self._compile_edge(spec) for spec in mapping.edges]

    def map(self, row: Row) -> RowOutcome:
        """Nodes, references, edges and credit records of ``row``, or only its problems."""
        out = RowOutcome()
        if row.problem is not None:
            out.problems.append(Problem("", "", Reason.MALFORMED, row.problem))
            return out
        values = row.values
        try:
            undecodable = "\ufffd" in "".join(values.values())
        except TypeError:  # not all text (JSON, Excel): look cell by cell
            undecodable = True
        if undecodable:
            for header, value in values.items():
                if isinstance(value, str) and "\ufffd" in value:
                    detail = "bytes the file's encoding cannot read (give --encoding?)"
                    out.problems.append(Problem(header, value, Reason.ENCODING, detail))
                    return out
        refs: dict[str, NodeRef] = {}
        for alias, build in self._nodes:
            try:
                node = build(row)
            except Rejected as err:
                out.problems.append(_problem(err))
                continue
            if node is None:
                continue
            if isinstance(node, Node):
                out.nodes.append(node)
                refs[alias] = node.ref
            else:
                out.refs.append(node)
                refs[alias] = node
        source = f"{self._short}:{row.number}"
        for plan in self._edges:
            src, dst = refs.get(plan.spec.source_node), refs.get(plan.spec.target_node)
            if src is None or dst is None:
                continue
            try:
                out.edges.append(self._edge(plan, src, dst, values, source))
            except Rejected as err:
                out.problems.append(_problem(err))
        for spec_credit in self.mapping.credit:
            if spec_credit.when and not all(_holds(w, values) for w in spec_credit.when):
                continue
            try:
                record = self._credit(spec_credit, refs, row, source)
            except Rejected as err:
                out.problems.append(_problem(err))
                continue
            out.credit.append(record)
            if not spec_credit.subject:  # named by key columns: it must exist
                out.refs.append(record.subject)
        if out.problems:
            return RowOutcome(problems=out.problems)
        return out

    # -- nodes -----------------------------------------------------------------------------
    def _compile_node(self, alias: str, spec: NodeSpec) -> Callable[[Row], Node | NodeRef | None]:
        """The function that gives one node (or reference) of a row, or None."""
        build: Callable[[Row], Node | NodeRef | None]
        if spec.key_column is not None:
            build = self._keyed_builder(spec, spec.key_column)
        else:
            kind = self.model.get_kind(spec.kind or "")
            if spec.kind_column is not None or kind is None:
                return partial(self._node, alias, spec)  # unknown kind: refused as before
            build = partial(self._props_node, self._props_plan(alias, spec, kind))
        if not spec.when:
            return build
        conditions = spec.when

        def conditional(row: Row) -> Node | NodeRef | None:
            if not all(_holds(w, row.values) for w in conditions):
                return None
            return build(row)

        return conditional

    def _keyed_builder(
        self, spec: NodeSpec, key_column: str
    ) -> Callable[[Row], Node | NodeRef | None]:
        """A node (or reference) named by a whole key column, its kind fixed or read from a
        kind column (canonical relationship files: ``src_kind``/``src_key``)."""
        model, kind_column, optional = self.model, spec.kind_column, spec.optional
        clean = self._clean
        keys: dict[str, Callable[[Any], str]] = {}  # per kind

        def build(row: Row) -> Node | NodeRef | None:
            values = row.values
            if kind_column is not None:
                kind_name = clean(values.get(kind_column) or "")
                if model.get_kind(kind_name) is None:
                    raise Rejected(Reason.UNKNOWN_KIND, f"{kind_column}={kind_name!r}")
            else:
                kind_name = spec.kind or ""
            kind = model.require_kind(kind_name)
            raw = values.get(key_column)
            if optional and (raw is None or not str(raw).strip()):
                return None
            key_of = keys.get(kind_name)
            if key_of is None:
                key_of = keys[kind_name] = self._key(kind_name, key_column)
            try:
                key = key_of(raw)
            except Rejected as err:
                raise _at(err, key_column, raw) from None
            if spec.ref_only:
                return NodeRef(kind_name, key)
            return self._keyed_node(kind, key, spec)

        return build

    def _props_plan(self, alias: str, spec: NodeSpec, kind: NodeKind) -> _PropsPlan:
        props = []
        for prop, column in spec.props.items():
            contact_value = kind.name == "Contact" and prop == "value"
            normalise = None if contact_value else _normaliser(prop, kind.properties[prop])
            props.append((prop, _reader(column), column.const is not None, normalise))
        return _PropsPlan(alias, spec, kind, tuple(props))

    def _node(self, alias: str, spec: NodeSpec, row: Row) -> Node | NodeRef | None:
        values = row.values
        if spec.when and not all(_holds(w, values) for w in spec.when):
            return None
        if spec.kind_column is not None:
            kind_name = self._clean(values.get(spec.kind_column) or "")
            if self.model.get_kind(kind_name) is None:
                raise Rejected(Reason.UNKNOWN_KIND, f"{spec.kind_column}={kind_name!r}")
        else:
            kind_name = spec.kind or ""
        kind = self.model.require_kind(kind_name)
        if spec.key_column is not None:
            raw = values.get(spec.key_column)
            if spec.optional and (raw is None or not str(raw).strip()):
                return None
            try:
                key = self._key(kind_name, spec.key_column)(raw)
            except Rejected as err:
                raise _at(err, spec.key_column, raw) from None
            if spec.ref_only:
                return NodeRef(kind_name, key)
            return self._keyed_node(kind, key, spec)
        return self._props_node(self._props_plan(alias, spec, kind), row)

    def _key(self, kind_name: str, field_name: str) -> Callable[[Any], str]:
        """:func:`normalise_key` for one kind and column, memoised (keys recur in files)."""
        memo = self._key_memos.get((kind_name, field_name))
        if memo is None:
            model = self.model

            def key_of(raw: Any) -> str:
                return normalise_key(model, kind_name, raw, field_name)

            memo = self._key_memos[(kind_name, field_name)] = _memo(key_of)
        return memo

    def _keyed_node(self, kind: NodeKind, key: str, spec: NodeSpec) -> Node:
        props: dict[str, Any] = {}
        parts = key.split(self.model.key_separator) if len(kind.key) > 1 else [key]
        props.update(zip(kind.key, parts, strict=True))
        return trusted_node(kind.name, key, spec.labels, props)

    def _props_node(self, plan: _PropsPlan, row: Row) -> Node | None:
        spec, kind, values = plan.spec, plan.kind, row.values
        props: dict[str, Any] = {}
        given = False
        for prop, read, constant, normalise in plan.props:
            header, raw = read(values)
            if raw is None:
                continue
            given = given or not constant
            if normalise is None:
                value: Any = raw  # a contact's value: normalised with its channel below
            else:
                try:
                    value = normalise(raw)
                except Rejected as err:
                    raise _at(err, header, raw) from None
            if value is not None:
                props[prop] = value
        if kind.name == "Contact" and "value" in props:
            header = spec.props["value"].column[0] if spec.props["value"].column else "value"
            try:
                props["value"] = contact_value(str(props.get("channel", "")), props["value"])
            except Rejected as err:
                raise _at(err, header, props["value"]) from None
        missing = [k for k in kind.key if k not in props]
        if missing and spec.foreign_key:
            foreign = clean_text(values.get(spec.foreign_key) or "")
            if is_foreign_key(foreign):
                props["unresolved"] = True
                return trusted_node(kind.name, foreign, spec.labels, props)
        if missing:
            if spec.unresolved_by and props.get(spec.unresolved_by):
                props["unresolved"] = True
                key = self._unresolved_key(plan.alias, row, str(props[spec.unresolved_by]))
                return trusted_node(kind.name, key, spec.labels, props)
            if spec.optional and not given:
                return None
            header = _first_header(spec, missing[0])
            missing_key = Rejected(Reason.MISSING_KEY, f"{kind.name} needs {missing[0]}")
            raise _at(missing_key, header, "")
        if len(kind.key) == 1:
            key = str(props[kind.key[0]])
        else:
            key = self.model.key_separator.join(str(props[k]) for k in kind.key)
        return trusted_node(kind.name, key, spec.labels, props)

    def _unresolved_key(self, alias: str, row: Row, name: str) -> str:
        """Stable per (file, sheet, row, node): re-ingesting the row gives the same person."""
        raw = "\x1f".join((self._short, row.sheet or "", str(row.number), alias, name))
        return "unresolved:" + hashlib.blake2b(raw.encode(), digest_size=8).hexdigest()

    # -- edges and credit records --------------------------------------------------------
    def _compile_edge(self, spec: EdgeSpec) -> _EdgePlan:
        kind = self.model.get_edge_kind(spec.type)
        props = (
            tuple(
                (prop, _reader(column), _normaliser(prop, kind.properties[prop]))
                for prop, column in spec.props.items()
            )
            if kind is not None
            else ()
        )
        return _EdgePlan(
            spec=spec,
            kind=kind,
            sources=frozenset(kind.sources) if kind is not None else frozenset(),
            targets=frozenset(kind.targets) if kind is not None else frozenset(),
            valid_from=_reader(spec.valid_from) if spec.valid_from is not None else None,
            valid_to=_reader(spec.valid_to) if spec.valid_to is not None else None,
            props=props,
            source=_reader(spec.source) if spec.source is not None else None,
        )

    def _edge(
        self, plan: _EdgePlan, src: NodeRef, dst: NodeRef, values: dict[str, Any], source: str
    ) -> Edge:
        spec = plan.spec
        if plan.kind is None:
            self.model.require_edge_kind(spec.type)  # raises: not in the vocabulary
        if src.kind not in plan.sources or dst.kind not in plan.targets:
            detail = f"{spec.type} cannot join {src.kind} to {dst.kind}"
            raise Rejected(Reason.UNKNOWN_KIND, detail)
        valid_from = self._read_date(plan.valid_from, values)
        valid_to = self._read_date(plan.valid_to, values)
        if valid_from and valid_to and valid_to < valid_from:
            raise Rejected(Reason.DATE_ORDER, f"valid_to {valid_to} < valid_from {valid_from}")
        props: dict[str, Any] = {}
        for prop, read, normalise in plan.props:
            header, raw = read(values)
            try:
                value = normalise(raw)
            except Rejected as err:
                raise _at(err, header, raw) from None
            if value is not None:
                props[prop] = value
        if plan.source is not None:
            given = plan.source(values)[1]
            source = self._clean(given) if given is not None else source
        return trusted_edge(spec.type, src, dst, valid_from, valid_to, source, props)

    def _read_date(self, read: Reader | None, values: dict[str, Any]) -> date | None:
        if read is None:
            return None
        header, raw = read(values)
        if raw is None:
            return None
        try:
            result: date = self._parse_date(raw)
        except Rejected as err:
            raise _at(err, header, raw) from None
        return result

    @staticmethod
    def _date(column: Column | None, row: Row) -> date | None:
        if column is None:
            return None
        header, raw = _read(column, row.values)
        if raw is None:
            return None
        try:
            return parse_date(raw)
        except Rejected as err:
            raise _at(err, header, raw) from None

    def _credit(
        self, spec: CreditSpec, refs: dict[str, NodeRef], row: Row, source: str
    ) -> CreditRecordIn:
        subject = next((refs[a] for a in spec.subject if a in refs), None)
        if spec.subject_kind is not None and spec.subject_key is not None:
            kind_header, kind_raw = _read(spec.subject_kind, row.values)
            kind_name = clean_text(kind_raw or "")
            if self.model.get_kind(kind_name) is None:
                raise Rejected(Reason.UNKNOWN_KIND, f"{kind_header}={kind_name!r}")
            key_header, key_raw = _read(spec.subject_key, row.values)
            try:
                subject = NodeRef(kind_name, normalise_key(self.model, kind_name, key_raw))
            except Rejected as err:
                raise _at(err, key_header, key_raw) from None
        if subject is None:
            raise Rejected(Reason.MISSING_KEY, "the credit record names no subject")
        if spec.source is not None:
            given = _read(spec.source, row.values)[1]
            source = clean_text(given) if given is not None else source
        doc: dict[str, Any] = {"subject": subject, "source": source}
        for name in ("kind", "behaviour_code", "decision_no", "authority", "evidence", "summary"):
            column = getattr(spec, name)
            value = _read(column, row.values)[1] if column is not None else None
            if value is not None:
                doc[name] = clean_text(value)
        for name in ("act_date", "decision_date", "valid_until"):
            when = self._date(getattr(spec, name), row)
            if when is not None:
                doc[name] = when
        try:
            return CreditRecordIn.model_validate(doc)
        except ValidationError as err:
            first = err.errors()[0]
            where = ".".join(str(p) for p in first["loc"])
            raise Rejected(Reason.INVALID_RECORD, f"{where}: {first['msg']}") from None


class _Located(Rejected):
    def __init__(self, err: Rejected, header: str, value: Any) -> None:
        super().__init__(err.reason, err.detail)
        self.header = header
        self.value = value


def _at(err: Rejected, header: str, value: Any) -> _Located:
    return err if isinstance(err, _Located) else _Located(err, header, value)


def _problem(err: Rejected) -> Problem:
    if isinstance(err, _Located):
        value = "" if err.value is None else str(err.value)
        return Problem(err.header, value, err.reason, err.detail)
    return Problem("", "", err.reason, err.detail)


def _first_header(spec: NodeSpec, prop: str) -> str:
    column = spec.props.get(prop)
    return column.column[0] if column is not None and column.column else prop
