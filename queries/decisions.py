"""Filing listing decisions (发起), with refusals, and previewing them without writing.

A request is checked against the catalog before anything happens:

* the behaviour must be in the catalog — **no joint sanction outside the catalog**
  (相关单位不得对目录清单之外的失信行为实施联合奖惩);
* the subject's kind must be in the behaviour's scope, and the subject must exist;
* every evidence type the behaviour requires must be given;
* a chosen term must lie in the catalog's range; the act cannot follow the decision;
* a reward (red list) must meet the behaviour's ``requires`` (not listed; no dishonesty
  within the period) on the decision date, checked against the store.

Then the measures propagate (``queries/propagation.py``) and the decision, every
application with its path, the publication deadline and one audit event are written in
one transaction.  Filing the same decision again changes nothing.  Many decisions are
filed together by :func:`file_decisions` (one propagation pass, one write).

>>> from graph.example import load_story
>>> from graph.model import load_model
>>> from graph.stores.memory import MemoryStore
>>> store = MemoryStore(load_model())
>>> story = load_story(store)
>>> request = DecisionRequest(subject=story.truck, behaviour_code="T-OVERLOAD",
...     act_date=date(2021, 3, 1), decision_date=date(2021, 4, 1),
...     decision_no="吉交执〔2021〕9号", authority="吉林省交通运输厅",
...     evidence=[{"type": "超限检测记录", "reference": "W-1"},
...               {"type": "行政处罚决定书", "reference": "P-1"}])
>>> outcome = file_decision(store, request, actor="clerk")
>>> [(a.subject.kind, a.measure) for a in outcome.applications]   # doctest: +NORMALIZE_WHITESPACE
[('Vehicle', 'S-OVERLOAD-VEHICLE'), ('Enterprise', 'S-OVERLOAD-ENTERPRISE'),
 ('Person', 'S-OVERLOAD-DRIVER'), ('Person', 'S-OFFICE-BAN')]
>>> file_decision(store, request, actor="clerk").written   # re-applying changes nothing
False
>>> preview(store, request.model_copy(update={"behaviour_code": "X-UNKNOWN"})).refusals[0].code
'outside_catalog'
"""

from __future__ import annotations

import gc
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import date

from pydantic import BaseModel, ConfigDict, Field

from graph.catalog import Behaviour, Catalog, add_period, load_catalog
from graph.catalog.periods import subtract_period
from graph.credit import CREDIT_COLLECTION, CreditRecordIn, audit_record
from graph.exc import ConflictError
from graph.stores.base import GraphStore, StoredRecord
from queries.deadlines import COLLECTION as DEADLINES
from queries.deadlines import DeadlineItem, deadline_record, new_deadline
from queries.lifecycle import (
    APPLICATIONS,
    DECISIONS,
    Application,
    Decision,
    DecisionRequest,
    Refusal,
    Refused,
    application_from,
    application_id,
    application_record,
    decision_from,
    decision_record,
)
from queries.propagation import Reached, Seed, propagate

__all__ = [
    "DecisionOutcome",
    "FilingResult",
    "Preview",
    "file_decision",
    "file_decisions",
    "load_decision",
    "load_decisions",
    "preview",
]


class DecisionOutcome(BaseModel):
    """A decision with everything it applies and the deadlines it starts."""

    model_config = ConfigDict(frozen=True)

    decision: Decision
    applications: list[Application]
    deadlines: list[DeadlineItem] = Field(default_factory=list)
    written: bool = Field(description="false for a preview or a decision filed before")


class FilingResult(BaseModel):
    """One request of a batch: its outcome, or why it was refused."""

    model_config = ConfigDict(frozen=True)

    request_id: str
    outcome: DecisionOutcome | None = None
    refusals: list[Refusal] = Field(default_factory=list)


class Preview(BaseModel):
    """What filing would do, without writing anything."""

    model_config = ConfigDict(frozen=True)

    allowed: bool
    refusals: list[Refusal] = Field(default_factory=list)
    outcome: DecisionOutcome | None = None


def _check_request(catalog: Catalog, request: DecisionRequest) -> list[Refusal]:
    """Refusals that need no store: catalog scope, evidence, terms, dates."""
    behaviour = catalog.get_behaviour(request.behaviour_code)
    if behaviour is None:
        return [
            Refusal(
                code="outside_catalog",
                message=(
                    f"behaviour {request.behaviour_code!r} is not in catalog {catalog.version}: "
                    "no joint sanction or reward outside the catalog (目录清单之外不得实施联合奖惩)"
                ),
            )
        ]
    refusals = []
    if request.subject.kind not in behaviour.subject_kinds:
        refusals.append(
            Refusal(
                code="subject_kind_out_of_scope",
                message=(
                    f"{behaviour.code} applies to {behaviour.subject_kinds}, "
                    f"not to a {request.subject.kind}"
                ),
            )
        )
    given = {e.type for e in request.evidence}
    missing = [t for t in behaviour.evidence_required if t not in given]
    if missing:
        refusals.append(
            Refusal(
                code="evidence_missing",
                message=f"{behaviour.code} requires evidence {missing} (given: {sorted(given)})",
            )
        )
    if request.act_date > request.decision_date:
        refusals.append(
            Refusal(
                code="dates_inconsistent",
                message=(
                    f"act date {request.act_date} is after decision date {request.decision_date}"
                ),
            )
        )
    if request.term is not None and not (behaviour.term and behaviour.term.allows(request.term)):
        refusals.append(
            Refusal(
                code="term_not_allowed", message=f"{behaviour.code} does not allow {request.term}"
            )
        )
    for code, period in sorted(request.measure_terms.items()):
        measure = catalog.get_measure(code)
        if measure is None or not (measure.term and measure.term.allows(period)):
            refusals.append(
                Refusal(code="term_not_allowed", message=f"measure {code} does not allow {period}")
            )
    return refusals


def _listing_term(catalog: Catalog, behaviour: Behaviour, request: DecisionRequest) -> str | None:
    if request.term is not None:
        return request.term
    if behaviour.term is not None:
        return behaviour.term.default
    if behaviour.severity is not None:
        return catalog.header.severity_classes[behaviour.severity].max_publication
    return None


def _end(start: date, term: str | None) -> date | None:
    return None if term is None else add_period(start, term)


def _preconditions(
    store: GraphStore, catalog: Catalog, requests: Sequence[DecisionRequest]
) -> dict[str, list[Refusal]]:
    """Reward preconditions checked against the store (one round trip for all)."""
    pending = [
        r
        for r in requests
        if (b := catalog.get_behaviour(r.behaviour_code)) is not None and b.requires
    ]
    if not pending:
        return {}
    found = store.find_records(
        [APPLICATIONS, CREDIT_COLLECTION], subjects=sorted({r.subject.uid for r in pending})
    )
    apps: dict[str, list[Application]] = {}
    records: dict[str, list[CreditRecordIn]] = {}
    for rec in found:
        if rec.collection == APPLICATIONS:
            apps.setdefault(rec.subject or "", []).append(application_from(rec))
        else:
            records.setdefault(rec.subject or "", []).append(CreditRecordIn.model_validate(rec.doc))
    refusals: dict[str, list[Refusal]] = {}
    for request in pending:
        on, uid = request.decision_date, request.subject.uid
        # a revoked listing (objection upheld) was a mistake: it is no bad record
        sanctions = [
            a for a in apps.get(uid, []) if a.side == "sanction" and a.lifecycle.revoked_on is None
        ]
        negative = [r for r in records.get(uid, []) if r.kind.is_negative]
        for condition in catalog.require_behaviour(request.behaviour_code).requires:
            if condition.check == "not_listed":
                failed = any(a.status_on(on) == "in_force" for a in sanctions) or any(
                    r.listed_on(on) for r in negative
                )
            else:
                since = subtract_period(on, condition.period or "P0D")
                failed = any(since <= a.start <= on for a in sanctions) or any(
                    since <= r.decision_date <= on for r in negative
                )
            if failed:
                refusals.setdefault(request.id, []).append(
                    Refusal(code="precondition_failed", message=condition.text)
                )
    return refusals


def _build(
    catalog: Catalog,
    request: DecisionRequest,
    reached: list[Reached],
    actor: str,
) -> DecisionOutcome:
    behaviour = catalog.require_behaviour(request.behaviour_code)
    side = "reward" if catalog.is_reward(behaviour) else "sanction"
    start = request.decision_date
    listing_term = _listing_term(catalog, behaviour, request)
    warnings = []
    if start < catalog.header.effective:
        warnings.append(
            f"decision date {start} precedes catalog {catalog.version} (effective "
            f"{catalog.header.effective})"
        )
    apps = []
    for r in reached:
        measure = catalog.require_measure(r.measure)
        if r.measure in request.measure_terms:
            term: str | None = request.measure_terms[r.measure]
        elif measure.term is not None:
            term = measure.term.default
        else:
            term = listing_term
        apps.append(
            Application(
                id=application_id(request.id, r.subject, r.measure),
                decision_id=request.id,
                decision_no=request.decision_no,
                authority=request.authority,
                behaviour_code=behaviour.code,
                behaviour_name=behaviour.name,
                catalog_version=catalog.version,
                subject=r.subject,
                direct=not r.path,
                role=r.role,
                measure=measure.code,
                measure_name=measure.name,
                side=side,
                restricts=list(measure.restricts),
                grants=list(measure.grants),
                legal_basis=list(measure.legal_basis),
                implementing_units=list(measure.implementing_units),
                path=list(r.path),
                start=start,
                term=term,
                base_end=_end(start, term),
            )
        )
    decision = Decision(
        id=request.id,
        request=request,
        side=side,
        behaviour_name=behaviour.name,
        severity=behaviour.severity,
        catalog_version=catalog.version,
        catalog_fingerprint=catalog.fingerprint,
        start=start,
        term=listing_term,
        base_end=_end(start, listing_term),
        application_ids=[a.id for a in apps],
        filed_by=actor,
        warnings=warnings,
    )
    deadlines = []
    published = behaviour.severity is None or (
        catalog.header.severity_classes[behaviour.severity].publish
    )
    if published:
        rule = catalog.header.deadlines["publication"]
        deadlines.append(
            new_deadline(
                "publication",
                decision_id=decision.id,
                subject=request.subject.uid,
                start=start,
                working_days=rule.working_days,
                name=rule.name,
                basis=rule.basis,
            )
        )
    return DecisionOutcome(decision=decision, applications=apps, deadlines=deadlines, written=False)


def _plan(
    store: GraphStore, catalog: Catalog, requests: Sequence[DecisionRequest], actor: str
) -> list[FilingResult]:
    """Check and propagate every request together; nothing is written."""
    refusals = {r.id: _check_request(catalog, r) for r in requests}
    refs = sorted({ref for r in requests for ref in (r.subject, *r.responsible_persons)})
    existing = set(store.neighbourhood(refs, hops=0).distances) if refs else set()
    for r in requests:
        if r.subject not in existing:
            refusals[r.id].append(
                Refusal(code="subject_unknown", message=f"{r.subject.uid} is not in the graph")
            )
        for person in r.responsible_persons:
            if person not in existing or person.kind != "Person":
                refusals[r.id].append(
                    Refusal(
                        code="responsible_person_unknown",
                        message=f"{person.uid} is not a person in the graph",
                    )
                )
    clean = [r for r in requests if not refusals[r.id]]
    for rid, found in _preconditions(store, catalog, clean).items():
        refusals[rid].extend(found)
    allowed = [r for r in requests if not refusals[r.id]]
    seeds = []
    for r in allowed:
        behaviour = catalog.require_behaviour(r.behaviour_code)
        direct = tuple(m.code for m in catalog.direct_measures(behaviour, r.subject.kind))
        seeds.append(
            Seed(
                subject=r.subject,
                measures=direct,
                act_date=r.act_date,
                decision_date=r.decision_date,
                decision_no=r.decision_no,
                named=tuple(r.responsible_persons),
            )
        )
    reached = dict(zip([r.id for r in allowed], propagate(store, catalog, seeds), strict=True))
    results = []
    for r in requests:
        if refusals[r.id]:
            results.append(FilingResult(request_id=r.id, refusals=refusals[r.id]))
        else:
            outcome = _build(catalog, r, reached[r.id], actor)
            results.append(FilingResult(request_id=r.id, outcome=outcome))
    return results


def preview(
    store: GraphStore, request: DecisionRequest, *, catalog: Catalog | None = None
) -> Preview:
    """The full impact of a request (or why it is refused) without writing anything."""
    (result,) = _plan(store, catalog or load_catalog(), [request], actor="preview")
    if result.outcome is None:
        return Preview(allowed=False, refusals=result.refusals)
    return Preview(allowed=True, outcome=result.outcome)


def load_decisions(store: GraphStore, ids: Sequence[str]) -> dict[str, DecisionOutcome]:
    """Filed decisions with their applications and deadlines (two round trips for all)."""
    wanted = list(dict.fromkeys(ids))
    decisions = {r.id: decision_from(r) for r in store.get_records(DECISIONS, wanted)}
    if not decisions:
        return {}
    related = store.find_records([APPLICATIONS, DEADLINES], groups=sorted(decisions))
    apps: dict[str, list[Application]] = {}
    deadlines: dict[str, list[DeadlineItem]] = {}
    for r in related:
        if r.collection == APPLICATIONS:
            app = application_from(r)
            apps.setdefault(app.decision_id, []).append(app)
        else:
            item = DeadlineItem.model_validate(r.doc)
            deadlines.setdefault(item.decision_id, []).append(item)
    found = {}
    for did, decision in decisions.items():
        order = {a: i for i, a in enumerate(decision.application_ids)}
        found[did] = DecisionOutcome(
            decision=decision,
            applications=sorted(apps.get(did, []), key=lambda a: order.get(a.id, len(order))),
            deadlines=sorted(deadlines.get(did, []), key=lambda d: (d.start, d.kind, d.id)),
            written=False,
        )
    return found


def load_decision(store: GraphStore, decision_id: str) -> DecisionOutcome | None:
    """A filed decision with its applications and deadlines, or None."""
    return load_decisions(store, [decision_id]).get(decision_id)


@contextmanager
def _collector_paused() -> Iterator[None]:
    """CPython's cyclic garbage collector paused while a batch is filed, then one
    collection of the young objects.

    Filing 1,000 decisions builds some 300,000 container objects (models, documents,
    records) that all outlive the call.  With the collector running they set off about
    400 young, 36 middle and 3-4 full collections, each full one walking everything built
    so far — a quarter to a third of the Python time measured — and find no garbage.  The
    one young collection at the end is what the next allocation would start anyway; the
    survivors age as usual.  Only the call that paused the collector restarts it, so a
    concurrent filing never leaves it paused (it may run with it on).
    """
    if not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.enable()
        gc.collect(0)


def file_decisions(
    store: GraphStore,
    requests: Sequence[DecisionRequest],
    *,
    actor: str,
    catalog: Catalog | None = None,
) -> list[FilingResult]:
    """File many decisions at once: refused ones are reported, the rest written together.

    A decision filed before with the same content is returned unchanged (``written``
    false); filed before with different content it is refused as a conflict.
    """
    with _collector_paused():
        return _file_decisions(store, requests, actor=actor, catalog=catalog or load_catalog())


def _file_decisions(
    store: GraphStore, requests: Sequence[DecisionRequest], *, actor: str, catalog: Catalog
) -> list[FilingResult]:
    ids = list(dict.fromkeys(r.id for r in requests))
    stored = {r.id: r for r in store.get_records(DECISIONS, ids)}
    fresh: list[DecisionRequest] = []
    seen: set[str] = set()
    for r in requests:
        if r.id not in stored and r.id not in seen:
            fresh.append(r)
            seen.add(r.id)
    planned = {res.request_id: res for res in _plan(store, catalog, fresh, actor)}
    writes: list[StoredRecord] = []
    for res in planned.values():
        if res.outcome is None:
            continue
        outcome = res.outcome
        filed = decision_record(outcome.decision)
        writes.append(filed)
        writes.extend(application_record(a) for a in outcome.applications)
        writes.extend(deadline_record(d) for d in outcome.deadlines)
        writes.append(
            audit_record(
                actor=actor,
                action="decision.file",
                target=filed.rid,
                subject=outcome.decision.request.subject.uid,
                effective=outcome.decision.start,
                after=filed.doc,  # the decision's JSON form, dumped once
            )
        )
    store.put_records(writes, new=True)  # all new: CREATE, and a concurrent filing conflicts
    before = load_decisions(store, sorted(stored))
    results = []
    reported: set[str] = set()
    for r in requests:
        if r.id in stored:
            if decision_from(stored[r.id]).request != r:
                conflict = Refusal(
                    code="filed_differently",
                    message=f"decision {r.decision_no} was filed before with different content",
                )
                results.append(FilingResult(request_id=r.id, refusals=[conflict]))
            else:
                results.append(FilingResult(request_id=r.id, outcome=before[r.id]))
            continue
        res = planned[r.id]
        if res.outcome is not None:
            # The first of identical requests in a batch wrote it; later ones changed nothing.
            res = res.model_copy(
                update={"outcome": res.outcome.model_copy(update={"written": r.id not in reported})}
            )
        reported.add(r.id)
        results.append(res)
    return results


def file_decision(
    store: GraphStore, request: DecisionRequest, *, actor: str, catalog: Catalog | None = None
) -> DecisionOutcome:
    """File one decision; raises :class:`Refused` (:meth:`Refused.of`) or a ConflictError."""
    stored = store.get_records(DECISIONS, [request.id])
    if stored and decision_from(stored[0]).request != request:
        raise ConflictError(
            f"decision {request.decision_no} of {request.authority} on {request.subject.uid} "
            "was filed before with different content"
        )
    (result,) = file_decisions(store, [request], actor=actor, catalog=catalog)
    if result.outcome is None:
        raise Refused.of(result.refusals)
    return result.outcome
