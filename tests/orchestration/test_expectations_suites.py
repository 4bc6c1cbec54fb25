"""The GX suites on raw families, the CRM rules and the marts, on a hand-made warehouse whose
violations are known row by row; and the audit record each check writes."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime
from pathlib import Path

import duckdb
import pytest

from ingestion.contract import ACCOUNTS, CONTRACTS, OPPORTUNITIES, STAGE_HISTORY
from ingestion.definitions import DEFAULT_FOLDER
from ingestion.loader import ensure_schema, load_family
from ingestion.stages import load_stage_catalog
from orchestration.lib.expectations import (
    CheckRecord,
    Suite,
    contract_suite,
    export_freshness,
    history_agrees_with_current_stage,
    late_stage_deals_have_amount,
    mart_suites,
    open_deals_not_overdue,
    record_check,
    run_suite,
    stage_order_within_process,
)
from tests.ingestion.test_loader import HEADER, opp

LOADED_AT = datetime(2026, 1, 1, 2, 0, 0)


@pytest.fixture()
def con(tmp_path: Path) -> Iterator[duckdb.DuckDBPyConnection]:
    """O1 is clean. O2 is in negotiation (late) without an amount, but its history ends in
    proposal. O3 moved back from proposal to needs_confirmed. O4 is open, 60 days past its
    expected close date on the as-of date 2025-06-30; O1's is 15 days past (within grace)."""
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    (inbox / "opportunities.csv").write_text(
        "\n".join(
            [
                HEADER,
                opp("O1", expected_close_date="2025-06-15"),
                opp("O2", current_stage="negotiation", amount="", expected_close_date="2025-07-31"),
                opp("O3", current_stage="needs_confirmed", expected_close_date="2025-07-31"),
                opp("O4", current_stage="initial_contact", expected_close_date="2025-05-01"),
            ]
        )
        + "\n",
        encoding="utf-8",
    )
    (inbox / "stage_history.csv").write_text(
        "opportunity_id,from_stage,to_stage,changed_at,changed_by\n"
        "O1,,initial_contact,2025-01-01 10:00:00,R1\n"
        "O1,initial_contact,proposal,2025-01-05 10:00:00,R1\n"
        "O2,,proposal,2025-01-01 10:00:00,R1\n"
        "O3,,initial_contact,2025-01-01 10:00:00,R1\n"
        "O3,initial_contact,proposal,2025-01-02 10:00:00,R1\n"
        "O3,proposal,needs_confirmed,2025-01-03 10:00:00,R1\n",
        encoding="utf-8",
    )
    connection = duckdb.connect(str(tmp_path / "build.duckdb"))
    ensure_schema(connection)
    for family in (OPPORTUNITIES, STAGE_HISTORY):
        [load] = load_family(connection, family, inbox, LOADED_AT)
        assert load.rows_quarantined == 0
    yield connection
    connection.close()


def failures(suite: Suite, con: duckdb.DuckDBPyConnection) -> list[str]:
    outcome, _ = run_suite(suite, con)
    assert outcome.success == (not outcome.failures)
    return outcome.failures


def test_the_latest_history_row_must_agree_with_the_current_stage(con) -> None:
    assert failures(history_agrees_with_current_stage(), con) == [
        "expect_column_pair_values_to_be_equal : 1 unexpected"  # O2: negotiation vs proposal
    ]


def test_a_move_back_within_the_process_is_a_stage_order_violation(con) -> None:
    suite = stage_order_within_process(load_stage_catalog(DEFAULT_FOLDER))
    assert failures(suite, con) == ["expect_column_values_to_be_between stages_moved: 1 unexpected"]
    assert suite.severity == "WARN"


def test_open_deals_past_their_close_date_beyond_the_grace_period(con, monkeypatch) -> None:
    as_of = date(2025, 6, 30)
    assert failures(open_deals_not_overdue(as_of), con) == [
        "expect_column_values_to_be_between days_overdue: 1 unexpected"  # O4, 60 days
    ]
    monkeypatch.setenv("FUNNEL_CLOSE_GRACE_DAYS", "90")
    assert failures(open_deals_not_overdue(as_of), con) == []


def test_late_stage_deals_need_an_amount(con, monkeypatch) -> None:
    suite = late_stage_deals_have_amount(DEFAULT_FOLDER)
    assert failures(suite, con) == [
        "expect_column_values_to_not_be_null amount: 1 unexpected"  # O2 in negotiation (0.60)
    ]
    monkeypatch.setenv("FUNNEL_LATE_STAGE_PROBABILITY", "0.9")  # only signed is late now
    assert failures(late_stage_deals_have_amount(DEFAULT_FOLDER), con) == []


def test_freshness_of_each_export(con) -> None:
    assert failures(export_freshness(OPPORTUNITIES, datetime(2026, 1, 1, 20, 0)), con) == []
    assert failures(export_freshness(OPPORTUNITIES, datetime(2026, 1, 3, 2, 0)), con) == [
        "expect_column_values_to_be_between age_hours: 1 unexpected"  # 48 h > 36 h
    ]
    never = failures(export_freshness(CONTRACTS, datetime(2026, 1, 1, 3, 0)), con)
    assert never[0].startswith("expect_table_row_count_to_be_between")


def test_the_contract_suite_sees_the_current_version_of_each_key(con) -> None:
    assert failures(contract_suite(OPPORTUNITIES), con) == []
    assert failures(contract_suite(STAGE_HISTORY), con) == []
    assert failures(contract_suite(ACCOUNTS), con) == []  # empty: nothing to break
    # a row that bypassed the loader (written by hand): a status outside the contract
    con.execute(
        "insert into raw.opportunities (opportunity_id, opportunity_name, account_id, owner_id, "
        "opportunity_type, sales_process, current_stage, created_at, status, _loaded_at) "
        "values ('O9', 'x', 'A1', 'R1', 'new', 'standard', 'proposal', '2025-01-01 10:00:00', "
        "'archived', '2026-01-02')"
    )
    assert failures(contract_suite(OPPORTUNITIES), con) == [
        "expect_column_values_to_be_in_set status: 1 unexpected"
    ]


def test_mart_suites_flag_rates_outside_zero_to_one(con) -> None:
    con.execute("create schema marts")
    con.execute(
        "create table marts.mart_win_rates as select * from (values "
        "(0.25, 1, 3), (1.5, 3, 0)) as t(win_rate, won_count, lost_count)"
    )
    assert failures(mart_suites()["mart_win_rates"], con) == [
        "expect_column_values_to_be_between win_rate: 1 unexpected"
    ]
    con.execute(
        "create table marts.mart_funnel_conversion as select * from (values "
        "('cohort', 0.5, 4, 2), ('flow', 1.25, 4, 5)) "
        "as t(funnel_method, conversion_rate, entered_count, advanced_count)"
    )
    assert failures(mart_suites()["mart_funnel_conversion"], con) == []  # flow rows may exceed 1


def test_each_result_is_recorded_in_the_audit_table(con) -> None:
    record = CheckRecord(
        "run-1",
        "gx_export_freshness",
        "crm/opportunities",
        False,
        "WARN",
        "an export was loaded within 36 hours",
        "age_hours: 1 unexpected",
        datetime(2026, 1, 3, 2, 0),
    )
    record_check(con, record)
    record_check(con, record)
    rows = con.execute("select * from audit.check_results").fetchall()
    assert rows == [tuple(record.__dict__.values())] * 2


def test_a_waterfall_that_does_not_add_up_fails(con) -> None:
    con.execute("create schema marts")
    con.execute(
        "create table marts.mart_pipeline_waterfall as select * from (values "
        "(100.0, 50.0, 10.0, 30.0, 20.0, 5.0, -5.0, 100.0), "  # 100+50+10-30-20-5-5 = 100
        "(100.0, 50.0, 10.0, 30.0, 20.0, 5.0, -5.0, 101.0)) as t(opening_amount, "
        "created_amount, pulled_in_amount, won_amount, lost_amount, pushed_out_amount, "
        "changed_amount, closing_amount)"
    )
    assert failures(mart_suites()["mart_pipeline_waterfall"], con) == [
        "expect_column_values_to_be_between unexplained_amount: 1 unexpected"
    ]
