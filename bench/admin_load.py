"""Put a generated graph into a benchmark Neo4j quickly, through ``neo4j-admin`` import.

    python -m bench.admin_load --scale 1000000 --seed 7 \\
        --neo4j-home ~/.cache/creditlink/neo4j-bench --bolt-port 7694 --http-port 7695

The other benchmarks (``bench.propagation --reuse``, ``bench.api_load run``,
``bench.bidding``, ``bench.queries``) need ``ingest.generate(scale, seed)`` in a Neo4j
server.  Streaming it in over Bolt takes half an hour at 1M nodes on 2 cores; this script
builds the graph in a ``MemoryStore``, writes neo4j-admin files with
:func:`ingest.export.export_neo4j_admin` (the same export ``creditlink export --format
neo4j-admin`` does), stops the server, imports them (the database is OVERWRITTEN), starts the
server again and creates the constraints and indexes.  Not a measurement: the timings it
prints are for the operator.
"""

from __future__ import annotations

import argparse
import gc
import os
import shutil
import subprocess
import tempfile
import time
from itertools import islice
from pathlib import Path

import neo4j

from bench.neo4j_server import admin_binary, neo4j_script
from graph.model import load_model
from graph.stores.memory import MemoryStore
from graph.stores.neo4j import Neo4jStore
from ingest.export import export_neo4j_admin
from ingest.generate import generate

BATCH = 50_000


def _step(label: str, started: float) -> None:
    print(f"[bench.admin_load] {label}: {time.perf_counter() - started:,.1f} s", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--scale", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--neo4j-home", type=Path, required=True)
    parser.add_argument("--bolt-port", type=int, default=7694)
    parser.add_argument("--http-port", type=int, default=7695)
    parser.add_argument("--password", default="creditlink-bench")
    parser.add_argument("--admin-heap", default="2g", help="HEAP_SIZE of neo4j-admin")
    parser.add_argument("--workdir", type=Path, help="keep the exported files here")
    args = parser.parse_args()

    model = load_model()
    started = time.perf_counter()
    graph = generate(args.scale, seed=args.seed, model=model)
    memory = MemoryStore(model)
    nodes, edges = iter(graph.nodes()), iter(graph.edges())
    while batch := list(islice(nodes, BATCH)):
        memory.upsert_nodes(batch)
    while edge_batch := list(islice(edges, BATCH)):
        memory.upsert_edges(edge_batch)
    counts = memory.counts()
    _step(f"generated {counts.total_nodes:,} nodes, {counts.total_edges:,} edges", started)

    workdir: Path = args.workdir or Path(tempfile.mkdtemp(prefix="creditlink-admin-"))
    started = time.perf_counter()
    exported = export_neo4j_admin(memory, workdir)
    del memory, graph
    gc.collect()
    _step(f"export to {workdir}", started)
    # A first start writes the server's configuration (its data directory), which
    # neo4j-admin reads: without it the import lands in the distribution's own data folder.
    neo4j_script(args, "start")
    neo4j_script(args, "stop")
    command = exported.command.replace("neo4j-admin", str(admin_binary(args.neo4j_home)), 1)
    started = time.perf_counter()
    env = {**os.environ, "HEAP_SIZE": args.admin_heap}
    subprocess.run(command.split(), cwd=workdir, env=env, check=True)
    _step("neo4j-admin import", started)
    if args.workdir is None:
        shutil.rmtree(workdir)
    neo4j_script(args, "start")
    started = time.perf_counter()
    uri = f"bolt://127.0.0.1:{args.bolt_port}"
    with neo4j.GraphDatabase.driver(uri, auth=("neo4j", args.password)) as driver:
        store = Neo4jStore(driver, model)
        store.ensure_schema()
        driver.execute_query("CALL db.awaitIndexes(3600)")
        loaded = store.counts()
    _step("constraints and indexes", started)
    print(
        f"[bench.admin_load] Neo4j holds {loaded.total_nodes:,} nodes, {loaded.total_edges:,} edges"
    )
    if (loaded.total_nodes, loaded.total_edges) != (counts.total_nodes, counts.total_edges):
        raise SystemExit("counts differ from the generated graph")


if __name__ == "__main__":
    main()
