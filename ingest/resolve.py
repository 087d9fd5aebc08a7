"""Entity resolution: one node per key, and differing values kept as aliases with their source.

The first value a property receives stays (the one already in the store, else the first
row in file order); a different value from another row is appended to the node's
``aliases`` property — a JSON list of ``{property, value, source}`` — never written over
the first.  Merging the same input again adds nothing, so ingest stays idempotent.

>>> from graph.model import Node
>>> a = Node(kind="Enterprise", key="k", props={"uscc": "k", "name": "甲运输有限公司"})
>>> b = Node(kind="Enterprise", key="k", props={"uscc": "k", "name": "甲运输公司"})
>>> merged = merge_node(a, b, "企业.csv:7")
>>> merged.props["name"], aliases_of(merged)
('甲运输有限公司', [{'property': 'name', 'value': '甲运输公司', 'source': '企业.csv:7'}])
>>> merge_node(merged, b, "企业.csv:7") == merged
True
"""

from __future__ import annotations

import json
from datetime import date
from typing import Any

from graph.model import Node

__all__ = ["ALIASES", "aliases_of", "merge_node"]

ALIASES = "aliases"


def aliases_of(node: Node) -> list[dict[str, str]]:
    """The node's aliases as a list of ``{property, value, source}``."""
    raw = node.props.get(ALIASES)
    if not raw:
        return []
    value = json.loads(raw)
    return value if isinstance(value, list) else []


def _text(value: Any) -> str:
    return value.isoformat() if isinstance(value, date) else str(value)


def merge_node(base: Node | None, incoming: Node, source: str) -> Node:
    """``incoming`` folded into ``base`` (same kind and key): new properties added, labels
    united, differing values recorded as aliases."""
    if base is None:
        return incoming
    props = dict(base.props)
    aliases: list[dict[str, str]] | None = None
    for name, value in incoming.props.items():
        if name == ALIASES:
            continue
        current = props.get(name)
        if current is None:
            props[name] = value
        elif current != value:
            if aliases is None:
                aliases = aliases_of(base)
            entry = {"property": name, "value": _text(value), "source": source}
            if not any(a["property"] == name and a["value"] == entry["value"] for a in aliases):
                aliases.append(entry)
    if aliases:
        aliases.sort(key=lambda a: (a["property"], a["value"], a["source"]))
        props[ALIASES] = json.dumps(aliases, ensure_ascii=False)
    labels = tuple(sorted(set(base.labels) | set(incoming.labels)))
    if props == base.props and labels == base.labels:
        return base
    return Node.model_construct(kind=base.kind, key=base.key, labels=labels, props=props)
