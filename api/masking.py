"""Mask the personal data of natural persons for callers without clearance.

Which properties are personal comes from the vocabulary's ``pii`` lists
(``graph/vocabulary.yaml``: ``Person.id_no``, ``Person.name``, ``Contact.value``); each is
classed as an *identifier* (a property validated as an ID number), a *name* or a *contact*.
A :class:`Clearance` says which classes a caller may see:

========  =====================  ==========================================
clearance  sees                   masked
========  =====================  ==========================================
full       everything             nothing
names      names                  ID numbers, phones, e-mails, addresses
none       nothing personal       ID numbers, contacts and names
========  =====================  ==========================================

:func:`mask_document` is pure: it takes a pydantic model, a dict/list tree (JSON-like) or a
string and returns a masked copy of the same shape.  It recognises persons and contacts
*by structure* — a mapping with ``kind`` (and ``key`` / ``props``) or with a ``uid`` such
as ``Person:110101…``, a ``[kind, key]`` pair (a serialised ``NodeRef``) — and scans every
other string for uids, ID numbers, mobile numbers and e-mail addresses, so a person's
number inside a sentence is masked too.  Names are found by structure only, then masked
wherever else they occur in the same document: a sentence naming a person is masked as
long as the document also carries that person's ``kind``/``uid`` beside the ``name``.

>>> from graph.model import load_model
>>> node = {"kind": "Person", "key": "110101199003070011",
...         "props": {"id_no": "110101199003070011", "name": "王军"}}
>>> mask_document(node, Clearance.NAMES, load_model())["props"]
{'id_no': '110101********0011', 'name': '王军'}
>>> mask_document(node, Clearance.NONE, load_model())["props"]["name"]
'王*'
>>> mask_document("王军 (Person:110101199003070011) 电话 13800138000", Clearance.NONE)
'王军 (Person:110101********0011) 电话 138****8000'
>>> mask_document({"eid": "0f3a9c", "type": "LEGAL_REP_OF"}, Clearance.NAMES)
{'eid': 'masked', 'type': 'LEGAL_REP_OF'}
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from functools import cache
from typing import Any, TypeVar

from pydantic import BaseModel

from graph.model import GraphModel, load_model

__all__ = [
    "MASKED_EID",
    "Clearance",
    "MaskingPolicy",
    "PiiClass",
    "mask_contact",
    "mask_document",
    "mask_id_no",
    "mask_json",
    "mask_name",
    "mask_text",
    "policy_for",
]

T = TypeVar("T")


class Clearance(StrEnum):
    """How much personal data a caller may see."""

    FULL = "full"
    NAMES = "names"
    NONE = "none"


class PiiClass(StrEnum):
    """What kind of personal datum a property holds (decides how it is masked, and when)."""

    IDENTIFIER = "identifier"
    NAME = "name"
    CONTACT = "contact"


def _shows(clearance: Clearance, pii: PiiClass) -> bool:
    if clearance is Clearance.FULL:
        return True
    return clearance is Clearance.NAMES and pii is PiiClass.NAME


# -- masking one value -----------------------------------------------------------------------
def _stars(n: int) -> str:
    return "*" * max(n, 1)


def mask_id_no(value: str) -> str:
    """Keep the area code (6) and the last four characters of an ID number.

    >>> mask_id_no("110101199003070011"), mask_id_no("unresolved:甲运输|王军")
    ('110101********0011', 'unresolved:甲*****')
    """
    if value.startswith("unresolved:"):
        return "unresolved:" + mask_name(value.removeprefix("unresolved:"))
    if len(value) >= 12:
        return value[:6] + _stars(len(value) - 10) + value[-4:]
    return mask_name(value)


def mask_name(value: str) -> str:
    """Keep the first character (the surname) of each word.

    >>> mask_name("王军"), mask_name("欧阳娜娜"), mask_name("Wang Jun")
    ('王*', '欧***', 'W*** J**')
    """
    words = value.split(" ")
    return " ".join(w[:1] + _stars(len(w) - 1) if w else w for w in words)


def _mask_phone(value: str) -> str:
    digits = len(value)
    if digits >= 9:
        return value[:3] + _stars(digits - 7) + value[-4:]
    return value[:2] + _stars(digits - 2)


def _mask_email(value: str) -> str:
    local, _, domain = value.partition("@")
    return local[:1] + "***@" + domain


def mask_contact(value: str, channel: str | None = None) -> str:
    """Mask a phone number, an e-mail address or a postal address (guessed if no channel).

    >>> mask_contact("13800138000"), mask_contact("li.na@example.cn")
    ('138****8000', 'l***@example.cn')
    >>> mask_contact("吉林省长春市朝阳区人民大街1号")
    '吉林省长春市****'

    """
    if channel == "email" or (channel is None and "@" in value):
        return _mask_email(value)
    if channel == "phone" or (channel is None and re.fullmatch(r"[\d\s+()-]{7,}", value)):
        return _mask_phone(value)
    return value[:6] + "****" if len(value) > 6 else mask_name(value)


def _mask_as(pii: PiiClass, value: str, channel: str | None = None) -> str:
    if pii is PiiClass.IDENTIFIER:
        return mask_id_no(value)
    if pii is PiiClass.NAME:
        return mask_name(value)
    return mask_contact(value, channel)


# -- what is personal, from the vocabulary ------------------------------------------------------
@dataclass(frozen=True)
class MaskingPolicy:
    """Per node kind: the class of each personal property and of each key part."""

    fields: Mapping[str, Mapping[str, PiiClass]]
    key_parts: Mapping[str, tuple[str, ...]]
    separator: str
    uid_pattern: re.Pattern[str] | None

    def personal_key(self, kind: str) -> bool:
        """Whether the key of ``kind`` contains personal data."""
        return any(part in self.fields.get(kind, {}) for part in self.key_parts.get(kind, ()))

    def mask_key(self, kind: str, key: str, clearance: Clearance) -> str:
        """The key of a node of ``kind`` with its personal parts masked.

        >>> policy_for(load_model()).mask_key("Contact", "phone|13800138000", Clearance.NONE)
        'phone|138****8000'
        """
        fields = self.fields.get(kind)
        names = self.key_parts.get(kind, ())
        if not fields or not any(n in fields for n in names):
            return key
        if kind == "Person" and key.startswith("unresolved:"):
            pii = fields.get(names[0], PiiClass.IDENTIFIER)
            return key if _shows(clearance, pii) else mask_id_no(key)
        parts = key.split(self.separator, len(names) - 1)
        if len(parts) != len(names):
            return mask_name(key) if clearance is not Clearance.FULL else key
        values = dict(zip(names, parts, strict=True))
        channel = values.get("channel")
        masked = [
            value
            if name not in fields or _shows(clearance, fields[name])
            else _mask_as(fields[name], value, channel)
            for name, value in values.items()
        ]
        return self.separator.join(masked)


@cache
def policy_for(model: GraphModel) -> MaskingPolicy:
    """The masking policy of a vocabulary (cached per model).

    >>> policy_for(load_model()).fields["Person"]
    {'id_no': <PiiClass.IDENTIFIER: 'identifier'>, 'name': <PiiClass.NAME: 'name'>}
    """
    fields: dict[str, dict[str, PiiClass]] = {}
    for kind in model.nodes.values():
        classes: dict[str, PiiClass] = {}
        for prop in kind.pii:
            spec = kind.properties[prop]
            if spec.identifier is not None:
                classes[prop] = PiiClass.IDENTIFIER
            elif prop == "name":
                classes[prop] = PiiClass.NAME
            else:
                classes[prop] = PiiClass.CONTACT
        if classes:
            fields[kind.name] = classes
    key_parts = {kind.name: tuple(kind.key) for kind in model.nodes.values()}
    personal = [k for k in fields if any(p in fields[k] for p in key_parts[k])]
    pattern = (
        re.compile(r"\b(" + "|".join(map(re.escape, personal)) + r"):([^\s\"',;)\]}]+)")
        if personal
        else None
    )
    return MaskingPolicy(fields, key_parts, model.key_separator, pattern)


# -- free text -------------------------------------------------------------------------------
_ID_NO = re.compile(r"(?<![0-9A-Za-z])(\d{17}[\dXx])(?![0-9A-Za-z])")
_MOBILE = re.compile(r"(?<![0-9])(1[3-9]\d{9})(?![0-9])")
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
_DIGIT = re.compile(r"\d")  # a quick test before the number patterns
_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
# Shortest personal value replaced throughout a document (a one-character value would mask
# that character everywhere).
_MIN_SECRET = 2


def _looks_like_id_no(text: str) -> bool:
    """GB 11643 check character and a real birth date (so few other numbers qualify)."""
    total = sum(int(c) * w for c, w in zip(text[:17], _ID_WEIGHTS, strict=True))
    if "10X98765432"[total % 11] != text[17].upper():
        return False
    try:
        born = date(int(text[6:10]), int(text[10:12]), int(text[12:14]))
    except ValueError:
        return False
    return 1900 <= born.year <= date.today().year


def mask_text(text: str, clearance: Clearance, model: GraphModel | None = None) -> str:
    """Mask uids of persons and contacts, ID numbers, mobile numbers and e-mails in text.

    >>> mask_text("see Contact:email|li.na@example.cn", Clearance.NAMES)
    'see Contact:email|l***@example.cn'
    """
    if clearance is Clearance.FULL or not text:
        return text
    policy = policy_for(model or load_model())
    if policy.uid_pattern is not None and ":" in text:
        text = policy.uid_pattern.sub(
            lambda m: f"{m[1]}:{policy.mask_key(m[1], m[2], clearance)}", text
        )
    if _DIGIT.search(text):
        text = _ID_NO.sub(lambda m: mask_id_no(m[1]) if _looks_like_id_no(m[1]) else m[1], text)
        text = _MOBILE.sub(lambda m: _mask_phone(m[1]), text)
    if "@" in text:
        text = _EMAIL.sub(lambda m: _mask_email(m[0]), text)
    return text


# -- documents -------------------------------------------------------------------------------
#: What a relationship id becomes without full clearance.  An ``eid`` is an unkeyed hash of
#: its endpoints' uids: with the rest of a path in view, a masked ID number (which hides only
#: the eight birth-date digits) could be recovered by hashing each candidate date.
MASKED_EID = "masked"


class _Masker:
    def __init__(self, policy: MaskingPolicy, clearance: Clearance, model: GraphModel) -> None:
        self.policy = policy
        self.clearance = clearance
        self.model = model
        # Personal values met by structure, with their masks: replaced in every other string
        # of the document afterwards ("李娜 holds 60% of …" in an evidence sentence).
        self.secrets: dict[str, str] = {}
        # A document repeats its strings (kinds, dates, types, uids in nodes, edges and
        # paths): each distinct one is masked once.
        self._texts: dict[str, str] = {}

    def secret(self, value: str, masked: str) -> str:
        if value != masked and len(value) >= _MIN_SECRET:
            self.secrets[value] = masked
        return masked

    def mask_key(self, kind: str, key: str) -> str:
        return self.key_secrets(kind, key)[0]

    def key_secrets(self, kind: str, key: str) -> tuple[str, list[tuple[str, str]]]:
        """The masked key, and the personal values in it with their masks, longest first."""
        masked = self.policy.mask_key(kind, key, self.clearance)
        if masked == key:
            return masked, []
        pairs = [(key, masked)]
        parts = key.split(self.policy.separator)
        masked_parts = masked.split(self.policy.separator)
        if len(parts) == len(masked_parts):
            pairs += zip(parts, masked_parts, strict=True)
        pairs = [(v, self.secret(v, m)) for v, m in pairs if v != m and len(v) >= _MIN_SECRET]
        return masked, sorted(pairs, key=lambda pair: len(pair[0]), reverse=True)

    def secrets_in(self, serialised: str) -> list[str]:
        """The personal values that occur in ``serialised`` (the document's compact JSON).

        A value inside any string of the document occurs, JSON-escaped, in its serialised
        form (escaping is per character), so a value not found here occurs nowhere: the
        second pass can skip the document without walking it.
        """
        return [s for s in self.secrets if json.dumps(s, ensure_ascii=False)[1:-1] in serialised]

    def replace_secrets(self, value: Any, only: list[str] | None = None) -> Any:
        """Second pass: every occurrence of a personal value (of ``only`` if given, the
        values known to occur), anywhere, is masked."""
        secrets = self.secrets if only is None else only
        if not secrets:
            return value
        pattern = re.compile("|".join(re.escape(s) for s in sorted(secrets, key=len, reverse=True)))

        fixed: dict[str, str] = {}

        def fix(item: Any) -> Any:
            if isinstance(item, str):
                done = fixed.get(item)
                if done is None:
                    done = fixed[item] = pattern.sub(lambda m: self.secrets[m[0]], item)
                return done
            if isinstance(item, dict):
                return {fix(k): fix(v) for k, v in item.items()}
            if isinstance(item, list):
                return [fix(v) for v in item]
            return item

        return fix(value)

    def text(self, value: str) -> str:
        done = self._texts.get(value)
        if done is None:
            done = self._texts[value] = mask_text(value, self.clearance, self.model)
        return done

    def kind_of(self, mapping: Mapping[str, Any]) -> str | None:
        kind = mapping.get("kind")
        if isinstance(kind, str) and kind in self.policy.key_parts:
            return kind
        uid = mapping.get("uid")
        if isinstance(uid, str):
            prefix = uid.partition(":")[0]
            if prefix in self.policy.key_parts:
                return prefix
        return None

    def props(self, kind: str, props: Mapping[str, Any]) -> dict[str, Any]:
        fields = self.policy.fields.get(kind, {})
        declared = self.model.nodes[kind].properties
        channel = props.get("channel") if isinstance(props.get("channel"), str) else None
        out: dict[str, Any] = {}
        for name, value in props.items():
            pii = fields.get(name)
            if pii is not None and isinstance(value, str):
                shown = _shows(self.clearance, pii)
                out[name] = value if shown else self.secret(value, _mask_as(pii, value, channel))
            elif name in declared and not isinstance(value, dict | list):
                out[name] = value  # a declared, non-personal property: not free text
            else:
                out[name] = self.walk(value)
        return out

    def mapping(self, mapping: Mapping[str, Any]) -> dict[str, Any]:
        kind = self.kind_of(mapping)
        if kind is None:
            return {
                self.key(k): MASKED_EID if k == "eid" and isinstance(v, str) else self.walk(v)
                for k, v in mapping.items()
            }
        out: dict[str, Any] = {}
        # The node's own key parts, masked in its other strings too (a contact's display
        # name repeats its value): then the document-wide second pass rarely has work.
        raw_key = mapping.get("key")
        masked_key, own = self.key_secrets(kind, raw_key) if isinstance(raw_key, str) else ("", [])
        for name, value in mapping.items():
            if name == "key" and isinstance(value, str):
                out[name] = masked_key
            elif name == "props" and isinstance(value, Mapping):
                out[name] = self.props(kind, value)
            elif name in self.policy.fields.get(kind, {}) and isinstance(value, str):
                out.update(self.props(kind, {name: value}))
            else:
                walked = self.walk(value)
                if isinstance(walked, str):
                    for secret, masked in own:
                        walked = walked.replace(secret, masked)
                out[self.key(name)] = walked
        return out

    def key(self, name: Any) -> Any:
        return self.text(name) if isinstance(name, str) else name

    def walk(self, value: Any) -> Any:
        if isinstance(value, str):
            return self.text(value)
        if isinstance(value, Mapping):
            return self.mapping(value)
        if isinstance(value, list | tuple):
            if (
                len(value) == 2
                and isinstance(value[0], str)
                and value[0] in self.policy.key_parts
                and isinstance(value[1], str)
            ):  # a serialised NodeRef
                return [value[0], self.mask_key(value[0], value[1])]
            return [self.walk(item) for item in value]
        return value


def mask_document(value: T, clearance: Clearance, model: GraphModel | None = None) -> T:
    """A copy of ``value`` with personal data masked for ``clearance`` (pure; any shape).

    A pydantic model comes back as the same model class, re-validated from its masked JSON
    form (so masked fields are strings).
    """
    if clearance is Clearance.FULL:
        return value
    model = model or load_model()
    masker = _Masker(policy_for(model), clearance, model)
    if isinstance(value, BaseModel):
        masked = masker.replace_secrets(masker.walk(value.model_dump(mode="json")))
        result: Any = type(value).model_validate(masked)
        return result  # type: ignore[no-any-return]
    return masker.replace_secrets(masker.walk(value))  # type: ignore[no-any-return]


def mask_json(body: bytes, clearance: Clearance, model: GraphModel | None = None) -> bytes:
    """Mask a JSON document given as bytes (what the API middleware does to responses).

    >>> body = '{"uid": "Person:110101199003070011", "name": "王军"}'.encode()
    >>> mask_json(body, Clearance.NONE).decode()
    '{"uid":"Person:110101********0011","name":"王*"}'
    """
    if clearance is Clearance.FULL:
        return body
    model = model or load_model()
    masker = _Masker(policy_for(model), clearance, model)
    masked = masker.walk(json.loads(body))
    text = _compact(masked)
    # The second pass walks the document again only when a personal value met by structure
    # also occurs elsewhere (rare): the search in the serialised text runs in C.
    if found := masker.secrets_in(text):
        text = _compact(masker.replace_secrets(masked, found))
    return text.encode()


def _compact(document: Any) -> str:
    return json.dumps(document, ensure_ascii=False, separators=(",", ":"))
