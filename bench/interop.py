"""Interop costs at a small scale, as ratios to baselines measured in the same run.

    python -m bench.interop --scale 20000

Generates a canonical data set (``ingest.generate``), ingests it into an embedded store
(the baseline: canonical CSV ingest), then on the same graph times

* FtM export, and FtM import of that export through the pipeline (rows/s against the
  canonical ingest's rows/s — the FtM file carries fewer kinds, see docs/data-format.md);
* GraphML and GEXF export (selection + credit state + conversion + write) against a plain
  ``networkx.write_graphml`` / ``write_gexf`` of the already-built networkx graph;
* GraphML import (read + vocabulary checks + upsert) against ``networkx.read_graphml``;

and checks that the GraphML round trip gives the same entity-graph checksum.  The memory
store only: the point is the conversion cost, not the store.  Figures go to
docs/benchmarks.md (section ``interop``).  Keep ``--scale`` at 20,000 or less on the shared
machine.
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

import networkx as nx

from bench.report import machine_line, write_section
from graph.model import load_model
from graph.stores.memory import MemoryStore
from ingest.checksum import graph_checksum
from ingest.ftm_export import export_ftm
from ingest.generate import generate, write_generated
from ingest.interop import credit_state, export_graph_file, read_graph_file, select, to_networkx
from ingest.pipeline import IngestOptions, ingest_paths

T = TypeVar("T")
MAX_SCALE = 20_000


def _timed(work: Callable[[], T]) -> tuple[T, float]:
    started = time.perf_counter()
    result = work()
    return result, time.perf_counter() - started


def run(scale: int, seed: int, folder: Path) -> str:
    """Measure everything and return the markdown section."""
    model = load_model()
    data = folder / "canonical"
    write_generated(generate(scale, seed), data)
    base = MemoryStore(model)
    csv_summary, t_csv = _timed(lambda: ingest_paths([data], base, IngestOptions()))
    csv_rows = csv_summary.totals["rows_read"]
    counts = graph_checksum(base)

    ftm_file = folder / "graph.ftm.json"
    ftm_result, t_ftm_out = _timed(lambda: export_ftm(base, ftm_file))
    back = MemoryStore(model)
    ftm_summary, t_ftm_in = _timed(lambda: ingest_paths([ftm_file], back, IngestOptions()))
    ftm_rows = ftm_summary.totals["rows_read"]
    back_counts = graph_checksum(back)

    nodes, edges = select(base)
    graph = to_networkx(nodes, edges, credit_state(base, [n.ref for n in nodes]))
    rows = []
    for fmt, plain in (("graphml", nx.write_graphml), ("gexf", nx.write_gexf)):
        path = folder / f"graph.{fmt}"
        _, t_ours = _timed(lambda: export_graph_file(base, path, fmt))  # type: ignore[arg-type]  # noqa: B023
        _, t_plain = _timed(lambda: plain(graph, folder / f"plain.{fmt}"))  # noqa: B023
        rows.append(
            (
                f"{'GraphML' if fmt == 'graphml' else 'GEXF'} export",
                t_ours,
                f"`networkx.write_{fmt}` alone",
                t_plain,
            )
        )
    graphml = folder / "graph.graphml"

    def load_back() -> MemoryStore:
        store = MemoryStore(model)
        read_nodes, read_edges = read_graph_file(graphml, model)
        store.upsert_nodes(read_nodes)
        store.upsert_edges(read_edges)
        return store

    again, t_graph_in = _timed(load_back)
    _, t_nx_in = _timed(lambda: nx.read_graphml(graphml))
    rows.append(
        ("GraphML import (read, check, upsert)", t_graph_in, "`networkx.read_graphml`", t_nx_in)
    )
    same = graph_checksum(again, records=False) == graph_checksum(base, records=False)

    load = os.getloadavg()[0]
    lines = [
        "## Interop: FollowTheMoney, GraphML, GEXF (`bench/interop.py`)",
        "",
        machine_line(),
        f"Load average {load:.1f} at the end, on a machine shared with other jobs: "
        "compare within the run.",
        "",
        f"Data: `creditlink generate --scale {scale:,} --seed {seed}` — {counts.nodes:,} nodes, "
        f"{counts.edges:,} relationships, {counts.credit_records:,} credit records; "
        "embedded store.",
        "",
        "| work | time | rows/s | baseline | baseline time | ratio |",
        "| --- | ---: | ---: | --- | ---: | ---: |",
        f"| canonical CSV ingest ({csv_rows:,} rows) | {t_csv:.2f} s | "
        f"{csv_rows / t_csv:,.0f} | — | — | 1 |",
        f"| FtM import of the export ({ftm_rows:,} entities) | {t_ftm_in:.2f} s | "
        f"{ftm_rows / t_ftm_in:,.0f} | canonical CSV ingest, per row | {t_csv:.2f} s | "
        f"{(t_ftm_in / ftm_rows) / (t_csv / csv_rows):.2f}x per row |",
        f"| FtM export ({ftm_result.nodes:,} things, {ftm_result.edges:,} links, "
        f"{ftm_result.credit_records:,} sanctions) | {t_ftm_out:.2f} s | — | "
        f"canonical CSV ingest | {t_csv:.2f} s | {t_ftm_out / t_csv:.2f}x |",
    ]
    for name, ours, base_name, theirs in rows:
        lines.append(
            f"| {name} | {ours:.2f} s | — | {base_name} | {theirs:.2f} s | {ours / theirs:.2f}x |"
        )
    lines += [
        "",
        f"GraphML round trip gives the same entity-graph checksum: {same}.",
        f"Loading the FtM export into an empty store gives {back_counts.nodes:,} nodes, "
        f"{back_counts.edges:,} relationships and {back_counts.credit_records:,} credit records "
        f"(the source graph: {counts.nodes:,}, {counts.edges:,}, {counts.credit_records:,}): "
        "projects, bids, drivers, loading and contacts nobody holds have no FtM form here, and "
        "vehicles come back keyed by their FtM id (no plate colour in FtM); see "
        "docs/data-format.md, *Interoperability*.",
    ]
    return "\n".join(lines)


def main() -> None:
    """Command line entry point."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=int, default=MAX_SCALE)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--no-write", action="store_true", help="print, do not update the docs")
    args = parser.parse_args()
    if args.scale > MAX_SCALE:
        parser.error(f"--scale above {MAX_SCALE:,} is not for the shared machine")
    with tempfile.TemporaryDirectory() as tmp:
        body = run(args.scale, args.seed, Path(tmp))
    print(body)
    if not args.no_write:
        write_section("interop", body)


if __name__ == "__main__":
    main()
