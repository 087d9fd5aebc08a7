"""Personal data in pictures, masked per role exactly as the API masks JSON.

:func:`mask_picture` reuses :mod:`api.masking`: a picture is a document whose nodes carry their
``kind``, ``key``, ``uid`` and ``props``, so :func:`api.masking.mask_document` masks them
by structure (ID numbers, contact values, names where the clearance requires).  Free text
of a picture — tooltips, evidence steps like "王军 drives vehicle 吉A12345" — can name a
person without saying it is one; so before that, every personal value of every node of
the view (a person's name and ID number, a contact's value) is replaced in all text by its
masked form.  A picture never shows what the same role could not read in the API.

>>> from datetime import date
>>> from graph.model import load_model
>>> from viz.view import GraphView, ViewNode
>>> wang = ViewNode(uid="Person:110101199003070011", kind="Person", key="110101199003070011",
...     name="王军", props={"id_no": "110101199003070011", "name": "王军"},
...     facts=["王军 drives vehicle 吉A12345"])
>>> view = GraphView(kind="related", title="关联方 of 王军", question="q", as_of=None,
...     credit_on=date(2026, 1, 1), nodes=[wang], edges=[])
>>> masked = mask_picture(view.model_dump(mode="json"), view, Clearance.NONE, load_model())
>>> node = masked["nodes"][0]
>>> node["name"], node["key"], node["uid"]
('王*', '110101********0011', 'Person:110101********0011')
>>> node["facts"], masked["title"]
(['王* drives vehicle 吉A12345'], '关联方 of 王*')
>>> mask_picture(view.model_dump(mode="json"), view, Clearance.NAMES)["nodes"][0]["name"]
'王军'
"""

from __future__ import annotations

from typing import Any

from api.masking import (
    Clearance,
    PiiClass,
    mask_contact,
    mask_document,
    mask_id_no,
    mask_name,
    policy_for,
)
from graph.model import GraphModel, load_model
from viz.view import GraphView

__all__ = ["Clearance", "mask_picture", "personal_values"]

#: Shorter values are not replaced inside free text (a one-character name would mask
#: that character everywhere); they are still masked where they stand as a node's name.
_MIN_REPLACE = 2


def _masked(pii: PiiClass, value: str, channel: str | None) -> str:
    if pii is PiiClass.IDENTIFIER:
        return mask_id_no(value)
    if pii is PiiClass.NAME:
        return mask_name(value)
    return mask_contact(value, channel)


def _hidden(pii: PiiClass, clearance: Clearance) -> bool:
    if clearance is Clearance.FULL:
        return False
    return clearance is Clearance.NONE or pii is not PiiClass.NAME


def personal_values(view: GraphView, clearance: Clearance, model: GraphModel) -> dict[str, str]:
    """Every personal value of the view's nodes that ``clearance`` hides, with its mask.

    Includes the node's display name when it is built from a personal value (a contact's
    "phone 138…", a person's name).
    """
    policy = policy_for(model)
    found: dict[str, str] = {}
    for node in view.nodes:
        fields = policy.fields.get(node.kind, {})
        channel = node.props.get("channel") if isinstance(node.props.get("channel"), str) else None
        for name, pii in fields.items():
            value = node.props.get(name)
            if isinstance(value, str) and value and _hidden(pii, clearance):
                found[value] = _masked(pii, value, channel)
        if policy.personal_key(node.kind):
            masked_key = policy.mask_key(node.kind, node.key, clearance)
            if masked_key != node.key:
                found[node.key] = masked_key
        if node.kind == "Person" and _hidden(PiiClass.NAME, clearance):
            found[node.name] = mask_name(node.name)
    return {k: v for k, v in found.items() if len(k) >= _MIN_REPLACE and k != v}


def _replace_all(value: Any, pairs: list[tuple[str, str]]) -> Any:
    if isinstance(value, str):
        for old, new in pairs:
            if old in value:
                value = value.replace(old, new)
        return value
    if isinstance(value, dict):
        return {k: _replace_all(v, pairs) for k, v in value.items()}
    if isinstance(value, list):
        return [_replace_all(v, pairs) for v in value]
    return value


def mask_picture(
    document: dict[str, Any],
    view: GraphView,
    clearance: Clearance,
    model: GraphModel | None = None,
) -> dict[str, Any]:
    """A copy of a picture's JSON ``document`` (made from ``view``) with the personal data
    ``clearance`` may not see masked: first every personal value of the view's nodes
    wherever it appears, then :func:`api.masking.mask_document` by structure."""
    if clearance is Clearance.FULL:
        return document
    model = model or load_model()
    values = personal_values(view, clearance, model)
    # Longest first, so a full ID number is replaced before any shorter value inside it.
    pairs = sorted(values.items(), key=lambda kv: -len(kv[0]))
    masked: dict[str, Any] = mask_document(_replace_all(document, pairs), clearance, model)
    return masked
