"""The printable report: self-contained, bilingual, every finding with its basis, masked
for readers without clearance."""

from __future__ import annotations

import re
from html.parser import HTMLParser

from api.masking import Clearance, mask_document
from graph.stores.base import GraphStore
from queries.bidding import check_bids
from queries.bidding_report import report_html
from tests.bidding.conftest import FixtureTender


class _Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[str] = []
        self.fetching: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        for name, value in attrs:
            if name in ("src", "href") and value and not value.startswith("#"):
                self.fetching.append(value)


def test_report_is_self_contained_and_complete(store: GraphStore, planted: FixtureTender) -> None:
    result = check_bids(store, planted.tender, actor="审查员", config=planted.config)
    page = report_html(result.model_dump(mode="json"))
    parser = _Tags()
    parser.feed(page)
    assert parser.fetching == [] and "script" not in parser.tags and "://" not in page
    assert parser.tags.count("svg") == 1
    for finding in result.findings:
        assert f'id="{finding.id}"' in page
    for needle in (
        result.check_id,
        result.data_version.digest,
        result.result_hash,
        "2024-06-10",
        "第三十四条第二款",
        "财库〔2016〕125号",
        "投标无效或应否决",
        "需人工复核",
        "可以投标",
        "(未核实 unverified)".replace("(", "（").replace(")", "）"),
    ):
        assert needle in page, needle
    # one mark per bidder in the picture, coloured by verdict
    assert len(re.findall(r'<circle[^>]*fill="#c62828"', page)) >= 14


def test_clean_report_says_no_findings_and_lists_the_hubs(
    store: GraphStore, clean: FixtureTender
) -> None:
    page = report_html(
        check_bids(store, clean.tender, actor="t", config=clean.config).model_dump(mode="json")
    )
    assert "未发现问题" in page and "国信产业投资基金" in page and "排除 excluded" in page


def test_masked_report_hides_id_numbers_and_phones(
    store: GraphStore, planted: FixtureTender
) -> None:
    result = check_bids(store, planted.tender, actor="t", config=planted.config)
    zhao = planted.case["zhao"].key
    full = report_html(result.model_dump(mode="json"))
    assert zhao in full
    masked = mask_document(result.model_dump(mode="json"), Clearance.NONE)
    page = report_html(masked)
    assert zhao not in page and "赵经理" not in page and "13900000001" not in page
    assert "赵*" in page
