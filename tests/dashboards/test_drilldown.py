"""Drill-down: every page lists the opportunities behind its numbers (the shared component)."""

from __future__ import annotations

import datetime as dt

import pytest
from data import queries

from .apptest import open_page, set_widget
from .conftest import HOSTILE_SEGMENT


def members(frame) -> list[str]:
    return list(frame.value["Opportunity"])


def opportunity_lists(at) -> list:
    """The page's opportunity lists (the forecast page also shows accuracy tables)."""
    return [frame for frame in at.dataframe if "Opportunity" in frame.value.columns]


def test_overview_lists_the_deals_behind_a_kpi(warehouse) -> None:
    at = open_page()
    assert members(at.dataframe[0]) == ["OPP7", "OPP2"]  # won in June 2025, largest first
    assert any(c.value == "2 opportunities" for c in at.caption)
    set_widget(at, "button_group", "overview_drill", "created")
    assert members(at.dataframe[0]) == ["OPP6", "OPP1", "OPP4"]
    set_widget(at, "button_group", "overview_drill", "closed")
    assert members(at.dataframe[0]) == ["OPP5", "OPP7", "OPP2"]
    set_widget(at, "selectbox", "g_dimension", "region")
    set_widget(at, "selectbox", "g_value", "华东")
    set_widget(at, "button_group", "overview_drill", "won")
    assert members(at.dataframe[0]) == ["OPP7"]
    assert at.download_button(key="overview_members_csv").label == "Download CSV"


def test_funnel_stage_lists_its_first_entries(warehouse) -> None:
    at = open_page("funnel")
    assert members(at.dataframe[1]) == ["OPP1", "OPP4", "OPP6"]  # OPP1's second visit not again
    set_widget(at, "selectbox", "funnel_drill", "needs_confirmed")
    assert members(at.dataframe[1]) == ["OPP5", "OPP1", "OPP6"]
    assert list(at.dataframe[1].value["Days in stage"].fillna(-1)) == [23.0, 4.0, -1]
    set_widget(at, "selectbox", "funnel_period", dt.date(2025, 5, 1))
    set_widget(at, "selectbox", "funnel_drill", "initial_contact")
    assert members(at.dataframe[1]) == ["OPP3", "OPP5"]


def test_heatmap_cell_lists_its_opportunities(warehouse) -> None:
    at = open_page("conversion")
    assert at.selectbox(key="conv_drill_segment").options == [HOSTILE_SEGMENT, "华东"]
    assert not at.dataframe  # no stage visits in the hostile segment
    set_widget(at, "selectbox", "conv_drill_segment", "华东")
    assert members(at.dataframe[0]) == ["OPP1", "OPP4", "OPP6"]
    set_widget(at, "selectbox", "conv_drill_stage", "needs_confirmed")
    assert members(at.dataframe[0]) == ["OPP5", "OPP1", "OPP6"]
    set_widget(at, "selectbox", "conv_drill_segment", HOSTILE_SEGMENT)
    assert not at.dataframe
    assert "No opportunities are listed for this selection." in [i.value for i in at.info]


def test_forecast_row_lists_won_and_open_deals(warehouse) -> None:
    at = open_page("forecast")
    assert at.selectbox(key="forecast_drill").options == ["2025-06 · east-1", "2025-06 · west-1"]
    assert not opportunity_lists(at)  # nothing open expected to close in June
    set_widget(at, "button_group", "forecast_drill_measure", "won")
    assert [members(f) for f in opportunity_lists(at)] == [["OPP7"]]
    set_widget(at, "selectbox", "forecast_drill", "2025-06 · west-1")
    assert [members(f) for f in opportunity_lists(at)] == [["OPP2"]]


def test_drill_down_queries_refuse_unknown_dimensions_and_bind_values(warehouse) -> None:
    with pytest.raises(ValueError, match="segment dimension"):
        queries.period_opportunities("won", "month", "2025-06-01", "region; DROP", "x")
    with pytest.raises(ValueError, match="unknown measure"):
        queries.period_opportunities("everything", "month", "2025-06-01", "all", "all")
    assert queries.period_opportunities("won", "month", "2025-06-01", "region", "' OR 1=1 --").empty
    assert len(queries.period_opportunities("won", "month", "2025-06-01", "all", "all")) == 2


def test_stage_names_follow_the_language(warehouse) -> None:
    at = open_page(lang="zh")
    assert list(at.dataframe[0].value["当前阶段"]) == ["签约", "签约"]
    set_widget(at, "radio", "lang", "en")
    assert list(at.dataframe[0].value["Stage"]) == ["Signed", "Signed"]
