"""``creditlink related | path | control | links | risk | clusters``: investigations.

Each command calls the function of ``queries/`` of the same name; ``--json`` prints its
result document as is (what an HTTP endpoint over the same function returns to an
admin: unmasked).  ``--config FILE`` replaces ``queries/investigations.yaml``.
Exit codes: 0 answered, 1 the entity does not exist, 2 a bad key or option.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Annotated, TypeVar

import typer
from pydantic import BaseModel
from rich.console import Console
from rich.table import Table

from graph.exc import NotFound, SchemaViolation
from graph.model import Direction
from graph.settings import Settings
from graph.stores import open_store
from graph.stores.base import GraphStore
from queries.clusters import clusters
from queries.config import CONFIG_FILE, InvestigationConfig, load_config
from queries.control import control
from queries.links import links
from queries.paths import paths
from queries.related import related
from queries.risk import risk

__all__ = ["register"]

console = Console()
err_console = Console(stderr=True)
T = TypeVar("T", bound=BaseModel)

AsOf = Annotated[
    str | None, typer.Option("--as-of", help="evaluate on this date (YYYY-MM-DD); default: any")
]
Json = Annotated[bool, typer.Option("--json", help="print the JSON document")]
ConfigFile = Annotated[
    Path | None, typer.Option("--config", help="investigation settings YAML", exists=True)
]
Types = Annotated[
    list[str] | None, typer.Option("--type", "-t", help="follow only this relationship type")
]
Dir = Annotated[Direction, typer.Option(help="direction from the entity at hand")]


def _date(text: str | None) -> date | None:
    if text is None:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError as err:
        raise typer.BadParameter(
            f"{text!r} is not a date (YYYY-MM-DD)", param_hint="--as-of"
        ) from err


def _config(path: Path | None) -> InvestigationConfig:
    return load_config(path or CONFIG_FILE)


def _run(work: Callable[[GraphStore], T]) -> T:
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


def _emit(document: BaseModel, as_json: bool, show: Callable[[], None]) -> None:
    if as_json:
        typer.echo(document.model_dump_json(indent=2))
    else:
        show()


def related_command(
    key: Annotated[str, typer.Argument(help="USCC, ID number or Kind:key")],
    hops: Annotated[int, typer.Option(min=1, max=6, help="how far to look")] = 2,
    types: Types = None,
    direction: Dir = Direction.BOTH,
    as_of: AsOf = None,
    limit: Annotated[int | None, typer.Option(min=1, help="most entities")] = None,
    cap: Annotated[int | None, typer.Option(min=1, help="neighbours shown per hub")] = None,
    config: ConfigFile = None,
    as_json: Json = False,
) -> None:
    """Related parties within N hops, with paths, hubs and credit states."""
    day = _date(as_of)
    result = _run(
        lambda s: related(
            s,
            key,
            hops=hops,
            types=types,
            direction=direction,
            as_of=day,
            limit=limit,
            per_node_cap=cap,
            config=_config(config),
        )
    )

    def show() -> None:
        table = Table(title=f"around {result.seed.name} ({result.credit.state})")
        for column in ("hops", "kind", "name", "credit", "via"):
            table.add_column(column)
        for e in result.entities:
            via = e.via[-1].text if e.via else ""
            table.add_row(str(e.distance), e.entity.kind, e.entity.name, e.credit.state, via)
        console.print(table)
        for hub in result.hubs:
            console.print(f"hub {hub.entity.name}: {hub.shown} shown, {hub.more} more")
        if result.truncated:
            console.print("[yellow]truncated at the entity limit[/]")

    _emit(result, as_json, show)


def path_command(
    a: Annotated[str, typer.Argument(help="from: USCC, ID number or Kind:key")],
    b: Annotated[str, typer.Argument(help="to: USCC, ID number or Kind:key")],
    k: Annotated[int | None, typer.Option(min=1, max=50, help="how many paths")] = None,
    max_hops: Annotated[int | None, typer.Option(min=1, max=10, help="longest path")] = None,
    types: Types = None,
    direction: Dir = Direction.BOTH,
    as_of: AsOf = None,
    config: ConfigFile = None,
    as_json: Json = False,
) -> None:
    """The k shortest paths between two entities, each step explained."""
    day = _date(as_of)
    result = _run(
        lambda s: paths(
            s,
            a,
            b,
            k=k,
            max_hops=max_hops,
            types=types,
            direction=direction,
            as_of=day,
            config=_config(config),
        )
    )

    def show() -> None:
        if not result.paths:
            console.print(f"no path within {result.max_hops} hops")
        for i, p in enumerate(result.paths, 1):
            console.print(f"[bold]path {i}[/] ({p.length} hops)")
            for step in p.steps:
                console.print(f"  {step.text}")

    _emit(result, as_json, show)


def control_command(
    key: Annotated[str, typer.Argument(help="USCC, ID number or Kind:key")],
    reverse: Annotated[bool, typer.Option(help="what this party holds and controls")] = False,
    max_hops: Annotated[int | None, typer.Option(min=1, max=10, help="chain depth")] = None,
    as_of: AsOf = None,
    config: ConfigFile = None,
    as_json: Json = False,
) -> None:
    """Owners, beneficial owners and actual controller (股权穿透), or holdings with --reverse."""
    day = _date(as_of)
    result = _run(
        lambda s: control(
            s, key, reverse=reverse, as_of=day, max_hops=max_hops, config=_config(config)
        )
    )

    def show() -> None:
        title = "holdings of" if reverse else "owners of"
        table = Table(title=f"{title} {result.entity.name}")
        for column in ("party", "share", "controls", "beneficial owner", "chains"):
            table.add_column(column)
        for st in result.stakes:
            table.add_row(
                st.party.name,
                f"{st.share:.2%}",
                "yes" if st.controls else "",
                "yes" if st.beneficial_owner else "",
                str(len(st.chains)),
            )
        console.print(table)
        console.print(result.basis)

    _emit(result, as_json, show)


def links_command(
    key: Annotated[str, typer.Argument(help="USCC, ID number or Kind:key")],
    as_of: AsOf = None,
    hub_threshold: Annotated[
        int | None, typer.Option(min=1, help="more users than this: a hub, not a link")
    ] = None,
    config: ConfigFile = None,
    as_json: Json = False,
) -> None:
    """Hidden links (疑似关系): shared phones, e-mails, addresses and key persons."""
    day = _date(as_of)
    result = _run(
        lambda s: links(s, key, as_of=day, hub_threshold=hub_threshold, config=_config(config))
    )

    def show() -> None:
        table = Table(title=f"hidden links of {result.entity.name}")
        for column in ("grade", "entity", "evidence"):
            table.add_column(column)
        for link in result.links:
            table.add_row(link.grade, link.entity.name, "\n".join(e.text for e in link.evidence))
        console.print(table)
        for hub in result.hubs:
            console.print(f"hub {hub.kind} {hub.shared}: {hub.attached} others, not linked")

    _emit(result, as_json, show)


def risk_command(
    key: Annotated[str, typer.Argument(help="USCC, ID number or Kind:key")],
    as_of: AsOf = None,
    max_hops: Annotated[int | None, typer.Option(min=1, max=5, help="how far to look")] = None,
    config: ConfigFile = None,
    as_json: Json = False,
) -> None:
    """Advisory risk exposure from listed subjects around an entity (not a legal measure)."""
    day = _date(as_of)
    result = _run(lambda s: risk(s, key, as_of=day, max_hops=max_hops, config=_config(config)))

    def show() -> None:
        console.print(f"[italic]{result.advisory}[/]")
        console.print(f"{result.entity.name}: score {result.score:.3f} ({result.band})")
        for c in result.contributions:
            best = c.paths[0].text if c.paths else ""
            console.print(f"  +{c.score:.3f} {c.subject.name} ({c.credit.state}): {best}")

    _emit(result, as_json, show)


def clusters_command(
    around: Annotated[
        str | None, typer.Option(help="only the cluster of this entity (USCC, ID, Kind:key)")
    ] = None,
    as_of: AsOf = None,
    min_size: Annotated[int, typer.Option(min=1, help="fewest enterprises per cluster")] = 2,
    limit: Annotated[int, typer.Option(min=1, help="most clusters shown")] = 50,
    config: ConfigFile = None,
    as_json: Json = False,
) -> None:
    """Affiliate clusters (企业族群) tied by control, legal representatives and officers."""
    day = _date(as_of)
    result = _run(
        lambda s: clusters(
            s, around=around, as_of=day, min_size=min_size, limit=limit, config=_config(config)
        )
    )

    def show() -> None:
        table = Table(title=f"{len(result.clusters)} of {result.components} clusters")
        for column in ("size", "members", "listed", "community"):
            table.add_column(column)
        for c in result.clusters:
            names = ", ".join(m.name for m in c.members[:8]) + (" …" if c.size > 8 else "")
            listed = ", ".join(m.name for m in c.listed)
            table.add_row(str(c.size), names, listed, "yes" if c.community else "")
        console.print(table)
        for hub in result.hubs[:10]:
            console.print(f"hub {hub.entity.name}: tied to {hub.ties}, joins nothing")

    _emit(result, as_json, show)


def register(app: typer.Typer) -> None:
    """Add the investigation commands to the CLI."""
    app.command("related")(related_command)
    app.command("path")(path_command)
    app.command("control")(control_command)
    app.command("links")(links_command)
    app.command("risk")(risk_command)
    app.command("clusters")(clusters_command)
