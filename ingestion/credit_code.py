"""Unified social credit code (统一社会信用代码), GB 32100-2015.

An 18-character code: registration authority (1), organisation type (1), administrative
division (6), organisation code (9) and a check character (1). Characters come from a
31-character alphabet (digits and upper-case letters without I, O, S, V, Z); the value of a
character is its index. The check character is ``(31 - sum(value_i * weight_i) % 31) % 31``
mapped back through the alphabet.
"""

from __future__ import annotations

ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
_VALUES = {c: i for i, c in enumerate(ALPHABET)}

# GB 11714 organisation code (characters 9-17): 8 body characters and their own check character
_ORG_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)


def check_digit(first17: str) -> str:
    """The check character for the first 17 characters of a code.

    Raises ``ValueError`` for a wrong length or a character outside the alphabet.
    """
    if len(first17) != 17:
        raise ValueError(f"expected 17 characters, got {len(first17)}")
    try:
        total = sum(_VALUES[c] * w for c, w in zip(first17, WEIGHTS, strict=True))
    except KeyError as exc:
        raise ValueError(f"character {exc.args[0]!r} is not allowed in a credit code") from None
    return ALPHABET[(31 - total % 31) % 31]


def is_valid(code: str) -> bool:
    """Whether ``code`` is 18 characters from the alphabet with a correct check character.

    Upper case only (the standard uses upper case letters); surrounding whitespace is not trimmed.
    """
    if len(code) != 18 or any(c not in _VALUES for c in code):
        return False
    return check_digit(code[:17]) == code[17]


def organisation_check(body8: str) -> str:
    """GB 11714 check character for an 8-digit organisation code body (digits only)."""
    total = sum(int(c) * w for c, w in zip(body8, _ORG_WEIGHTS, strict=True))
    value = 11 - total % 11
    return "X" if value == 10 else "0" if value == 11 else str(value)


def make_code(authority_type: str, division: str, body8: str) -> str:
    """Assemble a valid code from a 2-character prefix (e.g. ``91``), a 6-digit division code and
    an 8-digit organisation code body."""
    first17 = authority_type + division + body8 + organisation_check(body8)
    return first17 + check_digit(first17)
