"""Eligibility: measures in force on the bid date that restrict bidding — on the bidder, on
its legal representative or principal, or on the project manager it names — black-list
entries standing that day, and credit grades.

The measures are the catalog's (``restricts: [bidding]``), applied by the lifecycle and read
from the store in one round trip for every subject of the tender (the same records
``queries/restrictions.py`` reads, through the same ``applied`` view).  A measure on the
bidder makes it ineligible; a measure on a person is shown for review, since the catalog
says whom a measure reaches and the check extends it to nobody (目录外不得惩戒).
The credit query itself is what 财库〔2016〕125号 requires; every finding cites it.
"""

from __future__ import annotations

from collections.abc import Sequence

from graph.credit import CREDIT_COLLECTION, CreditKind, CreditRecordIn
from graph.model import Edge, NodeRef
from queries.bidding_context import CheckContext
from queries.bidding_input import BidderIn
from queries.bidding_models import MeasureEvidence
from queries.lifecycle import APPLICATIONS, AppliedMeasure, application_from, applied

__all__ = ["BIDDING_ACTION", "check_eligibility", "check_grades"]

#: The catalog's action category for bidding (graph/catalog/transport/catalog.yaml).
BIDDING_ACTION = "bidding"
ROLE_NAMES = {
    "LEGAL_REP_OF": "法定代表人",
    "PRINCIPAL_OF": "主要负责人",
    "bidder": "投标人",
    "manager": "项目经理",
}


def _subjects(
    ctx: CheckContext, heads: dict[str, list[Edge]]
) -> list[tuple[BidderIn, NodeRef, str]]:
    """(bid, subject, role) for every subject whose measures matter to a bid."""
    found: list[tuple[BidderIn, NodeRef, str]] = []
    for bid in ctx.bidders:
        found.append((bid, bid.ref, "bidder"))
        for edge in heads.get(bid.uscc, []):
            found.append((bid, edge.src, edge.type))
        if bid.manager_ref is not None:
            found.append((bid, bid.manager_ref, "manager"))
    return found


def _evidence(ctx: CheckContext, view: AppliedMeasure, role: str) -> MeasureEvidence:
    return MeasureEvidence(
        subject=ctx.entity(view.subject),
        role=ROLE_NAMES.get(role, role),
        measure=view.measure,
        measure_name=view.measure_name,
        behaviour=view.behaviour_name,
        decision_no=view.decision_no,
        authority=view.authority,
        start=view.start,
        end=view.end,
        restricts=view.restricts,
        legal_basis=view.legal_basis,
        path=[f"{s.src.uid} -[{s.relationship}]-> {s.dst.uid}" for s in view.path],
        direct=view.direct,
    )


def check_eligibility(ctx: CheckContext, heads: dict[str, list[Edge]]) -> dict[str, list[str]]:
    """Findings on measures and black lists; returns measures suspended per bidder (USCC)."""
    subjects = _subjects(ctx, heads)
    uids = sorted({ref.uid for _, ref, _ in subjects})
    found = ctx.store.find_records([APPLICATIONS, CREDIT_COLLECTION], subjects=uids)
    ctx.remember(records=found)
    views: dict[str, list[AppliedMeasure]] = {}
    lists: dict[str, list[CreditRecordIn]] = {}
    for record in found:
        uid = record.subject or ""
        if record.collection == APPLICATIONS:
            views.setdefault(uid, []).append(applied(application_from(record), ctx.as_of))
        else:
            lists.setdefault(uid, []).append(CreditRecordIn.model_validate(record.doc))
    suspended: dict[str, list[str]] = {}
    for bid, ref, role in subjects:
        blocking = [
            v
            for v in views.get(ref.uid, [])
            if v.side == "sanction" and BIDDING_ACTION in v.restricts
        ]
        for view in blocking:
            if view.status == "suspended":
                suspended.setdefault(bid.uscc, []).append(
                    f"{view.measure_name} on {ctx.name(ref)} ({ROLE_NAMES.get(role, role)}), "
                    f"decision {view.decision_no}: suspended since {view.suspended_from} "
                    "pending an objection"
                )
        in_force = [v for v in blocking if v.status == "in_force"]
        if in_force:
            _restricted(ctx, bid, ref, role, in_force)
        standing = [
            r
            for r in lists.get(ref.uid, [])
            if r.kind is CreditKind.BLACK_LIST and r.listed_on(ctx.as_of)
        ]
        if standing:
            _black_listed(ctx, bid, ref, role, standing)
    return suspended


def _restricted(
    ctx: CheckContext, bid: BidderIn, ref: NodeRef, role: str, views: Sequence[AppliedMeasure]
) -> None:
    who = ROLE_NAMES.get(role, role)
    names = "; ".join(
        f"{v.measure_name} ({v.measure}, {v.authority} {v.decision_no}, "
        f"{v.start} – {v.end or 'until lifted'})"
        for v in views
    )
    if role == "bidder":
        rule, title = "restricted_bidder", "投标人被限制投标 / bidder barred from bidding"
        text = f"{ctx.name(ref)} is under a measure restricting bidding on {ctx.as_of}: {names}"
    else:
        rule, title = "restricted_person", f"{who}被限制投标 / {who} barred from bidding"
        text = (
            f"{ctx.name(ref)}, {who} named for {ctx.bidder_name(bid.uscc)}, is under a measure "
            f"restricting bidding on {ctx.as_of}: {names}"
        )
    ctx.add(
        rule,  # type: ignore[arg-type]
        "eligibility",
        [bid.uscc],
        f"{role}|{ref.uid}",
        title=title,
        text=text,
        law=["credit_query", "art51"],
        entities=[ref],
        measures=[_evidence(ctx, v, role) for v in views],
    )


def _black_listed(
    ctx: CheckContext, bid: BidderIn, ref: NodeRef, role: str, records: list[CreditRecordIn]
) -> None:
    who = ROLE_NAMES.get(role, role)
    entries = "; ".join(
        f"{r.authority} {r.decision_no} ({r.decision_date}"
        + (f" – {r.valid_until})" if r.valid_until else ", no end given)")
        for r in records
    )
    subject = (
        ctx.name(ref)
        if role == "bidder"
        else f"{ctx.name(ref)} ({who} of {ctx.bidder_name(bid.uscc)})"
    )
    ctx.add(
        "black_list",
        "eligibility",
        [bid.uscc],
        f"{role}|{ref.uid}",
        title=f"{who}列入黑名单 / {who} on a black list",
        text=f"{subject} stands on a black list on {ctx.as_of}: {entries}",
        law=["credit_query"],
        entities=[ref],
    )


def check_grades(ctx: CheckContext) -> dict[str, tuple[str | None, str | None]]:
    """Grade findings; returns (grade, meaning) per bidder (USCC)."""
    settings = ctx.config.credit_grades
    minimum = ctx.tender.min_credit_grade or settings.minimum
    result: dict[str, tuple[str | None, str | None]] = {}
    for bid in ctx.bidders:
        node = ctx.nodes.get(bid.ref)
        raw = node.props.get("credit_grade") if node else None
        grade = str(raw).strip().upper() if raw else None
        meaning = settings.grades.get(grade) if grade else None
        if grade is None:
            result[bid.uscc] = (None, settings.missing)
            continue
        text = f"{meaning.name} / {meaning.gloss}" if meaning else "not a grade of the scheme"
        result[bid.uscc] = (grade, text)
        if minimum and ctx.config.grade_rank(grade) > ctx.config.grade_rank(minimum):
            ctx.add(
                "grade_below_minimum",
                "credit_grade",
                [bid.uscc],
                grade,
                title="信用等级低于招标文件要求 / credit grade below the tender's minimum",
                text=f"{ctx.bidder_name(bid.uscc)} is graded {grade} ({text}); "
                f"the tender requires at least {minimum}",
                law=["tender_document", "art51"],
                entities=[bid.ref],
            )
        elif meaning is not None and meaning.effect == "review":
            ctx.add(
                "grade_review",
                "credit_grade",
                [bid.uscc],
                grade,
                title=f"信用等级 {grade} / credit grade {grade}",
                text=f"{ctx.bidder_name(bid.uscc)} is graded {grade}: {text}",
                law=["tender_document"],
                entities=[bid.ref],
            )
    return result
