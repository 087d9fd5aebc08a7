"""The graph out (and back in) as GraphML and GEXF (Gephi), with credit state as attributes.

A selection is the whole store or a related-parties neighbourhood (``select``).  It becomes
a networkx ``MultiDiGraph`` whose node ids are uids and whose attributes are:

* nodes: ``cl_kind``, ``cl_key``, ``cl_labels`` (``;``-joined), every property (dates as
  ISO text), ``label`` (the name, for Gephi), and the credit state on ``as_of``:
  ``credit_records`` (count), ``credit_negative`` (dishonesty + black-list records),
  ``credit_listed`` (a black-list entry stands), ``credit_red_listed``, ``credit_kinds``;
* edges: ``cl_type``, ``eid``, ``valid_from``, ``valid_to``, ``source`` and the properties.

:func:`read_graph_file` reads such a file back into nodes and relationships (checked
against the vocabulary), so an export loads back into an identical entity graph; the
``credit_*`` and ``label`` attributes are derived and not read back.

>>> import tempfile
>>> from graph.model import load_model
>>> from graph.stores.memory import MemoryStore
>>> from graph.example import load_story
>>> store = MemoryStore(load_model())
>>> _ = load_story(store)
>>> path = Path(tempfile.mkdtemp()) / "story.graphml"
>>> result = export_graph_file(store, path, "graphml")
>>> nodes, edges = read_graph_file(path, store.model)
>>> (len(nodes), len(edges)) == (result.nodes, result.edges)
True
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from pathlib import Path
from typing import Any, Literal

import networkx as nx
from pydantic import BaseModel, ConfigDict

from graph.credit import CreditKind, credit_records_of
from graph.model import Edge, GraphModel, Node, NodeRef
from graph.stores.base import GraphStore

__all__ = [
    "GraphExport",
    "GraphFormat",
    "credit_state",
    "export_graph_file",
    "read_graph_file",
    "select",
    "to_networkx",
]

GraphFormat = Literal["graphml", "gexf"]
_CHUNK = 2_000


class GraphExport(BaseModel):
    """What an export wrote."""

    model_config = ConfigDict(frozen=True)

    path: str
    format: str
    nodes: int
    edges: int
    credit_records: int = 0


def select(
    store: GraphStore, around: Sequence[NodeRef] | None = None, hops: int = 2
) -> tuple[list[Node], list[Edge]]:
    """The whole graph, or the nodes within ``hops`` of ``around`` and the relationships
    among them (a related-parties neighbourhood).

    >>> from graph.model import load_model
    >>> from graph.stores.memory import MemoryStore
    >>> select(MemoryStore(load_model()))
    ([], [])
    """
    if not around:
        return list(store.iter_nodes()), list(store.iter_edges())
    reached = store.neighbourhood(list(around), hops=hops)
    sub = store.subgraph(sorted(reached.distances))
    return list(sub.nodes), list(sub.edges)


def credit_state(
    store: GraphStore, refs: Sequence[NodeRef], as_of: date | None = None
) -> dict[str, dict[str, Any]]:
    """Credit attributes per uid for the subjects that have records (on ``as_of``, default
    today)."""
    on = as_of or date.today()
    state: dict[str, dict[str, Any]] = {}
    for start in range(0, len(refs), _CHUNK):
        for record in credit_records_of(store, list(refs[start : start + _CHUNK])):
            entry = state.setdefault(
                record.subject.uid,
                {
                    "credit_records": 0,
                    "credit_negative": 0,
                    "credit_listed": False,
                    "credit_red_listed": False,
                    "credit_kinds": set(),
                },
            )
            entry["credit_records"] += 1
            entry["credit_negative"] += int(record.kind.is_negative)
            entry["credit_kinds"].add(record.kind.value)
            listed = record.listed_on(on)
            entry["credit_listed"] |= listed and record.kind is CreditKind.BLACK_LIST
            entry["credit_red_listed"] |= listed and record.kind is CreditKind.RED_LIST
    for entry in state.values():
        entry["credit_kinds"] = ";".join(sorted(entry["credit_kinds"]))
    return state


def _text(value: Any) -> Any:
    return value.isoformat() if isinstance(value, date) else value


def to_networkx(
    nodes: Sequence[Node], edges: Sequence[Edge], credit: dict[str, dict[str, Any]] | None = None
) -> nx.MultiDiGraph:
    """A networkx multigraph of the selection (attributes as in the module docstring)."""
    graph = nx.MultiDiGraph()
    credit = credit or {}
    for node in nodes:
        attrs: dict[str, Any] = {k: _text(v) for k, v in node.props.items() if v is not None}
        attrs.update(cl_kind=node.kind, cl_key=node.key, cl_labels=";".join(node.labels))
        attrs["label"] = str(node.props.get("name") or node.props.get("value") or node.key)
        attrs.update(credit.get(node.ref.uid, {}))
        graph.add_node(node.ref.uid, **attrs)
    for edge in edges:
        attrs = {k: _text(v) for k, v in edge.props.items() if v is not None}
        attrs.update(cl_type=edge.type, eid=edge.eid)
        for name in ("valid_from", "valid_to", "source"):
            value = getattr(edge, name)
            if value is not None:
                attrs[name] = _text(value)
        graph.add_edge(edge.src.uid, edge.dst.uid, key=edge.eid, **attrs)
    return graph


def export_graph_file(
    store: GraphStore,
    path: Path,
    fmt: GraphFormat,
    *,
    around: Sequence[NodeRef] | None = None,
    hops: int = 2,
    as_of: date | None = None,
) -> GraphExport:
    """Write the store (or a neighbourhood) as GraphML or GEXF with credit state attributes."""
    nodes, edges = select(store, around, hops)
    credit = credit_state(store, [n.ref for n in nodes], as_of)
    graph = to_networkx(nodes, edges, credit)
    path.parent.mkdir(parents=True, exist_ok=True)
    if fmt == "graphml":
        nx.write_graphml(graph, path, named_key_ids=True)
    else:
        nx.write_gexf(graph, path)
    records = sum(int(c["credit_records"]) for c in credit.values())
    return GraphExport(
        path=str(path), format=fmt, nodes=len(nodes), edges=len(edges), credit_records=records
    )


_DERIVED = frozenset(
    {"label", "cl_kind", "cl_key", "cl_labels", "credit_records", "credit_negative",
     "credit_listed", "credit_red_listed", "credit_kinds", "id", "eid", "cl_type", "key"}
)  # fmt: skip


def read_graph_file(path: Path, model: GraphModel) -> tuple[list[Node], list[Edge]]:
    """Nodes and relationships of a GraphML / GEXF file written by :func:`export_graph_file`."""
    graph = nx.read_gexf(path) if path.suffix.lower() == ".gexf" else nx.read_graphml(path)
    nodes: list[Node] = []
    for _, attrs in graph.nodes(data=True):
        kind, key = str(attrs["cl_kind"]), str(attrs["cl_key"])
        spec = model.require_kind(kind)
        props = {k: v for k, v in attrs.items() if k in spec.properties}
        labels = tuple(x for x in str(attrs.get("cl_labels") or "").split(";") if x)
        nodes.append(model.make_node(kind, props, key=key, labels=labels))
    uids = {n.ref.uid: n.ref for n in nodes}
    edges: list[Edge] = []
    for src, dst, attrs in graph.edges(data=True):
        edge_type = str(attrs["cl_type"])
        spec_edge = model.require_edge_kind(edge_type)
        props = {k: v for k, v in attrs.items() if k in spec_edge.properties}
        edges.append(
            model.make_edge(
                edge_type,
                uids[str(src)],
                uids[str(dst)],
                valid_from=_day(attrs.get("valid_from")),
                valid_to=_day(attrs.get("valid_to")),
                source=attrs.get("source"),
                props=props,
            )
        )
    return nodes, edges


def _day(value: Any) -> date | None:
    return date.fromisoformat(str(value)) if value not in (None, "") else None
