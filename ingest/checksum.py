"""A content checksum of a whole graph, the same on either store for the same content.

Each node (uid, labels, properties) and each relationship (identity, endpoints, validity,
source, properties) is serialised canonically and hashed; the hashes are *added* modulo
2**128, so the order in which a store streams them does not matter and one pass suffices.
Credit records (their documents) are included; the audit log is not (it records when
things happened, which differs between two runs by design).

>>> from graph.model import load_model
>>> from graph.stores.memory import MemoryStore
>>> a, b = MemoryStore(load_model()), MemoryStore(load_model())
>>> m = a.model
>>> nodes = [m.make_node("Person", {"id_no": "110101199003070011", "name": "王军"}),
...          m.make_node("Enterprise", {"uscc": "91110000600037341L"})]
>>> _ = a.upsert_nodes(nodes), b.upsert_nodes(nodes[::-1])
>>> graph_checksum(a).digest == graph_checksum(b).digest
True
"""

from __future__ import annotations

import hashlib
import json
from datetime import date
from typing import Any

from pydantic import BaseModel, ConfigDict

from graph.model import Edge, Node
from graph.stores.base import GraphStore

__all__ = ["Checksum", "edge_digest", "graph_checksum", "node_digest"]

_MOD = 1 << 128
CREDIT_COLLECTION = "CreditRecord"


class Checksum(BaseModel):
    """Counts and one hex digest over nodes, relationships and credit records."""

    model_config = ConfigDict(frozen=True)

    nodes: int
    edges: int
    credit_records: int
    digest: str


def _value(value: Any) -> Any:
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, list | tuple):
        return [_value(v) for v in value]
    return value


def _hash(parts: list[Any]) -> int:
    text = json.dumps(parts, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return int.from_bytes(hashlib.blake2b(text.encode(), digest_size=16).digest(), "big")


def node_digest(node: Node) -> int:
    """Hash of one node's content."""
    props = {k: _value(v) for k, v in node.props.items() if v is not None}
    return _hash(["N", node.ref.uid, sorted(node.labels), props])


def edge_digest(edge: Edge) -> int:
    """Hash of one relationship's content."""
    props = {k: _value(v) for k, v in edge.props.items() if v is not None}
    validity = [_value(edge.valid_from), _value(edge.valid_to)]
    return _hash(
        ["E", edge.eid, edge.type, edge.src.uid, edge.dst.uid, validity, edge.source, props]
    )


def graph_checksum(store: GraphStore, *, records: bool = True) -> Checksum:
    """Stream the store once and return its :class:`Checksum` (``records=False``: the entity
    graph only, e.g. to compare with a neo4j-admin import, which carries no credit records)."""
    total = nodes = edges = 0
    for node in store.iter_nodes():
        total = (total + node_digest(node)) % _MOD
        nodes += 1
    for edge in store.iter_edges():
        total = (total + edge_digest(edge)) % _MOD
        edges += 1
    found = store.find_records([CREDIT_COLLECTION]) if records else []
    for record in found:
        total = (total + _hash(["C", record.rid, record.doc])) % _MOD
    return Checksum(nodes=nodes, edges=edges, credit_records=len(found), digest=f"{total:032x}")
