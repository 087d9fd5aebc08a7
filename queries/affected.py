"""Who does a decision affect — under which measure, legal basis, term and path?

>>> from graph.example import load_story
>>> from graph.model import load_model
>>> from graph.stores.memory import MemoryStore
>>> from queries.decisions import file_decision
>>> from queries.lifecycle import DecisionRequest
>>> store = MemoryStore(load_model())
>>> story = load_story(store)
>>> outcome = file_decision(store, DecisionRequest(subject=story.truck,
...     behaviour_code="T-OVERLOAD", act_date=date(2021, 3, 1), decision_date=date(2021, 4, 1),
...     decision_no="9", authority="吉林省交通运输厅", evidence=[
...     {"type": "超限检测记录", "reference": "W"}, {"type": "行政处罚决定书", "reference": "P"}]),
...     actor="clerk")
>>> result = affected(store, outcome.decision.id, as_of=date(2021, 5, 1))
>>> result.subjects, result.status
(3, 'in_force')
>>> [step.relationship for step in result.measures[-1].path]
['OPERATES', 'LEGAL_REP_OF']
"""

from __future__ import annotations

from datetime import date

from pydantic import BaseModel, ConfigDict, Field

from graph.exc import NotFound
from graph.stores.base import GraphStore
from queries.decisions import load_decision
from queries.lifecycle import AppliedMeasure, Decision, Status, applied

__all__ = ["Affected", "affected"]


class Affected(BaseModel):
    """Everything a decision applies, seen on one date."""

    model_config = ConfigDict(frozen=True)

    as_of: date
    decision: Decision
    status: Status = Field(description="the listing's own status that day")
    subjects: int = Field(description="distinct subjects reached (the decision's own included)")
    measures: list[AppliedMeasure]


def affected(store: GraphStore, decision_id: str, *, as_of: date | None = None) -> Affected:
    """Every subject a decision reaches, with measure, basis, term, path and status."""
    found = load_decision(store, decision_id)
    if found is None:
        raise NotFound(f"no decision {decision_id!r}")
    day = as_of or date.today()
    measures = [applied(a, day) for a in found.applications]
    return Affected(
        as_of=day,
        decision=found.decision,
        status=found.decision.status_on(day),
        subjects=len({m.subject for m in measures}),
        measures=measures,
    )
