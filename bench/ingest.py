"""Ingest throughput: batched vs naive per-row vs neo4j-admin import, and the memory store.

    python -m bench.ingest --scale 1000000 --neo4j bolt://127.0.0.1:7698 \\
        --neo4j-home ~/.cache/creditlink/neo4j-ingest --bolt-port 7698 --http-port 7498

One run, one data set (``creditlink generate`` canonical files, about ``scale`` nodes and
3x relationships, plus credit records):

1. **naive per-row** — rows mapped exactly as ``creditlink ingest`` maps them, written one
   auto-committed transaction per node or relationship, on a *sample* of every file
   (``--sample`` rows in total, proportional), extrapolated to all rows;
2. **batched** — ``ingest_paths`` into Neo4j (``UNWIND`` batches, writer thread);
3. **neo4j-admin** — the batched graph exported with ``export_neo4j_admin`` and imported with
   ``neo4j-admin database import full`` into the stopped server; the server is started
   again, constraints and indexes built, and the content checksum compared;
4. **memory** — ``ingest_paths`` into a ``MemoryStore``, when the machine has the memory.

The Neo4j database of ``--neo4j`` is EMPTIED and finally holds the imported graph; the
server is left running with its password.  Figures go to ``docs/benchmarks.md`` (section
``ingest``) through :func:`bench.report.write_section`.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import time
from collections.abc import Iterator
from itertools import islice
from pathlib import Path
from typing import Any

import neo4j

from bench.neo4j_server import admin_binary, neo4j_script, server_cpu_seconds
from bench.report import machine_line, write_section
from graph.model import load_model
from graph.stores import cypher
from graph.stores.memory import MemoryStore
from graph.stores.neo4j import Neo4jStore, edge_row
from ingest.checksum import graph_checksum
from ingest.export import export_neo4j_admin
from ingest.generate import generate, write_generated
from ingest.mappings import builtin_mappings, choose_mapping
from ingest.pipeline import IngestOptions, collect_files, ingest_paths
from ingest.rows import RowMapper
from ingest.sources import Row, open_source


def _timed(label: str, started: float) -> float:
    seconds = time.perf_counter() - started
    print(f"[bench.ingest] {label}: {seconds:,.1f} s", flush=True)
    return seconds


def _dataset(args: argparse.Namespace) -> tuple[Path, float | None]:
    out = args.workdir / f"data-{args.scale}-{args.seed}"
    manifest = out / "manifest.json"
    if manifest.exists():
        saved = json.loads(manifest.read_text("utf-8"))
        if saved.get("generator") == {"scale": args.scale, "seed": args.seed}:
            return out, None
    started = time.perf_counter()
    write_generated(generate(args.scale, args.seed), out)
    return out, _timed("generate", started)


def _rows(data: Path) -> int:
    manifest = json.loads((data / "manifest.json").read_text("utf-8"))
    return int(sum(manifest["files"].values()))


def _sample(data: Path, total: int, wanted: int) -> Iterator[tuple[RowMapper, Row]]:
    """The first rows of every file, proportional to its size (nodes files come first)."""
    model = load_model()
    mappings = builtin_mappings(model)
    manifest = json.loads((data / "manifest.json").read_text("utf-8"))["files"]
    for path, relative in collect_files([data]):
        take = max(1, round(wanted * manifest[relative] / total))
        source = open_source(path)
        rows = source.rows()
        first = list(islice(rows, take))
        mapping = choose_mapping(relative, list(first[0].values), mappings)
        mapper = RowMapper(mapping, model, relative)
        for row in first:
            yield mapper, row


def _naive(store: Neo4jStore, data: Path, total: int, wanted: int) -> tuple[int, float]:
    """One auto-committed transaction per node and per relationship; rows/s on a sample."""
    driver, base = store.driver, store.model.base_label
    rows = 0
    started = time.perf_counter()
    for mapper, row in _sample(data, total, wanted):
        out = mapper.map(row)
        for node in out.nodes:
            query = (
                f"MERGE (n:`{base}` {{uid: $uid}}) SET n:`{node.kind}`, n.key = $key, n += $props"
            )
            props = {k: v for k, v in node.props.items() if v is not None}
            driver.execute_query(
                query, uid=node.ref.uid, key=node.key, props=props, database_=store.database
            )
        for edge in out.edges:
            spec = store.model.edges[edge.type]
            properties, dated = store.row_layout(edge.type)
            query, _ = cypher.upsert_edges(
                base, edge.type, spec.labels_source, properties, dated, []
            )
            one = edge_row(edge, properties, dated)
            driver.execute_query(query, rows=[one], database_=store.database)
        rows += 1
    return rows, time.perf_counter() - started


def _rss_gb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024 / 1024


def _available_gb() -> float:
    for line in Path("/proc/meminfo").read_text().splitlines():
        if line.startswith("MemAvailable:"):
            return int(line.split()[1]) / 1024 / 1024
    return 0.0


def run(args: argparse.Namespace) -> dict[str, Any]:
    """Every leg, in order; returns the figures."""
    args.workdir.mkdir(parents=True, exist_ok=True)
    figures: dict[str, Any] = {"scale": args.scale, "seed": args.seed}
    figures["load_start"] = round(os.getloadavg()[0], 1)
    data, figures["generate_s"] = _dataset(args)
    total = _rows(data)
    figures["rows"] = total
    model = load_model()

    driver = neo4j.GraphDatabase.driver(args.neo4j, auth=(args.user, args.password))
    store = Neo4jStore(driver, model, database=args.database)
    store.clear()
    store.ensure_schema()
    naive_rows, naive_s = _naive(store, data, total, args.sample)
    figures["naive_rows"], figures["naive_s"] = naive_rows, round(naive_s, 2)
    figures["naive_extrapolated_s"] = total * naive_s / naive_rows
    print(f"[bench.ingest] naive: {naive_rows} rows in {naive_s:.1f} s", flush=True)
    store.clear()

    server_before, client_before = server_cpu_seconds(args.neo4j_home), time.process_time()
    started = time.perf_counter()
    batched = ingest_paths([data], store, IngestOptions(batch_size=args.batch))
    figures["batched_s"] = _timed("Neo4j batched", started)
    # Where the CPU went: on 2 cores, what both sides spend per row bounds any Bolt ingest.
    figures["client_cpu_s"] = round(time.process_time() - client_before, 1)
    server_after = server_cpu_seconds(args.neo4j_home)
    if server_before is not None and server_after is not None:
        figures["server_cpu_s"] = round(server_after - server_before, 1)
    figures["balanced"] = batched.balanced
    counts = store.counts()
    figures["nodes"], figures["edges"] = counts.total_nodes, counts.total_edges
    started = time.perf_counter()
    batched_entities = graph_checksum(store, records=False)
    figures["checksum_neo4j_s"] = _timed("checksum (Neo4j)", started)
    started = time.perf_counter()
    exported = export_neo4j_admin(store, args.workdir / "admin")
    figures["export_s"] = _timed("export neo4j-admin files (from Neo4j)", started)
    driver.close()

    neo4j_script(args, "stop")
    admin = admin_binary(args.neo4j_home)
    command = exported.command.replace("neo4j-admin", str(admin), 1).split()
    started = time.perf_counter()
    env = {**os.environ, "HEAP_SIZE": args.admin_heap}
    subprocess.run(command, cwd=args.workdir / "admin", env=env, check=True)
    figures["admin_s"] = _timed("neo4j-admin import", started)
    neo4j_script(args, "start")
    driver = neo4j.GraphDatabase.driver(args.neo4j, auth=(args.user, args.password))
    store = Neo4jStore(driver, model, database=args.database)
    started = time.perf_counter()
    store.ensure_schema()
    driver.execute_query("CALL db.awaitIndexes(3600)", database_=args.database)
    figures["admin_schema_s"] = _timed("constraints and indexes after import", started)
    figures["admin_equals_batched"] = graph_checksum(store, records=False) == batched_entities
    driver.close()
    figures["load_end"] = round(os.getloadavg()[0], 1)

    needed = args.scale * 7e-6  # GB: ~7 kB per generated node measured at 20k scale
    figures["memory_s"] = None
    if _available_gb() < needed + 1:
        print(
            f"[bench.ingest] memory leg skipped: {_available_gb():.1f} GB available, "
            f"about {needed:.1f} GB needed",
            flush=True,
        )
        return figures
    memory = MemoryStore(model)
    started = time.perf_counter()
    ingest_paths([data], memory, IngestOptions(batch_size=args.batch))
    figures["memory_s"] = _timed("memory store", started)
    figures["rss_gb"] = round(_rss_gb(), 2)
    figures["memory_equals_neo4j"] = graph_checksum(memory, records=False) == batched_entities
    return figures


def _cpu_lines(f: dict[str, Any]) -> list[str]:
    """The batched leg's CPU per row, client and server, and the rate they allow here."""
    if f.get("server_cpu_s") is None:
        return ["CPU per row: the server's CPU time was not readable (not started here)."]
    rows, cores = f["rows"], os.cpu_count() or 1
    client_us, server_us = f["client_cpu_s"] / rows * 1e6, f["server_cpu_s"] / rows * 1e6
    ceiling = cores * 1e6 / (client_us + server_us)
    naive_rate = rows / f["naive_extrapolated_s"]
    return [
        f"CPU per row in the batched leg: client (mapping, packing) **{client_us:.0f} µs**, "
        f"Neo4j server (every thread) **{server_us:.0f} µs**. With both busy on all "
        f"{cores} cores this machine could not exceed {ceiling:,.0f} rows/s "
        f"({ceiling / naive_rate:.0f}x the per-row baseline; the ≥ 100x target needs "
        f"{100 * naive_rate:,.0f} rows/s).",
    ]


def _table(f: dict[str, Any]) -> str:
    rows = f["rows"]
    batched, naive, admin = f["batched_s"], f["naive_extrapolated_s"], f["admin_s"]
    admin_total = admin + f["admin_schema_s"]
    lines = [
        "## Ingest: batched vs per-row vs neo4j-admin (`bench/ingest.py`)",
        "",
        machine_line(),
        f"The machine was shared with other jobs (load average {f.get('load_start', '?')} at the "
        f"start, {f.get('load_end', '?')} after the Neo4j legs, on 2 cores): absolute times are "
        "inflated; compare within the run.",
        "",
        f"Data: `creditlink generate --scale {f['scale']:,} --seed {f['seed']}` — "
        f"{f['nodes']:,} nodes, {f['edges']:,} relationships, {rows:,} input rows "
        f"(canonical CSV, credit records included).",
        "",
        "| path | time | rows/s | vs batched Neo4j |",
        "| --- | ---: | ---: | ---: |",
        f"| Neo4j batched (`creditlink ingest`) | {batched:,.0f} s | {rows / batched:,.0f} | 1 |",
        f"| Neo4j naive per-row (sample of {f['naive_rows']:,} rows, extrapolated) | "
        f"{naive:,.0f} s | {rows / naive:,.0f} | {naive / batched:,.1f}x slower |",
        f"| neo4j-admin import of the exported files | {admin:,.0f} s | {rows / admin:,.0f} | "
        f"{batched / admin:.2f}x faster |",
        f"| neo4j-admin import + constraints and indexes | {admin_total:,.0f} s | "
        f"{rows / admin_total:,.0f} | {batched / admin_total:.2f}x faster |",
    ]
    if f.get("memory_s"):
        m = f["memory_s"]
        lines.append(
            f"| memory store (`ingest_paths`) | {m:,.0f} s | {rows / m:,.0f} | "
            f"{batched / m:.2f}x faster |"
        )
    else:
        lines.append("| memory store | not run: not enough free memory on the machine | | |")
    lines += [
        "",
        f"Targets: batched ≥ 100x naive per-row → **{naive / batched:,.0f}x**; batched within "
        f"3x of neo4j-admin → **{batched / admin:.2f}x** of the import alone, "
        f"**{batched / admin_total:.2f}x** with constraints and indexes.",
        *_cpu_lines(f),
        f"Export of the Neo4j graph to neo4j-admin files: {f['export_s']:,.0f} s; "
        f"content checksum of Neo4j: {f['checksum_neo4j_s']:,.0f} s.",
        f"Content checksums: neo4j-admin import = batched Neo4j (entity graph): "
        f"{f['admin_equals_batched']}"
        + (
            f"; memory store = batched Neo4j: {f['memory_equals_neo4j']}"
            if f.get("memory_s")
            else ""
        )
        + f"; count identity held: {f['balanced']}.",
    ]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--scale", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--batch", type=int, default=5_000)
    parser.add_argument("--sample", type=int, default=3_000, help="naive per-row sample rows")
    parser.add_argument("--neo4j", default="bolt://127.0.0.1:7687")
    parser.add_argument("--user", default="neo4j")
    parser.add_argument("--password", default="creditlink-test")
    parser.add_argument("--database", default="neo4j")
    parser.add_argument(
        "--neo4j-home", type=Path, default=Path.home() / ".cache" / "creditlink" / "neo4j"
    )
    parser.add_argument("--bolt-port", type=int, default=7687)
    parser.add_argument("--http-port", type=int, default=7474)
    parser.add_argument("--admin-heap", default="2g")
    parser.add_argument("--workdir", type=Path, default=Path("/tmp/creditlink-bench-ingest"))
    parser.add_argument("--no-write", action="store_true", help="print, do not write the doc")
    args = parser.parse_args()
    figures = run(args)
    print(json.dumps(figures, indent=2, default=str))
    if not args.no_write:
        write_section("ingest", _table(figures))


if __name__ == "__main__":
    main()
