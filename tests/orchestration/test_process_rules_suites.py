"""The CRM-rule GX suites follow the process the rules choose for opportunities exported
without a sales_process (before, such rows fell out of the stage-order and late-stage checks)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import duckdb
import pytest

from ingestion.contract import OPPORTUNITIES, STAGE_HISTORY
from ingestion.definitions import DEFAULT_FOLDER
from ingestion.loader import load_family
from ingestion.stages import load_stage_catalog
from orchestration.lib.expectations import (
    Suite,
    contract_suite,
    late_stage_deals_have_amount,
    run_suite,
    stage_order_within_process,
)
from tests.ingestion.test_loader import HEADER, LOADED_AT, opp


@pytest.fixture()
def con(tmp_path: Path) -> Iterator[duckdb.DuckDBPyConnection]:
    """Every opportunity leaves sales_process blank. B1 (new: standard by the default rule)
    moved back from proposal to initial_contact. B2 (renewal: the renewal process by rule 10)
    is open in negotiation (0.60, late) without an amount. B3 (new) is clean."""
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    (inbox / "opportunities.csv").write_text(
        "\n".join(
            [
                HEADER,
                opp("B1", sales_process="", current_stage="initial_contact"),
                opp(
                    "B2",
                    sales_process="",
                    opportunity_type="renewal",
                    current_stage="negotiation",
                    amount="",
                ),
                opp("B3", sales_process="", current_stage="proposal"),
            ]
        )
        + "\n",
        encoding="utf-8",
    )
    (inbox / "stage_history.csv").write_text(
        "opportunity_id,from_stage,to_stage,changed_at,changed_by\n"
        "B1,,proposal,2025-01-01 10:00:00,R1\n"
        "B1,proposal,initial_contact,2025-01-02 10:00:00,R1\n"
        "B2,,initial_contact,2025-01-01 10:00:00,R1\n"
        "B2,initial_contact,negotiation,2025-01-02 10:00:00,R1\n"
        "B3,,initial_contact,2025-01-01 10:00:00,R1\n"
        "B3,initial_contact,proposal,2025-01-02 10:00:00,R1\n",
        encoding="utf-8",
    )
    connection = duckdb.connect(str(tmp_path / "build.duckdb"))
    catalog = load_stage_catalog(DEFAULT_FOLDER)
    for family in (OPPORTUNITIES, STAGE_HISTORY):
        [load] = load_family(connection, family, inbox, LOADED_AT, catalog)
        assert load.rows_quarantined == 0
    yield connection
    connection.close()


def failures(suite: Suite, con: duckdb.DuckDBPyConnection) -> list[str]:
    outcome, _ = run_suite(suite, con)
    return outcome.failures


def test_blank_processes_are_checked_for_stage_order(con) -> None:
    suite = stage_order_within_process(load_stage_catalog(DEFAULT_FOLDER))
    frame = suite.frame(con)
    # B1 -2 (proposal 3 -> initial_contact 1 in standard); B2 +2 (renewal: 1 -> 3); B3 +2
    assert sorted(
        zip(frame.opportunity_id, frame.sales_process, frame.stages_moved, strict=True)
    ) == [
        ("B1", "standard", -2),
        ("B2", "renewal", 2),
        ("B3", "standard", 2),
    ]
    assert failures(suite, con) == ["expect_column_values_to_be_between stages_moved: 1 unexpected"]


def test_a_late_blank_process_deal_without_amount_is_flagged(con) -> None:
    assert failures(late_stage_deals_have_amount(DEFAULT_FOLDER), con) == [
        "expect_column_values_to_not_be_null amount: 1 unexpected"  # B2 in renewal negotiation
    ]


def test_the_contract_no_longer_requires_a_sales_process(con) -> None:
    assert failures(contract_suite(OPPORTUNITIES), con) == []
