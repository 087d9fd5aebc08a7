"""A tender and its bidders as a bidding check takes them (API body, JSON file, bid list).

Identifiers are validated and normalised on the way in (a bad USCC or ID number is a 422
naming the field), and the values compared between bids are normalised so that the same
account or MAC address written two ways is still the same: deposit accounts keep letters
and digits only, MAC addresses become ``AA-BB-CC-DD-EE-FF``, serials upper case without
blanks, phones digits only, e-mail addresses lower case.

>>> bid = BidderIn(uscc="91110000600037341l", deposit_account="6222 0200-0123 4567",
...                fingerprints={"mac": ["aa:bb:cc:dd:ee:ff"], "disk": [" wd-123 "]})
>>> bid.uscc, bid.deposit_account, bid.fingerprints.mac, bid.fingerprints.disk
('91110000600037341L', '6222020001234567', ['AA-BB-CC-DD-EE-FF'], ['WD-123'])
>>> tender = TenderIn(project_code="JL-2024-001", lot="1", bid_date="2024-05-28",
...                   bidders=[bid, {"uscc": "91310115MA1K3BTP2B"}])
>>> tender.evaluated_on, [b.ref.uid for b in tender.bidders][1]
(datetime.date(2024, 5, 28), 'Enterprise:91310115MA1K3BTP2B')
"""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from graph import identifiers
from graph.model import NodeRef

__all__ = ["BidderIn", "Fingerprints", "PartyIn", "TenderIn", "normalise_mac"]

#: Bidders of one check at most (a lot rarely has more than a few dozen).
MAX_BIDDERS = 200
_MAC = re.compile(r"[^0-9A-F]")
_ACCOUNT = re.compile(r"[^0-9A-Za-z]")


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)


def normalise_mac(value: str) -> str:
    """A MAC address as six upper-case pairs joined by ``-`` (other text: upper, no blanks).

    >>> normalise_mac("00:1a:2B-3c.4d5e"), normalise_mac("not a mac")
    ('00-1A-2B-3C-4D-5E', 'NOTAMAC')
    """
    hexes = _MAC.sub("", value.upper())
    if len(hexes) == 12:
        return "-".join(hexes[i : i + 2] for i in range(0, 12, 2))
    return "".join(value.upper().split())


def _serial(value: str) -> str:
    return "".join(str(value).upper().split())


def _listed(value: Any) -> Any:
    if value is None:
        return []
    if isinstance(value, str):
        return [v for v in re.split(r"[;；,，\s]+", value) if v]
    return value


class Fingerprints(_In):
    """Features recorded when a bid file was made or uploaded (特征码)."""

    ip: list[str] = Field(default_factory=list, description="upload IP addresses")
    mac: list[str] = Field(default_factory=list, description="MAC addresses (网卡)")
    cpu: list[str] = Field(default_factory=list, description="CPU serial numbers")
    disk: list[str] = Field(default_factory=list, description="disk serial numbers (硬盘序列号)")
    dongle: list[str] = Field(
        default_factory=list, description="pricing-software dongle serials (计价软件加密锁)"
    )

    @field_validator("ip", "mac", "cpu", "disk", "dongle", mode="before")
    @classmethod
    def _split(cls, value: Any) -> Any:
        return _listed(value)

    @field_validator("mac")
    @classmethod
    def _macs(cls, value: list[str]) -> list[str]:
        return sorted({normalise_mac(v) for v in value if v.strip()})

    @field_validator("cpu", "disk", "dongle")
    @classmethod
    def _serials(cls, value: list[str]) -> list[str]:
        return sorted({_serial(v) for v in value if v.strip()})

    @field_validator("ip")
    @classmethod
    def _ips(cls, value: list[str]) -> list[str]:
        return sorted({v.strip() for v in value if v.strip()})

    def values(self, field: str) -> list[str]:
        """The values of one fingerprint field."""
        found: list[str] = getattr(self, field)
        return found


class PartyIn(_In):
    """The tenderer (招标人) or the project owner (建设单位): a USCC and a name."""

    uscc: str
    name: str | None = None

    @field_validator("uscc")
    @classmethod
    def _uscc(cls, value: str) -> str:
        return identifiers.validate_uscc(value, "uscc")

    @property
    def ref(self) -> NodeRef:
        """The enterprise node of the party."""
        return NodeRef("Enterprise", self.uscc)


class BidderIn(_In):
    """One bid: the bidder, and what its documents say (manager, contacts, deposit, files)."""

    uscc: str = Field(description="投标人统一社会信用代码")
    name: str | None = Field(None, description="投标人名称")
    project_manager_id: str | None = Field(None, description="项目经理身份证号")
    project_manager_name: str | None = Field(None, description="项目经理姓名")
    phone: str | None = Field(None, description="联系电话")
    email: str | None = Field(None, description="电子邮箱")
    deposit_account: str | None = Field(None, description="投标保证金转出账号")
    deposit_bank: str | None = Field(None, description="开户行")
    fingerprints: Fingerprints = Field(default_factory=Fingerprints)

    @field_validator("uscc")
    @classmethod
    def _uscc(cls, value: str) -> str:
        return identifiers.validate_uscc(value, "uscc")

    @field_validator("project_manager_id")
    @classmethod
    def _id_no(cls, value: str | None) -> str | None:
        return identifiers.validate_id_no(value, "project_manager_id") if value else None

    @field_validator("phone")
    @classmethod
    def _phone(cls, value: str | None) -> str | None:
        return identifiers.normalise_phone(value) if value else None

    @field_validator("email")
    @classmethod
    def _email(cls, value: str | None) -> str | None:
        if not value:
            return None
        text = value.strip().lower()
        if text.count("@") != 1 or not text.split("@")[1]:
            raise ValueError(f"{value!r} is not an e-mail address")
        return text

    @field_validator("deposit_account")
    @classmethod
    def _account(cls, value: str | None) -> str | None:
        return _ACCOUNT.sub("", value).upper() or None if value else None

    @field_validator("name", "project_manager_name", "deposit_bank", mode="before")
    @classmethod
    def _blank(cls, value: Any) -> Any:
        return None if isinstance(value, str) and not value.strip() else value

    @property
    def ref(self) -> NodeRef:
        """The bidder's enterprise node."""
        return NodeRef("Enterprise", self.uscc)

    @property
    def manager_ref(self) -> NodeRef | None:
        """The project manager's person node, when an ID number was given."""
        return NodeRef("Person", self.project_manager_id) if self.project_manager_id else None


class TenderIn(_In):
    """A tender (one lot) and its bidders."""

    project_code: str = Field(min_length=1, description="项目编号")
    project_name: str | None = Field(None, description="项目名称")
    lot: str | None = Field(None, description="标段; none when the project has no lots")
    bid_date: date = Field(description="投标截止 / 开标日期: measures are evaluated on it")
    as_of: date | None = Field(
        None,
        description="evaluate on this date instead (e.g. the evaluation day; "
        "财库〔2016〕125号: the result at evaluation is decisive)",
    )
    tenderer: PartyIn | None = Field(None, description="招标人")
    owner: PartyIn | None = Field(None, description="建设单位 / project owner, if not the tenderer")
    min_credit_grade: str | None = Field(None, description="最低信用等级 the tender requires")
    bidders: list[BidderIn] = Field(min_length=1, max_length=MAX_BIDDERS)

    @model_validator(mode="after")
    def _distinct_bidders(self) -> TenderIn:
        counts: dict[str, int] = {}
        for bidder in self.bidders:
            counts[bidder.uscc] = counts.get(bidder.uscc, 0) + 1
        twice = sorted(uscc for uscc, n in counts.items() if n > 1)
        if twice:
            raise ValueError(f"a bidder appears twice: {', '.join(twice)}")
        return self

    @property
    def evaluated_on(self) -> date:
        """The date measures and relationships are evaluated on."""
        return self.as_of or self.bid_date

    def parties(self) -> list[tuple[str, PartyIn]]:
        """The tenderer and the owner that were given, with their role."""
        found = [("tenderer", self.tenderer), ("owner", self.owner)]
        return [(role, p) for role, p in found if p is not None]
