"""``creditlink generate`` (and, as they land, ``ingest``, ``export``, ``checksum``)."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from ingest.generate import generate as plan_graph
from ingest.generate import write_generated

__all__ = ["register"]

console = Console(stderr=True)


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
    with console.status(f"generating scale {scale:,} seed {seed} into {out} …"):
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


def register(app: typer.Typer) -> None:
    """Add the ingest commands to the ``creditlink`` app."""
    app.command("generate")(generate)
