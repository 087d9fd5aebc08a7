"""Bidding review (招投标评审): may these bidders bid?  Every finding cites the law and shows
its evidence, and every check leaves a receipt (跟踪问效).

:func:`check_bids` takes a tender (one lot, its bid date, the tenderer) and its bidders,
and answers, on the bid date:

* **eligibility** — a catalog measure in force that restricts bidding on the bidder, its
  legal representative / principal or its project manager; black-list entries; credit
  grades (财库〔2016〕125号 for the credit query itself; :mod:`queries.bidding_eligibility`);
* **第三十四条** — the same head of unit, a control relation (directly, through ownership
  chains above 50 %, or under the same controller), links to the tenderer
  (:mod:`queries.bidding_pairs`, reusing ``control`` and ``related``);
* **第四十条** — the same project manager, deposits from the same account, identical upload
  fingerprints (:mod:`queries.bidding_values`);
* **review points** — shared shareholders, employees, contacts, vehicles, listed subjects
  within two hops: shown with evidence, never a verdict.

A verdict per bidder (eligible / ineligible / needs review) follows from the effects the
settings give each rule (``queries/bidding.yaml``).  The store is asked a fixed number of
batched questions (nodes, heads, credit records, one ``shared_among`` for all pairs) plus
``control`` and ``related`` per bidder, run concurrently.

>>> from graph.example import load_story
>>> from graph.model import load_model
>>> from graph.stores.memory import MemoryStore
>>> store = MemoryStore(load_model())
>>> story = load_story(store)
>>> tender = TenderIn(project_code="JL-2024-001", lot="1", bid_date="2024-05-28",
...     bidders=[{"uscc": story.jia.key, "deposit_account": "6222-0001"},
...              {"uscc": story.yi.key, "deposit_account": "62220001"}])
>>> result = check_bids(store, tender, actor="doctest")
>>> [(b.name, b.verdict) for b in result.bidders]
[('甲运输有限公司', 'ineligible'), ('乙物流有限公司', 'ineligible')]
>>> for f in result.findings:
...     print(f.rule, f.effect, f.grade, f.legal_basis[0].citation)
same_deposit_account ineligible None 招标投标法实施条例 第四十条第（六）项
advisory none suspicious 招标投标法实施条例 第四十条第（一）项、第（二）项
advisory none suspicious 招标投标法实施条例 第四十条第（一）项、第（二）项
>>> print(result.findings[2].text)
甲运输有限公司 and 乙物流有限公司 share the person 李娜
>>> for step in result.findings[2].steps:
...     print(step.text)
李娜 has been legal representative of 甲运输有限公司 since 2021-06-01
李娜 holds 60% of 乙物流有限公司 since 2018-01-01
>>> get_receipt(store, result.check_id).verified
True
"""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from typing import TypeVar

from graph.catalog import load_catalog
from graph.model import Direction, Edge, NodeRef
from graph.stores.base import GraphStore
from queries.bidding_config import BiddingConfig, load_bidding_config
from queries.bidding_context import CheckContext
from queries.bidding_eligibility import check_eligibility, check_grades
from queries.bidding_input import BidderIn, TenderIn
from queries.bidding_models import (
    BidCheckResult,
    BidderReport,
    DataVersion,
    Finding,
    PairReport,
    Verdict,
)
from queries.bidding_pairs import check_control, check_listed, check_shared
from queries.bidding_prefilter import control_candidates, listed_candidates
from queries.bidding_receipt import get_receipt, record_receipt, result_hash
from queries.bidding_values import check_values
from queries.common import credit_of
from queries.config import InvestigationConfig, load_config
from queries.control import ControlResult, control
from queries.related import RelatedResult, related

__all__ = ["BidCheckResult", "TenderIn", "check_bids", "get_receipt"]

T = TypeVar("T")
_RANK: dict[str, int] = {"none": 0, "needs_review": 1, "ineligible": 2}
_VERDICT: dict[int, Verdict] = {0: "eligible", 1: "needs_review", 2: "ineligible"}
NOTES = (
    "第三十四条 管理关系: management relations other than shareholding and declared actual "
    "control are not in the graph vocabulary and were not checked.",
    "第四十条 (一)(二)(四)(五) — documents prepared or handled by the same unit, abnormally "
    "identical documents or regular price differences, mixed-up documents — need the bid "
    "documents themselves: only upload fingerprints were compared.",
)


def check_bids(
    store: GraphStore,
    tender: TenderIn,
    *,
    actor: str,
    config: BiddingConfig | None = None,
    investigation: InvestigationConfig | None = None,
    record: bool = True,
    now: datetime | None = None,
) -> BidCheckResult:
    """Check a tender's bidders on its bid date; keep the receipt unless ``record`` is false."""
    ctx = CheckContext(
        store=store,
        tender=tender,
        config=config or load_bidding_config(),
        investigation=investigation or load_config(),
    )
    owners = ctx.owners()
    ctx.remember(nodes=store.get_nodes([NodeRef.from_uid(uid) for uid in owners]))
    present = [b for b in tender.bidders if b.ref in ctx.nodes]
    heads = _heads(ctx, present)
    suspended = check_eligibility(ctx, heads)

    parties = [p.ref for _, p in tender.parties() if p.ref in ctx.nodes]
    units = [b.ref for b in present] + parties
    bidders = [b.ref for b in present]
    # The listed-subjects question (the heaviest: walks two hops around every bidder) runs
    # beside the control and shared-node questions; neither writes to the context.
    with ThreadPoolExecutor(max_workers=1) as side:
        listed = side.submit(_nearby, ctx, bidders)
        if ctx.config.prefilter:  # exact: see queries/bidding_prefilter.py
            asked = control_candidates(ctx, units)
            units = [u for u in units if u in asked]
        controls = _per_unit(
            ctx, units, lambda r: control(store, r, as_of=ctx.as_of, config=ctx.investigation)
        )
        shared = store.shared_among(
            [NodeRef.from_uid(uid) for uid in owners if NodeRef.from_uid(uid) in ctx.nodes],
            types=ctx.config.shared_types,
            as_of=ctx.as_of,
            include_ended=ctx.investigation.links.include_ended,
        )
        nearby = listed.result()
    _remember_controls(ctx, controls)
    covered = check_control(ctx, {r.uid: c for r, c in controls.items()})
    check_shared(ctx, shared, covered)
    check_listed(ctx, {r.key: result for r, result in nearby.items()})
    check_values(ctx)
    grades = check_grades(ctx)
    for bid in tender.bidders:
        if bid.ref not in ctx.nodes:
            _missing(ctx, bid)
    result = _result(ctx, heads, suspended, grades, actor, now)
    if record:
        record_receipt(store, result)
    return result


def _nearby(ctx: CheckContext, bidders: list[NodeRef]) -> dict[NodeRef, RelatedResult]:
    """Related parties of the bidders that may have a listed subject within reach."""
    if ctx.config.listed_hops < 1:
        return {}
    if ctx.config.prefilter:
        near = listed_candidates(ctx, bidders)
        bidders = [b for b in bidders if b in near]
    return _per_unit(
        ctx,
        bidders,
        lambda r: related(
            ctx.store, r, hops=ctx.config.listed_hops, as_of=ctx.as_of, config=ctx.investigation
        ),
    )


def _heads(ctx: CheckContext, present: list[BidderIn]) -> dict[str, list[Edge]]:
    """Legal representatives and principals of the bidders on the date (one round trip)."""
    if not present:
        return {}
    edges = ctx.store.expand(
        [b.ref for b in present],
        types=list(ctx.config.heads),
        direction=Direction.IN,
        as_of=ctx.as_of,
    )
    people = {e.src for e in edges} - set(ctx.nodes)
    ctx.remember(nodes=ctx.store.get_nodes(people) if people else [], edges=edges)
    found: dict[str, list[Edge]] = {}
    for edge in sorted(edges, key=lambda e: e.eid):
        found.setdefault(edge.dst.key, []).append(edge)
    return found


def _per_unit(
    ctx: CheckContext, refs: list[NodeRef], ask: Callable[[NodeRef], T]
) -> dict[NodeRef, T]:
    """``ask`` for every ref, concurrently (the Neo4j driver serves several threads)."""
    if not refs:
        return {}
    with ThreadPoolExecutor(max_workers=min(ctx.config.workers, len(refs))) as pool:
        answers = list(pool.map(ask, refs))
    return dict(zip(refs, answers, strict=True))


def _remember_controls(ctx: CheckContext, controls: dict[NodeRef, ControlResult]) -> None:
    for ref, result in controls.items():
        ctx.remember(
            other=[
                (ref.uid, s.party.uid, s.share, [c.text for c in s.chains], s.controls)
                for s in result.stakes
            ]
            + [(ref.uid, d.controller.uid, d.step.text) for d in result.declared]
        )


def _missing(ctx: CheckContext, bid: BidderIn) -> None:
    ctx.add(
        "not_in_graph",
        "data",
        [bid.uscc],
        bid.uscc,
        title="库中无此投标人 / bidder not in the store",
        text=f"{bid.name or bid.uscc} ({bid.uscc}) is not in the store: its credit records and "
        "relationships could not be checked",
        law=["credit_query"],
        entities=[bid.ref],
    )


def _result(
    ctx: CheckContext,
    heads: dict[str, list[Edge]],
    suspended: dict[str, list[str]],
    grades: dict[str, tuple[str | None, str | None]],
    actor: str,
    now: datetime | None,
) -> BidCheckResult:
    findings = sorted(ctx.findings.values(), key=_finding_order)
    credit = credit_of(ctx.store, [b.ref for b in ctx.bidders if b.ref in ctx.nodes], ctx.as_of)
    reports = []
    for bid in ctx.bidders:
        mine = [f for f in findings if bid.uscc in f.bidders]
        rank = max((_RANK[f.effect] for f in mine), default=0)
        grade, meaning = grades.get(bid.uscc, (None, None))
        manager = bid.manager_ref
        reports.append(
            BidderReport(
                uscc=bid.uscc,
                name=ctx.bidder_name(bid.uscc),
                entity=ctx.entity(bid.ref) if bid.ref in ctx.nodes else None,
                verdict=_VERDICT[rank],
                reasons=[f.id for f in mine if f.effect != "none"],
                review_points=[f.id for f in mine if f.effect == "none"],
                credit=credit.get(bid.ref),
                credit_grade=grade,
                grade_meaning=meaning,
                heads=[ctx.entity(e.src) for e in heads.get(bid.uscc, [])],
                project_manager=ctx.entity(manager) if manager else None,
                suspended=suspended.get(bid.uscc, []),
            )
        )
    notes = list(NOTES)
    for role, party in ctx.tender.parties():
        if party.ref not in ctx.nodes:
            notes.append(f"The {role} {party.uscc} is not in the store: links to it not checked.")
    if ctx.tender.tenderer is None and ctx.tender.owner is None:
        notes.append("No tenderer or owner given: 第三十四条第一款 links to them were not checked.")
    unnamed = [b.uscc for b in ctx.bidders if b.project_manager_id is None]
    if unnamed:
        notes.append(
            f"{len(unnamed)} bid(s) name no project manager ID number: 第四十条(三) and the "
            "manager's own measures could not be checked for them."
        )
    verdicts: dict[Verdict, int] = {"eligible": 0, "ineligible": 0, "needs_review": 0}
    for report in reports:
        verdicts[report.verdict] += 1
    result = BidCheckResult(
        check_id="bc-" + uuid.uuid4().hex,
        checked_at=(now or datetime.now(UTC)).astimezone(UTC),
        checked_by=actor,
        tender=ctx.tender,
        as_of=ctx.as_of,
        data_version=_version(ctx),
        verdicts=verdicts,
        bidders=reports,
        findings=findings,
        pairs=_pairs(findings),
        hubs=sorted(ctx.hubs.values(), key=lambda h: h.shared.uid),
        notes=notes,
        credit_query_basis=ctx.config.law["credit_query"],
    )
    return result.model_copy(update={"result_hash": result_hash(result)})


def _finding_order(f: Finding) -> tuple[int, int, list[str], str]:
    categories = ["eligibility", "article_34", "article_40", "credit_grade", "data", "advisory"]
    return (categories.index(f.category), -_RANK[f.effect], f.bidders, f.id)


def _pairs(findings: list[Finding]) -> list[PairReport]:
    grouped: dict[tuple[str, str], list[Finding]] = {}
    for f in findings:
        if len(f.bidders) == 2:
            grouped.setdefault((f.bidders[0], f.bidders[1]), []).append(f)
    return [
        PairReport(
            a=a,
            b=b,
            findings=[f.id for f in items],
            effect=max((f.effect for f in items), key=lambda e: _RANK[e]),
        )
        for (a, b), items in sorted(grouped.items())
    ]


def _version(ctx: CheckContext) -> DataVersion:
    catalog = load_catalog()
    settings = hashlib.sha256(
        (ctx.config.fingerprint + ctx.investigation.model_dump_json()).encode()
    ).hexdigest()[:16]
    evidence = ctx.evidence_digest()
    digest = hashlib.sha256(
        "\x1f".join((catalog.version, catalog.fingerprint, settings, evidence)).encode()
    ).hexdigest()
    return DataVersion(
        digest=digest[:32],
        catalog_version=catalog.version,
        catalog_fingerprint=catalog.fingerprint,
        settings_fingerprint=settings,
        evidence_digest=evidence,
        nodes_read=len(ctx.nodes),
        edges_read=len(ctx.edges),
        records_read=len(ctx.records),
    )
