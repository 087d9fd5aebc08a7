"""The bidding check on the fixture tenders, on both stores: the planted cases give exactly
the expected findings and verdicts, the clean tender gives none."""

from __future__ import annotations

from datetime import date

from graph.stores.base import GraphStore
from queries.bidding import check_bids
from queries.bidding_config import BiddingConfig, load_bidding_config
from queries.bidding_context import CheckContext
from queries.bidding_models import BidCheckResult
from queries.bidding_prefilter import control_candidates, listed_candidates
from queries.config import load_config
from tests.bidding.conftest import FixtureTender


def _found(fixture: FixtureTender, result: BidCheckResult) -> list[tuple[str, tuple[str, ...]]]:
    return sorted(
        (f.rule, tuple(sorted(fixture.alias(u) for u in f.bidders))) for f in result.findings
    )


def _verdicts(fixture: FixtureTender, result: BidCheckResult) -> dict[str, str]:
    return {fixture.alias(b.uscc): b.verdict for b in result.bidders}


def test_planted_cases_give_exactly_the_expected_findings(
    store: GraphStore, planted: FixtureTender
) -> None:
    result = check_bids(store, planted.tender, actor="test", config=planted.config)
    assert _found(planted, result) == planted.expected
    assert _verdicts(planted, result) == planted.verdicts
    assert result.verdicts == {"eligible": 6, "ineligible": 14, "needs_review": 3}


def test_every_finding_cites_the_law_and_shows_evidence(
    store: GraphStore, planted: FixtureTender
) -> None:
    result = check_bids(store, planted.tender, actor="test", config=planted.config)
    for finding in result.findings:
        assert finding.legal_basis and finding.text and finding.entities, finding.rule
        evidence = finding.steps or finding.chains or finding.shared or finding.measures
        if finding.rule not in ("black_list", "grade_below_minimum"):
            assert evidence, finding.rule
    by_rule = {f.rule: f for f in result.findings}
    head = by_rule["same_head"]
    assert [s.type for s in head.steps] == ["LEGAL_REP_OF", "PRINCIPAL_OF"]
    assert "王一" in head.text and head.legal_basis[0].article == "第三十四条第二款、第三款"
    ban = by_rule["restricted_bidder"]
    assert ban.measures[0].measure == "S-BID-BAN" and ban.measures[0].end == date(2026, 6, 1)
    assert ban.legal_basis[0].citation == "财库〔2016〕125号"
    person = by_rule["restricted_person"]
    assert person.measures[0].role == "项目经理" and not person.measures[0].direct
    pm = by_rule["same_project_manager"]
    assert [v.field for v in pm.shared] == ["project_manager_id"]
    assert "赵经理" in pm.text
    prints = by_rule["same_fingerprint"]
    assert [(v.field, v.value) for v in prints.shared] == [("mac", "00-1A-2B-3C-4D-5E")]
    deposit = by_rule["same_deposit_account"]
    assert deposit.shared[0].value == "6222020011112222"
    chain = next(f for f in result.findings if f.rule == "control" and "戊集团" in f.text)
    assert chain.chains and chain.chains[0].majority and len(chain.chains[0].steps) == 2
    same = by_rule["same_controller"]
    assert "张控" in same.text and len(same.chains) == 2
    tenderer = by_rule["tenderer_link"]
    assert tenderer.effect == "needs_review" and tenderer.grade == "hard"
    listed = next(f for f in result.findings if f.bidders == [planted.case["x"].key])
    assert "失信公司" in listed.text and len(listed.steps) == 2


def test_verdict_reasons_and_pairs(store: GraphStore, planted: FixtureTender) -> None:
    result = check_bids(store, planted.tender, actor="test", config=planted.config)
    reports = {planted.alias(b.uscc): b for b in result.bidders}
    assert reports["m"].credit is not None and reports["m"].credit.state == "listed"
    assert reports["s"].review_points and not reports["s"].reasons
    assert reports["r"].credit_grade == "C" and reports["y"].credit_grade == "A"
    assert [h.name for h in reports["a"].heads] == ["王一"]
    assert reports["i"].project_manager is not None
    assert reports["i"].project_manager.name == "赵经理"
    pairs = {(planted.alias(p.a), planted.alias(p.b)): p.effect for p in result.pairs}
    assert pairs[("a", "b")] == "ineligible" and pairs[("s", "t")] == "none"


def test_clean_tender_gives_no_finding(store: GraphStore, clean: FixtureTender) -> None:
    result = check_bids(store, clean.tender, actor="test", config=clean.config)
    assert _found(clean, result) == []
    assert _verdicts(clean, result) == clean.verdicts
    # the public hubs are reported as such, never as links
    assert sorted((h.shared.name, h.reason) for h in result.hubs) == [
        ("address 长春市代理注册地址8号", "excluded"),
        ("国信产业投资基金", "hub"),
    ]


def test_without_the_exclusion_the_shared_address_is_flagged(
    store: GraphStore, clean: FixtureTender
) -> None:
    default = load_bidding_config()
    result = check_bids(store, clean.tender, actor="test", config=default)
    rules = _found(clean, result)
    # six pairs share the address, six share the fund (7 holdings < default threshold 50),
    # and two listed companies are two hops away through them (for each bidder)
    assert [r for r in rules if r[0] != "advisory"] == []
    assert len([r for r in rules if len(r[1]) == 2]) == 12
    assert len([r for r in rules if len(r[1]) == 1]) == 8
    assert all(b.verdict == "eligible" for b in result.bidders)  # review points only


def test_exclusions_never_hide_a_head_of_unit(store: GraphStore, planted: FixtureTender) -> None:
    wang = planted.case["wang1"].uid
    config = BiddingConfig.model_validate(
        {**planted.config.model_dump(), "exclude": [wang], "hub_threshold": 1}
    )
    result = check_bids(store, planted.tender, actor="test", config=config)
    assert ("same_head", ("a", "b")) in _found(planted, result)


def test_the_prefilter_changes_nothing_but_the_work(
    store: GraphStore, planted: FixtureTender
) -> None:
    everyone = BiddingConfig.model_validate({**planted.config.model_dump(), "prefilter": False})
    fast = check_bids(store, planted.tender, actor="t", config=planted.config, record=False)
    slow = check_bids(store, planted.tender, actor="t", config=everyone, record=False)
    assert fast.findings == slow.findings and fast.bidders == slow.bidders
    assert fast.hubs == slow.hubs and fast.pairs == slow.pairs


def test_prefilter_candidates(store: GraphStore, planted: FixtureTender) -> None:
    tender = planted.tender
    ctx = CheckContext(
        store=store, tender=tender, config=planted.config, investigation=load_config()
    )
    assert tender.tenderer is not None
    units = [b.ref for b in tender.bidders] + [tender.tenderer.ref]
    alias = planted.case.alias
    # c above d, e above f (two levels up), 张控 above g and h, 钱股东 above u and v
    assert sorted(alias(r) for r in control_candidates(ctx, units)) == list("cdefghuv")
    assert [alias(r) for r in listed_candidates(ctx, [b.ref for b in tender.bidders])] == ["x"]
