"""The picture as data: what the browser draws (:class:`PictureDocument`).

:func:`picture_document` turns a :class:`~viz.view.GraphView` into vis-network nodes and
edges — shape, colour, size, label, tooltip — plus the legend, the counts and what was
left out.  The self-contained HTML embeds this document; the API returns it as JSON
(``format=json``) to the investigation page, which draws it with the same script.

Ids are opaque (:mod:`viz.ids`); the ``uid``/``kind``/``key``/``name`` of each node stay
beside them so that :mod:`viz.masking` (and the API's masking middleware) can mask them.
"""

from __future__ import annotations

from collections import Counter
from datetime import date
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from api.masking import Clearance, policy_for
from graph.model import GraphModel
from viz.ids import token
from viz.layout import radial_positions
from viz.style import (
    EDGE_COLOR,
    EMPHASIS_COLOR,
    FOCUS_BORDER,
    KIND_STYLE,
    STATE_STYLE,
    dates_text,
    edge_detail,
    edge_gloss,
    edge_label,
    kind_style,
    legend_svg,
    vis_options,
)
from viz.view import GraphView, ViewEdge, ViewKind, ViewNode, Why

__all__ = [
    "Counts",
    "LegendItem",
    "PictureDocument",
    "VisEdge",
    "VisNode",
    "picture_document",
]

VIS_NETWORK_VERSION = "10.1.5"


class VisNode(BaseModel):
    """A node as vis-network draws it, with the facts the page shows on click."""

    model_config = ConfigDict(extra="forbid")

    id: str = Field(description="opaque id, stable for one server (letters only)")
    uid: str = Field(description="kind and key (masked for roles without clearance)")
    kind: str
    key: str
    name: str
    expandable: bool = Field(description="the page may ask for this node's neighbours")
    label: str
    title: str = Field(description="tooltip text")
    shape: str
    color: dict[str, Any]
    value: float = Field(description="size: degree in the picture, more for the focus")
    x: float = Field(description="start position (viz/layout.py); the physics moves it")
    y: float
    borderWidth: float  # noqa: N815 - vis-network's option name
    shapeProperties: dict[str, Any]  # noqa: N815
    scaling: dict[str, Any] = Field(description="label scaling: larger for focus and colour")
    state: Literal["listed", "affected", "red_list", "clean"]
    suspended: bool
    focus: bool
    more: int = Field(description="neighbours the answer left out (a hub)")
    why: list[Why]


class VisEdge(BaseModel):
    """A relationship as vis-network draws it."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    id: str
    from_: str = Field(alias="from")
    to: str
    type: str = Field(description="relationship type (the page filters on it)")
    label: str
    title: str
    dashes: bool = Field(description="dashed: the relationship had ended by the date")
    width: float
    color: dict[str, Any]
    valid_from: date | None = None
    valid_to: date | None = None
    emphasis: bool = False


class LegendItem(BaseModel):
    """One line of the legend."""

    model_config = ConfigDict(extra="forbid")

    group: Literal["kind", "state", "edge", "mark"]
    key: str
    label: str
    svg: str = Field(description="a 20x20 inline SVG symbol")


class Counts(BaseModel):
    """How much of the answer the picture draws."""

    model_config = ConfigDict(extra="forbid")

    answer_nodes: int
    answer_edges: int
    drawn_nodes: int
    drawn_edges: int


_EXAMPLE: dict[str, Any] = {
    "kind": "related",
    "title": "关联方 · Related parties of 甲运输有限公司",
    "question": "Who is within 1 hop(s) of 甲运输有限公司, and in which credit state?",
    "as_of": "2022-01-01",
    "credit_on": "2022-01-01",
    "clearance": "full",
    "nodes": [],
    "edges": [],
    "left_out": [],
    "counts": {"answer_nodes": 0, "answer_edges": 0, "drawn_nodes": 0, "drawn_edges": 0},
    "legend": [],
    "options": {},
    "vis_network": VIS_NETWORK_VERSION,
}


class PictureDocument(BaseModel):
    """Everything a browser needs to draw one picture."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [_EXAMPLE]})

    kind: ViewKind
    title: str
    question: str
    as_of: date | None = Field(description="relationships evaluated on this date (None: any)")
    credit_on: date = Field(description="credit states evaluated on this date")
    clearance: str = Field(description="personal data shown: full, names or none")
    nodes: list[VisNode]
    edges: list[VisEdge]
    left_out: list[str] = Field(description="what the answer or the picture left out, and why")
    counts: Counts
    legend: list[LegendItem]
    options: dict[str, Any] = Field(description="vis-network options")
    vis_network: str = Field(description="version of the vis-network build that draws it")


#: Labels of the focus and of coloured nodes are larger and drawn down to 3 px when the
#: picture is zoomed out; the others from 6 px (vis-network's ``drawThreshold``).
_LOUD_LABEL: dict[str, Any] = {"label": {"enabled": True, "min": 16, "max": 24, "drawThreshold": 3}}
_QUIET_LABEL: dict[str, Any] = {
    "label": {"enabled": True, "min": 12, "max": 16, "drawThreshold": 6}
}


def _boost(node: ViewNode) -> int:
    """Size beyond the degree: the focus most, then coloured nodes."""
    return 6 if node.focus else 3 if node.state != "clean" or node.suspended else 1


def _state_line(node: ViewNode) -> str:
    style = STATE_STYLE[node.state]
    mark = f"{style.zh} {style.en}" if node.state != "clean" else ""
    if node.suspended:
        mark = f"{mark} · 异议中 suspended".strip(" ·")
    return mark


def _node_label(node: ViewNode) -> str:
    lines = [node.name]
    if state := _state_line(node):
        lines.append(state)
    if node.tag:
        lines.append(node.tag)
    if node.more:
        lines.append(f"+{node.more} more not shown")
    return "\n".join(lines)


def _why_lines(why: Why) -> list[str]:
    head = f"• {why.title}" + (f" [{why.measure}]" if why.measure else "") + f" — {why.status}"
    lines = [head]
    decided = ", ".join(p for p in (why.decision_no, why.authority) if p)
    if decided:
        lines.append(f"  decision {decided}")
    if why.behaviour:
        lines.append(f"  behaviour: {why.behaviour}")
    if why.role:
        lines.append(f"  role: {why.role}")
    if why.legal_basis:
        lines.append("  legal basis: " + "; ".join(why.legal_basis))
    if why.start or why.end:
        end = str(why.end) if why.end else "until lifted"
        lines.append(f"  term: {why.start} → {end}" + (f" ({why.term})" if why.term else ""))
    if why.path:
        lines.append("  path:")
        lines.extend(f"    {step}" for step in why.path)
    return lines


def _node_title(node: ViewNode, credit_on: date) -> str:
    style = kind_style(node.kind)
    state = STATE_STYLE[node.state]
    lines = [
        node.name,
        f"{style.zh} {style.en} · {node.key}",
        f"信用状态 credit state on {credit_on}: {state.zh} {state.en}",
    ]
    if node.suspended:
        lines.append("a measure is suspended while an objection is reviewed (异议)")
    if node.more:
        lines.append(f"hub: {node.more} more neighbours are not in the answer")
    lines.extend(node.facts)
    if node.why:
        lines.append("why (依据):")
        for why in node.why:
            lines.extend(_why_lines(why))
    return "\n".join(lines)


def _edge_title(edge: ViewEdge, model: GraphModel, names: dict[str, str]) -> str:
    zh, en = edge_gloss(model, edge.type)
    lines = [
        f"{zh} / {en} ({edge.type})",
        f"{names.get(edge.src, edge.src)} → {names.get(edge.dst, edge.dst)}",
    ]
    if detail := edge_detail(edge.props):
        lines.append(detail)
    lines.append(dates_text(edge.valid_from, edge.valid_to) or "no dates given")
    if edge.source:
        lines.append(f"source: {edge.source}")
    lines.extend(edge.notes)
    return "\n".join(lines)


def _ended(edge: ViewEdge, on: date) -> bool:
    return edge.valid_to is not None and edge.valid_to <= on


def _legend(nodes: list[ViewNode], edges: list[ViewEdge], on: date) -> list[LegendItem]:
    items = [
        LegendItem(group="kind", key=kind, label=f"{s.zh} {s.en}", svg=legend_svg(s.shape))
        for kind, s in KIND_STYLE.items()
    ]
    items += [
        LegendItem(
            group="state",
            key=state,
            label=f"{s.zh} {s.en}",
            svg=legend_svg("dot", s.color, s.border),
        )
        for state, s in STATE_STYLE.items()
    ]
    line = '<svg width="20" height="20" aria-hidden="true">'
    items.append(
        LegendItem(
            group="edge",
            key="holds",
            label="关系 relationship (arrow: from → to)",
            svg=f'{line}<line x1="1" y1="10" x2="19" y2="10" stroke="{EDGE_COLOR}" '
            'stroke-width="2"/></svg>',
        )
    )
    items.append(
        LegendItem(
            group="edge",
            key="ended",
            label=f"已终止 ended before {on}",
            svg=f'{line}<line x1="1" y1="10" x2="19" y2="10" stroke="{EDGE_COLOR}" '
            'stroke-width="2" stroke-dasharray="4 3"/></svg>',
        )
    )
    if any(e.emphasis for e in edges):
        items.append(
            LegendItem(
                group="edge",
                key="finding",
                label="发现 finding",
                svg=f'{line}<line x1="1" y1="10" x2="19" y2="10" stroke="{EMPHASIS_COLOR}" '
                'stroke-width="4"/></svg>',
            )
        )
    items.append(
        LegendItem(
            group="mark",
            key="focus",
            label="提问对象 subject of the question",
            svg=legend_svg("dot", "#ffffff", FOCUS_BORDER).replace(
                'stroke-width="1.5"', 'stroke-width="3.5"'
            ),
        )
    )
    if any(n.suspended for n in nodes):
        items.append(
            LegendItem(
                group="mark",
                key="suspended",
                label="异议中 suspended (dashed border)",
                svg=legend_svg("dot", "#ffffff", "#455a64").replace(
                    "/>", ' stroke-dasharray="3 2"/>'
                ),
            )
        )
    return items


def picture_document(
    view: GraphView, model: GraphModel, key: bytes, clearance: Clearance = Clearance.FULL
) -> PictureDocument:
    """The vis-network document of ``view`` for a reader with ``clearance`` (not yet
    masked: see :mod:`viz.masking`); ``key`` makes the ids (:func:`viz.ids.token`)."""
    degree: Counter[str] = Counter()
    for edge in view.edges:
        degree[edge.src] += 1
        degree[edge.dst] += 1
    policy = policy_for(model)
    ids = {n.uid: token(key, n.uid) for n in view.nodes}
    start = radial_positions(
        [n.uid for n in view.nodes],
        [(e.src, e.dst) for e in view.edges],
        [n.uid for n in view.nodes if n.focus],
    )
    names = {n.uid: n.name for n in view.nodes}
    nodes = []
    for node in view.nodes:
        state = STATE_STYLE[node.state]
        border = FOCUS_BORDER if node.focus else state.border
        nodes.append(
            VisNode(
                id=ids[node.uid],
                uid=node.uid,
                kind=node.kind,
                key=node.key,
                name=node.name,
                expandable=clearance is Clearance.FULL or not policy.personal_key(node.kind),
                label=_node_label(node),
                title=_node_title(node, view.credit_on),
                shape=kind_style(node.kind).shape,
                color={
                    "background": state.color,
                    "border": border,
                    "highlight": {"background": state.color, "border": "#000000"},
                    "hover": {"background": state.color, "border": "#000000"},
                },
                value=float(degree[node.uid] + _boost(node)),
                x=start[node.uid][0],
                y=start[node.uid][1],
                scaling=_LOUD_LABEL if node.focus or node.state != "clean" else _QUIET_LABEL,
                borderWidth=4.0 if node.focus else 1.5,
                shapeProperties={"borderDashes": [5, 4] if node.suspended else False},
                state=node.state,
                suspended=node.suspended,
                focus=node.focus,
                more=node.more,
                why=node.why,
            )
        )
    edges = [
        VisEdge(
            id=token(key, edge.eid, prefix="e"),
            from_=ids[edge.src],
            to=ids[edge.dst],
            type=edge.type,
            label=edge_label(model, edge.type, edge.props, edge.valid_from, edge.valid_to),
            title=_edge_title(edge, model, names),
            dashes=_ended(edge, view.as_of or view.credit_on),
            width=3.5 if edge.emphasis else 1.2,
            color={"color": EMPHASIS_COLOR} if edge.emphasis else {"color": EDGE_COLOR},
            valid_from=edge.valid_from,
            valid_to=edge.valid_to,
            emphasis=edge.emphasis,
        )
        for edge in view.edges
    ]
    return PictureDocument(
        kind=view.kind,
        title=view.title,
        question=view.question,
        as_of=view.as_of,
        credit_on=view.credit_on,
        clearance=clearance.value,
        nodes=nodes,
        edges=edges,
        left_out=view.left_out,
        counts=Counts(
            answer_nodes=view.answer_nodes,
            answer_edges=view.answer_edges,
            drawn_nodes=len(nodes),
            drawn_edges=len(edges),
        ),
        legend=_legend(view.nodes, view.edges, view.as_of or view.credit_on),
        options=vis_options(len(nodes)),
        vis_network=VIS_NETWORK_VERSION,
    )
