"""Settings of the bidding check, read from ``queries/bidding.yaml``.

What counts as a finding and what it does to a verdict, the fingerprints that count as
collusion, the meaning of credit grades, the exclusion list and the legal bases cited are
data: the shipped file holds the defaults and :func:`load_bidding_config` reads a
replacement, checked by pydantic (unknown keys, relationship types and grades fail fast
with :class:`~graph.exc.InvalidModel`).  Hidden-link grading (roles, channels, webmail,
hub threshold, contact exclusions) is the investigation settings' ``links`` section, reused.

>>> config = load_bidding_config()
>>> config.effects["same_head"], config.fingerprints["ip"]
('ineligible', 'advisory')
>>> config.law["art34_2"].citation
'招标投标法实施条例 第三十四条第二款、第三款'
>>> config.hub(load_config()), config.is_excluded("Contact:address|x", "address|x")
(50, False)
>>> config.grade_rank("A") < config.grade_rank("C")
True
"""

from __future__ import annotations

import hashlib
from functools import cache
from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from graph.exc import InvalidModel
from graph.model import load_model
from queries.config import Grade, InvestigationConfig, load_config

__all__ = [
    "BIDDING_CONFIG_FILE",
    "BiddingConfig",
    "Effect",
    "GradeMeaning",
    "GradesConfig",
    "LawText",
    "Rule",
    "load_bidding_config",
]

BIDDING_CONFIG_FILE = Path(__file__).with_name("bidding.yaml")
Effect = Literal["ineligible", "needs_review", "none"]
#: Every rule a finding can come from (the keys of ``effects``).
Rule = Literal[
    "restricted_bidder",
    "restricted_person",
    "black_list",
    "same_head",
    "control",
    "same_controller",
    "tenderer_link",
    "same_project_manager",
    "same_deposit_account",
    "same_fingerprint",
    "grade_below_minimum",
    "grade_review",
    "not_in_graph",
    "advisory",
]
RULES: tuple[str, ...] = Rule.__args__  # type: ignore[attr-defined]
FINGERPRINT_FIELDS = ("mac", "cpu", "disk", "dongle", "ip")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class LawText(_Strict):
    """A legal basis as findings cite it (Chinese text, English gloss, how sure we are)."""

    citation: str
    title: str
    article: str | None = None
    text: str
    gloss: str
    verified: bool
    note: str | None = None


class GradeMeaning(_Strict):
    """What one credit grade means, and what it does to a bid by default."""

    name: str
    gloss: str
    effect: Literal["none", "review"] = "none"


class GradesConfig(_Strict):
    """Credit grades (信用评价等级), best first."""

    scheme: str
    order: tuple[str, ...]
    grades: dict[str, GradeMeaning]
    minimum: str | None = None
    missing: str

    @model_validator(mode="after")
    def _consistent(self) -> GradesConfig:
        if set(self.order) != set(self.grades) or len(set(self.order)) != len(self.order):
            raise ValueError("credit_grades: order and grades must name the same grades once")
        if self.minimum is not None and self.minimum not in self.grades:
            raise ValueError(f"credit_grades.minimum {self.minimum!r} is no grade")
        return self


class BiddingConfig(_Strict):
    """All settings of the bidding check."""

    version: int
    exclude: frozenset[str] = frozenset()
    hub_threshold: int | None = Field(None, ge=1)
    heads: tuple[str, ...]
    shared_types: tuple[str, ...]
    vehicle_grade: Grade = "suspicious"
    manager_tie_grade: Grade = "hard"
    listed_hops: int = Field(2, ge=0, le=3)
    listed_states: tuple[Literal["listed", "affected"], ...] = ("listed",)
    workers: int = Field(4, ge=1, le=32)
    prefilter: bool = True
    effects: dict[Rule, Effect]
    fingerprints: dict[str, Literal["deemed", "advisory"]]
    credit_grades: GradesConfig
    law: dict[str, LawText]

    @model_validator(mode="after")
    def _complete(self) -> BiddingConfig:
        missing = sorted(set(RULES) - set(self.effects))
        if missing:
            raise ValueError(f"effects: no effect given for {missing}")
        unknown = sorted(set(self.fingerprints) - set(FINGERPRINT_FIELDS))
        if unknown:
            raise ValueError(f"fingerprints: unknown fields {unknown}; known {FINGERPRINT_FIELDS}")
        needed = {"credit_query", "art34_1", "art34_2", "art40_1", "art40_3", "art40_6"}
        needed |= {"e_bidding", "art51", "local_staff", "tender_document"}
        if absent := sorted(needed - set(self.law)):
            raise ValueError(f"law: missing legal bases {absent}")
        if not set(self.heads) <= set(self.shared_types):
            raise ValueError("heads must be among shared_types")
        return self

    def check_types(self) -> None:
        """Every relationship type named must exist in the vocabulary."""
        unknown = sorted(set(self.shared_types) - set(load_model().edges))
        if unknown:
            raise InvalidModel(f"unknown relationship types in the bidding settings: {unknown}")

    def hub(self, investigation: InvestigationConfig) -> int:
        """The hub threshold in force (ours, else the investigation settings')."""
        return self.hub_threshold or investigation.links.hub_threshold

    def is_excluded(
        self, uid: str, key: str, investigation: InvestigationConfig | None = None
    ) -> bool:
        """Whether a shared node is on an exclusion list (ours, or ``links.excluded``)."""
        links = (investigation or load_config()).links
        return uid in self.exclude or key in self.exclude or key in links.excluded

    def grade_rank(self, grade: str) -> int:
        """Position of a grade, best first (unknown grades rank after all known ones)."""
        order = self.credit_grades.order
        return order.index(grade) if grade in order else len(order)

    @property
    def fingerprint(self) -> str:
        """Digest of the settings (part of a check's data version)."""
        text = self.model_dump_json(exclude={"law"})
        return hashlib.sha256(text.encode()).hexdigest()[:16]


@cache
def load_bidding_config(path: Path = BIDDING_CONFIG_FILE) -> BiddingConfig:
    """Load and check a bidding settings file (the shipped one by default)."""
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
        config = BiddingConfig.model_validate(raw)
    except (OSError, yaml.YAMLError, ValidationError) as err:
        raise InvalidModel(f"{path}: {err}") from err
    config.check_types()
    return config
