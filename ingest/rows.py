"""Turning one source row into nodes, relationships and credit records through a mapping.

:class:`RowMapper` is compiled once per (mapping, file) and applied to every row.  A row is
atomic: if any value it needs is refused, the row yields nothing and its problems go to the
quarantine (with the column, the value and the reason), so every row is either loaded,
quarantined or an exact duplicate — never half-loaded.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from graph.credit import CreditRecordIn
from graph.identifiers import is_foreign_key
from graph.model import Edge, GraphModel, Node, NodeKind, NodeRef
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


class RowMapper:
    """A mapping compiled for one source file."""

    def __init__(self, mapping: Mapping, model: GraphModel, source_name: str) -> None:
        self.mapping = mapping
        self.model = model
        self.source_name = source_name
        self._short = Path(source_name).name

    def map(self, row: Row) -> RowOutcome:
        """Nodes, references, edges and credit records of ``row``, or only its problems."""
        out = RowOutcome()
        if row.problem is not None:
            out.problems.append(Problem("", "", Reason.MALFORMED, row.problem))
            return out
        for header, value in row.values.items():
            if isinstance(value, str) and "\ufffd" in value:
                detail = "bytes the file's encoding cannot read (give --encoding?)"
                out.problems.append(Problem(header, value, Reason.ENCODING, detail))
                return out
        refs: dict[str, NodeRef] = {}
        for alias, spec in self.mapping.nodes.items():
            try:
                node = self._node(alias, spec, row)
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
        for spec_edge in self.mapping.edges:
            src, dst = refs.get(spec_edge.source_node), refs.get(spec_edge.target_node)
            if src is None or dst is None:
                continue
            try:
                out.edges.append(self._edge(spec_edge, src, dst, row, source))
            except Rejected as err:
                out.problems.append(_problem(err))
        for spec_credit in self.mapping.credit:
            if spec_credit.when and not all(_holds(w, row.values) for w in spec_credit.when):
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
    def _node(self, alias: str, spec: NodeSpec, row: Row) -> Node | NodeRef | None:
        values = row.values
        if spec.when and not all(_holds(w, values) for w in spec.when):
            return None
        if spec.kind_column is not None:
            kind_name = clean_text(values.get(spec.kind_column) or "")
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
                key = normalise_key(self.model, kind_name, raw, spec.key_column)
            except Rejected as err:
                raise _at(err, spec.key_column, raw) from None
            if spec.ref_only:
                return NodeRef(kind_name, key)
            return self._keyed_node(kind, key, spec)
        return self._props_node(alias, kind, spec, row)

    def _keyed_node(self, kind: NodeKind, key: str, spec: NodeSpec) -> Node:
        props: dict[str, Any] = {}
        parts = key.split(self.model.key_separator) if len(kind.key) > 1 else [key]
        props.update(zip(kind.key, parts, strict=True))
        return Node.model_construct(kind=kind.name, key=key, labels=spec.labels, props=props)

    def _props_node(self, alias: str, kind: NodeKind, spec: NodeSpec, row: Row) -> Node | None:
        props: dict[str, Any] = {}
        given = False
        for prop, column in spec.props.items():
            header, raw = _read(column, row.values)
            if raw is None:
                continue
            given = given or column.const is None
            try:
                if kind.name == "Contact" and prop == "value":
                    value: Any = raw  # normalised with its channel below
                else:
                    value = normalise_property(prop, kind.properties[prop], raw, field=header)
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
            foreign = clean_text(row.values.get(spec.foreign_key) or "")
            if is_foreign_key(foreign):
                props["unresolved"] = True
                return Node.model_construct(
                    kind=kind.name, key=foreign, labels=spec.labels, props=props
                )
        if missing:
            if spec.unresolved_by and props.get(spec.unresolved_by):
                props["unresolved"] = True
                key = self._unresolved_key(alias, row, str(props[spec.unresolved_by]))
                return Node.model_construct(
                    kind=kind.name, key=key, labels=spec.labels, props=props
                )
            if spec.optional and not given:
                return None
            header = _first_header(spec, missing[0])
            missing_key = Rejected(Reason.MISSING_KEY, f"{kind.name} needs {missing[0]}")
            raise _at(missing_key, header, "")
        key = self.model.key_separator.join(str(props[k]) for k in kind.key)
        return Node.model_construct(kind=kind.name, key=key, labels=spec.labels, props=props)

    def _unresolved_key(self, alias: str, row: Row, name: str) -> str:
        """Stable per (file, sheet, row, node): re-ingesting the row gives the same person."""
        raw = "\x1f".join((self._short, row.sheet or "", str(row.number), alias, name))
        return "unresolved:" + hashlib.blake2b(raw.encode(), digest_size=8).hexdigest()

    # -- edges and credit records --------------------------------------------------------
    def _edge(self, spec: EdgeSpec, src: NodeRef, dst: NodeRef, row: Row, source: str) -> Edge:
        kind = self.model.require_edge_kind(spec.type)
        if src.kind not in kind.sources or dst.kind not in kind.targets:
            detail = f"{spec.type} cannot join {src.kind} to {dst.kind}"
            raise Rejected(Reason.UNKNOWN_KIND, detail)
        valid_from = self._date(spec.valid_from, row)
        valid_to = self._date(spec.valid_to, row)
        if valid_from and valid_to and valid_to < valid_from:
            raise Rejected(Reason.DATE_ORDER, f"valid_to {valid_to} < valid_from {valid_from}")
        props: dict[str, Any] = {}
        for prop, column in spec.props.items():
            header, raw = _read(column, row.values)
            try:
                value = normalise_property(prop, kind.properties[prop], raw, field=header)
            except Rejected as err:
                raise _at(err, header, raw) from None
            if value is not None:
                props[prop] = value
        if spec.source is not None:
            given = _read(spec.source, row.values)[1]
            source = clean_text(given) if given is not None else source
        return Edge.model_construct(
            type=spec.type,
            src=src,
            dst=dst,
            valid_from=valid_from,
            valid_to=valid_to,
            source=source,
            props=props,
        )

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
