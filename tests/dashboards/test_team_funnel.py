"""A sales manager's own funnel: the team segment of the funnel marts through the app.

A user scoped to ``teams: [west-1]`` (password sign-in, scope file written here) gets the
funnel and conversion & dwell pages with west-1's numbers (fixture ``conftest.py``: June 2025 ·
team west-1 · standard, funnel 40, 30, 20, 10, 5, stage-skip 6 of 30, initial_contact dwell
median 6) and nothing of east-1's (funnel 50, 30, 20, 12, 6) or of all teams together (90, 60,
40, 22, 11); company-wide benchmarks are hidden from them. A user who sees everything can pick
the team dimension in the sidebar.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from data import queries
from streamlit.testing.v1 import AppTest

from .apptest import APP, chart, open_page, password_sign_in, set_widget
from .test_funnel_page import conversion_table, dwell_table, funnel, skip_metric
from .test_scope_pages import shown_text

PASSWORD = "team password"  # noqa: S105 - a test password
# east-1's opportunities, team and region: never shown to the west-1 manager
EAST_ONLY = ("east-1", "华东", "OPP1", "OPP4", "OPP5", "OPP6", "OPP7")


@pytest.fixture
def west_manager(warehouse, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    password_sign_in(
        tmp_path,
        monkeypatch,
        PASSWORD,
        ["west.manager@example.com"],
        "west.manager@example.com: {teams: [west-1]}",
    )


def _signed_in(page: str) -> AppTest:
    at = AppTest.from_file(str(APP), default_timeout=30)
    at.session_state["lang"] = "en"
    at.session_state["g_grain"] = "month"
    at.run()
    at.text_input(key="login_user").input("west.manager@example.com")
    at.text_input(key="login_password").input(PASSWORD)
    at.button(key="login_submit").click().run()
    assert not at.exception, at.exception
    at.switch_page(f"app_pages/{page}.py").run()
    assert not at.exception, at.exception
    return at


def test_a_team_manager_sees_their_teams_funnel(west_manager) -> None:
    at = _signed_in("funnel")
    assert at.selectbox(key="g_dimension").options == ["Team"]
    assert at.selectbox(key="g_value").options == ["west-1"]
    assert funnel(at)[1] == [40, 30, 20, 10, 5]
    table = conversion_table(at)
    assert list(table["Entered"]) == [40, 30, 20, 10]
    assert list(table["Lost"]) == [5, 7, 6, 4]
    assert table["Conversion"].round(4).tolist() == [0.75, 0.6667, 0.5, 0.5]
    assert table["Benchmark"].isna().all()  # company-wide: not in a scoped view
    assert list(dwell_table(at)["Median days"]) == [6.0]
    assert skip_metric(at) == ("Skipped a stage", "20.0%")  # 6 of 30
    captions = " ".join(c.value for c in at.caption)
    assert "when the deal entered the stage" in captions
    assert "Company-wide benchmarks are shown to users who see everything only" in captions
    text = shown_text(at)
    assert not [token for token in EAST_ONLY if token in text]


def test_a_team_manager_sees_their_teams_conversion_and_dwell(west_manager) -> None:
    at = _signed_in("conversion")
    assert at.selectbox(key="conv_heat_dimension").options == ["Team"]
    [heat] = chart(at, "conv_heatmap")
    assert heat["x"] == ["west-1"]
    assert [[round(v, 4) for v in row] for row in heat["z"]] == [[0.75], [0.6667], [0.5], [0.5]]
    line, benchmark = chart(at, "conv_trend")
    assert (line["x"], line["y"]) == (["2025-06"], [0.75])  # initial_contact: 30 / 40
    assert benchmark["y"] == [None]
    set_widget(at, "button_group", "conv_metric", "median_days")
    [heat] = chart(at, "conv_heatmap")
    assert (heat["x"], heat["z"]) == (["west-1"], [[6.0]])
    text = shown_text(at)
    assert not [token for token in EAST_ONLY if token in text]


def test_an_unscoped_user_can_pick_the_team_dimension(warehouse) -> None:
    at = open_page("funnel")
    assert at.selectbox(key="g_dimension").options == ["All", "Region", "Team"]
    set_widget(at, "selectbox", "g_dimension", "team")
    assert at.selectbox(key="g_value").options == ["east-1", "west-1"]
    set_widget(at, "selectbox", "g_value", "east-1")
    assert funnel(at)[1] == [50, 30, 20, 12, 6]
    assert conversion_table(at)["Benchmark"].fillna(-1).tolist() == [0.6, 0.7, -1, 0.45]
    assert list(dwell_table(at)["Median days"]) == [4.5]
    assert skip_metric(at)[1] == "12.0%"  # 6 of 50
    assert any("when the deal entered the stage" in c.value for c in at.caption)
    at.switch_page("app_pages/conversion.py").run()
    assert not at.exception, at.exception
    [heat] = chart(at, "conv_heatmap")  # the sidebar's team dimension splits the heatmap
    assert heat["x"] == ["east-1", "west-1"]
    assert [round(row[0], 4) for row in heat["z"]] == [0.6, 0.6667, 0.6, 0.5]


def test_team_drill_down_lists_the_visits_of_the_team(warehouse) -> None:
    """The drill-down matches the visit's team (fct_stage_visits.team), as the marts do."""
    june, may = dt.date(2025, 6, 1), dt.date(2025, 5, 1)
    east = queries.stage_entrants("month", june, "team", "east-1", "standard", "initial_contact")
    assert list(east["opportunity_id"]) == ["OPP1", "OPP4", "OPP6"]
    west = queries.stage_entrants("month", may, "team", "west-1", "standard", "initial_contact")
    assert list(west["opportunity_id"]) == ["OPP3"]
    assert queries.stage_entrants(
        "month", june, "team", "west-1", "standard", "initial_contact"
    ).empty
