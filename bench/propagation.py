"""Filing 1,000 listing decisions on a generated graph: batched vs one at a time, both stores.

    python -m bench.propagation --scale 1000000 --neo4j bolt://127.0.0.1:7687

Generates a graph with ``ingest.generate`` (about ``scale`` nodes, 3x relationships) and
loads it into Neo4j (the database is EMPTIED first; point ``--neo4j`` at a server of your
own) and into a MemoryStore.  On each store it files the same 1,000 decisions (70 %
overloading on random vehicles, 20 % bidding fraud on construction firms naming one
responsible person, 10 % court-listed debtors among transport firms; act dates 2024–2025):

* one at a time — ``file_decision`` per request (the baseline, same run);
* batched — one ``file_decisions`` call (one propagation pass, one write transaction);
* re-filed — the batch again, which must change nothing.

The two runs use different decision numbers and must reach exactly the same subjects with
the same measures along the same relationships; the script checks that before it reports.
Store calls are counted through a thin proxy.  After loading, the graph is frozen out of
the garbage collector (``gc.freeze``) so that a full collection of the in-memory graph does
not land in one of the two timed runs by chance.  Figures go to docs/benchmarks.md
(section ``propagation``).
"""

from __future__ import annotations

import argparse
import gc
import os
import random
import time
from collections import Counter, defaultdict
from collections.abc import Callable
from datetime import date, timedelta
from typing import Any, cast

import neo4j

from bench.report import machine_line, write_section
from graph.catalog import Catalog, load_catalog
from graph.model import NodeRef, load_model
from graph.stores.base import GraphStore
from graph.stores.memory import MemoryStore
from graph.stores.neo4j import Neo4jStore
from ingest.generate import GeneratedGraph, generate
from queries.decisions import DecisionOutcome, file_decision, file_decisions
from queries.lifecycle import DecisionRequest, EvidenceItem


class Counting:
    """Forwards to a store and counts the calls of each method (round trips on Neo4j)."""

    def __init__(self, store: GraphStore) -> None:
        self._store = store
        self.calls: Counter[str] = Counter()
        self.seconds: dict[str, float] = defaultdict(float)

    def __getattr__(self, name: str) -> Any:
        attr = getattr(self._store, name)
        if not callable(attr):
            return attr

        def counted(*args: Any, **kwargs: Any) -> Any:
            self.calls[name] += 1
            start = time.perf_counter()
            try:
                return attr(*args, **kwargs)
            finally:
                self.seconds[name] += time.perf_counter() - start

        return counted


def _requests(
    g: GeneratedGraph, catalog: Catalog, n: int, prefix: str, seed: int
) -> list[DecisionRequest]:
    """``n`` decisions drawn reproducibly from the generated graph."""
    rng = random.Random(seed)
    sizes = g.sizes
    construction = sizes.enterprise_range("construction")
    transport = sizes.enterprise_range("transport")
    out = []
    for i in range(n):
        act = date(2024, 1, 1) + timedelta(days=rng.randrange(730))
        roll = rng.random()
        named: list[NodeRef] = []
        if roll < 0.7:
            code, subject = "T-OVERLOAD", g.vehicle(rng.randrange(sizes.vehicles))
        elif roll < 0.9:
            code = "T-BID-FRAUD"
            subject = g.enterprise(rng.choice(construction))
            named = [g.person(rng.choice(sizes.practitioners))]
        else:
            code, subject = "T-COURT-DEBTOR", g.enterprise(rng.choice(transport))
        behaviour = catalog.require_behaviour(code)
        out.append(
            DecisionRequest(
                subject=subject,
                behaviour_code=code,
                act_date=act,
                decision_date=act + timedelta(days=20),
                decision_no=f"{prefix}-{i:04d}",
                authority="bench",
                evidence=[
                    EvidenceItem(type=t, reference=f"{prefix}-{i}")
                    for t in behaviour.evidence_required
                ],
                responsible_persons=named,
            )
        )
    return out


def _signature(outcome: DecisionOutcome | None) -> tuple[Any, ...]:
    """What a decision reached, independent of its number: subjects, measures, edges."""
    if outcome is None:
        return ()
    return tuple(
        sorted(
            (a.subject.uid, a.measure, tuple(s.eid or s.relationship for s in a.path))
            for a in outcome.applications
        )
    )


def _timed(run: Callable[[], Any]) -> tuple[float, Any]:
    start = time.perf_counter()
    result = run()
    return time.perf_counter() - start, result


def _bench(
    store: GraphStore, g: GeneratedGraph, catalog: Catalog, n: int, tag: str
) -> dict[str, Any]:
    """One store: warm up, then one-at-a-time, batched and re-filed; checked equal."""
    file_decisions(store, _requests(g, catalog, 50, f"W{tag}", 99), actor="bench", catalog=catalog)
    singles = _requests(g, catalog, n, f"A{tag}", 1)
    batch = _requests(g, catalog, n, f"B{tag}", 1)
    counted = Counting(store)
    proxy = cast(GraphStore, counted)
    t_single, one_by_one = _timed(
        lambda: [file_decision(proxy, r, actor="bench", catalog=catalog) for r in singles]
    )
    single_calls = sum(counted.calls.values())
    counted.calls.clear()
    counted.seconds.clear()
    t_batch, batched = _timed(lambda: file_decisions(proxy, batch, actor="bench", catalog=catalog))
    batch_calls = dict(counted.calls)
    batch_seconds = {k: round(v, 2) for k, v in counted.seconds.items()}
    t_again, again = _timed(lambda: file_decisions(store, batch, actor="bench", catalog=catalog))
    refused = [r for r in batched if r.outcome is None]
    if refused:
        raise SystemExit(f"{len(refused)} decisions refused: {refused[0].refusals}")
    if [_signature(o) for o in one_by_one] != [_signature(r.outcome) for r in batched]:
        raise SystemExit("batched and one-at-a-time filings reached different subjects")
    if any(r.outcome is None or r.outcome.written for r in again):
        raise SystemExit("re-filing the batch changed something")
    applications = sum(len(r.outcome.applications) for r in batched if r.outcome)
    derived = sum(1 for r in batched if r.outcome for a in r.outcome.applications if not a.direct)
    return {
        "single": t_single,
        "batch": t_batch,
        "again": t_again,
        "single_calls": single_calls,
        "batch_calls": sum(batch_calls.values()),
        "batch_breakdown": batch_calls,
        "batch_seconds": batch_seconds,
        "applications": applications,
        "derived": derived,
    }


def _load(store: GraphStore, g: GeneratedGraph) -> float:
    start = time.perf_counter()
    store.upsert_nodes(g.nodes())
    store.upsert_edges(g.edges())
    return time.perf_counter() - start


def _row(name: str, r: dict[str, Any], n: int) -> str:
    return (
        f"| {name} | {r['single']:.2f} s ({1000 * r['single'] / n:.1f} ms each) "
        f"| {r['batch']:.2f} s | {r['single'] / r['batch']:.1f}x | {r['again']:.2f} s "
        f"| {r['single_calls']} / {r['batch_calls']} | {r['applications']} ({r['derived']}) |"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--scale", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--decisions", type=int, default=1000)
    parser.add_argument("--neo4j", default="bolt://127.0.0.1:7687")
    parser.add_argument("--password", default="creditlink-test")
    parser.add_argument("--stores", default="neo4j,memory", help="comma-separated")
    parser.add_argument("--no-report", action="store_true", help="do not write docs/benchmarks.md")
    parser.add_argument(
        "--reuse", action="store_true", help="Neo4j already holds this graph: do not reload it"
    )
    parser.add_argument("--tag", default="", help="suffix of decision numbers (fresh per run)")
    parser.add_argument(
        "--repeat", type=int, default=1, help="measured runs per store, one graph generation"
    )
    args = parser.parse_args()

    model = load_model()
    catalog = load_catalog()
    g = generate(args.scale, seed=args.seed, model=model)
    results: dict[str, dict[str, Any]] = {}
    loads: dict[str, float] = {}
    loadavg: list[str] = []
    for name in args.stores.split(","):
        if name == "neo4j":
            driver = neo4j.GraphDatabase.driver(args.neo4j, auth=("neo4j", args.password))
            store: GraphStore = Neo4jStore(driver, model)
            if not args.reuse:
                store.clear()
        else:
            driver = None
            store = MemoryStore(model)
        loads[name] = 0.0 if args.reuse and name == "neo4j" else _load(store, g)
        # Move the loaded graph out of the collector's way: otherwise one full collection
        # of millions of networkx dicts (seconds) lands in whichever run crosses the
        # threshold, and the comparison measures CPython's collector, not the engine.
        gc.collect()
        gc.freeze()
        counts = store.counts()
        print(
            f"{name}: {counts.total_nodes} nodes, {counts.total_edges} edges, {loads[name]:.0f} s"
        )
        for run in range(1, args.repeat + 1):
            label = name if args.repeat == 1 else f"{name} r{run}"
            results[label] = _bench(store, g, catalog, args.decisions, f"{args.tag}{run}")
            loadavg.append(f"{label} {os.getloadavg()[0]:.1f}")
            print(label, results[label], flush=True)
        store.close()
        if driver is not None:
            driver.close()
        del store
        gc.unfreeze()
        gc.collect()
    lines = [
        f"{args.decisions} listing decisions (70 % overloading, 20 % bidding fraud, 10 % court "
        f"debtors) on a generated graph of {counts.total_nodes:,} nodes and "
        f"{counts.total_edges:,} relationships (`ingest.generate`, scale {args.scale:,}, "
        f"seed {args.seed}). {machine_line()}",
        "",
        "| store | one at a time | batched | speed-up | re-filed (no change) "
        "| store calls (one at a time / batched) | applications (derived) |",
        "| --- | --- | --- | --- | --- | --- | --- |",
        *(_row(name, r, args.decisions) for name, r in results.items()),
        "",
        "Both runs reached the same subjects with the same measures along the same "
        "relationships (checked by the script). Load times (not part of the comparison): "
        + ", ".join(f"{k} {v:.0f} s" for k, v in loads.items())
        + f". 1-minute load average during the runs: {', '.join(loadavg)} (2 cores shared"
        + " with other work: absolute times are inflated, the ratios less so)"
        + ". Batched store calls by method (count; seconds): "
        + "; ".join(
            f"{k}: {r['batch_breakdown']}; {r['batch_seconds']}" for k, r in results.items()
        )
        + ".",
    ]
    text = "\n".join(lines)
    print(text)
    if not args.no_report:
        write_section("propagation", text)


if __name__ == "__main__":
    main()
