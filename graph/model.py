"""The graph model: the vocabulary (``vocabulary.yaml``) loaded and checked, and the
``Node`` / ``Edge`` records every store reads and writes.

The vocabulary is data (the followthemoney way).  :func:`load_model` validates it with
pydantic and cross-checks it, failing fast with :class:`~graph.exc.InvalidModel`.
Look-ups come in pairs: ``get_kind`` returns None, ``require_kind`` raises.

>>> model = load_model()
>>> model.require_kind("Vehicle").key
['plate', 'plate_color']
>>> node = model.make_node("Enterprise", {"uscc": "91110000600037341L", "name": "甲运输"})
>>> node.ref
NodeRef(kind='Enterprise', key='91110000600037341L')
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Mapping
from datetime import date
from enum import StrEnum
from functools import cache
from pathlib import Path
from typing import Any, Literal, NamedTuple

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from graph import identifiers
from graph.exc import InvalidModel, SchemaViolation

__all__ = [
    "Direction",
    "Edge",
    "EdgeKind",
    "GraphModel",
    "Node",
    "NodeKind",
    "NodeRef",
    "PropertySpec",
    "is_valid_on",
    "load_model",
    "trusted_edge",
    "trusted_node",
]

VOCABULARY_FILE = Path(__file__).with_name("vocabulary.yaml")
#: Property names the stores use for bookkeeping; the vocabulary may not declare them.
RESERVED_NODE_PROPERTIES = frozenset({"uid", "key"})
RESERVED_EDGE_PROPERTIES = frozenset({"eid", "valid_from", "valid_to", "source"})

_VALIDATORS: dict[str, Callable[[str, str], str]] = {
    "uscc": identifiers.validate_uscc,
    "id_no": identifiers.validate_id_no,
    "plate": identifiers.validate_plate,
    "plate_color": identifiers.validate_plate_color,
}


class Direction(StrEnum):
    """Which way a relationship is followed from the node at hand."""

    OUT = "out"
    IN = "in"
    BOTH = "both"


class NodeRef(NamedTuple):
    """The identity of a node: its kind and its key string."""

    kind: str
    key: str

    @property
    def uid(self) -> str:
        """One string naming the node across kinds, e.g. ``Enterprise:9111…``."""
        return f"{self.kind}:{self.key}"

    @classmethod
    def from_uid(cls, uid: str) -> NodeRef:
        """Inverse of :attr:`uid`.

        >>> NodeRef.from_uid("Vehicle:吉A12345|2")
        NodeRef(kind='Vehicle', key='吉A12345|2')
        """
        kind, _, key = uid.partition(":")
        return cls(kind, key)


class PropertySpec(BaseModel):
    """One declared property of a node or relationship kind."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    type: Literal["str", "int", "float", "bool", "date"]
    gloss: str = ""
    identifier: Literal["uscc", "id_no", "plate", "plate_color"] | None = None
    choices: list[str] | None = None


class NodeKind(BaseModel):
    """A node label, its key properties and its declared properties."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str = ""
    gloss: str = ""
    key: list[str]
    pii: list[str] = Field(default_factory=list)
    extra_labels: list[str] = Field(default_factory=list)
    properties: dict[str, PropertySpec]

    @model_validator(mode="after")
    def _keys_are_properties(self) -> NodeKind:
        for name in (*self.key, *self.pii):
            if name not in self.properties:
                raise ValueError(f"{name!r} is used as key or pii but is not a property")
        return self


class EdgeKind(BaseModel):
    """A relationship type with the node kinds it may join."""

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    name: str = ""
    gloss: str = ""
    sources: list[str] = Field(alias="from")
    targets: list[str] = Field(alias="to")
    labels_source: str | None = None
    properties: dict[str, PropertySpec] = Field(default_factory=dict)


def is_valid_on(valid_from: date | None, valid_to: date | None, as_of: date | None) -> bool:
    """True when ``as_of`` lies in the half-open interval ``[valid_from, valid_to)``.

    ``as_of=None`` means "regardless of time".

    >>> is_valid_on(date(2020, 1, 1), date(2021, 6, 1), date(2021, 6, 1))
    False
    >>> is_valid_on(None, None, date(1999, 1, 1))
    True
    """
    if as_of is None:
        return True
    return (valid_from is None or valid_from <= as_of) and (valid_to is None or as_of < valid_to)


class Node(BaseModel):
    """A node as stored: kind, key, extra labels and property values."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    kind: str
    key: str
    labels: tuple[str, ...] = ()
    props: dict[str, Any] = Field(default_factory=dict)

    @property
    def ref(self) -> NodeRef:
        """The node's identity."""
        return NodeRef(self.kind, self.key)


class Edge(BaseModel):
    """A dated relationship between two nodes, with the source that asserted it."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    type: str
    src: NodeRef
    dst: NodeRef
    valid_from: date | None = None
    valid_to: date | None = None
    source: str | None = None
    props: dict[str, Any] = Field(default_factory=dict)

    @property
    def eid(self) -> str:
        """Stable identity: type, endpoints and start date (re-upserting updates, never adds)."""
        start = self.valid_from.isoformat() if self.valid_from else ""
        raw = "\x1f".join((self.type, self.src.uid, self.dst.uid, start))
        return hashlib.blake2b(raw.encode(), digest_size=12).hexdigest()

    def valid_on(self, as_of: date | None) -> bool:
        """Whether the relationship held on ``as_of`` (None = always true)."""
        return is_valid_on(self.valid_from, self.valid_to, as_of)


_set = object.__setattr__


def trusted_node(kind: str, key: str, labels: tuple[str, ...], props: dict[str, Any]) -> Node:
    """A :class:`Node` from values already checked, without validation.

    Exactly what ``Node.model_construct`` with all four fields gives (same ``__dict__``,
    fields set, equality and pickle), about four times faster: ingest builds one per row.

    >>> a = trusted_node("Enterprise", "k", (), {"uscc": "k"})
    >>> b = Node.model_construct(kind="Enterprise", key="k", labels=(), props={"uscc": "k"})
    >>> a == b, a.model_fields_set == b.model_fields_set, a.__dict__ == b.__dict__
    (True, True, True)
    """
    node = _new_node(Node)
    _set(node, "__dict__", {"kind": kind, "key": key, "labels": labels, "props": props})
    _set(node, "__pydantic_fields_set__", {"kind", "key", "labels", "props"})
    _set(node, "__pydantic_extra__", None)
    _set(node, "__pydantic_private__", None)
    return node


def trusted_edge(
    type: str,
    src: NodeRef,
    dst: NodeRef,
    valid_from: date | None,
    valid_to: date | None,
    source: str | None,
    props: dict[str, Any],
) -> Edge:
    """An :class:`Edge` from values already checked: ``Edge.model_construct`` with every
    field given, faster (see :func:`trusted_node`).

    >>> r = NodeRef("Person", "p"), NodeRef("Enterprise", "e")
    >>> a = trusted_edge("OWNS", *r, None, None, "f.csv:2", {})
    >>> b = Edge.model_construct(type="OWNS", src=r[0], dst=r[1], valid_from=None,
    ...                          valid_to=None, source="f.csv:2", props={})
    >>> a == b, a.model_fields_set == b.model_fields_set, list(a.__dict__) == list(b.__dict__)
    (True, True, True)
    """
    edge = _new_edge(Edge)
    _set(
        edge,
        "__dict__",
        {
            "type": type,
            "src": src,
            "dst": dst,
            "valid_from": valid_from,
            "valid_to": valid_to,
            "source": source,
            "props": props,
        },
    )
    _set(
        edge,
        "__pydantic_fields_set__",
        {"type", "src", "dst", "valid_from", "valid_to", "source", "props"},
    )
    _set(edge, "__pydantic_extra__", None)
    _set(edge, "__pydantic_private__", None)
    return edge


_new_node = Node.__new__
_new_edge = Edge.__new__


class _Vocabulary(BaseModel):
    model_config = ConfigDict(extra="forbid")

    version: int
    base_label: str
    key_separator: str
    nodes: dict[str, NodeKind]
    edges: dict[str, EdgeKind]


class GraphModel:
    """The checked vocabulary with look-ups and node/edge constructors."""

    def __init__(self, vocabulary: _Vocabulary) -> None:
        self.version = vocabulary.version
        self.base_label = vocabulary.base_label
        self.key_separator = vocabulary.key_separator
        self.nodes = {n: k.model_copy(update={"name": n}) for n, k in vocabulary.nodes.items()}
        self.edges = {n: k.model_copy(update={"name": n}) for n, k in vocabulary.edges.items()}
        self._check()

    def _check(self) -> None:
        extra_labels = {label for kind in self.nodes.values() for label in kind.extra_labels}
        for name, edge in self.edges.items():
            for endpoint in (*edge.sources, *edge.targets):
                if endpoint not in self.nodes:
                    raise InvalidModel(f"edge {name}: unknown node kind {endpoint!r}")
            if edge.labels_source and edge.labels_source not in extra_labels:
                raise InvalidModel(f"edge {name}: label {edge.labels_source!r} is not declared")
        clash = set(self.nodes) & (set(self.edges) | extra_labels | {self.base_label})
        if clash:
            raise InvalidModel(f"names used twice: {sorted(clash)}")
        for kind in self.nodes.values():
            if reserved := set(kind.properties) & RESERVED_NODE_PROPERTIES:
                raise InvalidModel(f"node kind {kind.name}: reserved names {sorted(reserved)}")
        for edge in self.edges.values():
            if reserved := set(edge.properties) & RESERVED_EDGE_PROPERTIES:
                raise InvalidModel(f"edge {edge.name}: reserved names {sorted(reserved)}")

    # -- look-ups -------------------------------------------------------------------------
    def get_kind(self, name: str) -> NodeKind | None:
        """The node kind called ``name``, or None."""
        return self.nodes.get(name)

    def require_kind(self, name: str) -> NodeKind:
        """The node kind called ``name``; raises :class:`SchemaViolation` if unknown."""
        kind = self.nodes.get(name)
        if kind is None:
            raise SchemaViolation(f"unknown node kind {name!r}; known: {sorted(self.nodes)}")
        return kind

    def get_edge_kind(self, name: str) -> EdgeKind | None:
        """The relationship type called ``name``, or None."""
        return self.edges.get(name)

    def require_edge_kind(self, name: str) -> EdgeKind:
        """The relationship type called ``name``; raises :class:`SchemaViolation` if unknown."""
        kind = self.edges.get(name)
        if kind is None:
            raise SchemaViolation(
                f"unknown relationship type {name!r}; known: {sorted(self.edges)}"
            )
        return kind

    def require_edge_types(self, names: Any) -> tuple[str, ...] | None:
        """Check a user-given filter of relationship types against the allow-list.

        >>> load_model().require_edge_types(["OWNS", "DRIVES"])
        ('DRIVES', 'OWNS')
        """
        if names is None:
            return None
        return tuple(sorted({self.require_edge_kind(str(n)).name for n in names}))

    @property
    def labels(self) -> frozenset[str]:
        """Every label a store may write: base, kinds and extra labels."""
        extra = {label for kind in self.nodes.values() for label in kind.extra_labels}
        return frozenset({self.base_label, *self.nodes, *extra})

    # -- constructors -----------------------------------------------------------------------
    def key_for(self, kind: str, props: Mapping[str, Any]) -> str:
        """The key string of a node of ``kind`` with validated ``props``."""
        spec = self.require_kind(kind)
        parts = []
        for name in spec.key:
            value = props.get(name)
            if value is None or value == "":
                raise SchemaViolation(f"{kind} needs {name!r} to build its key")
            parts.append(str(value))
        return self.key_separator.join(parts)

    def make_node(
        self,
        kind: str,
        props: Mapping[str, Any],
        *,
        key: str | None = None,
        labels: tuple[str, ...] = (),
    ) -> Node:
        """Validate and normalise ``props`` and build the node (key derived unless given).

        An explicit ``key`` is for subjects without an identifier (unresolved persons).
        """
        spec = self.require_kind(kind)
        clean = _check_props(f"{kind}", spec.properties, props)
        for label in labels:
            if label not in spec.extra_labels:
                raise SchemaViolation(f"{kind} cannot carry label {label!r}")
        node_key = key if key is not None else self.key_for(kind, clean)
        return Node(kind=kind, key=node_key, labels=tuple(sorted(set(labels))), props=clean)

    def make_edge(
        self,
        type: str,
        src: NodeRef,
        dst: NodeRef,
        *,
        valid_from: date | None = None,
        valid_to: date | None = None,
        source: str | None = None,
        props: Mapping[str, Any] | None = None,
    ) -> Edge:
        """Check endpoints and properties against the vocabulary and build the edge.

        >>> m = load_model()
        >>> m.make_edge("OWNS", NodeRef("Vehicle", "x"), NodeRef("Person", "y"))
        Traceback (most recent call last):
        ...
        graph.exc.SchemaViolation: OWNS cannot start at Vehicle (allowed: ['Person', 'Enterprise'])
        """
        spec = self.require_edge_kind(type)
        if src.kind not in spec.sources:
            raise SchemaViolation(f"{type} cannot start at {src.kind} (allowed: {spec.sources})")
        if dst.kind not in spec.targets:
            raise SchemaViolation(f"{type} cannot end at {dst.kind} (allowed: {spec.targets})")
        if valid_from and valid_to and valid_to < valid_from:
            raise SchemaViolation(f"{type}: valid_to {valid_to} is before valid_from {valid_from}")
        clean = _check_props(type, spec.properties, props or {})
        return Edge(
            type=type,
            src=src,
            dst=dst,
            valid_from=valid_from,
            valid_to=valid_to,
            source=source,
            props=clean,
        )

    def check_node(self, node: Node) -> None:
        """Raise :class:`SchemaViolation` unless ``node`` fits the vocabulary."""
        spec = self.require_kind(node.kind)
        if node.props.keys() <= spec.properties.keys() and all(
            label in spec.extra_labels for label in node.labels
        ):
            return  # the common case, without building sets
        unknown = set(node.props) - set(spec.properties)
        bad_labels = set(node.labels) - set(spec.extra_labels)
        if unknown or bad_labels:
            raise SchemaViolation(f"{node.kind}: undeclared {sorted(unknown | bad_labels)}")

    def check_edge(self, edge: Edge) -> None:
        """Raise :class:`SchemaViolation` unless ``edge`` fits the vocabulary."""
        spec = self.edges.get(edge.type) or self.require_edge_kind(edge.type)
        if edge.src.kind not in spec.sources or edge.dst.kind not in spec.targets:
            raise SchemaViolation(f"{edge.type} cannot join {edge.src.kind} to {edge.dst.kind}")
        if edge.props.keys() <= spec.properties.keys():
            return
        unknown = set(edge.props) - set(spec.properties)
        if unknown:
            raise SchemaViolation(f"{edge.type}: undeclared properties {sorted(unknown)}")


def _check_props(
    owner: str, specs: Mapping[str, PropertySpec], props: Mapping[str, Any]
) -> dict[str, Any]:
    clean: dict[str, Any] = {}
    for name, value in props.items():
        spec = specs.get(name)
        if spec is None:
            raise SchemaViolation(f"{owner} has no property {name!r}; declared: {sorted(specs)}")
        if value is None or value == "":
            continue
        clean[name] = _coerce(owner, name, spec, value)
    return clean


def _coerce(owner: str, name: str, spec: PropertySpec, value: Any) -> Any:
    if spec.identifier:
        return _VALIDATORS[spec.identifier](str(value), name)
    try:
        match spec.type:
            case "str":
                text = str(value).strip()
                if spec.choices and text not in spec.choices:
                    raise ValueError(f"not one of {spec.choices}")
                return text
            case "int":
                return int(value)
            case "float":
                return float(value)
            case "bool":
                return _to_bool(value)
            case "date":
                return value if isinstance(value, date) else date.fromisoformat(str(value))
    except (TypeError, ValueError) as err:
        raise SchemaViolation(f"{owner}.{name} = {value!r}: {err}") from None
    raise AssertionError(spec.type)  # pragma: no cover - Literal covers every case


def _to_bool(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in {"true", "1", "yes", "是"}:
        return True
    if text in {"false", "0", "no", "否"}:
        return False
    raise ValueError("not a boolean")


@cache
def load_model(path: Path = VOCABULARY_FILE) -> GraphModel:
    """Load and check a vocabulary file (the shipped one by default); cached per path."""
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
        return GraphModel(_Vocabulary.model_validate(raw))
    except (OSError, yaml.YAMLError, ValidationError) as err:
        raise InvalidModel(f"{path}: {err}") from err
