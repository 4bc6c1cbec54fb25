"""Value normalisation, worked by hand: canonical text, or the value left exactly as it was."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from ingestion.adapters.config import load_mapping
from ingestion.adapters.readers import Cell
from ingestion.adapters.values import decimal_text, normalize, parse_datetime
from ingestion.contract import ACCOUNTS, FAMILIES_BY_NAME, OPPORTUNITIES, SALES_REPS

COLUMNS = {c.name: c for c in OPPORTUNITIES.columns}


def norm(column: str, cell: Cell, xlsx: bool = False, family: str = "opportunities") -> str:
    mapping = load_mapping()
    spec = {c.name: c for c in FAMILIES_BY_NAME[family].columns}[column]
    labels = mapping.families[family].values.get(column, {})
    return normalize(cell, spec, labels, mapping.booleans, xlsx)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("125000.50", "125000.50"),  # already canonical: untouched
        ("15000", "15000"),
        ("1,250,000", "1250000.00"),
        ("¥1,250,000.5", "1250000.50"),
        ("￥ 3,000", "3000.00"),
        ("$75,000", "75000.00"),
        ("RMB 3,000.5", "3000.50"),
        ("CNY1000", "1000.00"),
        ("12.5万", "125000.00"),
        ("12.5万元", "125000.00"),
        ("1.2亿", "120000000.00"),
        ("0.123万", "1230.00"),
        ("1.23456", "1.23456"),
        ("-1,000", "-1000.00"),  # the loader quarantines it as negative_amount
    ],
)
def test_decimals(raw: str, expected: str) -> None:
    assert norm("amount", raw) == expected


@pytest.mark.parametrize("raw", ["金额待定", "12.5千", "1.2.3", "(1,000)", "1e5", "万"])
def test_decimal_that_cannot_be_normalised_is_left_as_is(raw: str) -> None:
    assert decimal_text(raw) is None
    assert norm("amount", raw) == raw


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("2024-03-05", "2024-03-05"),
        ("2024-3-5", "2024-03-05"),
        ("2024年3月5日", "2024-03-05"),
        ("2024/03/05", "2024-03-05"),
        ("03/05/24", "2024-03-05"),  # Salesforce Data Loader: MM/DD/YY
        ("02/23/26 08:55 PM", "2026-02-23"),
        ("03/05/2024", "2024-03-05"),
        ("2024-03-05 00:00:00", "2024-03-05"),
    ],
)
def test_dates(raw: str, expected: str) -> None:
    assert norm("expected_close_date", raw) == expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("2024-03-05 14:30:00", "2024-03-05 14:30:00"),
        ("2024-03-05 14:30", "2024-03-05 14:30:00"),
        ("2024年3月5日 14:30", "2024-03-05 14:30:00"),
        ("2024年3月5日 14:30:15", "2024-03-05 14:30:15"),
        ("2024年3月5日", "2024-03-05 00:00:00"),
        ("02/23/26 08:55 PM", "2026-02-23 20:55:00"),
        ("02/24/26 12:15 AM", "2026-02-24 00:15:00"),
        ("02/24/26 12:15 PM", "2026-02-24 12:15:00"),
        ("02/23/26", "2026-02-23 00:00:00"),
        ("2024/03/05 09:00", "2024-03-05 09:00:00"),
    ],
)
def test_timestamps(raw: str, expected: str) -> None:
    assert norm("created_at", raw) == expected


@pytest.mark.parametrize(
    "raw",
    [
        "2024-02-30",
        "13/45/24",
        "2024年13月1日",
        "next week",
        "2024-03-05T14:30:00+08:00",
        "2024-03-05 14:30:00.123",
        "02/23/26 13:55 PM",
    ],
)
def test_dates_that_cannot_be_normalised_are_left_as_is(raw: str) -> None:
    assert norm("created_at", raw) == raw
    assert parse_datetime("2024-02-30") is None


def test_excel_cells_in_date_columns() -> None:
    assert norm("expected_close_date", 45356, xlsx=True) == "2024-03-05"  # serial date
    assert norm("created_at", 45356.6041666667, xlsx=True) == "2024-03-05 14:30:00"
    assert norm("created_at", datetime(2024, 3, 5, 14, 30), xlsx=True) == "2024-03-05 14:30:00"
    assert norm("expected_close_date", date(2024, 3, 5), xlsx=True) == "2024-03-05"
    assert norm("expected_close_date", 45356, xlsx=False) == "45356"  # a CSV number: not a date
    assert norm("amount", 125000.0, xlsx=True) == "125000"
    assert norm("opportunity_id", 1001.0, xlsx=True) == "1001"


@pytest.mark.parametrize(
    ("column", "raw", "expected"),
    [
        ("status", "跟进中", "open"),
        ("status", "赢单", "won"),
        ("status", "输单", "lost"),
        ("status", "无效", "invalid"),
        ("status", "暂停", "paused"),
        ("status", "Won", "won"),
        ("status", " WON ", "won"),
        ("opportunity_type", "新签", "new"),
        ("opportunity_type", "续签", "renewal"),
        ("opportunity_type", "再销售", "upsell"),
        ("opportunity_type", "增购", "upsell"),
        ("status", "考虑中", "考虑中"),  # unknown label: left for the loader to quarantine
    ],
)
def test_opportunity_enums(column: str, raw: str, expected: str) -> None:
    assert norm(column, raw) == expected


def test_account_and_rep_values() -> None:
    assert ACCOUNTS.name == "accounts" and SALES_REPS.name == "sales_reps"
    assert norm("customer_type", "企业", family="accounts") == "enterprise"
    assert norm("customer_type", "政府", family="accounts") == "government"
    assert norm("customer_type", "事业单位", family="accounts") == "public_institution"
    assert norm("tier", "a", family="accounts") == "A"
    assert norm("tier", "KA", family="accounts") == "A"
    assert norm("active", "是", family="sales_reps") == "true"
    assert norm("active", "FALSE", family="sales_reps") == "false"
    assert norm("active", True, xlsx=True, family="sales_reps") == "true"
    assert norm("active", "maybe", family="sales_reps") == "maybe"


@pytest.mark.parametrize(
    "raw", ["=cmd|' /C calc'!A0", "=SUM(A1:A3)", "@SUM(A1)", "+cmd", "-cmd|x", "=1+2"]
)
def test_formula_looking_cells_are_left_as_text(raw: str) -> None:
    for column in ("amount", "created_at", "status", "opportunity_name"):
        assert norm(column, raw) == raw
    assert norm("amount", "-5") == "-5"  # a number, not a formula
