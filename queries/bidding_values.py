"""第四十条 from the bids themselves: the same project manager, deposits from the same account,
identical upload fingerprints — and, as review points, the same phone, e-mail or company
e-mail domain given in two bids.

These compare what the bid documents say (normalised by :mod:`queries.bidding_input`), so
they work for bidders the store does not know.  Findings are per pair of bidders.
"""

from __future__ import annotations

from collections.abc import Callable
from itertools import combinations

from graph.model import NodeRef
from queries.bidding_context import CheckContext
from queries.bidding_input import BidderIn
from queries.bidding_models import SharedValue

__all__ = ["FIELD_LABELS", "check_values"]

FIELD_LABELS = {
    "project_manager_id": "项目经理 / project manager",
    "deposit_account": "保证金账户 / deposit account",
    "mac": "MAC地址 / MAC address",
    "cpu": "CPU序列号 / CPU serial",
    "disk": "硬盘序列号 / disk serial",
    "dongle": "加密锁序号 / dongle serial",
    "ip": "上传IP / upload IP",
    "phone": "联系电话 / phone",
    "email": "电子邮箱 / e-mail",
    "email_domain": "邮箱域名 / e-mail domain",
}


def _pairs(
    bids: list[BidderIn], values: Callable[[BidderIn], list[str]]
) -> dict[tuple[str, str], list[str]]:
    """Pairs of bidders (by USCC) and the values they have in common."""
    holders: dict[str, list[str]] = {}
    for bid in bids:
        for value in dict.fromkeys(values(bid)):
            holders.setdefault(value, []).append(bid.uscc)
    pairs: dict[tuple[str, str], list[str]] = {}
    for value, usccs in sorted(holders.items()):
        for a, b in combinations(sorted(usccs), 2):
            pairs.setdefault((a, b), []).append(value)
    return pairs


def check_values(ctx: CheckContext) -> None:
    """Add the findings that compare the bids' own values."""
    bids = ctx.bidders
    _managers(ctx, bids)
    for (a, b), accounts in _pairs(
        bids, lambda x: [x.deposit_account] if x.deposit_account else []
    ).items():
        ctx.add(
            "same_deposit_account",
            "article_40",
            [a, b],
            "|".join(accounts),
            title="保证金从同一账户转出 / deposits from the same account",
            text=f"the deposits of {ctx.bidder_name(a)} and {ctx.bidder_name(b)} were paid "
            f"from the same account {', '.join(accounts)}",
            law=["art40_6"],
            shared=[
                SharedValue(field="deposit_account", label=FIELD_LABELS["deposit_account"], value=v)
                for v in accounts
            ],
            entities=[NodeRef("Enterprise", a), NodeRef("Enterprise", b)],
        )
    _fingerprints(ctx, bids)
    _contacts(ctx, bids)


def _managers(ctx: CheckContext, bids: list[BidderIn]) -> None:
    for (a, b), ids in _pairs(
        bids, lambda x: [x.project_manager_id] if x.project_manager_id else []
    ).items():
        people = [NodeRef("Person", i) for i in ids]
        who = ", ".join(ctx.name(p) for p in people)
        ctx.add(
            "same_project_manager",
            "article_40",
            [a, b],
            "|".join(ids),
            title="项目管理成员为同一人 / the same project manager",
            text=f"{ctx.bidder_name(a)} and {ctx.bidder_name(b)} both name {who} "
            "as project manager",
            law=["art40_3"],
            shared=[
                SharedValue(
                    field="project_manager_id", label=FIELD_LABELS["project_manager_id"], value=i
                )
                for i in ids
            ],
            entities=[NodeRef("Enterprise", a), NodeRef("Enterprise", b), *people],
        )


def _fingerprints(ctx: CheckContext, bids: list[BidderIn]) -> None:
    for how in ("deemed", "advisory"):
        fields = [f for f, h in ctx.config.fingerprints.items() if h == how]
        found: dict[tuple[str, str], list[SharedValue]] = {}
        for name in fields:
            for pair, values in _pairs(bids, _fingerprint_values(name)).items():
                found.setdefault(pair, []).extend(
                    SharedValue(field=name, label=FIELD_LABELS[name], value=v) for v in values
                )
        for (a, b), shared in found.items():
            listed = "; ".join(f"{v.label} {v.value}" for v in shared)
            text = (
                f"the bid files of {ctx.bidder_name(a)} and {ctx.bidder_name(b)} carry "
                f"identical fingerprints: {listed}"
            )
            key = "|".join(f"{v.field}={v.value}" for v in shared)
            firms = [NodeRef("Enterprise", a), NodeRef("Enterprise", b)]
            if how == "deemed":
                ctx.add(
                    "same_fingerprint",
                    "article_40",
                    [a, b],
                    key,
                    title="投标文件特征码一致 / identical upload fingerprints",
                    text=text,
                    law=["art40_1", "e_bidding"],
                    shared=shared,
                    entities=firms,
                )
            else:
                ctx.add(
                    "advisory",
                    "advisory",
                    [a, b],
                    "fingerprint|" + key,
                    title="上传特征一致（提示）/ same upload traces (review point)",
                    text=text,
                    law=["e_bidding"],
                    grade="weak",
                    shared=shared,
                    entities=firms,
                )


def _contacts(ctx: CheckContext, bids: list[BidderIn]) -> None:
    links = ctx.investigation.links
    checks: list[tuple[str, Callable[[BidderIn], list[str]]]] = [
        ("phone", lambda x: [x.phone] if x.phone else []),
        ("email", lambda x: [x.email] if x.email else []),
        (
            "email_domain",
            lambda x: (
                [_domain(x.email)]
                if x.email and _domain(x.email) not in links.webmail_domains
                else []
            ),
        ),
    ]
    for field, values in checks:
        for (a, b), shared in _pairs(bids, values).items():
            if field == "email_domain" and _same_email(ctx, a, b):
                continue  # the same address says it already
            grade = (
                links.email_domain_grade
                if field == "email_domain"
                else links.channel_grades.get(field, "weak")
            )
            ctx.add(
                "advisory",
                "advisory",
                [a, b],
                f"{field}|{'|'.join(shared)}",
                title=f"投标文件联系方式相同（提示）/ same {field.replace('_', ' ')} in both bids",
                text=f"the bids of {ctx.bidder_name(a)} and {ctx.bidder_name(b)} give the same "
                f"{field.replace('_', ' ')} {', '.join(shared)}",
                law=["art40_1"],
                grade=grade,
                shared=[
                    SharedValue(field=field, label=FIELD_LABELS[field], value=v) for v in shared
                ],
                entities=[NodeRef("Enterprise", a), NodeRef("Enterprise", b)],
            )


def _fingerprint_values(name: str) -> Callable[[BidderIn], list[str]]:
    def values(bid: BidderIn) -> list[str]:
        return bid.fingerprints.values(name)

    return values


def _domain(email: str) -> str:
    return email.rsplit("@", 1)[1]


def _same_email(ctx: CheckContext, a: str, b: str) -> bool:
    first, second = ctx.bidder(a).email, ctx.bidder(b).email
    return first is not None and first == second
