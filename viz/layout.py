"""A starting layout: rings around what the question is about.

A force-directed layout started from random positions needs about a thousand iterations
to untangle 400 nodes (18 s in a browser here); started from a radial tree — the focus in
the middle, each ring one hop further, every subtree in its own sector, sized by its
leaves — a few hundred iterations only smooth it.  The browser still runs the physics (and
stops it, see ``viz/static/picture.js``); this only decides where it starts.

>>> pos = radial_positions(["a", "b", "c", "d"], [("a", "b"), ("a", "c"), ("c", "d")], ["a"])
>>> pos["a"]
(0.0, 0.0)
>>> sorted(round(math.hypot(x, y)) for x, y in (pos["b"], pos["c"], pos["d"]))
[180, 180, 360]
>>> pos = radial_positions(["a", "b", "c", "d"], [], [])  # four loners: a 2 x 2 block
>>> sorted(set(round(x) for x, _ in pos.values())), sorted(set(round(y) for _, y in pos.values()))
([0, 180], [0, 180])
"""

from __future__ import annotations

import math
from collections import deque
from collections.abc import Iterable, Sequence

__all__ = ["radial_positions"]

#: Distance between rings, and the least arc between two nodes of one ring (pixels).
RING = 180.0
SPACING = 70.0


def _trees(
    nodes: Sequence[str], adjacency: dict[str, list[str]], roots: Iterable[str]
) -> list[tuple[str, dict[str, list[str]], dict[str, int]]]:
    """Breadth-first trees from the roots, then from one node of each unreached part."""
    seen: set[str] = set()
    trees = []
    starts = [r for r in roots if r in adjacency] + list(nodes)
    for root in starts:
        if root in seen:
            continue
        seen.add(root)
        children: dict[str, list[str]] = {root: []}
        depth = {root: 0}
        queue = deque([root])
        while queue:
            here = queue.popleft()
            for there in adjacency[here]:
                if there not in seen:
                    seen.add(there)
                    children[here].append(there)
                    children[there] = []
                    depth[there] = depth[here] + 1
                    queue.append(there)
        trees.append((root, children, depth))
    return trees


def _place(
    root: str, children: dict[str, list[str]], depth: dict[str, int]
) -> dict[str, tuple[float, float]]:
    leaves: dict[str, int] = {}
    for node in sorted(depth, key=lambda n: -depth[n]):
        leaves[node] = max(1, sum(leaves[c] for c in children[node]))
    per_ring: dict[int, int] = {}
    for d in depth.values():
        per_ring[d] = per_ring.get(d, 0) + 1
    radius = {0: 0.0}
    for d in range(1, max(per_ring) + 1):
        radius[d] = max(radius[d - 1] + RING, per_ring[d] * SPACING / (2 * math.pi))
    where: dict[str, tuple[float, float]] = {}
    stack = [(root, 0.0, 2 * math.pi)]
    while stack:
        node, start, width = stack.pop()
        angle = start + width / 2
        r = radius[depth[node]]
        where[node] = (round(r * math.cos(angle), 1), round(r * math.sin(angle), 1))
        offset = start
        for child in children[node]:
            share = width * leaves[child] / leaves[node]
            stack.append((child, offset, share))
            offset += share
    return where


def radial_positions(
    nodes: Sequence[str], edges: Iterable[tuple[str, str]], roots: Iterable[str]
) -> dict[str, tuple[float, float]]:
    """Start positions of ``nodes``: a radial tree around ``roots`` (and around one node
    of every part the roots do not reach), the trees packed in rows."""
    adjacency: dict[str, list[str]] = {n: [] for n in nodes}
    for a, b in edges:
        if a in adjacency and b in adjacency and a != b:
            adjacency[a].append(b)
            adjacency[b].append(a)
    for neighbours in adjacency.values():
        neighbours.sort()
    placed = []
    for root, children, depth in _trees(nodes, adjacency, roots):
        where = _place(root, children, depth)
        extent = max((math.hypot(x, y) for x, y in where.values()), default=0.0)
        placed.append((extent + RING / 2, where))
    return _pack(placed)


def _pack(
    trees: list[tuple[float, dict[str, tuple[float, float]]]],
) -> dict[str, tuple[float, float]]:
    """Trees (radius, positions around 0,0) in rows of about the width of a square, the
    first (the focus's) top left: a few groups or isolated nodes make a block, not a line.
    The first tree's root stays at 0,0, where the layout's central gravity pulls."""
    area = sum((2 * r) ** 2 for r, _ in trees)
    width = max([2 * r for r, _ in trees[:1]] + [math.sqrt(area)])
    positions: dict[str, tuple[float, float]] = {}
    x = y = row = 0.0
    origin = trees[0][0] if trees else 0.0
    for radius, where in trees:
        if x > 0 and x + 2 * radius > width:
            x, y, row = 0.0, y + row, 0.0
        dx, dy = x + radius - origin, y + radius - origin
        for node, (px, py) in where.items():
            positions[node] = (round(px + dx, 1), round(py + dy, 1))
        x += 2 * radius
        row = max(row, 2 * radius)
    return positions
