"""Pictures of credit networks: self-contained, offline HTML (vis-network inline).

A picture is a view of a query answer (:mod:`viz.views`) or of any subgraph with a state
per node and notes per edge (:func:`viz.view.findings_view`), drawn by
:class:`viz.render.Picture` — HTML that needs no network, a JSON document for the
investigation page, inline display in a notebook — and exported to PNG by headless
Chromium (:mod:`viz.png`).  See ``docs/pictures.md``.
"""

from viz.render import Picture
from viz.view import EdgeNote, GraphView, NodeStatus, ViewEdge, ViewNode, Why, findings_view
from viz.views import affected_view, cluster_view, paths_view, related_view

__all__ = [
    "EdgeNote",
    "GraphView",
    "NodeStatus",
    "Picture",
    "ViewEdge",
    "ViewNode",
    "Why",
    "affected_view",
    "cluster_view",
    "findings_view",
    "paths_view",
    "related_view",
]
