"""``creditlink entity`` and ``creditlink search``: the entity routes at the terminal.

``--json`` prints the document ``GET /v1/entities/...`` returns (to an admin: unmasked).
Exit codes: 0 found, 1 not found, 2 a bad kind, key or option.
"""

from __future__ import annotations

from typing import Annotated

import typer
from pydantic import BaseModel
from rich.console import Console
from rich.table import Table

from graph.exc import NotFound, SchemaViolation
from graph.settings import Settings
from graph.stores import open_store
from queries.entities import MAX_SEARCH_LIMIT, lookup_entity, search_entities

__all__ = ["register"]

console = Console()
err_console = Console(stderr=True)


def _print_json(document: BaseModel) -> None:
    typer.echo(document.model_dump_json(indent=2))


def entity(
    kind: Annotated[str, typer.Argument(help="Enterprise, Person, Vehicle, Project or Contact")],
    key: Annotated[str, typer.Argument(help="USCC, ID number, plate|colour, code, channel|value")],
    as_json: Annotated[bool, typer.Option("--json", help="print the JSON document")] = False,
) -> None:
    """Look an entity up by kind and key."""
    store = open_store(Settings())
    try:
        document = lookup_entity(store, kind, key)
    except NotFound as err:
        err_console.print(f"[bold red]not found:[/] {err}")
        raise typer.Exit(1) from err
    except SchemaViolation as err:
        raise typer.BadParameter(str(err), param_hint="KIND/KEY") from err
    finally:
        store.close()
    if as_json:
        _print_json(document)
        return
    found = document.entity
    table = Table(title=f"{found.kind} {found.key}", show_header=False)
    table.add_row("uid", found.uid)
    if found.labels:
        table.add_row("labels", ", ".join(found.labels))
    for name, value in found.props.items():
        table.add_row(name, str(value))
    console.print(table)


def search(
    text: Annotated[str, typer.Argument(help="a name or part of one")],
    kind: Annotated[list[str] | None, typer.Option(help="only this kind (repeatable)")] = None,
    limit: Annotated[int, typer.Option(min=1, max=MAX_SEARCH_LIMIT, help="most results")] = 10,
    as_json: Annotated[bool, typer.Option("--json", help="print the JSON document")] = False,
) -> None:
    """Find entities by name (fuzzy); exit 1 when nothing matches."""
    store = open_store(Settings())
    try:
        results = search_entities(store, text, kinds=kind, limit=limit)
    except SchemaViolation as err:
        raise typer.BadParameter(str(err)) from err
    finally:
        store.close()
    if as_json:
        _print_json(results)
    else:
        table = Table(title=f"entities named like {results.query!r}")
        for column in ("score", "kind", "key", "name"):
            table.add_column(column, justify="right" if column == "score" else "left")
        for match in results.results:
            found = match.entity
            table.add_row(
                f"{match.score:.0f}", found.kind, found.key, str(found.props.get("name", ""))
            )
        console.print(table)
    if not results.results:
        raise typer.Exit(1)


def register(app: typer.Typer) -> None:
    """Add ``entity`` and ``search`` to the CLI."""
    app.command("entity")(entity)
    app.command("search")(search)
