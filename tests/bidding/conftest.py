"""Fixture tenders of the bidding check.

``tests/fixtures/bidding_<case>/graph.yaml`` is the graph (loaded by ``tests.fixtures.cases``)
and ``tender.yaml`` the tender, written with node aliases, with the findings it must give
(``expected``: rule and bidders, exactly), the verdicts, and settings that override
``queries/bidding.yaml`` (``config``).  :func:`planted` also files the bidding-ban decision
the planted case needs (on bidder ``m``, naming 孙经理 as directly responsible).  The API
fixtures (``api``, ``make_api``) are those of ``tests/api``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import pytest
import yaml

from graph.stores.base import GraphStore
from queries.bidding_config import BiddingConfig, load_bidding_config
from queries.bidding_input import TenderIn
from queries.decisions import file_decision
from queries.lifecycle import DecisionRequest
from tests.api.conftest import api, make_api  # noqa: F401 - the API fixtures, shared
from tests.fixtures.cases import FIXTURES, Case, load_case


@dataclass(frozen=True)
class FixtureTender:
    """A loaded case with its tender, expectations and settings."""

    case: Case
    tender: TenderIn
    expected: list[tuple[str, tuple[str, ...]]]
    verdicts: dict[str, str]
    config: BiddingConfig

    def alias(self, uscc: str) -> str:
        """The alias of a bidder."""
        return self.case.alias(f"Enterprise:{uscc}")


def _bid(case: Case, spec: dict[str, Any]) -> dict[str, Any]:
    bid = {k: v for k, v in spec.items() if k not in ("bidder", "manager")}
    bid["uscc"] = case[spec["bidder"]].key
    if "manager" in spec:
        bid["project_manager_id"] = case[spec["manager"]].key
    return bid


def load_tender(store: GraphStore, name: str) -> FixtureTender:
    """Load ``tests/fixtures/<name>`` into ``store`` and read its tender."""
    case = load_case(store, name)
    raw = yaml.safe_load((FIXTURES / name / "tender.yaml").read_text(encoding="utf-8"))
    spec = dict(raw["tender"])
    spec["bidders"] = [_bid(case, b) for b in spec["bidders"]]
    for role in ("tenderer", "owner"):
        if role in spec:
            spec[role] = {"uscc": case[spec[role]].key}
    config = load_bidding_config()
    if raw.get("config"):
        config = BiddingConfig.model_validate({**config.model_dump(), **raw["config"]})
    expected = [(e["rule"], tuple(sorted(e["bidders"]))) for e in raw.get("expected") or []]
    verdicts = {alias: v for v, aliases in raw["verdicts"].items() for alias in aliases}
    return FixtureTender(
        case=case,
        tender=TenderIn.model_validate(spec),
        expected=sorted(expected),
        verdicts=verdicts,
        config=config,
    )


def file_ban(store: GraphStore, case: Case) -> None:
    """The planted bidding ban: T-BID-FRAUD on ``m`` with a 3-year bidding ban (S-BID-BAN),
    孙经理 named directly responsible (the ban reaches him too)."""
    file_decision(
        store,
        DecisionRequest(
            subject=case["m"],
            behaviour_code="T-BID-FRAUD",
            act_date=date(2023, 3, 1),
            decision_date=date(2023, 6, 1),
            decision_no="吉交执〔2023〕7号",
            authority="吉林省交通运输厅",
            evidence=[
                {"type": "行政处罚决定书", "reference": "吉交执〔2023〕7号"},
                {"type": "串通投标或弄虚作假认定材料", "reference": "调查报告 2023-05"},
            ],
            responsible_persons=[case["sun"]],
            term="P3Y",
            measure_terms={"S-BID-BAN": "P3Y"},
        ),
        actor="test",
    )


@pytest.fixture
def planted(store: GraphStore) -> FixtureTender:
    """The planted tender, loaded into ``store`` (both stores), with its decision filed."""
    fixture = load_tender(store, "bidding_planted")
    file_ban(store, fixture.case)
    return fixture


@pytest.fixture
def clean(store: GraphStore) -> FixtureTender:
    """The clean tender around two public hubs, loaded into ``store``."""
    return load_tender(store, "bidding_clean")


@pytest.fixture
def fixtures_dir() -> Path:
    """Where the bid-list files of the tests live."""
    return FIXTURES
