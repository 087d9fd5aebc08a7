"""How a picture looks: shape by kind, colour by credit state, size by degree, labels in
Chinese with English glosses, a legend, and layout settings that stay legible at 500 nodes.

Colours follow the credit state (:mod:`queries.credit_state`): listed red, affected
orange, red list green, clean grey.  Because red and green are hard to tell apart for
many readers (and in black-and-white print), a coloured node also says its state in its
label ("失信 listed").  Relationship labels come from the vocabulary's ``gloss``
(``graph/vocabulary.yaml``), e.g. ``法定代表人 legal representative``.

>>> from graph.model import load_model
>>> edge_label(load_model(), "LEGAL_REP_OF", {}, date(2019, 3, 1), date(2021, 6, 1))
'法定代表人 legal representative\\n2019-03-01 – 2021-06-01'
>>> edge_label(load_model(), "SHAREHOLDER_OF", {"ratio": 0.6}, date(2018, 1, 1), None)
'股东 shareholder 60%\\nsince 2018-01-01'
>>> STATE_STYLE["listed"].color
'#d32f2f'
"""

from __future__ import annotations

import re
from datetime import date
from typing import Any, NamedTuple

from graph.model import GraphModel

__all__ = [
    "EDGE_COLOR",
    "FOCUS_BORDER",
    "FONT_FACE",
    "KIND_STYLE",
    "STATE_STYLE",
    "KindStyle",
    "StateStyle",
    "edge_gloss",
    "edge_label",
    "kind_style",
    "legend_svg",
    "vis_options",
]


class KindStyle(NamedTuple):
    """The shape of a node kind and its names."""

    shape: str
    zh: str
    en: str


class StateStyle(NamedTuple):
    """The colours of a credit state and its names."""

    color: str
    border: str
    zh: str
    en: str


#: Shapes are vis-network shapes whose label sits below the shape, so every kind reads alike.
KIND_STYLE: dict[str, KindStyle] = {
    "Enterprise": KindStyle("square", "企业", "enterprise"),
    "Person": KindStyle("dot", "自然人", "person"),
    "Vehicle": KindStyle("triangle", "车辆", "vehicle"),
    "Project": KindStyle("diamond", "工程项目", "project"),
    "Contact": KindStyle("hexagon", "联系方式", "contact"),
}
_OTHER_KIND = KindStyle("ellipse", "其他", "other")

STATE_STYLE: dict[str, StateStyle] = {
    "listed": StateStyle("#d32f2f", "#8e0000", "失信", "listed"),
    "affected": StateStyle("#f57c00", "#a84300", "受惩戒", "affected"),
    "red_list": StateStyle("#2e7d32", "#005005", "红名单", "red list"),
    "clean": StateStyle("#b0bec5", "#607d8b", "无记录", "clean"),
}
#: Border of the entities the question is about (the seed, both ends of a path …).
FOCUS_BORDER = "#1a237e"
EDGE_COLOR = "#78909c"
EMPHASIS_COLOR = "#b71c1c"
#: CJK-capable faces first: Noto/WenQuanYi on Linux, YaHei on Windows, PingFang on macOS.
FONT_FACE = (
    "'Noto Sans CJK SC', 'WenQuanYi Micro Hei', 'Microsoft YaHei', 'PingFang SC', "
    "'Hiragino Sans GB', sans-serif"
)

_PAREN = re.compile(r"\s*\([^)]*\)")
_SVG_SHAPES = {
    "square": '<rect x="3" y="3" width="14" height="14"/>',
    "dot": '<circle cx="10" cy="10" r="7"/>',
    "triangle": '<polygon points="10,2 18,17 2,17"/>',
    "diamond": '<polygon points="10,1 19,10 10,19 1,10"/>',
    "hexagon": '<polygon points="5,2 15,2 19,10 15,18 5,18 1,10"/>',
    "ellipse": '<ellipse cx="10" cy="10" rx="9" ry="6"/>',
}


def kind_style(kind: str) -> KindStyle:
    """The style of a node kind (an ellipse for kinds this module does not know).

    >>> kind_style("Vehicle").shape, kind_style("Ship").shape
    ('triangle', 'ellipse')
    """
    return KIND_STYLE.get(kind, _OTHER_KIND._replace(en=kind))


def legend_svg(shape: str, fill: str = "#cfd8dc", stroke: str = "#455a64") -> str:
    """A 20x20 inline SVG of a shape, for the legend (no file, no request).

    >>> legend_svg("dot").endswith('<circle cx="10" cy="10" r="7"/></svg>')
    True
    """
    body = _SVG_SHAPES.get(shape, _SVG_SHAPES["ellipse"])
    return (
        '<svg width="20" height="20" viewBox="0 0 20 20" '
        f'fill="{fill}" stroke="{stroke}" stroke-width="1.5" aria-hidden="true">{body}</svg>'
    )


def edge_gloss(model: GraphModel, edge_type: str) -> tuple[str, str]:
    """The Chinese name and the short English gloss of a relationship type.

    >>> from graph.model import load_model
    >>> edge_gloss(load_model(), "OPERATES")
    ('经营单位', 'operating company')
    """
    kind = model.get_edge_kind(edge_type)
    if kind is None or " / " not in kind.gloss:
        return edge_type, edge_type.lower().replace("_", " ")
    zh, en = kind.gloss.split(" / ", 1)
    return zh.strip(), _PAREN.sub("", en).strip()


def _percent(value: Any) -> str:
    pct = float(value) * 100
    return f"{pct:.0f}%" if abs(pct - round(pct)) < 1e-9 else f"{pct:.2f}%"


def edge_detail(props: dict[str, Any]) -> str:
    """The property that qualifies a relationship (share, role, position, lot, date).

    >>> edge_detail({"role": "监事"}), edge_detail({"date": "2024-05-28", "lot": "2"})
    ('监事', '2024-05-28 lot 2')
    """
    parts = []
    if props.get("ratio") is not None:
        parts.append(_percent(props["ratio"]))
    for name in ("role", "position", "relation", "date"):
        if props.get(name):
            parts.append(str(props[name]))
    if props.get("lot"):
        parts.append(f"lot {props['lot']}")
    return " ".join(parts)


def dates_text(valid_from: date | None, valid_to: date | None) -> str:
    """A relationship's validity in words: ``from – to``, ``since``, ``until`` or empty."""
    if valid_from and valid_to:
        return f"{valid_from} – {valid_to}"
    if valid_from:
        return f"since {valid_from}"
    if valid_to:
        return f"until {valid_to}"
    return ""


def edge_label(
    model: GraphModel,
    edge_type: str,
    props: dict[str, Any],
    valid_from: date | None,
    valid_to: date | None,
) -> str:
    """The label drawn on a relationship: Chinese, English gloss, detail, then dates."""
    zh, en = edge_gloss(model, edge_type)
    first = " ".join(p for p in (zh, en, edge_detail(props)) if p)
    when = dates_text(valid_from, valid_to)
    return f"{first}\n{when}" if when else first


def vis_options(n_nodes: int) -> dict[str, Any]:
    """vis-network options for a picture of ``n_nodes`` nodes.

    A force-directed layout (ForceAtlas2), started from rings around the focus
    (:mod:`viz.layout`), that stabilises in a bounded number of iterations, after which
    the picture turns physics off (``viz/static/picture.js``), so nothing moves while one
    reads.  Above 150 nodes vis-network's slow initial layout is skipped, edges are
    straight, and edges are hidden while dragging or zooming.  Labels are drawn
    only when they would be legible at the current zoom (``drawThreshold``).

    >>> vis_options(40)["physics"]["stabilization"]["iterations"]
    500
    >>> vis_options(480)["edges"]["smooth"]
    False
    """
    big = n_nodes > 150
    iterations = 500 if n_nodes <= 100 else 300 if n_nodes <= 300 else 200
    return {
        "autoResize": True,
        "layout": {"randomSeed": 7, "improvedLayout": not big},
        "physics": {
            "enabled": True,
            "solver": "forceAtlas2Based",
            "forceAtlas2Based": {
                "gravitationalConstant": -90,
                "centralGravity": 0.012,
                "springLength": 130,
                "springConstant": 0.06,
                "damping": 0.55,
                "avoidOverlap": 0.5,
            },
            "maxVelocity": 60,
            "minVelocity": 1.0,
            "timestep": 0.4,
            "stabilization": {
                "enabled": True,
                "iterations": iterations,
                "updateInterval": 50,
                "fit": True,
            },
        },
        "interaction": {
            "hover": True,
            "tooltipDelay": 120,
            "hideEdgesOnDrag": big,
            "hideEdgesOnZoom": big,
            "multiselect": True,
            "keyboard": {"enabled": True, "bindToWindow": False},
        },
        "nodes": {
            "font": {
                "size": 14,
                "face": FONT_FACE,
                "color": "#212121",
                "strokeWidth": 3,
                "strokeColor": "#ffffff",
                "multi": False,
            },
            "scaling": {
                "min": 12,
                "max": 34,
                "label": {"enabled": True, "min": 12, "max": 18, "drawThreshold": 6},
            },
            "borderWidth": 1.5,
        },
        "edges": {
            "arrows": {"to": {"enabled": True, "scaleFactor": 0.5}},
            "color": {"color": EDGE_COLOR, "highlight": "#263238", "hover": "#37474f"},
            "font": {
                "size": 10,
                "face": FONT_FACE,
                "color": "#37474f",
                "align": "horizontal",
                "strokeWidth": 3,
                "strokeColor": "#ffffff",
            },
            "scaling": {"label": {"enabled": True, "drawThreshold": 7}},
            "smooth": False if big else {"enabled": True, "type": "dynamic"},
            "width": 1.2,
            "selectionWidth": 2,
        },
    }
