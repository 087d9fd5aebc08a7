"""``creditlink ingest``, ``generate``, ``checksum`` and ``export`` (neo4j-admin, FtM,
GraphML, GEXF): thin wrappers over :mod:`ingest`.  Progress goes to stderr; ``--json``
prints the summary document on stdout.
"""

from __future__ import annotations

import time
from datetime import date
from pathlib import Path
from typing import Annotated

import typer
from pydantic import BaseModel
from rich.console import Console
from rich.progress import (
    BarColumn,
    Progress,
    SpinnerColumn,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
)
from rich.table import Table

from graph.settings import Settings
from graph.stores import open_store
from graph.stores.base import GraphStore
from ingest.checksum import graph_checksum
from ingest.export import AdminExport, export_neo4j_admin
from ingest.ftm_export import export_ftm
from ingest.generate import generate as plan_graph
from ingest.generate import write_generated
from ingest.interop import GraphExport, GraphFormat, export_graph_file
from ingest.pipeline import IngestOptions, ingest_paths
from ingest.report import Summary
from queries.entities import parse_ref

__all__ = ["register"]

err_console = Console(stderr=True)


def store_label(settings: Settings) -> str:
    """Which store a run wrote to (part of the resume fingerprint)."""
    if settings.uses_neo4j:
        return f"{settings.store}/{settings.neo4j_database}"
    return f"memory:{settings.memory_store_file}"


class _RichProgress:
    """Rows processed and rows per second, per file, on stderr."""

    def __init__(self, progress: Progress) -> None:
        self.progress = progress
        self.task: TaskID | None = None
        self.started = time.perf_counter()
        self.rows = 0

    def start(self, file: str) -> None:
        if self.task is not None:
            self.progress.update(self.task, visible=False)
        self.task = self.progress.add_task(file, total=None, rate="")
        self.started, self.rows = time.perf_counter(), 0

    def advance(self, rows: int) -> None:
        self.rows += rows
        rate = self.rows / max(time.perf_counter() - self.started, 1e-9)
        if self.task is not None:
            self.progress.update(self.task, advance=rows, rate=f"{rate:,.0f} rows/s")


def ingest(
    paths: Annotated[list[Path], typer.Argument(help="files or directories to load")],
    mapping: Annotated[
        str | None, typer.Option(help="built-in mapping name or a mapping YAML file")
    ] = None,
    encoding: Annotated[str | None, typer.Option(help="text encoding (else detected)")] = None,
    sheet: Annotated[str | None, typer.Option(help="only this sheet of each workbook")] = None,
    batch_size: Annotated[int, typer.Option(help="rows per write batch")] = 5_000,
    out: Annotated[
        Path | None, typer.Option(help="where quarantine.csv and candidates.csv go")
    ] = None,
    resume: Annotated[bool, typer.Option(help="resume an interrupted run of this input")] = True,
    checksum: Annotated[bool, typer.Option(help="add the store's content checksum")] = False,
    strict: Annotated[bool, typer.Option(help="exit 1 if any row was quarantined")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="print the summary as JSON")] = False,
) -> None:
    """Load files (CSV, XLSX, JSON Lines; canonical or Chinese-header exports) into the store."""
    settings = Settings()
    options = IngestOptions(
        mapping=mapping,
        encoding=encoding,
        sheet=sheet,
        batch_size=batch_size,
        out_dir=out or settings.data_dir / "ingest",
        state_dir=settings.data_dir / "ingest-state",
        resume=resume,
        store_label=store_label(settings),
    )
    store = open_store(settings)
    try:
        columns = (
            SpinnerColumn(),
            TextColumn("{task.description}"),
            BarColumn(bar_width=None),
            TextColumn("{task.completed:,.0f} rows"),
            TextColumn("{task.fields[rate]}"),
            TimeElapsedColumn(),
        )
        with Progress(*columns, console=err_console, transient=True) as bar:
            summary = ingest_paths(paths, store, options, _RichProgress(bar))
        if checksum:
            _add_checksum(summary, store)
    finally:
        store.close()
    if as_json:
        typer.echo(summary.model_dump_json(indent=2))
    else:
        print_summary(summary)
    if strict and summary.totals["quarantined"]:
        raise typer.Exit(1)


def _add_checksum(summary: Summary, store: GraphStore) -> None:
    result = graph_checksum(store)
    summary.checksum = result.digest
    summary.store_nodes, summary.store_edges = result.nodes, result.edges


def print_summary(summary: Summary) -> None:
    """The summary as a table per file with totals and reasons (stdout)."""
    table = Table(title=f"ingest into {summary.store} ({summary.seconds:.1f} s)")
    for name in ("file", "mapping", "read", "loaded", "quarantined", "duplicates", "ok"):
        table.add_column(name, justify="left" if name in ("file", "mapping") else "right")
    for f in summary.files:
        table.add_row(
            f.file,
            f.mapping,
            f"{f.rows_read:,}",
            f"{f.loaded:,}",
            f"{f.quarantined:,}",
            f"{f.duplicates:,}",
            "✓" if f.balanced else "✗",
        )
    t = summary.totals
    table.add_row(
        "total",
        "",
        f"{t['rows_read']:,}",
        f"{t['loaded']:,}",
        f"{t['quarantined']:,}",
        f"{t['duplicates']:,}",
        "✓" if summary.balanced else "✗",
    )
    console = Console()
    console.print(table)
    console.print(
        f"{summary.rows_per_second:,.0f} rows/s; nodes written {summary.nodes_written:,}, "
        f"relationships {summary.edges_written:,}, credit records {summary.credit_written:,}, "
        f"aliases added {summary.aliases_added:,}, duplicate candidates {summary.candidates:,}"
    )
    for reason, n in sorted(summary.reasons().items()):
        console.print(f"  quarantined for {reason}: {n:,}")
    if summary.quarantine_file and summary.totals["quarantined"]:
        console.print(f"quarantine: {summary.quarantine_file}")
    if summary.candidates:
        console.print(f"candidates: {summary.candidates_file}")
    if summary.checksum:
        console.print(
            f"checksum {summary.checksum} ({summary.store_nodes:,} nodes, "
            f"{summary.store_edges:,} relationships)"
        )


def checksum(
    as_json: Annotated[bool, typer.Option("--json", help="print the checksum as JSON")] = False,
) -> None:
    """Counts and a content checksum of the configured store (equal content, equal checksum)."""
    settings = Settings()
    store = open_store(settings)
    try:
        result = graph_checksum(store)
    finally:
        store.close()
    if as_json:
        typer.echo(result.model_dump_json(indent=2))
        return
    Console().print(
        f"{result.digest}  {result.nodes:,} nodes, {result.edges:,} relationships, "
        f"{result.credit_records:,} credit records"
    )


def generate(
    out: Annotated[Path, typer.Option("--out", help="directory for the canonical files")],
    scale: Annotated[int, typer.Option(help="about this many nodes (3x relationships)")] = 10_000,
    seed: Annotated[int, typer.Option(help="same seed, same data")] = 0,
    fmt: Annotated[str, typer.Option("--format", help="csv or jsonl")] = "csv",
    as_json: Annotated[bool, typer.Option("--json", help="print the manifest as JSON")] = False,
) -> None:
    """Write a realistic synthetic data set (canonical format) with its ground truth."""
    if fmt not in ("csv", "jsonl"):
        raise typer.BadParameter("--format must be csv or jsonl")
    started = time.perf_counter()
    with err_console.status(f"generating scale {scale:,} seed {seed} into {out} …"):
        manifest = write_generated(plan_graph(scale, seed), out, "csv" if fmt == "csv" else "jsonl")
    seconds = time.perf_counter() - started
    if as_json:
        typer.echo(manifest.model_dump_json(indent=2))
        return
    table = Table(title=f"{out} ({seconds:.1f} s)")
    table.add_column("file")
    table.add_column("rows", justify="right")
    for name, rows in manifest.files.items():
        table.add_row(name, f"{rows:,}")
    Console().print(table)
    Console().print(f"ground truth: {out / 'truth.json'}")


def export(
    out: Annotated[
        Path, typer.Argument(help="directory (neo4j-admin) or file (ftm, graphml, gexf)")
    ],
    fmt: Annotated[
        str, typer.Option("--format", help="neo4j-admin, ftm, graphml or gexf")
    ] = "neo4j-admin",
    database: Annotated[str, typer.Option(help="database name in the import command")] = "neo4j",
    around: Annotated[
        list[str] | None,
        typer.Option(help="Kind:key — export only the neighbourhood of this node (repeatable)"),
    ] = None,
    hops: Annotated[int, typer.Option(help="neighbourhood radius with --around")] = 2,
    as_of: Annotated[
        str | None, typer.Option(help="date of the credit state attributes (default today)")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="print the result as JSON")] = False,
) -> None:
    """Write the store (or a neighbourhood) as neo4j-admin import files, FollowTheMoney JSON
    lines, GraphML or GEXF (Gephi) with credit state attributes."""
    if fmt not in ("neo4j-admin", "ftm", "graphml", "gexf"):
        raise typer.BadParameter("--format must be neo4j-admin, ftm, graphml or gexf")
    settings = Settings()
    store = open_store(settings)
    try:
        refs = [parse_ref(store.model, *_split_uid(uid)) for uid in around or []]
        with err_console.status(f"exporting to {out} …"):
            if fmt == "neo4j-admin":
                if refs:
                    raise typer.BadParameter("--around is for ftm, graphml and gexf")
                result: BaseModel = export_neo4j_admin(store, out, database=database)
            elif fmt == "ftm":
                result = export_ftm(store, out, around=refs, hops=hops)
            else:
                day = date.fromisoformat(as_of) if as_of else None
                graph_fmt: GraphFormat = "graphml" if fmt == "graphml" else "gexf"
                result = export_graph_file(store, out, graph_fmt, around=refs, hops=hops, as_of=day)
    finally:
        store.close()
    if as_json:
        typer.echo(result.model_dump_json(indent=2))
        return
    console = Console()
    if isinstance(result, GraphExport):
        what = "entities" if fmt == "ftm" else "nodes"
        links = "links" if fmt == "ftm" else "relationships"
        console.print(
            f"{result.nodes:,} {what}, {result.edges:,} {links} and "
            f"{result.credit_records:,} credit records in {out}"
        )
        return
    assert isinstance(result, AdminExport)
    console.print(f"{result.nodes:,} nodes and {result.edges:,} relationships in {out}")
    console.print(f"stop Neo4j, then: NEO4J_ADMIN=<neo4j>/bin/neo4j-admin {out / 'import.sh'}")
    console.print(f"start Neo4j, then run {out / 'schema.cypher'} (constraints) with cypher-shell")


def _split_uid(uid: str) -> tuple[str, str]:
    kind, sep, key = uid.partition(":")
    if not sep:
        raise typer.BadParameter(f"--around {uid!r}: give Kind:key, e.g. Enterprise:9111…")
    return kind, key


def register(app: typer.Typer) -> None:
    """Add the ingest commands to the ``creditlink`` app."""
    app.command("ingest")(ingest)
    app.command("generate")(generate)
    app.command("checksum")(checksum)
    app.command("export")(export)
