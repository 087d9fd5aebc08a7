"""Pictures: a view drawn as one self-contained, offline HTML file.

:class:`Picture` takes a :class:`~viz.view.GraphView`, caps it, masks personal data for the
reader's clearance and draws it with vis-network.  The HTML carries everything inline —
the vis-network bundle shipped in ``viz/static/vendor`` (never a CDN), the style, the
script and the data — and a Content-Security-Policy that forbids the browser any request
at all, so a picture opens the same on a laptop without network.

``Picture.html()`` is the file, ``Picture.document`` the JSON the API serves to the
investigation page, ``Picture._repr_html_`` shows it inline in a notebook.

>>> from datetime import date
>>> from viz.view import GraphView, ViewEdge, ViewNode
>>> a = ViewNode(uid="Enterprise:A", kind="Enterprise", key="A", name="甲运输", state="listed",
...              focus=True)
>>> b = ViewNode(uid="Vehicle:吉A1|2", kind="Vehicle", key="吉A1|2", name="吉A1")
>>> view = GraphView(kind="related", title="关联方 · Related parties of 甲运输",
...     question="Who?", as_of=date(2026, 1, 1), credit_on=date(2026, 1, 1), nodes=[a, b],
...     edges=[ViewEdge(type="OPERATES", src="Enterprise:A", dst="Vehicle:吉A1|2")])
>>> picture = Picture(view)
>>> page = picture.html()
>>> page.startswith("<!DOCTYPE html>"), outside_references(page), len(picture.document.nodes)
(True, [], 2)
>>> picture.document.nodes[0].label
'甲运输\\n失信 listed'
"""

from __future__ import annotations

import html
import json
import re
from functools import cache
from html.parser import HTMLParser
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

from api.masking import Clearance
from graph.model import GraphModel, load_model
from viz.document import VIS_NETWORK_VERSION, LegendItem, PictureDocument, picture_document
from viz.ids import new_key
from viz.masking import mask_picture
from viz.view import DEFAULT_MAX_NODES, GraphView

__all__ = ["STATIC_DIR", "Picture", "outside_references", "static_file"]

PACKAGE_DIR = Path(__file__).resolve().parent
STATIC_DIR = PACKAGE_DIR / "static"
TEMPLATE = PACKAGE_DIR / "templates" / "picture.html"
VIS_JS = STATIC_DIR / "vendor" / "vis-network.min.js"
#: Height of a picture shown inline in a notebook.
NOTEBOOK_HEIGHT_PX = 760


#: Attributes through which a page makes the browser fetch something.
_FETCHING = frozenset({"src", "href", "xlink:href", "action", "formaction", "poster", "data"})
_OUTSIDE = re.compile(r"^\s*(?:[a-z][a-z0-9+.-]*:)?//", re.IGNORECASE)
_CSS_URL = re.compile(r"url\(\s*['\"]?\s*((?:[a-z][a-z0-9+.-]*:)?//[^)'\"]*)", re.IGNORECASE)


class _References(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            if value is None:
                continue
            if name in _FETCHING and _OUTSIDE.match(value):
                self.found.append(f"<{tag} {name}={value!r}>")
            elif name == "srcset" and "//" in value:
                self.found.append(f"<{tag} srcset={value!r}>")
            elif name == "style":
                self.found += _CSS_URL.findall(value)


def outside_references(page: str) -> list[str]:
    """Every reference in ``page`` (an attribute such as ``src``/``href``, or a CSS
    ``url()``) that would make a browser fetch from another host: none in a picture.

    >>> outside_references('<img src="https://cdn.example/x.png"><a href="#x">x</a>')
    ["<img src='https://cdn.example/x.png'>"]
    """
    parser = _References()
    parser.feed(page)
    parser.close()
    styles = re.findall(r"<style[^>]*>(.*?)</style>", page, re.DOTALL | re.IGNORECASE)
    return parser.found + [url for css in styles for url in _CSS_URL.findall(css)]


@cache
def static_file(name: str) -> str:
    """A text file shipped in ``viz/static`` (read once)."""
    return (STATIC_DIR / name).read_text(encoding="utf-8")


@cache
def _template() -> str:
    return TEMPLATE.read_text(encoding="utf-8")


def _version() -> str:
    try:
        return version("creditlink")
    except PackageNotFoundError:  # pragma: no cover - running from a bare checkout
        return "0.0.0"


def _script_json(document: PictureDocument) -> str:
    """JSON safe inside ``<script>``: no ``<``, ``>`` or ``&`` can close the element."""
    text = json.dumps(document.model_dump(mode="json", by_alias=True), ensure_ascii=False)
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def _inline_js(text: str) -> str:
    """A script body that cannot end its ``<script>`` element early."""
    return text.replace("</script", "<\\/script")


def _legend_html(items: list[LegendItem]) -> str:
    headings = {
        "kind": "形状 shape = kind",
        "state": "颜色 colour = credit state",
        "edge": "连线 lines",
        "mark": "标记 marks",
    }
    parts = []
    for group, heading in headings.items():
        rows = [i for i in items if i.group == group]
        if not rows:
            continue
        parts.append(f"<h2>{heading}</h2><ul>")
        parts += [
            f'<li data-legend="{group}:{html.escape(i.key)}">{i.svg}'
            f"<span>{html.escape(i.label)}</span></li>"
            for i in rows
        ]
        parts.append("</ul>")
    return "\n".join(parts)


class Picture:
    """A view, capped and masked, ready to be written as HTML (or PNG, see :mod:`viz.png`).

    ``clearance`` is the reader's (:data:`api.security.ROLE_CLEARANCE`); ``max_nodes`` the
    picture cap; ``key`` makes the node ids (:mod:`viz.ids`; random when not given).
    """

    def __init__(
        self,
        view: GraphView,
        *,
        clearance: Clearance = Clearance.FULL,
        max_nodes: int = DEFAULT_MAX_NODES,
        key: bytes | None = None,
        model: GraphModel | None = None,
    ) -> None:
        model = model or load_model()
        self.view = view.capped(max_nodes)
        self.clearance = clearance
        raw = picture_document(self.view, model, key or new_key(), clearance)
        document = mask_picture(
            raw.model_dump(mode="json", by_alias=True), self.view, clearance, model
        )
        self.document = PictureDocument.model_validate(document)

    @property
    def title(self) -> str:
        """The picture's title (masked)."""
        return self.document.title

    def _dates(self) -> str:
        doc = self.document
        when = f"relationships valid on {doc.as_of}" if doc.as_of else "relationships of any date"
        return f"截至 as of {doc.as_of or '—'} · {when}; credit state on {doc.credit_on}"

    def _counts(self) -> str:
        c = self.document.counts
        return (
            f"{c.drawn_nodes} entities and {c.drawn_edges} relationships drawn "
            f"(the answer has {c.answer_nodes} and {c.answer_edges})."
        )

    def html(self) -> str:
        """The self-contained HTML page (vis-network, style, script and data inline)."""
        doc = self.document
        left_out = "\n".join(f"<li>{html.escape(line)}</li>" for line in doc.left_out)
        values = {
            "@@GENERATOR@@": f"creditlink {_version()}; vis-network {VIS_NETWORK_VERSION}",
            "@@TITLE@@": html.escape(doc.title),
            "@@QUESTION@@": html.escape(doc.question),
            "@@DATES@@": html.escape(self._dates()),
            "@@CSS@@": static_file("picture.css"),
            "@@LEGEND@@": _legend_html(doc.legend),
            "@@COUNTS@@": html.escape(self._counts()),
            "@@LEFT_OUT@@": left_out,
            "@@CREDITS@@": html.escape(
                f"creditlink {_version()} · drawn with vis-network {VIS_NETWORK_VERSION} "
                "(Apache-2.0 OR MIT), inline: this file needs no network"
            ),
            "@@DATA@@": _script_json(doc),
            "@@VIS_JS@@": _inline_js(static_file("vendor/vis-network.min.js")),
            "@@PICTURE_JS@@": _inline_js(static_file("picture.js")),
        }
        page = _template()
        # One pass over the template: a marker inside a substituted value stays as it is.
        out, rest = [], page
        while "@@" in rest:
            head, _, tail = rest.partition("@@")
            marker, sep, after = tail.partition("@@")
            name = f"@@{marker}@@"
            if sep and name in values:
                out += [head, values[name]]
                rest = after
            else:
                out += [head, "@@"]
                rest = tail
        out.append(rest)
        return "".join(out)

    def save(self, path: Path) -> Path:
        """Write the HTML to ``path``."""
        path.write_text(self.html(), encoding="utf-8")
        return path

    def _repr_html_(self) -> str:
        """Inline display in Jupyter: the page in a sandboxed ``srcdoc`` iframe."""
        return (
            f'<iframe srcdoc="{html.escape(self.html(), quote=True)}" '
            f'style="width:100%;height:{NOTEBOOK_HEIGHT_PX}px;border:1px solid #e0e0e0" '
            f'sandbox="allow-scripts" title="{html.escape(self.title)}"></iframe>'
        )
