"""The catalog's records: the four lists (四张清单) and their entries, validated on load.

An entry of any list carries the fields the implementation plans require (administrative
unit, grounds 实施事由, legal basis 法律依据, implementing units, content, evidence, subject
kinds, severity, term) and the public sources it was taken from.  A figure that has not
been checked against an official text is named in the entry's ``uncertain`` list.

Cross-references (measure codes, relationship types, node kinds, action categories) are
checked by :class:`Catalog` against itself and the graph vocabulary; anything wrong fails
the load with :class:`~graph.exc.InvalidModel`.
"""

from __future__ import annotations

from datetime import date
from enum import StrEnum
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from graph.catalog.periods import Period, approx_days
from graph.model import Direction

__all__ = [
    "NAMED_IN_DECISION",
    "Behaviour",
    "CatalogHeader",
    "Deadline",
    "EntryBase",
    "ListKind",
    "Measure",
    "Precondition",
    "PropagationRule",
    "RepairRules",
    "SeverityClass",
    "Source",
    "Term",
]

#: Pseudo-relationship of a rule that reaches the persons a decision names as directly
#: responsible (直接负责的主管人员和其他直接责任人员): the decision document is the evidence.
NAMED_IN_DECISION = "NAMED_IN_DECISION"

Severity = Literal["minor", "general", "serious"]


class ListKind(StrEnum):
    """The four lists."""

    HONOUR_SCOPE = "honour_scope"  # 诚信典型范围清单
    DISHONESTY_SCOPE = "dishonesty_scope"  # 严重失信行为及主体范围清单
    REWARD_MEASURES = "reward_measures"  # 守信激励政策措施清单
    SANCTION_MEASURES = "sanction_measures"  # 失信惩戒政策措施清单

    @property
    def chinese(self) -> str:
        """The list's Chinese name.

        >>> ListKind.SANCTION_MEASURES.chinese
        '失信惩戒政策措施清单'
        """
        return {
            ListKind.HONOUR_SCOPE: "诚信典型范围清单",
            ListKind.DISHONESTY_SCOPE: "严重失信行为及主体范围清单",
            ListKind.REWARD_MEASURES: "守信激励政策措施清单",
            ListKind.SANCTION_MEASURES: "失信惩戒政策措施清单",
        }[self]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Source(_Strict):
    """A public source an entry cites; ``verified`` is false for unchecked reprints."""

    title: str
    url: str | None = None
    articles: str | None = None
    verified: bool
    note: str | None = None


class Term(_Strict):
    """How long a listing or measure lasts; ``default`` None means until lifted (修复/撤销)."""

    default: Period | None
    min: Period | None = None
    max: Period | None = None
    note: str | None = None

    @model_validator(mode="after")
    def _ordered(self) -> Term:
        values = [p for p in (self.min, self.default, self.max) if p is not None]
        days = [approx_days(p) for p in values]
        if days != sorted(days):
            raise ValueError(f"term must satisfy min <= default <= max, got {values}")
        if self.default is None and (self.min or self.max):
            raise ValueError("an open-ended term (default: null) takes no min or max")
        return self

    def allows(self, period: str) -> bool:
        """Whether a decision may choose ``period`` for this term.

        >>> Term(default="P1Y", min="P1Y", max="P3Y").allows("P2Y")
        True
        >>> Term(default="P1Y").allows("P2Y")
        False
        """
        if self.default is None:
            return False
        low = approx_days(self.min or self.default)
        high = approx_days(self.max or self.default)
        return low <= approx_days(period) <= high


class PropagationRule(_Strict):
    """How a measure extends from the subject holding it to a linked subject.

    ``direction`` is read from the holder: a rule on an enterprise that reaches its legal
    representative follows ``LEGAL_REP_OF`` (Person → Enterprise) **in**.  The relationship
    is evaluated on the decision's ``evaluated_at`` date; ``depth`` is how many times in a
    row this rule may be followed (a chain of shareholders, say); the reached subject
    receives ``measure`` (the same measure when omitted).
    """

    id: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    relationship: str
    direction: Direction
    from_kind: str | None = None
    to_kind: str
    role: str = Field(description="the reached subject's role, in Chinese (e.g. 法定代表人)")
    evaluated_at: Literal["act_date", "decision_date"] = "act_date"
    measure: str | None = None
    depth: int = Field(1, ge=1, le=5)
    ratio_above: float | None = Field(
        None,
        ge=0,
        lt=1,
        description="follow only relationships whose ratio exceeds this (0.5: owned > 50 %); "
        "a relationship without a ratio is not followed",
    )
    legal_basis: list[str] = Field(default_factory=list)
    uncertain: bool = False
    note: str | None = None


class Precondition(_Strict):
    """A condition the engine checks before a reward listing (the rest is evidence)."""

    check: Literal["not_listed", "no_dishonesty_within"]
    period: Period | None = None
    text: str

    @model_validator(mode="after")
    def _period_when_needed(self) -> Precondition:
        if self.check == "no_dishonesty_within" and self.period is None:
            raise ValueError("no_dishonesty_within needs a period")
        return self


class EntryBase(_Strict):
    """Fields every entry of the four lists carries."""

    code: str = Field(pattern=r"^[A-Z][A-Z0-9-]*$")
    name: str = Field(min_length=1, description="name in Chinese")
    gloss: str = Field(min_length=1, description="short English gloss")
    unit: str = Field(description="administrative unit (认定/实施部门)")
    grounds: str = Field(description="实施事由")
    legal_basis: list[str] = Field(min_length=1, description="法律依据")
    implementing_units: list[str] = Field(min_length=1)
    content: str
    evidence_required: list[str] = Field(default_factory=list)
    subject_kinds: list[str] = Field(min_length=1)
    severity: Severity | None = None
    term: Term | None = None
    sources: list[Source] = Field(min_length=1)
    uncertain: list[str] = Field(
        default_factory=list, description="fields whose figures are not verified"
    )
    note: str | None = None

    @model_validator(mode="after")
    def _uncertain_names_fields(self) -> EntryBase:
        unknown = set(self.uncertain) - set(type(self).model_fields)
        if unknown:
            raise ValueError(f"{self.code}: uncertain names unknown fields {sorted(unknown)}")
        return self


class Behaviour(EntryBase):
    """An entry of a scope list: a behaviour (or honour) and the measures it triggers."""

    measures: list[str] = Field(min_length=1)
    thresholds: list[str] = Field(default_factory=list)
    requires: list[Precondition] = Field(default_factory=list)


class Measure(EntryBase):
    """An entry of a measure list: what it restricts (or grants) and how it extends."""

    restricts: list[str] = Field(default_factory=list)
    grants: list[str] = Field(default_factory=list)
    extends_to: list[PropagationRule] = Field(default_factory=list)

    @model_validator(mode="after")
    def _rule_ids_unique(self) -> Measure:
        ids = [r.id for r in self.extends_to]
        if len(ids) != len(set(ids)):
            raise ValueError(f"{self.code}: propagation rule ids repeat: {ids}")
        return self


class SeverityClass(_Strict):
    """A class of 信用修复管理办法: whether and how long failure information is published."""

    name: str
    gloss: str
    publish: bool
    min_publication: Period | None = None
    max_publication: Period
    repair_after_min: bool = Field(True, description="repair needs the minimum period elapsed")
    note: str | None = None


class RepairRules(_Strict):
    """Conditions of credit repair (信用修复); ``attested`` ones are declared by the applicant."""

    conditions: list[str]
    attested: list[str]
    on_repair: list[str]
    sources: list[Source] = Field(min_length=1)


class Deadline(_Strict):
    """A deadline in Chinese working days, with the rule's source."""

    working_days: int = Field(ge=1)
    name: str
    basis: str
    uncertain: bool = False


class CatalogHeader(_Strict):
    """``catalog.yaml``: identity, version, effective date and shared vocabularies."""

    name: str
    version: str
    effective: date
    description: str = ""
    max_depth: int = Field(3, ge=1, le=6, description="longest propagation path, in steps")
    actions: dict[str, str] = Field(description="action categories a sanction may restrict")
    incentives: dict[str, str] = Field(description="benefits a reward may grant")
    severity_classes: dict[Severity, SeverityClass]
    repair: RepairRules
    deadlines: dict[Literal["objection_reply", "correction_push", "publication"], Deadline]
    sources: list[Source] = Field(min_length=1)
