"""``creditlink demo``: the main job on the embedded store, with nothing to install but us."""

from __future__ import annotations

import json
from datetime import date

import typer
from rich.console import Console
from rich.table import Table

from graph.example import load_story
from graph.model import NodeRef
from graph.settings import Settings
from graph.stores import open_store

__all__ = ["register"]

console = Console()


def demo(
    as_json: bool = typer.Option(False, "--json", help="print a JSON summary instead of tables"),
) -> None:
    """Load the bundled example into the configured store and show what it holds."""
    settings = Settings()
    store = open_store(settings)
    try:
        story = load_story(store)
        counts = store.counts()
        as_of = date(2022, 1, 1)
        hood = store.neighbourhood([story.jia], hops=2, as_of=as_of)
        paths = store.shortest_paths(story.jia, story.yi, max_hops=4, as_of=as_of)
    finally:
        store.close()
    names = {n.ref: str(n.props.get("name", n.key)) for n in story.nodes}

    def label(ref: NodeRef) -> str:
        return f"{names.get(ref, ref.key)} ({ref.kind})"

    if as_json:
        document = {
            "store": settings.store,
            "nodes": counts.nodes,
            "edges": counts.edges,
            "neighbourhood": {ref.uid: d for ref, d in hood.distances.items()},
            "paths": [[ref.uid for ref in p.nodes] for p in paths],
        }
        typer.echo(json.dumps(document, ensure_ascii=False, indent=2))
        return
    table = Table(title="Loaded into the embedded store" if not settings.uses_neo4j else "Loaded")
    table.add_column("kind / relationship")
    table.add_column("count", justify="right")
    for name, n in {**counts.nodes, **counts.edges}.items():
        if n:
            table.add_row(name, str(n))
    console.print(table)
    console.print(f"\nWithin two hops of {label(story.jia)} on {as_of}:")
    for ref, distance in sorted(hood.distances.items(), key=lambda item: item[1]):
        console.print(f"  {distance} hop(s): {label(ref)}")
    console.print(f"\nHow {label(story.jia)} and {label(story.yi)} were linked on {as_of}:")
    for path in paths:
        console.print("  " + " → ".join(label(ref) for ref in path.nodes))
    console.print(
        f"\nThe graph is kept in {settings.memory_store_file}; `creditlink info` shows it."
    )


def register(app: typer.Typer) -> None:
    """Add ``demo`` to the CLI."""
    app.command("demo")(demo)
