"""Likely duplicate persons, reported and never merged.

Persons without an ID number are never merged by name (a register may name 王军 hundreds
of times).  Within the context of one enterprise, though, two persons with the same or a
very similar name are worth a look: they are listed as candidates with a rapidfuzz score.

>>> finder = CandidateFinder()
>>> finder.add("Enterprise:E1", "Person:unresolved:a", "王军", True, "a.csv:2")
>>> finder.add("Enterprise:E1", "Person:110101199003070011", "王 军", False, "b.csv:9")
>>> finder.add("Enterprise:E2", "Person:unresolved:c", "王军", True, "a.csv:3")
>>> [(c.context, c.score) for c in finder.candidates()]
[('Enterprise:E1', 100.0)]
"""

from __future__ import annotations

import csv
from collections import defaultdict
from pathlib import Path

from pydantic import BaseModel, ConfigDict
from rapidfuzz import fuzz

__all__ = ["Candidate", "CandidateFinder"]

#: rapidfuzz ratio (0-100) from which two names in one enterprise are reported.
MIN_SCORE = 90.0


class Candidate(BaseModel):
    """Two persons tied to one enterprise whose names (nearly) match; at least one lacks an ID."""

    model_config = ConfigDict(frozen=True)

    context: str
    person_a: str
    name_a: str
    source_a: str
    person_b: str
    name_b: str
    source_b: str
    score: float


class CandidateFinder:
    """Collects (enterprise, person, name) sightings and pairs the similar ones."""

    def __init__(self) -> None:
        self._seen: dict[str, dict[str, tuple[str, bool, str]]] = defaultdict(dict)

    def add(self, context: str, person: str, name: str, unresolved: bool, source: str) -> None:
        """Note that ``person`` called ``name`` is tied to ``context`` (first sighting kept)."""
        self._seen[context].setdefault(person, (name, unresolved, source))

    def candidates(self) -> list[Candidate]:
        """Pairs in one context with similar names where at least one person is unresolved."""
        found: list[Candidate] = []
        for context in sorted(self._seen):
            people = sorted(self._seen[context].items())
            if not any(unresolved for _, (_, unresolved, _) in people):
                continue
            for i, (a, (name_a, un_a, src_a)) in enumerate(people):
                for b, (name_b, un_b, src_b) in people[i + 1 :]:
                    if not (un_a or un_b):
                        continue
                    score = fuzz.ratio("".join(name_a.split()), "".join(name_b.split()))
                    if score >= MIN_SCORE:
                        found.append(
                            Candidate(
                                context=context,
                                person_a=a,
                                name_a=name_a,
                                source_a=src_a,
                                person_b=b,
                                name_b=name_b,
                                source_b=src_b,
                                score=round(score, 1),
                            )
                        )
        return found

    @staticmethod
    def write(path: Path, candidates: list[Candidate]) -> None:
        """Write the candidates as CSV (UTF-8 with BOM)."""
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("w", encoding="utf-8-sig", newline="") as fh:
            writer = csv.writer(fh)
            writer.writerow(list(Candidate.model_fields))
            for c in candidates:
                writer.writerow(list(c.model_dump().values()))
