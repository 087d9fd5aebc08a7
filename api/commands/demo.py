"""``creditlink demo``: the main job on the configured store (the embedded one by default).

Loads the example story, files its listing decision, shows who it reaches and why, checks
the story's tender, writes both pictures and says what to open next (:mod:`api.demo_run`).
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from api.demo_run import DemoResult, run_demo
from graph.exc import NotFound
from graph.settings import Settings
from graph.stores import open_store
from queries.bidding_models import VERDICT_LABELS

__all__ = ["register"]

console = Console()


def demo(
    out: Annotated[
        Path | None,
        typer.Option(help="where pictures and the quarantine go [default: <data dir>/demo]"),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="print the JSON result")] = False,
) -> None:
    """Ingest the example story, file its decision, check its tender, draw both answers."""
    settings = Settings()
    out_dir = out or settings.data_dir / "demo"
    store = open_store(settings)
    try:
        result = run_demo(store, out_dir=out_dir)
    except NotFound as err:
        console.print(f"[bold red]{err}[/]")
        raise typer.Exit(1) from err
    finally:
        store.close()
    if as_json:
        typer.echo(result.model_dump_json(indent=2))
        return
    _show(result, settings)


def _show(result: DemoResult, settings: Settings) -> None:
    totals = result.ingest.totals
    where = settings.store if settings.uses_neo4j else str(settings.memory_store_file)
    console.rule("1. ingest examples/story")
    console.print(
        f"{totals['rows_read']} rows read: {totals['loaded']} loaded, "
        f"{totals['quarantined']} quarantined, {totals['duplicates']} duplicates "
        f"({'the counts add up' if result.ingest.balanced else 'COUNTS DO NOT ADD UP'}) "
        f"→ {where}"
    )

    console.rule("2. the decision on the overloaded truck, and whom it reaches")
    verb = "filed" if result.decision_written else "found filed before (nothing changed)"
    console.print(f"decision {result.decision_id} {verb}")
    table = Table(show_lines=True)
    for column in ("subject", "role", "measure", "blocks", "until", "reached through"):
        table.add_column(column)
    for s in result.affected:
        table.add_row(
            s.name,
            s.role or "the subject",
            f"{s.measure}\n{s.measure_name}",
            ", ".join(s.restricts),
            str(s.end or "lifted"),
            "\n".join(s.path) or "—",
        )
    console.print(table)
    console.print(
        f"On {result.restricted_on} the legal representative {result.restricted_name} may not: "
        f"{', '.join(result.restricts) or 'nothing'}"
    )

    console.rule("3. may these bidders bid? (JL-2024-001, lot 1)")
    table = Table()
    for column in ("bidder", "verdict", "deciding findings"):
        table.add_column(column)
    for b in result.bidders:
        zh, en = VERDICT_LABELS[b.verdict]
        table.add_row(b.name, f"{zh} {en}", ", ".join(b.reasons) or "—")
    console.print(table)
    for line in result.findings:
        console.print(f"  {line}")

    console.rule("4. what to open next")
    for path in result.pictures:
        console.print(f"  picture: {path.as_uri()}")
    subject = f"{result.restricted.kind}:{result.restricted.key}"
    for command in (
        f"creditlink affected {result.decision_id} --as-of {result.restricted_on}",
        f"creditlink restrictions '{subject}' --as-of {result.restricted_on}",
        f"creditlink bid-receipt {result.check_id} --html report.html",
        "creditlink related 'Enterprise:91220101MA00000114' --hops 2",
        "creditlink serve   # then http://127.0.0.1:8000/viz/ and /docs",
    ):
        console.print(f"  {command}")


def register(app: typer.Typer) -> None:
    """Add ``demo`` to the CLI."""
    app.command("demo")(demo)
