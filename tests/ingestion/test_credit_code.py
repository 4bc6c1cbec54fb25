"""GB 32100-2015 unified social credit codes."""

from __future__ import annotations

from random import Random

import pytest

from ingestion.credit_code import (
    ALPHABET,
    WEIGHTS,
    check_digit,
    is_valid,
    make_code,
    organisation_check,
)


def test_alphabet_and_weights() -> None:
    assert len(ALPHABET) == 31 and not set("IOSVZ") & set(ALPHABET)
    # weight i is 3^i mod 31
    assert list(WEIGHTS) == [pow(3, i, 31) for i in range(17)]


def test_contract_example_by_hand() -> None:
    """91350100M000100Y43 (the example in the contract).

    values:   9  1  3  5   0  1  0  0  M=21 0  0  0  1 0  0  Y=30  4
    weights:  1  3  9  27 19 26 16 17  20  29 25 13  8 24 10  30  28
    products: 9  3 27 135  0 26  0  0 420   0  0  0  8 0  0  900 112  -> sum 1640
    1640 = 52 * 31 + 28, so the check value is 31 - 28 = 3 -> '3'.
    """
    assert check_digit("91350100M000100Y4") == "3"
    assert is_valid("91350100M000100Y43")
    assert not is_valid("91350100M000100Y44")


def test_second_example_by_hand() -> None:
    """911101087109360733.

    values:   9 1 1  1  0  1 0   8   7  1 0   9  3   6 0   7  3
    weights:  1 3 9 27 19 26 16 17  20 29 25 13  8  24 10  30 28
    products: 9 3 9 27  0 26 0 136 140 29 0 117 24 144 0 210 84   -> sum 958
    958 = 30 * 31 + 28, so the check value is 31 - 28 = 3 -> '3'.
    """
    assert check_digit("91110108710936073") == "3"
    assert is_valid("911101087109360733")
    assert not is_valid("911101087109360734")


def test_check_value_zero_and_letters() -> None:
    # sum % 31 == 0 must map to '0', not to ALPHABET[31]
    assert check_digit("91110000100000286") == "0"
    assert is_valid("911100001000002860")
    assert check_digit("91110000100000163") == "Y"
    assert is_valid("91110000100000163Y")


@pytest.mark.parametrize(
    "code",
    [
        "",
        "91350100M000100Y4",
        "91350100M000100Y433",
        "91350100m000100Y43",
        "91350100I000100Y43",
        "91350100M000100Y4O",
        " 91350100M000100Y43",
    ],
)
def test_invalid_shapes(code: str) -> None:
    assert not is_valid(code)


def test_check_digit_rejects_bad_input() -> None:
    with pytest.raises(ValueError):
        check_digit("9135")
    with pytest.raises(ValueError):
        check_digit("91350100S000100Y4")


def test_single_character_changes_are_detected() -> None:
    rng = Random(3)
    for _ in range(200):
        code = make_code(rng.choice(["91", "11", "12"]), "310000", f"{rng.randrange(10**7, 10**8)}")
        assert is_valid(code)
        pos = rng.randrange(18)
        other = rng.choice([c for c in ALPHABET if c != code[pos]])
        assert not is_valid(code[:pos] + other + code[pos + 1 :])


def test_organisation_check() -> None:
    # GB 11714: weights 3 7 9 10 5 8 4 2; 11 - sum % 11, 10 -> X, 11 -> 0
    # body 12345678: 3+14+27+40+25+48+28+16 = 201, 201 % 11 = 3, 11 - 3 = 8
    assert organisation_check("12345678") == "8"
    assert organisation_check("00000000") == "0"
    assert make_code("91", "310000", "12345678") == "913100001234567883"
