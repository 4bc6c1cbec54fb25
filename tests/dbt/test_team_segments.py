"""The team segment of the funnel marts on the fixture warehouse (tests/dbt/fixtures/raw).

Teams (sales_reps): REP001 east-1 owns OPP001, OPP004, OPP005, OPP010 (standard) and OPP007
(renewal); REP002 north-1 owns OPP002 and OPP009; REP003 south-1 owns OPP003 and OPP008
(renewal). No deal changes hands in the fixture, so each team row is its owner's deals (the
hand-over rules are in the marts' unit tests). The per-opportunity outcomes are summarised in
test_dbt_build.py's docstring. Reuses the session's ``built_warehouse`` (no extra dbt run).
"""

from __future__ import annotations

import datetime as dt

import pytest

pytestmark = pytest.mark.slow  # needs the session's dbt build of the fixture warehouse

Q2 = dt.date(2025, 4, 1)


@pytest.fixture
def marts(built_warehouse):  # type: ignore[no-untyped-def]
    """The session's fixture warehouse, once its dbt build has passed."""
    assert built_warehouse.build.returncode == 0, built_warehouse.build.output[-6000:]
    return built_warehouse


def test_funnel_team_rows_hand_worked(marts) -> None:
    rows = marts.query(
        "select segment_value, from_stage, entered_count, advanced_count, lost_count, "
        "open_count from marts.mart_funnel_conversion where funnel_method = 'cohort' "
        "and funnel_kind = 'any_stage' and period_grain = 'quarter' and period_start = ? "
        "and segment_dimension = 'team' and sales_process = 'standard' "
        "order by segment_value, from_stage_order",
        [Q2],
    )
    assert rows == [
        # OPP001, 004, 005 went on, OPP010 was lost at initial_contact
        ("east-1", "initial_contact", 4, 3, 1, 0),
        # OPP001 and OPP005 reached proposal; OPP004 still open in needs_confirmed
        ("east-1", "needs_confirmed", 3, 2, 0, 1),
        # OPP001 advanced; OPP005 open (won only after the as-of date)
        ("east-1", "proposal", 2, 1, 0, 1),
        ("east-1", "negotiation", 1, 1, 0, 0),
        # OPP002's skip past needs_confirmed counts as reaching it (any_stage)
        ("north-1", "initial_contact", 2, 2, 0, 0),
        # OPP002 went on to proposal, OPP009 is paused (open, not lost)
        ("north-1", "needs_confirmed", 2, 1, 0, 1),
        ("north-1", "proposal", 1, 0, 0, 1),
        # OPP003 was lost in proposal
        ("south-1", "initial_contact", 1, 1, 0, 0),
        ("south-1", "needs_confirmed", 1, 1, 0, 0),
        ("south-1", "proposal", 1, 0, 1, 0),
    ]


def test_team_rows_add_up_to_all_in_every_reading(marts) -> None:
    """Each counted event goes to exactly one team, so the team rows of a transition sum to
    its 'all' row, for both methods and both kinds (and for dwell visits and skip cohorts)."""
    keys = "funnel_method, funnel_kind, period_grain, period_start, sales_process, from_stage"
    mismatched = marts.query(
        f"with teams as (select {keys}, sum(entered_count) as entered, "
        "sum(advanced_count) as advanced, sum(lost_count) as lost, "
        "sum(entered_amount) as amount from marts.mart_funnel_conversion "
        f"where segment_dimension = 'team' group by {keys}), "
        f"everyone as (select {keys}, entered_count as entered, advanced_count as advanced, "
        "lost_count as lost, entered_amount as amount from marts.mart_funnel_conversion "
        "where segment_dimension = 'all') "
        f"select * from teams full join everyone using ({keys}) "
        "where teams.entered is distinct from everyone.entered "
        "or teams.advanced is distinct from everyone.advanced "
        "or teams.lost is distinct from everyone.lost "
        "or teams.amount is distinct from everyone.amount"
    )
    assert mismatched == []
    assert marts.query(
        "select count(distinct funnel_method || funnel_kind) from marts.mart_funnel_conversion "
        "where segment_dimension = 'team'"
    ) == [(4,)]
    for mart, key, measure in (
        ("mart_stage_dwell", "stage_code", "completed_visits + open_visits"),
        ("mart_stage_skips", "sales_process", "skipping_opportunities * 1000 + opportunities"),
    ):
        grain = f"period_grain, period_start, sales_process, {key}"
        assert (
            marts.query(
                f"with teams as (select {grain}, sum({measure}) as n from marts.{mart} "
                f"where segment_dimension = 'team' group by {grain}), "
                f"everyone as (select {grain}, {measure} as n from marts.{mart} "
                "where segment_dimension = 'all') "
                f"select * from teams full join everyone using ({grain}) "
                "where teams.n is distinct from everyone.n"
            )
            == []
        ), mart


def test_dwell_and_skips_team_rows_hand_worked(marts) -> None:
    # completed Q2 initial_contact visits: east-1 OPP001, OPP004, OPP005 and OPP010 (ended
    # by its loss); north-1 OPP002 and OPP009; south-1 OPP003
    assert marts.query(
        "select segment_value, completed_visits from marts.mart_stage_dwell "
        "where period_grain = 'quarter' and period_start = ? and segment_dimension = 'team' "
        "and sales_process = 'standard' and stage_code = 'initial_contact' "
        "order by segment_value",
        [Q2],
    ) == [("east-1", 4), ("north-1", 2), ("south-1", 1)]
    # created in Q2 and moved: east-1 OPP001, OPP004, OPP005 (none skipped; OPP005's skip is
    # after the as-of date); north-1 OPP002 (skipped) and OPP009; south-1 OPP003
    assert marts.query(
        "select segment_value, opportunities, skipping_opportunities from marts.mart_stage_skips "
        "where period_grain = 'quarter' and segment_dimension = 'team' "
        "and sales_process = 'standard' order by segment_value"
    ) == [("east-1", 3, 0), ("north-1", 2, 1), ("south-1", 1, 0)]
