"""Paths (查关系): how two entities are connected, each relationship explained.

The store finds the ``k`` shortest paths with both ends bound and the type and date
filters applied while it expands (Neo4j ``SHORTEST k GROUPS`` over a quantified path
pattern; a pruned depth-first search on the memory store), so a filter never turns into
a scan of everything afterwards.  A path never passes an entity twice.

>>> from graph.example import load_story
>>> from graph.model import load_model
>>> from graph.stores.memory import MemoryStore
>>> store = MemoryStore(load_model())
>>> story = load_story(store)
>>> result = paths(store, story.jia, story.yi, k=2, as_of=date(2022, 1, 1))
>>> for step in result.paths[0].steps:
...     print(step.text)
李娜 has been legal representative of 甲运输有限公司 since 2021-06-01
李娜 holds 60% of 乙物流有限公司 since 2018-01-01
>>> [p.length for p in result.paths]
[2, 3]
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from pydantic import BaseModel, ConfigDict, Field

from graph.exc import SchemaViolation
from graph.model import Direction, NodeRef
from graph.stores.base import GraphStore
from queries.common import Entity, Step, entities_of, names_of, resolve, step_of
from queries.config import InvestigationConfig, load_config

__all__ = ["PathView", "PathsResult", "paths"]


class PathView(BaseModel):
    """One path: the entities in order and the relationships between them."""

    model_config = ConfigDict(frozen=True)

    length: int
    nodes: list[Entity]
    steps: list[Step]
    text: str = Field(description="the steps read one after the other")


class PathsResult(BaseModel):
    """The shortest paths between two entities (empty when none within ``max_hops``)."""

    model_config = ConfigDict(frozen=True)

    a: Entity
    b: Entity
    as_of: date | None
    k: int
    max_hops: int
    types: list[str] | None
    direction: Direction
    paths: list[PathView]


def paths(
    store: GraphStore,
    a: str | NodeRef,
    b: str | NodeRef,
    *,
    k: int | None = None,
    max_hops: int | None = None,
    types: Sequence[str] | None = None,
    direction: Direction = Direction.BOTH,
    as_of: date | None = None,
    config: InvestigationConfig | None = None,
) -> PathsResult:
    """The ``k`` shortest paths from ``a`` to ``b`` of at most ``max_hops`` relationships.

    Paths come shortest first; among equally long ones, by the uids of their entities.
    When the shortest length has fewer than ``k`` paths the next lengths follow.
    """
    config = config or load_config()
    k = config.paths.k if k is None else k
    max_hops = config.paths.max_hops if max_hops is None else max_hops
    if k < 1 or not 1 <= max_hops <= 10:
        raise SchemaViolation("k must be at least 1 and max_hops between 1 and 10")
    checked = store.model.require_edge_types(types)
    start, end = resolve(store, a), resolve(store, b)
    if start.ref == end.ref:
        raise SchemaViolation("a path needs two different entities")
    found = store.k_shortest_paths(
        start.ref,
        end.ref,
        k=k,
        max_hops=max_hops,
        types=checked,
        direction=direction,
        as_of=as_of,
    )
    entities = entities_of(store, {ref for p in found for ref in p.nodes} | {start.ref, end.ref})
    names = {ref: e.name for ref, e in entities.items()} | names_of([start, end])
    views = []
    for path in found:
        steps = [step_of(edge, names, as_of, config) for edge in path.edges]
        views.append(
            PathView(
                length=len(path.edges),
                nodes=[entities[ref] for ref in path.nodes],
                steps=steps,
                text="; ".join(step.text for step in steps),
            )
        )
    return PathsResult(
        a=entities[start.ref],
        b=entities[end.ref],
        as_of=as_of,
        k=k,
        max_hops=max_hops,
        types=list(checked) if checked is not None else None,
        direction=direction,
        paths=views,
    )
