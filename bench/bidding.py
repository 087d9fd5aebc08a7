"""Bidding checks of 20 bidders on a generated graph (Neo4j): one batched shared-neighbour
query against 190 pairwise queries, and the whole check end to end.

    python -m bench.bidding --scale 1000000 --seed 7 --neo4j bolt://127.0.0.1:7696

Each tender takes the bidders of a bid ring the generator planted (two bidders of one
project sharing a project manager or a controlling shareholder, ``truth.bid_rings``) and
fills up to 20 with construction companies drawn with the seed, so every tender has
something to find and hubs (registered-agent addresses, the big fund) around it.  Per
tender it times, on the same Neo4j:

* **batched** — ``GraphStore.shared_among`` over the 20 bidders: one round trip for every
  node two bidders share and every direct tie (what ``queries/bidding.py`` runs);
* **pairwise** — for each of the 190 pairs, one parameterised Cypher query for the nodes the
  two share and the relationships between them (the naive way, same types and date filter);
* **per bidder** — ``GraphStore.shared_neighbours`` for each of the 20 bidders (the hidden-links
  step of ``queries/links.py``), which also returns the others on every shared value;
* **check** — ``check_bids`` end to end (no receipt written): credit records, heads, control
  and related parties per bidder, the batched query, 第40条 comparisons, report assembly.

The batched and pairwise answers are checked to name the same (pair, shared node) set, and
every planted ring must come out as its 第34条 / 第40条 finding.  1 % of the enterprises are
black-listed (as in ``bench/queries.py``), so listed subjects lie near some bidders.  Figures go to
docs/benchmarks.md (section ``bidding``) through :func:`bench.report.write_section`.

The Neo4j database is **kept** between runs when its counts equal the generated graph's;
otherwise it is EMPTIED and loaded.  Use a Neo4j of your own: the test suite empties its
database too.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import time
from collections import Counter
from collections.abc import Callable
from datetime import date
from functools import partial
from typing import Any

import neo4j

from bench.queries import _blacklist
from bench.report import machine_line, write_section
from graph.credit import store_credit_records
from graph.identifiers import complete_id_no
from graph.model import NodeRef, load_model
from graph.stores.neo4j import Neo4jStore
from ingest.generate import GeneratedGraph, generate
from ingest.truth import BidRing
from queries.bidding import check_bids
from queries.bidding_config import load_bidding_config
from queries.bidding_input import TenderIn

AS_OF = date(2024, 6, 1)
BIDDERS = 20
#: Started by the date: current and former ties (include_ended, as the check asks).
PRED = "(r.valid_from IS NULL OR r.valid_from <= $as_of)"


def _pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))] if ordered else 0.0


def _timed(run: Callable[[], Any]) -> tuple[float, Any]:
    start = time.perf_counter()
    answer = run()
    return (time.perf_counter() - start) * 1000, answer


def _expected_counts(graph: GeneratedGraph) -> tuple[Counter[str], Counter[str]]:
    nodes: Counter[str] = Counter(n.kind for n in graph.nodes())
    edges: Counter[str] = Counter(e.type for e in graph.edges())
    return nodes, edges


def _load(driver: neo4j.Driver, graph: GeneratedGraph, reload: bool) -> tuple[Neo4jStore, str]:
    store = Neo4jStore(driver, graph.model, batch_size=10_000)
    # Black-list records for 1 % of the enterprises (as bench/queries.py): listed subjects
    # near the bidders.  Writing them again changes nothing.
    records = _blacklist(graph, random.Random(graph.seed))
    nodes, edges = _expected_counts(graph)
    counts = store.counts()
    same = {k: v for k, v in counts.nodes.items() if v} == dict(nodes) and {
        k: v for k, v in counts.edges.items() if v
    } == dict(edges)
    if same and not reload:
        store_credit_records(store, records, actor="bench")
        return store, "kept from an earlier run (same counts)"
    store.clear()
    seconds, _ = _timed(
        lambda: (store.upsert_nodes(graph.nodes()), store.upsert_edges(graph.edges()))
    )
    store_credit_records(store, records, actor="bench")
    print(f"neo4j loaded in {seconds / 1000:.0f} s", flush=True)
    return store, f"loaded in {seconds / 1000:.0f} s (batched upserts)"


def _tenders(graph: GeneratedGraph, n: int, rng: random.Random) -> list[tuple[TenderIn, BidRing]]:
    construction = graph.sizes.enterprise_range("construction")
    rings = list(graph.truth.bid_rings)
    rng.shuffle(rings)
    tenders = []
    for i in range(n):  # rings are reused (other fillers) when there are fewer than n
        ring = rings[i % len(rings)]
        chosen = list(dict.fromkeys(ring.all_bidders))
        while len(chosen) < BIDDERS:
            uscc = graph.enterprise(construction.start + rng.randrange(len(construction))).key
            if uscc not in chosen:
                chosen.append(uscc)
        bids: list[dict[str, Any]] = [
            {"uscc": u, "deposit_account": f"6222{i:04d}{k:04d}"} for k, u in enumerate(chosen)
        ]
        for k, uscc in enumerate(chosen):
            manager = (
                ring.shared
                if ring.link == "project_manager" and uscc in ring.bidders
                else complete_id_no(f"11010119800101{(i * BIDDERS + k) % 1000:03d}")
            )
            bids[k]["project_manager_id"] = manager
        tenders.append(
            (
                TenderIn(project_code=ring.project, lot="1", bid_date=AS_OF, bidders=bids),
                ring,
            )
        )
    return tenders


def _pairwise_query(types: tuple[str, ...]) -> str:
    rel = ":" + "|".join(f"`{t}`" for t in types)
    return (
        f"MATCH (a:Node {{uid: $a}}), (b:Node {{uid: $b}}) "
        f"CALL (a, b) {{ MATCH (a)-[r{rel} WHERE {PRED}]-(x)-[r2{rel} WHERE "
        f"{PRED.replace('r.', 'r2.')}]-(b) WHERE x <> a AND x <> b "
        "RETURN collect(DISTINCT x.uid) AS shared } "
        f"CALL (a, b) {{ MATCH (a)-[r{rel} WHERE {PRED}]-(b) RETURN count(r) AS direct }} "
        "RETURN shared, direct"
    )


def _per_bidder(store: Neo4jStore, refs: list[NodeRef], types: tuple[str, ...]) -> list[Any]:
    return [
        store.shared_neighbours(r, types=types, hub_threshold=50, as_of=AS_OF, include_ended=True)
        for r in refs
    ]


def _pairs_batched(found: list[Any], members: set[str]) -> set[tuple[str, str, str]]:
    pairs = set()
    for item in found:
        uids = sorted(m.uid for m, _ in item.members)
        if item.uid in members:  # a member next to members: direct ties
            for other in uids:
                pairs.add((*sorted((item.uid, other)), "direct"))
        for i, a in enumerate(uids):
            for b in uids[i + 1 :]:
                pairs.add((a, b, item.uid))
    return pairs


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--scale", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--tenders", type=int, default=30)
    parser.add_argument("--neo4j", default="bolt://127.0.0.1:7696")
    parser.add_argument("--password", default="creditlink-test")
    parser.add_argument("--reload", action="store_true", help="empty and reload Neo4j")
    parser.add_argument("--load-only", action="store_true", help="load Neo4j and stop")
    parser.add_argument("--no-report", action="store_true", help="do not write docs/benchmarks.md")
    args = parser.parse_args()

    model = load_model()
    graph = generate(args.scale, seed=args.seed, model=model)
    driver = neo4j.GraphDatabase.driver(args.neo4j, auth=("neo4j", args.password))
    store, loaded = _load(driver, graph, args.reload)
    if args.load_only:
        driver.close()
        return
    config = load_bidding_config()
    types = config.shared_types
    rng = random.Random(args.seed)
    tenders = _tenders(graph, args.tenders + 3, rng)
    warm, tenders = tenders[:3], tenders[3:]
    for tender, _ in warm:  # plan cache and page cache
        check_bids(store, tender, actor="bench", record=False)
    load_before = os.getloadavg()[0]
    times: dict[str, list[float]] = {"batched": [], "pairwise": [], "per bidder": [], "check": []}
    found_rings = 0
    mismatches = 0
    shared_nodes: list[int] = []
    query = _pairwise_query(types)
    for tender, ring in tenders:
        refs = [NodeRef("Enterprise", b.uscc) for b in tender.bidders]
        members = {r.uid for r in refs}
        t, batched = _timed(
            partial(store.shared_among, refs, types=types, as_of=AS_OF, include_ended=True)
        )
        times["batched"].append(t)
        shared_nodes.append(len(batched))

        def pairwise(refs: list[NodeRef] = refs) -> set[tuple[str, str, str]]:
            found = set()
            for i, a in enumerate(refs):
                for b in refs[i + 1 :]:
                    records, _, _ = driver.execute_query(
                        query,
                        {"a": a.uid, "b": b.uid, "as_of": AS_OF},
                        routing_=neo4j.RoutingControl.READ,
                    )
                    first, second = sorted((a.uid, b.uid))
                    for record in records:
                        found |= {(first, second, x) for x in record["shared"]}
                        if record["direct"]:
                            found.add((first, second, "direct"))
            return found

        t, pairs = _timed(pairwise)
        times["pairwise"].append(t)
        mismatches += pairs != _pairs_batched(batched, members)
        t, _ = _timed(partial(_per_bidder, store, refs, types))
        times["per bidder"].append(t)
        t, result = _timed(partial(check_bids, store, tender, actor="bench", record=False))
        times["check"].append(t)
        rule = "same_project_manager" if ring.link == "project_manager" else "same_controller"
        found_rings += any(
            f.rule == rule and sorted(f.bidders) == sorted(ring.bidders) for f in result.findings
        )
    driver.close()
    load_after = os.getloadavg()[0]
    report = _report(
        args,
        graph,
        loaded,
        times,
        found_rings,
        len(tenders),
        mismatches,
        shared_nodes,
        (load_before, load_after),
    )
    print(report)
    if not args.no_report:
        write_section("bidding", report)


def _report(
    args: argparse.Namespace,
    graph: GeneratedGraph,
    loaded: str,
    times: dict[str, list[float]],
    found: int,
    n: int,
    mismatches: int,
    shared_nodes: list[int],
    load: tuple[float, float],
) -> str:
    trips = {
        "batched": "1",
        "pairwise": "190",
        "per bidder": "20",
        "check": "≈ 10 + 4 per candidate",
    }
    base = statistics.median(times["batched"])
    rows = [
        f"| {name} | {trips[name]} | {statistics.median(v):.1f} | {_pct(v, 0.95):.1f} | "
        f"{max(v):.1f} | {statistics.median(v) / base:.1f}x |"
        for name, v in times.items()
    ]
    target = "met" if _pct(times["check"], 0.95) <= 200 else "NOT met"
    batched_target = "met" if _pct(times["batched"], 0.95) <= 200 else "NOT met"
    return "\n".join(
        [
            "## Bidding checks: 20 bidders (`bench/bidding.py`)",
            "",
            machine_line(),
            f"Graph: `generate({args.scale}, seed={args.seed})` = {graph.sizes.total_nodes:,} "
            f"nodes on Neo4j ({loaded}); load average {load[0]:.1f} before, {load[1]:.1f} after "
            "(the machine is shared). "
            f"{n} tenders of {BIDDERS} bidders, each a planted bid ring's project filled with "
            "construction companies drawn with the seed; 3 tenders before them warm the caches. "
            f"Shared nodes or direct ties per tender (batched answer): median "
            f"{statistics.median(shared_nodes):.0f}, max {max(shared_nodes)}.",
            "",
            "| approach | round trips | p50 (ms) | p95 (ms) | max (ms) | p50 ÷ batched |",
            "| --- | --- | --- | --- | --- | --- |",
            *rows,
            "",
            f"Batched and pairwise answers named the same (pair, shared node) sets in "
            f"{n - mismatches} of {n} tenders. Planted rings found as their 第34条/第40条 "
            f"finding: {found} of {n}. Target p95 ≤ 200 ms: batched query {batched_target} "
            f"({_pct(times['batched'], 0.95):.1f} ms); whole check {target} "
            f"({_pct(times['check'], 0.95):.1f} ms).",
        ]
    )


if __name__ == "__main__":
    main()
