"""The shipped transport catalog loads, says what the issue requires, and bad ones fail."""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path

import pytest
import yaml

from graph.catalog import DEFAULT_CATALOG_DIR, ListKind, load_catalog
from graph.catalog.periods import add_period, subtract_period
from graph.exc import InvalidModel, NotFound


def test_default_catalog_has_the_four_lists_with_version() -> None:
    catalog = load_catalog()
    assert catalog.version == "transport-2026.1"
    assert catalog.header.effective == date(2026, 4, 1)
    counts = {kind: len(catalog.entries(kind)) for kind in ListKind}
    assert counts == {
        ListKind.HONOUR_SCOPE: 1,
        ListKind.DISHONESTY_SCOPE: 3,
        ListKind.REWARD_MEASURES: 4,
        ListKind.SANCTION_MEASURES: 9,
    }
    for entry in [*catalog.behaviours.values(), *catalog.measures.values()]:
        assert entry.sources, entry.code
        assert entry.legal_basis and entry.implementing_units, entry.code


def test_overloading_entry_names_subjects_and_thresholds() -> None:
    catalog = load_catalog()
    overload = catalog.require_behaviour("T-OVERLOAD")
    assert overload.subject_kinds == ["Vehicle", "Person", "Enterprise"]
    assert "公路安全保护条例 第66条" in overload.legal_basis
    assert any("超过3次" in t for t in overload.thresholds)
    assert any("10%" in t for t in overload.thresholds)
    assert "term" in overload.uncertain  # the 1-year listing period is unverified
    vehicle = catalog.require_measure("S-OVERLOAD-VEHICLE")
    reached = {(r.relationship, r.to_kind, r.measure) for r in vehicle.extends_to}
    assert reached == {
        ("OPERATES", "Enterprise", "S-OVERLOAD-ENTERPRISE"),
        ("OWNS", "Enterprise", "S-OVERLOAD-ENTERPRISE"),
        ("DRIVES", "Person", "S-OVERLOAD-DRIVER"),
        ("LOADED", "Enterprise", "S-OVERLOAD-SOURCE"),
    }


def test_required_measures_are_encoded() -> None:
    catalog = load_catalog()
    bid = catalog.require_measure("S-BID-BAN")
    assert bid.restricts == ["bidding"]
    assert bid.term is not None and (bid.term.min, bid.term.max) == ("P1Y", "P3Y")
    office = catalog.require_measure("S-OFFICE-BAN")
    assert office.restricts == ["office"] and office.term and office.term.default == "P3Y"
    high = catalog.require_measure("S-HIGH-CONSUMPTION")
    roles = sorted(r.role for r in high.extends_to)
    assert roles == sorted(["法定代表人", "主要负责人", "实际控制人", "影响债务履行的直接责任人员"])
    red = catalog.require_behaviour("H-TRUST-MODEL")
    assert catalog.is_reward(red)
    assert {p.check for p in red.requires} == {"not_listed", "no_dishonesty_within"}
    grants = {g for code in red.measures for g in catalog.require_measure(code).grants}
    assert {"priority_processing", "fewer_inspections", "lower_deposits"} <= grants


def test_severity_classes_and_deadlines() -> None:
    header = load_catalog().header
    classes = header.severity_classes
    assert not classes["minor"].publish and classes["minor"].max_publication == "P3M"
    assert (classes["general"].min_publication, classes["general"].max_publication) == (
        "P3M",
        "P1Y",
    )
    assert (classes["serious"].min_publication, classes["serious"].max_publication) == (
        "P1Y",
        "P3Y",
    )
    assert {k: d.working_days for k, d in header.deadlines.items()} == {
        "objection_reply": 15,
        "correction_push": 5,
        "publication": 7,
    }
    assert header.deadlines["publication"].uncertain


def test_lookups_come_in_pairs() -> None:
    catalog = load_catalog()
    assert catalog.get_behaviour("NOPE") is None
    with pytest.raises(NotFound):
        catalog.require_behaviour("NOPE")
    with pytest.raises(NotFound):
        catalog.require_measure("NOPE")


def test_periods() -> None:
    assert add_period(date(2026, 1, 31), "P1M") == date(2026, 2, 28)
    assert add_period(date(2026, 5, 20), "P90D") == date(2026, 8, 18)
    assert subtract_period(date(2026, 3, 31), "P1M") == date(2026, 2, 28)


def _copy(tmp_path: Path) -> Path:
    target = tmp_path / "catalog"
    shutil.copytree(DEFAULT_CATALOG_DIR, target)
    return target


def _edit(path: Path, change: object) -> None:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    change(data)  # type: ignore[operator]
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")


def test_a_user_catalog_loads_from_its_directory(tmp_path: Path) -> None:
    path = _copy(tmp_path)
    _edit(path / "catalog.yaml", lambda d: d.update(version="mine-1"))
    assert load_catalog(path).version == "mine-1"


@pytest.mark.parametrize(
    ("file", "change", "message"),
    [
        (
            "sanction_measures.yaml",
            lambda d: d["entries"][0]["extends_to"][0].update(direction="out"),
            "cannot join",
        ),
        (
            "sanction_measures.yaml",
            lambda d: d["entries"][0]["extends_to"][0].update(relationship="KNOWS"),
            "unknown relationship",
        ),
        (
            "sanction_measures.yaml",
            lambda d: d["entries"][0]["extends_to"][0].update(measure="R-PRIORITY"),
            "not on the same list",
        ),
        (
            "sanction_measures.yaml",
            lambda d: d["entries"][0].update(restricts=["flying"]),
            "unknown categories",
        ),
        (
            "dishonesty_scope.yaml",
            lambda d: d["entries"][0].update(measures=["S-NOPE"]),
            "not on the sanction_measures list",
        ),
        (
            "dishonesty_scope.yaml",
            lambda d: d["entries"][0].update(subject_kinds=["Ship"]),
            "unknown subject kinds",
        ),
        (
            "dishonesty_scope.yaml",
            lambda d: d["entries"][1].update(code="T-OVERLOAD"),
            "appears twice",
        ),
        (
            "dishonesty_scope.yaml",
            lambda d: d["entries"][0].update(term={"default": "P5Y"}),
            "outside the serious class",
        ),
        (
            "dishonesty_scope.yaml",
            lambda d: d["entries"][0].update(uncertain=["colour"]),
            "unknown fields",
        ),
        ("honour_scope.yaml", lambda d: d.update(list="reward_measures"), "declares list"),
        ("catalog.yaml", lambda d: d.update(effective="someday"), "effective"),
    ],
)
def test_bad_catalogs_fail_on_load(tmp_path: Path, file: str, change: object, message: str) -> None:
    path = _copy(tmp_path)
    _edit(path / file, change)
    with pytest.raises(InvalidModel, match=message):
        load_catalog(path)
