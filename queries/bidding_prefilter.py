"""Which bidders need the per-bidder questions at all: a few batched round trips that rule out
control relations and listed subjects nearby for most bidders of a tender.

``control`` and ``related`` answer for one entity at a time (three or four round trips
each).  Asked for every bidder of a 20-bidder tender that is some 150 round trips, nearly
all of them for bidders that turn out to have nothing.  These filters keep the answer
exact and call those questions only where an answer is possible:

* :func:`control_candidates` walks *up* from every unit at once (holders and declared
  controllers, one round trip per level, as deep as ``control.max_hops``).  A unit can
  control another, or share a controller with it, only if one lies above the other or
  both lie below a common party; only such units are asked :func:`queries.control.control`.
  A unit whose walk was cut by the cap is always asked.
* :func:`listed_candidates` expands from every bidder at once exactly as
  :func:`queries.related.related` does (same capped expansion, same types, direction and
  date) and reads the credit state of everything reached in one round trip; only bidders
  with a listed subject within reach are asked ``related``, which gives the evidence.
"""

from __future__ import annotations

from collections.abc import Sequence

from graph.model import Direction, NodeRef
from queries.bidding_context import CheckContext
from queries.credit_state import credit_states

__all__ = ["UPWARD_CAP", "control_candidates", "listed_candidates"]

#: Holders read per entity on the way up (a company with more holders than this is always
#: asked ``control``: the filter never guesses).
UPWARD_CAP = 1000
CONTROL_TYPES = ("SHAREHOLDER_OF", "ACTUAL_CONTROLLER_OF")


def _walk(
    ctx: CheckContext,
    seeds: Sequence[NodeRef],
    *,
    hops: int,
    cap: int,
    types: Sequence[str] | None,
    direction: Direction,
) -> tuple[dict[NodeRef, set[NodeRef]], set[NodeRef]]:
    """Every node within ``hops`` of the seeds, with the seeds it is reached from, and the
    seeds whose walk a cap cut short."""
    origin: dict[NodeRef, set[NodeRef]] = {s: {s} for s in seeds}
    cut: set[NodeRef] = set()
    frontier = list(seeds)
    for _ in range(hops):
        if not frontier:
            break
        grown: dict[NodeRef, None] = {}
        for expansion in ctx.store.expand_capped(
            frontier, cap=cap, types=types, direction=direction, as_of=ctx.as_of
        ):
            sources = origin[expansion.node]
            if expansion.more:
                cut |= sources
            for reached in expansion.neighbours:
                ref = reached.node.ref
                known = origin.setdefault(ref, set())
                if not sources <= known:
                    known |= sources
                    grown[ref] = None
        frontier = list(grown)
    return origin, cut


def control_candidates(ctx: CheckContext, units: Sequence[NodeRef]) -> set[NodeRef]:
    """Units (bidders, tenderer, owner) that may stand in a control relation with another."""
    if len(units) < 2:
        return set()
    origin, cut = _walk(
        ctx,
        units,
        hops=ctx.investigation.control.max_hops,
        cap=UPWARD_CAP,
        types=CONTROL_TYPES,
        direction=Direction.IN,
    )
    found = set(cut)
    for below in origin.values():
        if len(below) > 1:  # above two units, or a unit above another
            found |= below
    return found


def listed_candidates(ctx: CheckContext, bidders: Sequence[NodeRef]) -> set[NodeRef]:
    """Bidders with a subject in a listed state within ``listed_hops`` (as ``related`` sees)."""
    hops = ctx.config.listed_hops
    if hops < 1 or not bidders:
        return set()
    origin, _ = _walk(
        ctx,
        bidders,
        hops=hops,
        cap=ctx.investigation.related.per_node_cap,
        types=None,
        direction=Direction.BOTH,
    )
    states = credit_states(ctx.store, list(origin), ctx.as_of)
    wanted = set(ctx.config.listed_states)
    found: set[NodeRef] = set()
    for ref, state in states.items():
        if state.state in wanted:
            found |= origin[ref] - {ref}  # a bidder's own state is its eligibility
    return found
