"""What a bidding check answers: findings with their legal basis and evidence, a verdict per
bidder, a summary per pair, and the data version the answer rests on.

Every person named in a finding is also listed in its ``entities`` (kind and uid beside the
name), so the API masks names, ID numbers and contacts for readers without clearance.

>>> Finding.make_id("same_head", ["B", "A"], "Person:1")
'F-8972e7318179'
"""

from __future__ import annotations

import hashlib
from datetime import date, datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from graph.model import NodeRef
from queries.bidding_config import Effect, LawText, Rule
from queries.bidding_input import TenderIn
from queries.common import Credit, Entity, Step
from queries.config import Grade
from queries.control import Chain

__all__ = [
    "BidCheckResult",
    "BidderReport",
    "Category",
    "DataVersion",
    "Finding",
    "HubNote",
    "MeasureEvidence",
    "PairReport",
    "SharedValue",
    "Verdict",
]

Verdict = Literal["eligible", "ineligible", "needs_review"]
Category = Literal["eligibility", "article_34", "article_40", "credit_grade", "advisory", "data"]

#: Chinese label and English gloss of each category (the report's section titles).
CATEGORY_LABELS: dict[str, tuple[str, str]] = {
    "eligibility": ("投标资格（信用查询）", "eligibility: measures restricting bidding"),
    "article_34": ("第三十四条 不得参加同一标段投标", "art. 34: may not bid in the same lot"),
    "article_40": ("第四十条 视为串通投标", "art. 40: deemed collusion"),
    "credit_grade": ("信用评价等级", "credit grade"),
    "advisory": ("关联提示（非结论）", "review points, not verdicts"),
    "data": ("数据缺失", "missing data"),
}
VERDICT_LABELS: dict[str, tuple[str, str]] = {
    "eligible": ("可以投标", "eligible"),
    "ineligible": ("投标无效或应否决", "ineligible"),
    "needs_review": ("需人工复核", "needs review"),
}


class _Out(BaseModel):
    model_config = ConfigDict(frozen=True)


class SharedValue(_Out):
    """A value two bids have in common (a deposit account, a MAC address, a phone)."""

    field: str = Field(description="project_manager_id, deposit_account, mac, cpu, disk, …")
    label: str = Field(description="中文名 / English")
    value: str


class MeasureEvidence(_Out):
    """A measure in force on a subject on the date of the check, with its why."""

    subject: Entity
    role: str = Field(description="投标人 / 法定代表人 / 主要负责人 / 项目经理")
    measure: str
    measure_name: str
    behaviour: str
    decision_no: str
    authority: str
    start: date
    end: date | None = Field(description="after suspensions; None = until lifted")
    restricts: list[str]
    legal_basis: list[str]
    path: list[str] = Field(description="how the measure reached the subject (propagation)")
    direct: bool


class Finding(_Out):
    """One finding: which rule, on whom, its effect, its legal basis and its evidence."""

    id: str
    rule: Rule
    category: Category
    effect: Effect
    grade: Grade | None = Field(None, description="strength of an advisory link")
    bidders: list[str] = Field(description="USCC of the bidders concerned (one or a pair)")
    title: str = Field(description="中文 / English")
    text: str = Field(description="what was found, in a sentence")
    legal_basis: list[LawText]
    shared: list[SharedValue] = Field(default_factory=list)
    steps: list[Step] = Field(default_factory=list, description="relationships (evidence)")
    chains: list[Chain] = Field(default_factory=list, description="ownership chains")
    measures: list[MeasureEvidence] = Field(default_factory=list)
    entities: list[Entity] = Field(default_factory=list, description="entities named")
    current: bool = Field(True, description="false when a tie ended before the date")

    @staticmethod
    def make_id(rule: str, bidders: list[str], key: str) -> str:
        """A stable id: the same finding has the same id in every check."""
        raw = "\x1f".join((rule, *sorted(bidders), key))
        return "F-" + hashlib.blake2b(raw.encode(), digest_size=6).hexdigest()


class BidderReport(_Out):
    """One bidder's verdict and the facts it rests on."""

    uscc: str
    name: str
    entity: Entity | None = Field(description="the bidder's node; None when not in the store")
    verdict: Verdict
    reasons: list[str] = Field(description="ids of the findings that decide the verdict")
    review_points: list[str] = Field(description="ids of advisory findings about it")
    credit: Credit | None = Field(description="credit state on the date (None: not stored)")
    credit_grade: str | None
    grade_meaning: str | None
    heads: list[Entity] = Field(description="legal representative / principal on the date")
    project_manager: Entity | None
    suspended: list[str] = Field(
        default_factory=list, description="measures suspended pending an objection (not in force)"
    )


class PairReport(_Out):
    """Two bidders with at least one finding between them."""

    a: str
    b: str
    findings: list[str]
    effect: Effect = Field(description="the strongest effect among them")


class HubNote(_Out):
    """A value shared by bidders but too common (or excluded) to link them."""

    shared: Entity
    bidders: list[str]
    attached: int = Field(description="entities attached to it in all")
    reason: Literal["hub", "excluded"]


class DataVersion(_Out):
    """The version of what the answer rests on: the catalog, the settings, and a digest of
    every node, relationship and credit record the check read."""

    digest: str
    catalog_version: str
    catalog_fingerprint: str
    settings_fingerprint: str
    evidence_digest: str
    nodes_read: int
    edges_read: int
    records_read: int


class BidCheckResult(_Out):
    """The answer of a bidding check (and, with its id and hash, the receipt's content)."""

    model_config = ConfigDict(
        frozen=True,
        json_schema_extra={
            "examples": [
                {
                    "check_id": "bc-3f2a9c0e5b7d4e1f",
                    "checked_at": "2024-05-28T01:30:00+00:00",
                    "checked_by": "approval-system",
                    "as_of": "2024-05-28",
                    "verdicts": {"eligible": 1, "ineligible": 2, "needs_review": 0},
                    "result_hash": "9c1e…",
                }
            ]
        },
    )

    check_id: str
    checked_at: datetime
    checked_by: str
    tender: TenderIn
    as_of: date = Field(description="the date measures and relationships were evaluated on")
    data_version: DataVersion
    verdicts: dict[Verdict, int]
    bidders: list[BidderReport]
    findings: list[Finding]
    pairs: list[PairReport]
    hubs: list[HubNote]
    notes: list[str] = Field(description="what the check could not look at")
    credit_query_basis: LawText
    result_hash: str = Field("", description="SHA-256 of the result without this field")

    def finding(self, finding_id: str) -> Finding:
        """The finding with this id."""
        return next(f for f in self.findings if f.id == finding_id)

    @property
    def has_findings(self) -> bool:
        """Any finding at all (the CLI exits 1)."""
        return bool(self.findings)


def bidder_ref(uscc: str) -> NodeRef:
    """The enterprise node of a bidder.

    >>> bidder_ref("91110000600037341L").uid
    'Enterprise:91110000600037341L'
    """
    return NodeRef("Enterprise", uscc)
