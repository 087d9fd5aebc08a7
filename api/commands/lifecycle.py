"""The sanction lifecycle on the command line: ``object``, ``objection-decision``,
``repair``, ``feedback``, ``deadline-done``, and the questions ``affected``,
``restrictions``, ``history``, ``overdue``.  Shared helpers live in
``api/commands/catalog.py``; every command takes ``--json``.
"""

from __future__ import annotations

from typing import Annotated, Literal

import typer
from rich.table import Table

from api.commands.catalog import (
    ActorOpt,
    AsOfOpt,
    JsonOpt,
    Text,
    actor_name,
    console,
    day,
    emit,
    entity,
    measures_table,
    opened_store,
    refusing,
)
from queries.affected import affected
from queries.deadlines import DeadlineKind, complete_deadline, overdue
from queries.feedback import FeedbackIn, feedback_report, record_feedback
from queries.history import history
from queries.objections import decide_objection, file_objection, repair

__all__ = ["register"]

Required = Annotated[str, typer.Option()]
Outcome = Literal["rejected", "upheld"]


def object_(
    decision_id: Annotated[str, typer.Argument()],
    received: Annotated[str, typer.Option(help="date the objection was received")],
    by: Annotated[str, typer.Option(help="who objects")],
    reason: Required,
    actor: ActorOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Receive an objection (异议): the listing and all it derived are suspended."""
    with opened_store() as store:
        change = file_objection(
            store,
            decision_id,
            received=day(received),
            by=by,
            reason=reason,
            actor=actor_name(actor),
        )
    if as_json:
        emit(change)
        return
    objection = change.objection
    assert objection is not None
    warning = f" ({objection.reply_warning})" if objection.reply_warning else ""
    console.print(
        f"objection {objection.id}: {change.applications} measures suspended; "
        f"reply due {objection.reply_due}{warning}"
    )


def objection_decision(
    objection_id: Annotated[str, typer.Argument()],
    outcome: Annotated[str, typer.Option(help="rejected or upheld")],
    on: Required,
    by: Required,
    note: Text = None,
    actor: ActorOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Decide an objection: rejected → the term resumes; upheld → everything is revoked."""
    if outcome not in ("rejected", "upheld"):
        raise typer.BadParameter("--outcome is rejected or upheld")
    result: Outcome = "rejected" if outcome == "rejected" else "upheld"
    with opened_store() as store:
        change = decide_objection(
            store,
            objection_id,
            outcome=result,
            on=day(on),
            by=by,
            actor=actor_name(actor),
            note=note,
        )
    if as_json:
        emit(change)
        return
    console.print(f"decision {change.decision.id}: {change.status}; ends {change.decision.end}")
    for d in change.deadlines:
        console.print(f"  deadline {d.kind} {d.id}: due {d.due}")


def repair_(
    decision_id: Annotated[str, typer.Argument()],
    on: Required,
    attest: Annotated[list[str] | None, typer.Option(help="a declared condition (repeat)")] = None,
    note: Text = None,
    actor: ActorOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Credit repair (信用修复): from that date nothing derived from the listing applies."""
    with opened_store() as store:
        change = refusing(
            lambda: repair(
                store,
                decision_id,
                on=day(on),
                attested=attest or [],
                actor=actor_name(actor),
                note=note,
            ),
            as_json,
        )
    if as_json:
        emit(change)
        return
    console.print(f"decision {change.decision.id}: {change.status} from {on}")


def feedback(
    decision_id: Annotated[str, typer.Argument()],
    application: Annotated[str | None, typer.Option(help="record a report on it")] = None,
    unit: Text = None,
    status: Annotated[str | None, typer.Option(help="executed, refused or pending")] = None,
    reason: Text = None,
    on: Text = None,
    by: Text = None,
    actor: ActorOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Execution feedback (执行反馈) per implementing unit; records one when given."""
    with opened_store() as store:
        if application is not None:
            entry = FeedbackIn.model_validate(
                {
                    "application_id": application,
                    "unit": unit,
                    "status": status,
                    "reason": reason,
                    "on": day(on),
                    "by": by or actor_name(actor),
                }
            )
            record_feedback(store, [entry], actor=actor_name(actor))
        report = feedback_report(store, decision_id)
    if as_json:
        emit(report)
        return
    table = Table(title=f"feedback on {decision_id}: {report.counts}")
    for column in ("application", "subject", "measure", "unit", "status", "reason", "on"):
        table.add_column(column)
    for r in report.rows:
        table.add_row(
            r.application_id,
            r.subject.uid,
            r.measure,
            r.unit,
            r.status,
            r.reason or "",
            str(r.on or ""),
        )
    console.print(table)


def deadline_done(
    deadline_id: Annotated[str, typer.Argument()],
    on: Required,
    actor: ActorOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Mark a deadline (publication, correction push) done."""
    with opened_store() as store:
        item = complete_deadline(store, deadline_id, on=day(on), actor=actor_name(actor))
    if as_json:
        emit(item)
        return
    console.print(f"{item.kind} {item.id} done on {item.done_on} (due {item.due})")


def affected_(
    decision_id: Annotated[str, typer.Argument()], as_of: AsOfOpt = None, as_json: JsonOpt = False
) -> None:
    """Who a decision affects: measure, legal basis, term and path."""
    with opened_store() as store:
        result = affected(store, decision_id, as_of=day(as_of))
    if as_json:
        emit(result)
        return
    title = f"{result.decision.behaviour_name} ({result.status} on {result.as_of})"
    console.print(measures_table(title, result.measures))


def restrictions_(
    subject: Annotated[str, typer.Argument(help="Kind:key")],
    as_of: AsOfOpt = None,
    action: Annotated[
        str | None, typer.Option(help="an action category, e.g. bidding: is it blocked?")
    ] = None,
    as_json: JsonOpt = False,
) -> None:
    """Every measure in force on an entity on a date, each with its why."""
    from queries.restrictions import restrictions

    with opened_store() as store:
        result = restrictions(store, entity(subject), day(as_of), action=action)
    if as_json:
        emit(result)
        return
    console.print(measures_table(f"in force on {result.as_of}", result.in_force))
    console.print(f"restricts: {', '.join(result.restricts) or '-'}")
    if result.action is not None:
        verdict = "[bold red]blocked[/]" if result.blocked else "[green]not blocked[/]"
        console.print(f"{result.action}: {verdict}")
    if result.not_in_force:
        console.print(measures_table("applying but not in force", result.not_in_force))


def history_(
    subject: Annotated[str, typer.Argument(help="Kind:key")],
    as_of: AsOfOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Credit records, measures, objections and the audit trail of an entity."""
    with opened_store() as store:
        result = history(store, entity(subject), as_of=day(as_of))
    if as_json:
        emit(result)
        return
    console.print(measures_table(f"measures (status on {result.as_of})", result.measures))
    for e in result.events:
        console.print(f"  {e.at}  {e.actor:<16} {e.action:<20} effective {e.effective}")


def overdue_(
    as_of: AsOfOpt = None,
    kind: Annotated[list[str] | None, typer.Option(help="deadline kind (repeat)")] = None,
    as_json: JsonOpt = False,
) -> None:
    """Open deadlines past due (counted in Chinese working days)."""
    allowed: tuple[DeadlineKind, ...] = ("objection_reply", "correction_push", "publication")
    kinds = [k for k in allowed if k in (kind or [])] or None
    if kind and not kinds:
        raise typer.BadParameter(f"--kind is one of {list(allowed)}")
    with opened_store() as store:
        result = overdue(store, day(as_of), kinds=kinds)
    if as_json:
        emit(result)
        return
    table = Table(title=f"overdue on {result.as_of}")
    for column in ("id", "kind", "decision", "subject", "due"):
        table.add_column(column)
    for i in result.items:
        table.add_row(i.id, i.kind, i.decision_id, i.subject, str(i.due))
    console.print(table)
    for warning in result.warnings:
        console.print(f"[yellow]warning:[/] {warning}")


def register(app: typer.Typer) -> None:
    """Add the lifecycle commands and questions to the CLI."""
    app.command("object")(object_)
    app.command("objection-decision")(objection_decision)
    app.command("repair")(repair_)
    app.command("feedback")(feedback)
    app.command("deadline-done")(deadline_done)
    app.command("affected")(affected_)
    app.command("restrictions")(restrictions_)
    app.command("history")(history_)
    app.command("overdue")(overdue_)
