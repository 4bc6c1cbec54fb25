"""The Great Expectations suite on raw opportunities flags each broken business rule."""

from __future__ import annotations

import pandas as pd

from orchestration.lib.expectations import opportunities_suite, prepare_opportunities, validate


def frame(**overrides: list) -> pd.DataFrame:
    data: dict[str, list] = {
        "opportunity_id": ["O1", "O2"],
        "status": ["open", "won"],
        "current_stage": ["proposal", "signed"],
        "amount": [1000.0, 2500.0],
        "created_at": pd.to_datetime(["2025-01-01 09:00", "2025-01-02 18:30"]),
        "closed_date": pd.to_datetime([None, "2025-01-02"]),  # closed the day it was created
    }
    data.update(overrides)
    return prepare_opportunities(pd.DataFrame(data))


def failures(df: pd.DataFrame) -> list[str]:
    outcome = validate(df, opportunities_suite(), "test")
    assert outcome.evaluated == 5
    assert outcome.success == (not outcome.failures)
    return outcome.failures


def test_clean_opportunities_pass():
    assert failures(frame()) == []


def test_each_broken_rule_is_reported():
    assert [f.split(" ")[0] for f in failures(frame(opportunity_id=["O1", "O1"]))] == [
        "expect_column_values_to_be_unique"
    ]
    assert failures(frame(current_stage=["proposal", None]))[0].startswith(
        "expect_column_values_to_not_be_null current_stage: 1"
    )
    assert failures(frame(amount=[-1.0, 2500.0]))[0].startswith(
        "expect_column_values_to_be_between amount: 1"
    )
    closed_before_created = frame(closed_date=pd.to_datetime([None, "2024-12-31"]))
    assert failures(closed_before_created)[0].startswith(
        "expect_column_pair_values_a_to_be_greater_than_b"
    )


def test_an_empty_table_fails():
    empty = frame(
        **{k: [] for k in ["opportunity_id", "status", "current_stage", "amount"]},
        created_at=pd.to_datetime([]),
        closed_date=pd.to_datetime([]),
    )
    assert any(f.startswith("expect_table_row_count_to_be_between") for f in failures(empty))
