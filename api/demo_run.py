"""The main job, end to end on one small story: ingest, decide, who is affected, may they bid?

:func:`run_demo` is what ``creditlink demo`` does (``api/commands/demo.py`` prints it):

1. ingest the hand-made canonical files of ``examples/story`` (the count identity checked);
2. file the listing decision of ``examples/story/decision.json`` (the overloaded truck
   吉A12345, catalog behaviour ``T-OVERLOAD``) and list everyone its measures reach, with the
   path of relationships that carried each measure;
3. ask what the reached legal representative may not do on the tender's bid date;
4. check the tender of ``examples/story/tender.json`` (four bidders of one lot);
5. write the pictures of both answers (self-contained HTML) into ``out_dir``.

Every step is the same function the API and the other commands call; running the demo
twice changes nothing (the ingest merges, the decision is found filed, the check is kept
as a new receipt).

>>> import tempfile
>>> from graph.model import load_model
>>> from graph.stores.memory import MemoryStore
>>> with tempfile.TemporaryDirectory() as tmp:
...     result = run_demo(MemoryStore(load_model()), out_dir=Path(tmp))
>>> result.ingest.balanced, len(result.affected), result.verdicts["ineligible"]
(True, 5, 3)
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field

from graph.exc import NotFound
from graph.model import NodeRef
from graph.stores.base import GraphStore
from ingest.pipeline import IngestOptions, ingest_paths
from ingest.report import Summary
from queries.affected import affected
from queries.bidding import check_bids
from queries.bidding_input import TenderIn
from queries.bidding_models import Verdict
from queries.decisions import file_decision
from queries.lifecycle import DecisionRequest
from queries.restrictions import restrictions
from viz.bidding import bidding_view
from viz.render import Picture
from viz.views import affected_view

__all__ = ["DemoResult", "ReachedSubject", "example_dir", "run_demo"]

ACTOR = "creditlink-demo"
LEGAL_REP_ROLE = "法定代表人"  # the role the catalog's extends_to rule names


def example_dir() -> Path:
    """``examples/story`` of the source tree this package runs from (``pip install -e .``).

    >>> (example_dir() / "tender.json").is_file()
    True
    """
    return Path(__file__).resolve().parent.parent / "examples" / "story"


class ReachedSubject(BaseModel):
    """One subject a decision's measures reach, and how."""

    model_config = ConfigDict(frozen=True)

    subject: NodeRef
    name: str
    measure: str
    measure_name: str
    role: str | None = Field(description="the role the catalog rule names; None = the subject")
    restricts: list[str]
    end: date | None
    path: list[str] = Field(description="the relationships that carried the measure, in order")


class BidderVerdict(BaseModel):
    """A bidder of the demo tender and what the check said."""

    model_config = ConfigDict(frozen=True)

    name: str
    uscc: str
    verdict: Verdict
    reasons: list[str]


class DemoResult(BaseModel):
    """What the demo did and found (``creditlink demo --json`` prints it)."""

    ingest: Summary
    decision_id: str
    decision_written: bool
    affected: list[ReachedSubject]
    restricted: NodeRef = Field(description="the legal representative asked about")
    restricted_name: str
    restricted_on: date
    restricts: list[str] = Field(description="action categories blocked on that date")
    check_id: str
    verdicts: dict[Verdict, int]
    bidders: list[BidderVerdict]
    findings: list[str]
    pictures: list[Path]


def _names(store: GraphStore, refs: list[NodeRef]) -> dict[NodeRef, str]:
    return {n.ref: str(n.props.get("name") or n.key) for n in store.get_nodes(refs)}


def run_demo(store: GraphStore, *, out_dir: Path, data: Path | None = None) -> DemoResult:
    """Run the story on ``store``; quarantine and pictures go to ``out_dir``."""
    data = data or example_dir()
    if not (data / "decision.json").is_file():
        raise NotFound(f"the example story is not at {data} (run from a source checkout)")
    out_dir.mkdir(parents=True, exist_ok=True)
    summary = ingest_paths([data], store, IngestOptions(out_dir=out_dir / "ingest"))

    request = DecisionRequest.model_validate_json((data / "decision.json").read_bytes())
    tender = TenderIn.model_validate_json((data / "tender.json").read_bytes())
    outcome = file_decision(store, request, actor=ACTOR)
    reached = affected(store, outcome.decision.id, as_of=tender.bid_date)
    refs = [m.subject for m in reached.measures]
    refs += [ref for m in reached.measures for step in m.path for ref in (step.src, step.dst)]
    names = _names(store, refs)
    subjects = [
        ReachedSubject(
            subject=m.subject,
            name=names.get(m.subject, m.subject.key),
            measure=m.measure,
            measure_name=m.measure_name,
            role=m.role,
            restricts=m.restricts,
            end=m.end,
            path=[
                f"{names.get(s.src, s.src.key)} {s.relationship} {names.get(s.dst, s.dst.key)}"
                f" (since {s.valid_from})"
                for s in m.path
            ],
        )
        for m in reached.measures
    ]
    legal_rep = next(
        (m.subject for m in reached.measures if m.role == "法定代表人"), request.subject
    )
    blocked = restrictions(store, legal_rep, tender.bid_date)

    check = check_bids(store, tender, actor=ACTOR)
    pictures = [
        Picture(affected_view(store, reached)).save(out_dir / "affected.html"),
        Picture(bidding_view(store, check)).save(out_dir / "bidding.html"),
    ]
    return DemoResult(
        ingest=summary,
        decision_id=outcome.decision.id,
        decision_written=outcome.written,
        affected=subjects,
        restricted=legal_rep,
        restricted_name=names.get(legal_rep, legal_rep.key),
        restricted_on=tender.bid_date,
        restricts=blocked.restricts,
        check_id=check.check_id,
        verdicts=check.verdicts,
        bidders=[
            BidderVerdict(
                name=b.name, uscc=b.uscc, verdict=b.verdict, reasons=[str(r) for r in b.reasons]
            )
            for b in check.bidders
        ],
        findings=[f"{f.id} {f.title}: {f.text}" for f in check.findings],
        pictures=pictures,
    )
