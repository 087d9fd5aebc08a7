"""Settings of the investigation questions, read from ``queries/investigations.yaml``.

Risk weights and decay, the webmail list, hub thresholds, the 25 % / 50 % control
thresholds and the phrases that explain a relationship are data: the shipped file holds
the defaults and :func:`load_config` reads a replacement, checked by pydantic at load
(unknown keys and relationship types fail fast with :class:`~graph.exc.InvalidModel`).

>>> config = load_config()
>>> config.control.beneficial_owner, config.control.control
(0.25, 0.5)
>>> "qq.com" in config.links.webmail_domains
True
>>> config.links.person_grade("owner", "key")
'suspicious'
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from graph.exc import InvalidModel
from graph.model import load_model

__all__ = [
    "CONFIG_FILE",
    "ClustersConfig",
    "ControlConfig",
    "Grade",
    "InvestigationConfig",
    "LinksConfig",
    "PathsConfig",
    "RelatedConfig",
    "RiskConfig",
    "load_config",
]

CONFIG_FILE = Path(__file__).with_name("investigations.yaml")
Grade = Literal["hard", "suspicious", "weak"]
#: Grades from strongest to weakest.
GRADES: tuple[Grade, ...] = ("hard", "suspicious", "weak")


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class RelatedConfig(_Section):
    """Related parties: hub cap, answer size, depth."""

    per_node_cap: int = Field(50, ge=1)
    limit: int = Field(1000, ge=1)
    max_hops: int = Field(4, ge=1, le=6)


class PathsConfig(_Section):
    """Paths between two entities."""

    k: int = Field(3, ge=1, le=50)
    max_hops: int = Field(6, ge=1, le=10)


class ControlConfig(_Section):
    """Ownership penetration (股权穿透) and the actual controller."""

    max_hops: int = Field(6, ge=1, le=10)
    beneficial_owner: float = Field(0.25, gt=0, le=1)
    control: float = Field(0.5, gt=0, lt=1)
    min_chain_share: float = Field(0.0001, ge=0, lt=1)


class LinksConfig(_Section):
    """Hidden links (疑似关系)."""

    hub_threshold: int = Field(50, ge=1)
    contact_kind: str = "Contact"
    contact_type: str = "HAS_CONTACT"
    webmail_domains: frozenset[str] = frozenset()
    excluded: frozenset[str] = frozenset()
    channel_grades: dict[str, Grade] = Field(default_factory=dict)
    email_domain_grade: Grade = "hard"
    investment_grade: Grade = "hard"
    investment_types: tuple[str, ...] = ("SHAREHOLDER_OF", "ACTUAL_CONTROLLER_OF")
    person_roles: dict[str, str] = Field(default_factory=dict)
    person_grades: dict[str, Grade] = Field(default_factory=dict)
    person_link_kinds: tuple[str, ...] = ("Enterprise",)
    include_ended: bool = True

    @field_validator("webmail_domains")
    @classmethod
    def _lower(cls, value: frozenset[str]) -> frozenset[str]:
        return frozenset(v.strip().lower() for v in value)

    def person_grade(self, first: str, second: str) -> Grade:
        """Grade of a person shared in role classes ``first`` and ``second`` (any order)."""
        for key in (f"{first}+{second}", f"{second}+{first}"):
            if key in self.person_grades:
                return self.person_grades[key]
        return "weak"


class RiskConfig(_Section):
    """Advisory risk exposure."""

    max_hops: int = Field(3, ge=1, le=5)
    decay: float = Field(0.5, gt=0, le=1)
    weights: dict[str, float] = Field(default_factory=dict)
    severity: dict[str, float] = Field(default_factory=dict)
    bands: dict[str, float] = Field(default_factory=dict)
    paths_per_subject: int = Field(3, ge=1, le=20)
    per_node_cap: int = Field(50, ge=1)
    limit: int = Field(1000, ge=1)


class ClustersConfig(_Section):
    """Affiliate clusters (企业族群)."""

    types: tuple[str, ...] = ()
    control_ratio: float = Field(0.5, ge=0, lt=1)
    hub_threshold: int = Field(50, ge=1)
    split_above: int = Field(200, ge=2)
    resolution: float = Field(1.0, gt=0)
    louvain_threshold: float = Field(1e-3, gt=0, lt=1)
    seed: int = 42
    max_component: int = Field(20000, ge=2)


class Phrase(_Section):
    """How a relationship reads while it holds (``now``) and after it ended (``past``)."""

    now: str
    past: str


class InvestigationConfig(_Section):
    """All settings of the investigation questions."""

    version: int
    related: RelatedConfig = RelatedConfig()
    paths: PathsConfig = PathsConfig()
    control: ControlConfig = ControlConfig()
    links: LinksConfig = LinksConfig()
    risk: RiskConfig = RiskConfig()
    clusters: ClustersConfig = ClustersConfig()
    phrases: dict[str, Phrase] = Field(default_factory=dict)

    def check_types(self) -> None:
        """Every relationship type named must exist in the vocabulary."""
        model = load_model()
        links = self.links
        named = {
            *links.person_roles,
            *links.investment_types,
            links.contact_type,
            *self.risk.weights,
            *self.clusters.types,
            *self.phrases,
        }
        unknown = sorted(named - set(model.edges))
        if unknown:
            raise InvalidModel(f"unknown relationship types in the configuration: {unknown}")
        if links.contact_kind not in model.nodes:
            raise InvalidModel(f"unknown contact kind {links.contact_kind!r}")


@cache
def load_config(path: Path = CONFIG_FILE) -> InvestigationConfig:
    """Load and check an investigations settings file (the shipped one by default)."""
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
        config = InvestigationConfig.model_validate(raw)
    except (OSError, yaml.YAMLError, ValidationError) as err:
        raise InvalidModel(f"{path}: {err}") from err
    config.check_types()
    return config
