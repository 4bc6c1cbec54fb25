"""Comparing one table's rows from two engines: cells normalised, rows sorted, first difference.

Used by test_spark_build.py (DuckDB's marts against Spark's); test_compare.py shows that a
changed cell, a missing row or a changed NULL is found."""

from __future__ import annotations

import math
from datetime import date, datetime
from decimal import Decimal
from typing import Any


def _value(value: Any) -> Any:
    """One cell in a form both engines agree on: numbers as floats, times as ISO text."""
    if value is None:
        return None
    if isinstance(value, bool):
        return value
    if isinstance(value, (int, float, Decimal)):
        number = float(value)
        return None if math.isnan(number) else number
    if isinstance(value, datetime):
        return value.replace(tzinfo=None).isoformat(sep=" ")
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def _sort_key(row: tuple[Any, ...]) -> tuple[Any, ...]:
    # floats rounded so that last-digit noise does not reorder rows
    return tuple(
        (value is None, round(value, 6) if isinstance(value, float) else str(value))
        for value in row
    )


def comparable_rows(records: list[tuple[Any, ...]]) -> list[tuple[Any, ...]]:
    """The rows with every cell normalised, in one order whatever order the engine gave."""
    return sorted((tuple(_value(v) for v in record) for record in records), key=_sort_key)


def _same(left: Any, right: Any) -> bool:
    if isinstance(left, float) and isinstance(right, float):
        return abs(left - right) <= max(1e-9, 1e-9 * abs(left))
    return bool(left == right)


def differences(
    mart: str, columns: list[str], expected: list[tuple[Any, ...]], actual: list[tuple[Any, ...]]
) -> list[str]:
    """The first differing row of one mart, or its row counts when they differ."""
    if len(expected) != len(actual):
        return [f"{mart}: {len(expected)} rows on DuckDB, {len(actual)} on Spark"]
    for number, (left, right) in enumerate(zip(expected, actual, strict=True)):
        different = [
            f"{column}: {a!r} != {b!r}"
            for column, a, b in zip(columns, left, right, strict=True)
            if not _same(a, b)
        ]
        if different:
            return [f"{mart} row {number}: " + "; ".join(different[:4])]
    return []
