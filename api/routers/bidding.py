"""Bidding review (招投标评审): check a tender's bidders, fetch the receipt of a check later.

Every check is recorded in the store (跟踪问效) under the id the answer carries; the receipt
route returns it with ``verified`` (its hash still matches) as JSON, or the printable report
as HTML (masked for the reader's clearance like every other answer).
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Path, Query
from fastapi.responses import HTMLResponse, JSONResponse, Response
from pydantic import BaseModel, ConfigDict

from api.deps import AuditDep, PrincipalDep, Requires, StoreDep
from api.errors import problem_responses
from api.masking import mask_document
from api.routers import API_PREFIX
from api.routers.viz import PICTURE_CSP
from api.security import Permission
from queries.bidding import check_bids
from queries.bidding_input import TenderIn
from queries.bidding_models import BidCheckResult
from queries.bidding_receipt import BidCheckReceipt, ReceiptSummary, find_receipts, get_receipt
from queries.bidding_report import report_html
from viz.bidding import bidding_view
from viz.render import Picture

__all__ = ["TAG", "router"]

TAG = {
    "name": "bidding",
    "description": "Bidding review (招投标评审): may these bidders bid? Checks citing "
    "招标投标法实施条例 第34条/第40条 and 财库〔2016〕125号, with their receipts.",
}
router = APIRouter(
    prefix=f"{API_PREFIX}/bidding",
    tags=["bidding"],
    dependencies=[Requires(Permission.BIDDING_CHECK)],
)
_REPORT_CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; frame-ancestors 'self'"
_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Content-Security-Policy": _REPORT_CSP,
}


class ReceiptList(BaseModel):
    """The receipts of one project's checks, oldest first."""

    model_config = ConfigDict(
        frozen=True,
        json_schema_extra={
            "examples": [
                {
                    "project_code": "JL-2024-001",
                    "receipts": [
                        {
                            "check_id": "bc-3f2a9c0e5b7d4e1f",
                            "checked_at": "2024-05-28T01:30:00Z",
                            "checked_by": "approval-system",
                            "project_code": "JL-2024-001",
                            "lot": "1",
                            "bid_date": "2024-05-28",
                            "verdicts": {"eligible": 2, "ineligible": 0, "needs_review": 1},
                            "result_hash": "9c1e…",
                        }
                    ],
                }
            ]
        },
    )

    project_code: str
    receipts: list[ReceiptSummary]


def _actor(principal: PrincipalDep) -> str:
    return principal.key_id or f"anonymous ({principal.role.value})"


@router.post(
    "/checks",
    summary="Check a tender's bidders (and keep the receipt)",
    response_model=BidCheckResult,
    responses=problem_responses(400, 401, 403, 422, 503),
)
def post_check(
    tender: TenderIn, store: StoreDep, audit: AuditDep, principal: PrincipalDep
) -> BidCheckResult:
    """Eligibility (measures restricting bidding on the bid date), 第34条 (same head of unit,
    control, links to the tenderer), 第40条 (same project manager, deposit account, upload
    fingerprints) and review points, each with its legal basis and evidence; a verdict per
    bidder.  The answer is recorded: fetch it again by its `check_id`."""
    audit.subject = f"Project:{tender.project_code}"
    return check_bids(store, tender, actor=_actor(principal))


@router.get(
    "/receipts",
    summary="Receipts of a project's checks",
    response_model=ReceiptList,
    responses=problem_responses(401, 403, 422, 503),
)
def list_checks(
    project_code: Annotated[
        str, Query(min_length=1, max_length=200, description="项目编号 of the tender")
    ],
    store: StoreDep,
    audit: AuditDep,
) -> ReceiptList:
    """Every check recorded for the project: who, when, the verdicts and the result hash.
    (A path of its own: Starlette's 405 for a path served by two routes lists one method.)"""
    audit.subject = f"Project:{project_code}"
    return ReceiptList(project_code=project_code, receipts=find_receipts(store, project_code))


@router.get(
    "/checks/{check_id}",
    summary="The receipt of a check (JSON) or its printable report (HTML)",
    response_model=BidCheckReceipt,
    responses={
        200: {
            "description": "The receipt (JSON, default), the report or the picture (HTML)",
            "content": {"text/html": {"schema": {"type": "string"}}},
        },
        **problem_responses(401, 403, 404, 422, 503),
    },
)
def get_check(
    check_id: Annotated[
        str,
        Path(
            max_length=100,
            description="the check id (`bc-…`) the check answered with",
            openapi_examples={"check": {"value": "bc-3f2a9c0e5b7d4e1f"}},
        ),
    ],
    store: StoreDep,
    audit: AuditDep,
    principal: PrincipalDep,
    format: Annotated[
        Literal["json", "html", "picture"],
        Query(
            description="`json`: the receipt; `html`: the printable report; `picture`: the "
            "interactive network picture (offline HTML)"
        ),
    ] = "json",
) -> Response:
    """Who checked, when, the tender as given, the data version, the result and whether it
    still matches its hash (跟踪问效: proof that the credit check preceded the decision)."""
    audit.subject = f"BidCheck:{check_id}"
    receipt = get_receipt(store, check_id)
    if format == "html":
        document: dict[str, Any] = mask_document(
            receipt.result.model_dump(mode="json"), principal.clearance, store.model
        )
        return HTMLResponse(report_html(document), headers=_HEADERS)
    if format == "picture":
        picture = Picture(bidding_view(store, receipt.result), clearance=principal.clearance)
        return HTMLResponse(
            picture.html(), headers={**_HEADERS, "Content-Security-Policy": PICTURE_CSP}
        )
    return JSONResponse(receipt.model_dump(mode="json"))
