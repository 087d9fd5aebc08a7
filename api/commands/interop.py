"""``creditlink import --format ftm|graphml|gexf FILE``: other tools' data in.

FollowTheMoney files go through the ingest pipeline (mapping ``ftm``: quarantine, count
identity, resume and checksums as for any file) and the summary adds the entities per FtM
schema with what they became — schemata without a mapping are listed, not dropped.
GraphML / GEXF files written by ``creditlink export`` are loaded node for node.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from api.commands.ingest import print_summary, store_label
from graph.settings import Settings
from graph.stores import open_store
from ingest.checksum import graph_checksum
from ingest.ftm import scan_ftm
from ingest.interop import read_graph_file
from ingest.pipeline import IngestOptions, ingest_paths

__all__ = ["register"]

FORMATS = ("ftm", "graphml", "gexf")


def import_file(
    file: Annotated[Path, typer.Argument(help="the file to load", exists=True, dir_okay=False)],
    fmt: Annotated[str, typer.Option("--format", help="ftm, graphml or gexf")] = "ftm",
    out: Annotated[Path | None, typer.Option(help="where quarantine.csv goes (ftm)")] = None,
    checksum: Annotated[bool, typer.Option(help="add the store's content checksum")] = False,
    strict: Annotated[bool, typer.Option(help="exit 1 if any row was quarantined")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="print the summary as JSON")] = False,
) -> None:
    """Load FollowTheMoney JSON lines (OpenSanctions, Aleph) or a GraphML / GEXF export."""
    if fmt not in FORMATS:
        raise typer.BadParameter(f"--format must be one of {', '.join(FORMATS)}")
    settings = Settings()
    store = open_store(settings)
    try:
        if fmt != "ftm":
            nodes, edges = read_graph_file(file, store.model)
            written = {"nodes": store.upsert_nodes(nodes), "edges": store.upsert_edges(edges)}
            document: dict[str, object] = {"file": str(file), "format": fmt, **written}
            if checksum:
                document["checksum"] = graph_checksum(store).digest
            typer.echo(json.dumps(document, ensure_ascii=False, indent=2))
            return
        options = IngestOptions(
            mapping="ftm",
            out_dir=out or settings.data_dir / "ingest",
            state_dir=settings.data_dir / "ingest-state",
            store_label=store_label(settings),
        )
        summary = ingest_paths([file], store, options)
        if checksum:
            result = graph_checksum(store)
            summary.checksum = result.digest
            summary.store_nodes, summary.store_edges = result.nodes, result.edges
    finally:
        store.close()
    scan = scan_ftm(file)
    if as_json:
        document = json.loads(summary.model_dump_json())
        document["ftm_schemata"] = dict(scan)
        document["ftm_unmapped"] = scan.unmapped
        typer.echo(json.dumps(document, ensure_ascii=False, indent=2))
    else:
        print_summary(summary)
        table = Table(title="FollowTheMoney schemata")
        for name in ("schema", "became", "entities"):
            table.add_column(name, justify="right" if name == "entities" else "left")
        for schema, targets in scan.items():
            for target, count in sorted(targets.items()):
                shown = "not mapped (quarantined)" if target == "unmapped" else target
                table.add_row(schema, shown, f"{count:,}")
        Console().print(table)
    if strict and summary.totals["quarantined"]:
        raise typer.Exit(1)


def register(app: typer.Typer) -> None:
    """Add ``import`` to the ``creditlink`` app."""
    app.command("import")(import_file)
