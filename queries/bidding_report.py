"""The printable report of a bidding check: one self-contained HTML page.

Chinese labels with English glosses; the tender, the date the check was made on and the
data version; the verdict per bidder, the network picture of the links found (inline SVG,
:mod:`queries.bidding_svg`), every finding with its legal basis and evidence, the shared
values that linked nobody (hubs, exclusions), what the check could not look at, and the
receipt id.  No script, no style sheet or font from elsewhere: it prints and opens offline.

Like the picture it works on the JSON form of a result, so the API renders what a reader
may see (masked for their clearance).

>>> from graph.example import load_story
>>> from graph.model import load_model
>>> from graph.stores.memory import MemoryStore
>>> from queries.bidding import TenderIn, check_bids
>>> store = MemoryStore(load_model())
>>> story = load_story(store)
>>> tender = TenderIn(project_code="JL-2024-001", bid_date="2024-05-28",
...                   bidders=[{"uscc": story.jia.key}, {"uscc": story.bing.key}])
>>> page = report_html(check_bids(store, tender, actor="doctest").model_dump(mode="json"))
>>> page.startswith("<!DOCTYPE html>"), "数据版本" in page, "://" in page, "<script" in page
(True, True, False, False)
"""

from __future__ import annotations

import html
from typing import Any

from queries.bidding_models import CATEGORY_LABELS, VERDICT_LABELS
from queries.bidding_svg import network_svg

__all__ = ["report_html"]

EFFECT_LABELS = {
    "ineligible": "无效/否决 ineligible",
    "needs_review": "需复核 needs review",
    "none": "提示 review point",
}
GRADE_LABELS = {"hard": "强 hard", "suspicious": "可疑 suspicious", "weak": "弱 weak"}
STATE_LABELS = {
    "listed": "失信 listed",
    "affected": "受限 affected",
    "red_list": "守信 red list",
    "clean": "无记录 clean",
}
CSS = """
body{font-family:"Noto Sans CJK SC","Microsoft YaHei","PingFang SC",sans-serif;margin:2em;
color:#212121;line-height:1.45;font-size:14px}
h1{font-size:22px;margin-bottom:.2em}h2{font-size:17px;border-bottom:2px solid #37474f;
margin-top:1.6em}h3{font-size:15px;margin:.8em 0 .3em}
table{border-collapse:collapse;width:100%;margin:.4em 0}th,td{border:1px solid #b0bec5;
padding:4px 6px;vertical-align:top;text-align:left}th{background:#eceff1}
.gloss{color:#607d8b;font-size:12px}.ineligible{color:#c62828;font-weight:bold}
.needs_review{color:#ef6c00;font-weight:bold}.eligible,.none{color:#2e7d32}
.finding{border:1px solid #cfd8dc;border-left:5px solid #90a4ae;padding:.4em .8em;
margin:.6em 0;page-break-inside:avoid}.finding.ineligible{border-left-color:#c62828}
.finding.needs_review{border-left-color:#ef6c00}.law{background:#fafafa;padding:.3em .6em;
margin:.3em 0}.unverified{color:#ad1457}.meta td:first-child{width:28%}
code{font-size:12px;word-break:break-all}figure{margin:0;page-break-inside:avoid}
@media print{body{margin:1cm}h2{page-break-after:avoid}}
"""


def _e(value: Any) -> str:
    return html.escape("" if value is None else str(value))


def _label(zh: str, en: str) -> str:
    return f'{_e(zh)} <span class="gloss">{_e(en)}</span>'


def _meta(doc: dict[str, Any]) -> str:
    tender = doc["tender"]
    version = doc["data_version"]
    party = tender.get("tenderer") or {}
    rows = [
        (("项目编号", "project"), f"{tender['project_code']} {tender.get('project_name') or ''}"),
        (("标段", "lot"), tender.get("lot") or "—"),
        (("投标截止/开标日期", "bid date"), tender["bid_date"]),
        (("评价日期", "as of (measures and relationships evaluated on)"), doc["as_of"]),
        (("招标人", "tenderer"), f"{party.get('name') or ''} {party.get('uscc') or '—'}"),
        (("审查编号", "check id (receipt)"), doc["check_id"]),
        (("审查时间 / 审查人", "checked at / by"), f"{doc['checked_at']} · {doc['checked_by']}"),
        (
            ("数据版本", "data version"),
            f"{version['digest']} (catalog {version['catalog_version']}, "
            f"{version['nodes_read']} nodes, {version['edges_read']} relationships, "
            f"{version['records_read']} credit records read)",
        ),
        (("结果哈希", "result hash (SHA-256)"), doc.get("result_hash") or "—"),
    ]
    cells = "".join(f"<tr><td>{_label(*k)}</td><td><code>{_e(v)}</code></td></tr>" for k, v in rows)
    return f'<table class="meta">{cells}</table>'


def _bidders(doc: dict[str, Any]) -> str:
    head = (
        "<tr><th>#</th><th>"
        + _label("投标人", "bidder")
        + "</th><th>"
        + _label("结论", "verdict")
        + "</th><th>"
        + _label("信用状态", "credit state")
        + "</th><th>"
        + _label("信用等级", "grade")
        + "</th><th>"
        + _label("依据", "findings")
        + "</th></tr>"
    )
    rows = []
    for i, bid in enumerate(doc["bidders"], start=1):
        zh, en = VERDICT_LABELS[bid["verdict"]]
        state = (bid.get("credit") or {}).get("state")
        heads = "、".join(h["name"] for h in bid.get("heads", []))
        reasons = ", ".join(f'<a href="#{_e(r)}">{_e(r)}</a>' for r in bid["reasons"])
        points = ", ".join(f'<a href="#{_e(r)}">{_e(r)}</a>' for r in bid["review_points"])
        suspended = "".join(f"<br><small>{_e(s)}</small>" for s in bid.get("suspended", []))
        rows.append(
            f"<tr><td>{i}</td><td>{_e(bid['name'])}<br><code>{_e(bid['uscc'])}</code>"
            + (f"<br><small>法定代表人/负责人 {_e(heads)}</small>" if heads else "")
            + f'</td><td class="{_e(bid["verdict"])}">{_label(zh, en)}</td>'
            f"<td>{_e(STATE_LABELS.get(state or '', '库中无记录 not in store'))}{suspended}</td>"
            + (
                f"<td>{_e(bid['credit_grade'])}<br><small>{_e(bid.get('grade_meaning') or '')}"
                "</small></td>"
                if bid.get("credit_grade")
                else '<td>— <span class="gloss">无等级 no grade ¹</span></td>'
            )
            + f"<td>{reasons or '—'}"
            + (f'<br><span class="gloss">提示 review: {points}</span>' if points else "")
            + "</td></tr>"
        )
    missing = next(
        (b.get("grade_meaning") for b in doc["bidders"] if not b.get("credit_grade")), None
    )
    note = f'<p class="gloss">¹ {_e(missing)}</p>' if missing else ""
    return f"<table>{head}{''.join(rows)}</table>{note}"


def _law(law: dict[str, Any]) -> str:
    mark = "" if law["verified"] else ' <span class="unverified">（未核实 unverified）</span>'
    return (
        f'<div class="law"><b>{_e(law["citation"])}</b>{mark}<br>{_e(law["text"])}<br>'
        f'<span class="gloss">{_e(law["gloss"])}</span></div>'
    )


def _evidence(f: dict[str, Any]) -> str:
    parts = []
    if f.get("shared"):
        items = "".join(
            f"<li>{_e(v['label'])}: <code>{_e(v['value'])}</code></li>" for v in f["shared"]
        )
        parts.append(f"<h3>{_label('相同的值', 'shared values')}</h3><ul>{items}</ul>")
    if f.get("steps"):
        items = "".join(
            f"<li>{_e(s['text'])}"
            + (f' <span class="gloss">[{_e(s["source"])}]</span>' if s.get("source") else "")
            + "</li>"
            for s in f["steps"]
        )
        parts.append(f"<h3>{_label('关系证据', 'relationships')}</h3><ol>{items}</ol>")
    if f.get("chains"):
        items = "".join(f"<li>{c['share'] * 100:.2f}% — {_e(c['text'])}</li>" for c in f["chains"])
        parts.append(f"<h3>{_label('股权链', 'ownership chains')}</h3><ul>{items}</ul>")
    if f.get("measures"):
        rows = "".join(
            f"<tr><td>{_e(m['subject']['name'])}（{_e(m['role'])}）</td><td>{_e(m['measure_name'])}"
            f"<br><code>{_e(m['measure'])}</code></td><td>{_e(m['authority'])} "
            f"{_e(m['decision_no'])}<br>{_e(m['behaviour'])}</td><td>{_e(m['start'])} – "
            f"{_e(m['end'] or '解除前 until lifted')}</td>"
            f"<td>{_e('；'.join(m['legal_basis']))}</td></tr>"
            for m in f["measures"]
        )
        head = "".join(
            f"<th>{_label(zh, en)}</th>"
            for zh, en in (
                ("对象", "subject"),
                ("措施", "measure"),
                ("决定", "decision"),
                ("期限", "term"),
                ("法律依据", "legal basis"),
            )
        )
        parts.append(f"<table><tr>{head}</tr>{rows}</table>")
    return "".join(parts)


def _findings(doc: dict[str, Any]) -> str:
    names = {b["uscc"]: b["name"] for b in doc["bidders"]}
    out = []
    for category, (zh, en) in CATEGORY_LABELS.items():
        items = [f for f in doc["findings"] if f["category"] == category]
        if not items:
            continue
        out.append(f"<h2>{_label(zh, en)}</h2>")
        for f in items:
            who = " / ".join(_e(names.get(u, u)) for u in f["bidders"])
            grade = f" · {_e(GRADE_LABELS[f['grade']])}" if f.get("grade") else ""
            former = "" if f.get("current", True) else " · 已终止的关系 former tie"
            out.append(
                f'<div class="finding {_e(f["effect"])}" id="{_e(f["id"])}">'
                f"<b>{_e(f['id'])} · {_e(f['title'])}</b><br>{who} · "
                f'<span class="{_e(f["effect"])}">{_e(EFFECT_LABELS[f["effect"]])}</span>'
                f"{grade}{former}<p>{_e(f['text'])}</p>"
                + "".join(_law(law) for law in f["legal_basis"])
                + _evidence(f)
                + "</div>"
            )
    return "".join(out) or f"<p>{_label('未发现问题', 'no findings')}</p>"


def _hubs(doc: dict[str, Any]) -> str:
    if not doc["hubs"]:
        return ""
    names = {b["uscc"]: b["name"] for b in doc["bidders"]}
    rows = "".join(
        f"<tr><td>{_e(h['shared']['name'])}</td><td>"
        + ("排除 excluded" if h["reason"] == "excluded" else f"公共节点 hub ({h['attached']})")
        + f"</td><td>{_e('、'.join(names.get(u, u) for u in h['bidders']))}</td></tr>"
        for h in doc["hubs"]
    )
    head = "".join(
        f"<th>{_label(zh, en)}</th>"
        for zh, en in (
            ("共同值", "shared value"),
            ("原因", "why not linked"),
            ("投标人", "bidders"),
        )
    )
    title = _label("未作为关联的公共节点", "public hubs, not links")
    return f"<h2>{title}</h2><table><tr>{head}</tr>{rows}</table>"


def report_html(document: dict[str, Any]) -> str:
    """The report page of a result document (``BidCheckResult.model_dump(mode="json")``)."""
    counts = document["verdicts"]
    summary = "；".join(
        f"{VERDICT_LABELS[v][0]} {VERDICT_LABELS[v][1]}: {counts.get(v, 0)}"
        for v in ("ineligible", "needs_review", "eligible")
    )
    notes = "".join(f"<li>{_e(n)}</li>" for n in document["notes"])
    tender = document["tender"]
    title = f"投标人信用及关联审查报告 · {tender['project_code']}" + (
        f" 第{tender['lot']}标段" if tender.get("lot") else ""
    )
    return (
        '<!DOCTYPE html>\n<html lang="zh-CN"><head><meta charset="utf-8">'
        '<meta http-equiv="Content-Security-Policy" content="default-src \'none\'; '
        "style-src 'unsafe-inline'; img-src data:\">"
        f"<title>{_e(title)}</title><style>{CSS}</style></head><body>"
        f'<h1>{_e(title)}</h1><p class="gloss">Bidding review: credit records and links '
        "between the bidders (招标投标法实施条例 第34条、第40条; 财库〔2016〕125号)</p>"
        + _meta(document)
        + f"<h2>{_label('审查结论', 'verdicts')}</h2><p>{_e(summary)}</p>"
        + _bidders(document)
        + f"<h2>{_label('关联关系图', 'network of the links found')}</h2><figure>"
        + network_svg(document)
        + '<figcaption class="gloss">红 red: 无效/否决 · 橙 orange: 需复核 · 绿 green: 可以投标; '
        "实线 solid: 第34条/第40条 · 虚线 dashed: 提示 review point</figcaption></figure>"
        + _findings(document)
        + _hubs(document)
        + f"<h2>{_label('审查范围说明', 'what was not checked')}</h2><ul>{notes}</ul>"
        + f"<h2>{_label('信用查询依据', 'basis of the credit query')}</h2>"
        + _law(document["credit_query_basis"])
        + f'<p class="gloss">回执 receipt {_e(document["check_id"])}: GET /v1/bidding/checks/'
        f"{_e(document['check_id'])} · creditlink bid-receipt {_e(document['check_id'])}</p>"
        + "</body></html>"
    )
