"""What the investigation questions share: entity references, evidence steps, wording.

Every answer names entities the same way (:class:`Entity`) and gives its evidence as
relationships explained in plain language (:class:`Step`), e.g. "王军 has been legal
representative of 乙物流有限公司 since 2021-06-01".

>>> from graph.model import load_model
>>> m = load_model()
>>> wang = m.make_node("Person", {"id_no": "110101199003070011", "name": "王军"})
>>> yi = m.make_node("Enterprise", {"uscc": "91310115MA1K3BTP2B", "name": "乙物流"})
>>> edge = m.make_edge("SHAREHOLDER_OF", wang.ref, yi.ref, valid_from=date(2018, 1, 1),
...                    props={"ratio": 0.6})
>>> step_of(edge, names_of([wang, yi]), date(2024, 1, 1)).text
'王军 holds 60% of 乙物流 since 2018-01-01'
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from graph import identifiers
from graph.exc import InvalidIdentifier, NotFound, SchemaViolation
from graph.model import Edge, Node, NodeRef
from graph.stores.base import GraphStore
from queries.config import InvestigationConfig, load_config
from queries.credit_state import credit_states

__all__ = [
    "Credit",
    "Entity",
    "Step",
    "credit_of",
    "display_name",
    "entities_of",
    "names_of",
    "parse_key",
    "resolve",
    "step_of",
]


class Entity(BaseModel):
    """A node as answers show it: identity, kind, name and extra labels."""

    model_config = ConfigDict(frozen=True)

    uid: str
    kind: str
    key: str
    name: str
    labels: tuple[str, ...] = ()

    @property
    def ref(self) -> NodeRef:
        """The node's identity."""
        return NodeRef(self.kind, self.key)

    @classmethod
    def of(cls, node: Node) -> Entity:
        """The entity view of a stored node."""
        ref = node.ref
        # Built from a stored node: trusted values, so no validation on this hot path.
        return cls.model_construct(
            uid=ref.uid, kind=ref.kind, key=ref.key, name=display_name(node), labels=node.labels
        )


class Step(BaseModel):
    """One relationship of the evidence, with its dates, source and plain-language reading."""

    model_config = ConfigDict(frozen=True)

    type: str
    src: str = Field(description="uid of the start node")
    dst: str = Field(description="uid of the end node")
    valid_from: date | None = None
    valid_to: date | None = None
    source: str | None = None
    props: dict[str, Any] = Field(default_factory=dict)
    text: str


class Credit(BaseModel):
    """An entity's credit state on the date asked (from :mod:`queries.credit_state`)."""

    model_config = ConfigDict(frozen=True)

    state: Literal["listed", "affected", "red_list", "clean"]
    suspended: bool = False
    restricts: list[str] = Field(default_factory=list)
    measures: list[str] = Field(default_factory=list)
    decisions: list[str] = Field(default_factory=list)


def credit_of(
    store: GraphStore, refs: Iterable[NodeRef], as_of: date | None
) -> dict[NodeRef, Credit]:
    """Credit states of many entities in one round trip (on ``as_of``, today when None)."""
    found = credit_states(store, list(dict.fromkeys(refs)), as_of or date.today())
    return {
        ref: Credit.model_construct(
            state=s.state,
            suspended=s.suspended,
            restricts=s.restricts,
            measures=s.measures,
            decisions=s.decisions,
        )
        for ref, s in found.items()
    }


def display_name(node: Node) -> str:
    """The name a reader knows the node by (name, plate, contact value, else key)."""
    props = node.props
    if props.get("name"):
        return str(props["name"])
    if node.kind == "Vehicle" and props.get("plate"):
        return str(props["plate"])
    if props.get("channel") and props.get("value"):
        return f"{props['channel']} {props['value']}"
    return node.key


def names_of(nodes: Iterable[Node]) -> dict[NodeRef, str]:
    """Display names by reference."""
    return {n.ref: display_name(n) for n in nodes}


def entities_of(store: GraphStore, refs: Iterable[NodeRef]) -> dict[NodeRef, Entity]:
    """Entity views of the nodes that exist, fetched in one round trip."""
    return {n.ref: Entity.of(n) for n in store.get_nodes(refs)}


def resolve(store: GraphStore, key: str | NodeRef) -> Node:
    """The node a user means: a ``Kind:key`` uid, a USCC, or a resident ID number.

    Raises :class:`~graph.exc.NotFound` when no such node is stored and
    :class:`~graph.exc.SchemaViolation` when the text names no node at all.
    """
    ref = parse_key(store, key)
    node = store.get_node(ref)
    if node is None:
        raise NotFound(f"no {ref.kind} {ref.key!r} in the store")
    return node


def parse_key(store: GraphStore, key: str | NodeRef) -> NodeRef:
    """The reference a user means: a ``Kind:key`` uid, a USCC or a resident ID number.

    >>> from graph.stores.memory import MemoryStore
    >>> from graph.model import load_model
    >>> parse_key(MemoryStore(load_model()), "91110000600037341L")
    NodeRef(kind='Enterprise', key='91110000600037341L')
    """
    if isinstance(key, NodeRef):
        return key
    text = key.strip()
    kind, sep, rest = text.partition(":")
    if sep and kind in store.model.nodes:
        return NodeRef(kind, rest)
    for kind, validate in (
        ("Enterprise", identifiers.validate_uscc),
        ("Person", identifiers.validate_id_no),
    ):
        try:
            return NodeRef(kind, validate(text))
        except InvalidIdentifier:
            continue
    raise SchemaViolation(
        f"{text!r} is neither a USCC, a resident ID number nor a Kind:key reference "
        f"(kinds: {', '.join(sorted(store.model.nodes))})"
    )


def _percent(value: Any) -> str:
    if value is None:
        return "an unknown share"
    pct = float(value) * 100
    return f"{pct:.0f}%" if abs(pct - round(pct)) < 1e-9 else f"{pct:.2f}%"


class _Fields(dict[str, str]):
    """The values a phrase may name, each computed only when the phrase uses it."""

    def __init__(self, edge: Edge, src: str, dst: str) -> None:
        super().__init__(src=src, dst=dst)
        self.props = edge.props

    def __missing__(self, name: str) -> str:
        props = self.props
        if name == "ratio":
            return _percent(props.get("ratio"))
        if name == "role":
            return str(props.get("role") or "an officer (董监高)")
        if name == "position":
            return f" as {props['position']}" if props.get("position") else ""
        if name == "relation":
            return str(props.get("relation") or "an associate")
        if name == "date":
            when, lot = props.get("date"), props.get("lot")
            return (f" on {when}" if when else "") + (f" (lot {lot})" if lot else "")
        raise KeyError(name)


def step_of(
    edge: Edge,
    names: Mapping[NodeRef, str],
    as_of: date | None,
    config: InvestigationConfig | None = None,
) -> Step:
    """The evidence step of a relationship, read against ``as_of`` (today when None)."""
    config = config or load_config()
    ref_day = as_of or date.today()
    ended = edge.valid_to is not None and edge.valid_to <= ref_day
    phrase = config.phrases.get(edge.type)
    values = _Fields(edge, names.get(edge.src, edge.src.key), names.get(edge.dst, edge.dst.key))
    if phrase is None:
        text = f"{values['src']} {edge.type} {values['dst']}"
    else:
        text = (phrase.past if ended else phrase.now).format_map(values)
    if ended:
        start = f" from {edge.valid_from}" if edge.valid_from else ""
        text += f"{start} until {edge.valid_to}"
    elif edge.valid_from:
        text += f" since {edge.valid_from}"
    return Step.model_construct(
        type=edge.type,
        src=edge.src.uid,
        dst=edge.dst.uid,
        valid_from=edge.valid_from,
        valid_to=edge.valid_to,
        source=edge.source,
        props=dict(edge.props),
        text=text,
    )
