"""Related parties (关联方): who stands around an entity, how far, by which relationships,
and in which credit state.

A breadth-first search whose every level is one call of the store's
:meth:`~graph.stores.base.GraphStore.expand_capped`: the engine filters by type, direction
and date while expanding, counts each node's neighbours and returns at most
``per_node_cap`` of them.  A node with more is a **hub** (a registered-agent address, a
fund with stakes in thousands of companies): the answer shows the first neighbours by uid
and says how many more there are, so no expansion runs away.

>>> from graph.example import load_story
>>> from graph.model import load_model
>>> from graph.stores.memory import MemoryStore
>>> store = MemoryStore(load_model())
>>> story = load_story(store)
>>> result = related(store, story.jia, hops=2, as_of=date(2022, 1, 1))
>>> [(e.entity.name, e.distance) for e in result.entities][:3]
[('phone 13800138000', 1), ('李娜', 1), ('长春绕城高速养护', 1)]
>>> yi = next(e for e in result.entities if e.entity.name == "乙物流有限公司")
>>> for step in yi.via:
...     print(step.text)
李娜 has been legal representative of 甲运输有限公司 since 2021-06-01
李娜 holds 60% of 乙物流有限公司 since 2018-01-01
>>> result.entities[0].credit.state
'clean'
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from pydantic import BaseModel, ConfigDict, Field

from graph.exc import NotFound, SchemaViolation
from graph.model import Direction, Edge, Node, NodeRef
from graph.stores.base import GraphStore
from queries.common import Credit, Entity, Step, credit_of, names_of, parse_key, step_of
from queries.config import InvestigationConfig, load_config

__all__ = ["Hub", "RelatedEntity", "RelatedResult", "related"]


class RelatedEntity(BaseModel):
    """An entity reached from the seed, with the relationships that lead to it."""

    model_config = ConfigDict(frozen=True)

    entity: Entity
    distance: int = Field(description="hops from the seed")
    via: list[Step] = Field(description="the relationships from the seed to this entity")
    credit: Credit


class Hub(BaseModel):
    """A node with more matching neighbours than the cap: shown in part, counted in full."""

    model_config = ConfigDict(frozen=True)

    entity: Entity
    distance: int
    shown: int
    total: int
    more: int = Field(description="neighbours not shown")


class RelatedResult(BaseModel):
    """The neighbourhood of a seed entity, with hubs and whether the limit cut it short."""

    model_config = ConfigDict(frozen=True)

    seed: Entity
    credit: Credit = Field(description="the seed's own credit state")
    as_of: date | None
    hops: int
    types: list[str] | None
    direction: Direction
    entities: list[RelatedEntity]
    hubs: list[Hub]
    truncated: bool = Field(description="the entity limit stopped the search")


def related(
    store: GraphStore,
    key: str | NodeRef,
    *,
    hops: int = 2,
    types: Sequence[str] | None = None,
    direction: Direction = Direction.BOTH,
    as_of: date | None = None,
    limit: int | None = None,
    per_node_cap: int | None = None,
    config: InvestigationConfig | None = None,
) -> RelatedResult:
    """Entities within ``hops`` of ``key`` with their distance, path and credit state.

    ``types`` restricts the relationships followed, ``direction`` their orientation from
    the node at hand, ``as_of`` the date they must hold on; ``limit`` caps the entities of
    the answer and ``per_node_cap`` the neighbours shown per node.
    """
    config = config or load_config()
    settings = config.related
    if not 1 <= hops <= settings.max_hops:
        raise SchemaViolation(f"hops must be between 1 and {settings.max_hops}, not {hops}")
    limit = settings.limit if limit is None else limit
    cap = settings.per_node_cap if per_node_cap is None else per_node_cap
    if limit < 1 or cap < 1:
        raise SchemaViolation("limit and per_node_cap must be at least 1")
    checked = store.model.require_edge_types(types)
    ref = parse_key(store, key)
    # One engine call runs every level; the levels are replayed here in order, so the
    # limit cuts the answer at the same entity on every store.
    found = store.expand_levels(
        ref, hops=hops, cap=cap, limit=limit, types=checked, direction=direction, as_of=as_of
    )
    if found is None:
        raise NotFound(f"no {ref.kind} {ref.key!r} in the store")
    seed = found.seed

    nodes: dict[NodeRef, Node] = {seed.ref: seed}
    distance: dict[NodeRef, int] = {seed.ref: 0}
    parent: dict[NodeRef, tuple[NodeRef, Edge]] = {}
    hubs: list[tuple[NodeRef, int, int, int]] = []
    truncated = False
    for depth, level in enumerate(found.levels, start=1):
        for expansion in level:
            if expansion.more:
                hubs.append((expansion.node, depth - 1, expansion.shown, expansion.total))
            for reached in expansion.neighbours:
                ref = reached.node.ref
                if ref in distance:
                    continue
                if len(distance) - 1 >= limit:  # the seed is no entity of the answer
                    truncated = True
                    break
                distance[ref] = depth
                parent[ref] = (expansion.node, reached.edge)
                nodes[ref] = reached.node
            if truncated:
                break
        if truncated:
            break

    names = names_of(nodes.values())
    credit = credit_of(store, list(distance), as_of)
    entities = {ref: Entity.of(node) for ref, node in nodes.items()}

    arrival = {ref: step_of(edge, names, as_of, config) for ref, (_, edge) in parent.items()}

    def via(ref: NodeRef) -> list[Step]:
        steps = []
        while ref in parent:
            steps.append(arrival[ref])
            ref = parent[ref][0]
        return steps[::-1]

    reached_refs = sorted(
        (r for r in distance if r != seed.ref), key=lambda r: (distance[r], r.uid)
    )
    return RelatedResult(
        seed=entities[seed.ref],
        credit=credit[seed.ref],
        as_of=as_of,
        hops=hops,
        types=list(checked) if checked is not None else None,
        direction=direction,
        entities=[
            RelatedEntity.model_construct(
                entity=entities[ref], distance=distance[ref], via=via(ref), credit=credit[ref]
            )
            for ref in reached_refs
        ],
        hubs=[
            Hub(entity=entities[ref], distance=d, shown=shown, total=total, more=total - shown)
            for ref, d, shown, total in hubs
        ],
        truncated=truncated,
    )
