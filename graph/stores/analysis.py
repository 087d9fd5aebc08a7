"""Records the investigation methods of a store answer with (``queries/`` builds on them).

These are the engine's share of the investigation questions: a capped one-hop expansion
(the step of a hub-safe breadth-first search), ownership chains with their effective
shares, and the entities that share an intermediate node (a phone, an address, a person).
Both stores return exactly the same records for the same graph.

>>> from graph.model import NodeRef
>>> e = Expansion(node=NodeRef("Contact", "address|x"), total=5000, shown=50, neighbours=[])
>>> e.more
4950
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from graph.model import Edge, GraphModel, Node, NodeRef
from graph.stores.base import Path

__all__ = [
    "RATIO",
    "Expansion",
    "Levels",
    "OwnershipStake",
    "Reached",
    "SharedNeighbour",
    "ratio_types",
]

#: The relationship property that holds a share of equity (0..1).
RATIO = "ratio"


def ratio_types(model: GraphModel) -> tuple[str, ...]:
    """Relationship types that carry a :data:`RATIO` (``ratio_above`` filters apply to them).

    >>> from graph.model import load_model
    >>> ratio_types(load_model())
    ('SHAREHOLDER_OF',)
    """
    return tuple(sorted(t for t, kind in model.edges.items() if RATIO in kind.properties))


class Reached(BaseModel):
    """A neighbour and the relationship that leads to it."""

    model_config = ConfigDict(frozen=True)

    node: Node
    edge: Edge


class Expansion(BaseModel):
    """One node's distinct neighbours in uid order, at most ``cap`` of them.

    ``total`` is the number of distinct neighbours that match the filters, counted by the
    engine, and ``shown`` how many of them fall within the cap (the first by uid).
    ``neighbours`` are the shown ones minus those the caller asked to exclude (nodes it
    already knows).  When a neighbour is joined by several relationships the one with the
    smallest ``eid`` is given.
    """

    model_config = ConfigDict(frozen=True)

    node: NodeRef
    total: int
    shown: int
    neighbours: list[Reached]

    @property
    def more(self) -> int:
        """Neighbours that matched beyond the cap (the "N more" of a hub)."""
        return self.total - self.shown


class Levels(BaseModel):
    """A capped breadth-first search from one seed, level by level, in one engine call.

    ``levels[i]`` holds the expansions of the nodes first reached at level ``i`` (the seed
    alone at level 0), by uid, each listing its shown neighbours not reached before; the
    next level's nodes are those neighbours, distinct.  The search stops after ``hops``
    levels, when a level reaches nothing new, or once more than ``limit`` nodes besides the
    seed are known (a caller replaying the levels in order has then reached its limit).
    """

    model_config = ConfigDict(frozen=True)

    seed: Node
    levels: list[list[Expansion]]


class OwnershipStake(BaseModel):
    """A holder above (or a holding below) an entity, with the chains that make its share.

    ``share`` is the sum over chains of the product of the ``ratio`` of each
    ``SHAREHOLDER_OF`` relationship along the chain (a missing ratio counts as 0).
    Each chain starts at the entity asked about.
    """

    model_config = ConfigDict(frozen=True)

    party: NodeRef
    share: float
    chains: list[Path]


class SharedNeighbour(BaseModel):
    """An intermediate node (contact, person) and the other entities attached to it.

    ``mine`` are the relationships between the entity asked about and ``via``.
    ``total`` counts the other entities attached to ``via``; when it exceeds the hub
    threshold ``hub`` is true and ``others`` is empty: a value shared by thousands is
    reported, never expanded.
    """

    model_config = ConfigDict(frozen=True)

    via: Node
    mine: list[Edge]
    total: int
    hub: bool = False
    others: list[tuple[NodeRef, list[Edge]]] = Field(default_factory=list)
