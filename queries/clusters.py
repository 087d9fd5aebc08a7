"""Affiliate clusters (企业族群): enterprises tied by control, legal representatives or officers.

Two enterprises belong to one cluster when a chain of ties joins them: a shareholding
above the control ratio (50 %), a declared actual controller, the same legal
representative, principal or officer.  Clusters are connected components of those ties;
a component with more than ``split_above`` enterprises is split into communities with
networkx's Louvain method (seeded, so the split is repeatable).  A node tied to more than
``hub_threshold`` others (a nominee legal representative, a holding fund) would glue
unrelated groups together: it is reported as a hub and joins nothing.

Around one entity the component is found by a capped breadth-first search in the store;
over the whole graph the store streams the matching relationships once and the
components are formed here (union-find); Neo4j Community has no server-side
connected-components procedure, and this is a batch question.

>>> from graph.example import load_story
>>> from graph.model import load_model
>>> from graph.stores.memory import MemoryStore
>>> store = MemoryStore(load_model())
>>> story = load_story(store)
>>> result = clusters(store, as_of=date(2022, 1, 1))
>>> [(c.size, [m.name for m in c.members]) for c in result.clusters]
[(2, ['甲运输有限公司', '乙物流有限公司'])]
>>> [p.name for p in result.clusters[0].ties]
['王军', '李娜']
>>> clusters(store, around=story.bing).clusters
[]
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

import networkx as nx
from pydantic import BaseModel, ConfigDict, Field

from graph.model import NodeRef
from graph.stores.base import GraphStore
from queries.common import Credit, Entity, credit_of, entities_of, resolve
from queries.config import InvestigationConfig, load_config

__all__ = ["Cluster", "ClusterHub", "ClustersResult", "clusters"]

ENTERPRISE = "Enterprise"


class Cluster(BaseModel):
    """One affiliate group: its enterprises, the people tying them, its listed members."""

    model_config = ConfigDict(frozen=True)

    anchor: str = Field(description="the smallest enterprise uid: a stable name for the group")
    size: int = Field(description="enterprises in the group")
    members: list[Entity]
    ties: list[Entity] = Field(description="persons (and non-members) joining the members")
    listed: list[Entity] = Field(description="members listed or affected by a measure")
    credit: dict[str, Credit] = Field(description="credit state by member uid")
    community: bool = Field(description="a Louvain community of a larger component")


class ClusterHub(BaseModel):
    """A node tied to too many others to join them: reported, not followed."""

    model_config = ConfigDict(frozen=True)

    entity: Entity
    ties: int


class ClustersResult(BaseModel):
    """Affiliate clusters of the whole graph, or the one around an entity."""

    model_config = ConfigDict(frozen=True)

    as_of: date | None
    around: Entity | None
    clusters: list[Cluster]
    hubs: list[ClusterHub]
    components: int = Field(description="components with at least min_size enterprises")
    truncated: bool = Field(description="the component around the entity hit max_component")


def clusters(
    store: GraphStore,
    *,
    around: str | NodeRef | None = None,
    as_of: date | None = None,
    min_size: int = 2,
    limit: int = 50,
    config: InvestigationConfig | None = None,
) -> ClustersResult:
    """Affiliate clusters with at least ``min_size`` enterprises, largest first (``limit``).

    With ``around``, only the cluster of that entity (and, when Louvain split its
    component, the sibling communities) is computed.
    """
    config = config or load_config()
    cfg = config.clusters
    seed = resolve(store, around).ref if around is not None else None
    if seed is None:
        adjacency, hubs = _whole_graph(store, as_of, config)
        truncated = False
    else:
        adjacency, hubs, truncated = _around(store, seed, as_of, config)
    components = [c for c in _components(adjacency) if _enterprises(c) >= min_size]
    groups: list[tuple[set[NodeRef], bool]] = []
    for component in components:
        if _enterprises(component) > cfg.split_above:
            for community in _louvain(component, adjacency, config):
                groups.append((community, True))
        else:
            groups.append((component, False))
    groups = [(g, split) for g, split in groups if _enterprises(g) >= min_size]
    if seed is not None:  # the seed's own group first
        groups.sort(key=lambda g: seed not in g[0])
    else:
        groups.sort(key=lambda g: (-_enterprises(g[0]), min(r.uid for r in g[0])))
    groups = groups[:limit]
    shown = {r for g, _ in groups for r in g} | {h for h, _ in hubs[:100]}
    if seed is not None:
        shown.add(seed)
    entities = entities_of(store, shown)
    members_all = [r for g, _ in groups for r in g if r.kind == ENTERPRISE]
    credit = credit_of(store, members_all, as_of)
    result = []
    for group, split in groups:
        members = sorted((r for r in group if r.kind == ENTERPRISE), key=lambda r: r.uid)
        ties = sorted((r for r in group if r.kind != ENTERPRISE), key=lambda r: r.uid)
        result.append(
            Cluster(
                anchor=members[0].uid,
                size=len(members),
                members=[entities[r] for r in members],
                ties=[entities[r] for r in ties],
                listed=[entities[r] for r in members if credit[r].state in ("listed", "affected")],
                credit={r.uid: credit[r] for r in members},
                community=split,
            )
        )
    return ClustersResult(
        as_of=as_of,
        around=entities[seed] if seed is not None else None,
        clusters=result,
        hubs=[ClusterHub(entity=entities[h], ties=n) for h, n in hubs[:100]],
        components=len(components),
        truncated=truncated,
    )


def _enterprises(refs: Iterable[NodeRef]) -> int:
    return sum(1 for r in refs if r.kind == ENTERPRISE)


Adjacency = dict[NodeRef, set[NodeRef]]


def _whole_graph(
    store: GraphStore, as_of: date | None, config: InvestigationConfig
) -> tuple[Adjacency, list[tuple[NodeRef, int]]]:
    """Adjacency of every tie (hubs removed), from one stream of the relationships."""
    cfg = config.clusters
    adjacency: Adjacency = {}
    for a, b in store.edge_endpoints(
        types=list(cfg.types), as_of=as_of, ratio_above=cfg.control_ratio
    ):
        if a != b:
            adjacency.setdefault(a, set()).add(b)
            adjacency.setdefault(b, set()).add(a)
    return _drop_hubs(adjacency, cfg.hub_threshold)


def _drop_hubs(adjacency: Adjacency, threshold: int) -> tuple[Adjacency, list[tuple[NodeRef, int]]]:
    hubs = sorted(
        ((r, len(n)) for r, n in adjacency.items() if len(n) > threshold),
        key=lambda h: (-h[1], h[0].uid),
    )
    gone = {h for h, _ in hubs}
    kept = {r: n - gone for r, n in adjacency.items() if r not in gone}
    return kept, hubs


def _around(
    store: GraphStore, seed: NodeRef, as_of: date | None, config: InvestigationConfig
) -> tuple[Adjacency, list[tuple[NodeRef, int]], bool]:
    """The seed's component by a capped breadth-first search (hubs neither joined nor
    expanded)."""
    cfg = config.clusters
    adjacency: Adjacency = {}
    hubs: list[tuple[NodeRef, int]] = []
    seen = {seed}
    frontier = [seed]
    truncated = False
    while frontier and not truncated:
        following: list[NodeRef] = []
        for expansion in store.expand_capped(
            frontier,
            cap=cfg.hub_threshold,
            types=list(cfg.types),
            as_of=as_of,
            ratio_above=cfg.control_ratio,
        ):
            if expansion.total > cfg.hub_threshold:
                hubs.append((expansion.node, expansion.total))
                continue
            ties = {r.node.ref for r in expansion.neighbours}
            adjacency[expansion.node] = ties
            for ref in sorted(ties - seen, key=lambda r: r.uid):
                if len(seen) >= cfg.max_component:
                    truncated = True
                    break
                seen.add(ref)
                following.append(ref)
        frontier = following
    # Drop ties to hubs and to nodes never expanded (cut off by max_component).
    kept = {r: n & adjacency.keys() for r, n in adjacency.items()}
    hubs.sort(key=lambda h: (-h[1], h[0].uid))
    return kept, hubs, truncated


def _components(adjacency: Adjacency) -> list[set[NodeRef]]:
    """Connected components (union-find with path halving)."""
    parent: dict[NodeRef, NodeRef] = {}

    def find(x: NodeRef) -> NodeRef:
        parent.setdefault(x, x)
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for a, ties in adjacency.items():
        for b in ties:
            ra, rb = find(a), find(b)
            if ra != rb:
                parent[max(ra, rb)] = min(ra, rb)
    groups: dict[NodeRef, set[NodeRef]] = {}
    for node in adjacency:
        groups.setdefault(find(node), set()).add(node)
    return [g for g in groups.values() if len(g) > 1]


def _strip_leaves(
    component: set[NodeRef], adjacency: Adjacency
) -> tuple[set[NodeRef], list[tuple[NodeRef, NodeRef]]]:
    """Peel off nodes with a single tie, repeatedly (the 2-core stays).

    Returns the core and, in peeling order, each peeled node with the node it hung from.
    A peeled tree always joins the community of what it hangs from, so Louvain need only
    see the core (often a fraction of a large component).
    """
    degree = {r: len(adjacency.get(r, set()) & component) for r in component}
    left = set(component)
    stack = sorted((r for r, d in degree.items() if d == 1), key=lambda r: r.uid)
    peeled: list[tuple[NodeRef, NodeRef]] = []
    while stack:
        leaf = stack.pop()
        if leaf not in left or degree[leaf] != 1:
            continue
        [anchor] = [n for n in adjacency[leaf] if n in left]
        left.discard(leaf)
        peeled.append((leaf, anchor))
        degree[anchor] -= 1
        if degree[anchor] == 1:
            stack.append(anchor)
    return left, peeled


def _louvain(
    component: set[NodeRef], adjacency: Adjacency, config: InvestigationConfig
) -> list[set[NodeRef]]:
    """Louvain communities of one component (its core built in a fixed order, so the split
    is repeatable), with the peeled trees joined to the community they hang from."""
    cfg = config.clusters
    core, peeled = _strip_leaves(component, adjacency)
    if len(core) < 2:  # a tree: nothing to peel down to, split the whole component
        core, peeled = set(component), []
    graph = nx.Graph()
    ordered = sorted(core, key=lambda r: r.uid)
    graph.add_nodes_from(ordered)
    graph.add_edges_from(
        (a, b)
        for a in ordered
        for b in sorted(adjacency.get(a, ()), key=lambda r: r.uid)
        if a.uid < b.uid and b in core
    )
    found = nx.community.louvain_communities(
        graph, resolution=cfg.resolution, threshold=cfg.louvain_threshold, seed=cfg.seed
    )
    communities = [set(c) for c in found]
    home = {r: i for i, c in enumerate(communities) for r in c}
    for leaf, anchor in reversed(peeled):  # anchors are placed before what hangs from them
        home[leaf] = home[anchor]
        communities[home[anchor]].add(leaf)
    return communities
