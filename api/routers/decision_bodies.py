"""Request bodies of the decision routes: pydantic models that refuse unknown fields and
Unix-number dates, each with an example; subjects validated like path keys.

>>> from graph.model import load_model
>>> DecisionIn.model_validate(EXAMPLE_REQUEST).request(load_model()).subject
NodeRef(kind='Vehicle', key='吉A12345|2')
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from api.deps import IsoDate
from api.routers.lifecycle_examples import EXAMPLE_REQUEST
from graph.catalog.periods import Period
from graph.model import GraphModel, NodeRef, load_model
from queries.entities import parse_ref
from queries.lifecycle import DecisionRequest, EvidenceItem

__all__ = [
    "MAX_BATCH",
    "DecisionBatchIn",
    "DecisionIn",
    "FeedbackEntryIn",
    "ObjectionDecisionIn",
    "ObjectionIn",
    "RepairIn",
    "SubjectIn",
]

_KIND_ENUM: dict[str, Any] = {"enum": sorted(load_model().nodes)}


class _Body(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class SubjectIn(_Body):
    """An entity by kind and key (identifiers are validated: a bad one is a 422)."""

    kind: str = Field(description="node kind", json_schema_extra=_KIND_ENUM)
    key: str = Field(
        min_length=1,
        max_length=200,
        description="USCC, ID number, `plate|colour`, project code or `channel|value`",
    )

    def ref(self, model: GraphModel) -> NodeRef:
        """The validated reference."""
        return parse_ref(model, self.kind, self.key)


class DecisionIn(_Body):
    """发起: an authority asks to list a subject under a catalog behaviour."""

    model_config = ConfigDict(json_schema_extra={"examples": [EXAMPLE_REQUEST]})

    subject: SubjectIn
    behaviour_code: str = Field(
        min_length=1, max_length=100, description="a behaviour of the catalog, e.g. T-OVERLOAD"
    )
    act_date: IsoDate = Field(description="when the behaviour happened")
    decision_date: IsoDate = Field(description="date of the decision; the term starts here")
    decision_no: str = Field(min_length=1, max_length=200, description="决定书文号")
    authority: str = Field(min_length=1, max_length=200, description="the deciding authority")
    evidence: list[EvidenceItem] = Field(
        default_factory=list, description="each type the behaviour requires, with a reference"
    )
    responsible_persons: list[SubjectIn] = Field(
        default_factory=list, max_length=100, description="直接责任人员 the decision names"
    )
    term: Period | None = Field(None, description="listing term within the catalog's range")
    measure_terms: dict[str, Period] = Field(
        default_factory=dict, description="a measure's term chosen within its range"
    )
    note: str | None = Field(None, max_length=2000)

    def request(self, model: GraphModel) -> DecisionRequest:
        """The engine's request, identifiers validated."""
        return DecisionRequest(
            subject=self.subject.ref(model),
            behaviour_code=self.behaviour_code,
            act_date=self.act_date,
            decision_date=self.decision_date,
            decision_no=self.decision_no,
            authority=self.authority,
            evidence=self.evidence,
            responsible_persons=[p.ref(model) for p in self.responsible_persons],
            term=self.term,
            measure_terms=self.measure_terms,
            note=self.note,
        )


class ObjectionIn(_Body):
    """异议: an objection received against a listing."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {"received": "2026-06-01", "by": "甲运输有限公司", "reason": "检测设备未检定"}
            ]
        }
    )

    received: IsoDate = Field(description="the day it was received; the suspension starts")
    by: str = Field(min_length=1, max_length=200, description="who objects")
    reason: str = Field(min_length=1, max_length=2000)


class ObjectionDecisionIn(_Body):
    """The decision on an objection."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [{"outcome": "rejected", "on": "2026-06-22", "by": "法规处"}]
        }
    )

    outcome: Literal["rejected", "upheld"] = Field(
        description="rejected: the term resumes; upheld: the listing is revoked"
    )
    on: IsoDate
    by: str = Field(min_length=1, max_length=200)
    note: str | None = Field(None, max_length=2000)


class RepairIn(_Body):
    """信用修复: the subject corrected its behaviour; from ``on`` nothing applies."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {"on": "2027-06-01", "attested": ["obligations_fulfilled", "public_pledge"]}
            ]
        }
    )

    on: IsoDate
    attested: list[str] = Field(
        default_factory=list, max_length=20, description="conditions the applicant declares"
    )
    note: str | None = Field(None, max_length=2000)


class FeedbackEntryIn(_Body):
    """执行反馈: one implementing unit reports on one application of the decision."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "application_id": "9f41c2d07a3b5e6f80a1b2c3",
                    "unit": "道路运输管理机构",
                    "status": "refused",
                    "reason": "车辆已报废",
                    "on": "2026-06-02",
                    "by": "长春运管处",
                }
            ]
        }
    )

    application_id: str = Field(min_length=1, max_length=100)
    unit: str = Field(min_length=1, max_length=200, description="a unit the catalog names")
    status: Literal["pending", "executed", "refused"]
    reason: str | None = Field(None, max_length=2000, description="required for a refusal")
    on: IsoDate
    by: str = Field(min_length=1, max_length=200, description="who reports")

    @model_validator(mode="after")
    def _reason_when_refused(self) -> FeedbackEntryIn:
        if self.status == "refused" and not (self.reason and self.reason.strip()):
            raise ValueError("a refusal needs a reason")
        return self


#: Most decisions one batch may carry (one propagation pass, one write transaction).
MAX_BATCH = 500


class DecisionBatchIn(_Body):
    """Many decisions filed together."""

    model_config = ConfigDict(json_schema_extra={"examples": [{"decisions": [EXAMPLE_REQUEST]}]})

    decisions: list[DecisionIn] = Field(min_length=1, max_length=MAX_BATCH)
