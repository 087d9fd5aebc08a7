"""The ground truth of a generated graph: the patterns the generator planted on purpose.

Written next to the generated files as ``truth.json`` so that query code (collusion checks,
related-party search, propagation) can be scored against it.  Keys are the node keys of
the vocabulary (USCC, ID number, ``plate|colour``, project code, ``channel|value``).

Background data can contain coincidental patterns too (two random bidders whose managers
share a surname is no pattern, but two sharing an address is possible); the truth lists
what was planted, each with the facts that make it one.
"""

from __future__ import annotations

from datetime import date
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

__all__ = ["BidRing", "GroundTruth", "Guakao", "Hubs", "Overloading", "ShellGroup"]


class _Record(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class ShellGroup(_Record):
    """Enterprises sharing one legal representative (and one registered address)."""

    legal_rep: str = Field(description="ID number of the shared legal representative")
    enterprises: list[str] = Field(description="USCCs of the enterprises")
    shared_address: str = Field(description="Contact key (address|…) all of them registered at")


class Guakao(_Record):
    """挂靠: a vehicle owned by a person and operated by a transport company."""

    vehicle: str = Field(description="Vehicle key plate|colour")
    owner: str = Field(description="ID number of the owning person")
    operator: str = Field(description="USCC of the operating company")


class BidRing(_Record):
    """Two bidders on one project linked by a shared project manager or controlling shareholder."""

    project: str = Field(description="project code")
    bidders: list[str] = Field(description="USCCs of the two linked bidders")
    link: Literal["project_manager", "controlling_shareholder"]
    shared: str = Field(description="ID number of the shared manager or controlling shareholder")
    all_bidders: list[str] = Field(description="USCCs of every bidder on the project")


class Overloading(_Record):
    """A serious overloading case: vehicle, driver, operating company and loading-source unit."""

    vehicle: str
    driver: str = Field(description="ID number")
    operator: str = Field(description="USCC of the operating company")
    source_unit: str = Field(description="USCC of the loading-source unit (货运源头单位)")
    weigh_ticket: str
    date: date
    overload_ratio: float = Field(description="excess over the legal limit, e.g. 0.62 = 62 %")
    decision_no: str = Field(description="number of the administrative penalty decision")


class Hubs(_Record):
    """High-degree nodes the degree distribution is built around."""

    agent_addresses: list[str] = Field(description="Contact keys of registered-agent addresses")
    fund: str = Field(description="USCC of the big shareholder fund")


class GroundTruth(_Record):
    """Everything the generator planted for one (scale, seed)."""

    scale: int
    seed: int
    shell_groups: list[ShellGroup]
    guakao: list[Guakao]
    bid_rings: list[BidRing]
    overloading: list[Overloading]
    hubs: Hubs
