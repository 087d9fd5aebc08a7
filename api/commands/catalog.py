"""The catalog and filing on the command line: ``catalog validate|list|show``, ``decide``,
``preview``.  The lifecycle commands are in ``api/commands/lifecycle.py``.

Every command takes ``--json`` and then prints the same document the HTTP endpoint returns
(the pydantic result as JSON).  Dates are ISO (2026-05-20); an entity is ``Kind:key``
(``Vehicle:吉B12345|2``).
"""

from __future__ import annotations

import getpass
import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import Annotated, Any, TypeVar

import typer
from pydantic import BaseModel
from rich.console import Console
from rich.table import Table

from graph.catalog import Catalog, ListKind, load_catalog
from graph.credit import parse_subject
from graph.model import NodeRef
from graph.settings import Settings
from graph.stores import open_store
from graph.stores.base import GraphStore
from queries.catalog import catalog_document, catalog_entry
from queries.decisions import file_decision, preview
from queries.lifecycle import (
    Application,
    AppliedMeasure,
    DecisionRequest,
    EvidenceItem,
    Refused,
    applied,
)

__all__ = ["register"]

console = Console()
T = TypeVar("T")
catalog_app = typer.Typer(
    help="The four lists (四张清单): validate, list, show.", no_args_is_help=True
)

JsonOpt = Annotated[
    bool, typer.Option("--json", help="print the JSON document (as the HTTP API returns it)")
]
CatalogOpt = Annotated[
    Path | None,
    typer.Option(
        "--catalog", help="catalog directory (default: CREDITLINK_CATALOG, else the shipped one)"
    ),
]
ActorOpt = Annotated[str | None, typer.Option("--actor", help="who acts (default cli:$USER)")]
AsOfOpt = Annotated[str | None, typer.Option("--as-of", help="date to evaluate (default today)")]
Text = Annotated[str | None, typer.Option()]


def day(text: str | None) -> date:
    """An ISO date, today when empty."""
    return date.today() if not text else date.fromisoformat(text)


def actor_name(actor: str | None) -> str:
    """The actor recorded in the audit log."""
    return actor or f"cli:{getpass.getuser()}"


def entity(text: str) -> NodeRef:
    """``Kind:key`` to a node reference."""
    ref = parse_subject(text)
    if not isinstance(ref, NodeRef) or not ref.kind or not ref.key:
        raise typer.BadParameter(f"{text!r} is not Kind:key")
    return ref


def emit(document: BaseModel | dict[str, Any] | list[Any]) -> None:
    """Print a document as indented JSON (UTF-8, Chinese kept)."""
    data = document.model_dump(mode="json") if isinstance(document, BaseModel) else document
    typer.echo(json.dumps(data, ensure_ascii=False, indent=2))


@contextmanager
def opened_store() -> Iterator[GraphStore]:
    """The configured store, closed (and persisted) afterwards."""
    store = open_store(Settings())
    try:
        yield store
    finally:
        store.close()


def refusing(work: Callable[[], T], as_json: bool) -> T:
    """Run a step; a refusal is printed (as JSON with --json) and exits 1."""
    try:
        return work()
    except Refused as err:
        if as_json:
            emit({"refused": [r.model_dump() for r in err.refusals]})
        else:
            for r in err.refusals:
                console.print(f"[bold red]refused[/] ({r.code}): {r.message}")
        raise typer.Exit(1) from err


def measures_table(title: str, measures: list[AppliedMeasure]) -> Table:
    """A table of measures with status, term and path (each step with its source)."""
    table = Table(title=title)
    for column in ("subject", "measure", "role", "status", "start", "end", "path (source)"):
        table.add_column(column)
    for m in measures:
        path = " → ".join(f"{s.relationship} ({s.source or '-'})" for s in m.path) or "当事人"
        end = str(m.end or "until lifted")
        name = f"{m.measure} {m.measure_name}"
        table.add_row(m.subject.uid, name, m.role or "-", m.status, str(m.start), end, path)
    return table


def _views(apps: list[Application], on: date) -> list[AppliedMeasure]:
    return [applied(a, on) for a in apps]


# -- catalog ----------------------------------------------------------------------------
@catalog_app.command("validate")
def catalog_validate(
    path: Annotated[Path | None, typer.Argument(help="catalog directory")] = None,
    as_json: JsonOpt = False,
) -> None:
    """Load a catalog and check it; exit 1 with the reason when it is invalid."""
    catalog = load_catalog(path)
    uncertain = sorted(e.code for k in ListKind for e in catalog.entries(k) if e.uncertain)
    summary = {
        "name": catalog.header.name,
        "version": catalog.version,
        "effective": catalog.header.effective.isoformat(),
        "path": str(catalog.path),
        "fingerprint": catalog.fingerprint,
        "lists": {k.value: len(catalog.entries(k)) for k in ListKind},
        "uncertain": uncertain,
    }
    if as_json:
        emit(summary)
        return
    console.print(f"[green]valid[/] {catalog.header.name} {catalog.version}")
    console.print(f"  effective {catalog.header.effective}, from {catalog.path}")
    for kind in ListKind:
        console.print(f"  {kind.chinese} ({kind.value}): {len(catalog.entries(kind))}")
    console.print(f"  entries with unverified figures: {', '.join(uncertain) or '-'}")


@catalog_app.command("list")
def catalog_list(
    which: Annotated[ListKind | None, typer.Option("--list", help="only this list")] = None,
    catalog_dir: CatalogOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """The entries of the four lists (--json: the document of GET /v1/catalog)."""
    catalog = load_catalog(catalog_dir)
    kinds = [which] if which else list(ListKind)
    rows = [(k, e) for k in kinds for e in catalog.entries(k)]
    if as_json:
        emit(catalog_document(catalog, which))
        return
    table = Table(title=f"{catalog.header.name} {catalog.version}")
    for column in ("code", "list", "name", "gloss", "severity", "term", "unverified"):
        table.add_column(column)
    for k, e in rows:
        term = (e.term.default or "until lifted") if e.term else "-"
        table.add_row(
            e.code, k.value, e.name, e.gloss, e.severity or "-", term, ", ".join(e.uncertain)
        )
    console.print(table)


@catalog_app.command("show")
def catalog_show(
    code: Annotated[str, typer.Argument(help="entry code, e.g. T-OVERLOAD")],
    catalog_dir: CatalogOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """One entry with everything it declares (--json: as GET /v1/catalog/{code})."""
    found = catalog_entry(load_catalog(catalog_dir), code)
    if as_json:
        emit(found)
        return
    entry = found.entry
    console.print(f"[bold]{entry.code}[/] {entry.name} — {entry.gloss}  ({found.list_name})")
    for key, value in entry.model_dump(mode="json", exclude_none=True).items():
        if key not in ("code", "name", "gloss"):
            console.print(f"  [cyan]{key}[/]: {json.dumps(value, ensure_ascii=False)}")


# -- filing ------------------------------------------------------------------------------
def _request(
    file: Path | None, fields: dict[str, str | None], many: dict[str, list[str]]
) -> DecisionRequest:
    if file is not None:
        return DecisionRequest.model_validate_json(file.read_text(encoding="utf-8"))
    missing = [f"--{k.replace('_', '-')}" for k, v in fields.items() if k != "term" and not v]
    if missing:
        raise typer.BadParameter(f"give --file or all of {missing}")
    evidence = []
    for text in many["evidence"]:
        kind, _, reference = text.partition("=")
        evidence.append(EvidenceItem(type=kind.strip(), reference=reference.strip() or "-"))
    return DecisionRequest(
        subject=entity(fields["subject"] or ""),
        behaviour_code=fields["behaviour"] or "",
        act_date=date.fromisoformat(fields["act_date"] or ""),
        decision_date=date.fromisoformat(fields["decision_date"] or ""),
        decision_no=fields["decision_no"] or "",
        authority=fields["authority"] or "",
        evidence=evidence,
        responsible_persons=[entity(r) for r in many["responsible"]],
        term=fields["term"],
        measure_terms=dict(m.split("=", 1) for m in many["measure_term"]),
    )


def _filing(run: Callable[[Catalog, DecisionRequest, bool], None]) -> Callable[..., None]:
    def command(
        file: Annotated[Path | None, typer.Option(help="a DecisionRequest JSON file")] = None,
        subject: Annotated[str | None, typer.Option(help="Kind:key of the subject")] = None,
        behaviour: Annotated[str | None, typer.Option(help="catalog behaviour code")] = None,
        act_date: Text = None,
        decision_date: Text = None,
        decision_no: Text = None,
        authority: Text = None,
        evidence: Annotated[list[str] | None, typer.Option(help="类型=引用 (repeat)")] = None,
        responsible: Annotated[list[str] | None, typer.Option(help="Person:id (repeat)")] = None,
        term: Annotated[str | None, typer.Option(help="listing term, e.g. P3Y")] = None,
        measure_term: Annotated[list[str] | None, typer.Option(help="CODE=P2Y (repeat)")] = None,
        catalog_dir: CatalogOpt = None,
        as_json: JsonOpt = False,
    ) -> None:
        fields = {
            "subject": subject,
            "behaviour": behaviour,
            "act_date": act_date,
            "decision_date": decision_date,
            "decision_no": decision_no,
            "authority": authority,
            "term": term,
        }
        many = {
            "evidence": evidence or [],
            "responsible": responsible or [],
            "measure_term": measure_term or [],
        }
        run(load_catalog(catalog_dir), _request(file, fields, many), as_json)

    command.__doc__ = run.__doc__
    return command


def _decide(catalog: Catalog, request: DecisionRequest, as_json: bool) -> None:
    """File a listing decision (发起): refused outside the catalog; re-filing changes nothing."""
    with opened_store() as store:
        outcome = refusing(
            lambda: file_decision(store, request, actor=actor_name(None), catalog=catalog),
            as_json,
        )
    if as_json:
        emit(outcome)
        return
    verb = "filed" if outcome.written else "already filed, nothing changed"
    console.print(f"decision [bold]{outcome.decision.id}[/] {verb}")
    views = _views(outcome.applications, request.decision_date)
    console.print(measures_table(outcome.decision.behaviour_name, views))
    for d in outcome.deadlines:
        warning = f" ({d.warning})" if d.warning else ""
        console.print(f"  deadline {d.kind} {d.id}: due {d.due}{warning}")


def _preview(catalog: Catalog, request: DecisionRequest, as_json: bool) -> None:
    """Show the full impact of a decision without writing anything (exit 1 if refused)."""
    with opened_store() as store:
        seen = preview(store, request, catalog=catalog)
    if as_json:
        emit(seen)
    elif seen.outcome is None:
        for r in seen.refusals:
            console.print(f"[bold red]refused[/] ({r.code}): {r.message}")
    else:
        views = _views(seen.outcome.applications, request.decision_date)
        console.print(measures_table(f"preview: {seen.outcome.decision.behaviour_name}", views))
    if not seen.allowed:
        raise typer.Exit(1)


def register(app: typer.Typer) -> None:
    """Add ``catalog``, ``decide`` and ``preview`` to the CLI."""
    app.add_typer(catalog_app, name="catalog")
    app.command("decide")(_filing(_decide))
    app.command("preview")(_filing(_preview))
