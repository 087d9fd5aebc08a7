"""What a picture shows: a subgraph, a state per node and notes per edge (:class:`GraphView`).

Every picture is a *view of a query result*: the adapters of :mod:`viz.views` turn the
answer of ``related``, ``paths``, ``affected`` or ``clusters`` into a :class:`GraphView`
without computing anything of their own, and any other question (the bidding check) can
build one from a :class:`~graph.stores.base.Subgraph` with :func:`findings_view`.
:mod:`viz.render` then draws it.

A view is checked when it is built: every edge joins two of its nodes, and no node is
there twice.  Above a cap, :meth:`GraphView.capped` keeps the nodes that rank first and
says in :attr:`GraphView.left_out` what it dropped.

>>> a = ViewNode(uid="Enterprise:A", kind="Enterprise", key="A", name="甲", focus=True)
>>> b = ViewNode(uid="Person:B", kind="Person", key="B", name="王军", rank=1)
>>> c = ViewNode(uid="Person:C", kind="Person", key="C", name="李娜", rank=2)
>>> e1 = ViewEdge(type="LEGAL_REP_OF", src="Person:B", dst="Enterprise:A")
>>> e2 = ViewEdge(type="LEGAL_REP_OF", src="Person:C", dst="Enterprise:A")
>>> view = GraphView(kind="related", title="t", question="q", as_of=None,
...                  credit_on=date(2026, 1, 1), nodes=[a, b, c], edges=[e1, e2])
>>> small = view.capped(2)
>>> [n.name for n in small.nodes], len(small.edges), small.total_nodes, small.total_edges
(['甲', '王军'], 1, 3, 2)
>>> print(small.left_out[-1][:60])
Picture cap: 2 of 3 entities and 1 of 2 relationships are dr
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping
from datetime import date
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from graph.stores.base import Subgraph
from queries.common import display_name

__all__ = [
    "DEFAULT_MAX_NODES",
    "EdgeNote",
    "GraphView",
    "NodeState",
    "NodeStatus",
    "ViewEdge",
    "ViewKind",
    "ViewNode",
    "Why",
    "edge_id",
    "findings_view",
]

#: The most entities a picture draws by default.  The layout stays legible up to about 500
#: (measured in tests/viz/test_browser.py); beyond, the picture says what it left out.
DEFAULT_MAX_NODES = 500

NodeState = Literal["listed", "affected", "red_list", "clean"]
ViewKind = Literal["related", "paths", "affected", "cluster", "findings"]


class _Frozen(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Why(_Frozen):
    """One reason a node has its colour: a measure applied to it, or a list entry."""

    source_kind: Literal["measure", "list_entry"] = Field(description="which record says so")
    title: str = Field(description="the measure's name, or the list (红名单 / 黑名单)")
    measure: str | None = Field(None, description="catalog code of the measure")
    status: str = Field(description="in_force, suspended, expired … on the date of the picture")
    side: str | None = Field(None, description="sanction or reward")
    decision_no: str | None = None
    authority: str | None = None
    behaviour: str | None = Field(None, description="the behaviour the decision listed")
    role: str | None = Field(None, description="the role that made it reach this subject")
    legal_basis: list[str] = Field(default_factory=list)
    start: date | None = None
    end: date | None = Field(None, description="end of the term (None: until lifted)")
    term: str | None = Field(None, description="ISO 8601 duration of the term, e.g. P1Y")
    path: list[str] = Field(default_factory=list, description="the path that reached it")
    reference: str | None = Field(None, description="application id or record id")


class NodeStatus(_Frozen):
    """Per-node input of :func:`findings_view`: credit state, emphasis and evidence."""

    state: NodeState = "clean"
    suspended: bool = False
    focus: bool = False
    rank: int = 0
    tag: str | None = None
    facts: list[str] = Field(default_factory=list)
    why: list[Why] = Field(default_factory=list)


class EdgeNote(_Frozen):
    """Per-edge input of :func:`findings_view`: notes for the tooltip, and emphasis."""

    notes: list[str] = Field(default_factory=list)
    emphasis: bool = False


class ViewNode(_Frozen):
    """An entity as a picture shows it."""

    uid: str
    kind: str
    key: str
    name: str
    labels: tuple[str, ...] = ()
    props: dict[str, Any] = Field(default_factory=dict, description="declared properties")
    state: NodeState = "clean"
    suspended: bool = Field(False, description="a measure on it is suspended (objection)")
    focus: bool = Field(False, description="what the question is about: drawn larger")
    rank: int = Field(0, description="lower ranks are kept first under the picture cap")
    tag: str | None = Field(None, description="a few words under the name (a verdict …)")
    facts: list[str] = Field(default_factory=list, description="lines for the tooltip")
    why: list[Why] = Field(default_factory=list, description="why it has its colour")
    more: int = Field(0, ge=0, description="a hub: neighbours the answer did not include")


def edge_id(type_: str, src: str, dst: str, valid_from: date | None) -> str:
    """The identity of a relationship, equal to :attr:`graph.model.Edge.eid`.

    >>> from graph.model import Edge, NodeRef
    >>> e = Edge(type="OWNS", src=NodeRef("Person", "1"), dst=NodeRef("Vehicle", "2"))
    >>> edge_id("OWNS", "Person:1", "Vehicle:2", None) == e.eid
    True
    """
    start = valid_from.isoformat() if valid_from else ""
    raw = "\x1f".join((type_, src, dst, start))
    return hashlib.blake2b(raw.encode(), digest_size=12).hexdigest()


class ViewEdge(_Frozen):
    """A relationship as a picture shows it (``src`` and ``dst`` are node uids)."""

    type: str
    src: str
    dst: str
    valid_from: date | None = None
    valid_to: date | None = None
    source: str | None = None
    props: dict[str, Any] = Field(default_factory=dict)
    notes: list[str] = Field(default_factory=list, description="lines for the tooltip")
    emphasis: bool = Field(False, description="part of a finding: drawn thicker")

    @property
    def eid(self) -> str:
        """The relationship's identity (as in the store)."""
        return edge_id(self.type, self.src, self.dst, self.valid_from)


class GraphView(_Frozen):
    """A question, its date and the subgraph that answers it."""

    kind: ViewKind
    title: str = Field(description="what the picture shows")
    question: str = Field(description="the question asked, in words")
    as_of: date | None = Field(description="date relationships were evaluated on (None: any)")
    credit_on: date = Field(description="date the credit states were evaluated on")
    nodes: list[ViewNode]
    edges: list[ViewEdge]
    left_out: list[str] = Field(default_factory=list, description="what is not drawn, and why")
    total_nodes: int | None = Field(None, description="entities of the answer (before a cap)")
    total_edges: int | None = Field(None, description="relationships of the answer")

    @model_validator(mode="after")
    def _consistent(self) -> GraphView:
        uids = [n.uid for n in self.nodes]
        if len(set(uids)) != len(uids):
            raise ValueError("a node appears twice in the view")
        known = set(uids)
        for edge in self.edges:
            if edge.src not in known or edge.dst not in known:
                raise ValueError(f"edge {edge.type} {edge.src} -> {edge.dst} leaves the view")
        eids = [e.eid for e in self.edges]
        if len(set(eids)) != len(eids):
            raise ValueError("a relationship appears twice in the view")
        return self

    @property
    def answer_nodes(self) -> int:
        """Entities of the answer (before any picture cap)."""
        return len(self.nodes) if self.total_nodes is None else self.total_nodes

    @property
    def answer_edges(self) -> int:
        """Relationships of the answer (before any picture cap)."""
        return len(self.edges) if self.total_edges is None else self.total_edges

    def capped(self, max_nodes: int = DEFAULT_MAX_NODES) -> GraphView:
        """At most ``max_nodes`` nodes: focus first, then by rank and uid; the rest is
        counted in :attr:`left_out`."""
        if max_nodes < 1:
            raise ValueError("max_nodes must be at least 1")
        if len(self.nodes) <= max_nodes:
            return self
        order = sorted(self.nodes, key=lambda n: (not n.focus, n.rank, n.uid))
        kept = {n.uid for n in order[:max_nodes]}
        nodes = [n for n in self.nodes if n.uid in kept]
        edges = [e for e in self.edges if e.src in kept and e.dst in kept]
        total_n, total_e = self.answer_nodes, self.answer_edges
        note = (
            f"Picture cap: {len(nodes)} of {total_n} entities and {len(edges)} of {total_e} "
            f"relationships are drawn (at most {max_nodes} entities, those ranked first); "
            f"{total_n - len(nodes)} entities and {total_e - len(edges)} relationships are "
            "left out."
        )
        return self.model_copy(
            update={
                "nodes": nodes,
                "edges": edges,
                "left_out": [*self.left_out, note],
                "total_nodes": total_n,
                "total_edges": total_e,
            }
        )


def findings_view(
    subgraph: Subgraph,
    node_status: Mapping[str, NodeStatus],
    edge_notes: Mapping[str, EdgeNote] | None = None,
    *,
    title: str,
    question: str,
    as_of: date | None,
    credit_on: date,
    left_out: Iterable[str] = (),
    kind: ViewKind = "findings",
) -> GraphView:
    """A view of any subgraph with a status per node (by uid) and notes per edge (by eid).

    This is the entry point for questions without an adapter of their own, e.g. a bidding
    check: the subgraph of the bidders and what ties them, each bidder's credit state and
    evidence, each finding's relationships emphasised with the rule they break.

    >>> from graph.model import load_model
    >>> m = load_model()
    >>> wang = m.make_node("Person", {"id_no": "110101199003070011", "name": "王军"})
    >>> jia = m.make_node("Enterprise", {"uscc": "91110000600037341L", "name": "甲运输"})
    >>> rep = m.make_edge("LEGAL_REP_OF", wang.ref, jia.ref)
    >>> view = findings_view(
    ...     Subgraph(nodes=[wang, jia], edges=[rep]),
    ...     {jia.ref.uid: NodeStatus(state="listed", focus=True)},
    ...     {rep.eid: EdgeNote(notes=["条例 34: same head of unit"], emphasis=True)},
    ...     title="Bidding check", question="May they bid?", as_of=None,
    ...     credit_on=date(2026, 5, 1))
    >>> [(n.name, n.state) for n in view.nodes], view.edges[0].emphasis
    ([('王军', 'clean'), ('甲运输', 'listed')], True)
    """
    notes = edge_notes or {}
    nodes = []
    for node in subgraph.nodes:
        uid = node.ref.uid
        status = node_status.get(uid, NodeStatus())
        nodes.append(
            ViewNode(
                uid=uid,
                kind=node.kind,
                key=node.key,
                name=display_name(node),
                labels=node.labels,
                props=dict(node.props),
                **status.model_dump(),
            )
        )
    edges = []
    for edge in subgraph.edges:
        note = notes.get(edge.eid, EdgeNote())
        edges.append(
            ViewEdge(
                type=edge.type,
                src=edge.src.uid,
                dst=edge.dst.uid,
                valid_from=edge.valid_from,
                valid_to=edge.valid_to,
                source=edge.source,
                props=dict(edge.props),
                notes=note.notes,
                emphasis=note.emphasis,
            )
        )
    return GraphView(
        kind=kind,
        title=title,
        question=question,
        as_of=as_of,
        credit_on=credit_on,
        nodes=nodes,
        edges=edges,
        left_out=list(left_out),
    )
