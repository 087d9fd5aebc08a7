"""The network picture of a bidding check as inline SVG: printable, no script, no network.

Bidders sit on a circle, coloured by verdict; the entities the findings name (a shared
head of unit, a controlling shareholder, a phone number) sit between the bidders they tie,
or outside the circle next to the one bidder they concern.  Relationships of the evidence
are drawn as lines (red: 第34条 / 第40条, orange: eligibility and the tenderer, grey dashed:
review points); a finding without relationships (the same deposit account, the same
project manager in two bids) is a labelled line between the two bidders.

It works on the JSON form of a result (so the API can draw a masked one).

>>> doc = {"bidders": [{"uscc": "A", "name": "甲", "verdict": "ineligible"},
...                    {"uscc": "B", "name": "乙", "verdict": "eligible"}],
...        "findings": [{"rule": "same_deposit_account", "category": "article_40",
...                      "bidders": ["A", "B"], "steps": [], "chains": [], "entities": [],
...                      "title": "保证金从同一账户转出 / deposits from the same account"}]}
>>> svg = network_svg(doc)
>>> svg.startswith("<svg") and "保证金从同一账户转出" in svg and svg.count("<circle") == 2
True
"""

from __future__ import annotations

import html
import math
from typing import Any

__all__ = ["network_svg"]

WIDTH, HEIGHT = 960, 720
RADIUS = 250
VERDICT_COLOURS = {"ineligible": "#c62828", "needs_review": "#ef8f00", "eligible": "#2e7d32"}
LINE_COLOURS = {
    "article_34": "#c62828",
    "article_40": "#c62828",
    "eligibility": "#ef8f00",
    "credit_grade": "#ef8f00",
    "data": "#9e9e9e",
    "advisory": "#757575",
}
KIND_SHAPES = {"Person": "ellipse", "Contact": "rect", "Vehicle": "rect", "Enterprise": "circle"}


def _esc(text: Any) -> str:
    return html.escape(str(text), quote=True)


def _short(text: str, n: int = 14) -> str:
    return text if len(text) <= n else text[: n - 1] + "…"


def _layout(document: dict[str, Any]) -> tuple[dict[str, tuple[float, float]], dict[str, str]]:
    """Positions and labels by uid."""
    cx, cy = WIDTH / 2, HEIGHT / 2
    bidders = document["bidders"]
    pos: dict[str, tuple[float, float]] = {}
    labels: dict[str, str] = {}
    n = max(len(bidders), 1)
    bidder_uids = {f"Enterprise:{b['uscc']}" for b in bidders}
    for i, bid in enumerate(bidders):
        angle = -math.pi / 2 + 2 * math.pi * i / n
        uid = f"Enterprise:{bid['uscc']}"
        pos[uid] = (cx + RADIUS * math.cos(angle), cy + RADIUS * math.sin(angle))
        labels[uid] = bid["name"]
    for i, role in enumerate(("tenderer", "owner")):  # the tenderer in the middle
        party = (document.get("tender") or {}).get(role)
        if party and f"Enterprise:{party['uscc']}" not in pos:
            uid = f"Enterprise:{party['uscc']}"
            pos[uid] = (cx, cy + 70 * i)
            labels[uid] = party.get("name") or ("招标人" if role == "tenderer" else "建设单位")
    named = {e["uid"]: e["name"] for f in document["findings"] for e in f.get("entities", [])}
    labels |= {uid: named[uid] for uid in labels if uid in named and uid not in bidder_uids}
    placed: dict[tuple[str, ...], int] = {}
    for finding in document["findings"]:
        ends = [pos[f"Enterprise:{u}"] for u in finding["bidders"] if f"Enterprise:{u}" in pos]
        if not ends:
            continue
        uids = [e["uid"] for e in finding.get("entities", [])]
        uids += [s[k] for s in finding.get("steps", []) for k in ("src", "dst")]
        uids += [n["uid"] for c in finding.get("chains", []) for n in c.get("nodes", [])]
        names = {e["uid"]: e["name"] for e in finding.get("entities", [])}
        names |= {n["uid"]: n["name"] for c in finding.get("chains", []) for n in c["nodes"]}
        for uid in dict.fromkeys(uids):
            if uid in pos:
                continue
            group = tuple(sorted(finding["bidders"]))
            k = placed.get(group, 0)
            placed[group] = k + 1
            mx = sum(x for x, _ in ends) / len(ends)
            my = sum(y for _, y in ends) / len(ends)
            if len(ends) == 1:  # outside the circle, fanned out
                angle = math.atan2(my - cy, mx - cx) + (k - 0.5) * 0.45
                dist = RADIUS + 80 + 20 * (k // 2)
                pos[uid] = (cx + dist * math.cos(angle), cy + dist * math.sin(angle))
            else:  # between the bidders, pulled towards the centre
                pos[uid] = (mx + (cx - mx) * 0.25 + 26 * k, my + (cy - my) * 0.25 + 18 * k)
            labels[uid] = names.get(uid, uid.partition(":")[2])
    return pos, labels


def _line(a: tuple[float, float], b: tuple[float, float], colour: str, dashed: bool) -> str:
    dash = ' stroke-dasharray="6 4"' if dashed else ""
    return (
        f'<line x1="{a[0]:.1f}" y1="{a[1]:.1f}" x2="{b[0]:.1f}" y2="{b[1]:.1f}" '
        f'stroke="{colour}" stroke-width="{1.4 if dashed else 2.6}"{dash}/>'
    )


def _node(uid: str, at: tuple[float, float], label: str, fill: str) -> str:
    kind = uid.partition(":")[0]
    x, y = at
    shape = KIND_SHAPES.get(kind, "circle")
    if shape == "ellipse":
        mark = f'<ellipse cx="{x:.1f}" cy="{y:.1f}" rx="12" ry="9" fill="{fill}"/>'
    elif shape == "rect":
        mark = f'<rect x="{x - 9:.1f}" y="{y - 9:.1f}" width="18" height="18" fill="{fill}"/>'
    else:
        mark = f'<circle cx="{x:.1f}" cy="{y:.1f}" r="13" fill="{fill}"/>'
    return (
        f"<g><title>{_esc(label)} ({_esc(uid)})</title>{mark}"
        f'<text x="{x:.1f}" y="{y + 28:.1f}" text-anchor="middle">{_esc(_short(label))}</text></g>'
    )


def network_svg(document: dict[str, Any]) -> str:
    """The picture of a result document (``BidCheckResult.model_dump(mode="json")``)."""
    pos, labels = _layout(document)
    lines: list[str] = []
    drawn: set[tuple[str, str]] = set()
    labelled: dict[tuple[str, str], int] = {}
    for finding in document["findings"]:
        colour = LINE_COLOURS.get(finding["category"], "#757575")
        dashed = finding["category"] == "advisory"
        steps = list(finding.get("steps", []))
        steps += [s for c in finding.get("chains", []) for s in c.get("steps", [])]
        for step in steps:
            key = (step["src"], step["dst"])
            if key in drawn or step["src"] not in pos or step["dst"] not in pos:
                continue
            drawn.add(key)
            lines.append(_line(pos[step["src"]], pos[step["dst"]], colour, dashed))
        ends = [f"Enterprise:{u}" for u in finding["bidders"] if f"Enterprise:{u}" in pos]
        if steps:
            continue
        others = [e["uid"] for e in finding.get("entities", []) if e["uid"] not in ends]
        others = [u for u in others if u in pos]
        if others:  # e.g. the project manager both bids name: a line from each bidder
            for end in ends:
                for other in others:
                    lines.append(_line(pos[end], pos[other], colour, dashed))
        elif len(ends) == 2:  # e.g. one deposit account: a labelled line between the two
            a, b = pos[ends[0]], pos[ends[1]]
            pair = (ends[0], ends[1])
            k = labelled.get(pair, 0)
            labelled[pair] = k + 1
            lines.append(_line(a, b, colour, dashed))
            label = finding["title"].split(" / ")[0]
            mx, my = (a[0] + b[0]) / 2, (a[1] + b[1]) / 2
            lines.append(
                f'<text x="{mx:.1f}" y="{my - 6 + 14 * k:.1f}" text-anchor="middle" '
                f'class="edge-label">{_esc(_short(label, 12))}</text>'
            )
    verdicts = {f"Enterprise:{b['uscc']}": b["verdict"] for b in document["bidders"]}
    nodes = [
        _node(uid, at, labels.get(uid, uid), VERDICT_COLOURS.get(verdicts.get(uid, ""), "#90a4ae"))
        for uid, at in pos.items()
    ]
    return (
        f'<svg viewBox="0 0 {WIDTH} {HEIGHT}" '
        f'width="100%" role="img" aria-label="投标人关联图 / links between bidders" '
        'font-family="sans-serif" font-size="12">'
        "<style>.edge-label{font-size:11px;fill:#b71c1c}</style>"
        + "".join(lines)
        + "".join(nodes)
        + "</svg>"
    )
