"""Identifier validation: every reason is distinct and names the field and value."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from graph.exc import IdentifierProblem, InvalidIdentifier
from graph.identifiers import (
    complete_id_no,
    complete_uscc,
    normalise,
    normalise_phone,
    validate_id_no,
    validate_plate,
    validate_plate_color,
    validate_uscc,
)


@pytest.mark.parametrize(
    "code",
    [
        "91110000600037341L",  # python-stdnum's vectors
        "121200004013590816",
        "91310115MA1K3BTP2B",
        "92340602MA2PBMEM24",
        complete_uscc("N2110000MA0000001"),  # 农业 authority, a letter stdnum's validate refuses
        complete_uscc("Y1220102MA0000001"),  # 其他 authority
        complete_uscc("51100000500000007"),  # national-level division code 100000
    ],
)
def test_valid_uscc(code: str) -> None:
    assert validate_uscc(code) == code


def test_uscc_is_normalised_before_validation() -> None:
    assert validate_uscc(" ９１１１０００ ０６０００３７３４１ｌ") == "91110000600037341L"


@pytest.mark.parametrize(
    ("code", "problem"),
    [
        ("", IdentifierProblem.EMPTY),
        ("12345", IdentifierProblem.LENGTH),
        ("9111000060003IOZSV", IdentifierProblem.FORMAT),
        ("91110000600037341N", IdentifierProblem.CHECKSUM),
        (complete_uscc("B1110000600037341"), IdentifierProblem.AUTHORITY),
        (complete_uscc("98110000600037341"), IdentifierProblem.ORGANISATION_TYPE),
        (complete_uscc("91990000600037341"), IdentifierProblem.AREA_CODE),
        (complete_uscc("911100A0600037341"), IdentifierProblem.AREA_CODE),
    ],
)
def test_invalid_uscc_reasons(code: str, problem: IdentifierProblem) -> None:
    with pytest.raises(InvalidIdentifier) as caught:
        validate_uscc(code, field="统一社会信用代码")
    assert caught.value.problem is problem
    assert caught.value.field == "统一社会信用代码"
    assert caught.value.value == code
    assert "统一社会信用代码" in str(caught.value)


@given(st.text(alphabet="0123456789ABCDEFGHJKLMNPQRTUWXY", min_size=9, max_size=9))
def test_completed_uscc_always_validates(subject: str) -> None:
    code = complete_uscc("91220102" + subject)
    assert validate_uscc(code) == code


@pytest.mark.parametrize(
    ("code", "problem"),
    [
        ("3604261991010100", IdentifierProblem.LENGTH),
        ("36042619910101007A", IdentifierProblem.FORMAT),
        ("36042619910102009X", IdentifierProblem.CHECKSUM),
        ("990426199112010074", IdentifierProblem.AREA_CODE),
        # Checksum right, but county 320583 (昆山) did not exist in 1985.
        ("320583198505121238", IdentifierProblem.AREA_CODE),
        (complete_id_no("11010119901332001"), IdentifierProblem.BIRTH_DATE),
    ],
)
def test_invalid_id_reasons(code: str, problem: IdentifierProblem) -> None:
    with pytest.raises(InvalidIdentifier) as caught:
        validate_id_no(code)
    assert caught.value.problem is problem


def test_valid_id_numbers() -> None:
    assert validate_id_no("360426199101010071") == "360426199101010071"
    assert validate_id_no("44011320141005001x") == "44011320141005001X"
    assert validate_id_no("110101199003070011") == "110101199003070011"


@pytest.mark.parametrize(
    ("plate", "expected"),
    [
        ("吉A12345", "吉A12345"),
        ("吉a·12345", "吉A12345"),
        ("粤BD12345", "粤BD12345"),  # small new-energy, energy letter first
        ("粤B12345D", "粤B12345D"),  # large new-energy, energy letter last
        ("吉A1234挂", "吉A1234挂"),  # trailer
        ("京ＡＦ１２３４", "京AF1234"),
    ],
)
def test_valid_plates(plate: str, expected: str) -> None:
    assert validate_plate(plate) == expected


@pytest.mark.parametrize(
    ("plate", "problem"),
    [
        ("吉A123", IdentifierProblem.LENGTH),
        ("XA12345", IdentifierProblem.FORMAT),  # no province
        ("吉I12345", IdentifierProblem.FORMAT),  # I is never an issuing letter
        ("吉AO2345", IdentifierProblem.FORMAT),  # O is not used in serials
    ],
)
def test_invalid_plates(plate: str, problem: IdentifierProblem) -> None:
    with pytest.raises(InvalidIdentifier) as caught:
        validate_plate(plate)
    assert caught.value.problem is problem


def test_plate_colours() -> None:
    assert [
        validate_plate_color(v) for v in ("1", 2, "黄", "黑色", "渐变绿", "未上牌", "其他")
    ] == [
        "1",
        "2",
        "2",
        "3",
        "5",
        "0",
        "9",
    ]
    with pytest.raises(InvalidIdentifier) as caught:
        validate_plate_color("紫色")
    assert caught.value.problem is IdentifierProblem.FORMAT


def test_normalisers() -> None:
    assert normalise("ａｂ　c") == "ABC"
    assert normalise_phone("0086 138 0013 8000") == "13800138000"


def test_a_prefix_without_a_county_is_an_area_code_refusal() -> None:
    """python-stdnum knows 439150 but names no county under it (its lookup raised KeyError,
    which crashed an ingest instead of quarantining the row)."""
    with pytest.raises(InvalidIdentifier) as caught:
        validate_id_no(complete_id_no("43915019900101001"))
    assert caught.value.problem is IdentifierProblem.AREA_CODE


@given(st.text(alphabet="0123456789", min_size=17, max_size=17))
def test_any_eighteen_characters_validate_or_are_refused(body: str) -> None:
    """Every 18-character code of digits is accepted or refused with a reason, never a crash
    (whatever python-stdnum's area database holds for its first six digits)."""
    code = complete_id_no(body)
    try:
        assert validate_id_no(code) == code
    except InvalidIdentifier as refused:
        assert refused.problem in set(IdentifierProblem)
