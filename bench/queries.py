"""Investigation queries on a generated graph: Neo4j vs the memory store vs naive baselines.

    python -m bench.queries --scale 1000000 --seed 7 --neo4j bolt://127.0.0.1:7688

One run times, on the same seeds and pairs, the public functions of ``queries/``
(``related`` 2 and 3 hops, ``paths``, ``control``, ``links``) on a Neo4jStore and on a
MemoryStore, and two naive baselines of the same questions: a variable-length Cypher
pattern with the type and date filters in ``WHERE`` (rows streamed to Python), and
networkx (``ego_graph`` on an undirected view, then the filters; ``shortest_path`` and
``all_simple_paths`` on filtered views).  Seeds are stratified by degree; every answer of
the two stores is checked to be identical.  Figures go to docs/benchmarks.md (section
``queries``) through :func:`bench.report.write_section`.

State kept between runs (loading a million nodes into Neo4j takes a while):

* the memory store is pickled to ``--cache-dir`` (``queries-<scale>-<seed>.pickle``) and
  read back on the next run with the same scale and seed;
* the Neo4j database is **kept** when its node and relationship counts equal the
  generated graph's (and ``--reload`` is not given); otherwise it is EMPTIED and loaded
  with the store's batched upserts.  Use a Neo4j of its own (another port and data
  directory, see docs/investigations.md): the test suite empties the test database.

Black-list records for 1 % of the enterprises (drawn with the seed) give the credit-state
look-ups of ``related`` something to find; they are written into both stores.
"""

from __future__ import annotations

import argparse
import gc
import os
import random
import statistics
import time
from collections.abc import Callable, Iterator
from datetime import date
from pathlib import Path
from typing import Any

import neo4j
import networkx as nx

from bench.report import machine_line, write_section
from graph.credit import CreditRecordIn, store_credit_records
from graph.model import GraphModel, NodeRef, is_valid_on, load_model
from graph.stores.base import GraphStore
from graph.stores.memory import MemoryStore
from graph.stores.neo4j import Neo4jStore
from ingest.generate import GeneratedGraph, generate
from queries.clusters import clusters
from queries.config import load_config
from queries.control import control
from queries.links import links
from queries.paths import paths
from queries.related import related
from queries.risk import risk

AS_OF = date(2024, 6, 1)
BANDS = ("low", "median", "high", "hub")
VALID = (
    "(r.valid_from IS NULL OR r.valid_from <= $as_of)"
    " AND (r.valid_to IS NULL OR r.valid_to > $as_of)"
)
Timing = dict[str, list[float]]


def _pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))] if ordered else 0.0


def _timed(run: Callable[..., Any], *args: Any, **kwargs: Any) -> tuple[float, Any]:
    start = time.perf_counter()
    answer = run(*args, **kwargs)
    return (time.perf_counter() - start) * 1000, answer


# -- loading -----------------------------------------------------------------------------------
def _blacklist(graph: GeneratedGraph, rng: random.Random) -> list[CreditRecordIn]:
    chosen = rng.sample(range(graph.sizes.enterprises), max(1, graph.sizes.enterprises // 100))
    return [
        CreditRecordIn(
            kind="black_list",
            subject=graph.enterprise(i).uid,
            decision_no=f"bench-{i}",
            authority="bench",
            decision_date=date(2023, 1, 1),
            source="bench.queries",
        )
        for i in sorted(chosen)
    ]


def _memory(graph: GeneratedGraph, cache: Path, records: list[CreditRecordIn]) -> MemoryStore:
    path = cache / f"queries-{graph.scale}-{graph.seed}.pickle"
    if path.exists():
        t, store = _timed(lambda: MemoryStore(graph.model, path))
        print(f"memory store read from {path} in {t / 1000:.0f} s", flush=True)
        return store  # type: ignore[no-any-return]
    store = MemoryStore(graph.model, path)
    t, _ = _timed(lambda: (store.upsert_nodes(graph.nodes()), store.upsert_edges(graph.edges())))
    store_credit_records(store, records, actor="bench")
    store.flush()
    print(f"memory store built in {t / 1000:.0f} s and saved to {path}", flush=True)
    return store


def _neo4j(
    driver: neo4j.Driver,
    graph: GeneratedGraph,
    expected: Any,
    records: list[CreditRecordIn],
    reload: bool,
) -> tuple[Neo4jStore, str]:
    store = Neo4jStore(driver, graph.model, batch_size=10_000)
    if not reload and store.counts() == expected:
        return store, "kept from an earlier run (same counts)"
    store.clear()
    t, _ = _timed(lambda: (store.upsert_nodes(graph.nodes()), store.upsert_edges(graph.edges())))
    store_credit_records(store, records, actor="bench")
    print(f"neo4j loaded in {t / 1000:.0f} s", flush=True)
    return store, f"loaded in {t / 1000:.0f} s (batched upserts)"


def _degrees(store: MemoryStore) -> dict[str, int]:
    graph = store._graph
    return {u: graph.in_degree(u) + graph.out_degree(u) for u in graph._node}


def _bands(
    degrees: dict[str, int], kinds: set[str] | None, per_band: int, rng: random.Random
) -> dict[str, list[NodeRef]]:
    """Seeds from four degree bands: bottom half, around the median, top 5 %, top 0.1 %."""
    ranked = sorted(
        (u for u in degrees if kinds is None or u.partition(":")[0] in kinds),
        key=lambda u: (degrees[u], u),
    )
    n = len(ranked)
    slices = {
        "low": ranked[: n // 2],
        "median": ranked[int(n * 0.45) : int(n * 0.55)],
        "high": ranked[int(n * 0.95) : int(n * 0.999)],
        "hub": ranked[int(n * 0.999) :],
    }
    return {
        band: [NodeRef.from_uid(u) for u in rng.sample(uids, min(per_band, len(uids)))]
        for band, uids in slices.items()
    }


# -- naive baselines ----------------------------------------------------------------------------
def _cypher(driver: neo4j.Driver, query: str, params: dict[str, Any], timeout: float) -> Any:
    """Run a read, streaming every row to Python; None when the server timed out."""
    try:
        with driver.session(default_access_mode=neo4j.READ_ACCESS) as session:
            return [r.values() for r in session.run(neo4j.Query(query, timeout=timeout), params)]
    except neo4j.exceptions.ClientError as err:
        if "Timeout" in (err.code or "") or "terminated" in str(err).lower():
            return None
        raise


def _naive_related_neo4j(
    driver: neo4j.Driver, ref: NodeRef, hops: int, timeout: float
) -> int | None:
    query = (
        f"MATCH p = (s:Node {{uid: $uid}})-[rels*1..{hops}]-(m) "
        f"WHERE all(r IN rels WHERE {VALID}) RETURN m.uid, min(length(p))"
    )
    rows = _cypher(driver, query, {"uid": ref.uid, "as_of": AS_OF}, timeout)
    return None if rows is None else len(rows)


def _filtered_bfs(graph: Any, start: str, hops: int) -> dict[str, int]:
    dist = {start: 0}
    level = [start]
    for depth in range(1, hops + 1):
        following = []
        for u in level:
            for v, keyed in graph.adj[u].items():
                if v not in dist and any(
                    is_valid_on(a["valid_from"], a["valid_to"], AS_OF) for a in keyed.values()
                ):
                    dist[v] = depth
                    following.append(v)
        level = following
    return dist


def _naive_related_nx(undirected: Any, ref: NodeRef, hops: int) -> int:
    ego = nx.ego_graph(undirected, ref.uid, radius=hops)  # copies the neighbourhood
    return len(_filtered_bfs(ego, ref.uid, hops)) - 1


def _naive_path_neo4j(driver: neo4j.Driver, a: NodeRef, b: NodeRef, timeout: float) -> Any:
    query = (
        "MATCH p = (a:Node {uid: $a})-[rels*1..6]-(b:Node {uid: $b}) "
        f"WHERE all(r IN rels WHERE {VALID}) "
        "RETURN [n IN nodes(p) | n.uid] ORDER BY length(p) LIMIT 1"
    )
    return _cypher(driver, query, {"a": a.uid, "b": b.uid, "as_of": AS_OF}, timeout)


def _valid_view(store: MemoryStore) -> Any:
    graph = store._graph

    def keep(u: str, v: str, k: str) -> bool:
        a = graph._succ[u][v][k]
        return is_valid_on(a["valid_from"], a["valid_to"], AS_OF)

    return nx.subgraph_view(graph, filter_edge=keep).to_undirected(as_view=True)


def _naive_path_nx(view: Any, a: NodeRef, b: NodeRef) -> int | None:
    try:
        found = nx.shortest_path(view, a.uid, b.uid)
    except nx.NetworkXNoPath:
        return None
    return len(found) - 1 if len(found) <= 7 else None


def _naive_control_neo4j(driver: neo4j.Driver, ref: NodeRef, timeout: float) -> int | None:
    query = (
        "MATCH p = (t:Node {uid: $uid})<-[rels:SHAREHOLDER_OF*1..6]-(o) "
        f"WHERE all(r IN rels WHERE {VALID}) "
        "RETURN o.uid, [r IN rels | r.ratio]"
    )
    rows = _cypher(driver, query, {"uid": ref.uid, "as_of": AS_OF}, timeout)
    if rows is None:
        return None
    shares: dict[str, float] = {}
    for uid, ratios in rows:  # aggregation in Python
        product = 1.0
        for ratio in ratios:
            product *= ratio or 0.0
        shares[uid] = shares.get(uid, 0.0) + product
    return len(shares)


def _naive_control_nx(store: MemoryStore, ref: NodeRef) -> int:
    graph = store._graph

    def keep(u: str, v: str, k: str) -> bool:
        a = graph._succ[u][v][k]
        return a["type"] == "SHAREHOLDER_OF" and is_valid_on(a["valid_from"], a["valid_to"], AS_OF)

    view = nx.subgraph_view(graph, filter_edge=keep)
    holders = nx.ancestors(view, ref.uid)
    return sum(1 for h in holders if any(nx.all_simple_paths(view, h, ref.uid, cutoff=6)))


def _naive_links_neo4j(driver: neo4j.Driver, ref: NodeRef, timeout: float) -> int | None:
    types = "HAS_CONTACT|LEGAL_REP_OF|PRINCIPAL_OF|OFFICER_OF|ACTUAL_CONTROLLER_OF|SHAREHOLDER_OF"
    query = (
        f"MATCH (s:Node {{uid: $uid}})-[r1:{types}|EMPLOYED_BY]-(x)-[r2:{types}|EMPLOYED_BY]-(o) "
        f"WHERE o <> s AND all(r IN [r1, r2] WHERE {VALID}) RETURN x.uid, o.uid"
    )
    rows = _cypher(driver, query, {"uid": ref.uid, "as_of": AS_OF}, timeout)
    return None if rows is None else len({o for _, o in rows})


def _naive_links_nx(undirected: Any, ref: NodeRef) -> int:
    ego = nx.ego_graph(undirected, ref.uid, radius=2)
    return len(_filtered_bfs(ego, ref.uid, 2)) - 1


# -- measuring ------------------------------------------------------------------------------------
class Table:
    """Timings per question and band for each contender, with a time budget for naive ones."""

    def __init__(self, budget_s: float) -> None:
        self.rows: dict[tuple[str, str], Timing] = {}
        self.timeouts: dict[tuple[str, str, str], int] = {}
        self.budget = budget_s * 1000

    def add(self, question: str, band: str, who: str, ms: float, timed_out: bool = False) -> None:
        cell = self.rows.setdefault((question, band), {})
        cell.setdefault(who, []).append(ms)
        if timed_out:
            key = (question, band, who)
            self.timeouts[key] = self.timeouts.get(key, 0) + 1

    def spent(self, question: str, band: str, who: str) -> bool:
        return sum(self.rows.get((question, band), {}).get(who, [])) > self.budget

    def cell(self, question: str, band: str, who: str) -> str:
        values = self.rows.get((question, band), {}).get(who, [])
        if not values:
            return "–"
        text = f"{statistics.median(values):.1f} / {_pct(values, 0.95):.1f}"
        lost = self.timeouts.get((question, band, who), 0)
        return (
            f"{text} (n={len(values)}, {lost} timed out)" if lost else f"{text} (n={len(values)})"
        )


def _same(question: str, key: Any, a: Any, b: Any) -> None:
    if a != b:
        raise SystemExit(f"{question}: the stores disagree for {key}")


def _related_answer(result: Any) -> tuple[Any, ...]:
    return (
        [(e.entity.uid, e.distance, [s.src + s.dst for s in e.via]) for e in result.entities],
        [(h.entity.uid, h.total) for h in result.hubs],
        result.truncated,
    )


def _run_related(
    table: Table, stores: dict[str, GraphStore], seeds: dict[str, list[NodeRef]], ctx: Any
) -> None:
    for hops in (2, 3):
        question = f"related, {hops} hops"
        for band, refs in seeds.items():
            for ref in refs:
                answers = {}
                for who, store in stores.items():
                    ms, result = _timed(related, store, ref, hops=hops, as_of=AS_OF)
                    table.add(question, band, who, ms)
                    answers[who] = _related_answer(result)
                _same(question, ref, answers["neo4j"], answers["memory"])
                if not table.spent(question, band, "naive Cypher"):
                    ms, n = _timed(_naive_related_neo4j, ctx.driver, ref, hops, ctx.timeout)
                    table.add(question, band, "naive Cypher", ms, n is None)
                if not table.spent(question, band, "networkx"):
                    ms, _ = _timed(_naive_related_nx, ctx.undirected, ref, hops)
                    table.add(question, band, "networkx", ms)
            print(f"{question} {band}: done", flush=True)


def _pairs(
    memory: MemoryStore, refs: list[NodeRef], count: int, rng: random.Random
) -> Iterator[tuple[str, NodeRef, NodeRef]]:
    """Investigative pairs (b found 2-4 hops from a) and a fifth of random pairs."""
    graph = memory._graph
    uids = list(graph._node)
    made = 0
    while made < count:
        a = rng.choice(refs)
        if made % 5 == 4:
            yield "random pairs", a, NodeRef.from_uid(rng.choice(uids))
            made += 1
            continue
        walk = a.uid
        for _ in range(rng.randint(2, 4)):
            walk = rng.choice(list(nx.all_neighbors(graph, walk)) or [walk])
        if walk != a.uid:
            yield "connected pairs", a, NodeRef.from_uid(walk)
            made += 1


def _run_paths(table: Table, stores: dict[str, GraphStore], pairs: list[Any], ctx: Any) -> None:
    for band, a, b in pairs:
        if a == b:
            continue
        answers = {}
        for who, store in stores.items():
            ms, result = _timed(paths, store, a, b, k=1, max_hops=6, as_of=AS_OF)
            table.add("shortest path", band, who, ms)
            answers[who] = [[n.uid for n in p.nodes] for p in result.paths]
        _same("paths", (a, b), answers["neo4j"], answers["memory"])
        if not table.spent("shortest path", band, "naive Cypher"):
            ms, rows = _timed(_naive_path_neo4j, ctx.driver, a, b, ctx.timeout)
            table.add("shortest path", band, "naive Cypher", ms, rows is None)
        if not table.spent("shortest path", band, "networkx"):
            ms, _ = _timed(_naive_path_nx, ctx.view, a, b)
            table.add("shortest path", band, "networkx", ms)
    print("paths: done", flush=True)


def _run_each(
    table: Table,
    stores: dict[str, GraphStore],
    question: str,
    seeds: dict[str, list[NodeRef]],
    query: Callable[[GraphStore, NodeRef], Any],
    answer: Callable[[Any], Any],
    naive: dict[str, Callable[[NodeRef], Any]],
) -> None:
    for band, refs in seeds.items():
        for ref in refs:
            answers = {}
            for who, store in stores.items():
                ms, result = _timed(query, store, ref)
                table.add(question, band, who, ms)
                answers[who] = answer(result)
            _same(question, ref, answers["neo4j"], answers["memory"])
            for who, run in naive.items():
                if not table.spent(question, band, who):
                    ms, got = _timed(run, ref)
                    table.add(question, band, who, ms, got is None)
        print(f"{question} {band}: done", flush=True)


class Context:
    """What the naive baselines need."""

    def __init__(self, driver: neo4j.Driver, memory: MemoryStore, timeout: float) -> None:
        self.driver = driver
        self.timeout = timeout
        self.undirected = memory._graph.to_undirected(as_view=True)
        self.view = _valid_view(memory)


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--scale", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--per-band", type=int, default=25)
    parser.add_argument("--pairs", type=int, default=500)
    parser.add_argument("--warm", type=int, default=10, help="warm-up seeds per band")
    parser.add_argument("--neo4j", default="bolt://127.0.0.1:7688")
    parser.add_argument("--password", default="creditlink-test")
    parser.add_argument("--cache-dir", type=Path, default=Path.home() / ".cache" / "creditlink")
    parser.add_argument("--reload", action="store_true", help="empty and reload Neo4j")
    parser.add_argument("--timeout", type=float, default=10.0, help="naive Cypher limit (s)")
    parser.add_argument("--budget", type=float, default=60.0, help="naive time per cell (s)")
    parser.add_argument("--no-report", action="store_true", help="do not write docs/benchmarks.md")
    parser.add_argument("--load-only", action="store_true", help="load both stores and stop")
    parser.add_argument("--clusters", action="store_true", help="also time whole-graph clusters")
    args = parser.parse_args()

    model: GraphModel = load_model()
    graph = generate(args.scale, seed=args.seed, model=model)
    rng = random.Random(args.seed)
    records = _blacklist(graph, rng)
    args.cache_dir.mkdir(parents=True, exist_ok=True)
    memory = _memory(graph, args.cache_dir, records)
    gc.collect()
    gc.freeze()  # as a server holding the graph would: no full collections over it
    counts = memory.counts()
    driver = neo4j.GraphDatabase.driver(args.neo4j, auth=("neo4j", args.password))
    store, loaded = _neo4j(driver, graph, counts, records, args.reload)
    if args.load_only:
        driver.close()
        return
    load_before = os.getloadavg()[0]
    stores: dict[str, GraphStore] = {"neo4j": store, "memory": memory}
    ctx = Context(driver, memory, args.timeout)

    degrees = _degrees(memory)
    seeds = _bands(degrees, None, args.per_band, rng)
    firms = _bands(degrees, {"Enterprise"}, args.per_band, rng)
    holders = _bands(degrees, {"Enterprise", "Person"}, args.per_band, rng)
    everyone = [r for refs in seeds.values() for r in refs]
    pairs = list(_pairs(memory, everyone, args.pairs, rng))
    # Warm the Cypher plan cache (a plan per list-size bucket) and the page cache with
    # seeds that are not measured, as a server in use would be.
    warm = _bands(degrees, None, args.warm, random.Random(args.seed + 1))
    warm_refs = [r for refs in warm.values() for r in refs]
    for ref, other in zip(warm_refs, warm_refs[1:] + warm_refs[:1], strict=True):
        for s in stores.values():
            related(s, ref, hops=2, as_of=AS_OF)
            related(s, ref, hops=3, as_of=AS_OF)
            links(s, ref, as_of=AS_OF)
            control(s, ref, as_of=AS_OF)
            control(s, ref, reverse=True, as_of=AS_OF)
            if ref != other:
                paths(s, ref, other, k=1, max_hops=6, as_of=AS_OF)

    table = Table(args.budget)
    _run_related(table, stores, seeds, ctx)
    _run_paths(table, stores, pairs, ctx)
    _run_each(
        table,
        stores,
        "control (owners)",
        firms,
        lambda s, r: control(s, r, as_of=AS_OF),
        lambda res: [(x.party.uid, x.share) for x in res.stakes],
        {
            "naive Cypher": lambda r: _naive_control_neo4j(driver, r, args.timeout),
            "networkx": lambda r: _naive_control_nx(memory, r),
        },
    )
    _run_each(
        table,
        stores,
        "control (holdings)",
        holders,
        lambda s, r: control(s, r, reverse=True, as_of=AS_OF),
        lambda res: [(x.party.uid, x.share) for x in res.stakes],
        {},
    )
    _run_each(
        table,
        stores,
        "hidden links",
        firms,
        lambda s, r: links(s, r, as_of=AS_OF),
        lambda res: [(x.entity.uid, x.grade, len(x.evidence)) for x in res.links],
        {
            "naive Cypher": lambda r: _naive_links_neo4j(driver, r, args.timeout),
            "networkx": lambda r: _naive_links_nx(ctx.undirected, r),
        },
    )
    _run_each(
        table,
        stores,
        "risk (advisory)",
        firms,
        lambda s, r: risk(s, r, as_of=AS_OF),
        lambda res: [(c.subject.uid, c.score) for c in res.contributions],
        {},
    )
    if args.clusters:
        whole = {}
        for who, s in stores.items():  # one batch run each: every tie streamed once
            ms, result = _timed(clusters, s, as_of=AS_OF)
            table.add("clusters (whole graph)", "all", who, ms)
            whole[who] = [(c.anchor, c.size) for c in result.clusters]
        _same("clusters", "whole graph", whole["neo4j"], whole["memory"])
    driver.close()
    load = f"load average {load_before:.1f} at the start, {os.getloadavg()[0]:.1f} at the end"
    _report(args, counts, loaded, table, len(pairs), load)


def _report(args: Any, counts: Any, loaded: str, table: Table, pairs: int, load: str) -> None:
    config = load_config()
    who = ("neo4j", "memory", "naive Cypher", "networkx")
    lines = [
        "| question | seeds | Neo4jStore p50 / p95 (ms) | MemoryStore p50 / p95 (ms) "
        "| naive Cypher p50 / p95 (ms) | networkx p50 / p95 (ms) |",
        "| --- | --- | --- | --- | --- | --- |",
    ]
    ratios = []
    for question, band in table.rows:
        lines.append(
            f"| {question} | {band} | "
            + " | ".join(table.cell(question, band, w) for w in who)
            + " |"
        )
    for question in dict.fromkeys(q for q, _ in table.rows):
        every = [v for (q, _), cell in table.rows.items() if q == question for v in cell["neo4j"]]
        mem = [v for (q, _), cell in table.rows.items() if q == question for v in cell["memory"]]
        ratios.append(
            f"| {question} | {len(every)} "
            f"| {statistics.median(every):.1f} / {_pct(every, 0.95):.1f} "
            f"| {statistics.median(mem):.1f} / {_pct(mem, 0.95):.1f} |"
        )
    body = "\n".join(
        [
            "## Investigations (`bench/queries.py`)",
            "",
            f"{machine_line()} Machine shared with other work: {load}.",
            f"Graph: `generate({args.scale}, seed={args.seed})` = {counts.total_nodes:,} nodes, "
            f"{counts.total_edges:,} relationships; 1 % of enterprises black-listed. "
            f"Neo4j 5.26 community: {loaded}. Every query has `as_of={AS_OF}`; "
            f"{args.per_band} seeds per degree band (low = bottom half, median = 45-55 %, "
            "high = top 5 %, hub = top 0.1 %); "
            f"{pairs} pairs for paths (4 of 5 found 2-4 hops apart, 1 of 5 random). "
            "Neo4jStore and MemoryStore run the public functions of `queries/` "
            f"(hub cap {config.related.per_node_cap}, limit {config.related.limit}, credit "
            "states included) and gave identical answers on every seed. Naive baselines: "
            "variable-length Cypher with the filters in `WHERE`, all rows to Python "
            f"(server timeout {args.timeout:.0f} s, counted as timed out), and networkx "
            "(`ego_graph` on an undirected view then the date filter; `shortest_path` on a "
            "filtered view; `ancestors` + `all_simple_paths`); each naive cell stops after "
            f"{args.budget:.0f} s of work (n = seeds measured). The memory store's objects are "
            "frozen out of the garbage collector after loading (`gc.freeze()`).",
            "",
            "Overall per question:",
            "",
            "| question | queries | Neo4jStore p50 / p95 (ms) | MemoryStore p50 / p95 (ms) |",
            "| --- | --- | --- | --- |",
            *ratios,
            "",
            "By degree band:",
            "",
            *lines,
        ]
    )
    if not args.no_report:
        write_section("queries", body)
    print(body)


if __name__ == "__main__":
    main()
