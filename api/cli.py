"""The ``creditlink`` command line (typer + rich).

Each area keeps its commands in ``api/commands/<area>.py`` with a ``register(app)``
function; this module only assembles them.  Exit codes: 0 ok, 1 findings or failures,
2 usage errors (typer's own).
"""

from __future__ import annotations

import json
from importlib import import_module

import typer
from rich.console import Console
from rich.table import Table

from graph.exc import CreditlinkError
from graph.settings import Settings
from graph.stores import open_store

__all__ = ["app", "main"]

app = typer.Typer(
    name="creditlink",
    help="Credit data in a graph: who a joint sanction (失信联合惩戒) reaches, and why.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)
console = Console()

# Command modules in api/commands/, each with register(app).  Order = order in --help.
COMMAND_MODULES: tuple[str, ...] = (
    "demo",
    "ingest",
    "interop",
    "entities",
    "serve",
    "catalog",
    "lifecycle",
    "investigate",
    "viz",
    "bidding",
)


@app.callback()
def _root() -> None:
    """Credit data in a graph: who a joint sanction (失信联合惩戒) reaches, and why."""


@app.command()
def info(as_json: bool = typer.Option(False, "--json", help="print the JSON document")) -> None:
    """Show which store is configured and what it holds."""
    settings = Settings()
    store = open_store(settings)
    try:
        counts = store.counts()
    finally:
        store.close()
    document = {
        "store": "memory" if not settings.uses_neo4j else settings.store,
        "data_dir": str(settings.data_dir),
        "nodes": counts.nodes,
        "edges": counts.edges,
    }
    if as_json:
        typer.echo(json.dumps(document, ensure_ascii=False, indent=2))
        return
    table = Table(title=f"creditlink store: {document['store']}")
    table.add_column("kind / type")
    table.add_column("count", justify="right")
    for name, n in {**counts.nodes, **counts.edges}.items():
        table.add_row(name, str(n))
    console.print(table)


def _register_commands() -> None:
    for name in COMMAND_MODULES:
        import_module(f"api.commands.{name}").register(app)


_register_commands()


def main() -> None:
    """Entry point of the ``creditlink`` console script."""
    try:
        app()
    except CreditlinkError as err:
        Console(stderr=True).print(f"[bold red]error:[/] {err}")
        raise SystemExit(1) from err
