"""``creditlink viz related | paths | affected | cluster | bidding``: pictures of answers.

Each command runs the ``queries/`` function of its name on the configured store and writes
the picture (:mod:`viz`) to ``--out`` as one self-contained HTML file that opens offline;
``--png`` also writes a PNG beside it, rendered by headless Chromium (an ``--out`` ending
in ``.png`` writes the PNG only).  ``--role`` masks personal data as the API would for
that role (default: admin, nothing masked).  ``--json`` prints the picture's JSON document
— exactly what ``GET /v1/viz/...?format=json`` returns to that role (same ids: both use
the key in the data directory, see ``viz/ids.py``).
Exit codes: 0 written, 1 the entity or decision does not exist, 2 a bad key or option.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from api.security import ROLE_CLEARANCE, Role
from graph.exc import CreditlinkError, NotFound, SchemaViolation
from graph.model import Direction
from graph.settings import Settings
from graph.stores import open_store
from graph.stores.base import GraphStore
from queries.affected import affected
from queries.bidding_receipt import get_receipt
from queries.clusters import clusters
from queries.common import resolve
from queries.paths import paths
from queries.related import related
from viz.bidding import bidding_view
from viz.ids import load_key
from viz.png import export_png
from viz.render import Picture
from viz.view import DEFAULT_MAX_NODES, GraphView
from viz.views import affected_view, cluster_view, paths_view, related_view

__all__ = ["register"]

console = Console()
err_console = Console(stderr=True)
viz_app = typer.Typer(
    name="viz",
    help="Pictures of credit networks: self-contained offline HTML (and PNG).",
    no_args_is_help=True,
)

Out = Annotated[
    Path | None,
    typer.Option("--out", "-o", help="write the picture here (.html, or .png for a PNG only)"),
]
Png = Annotated[bool, typer.Option("--png", help="also write a PNG beside the HTML")]
AsOf = Annotated[
    str | None, typer.Option("--as-of", help="evaluate on this date (YYYY-MM-DD); default: any")
]
RoleOpt = Annotated[Role, typer.Option("--role", help="mask personal data as for this role")]
MaxNodes = Annotated[
    int, typer.Option("--max-nodes", min=1, max=5000, help="picture cap: most entities drawn")
]
Json = Annotated[bool, typer.Option("--json", help="print the picture's JSON document")]
Types = Annotated[
    list[str] | None, typer.Option("--type", "-t", help="follow only this relationship type")
]
Dir = Annotated[Direction, typer.Option(help="direction from the entity at hand")]
Width = Annotated[int, typer.Option("--width", min=200, max=8000, help="PNG width (pixels)")]
Height = Annotated[int, typer.Option("--height", min=200, max=8000, help="PNG height (pixels)")]


def _date(text: str | None) -> date | None:
    if text is None:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError as err:
        raise typer.BadParameter(
            f"{text!r} is not a date (YYYY-MM-DD)", param_hint="--as-of"
        ) from err


def _view(work: Callable[[GraphStore], GraphView]) -> GraphView:
    store = open_store(Settings())
    try:
        return work(store)
    except NotFound as err:
        err_console.print(f"[bold red]not found:[/] {err}")
        raise typer.Exit(1) from err
    except SchemaViolation as err:
        raise typer.BadParameter(str(err)) from err
    finally:
        store.close()


def _write(
    view: GraphView,
    *,
    out: Path | None,
    png: bool,
    role: Role,
    max_nodes: int,
    as_json: bool,
    size: tuple[int, int],
) -> None:
    # The API's id key (in the data directory): ids equal those the API gives.
    key = load_key(Settings().data_dir)
    picture = Picture(view, clearance=ROLE_CLEARANCE[role], max_nodes=max_nodes, key=key)
    if as_json:
        typer.echo(picture.document.model_dump_json(indent=2, by_alias=True))
    if out is None:
        if not as_json:
            raise typer.BadParameter("give --out FILE (or --json)", param_hint="--out")
        return
    written = []
    try:
        if out.suffix.lower() == ".png":
            with tempfile.TemporaryDirectory(prefix="creditlink-viz-") as tmp:
                page = picture.save(Path(tmp) / "picture.html")
                written.append(export_png(page, out, width=size[0], height=size[1]))
        else:
            written.append(picture.save(out))
            if png:
                written.append(
                    export_png(out, out.with_suffix(".png"), width=size[0], height=size[1])
                )
    except CreditlinkError as err:
        err_console.print(f"[bold red]{err.title}:[/] {err}")
        raise typer.Exit(1) from err
    counts = picture.document.counts
    target = err_console if as_json else console
    for path in written:
        target.print(
            f"wrote {path} ({counts.drawn_nodes} entities, {counts.drawn_edges} relationships"
            f" of {counts.answer_nodes} and {counts.answer_edges})"
        )
    for line in picture.document.left_out:
        target.print(f"[yellow]note:[/] {line}")


@viz_app.command("related")
def related_command(
    key: Annotated[str, typer.Argument(help="USCC, ID number or Kind:key")],
    out: Out = None,
    hops: Annotated[int, typer.Option(min=1, max=6, help="how far to look")] = 2,
    types: Types = None,
    direction: Dir = Direction.BOTH,
    as_of: AsOf = None,
    limit: Annotated[int | None, typer.Option(min=1, help="most entities")] = None,
    cap: Annotated[int | None, typer.Option(min=1, help="neighbours shown per hub")] = None,
    png: Png = False,
    role: RoleOpt = Role.ADMIN,
    max_nodes: MaxNodes = DEFAULT_MAX_NODES,
    width: Width = 1600,
    height: Height = 1000,
    as_json: Json = False,
) -> None:
    """Picture of the related parties of an entity."""
    day = _date(as_of)
    view = _view(
        lambda s: related_view(
            s,
            related(
                s,
                key,
                hops=hops,
                types=types,
                direction=direction,
                as_of=day,
                limit=limit,
                per_node_cap=cap,
            ),
        )
    )
    _write(
        view,
        out=out,
        png=png,
        role=role,
        max_nodes=max_nodes,
        as_json=as_json,
        size=(width, height),
    )


@viz_app.command("paths")
def paths_command(
    a: Annotated[str, typer.Argument(help="from: USCC, ID number or Kind:key")],
    b: Annotated[str, typer.Argument(help="to: USCC, ID number or Kind:key")],
    out: Out = None,
    k: Annotated[int | None, typer.Option(min=1, max=50, help="how many paths")] = None,
    max_hops: Annotated[int | None, typer.Option(min=1, max=10, help="longest path")] = None,
    types: Types = None,
    direction: Dir = Direction.BOTH,
    as_of: AsOf = None,
    png: Png = False,
    role: RoleOpt = Role.ADMIN,
    max_nodes: MaxNodes = DEFAULT_MAX_NODES,
    width: Width = 1600,
    height: Height = 1000,
    as_json: Json = False,
) -> None:
    """Picture of the shortest paths between two entities."""
    day = _date(as_of)
    view = _view(
        lambda s: paths_view(
            s,
            paths(s, a, b, k=k, max_hops=max_hops, types=types, direction=direction, as_of=day),
        )
    )
    _write(
        view,
        out=out,
        png=png,
        role=role,
        max_nodes=max_nodes,
        as_json=as_json,
        size=(width, height),
    )


@viz_app.command("affected")
def affected_command(
    decision_id: Annotated[str, typer.Argument(help="the decision's id")],
    out: Out = None,
    as_of: AsOf = None,
    png: Png = False,
    role: RoleOpt = Role.ADMIN,
    max_nodes: MaxNodes = DEFAULT_MAX_NODES,
    width: Width = 1600,
    height: Height = 1000,
    as_json: Json = False,
) -> None:
    """Picture of who a decision reaches, with measures, basis, terms and paths."""
    day = _date(as_of)
    view = _view(lambda s: affected_view(s, affected(s, decision_id, as_of=day)))
    _write(
        view,
        out=out,
        png=png,
        role=role,
        max_nodes=max_nodes,
        as_json=as_json,
        size=(width, height),
    )


@viz_app.command("cluster")
def cluster_command(
    key: Annotated[str, typer.Argument(help="USCC, ID number or Kind:key")],
    out: Out = None,
    as_of: AsOf = None,
    png: Png = False,
    role: RoleOpt = Role.ADMIN,
    max_nodes: MaxNodes = DEFAULT_MAX_NODES,
    width: Width = 1600,
    height: Height = 1000,
    as_json: Json = False,
) -> None:
    """Picture of the affiliate cluster around an entity."""
    day = _date(as_of)
    view = _view(lambda s: cluster_view(s, clusters(s, around=resolve(s, key).ref, as_of=day)))
    _write(
        view,
        out=out,
        png=png,
        role=role,
        max_nodes=max_nodes,
        as_json=as_json,
        size=(width, height),
    )


@viz_app.command("bidding")
def bidding_command(
    check_id: Annotated[
        str, typer.Argument(help="the check's id (creditlink bid-check prints it)")
    ],
    out: Out = None,
    png: Png = False,
    role: RoleOpt = Role.ADMIN,
    max_nodes: MaxNodes = DEFAULT_MAX_NODES,
    width: Width = 1600,
    height: Height = 1000,
    as_json: Json = False,
) -> None:
    """Picture of a stored bidding check: bidders, findings and their evidence."""
    view = _view(lambda s: bidding_view(s, get_receipt(s, check_id).result))
    _write(
        view,
        out=out,
        png=png,
        role=role,
        max_nodes=max_nodes,
        as_json=as_json,
        size=(width, height),
    )


def register(app: typer.Typer) -> None:
    """Add ``creditlink viz ...`` to the CLI."""
    app.add_typer(viz_app, name="viz")
