"""``creditlink bid-check | bid-receipt | bid-receipts``: bidding review at the terminal.

``bid-check FILE`` reads a tender — a JSON document (the body of ``POST /v1/bidding/checks``)
or a CSV / XLSX bid list (canonical or Chinese headers) — checks it against the configured
store, records the receipt and shows the verdicts; ``--json`` prints exactly the HTTP
answer (unmasked, as to an admin), ``--html FILE`` writes the printable report and
``--picture FILE`` the interactive network picture.  Exit codes: 0 no finding, 1 findings
(or a receipt that is missing or no longer verifies), 2 a bad file or option.
"""

from __future__ import annotations

import getpass
import json
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, TypeVar

import typer
from pydantic import ValidationError
from rich.console import Console
from rich.table import Table

from graph.exc import InvalidModel, NotFound, SchemaViolation
from graph.settings import Settings
from graph.stores import open_store
from graph.stores.base import GraphStore
from queries.bidding import check_bids
from queries.bidding_config import BIDDING_CONFIG_FILE, load_bidding_config
from queries.bidding_input import TenderIn
from queries.bidding_lists import load_bid_list
from queries.bidding_models import VERDICT_LABELS, BidCheckResult
from queries.bidding_receipt import find_receipts, get_receipt
from queries.bidding_report import report_html

__all__ = ["register"]

console = Console()
err_console = Console(stderr=True)
T = TypeVar("T")
Json = Annotated[bool, typer.Option("--json", help="print the JSON document")]
Out = Annotated[Path | None, typer.Option(help="write to this file", dir_okay=False)]


def _store_do(work: Callable[[GraphStore], T]) -> T:
    store = open_store(Settings())
    try:
        return work(store)
    except NotFound as err:
        err_console.print(f"[bold red]not found:[/] {err}")
        raise typer.Exit(1) from err
    finally:
        store.close()


def _tender(path: Path, lot: str | None, mapping: str | None, sheet: str | None) -> TenderIn:
    try:
        if path.suffix.lower() == ".json":
            return TenderIn.model_validate_json(path.read_bytes())
        return load_bid_list(path, mapping=mapping, lot=lot, sheet=sheet)
    except (ValidationError, SchemaViolation, OSError) as err:
        raise typer.BadParameter(str(err), param_hint="FILE") from err


def _show(result: BidCheckResult) -> None:
    tender = result.tender
    title = f"{tender.project_code}" + (f" lot {tender.lot}" if tender.lot else "")
    table = Table(title=f"bidding check {result.check_id} · {title} · as of {result.as_of}")
    for column in ("bidder", "USCC", "verdict", "findings", "review points"):
        table.add_column(column)
    for bidder in result.bidders:
        zh, en = VERDICT_LABELS[bidder.verdict]
        table.add_row(
            bidder.name,
            bidder.uscc,
            f"{zh} {en}",
            str(len(bidder.reasons)),
            str(len(bidder.review_points)),
        )
    console.print(table)
    for finding in result.findings:
        basis = ", ".join(law.citation for law in finding.legal_basis)
        console.print(f"[bold]{finding.id}[/] {finding.title} [{finding.effect}] — {basis}")
        console.print(f"  {finding.text}")
    for hub in result.hubs:
        console.print(f"not linked ({hub.reason}): {hub.shared.name}, {hub.attached} attached")
    console.print(f"data version {result.data_version.digest} · result hash {result.result_hash}")


def _write(
    store: GraphStore, result: BidCheckResult, html: Path | None, picture: Path | None
) -> None:
    if html is not None:
        html.write_text(report_html(result.model_dump(mode="json")), encoding="utf-8")
        err_console.print(f"report written to {html}")
    if picture is not None:
        from viz.bidding import bidding_view
        from viz.render import Picture

        Picture(bidding_view(store, result)).save(picture)
        err_console.print(f"picture written to {picture}")


def bid_check_command(
    file: Annotated[
        Path,
        typer.Argument(help="tender JSON, or a CSV / XLSX bid list", exists=True, dir_okay=False),
    ],
    lot: Annotated[
        str | None, typer.Option(help="the lot to check when the list holds several")
    ] = None,
    mapping: Annotated[
        str | None, typer.Option(help="bid-list mapping (default: by the headers)")
    ] = None,
    sheet: Annotated[str | None, typer.Option(help="the sheet of an XLSX workbook")] = None,
    config: Annotated[Path | None, typer.Option(help="bidding settings YAML", exists=True)] = None,
    record: Annotated[bool, typer.Option(help="keep the receipt in the store")] = True,
    html: Out = None,
    picture: Out = None,
    as_json: Json = False,
) -> None:
    """Check a tender's bidders: eligibility, 第34条, 第40条 and review points, with evidence."""
    tender = _tender(file, lot, mapping, sheet)
    try:
        settings = load_bidding_config(config or BIDDING_CONFIG_FILE)
    except InvalidModel as err:
        raise typer.BadParameter(str(err), param_hint="--config") from err
    actor = f"cli:{getpass.getuser()}"
    result = _store_do(lambda s: check_bids(s, tender, actor=actor, config=settings, record=record))
    if as_json:
        typer.echo(result.model_dump_json(indent=2))
    else:
        _show(result)
    if html or picture:
        _store_do(lambda s: _write(s, result, html, picture))
    if result.has_findings:
        raise typer.Exit(1)


def bid_receipt_command(
    check_id: Annotated[str, typer.Argument(help="the check id (bc-…)")],
    html: Out = None,
    picture: Out = None,
    as_json: Json = False,
) -> None:
    """Fetch the receipt of a check (跟踪问效) and verify its hash."""
    receipt = _store_do(lambda s: get_receipt(s, check_id))
    if as_json:
        typer.echo(receipt.model_dump_json(indent=2))
    else:
        console.print(
            f"check {receipt.check_id} by {receipt.checked_by} at {receipt.checked_at} "
            f"on {receipt.tender.project_code}, as of {receipt.as_of}"
        )
        console.print(f"data version {receipt.data_version.digest}")
        console.print(
            f"result hash {receipt.result_hash}: "
            + ("[green]verified[/]" if receipt.verified else "[bold red]DOES NOT MATCH[/]")
        )
    if html or picture:
        _store_do(lambda s: _write(s, receipt.result, html, picture))
    if not receipt.verified:
        raise typer.Exit(1)


def bid_receipts_command(
    project_code: Annotated[str, typer.Argument(help="项目编号")],
    as_json: Json = False,
) -> None:
    """The receipts of every check of a project, oldest first."""
    found = _store_do(lambda s: find_receipts(s, project_code))
    if as_json:
        document = {
            "project_code": project_code,
            "receipts": [r.model_dump(mode="json") for r in found],
        }
        typer.echo(json.dumps(document, ensure_ascii=False, indent=2))
        return
    table = Table(title=f"checks of {project_code}")
    for column in ("check", "at", "by", "lot", "bid date", "verdicts"):
        table.add_column(column)
    for r in found:
        verdicts = ", ".join(f"{k} {v}" for k, v in r.verdicts.items())
        table.add_row(
            r.check_id, str(r.checked_at), r.checked_by, r.lot or "", str(r.bid_date), verdicts
        )
    console.print(table)


def register(app: typer.Typer) -> None:
    """Add the bidding commands to the CLI."""
    app.command("bid-check")(bid_check_command)
    app.command("bid-receipt")(bid_receipt_command)
    app.command("bid-receipts")(bid_receipts_command)
