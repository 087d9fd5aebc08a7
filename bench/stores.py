"""k-hop expansion on both stores against plain networkx BFS (the floor), in one run.

    python -m bench.stores --scale 100000 --neo4j bolt://127.0.0.1:7687

Generates a graph with ``ingest.generate`` (about ``scale`` nodes, 3x relationships), loads
it into a MemoryStore and into Neo4j (the database is EMPTIED first), then times
``neighbourhood(seed, hops=k)`` for k = 1, 2, 3 from seeds stratified by degree, on both
stores and with ``networkx.single_source_shortest_path_length`` on a plain undirected graph
of the same relationships (no type or date filters: the floor).  Every answer is checked
to have the same node count on all three.  Figures go to docs/benchmarks.md (section
``stores``) as p50/p95 and ratios to the floor.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import time
from collections.abc import Callable
from functools import partial

import neo4j
import networkx as nx

from bench.report import machine_line, write_section
from graph.model import Direction, NodeRef, load_model
from graph.stores.base import GraphStore
from graph.stores.memory import MemoryStore
from graph.stores.neo4j import Neo4jStore
from ingest.generate import generate

BANDS = ("low", "median", "high", "hub")


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def _seeds(floor: nx.Graph, per_band: int, rng: random.Random) -> dict[str, list[str]]:
    """Seeds from four degree bands: bottom half, around the median, top 5 %, top 0.1 %."""
    ranked = sorted(floor.nodes, key=floor.degree)
    n = len(ranked)
    slices = {
        "low": ranked[: n // 2],
        "median": ranked[int(n * 0.45) : int(n * 0.55)],
        "high": ranked[int(n * 0.95) : int(n * 0.999)],
        "hub": ranked[int(n * 0.999) :],
    }
    return {band: rng.sample(nodes, min(per_band, len(nodes))) for band, nodes in slices.items()}


def _floor_size(floor: nx.Graph, uid: str, hops: int) -> int:
    return len(nx.single_source_shortest_path_length(floor, uid, cutoff=hops))


def _store_size(store: GraphStore, uid: str, hops: int) -> int:
    ref = NodeRef.from_uid(uid)
    return len(store.neighbourhood([ref], hops=hops, direction=Direction.BOTH).distances)


def _time(run: Callable[[], int]) -> tuple[float, int]:
    start = time.perf_counter()
    size = run()
    return (time.perf_counter() - start) * 1000, size


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scale", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--per-band", type=int, default=25)
    parser.add_argument("--neo4j", default="bolt://127.0.0.1:7687")
    parser.add_argument("--password", default="creditlink-test")
    parser.add_argument("--no-report", action="store_true", help="do not write docs/benchmarks.md")
    args = parser.parse_args()

    model = load_model()
    graph = generate(args.scale, seed=args.seed, model=model)
    nodes, edges = list(graph.nodes()), list(graph.edges())
    print(f"generated {len(nodes)} nodes, {len(edges)} relationships", flush=True)

    memory = MemoryStore(model)
    t0 = time.perf_counter()
    memory.upsert_nodes(nodes)
    memory.upsert_edges(edges)
    memory_load = time.perf_counter() - t0

    driver = neo4j.GraphDatabase.driver(args.neo4j, auth=("neo4j", args.password))
    store = Neo4jStore(driver, model)
    store.clear()
    t0 = time.perf_counter()
    store.upsert_nodes(nodes)
    store.upsert_edges(edges)
    neo4j_load = time.perf_counter() - t0
    print(f"loaded: memory {memory_load:.1f} s, neo4j {neo4j_load:.1f} s", flush=True)

    floor = nx.Graph()
    floor.add_nodes_from(n.ref.uid for n in nodes)
    floor.add_edges_from((e.src.uid, e.dst.uid) for e in edges)
    seeds = _seeds(floor, args.per_band, random.Random(args.seed))

    load_start = os.getloadavg()[0]
    for uid in seeds["median"][:5]:  # warm caches and the Cypher plan cache before timing
        store.neighbourhood([NodeRef.from_uid(uid)], hops=2)
    rows = []
    for hops in (1, 2, 3):
        timings: dict[str, list[float]] = {"networkx": [], "memory": [], "neo4j": []}
        for band in BANDS:
            for uid in seeds[band]:
                ms_nx, n_nx = _time(partial(_floor_size, floor, uid, hops))
                ms_mem, n_mem = _time(partial(_store_size, memory, uid, hops))
                ms_neo, n_neo = _time(partial(_store_size, store, uid, hops))
                if not n_nx == n_mem == n_neo:
                    raise SystemExit(f"answers differ at {uid} k={hops}: {n_nx} {n_mem} {n_neo}")
                timings["networkx"].append(ms_nx)
                timings["memory"].append(ms_mem)
                timings["neo4j"].append(ms_neo)
        p50 = {k: statistics.median(v) for k, v in timings.items()}
        p95 = {k: _percentile(v, 0.95) for k, v in timings.items()}
        rows.append((hops, p50, p95))
        print(f"k={hops}: p50 {p50}  p95 {p95}", flush=True)

    driver.close()
    table = [
        "| k | networkx BFS p50 / p95 (ms) | MemoryStore p50 / p95 (ms) "
        "| Neo4jStore p50 / p95 (ms) | memory ÷ floor (p50) | neo4j ÷ floor (p50) |",
        "| --- | --- | --- | --- | --- | --- |",
    ]
    for hops, p50, p95 in rows:
        table.append(
            f"| {hops} | {p50['networkx']:.2f} / {p95['networkx']:.2f} "
            f"| {p50['memory']:.2f} / {p95['memory']:.2f} "
            f"| {p50['neo4j']:.2f} / {p95['neo4j']:.2f} "
            f"| {p50['memory'] / p50['networkx']:.1f}x | {p50['neo4j'] / p50['networkx']:.1f}x |"
        )
    body = "\n".join(
        [
            "## Stores: k-hop expansion (`bench/stores.py`)",
            "",
            machine_line(),
            "Load average (1 min) at the start and end of the timed part: "
            f"{load_start:.1f} / {os.getloadavg()[0]:.1f} — the machine may be shared, "
            "so compare within a row.",
            f"Graph: `generate({args.scale}, seed={args.seed})` = {len(nodes):,} nodes, "
            f"{len(edges):,} relationships. Seeds: {args.per_band} per degree band "
            f"({', '.join(BANDS)}), {sum(len(v) for v in seeds.values())} in all; every answer had "
            "the same node count on all three. Both stores walk all relationship types in both "
            "directions with their date filter off; the floor is "
            "`networkx.single_source_shortest_path_length` on a plain undirected `nx.Graph`.",
            "",
            *table,
            "",
            f"Loading (batched upserts, not the ingest pipeline): MemoryStore {memory_load:.1f} s, "
            f"Neo4jStore {neo4j_load:.1f} s.",
        ]
    )
    if not args.no_report:
        write_section("stores", body)
    print(body)


if __name__ == "__main__":
    main()
