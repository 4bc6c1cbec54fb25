"""Win-probability scores in every opportunity list, and the model forecast method.

Fixture (``conftest.py``): the open OPP1 / OPP3 / OPP4 / OPP6 are scored 0.42 / 0.65 / 0.18 /
0.30 by ``MODEL_VERSION``; the closed OPP2 / OPP5 / OPP7 have no score. Model-weighted
forecast: June east-1 2,200,000, west-1 null (not every open deal scored). Accuracy, month ·
all: model MAPE 5 %, configured 22.5 %, empirical 10 %; east-1 has no model rows.
"""

from __future__ import annotations

import datetime as dt
import math

import pandas as pd
from data import identity, queries, scope
from streamlit.testing.v1 import AppTest

from .apptest import chart, open_page, set_widget
from .conftest import JUNE, MODEL_VERSION

AUGUST = dt.date(2025, 8, 1)
EAST = scope.Scope(user="east", regions=("华东",), teams=("east-1",))
DECLINED = [
    "DELETE FROM fct_opportunity_scores",
    "UPDATE mart_forecast_vs_target SET model_scored_count = 0, weighted_model_amount = NULL,"
    " projected_model_amount = NULL, projected_model_attainment_rate = NULL,"
    " gap_model_amount = NULL, model_version = NULL",
    "DELETE FROM mart_forecast_accuracy WHERE forecast_method = 'model'",
    "UPDATE _model_status SET status = 'declined', model_version = NULL,"
    " reason = 'only 120 closed deals are known (fewer than 200)'",
]


def _probabilities(frame: pd.DataFrame) -> dict[str, float | None]:
    """Opportunity → probability, None where there is no score (null, an empty cell)."""
    values = frame["win_probability"].astype(float)
    return {
        str(o): None if math.isnan(p) else p
        for o, p in zip(frame["opportunity_id"], values, strict=True)
    }


def _frame(at: AppTest, column: str) -> pd.DataFrame:
    """The one dataframe on the page that has ``column``."""
    found = [d.value for d in at.dataframe if column in d.value.columns]
    assert len(found) == 1, [list(d.value.columns) for d in at.dataframe]
    return found[0]


# ---------------------------------------------------------------------------------- queries


def test_opportunity_lists_carry_the_score_and_null_without_one(warehouse) -> None:
    open_deals = queries.period_opportunities("open", "month", AUGUST, "all", "all")
    assert _probabilities(open_deals) == {"OPP3": 0.65, "OPP6": 0.30, "OPP1": 0.42, "OPP4": 0.18}
    assert set(open_deals["model_version"]) == {MODEL_VERSION}
    assert open_deals.set_index("opportunity_id").loc["OPP3", "top_factors_en"] == (
        "Stage Negotiation: +21 pts"
    )
    won = queries.period_opportunities("won", "month", dt.date(2025, 6, 1), "all", "all")
    assert list(won["opportunity_id"]) == ["OPP7", "OPP2"]
    assert won["win_probability"].isna().all() and won["top_factors_zh"].isna().all()
    members = queries.alert_opportunities("W1")
    assert _probabilities(members) == {"OPP1": 0.42, "OPP5": None, "OPP6": 0.30}
    alerts = queries.alerts().set_index("alert_id")
    assert alerts.loc["A1", "win_probability"] == 0.42  # stalled OPP1
    assert math.isnan(alerts.loc["W1", "win_probability"])  # names no opportunity


def test_scores_follow_the_row_level_scope(warehouse, monkeypatch) -> None:
    monkeypatch.setattr(identity, "current_scope", lambda: EAST)
    members = queries.alert_opportunities("D1")  # OPP3 (west-1) and OPP4
    assert _probabilities(members) == {"OPP4": 0.18}
    open_deals = queries.period_opportunities("open", "month", AUGUST, "all", "all")
    assert _probabilities(open_deals) == {"OPP6": 0.30, "OPP1": 0.42, "OPP4": 0.18}


def test_a_snapshot_without_scores_lists_empty_score_cells(warehouse) -> None:
    warehouse.publish("noscores", ["DROP TABLE fct_opportunity_scores"])
    open_deals = queries.period_opportunities("open", "month", AUGUST, "all", "all")
    assert len(open_deals) == 4 and open_deals["win_probability"].isna().all()
    assert queries.alerts()["win_probability"].isna().all()


def test_forecast_rows_and_accuracy_have_the_model_method(warehouse) -> None:
    rows = queries.forecast_vs_target("month", "team")
    rows = rows[rows["period_start"] == pd.Timestamp(JUNE)].set_index("segment_value")
    assert float(rows.loc["east-1", "weighted_model_amount"]) == 2_200_000
    assert pd.isna(rows.loc["west-1", "weighted_model_amount"])  # 7 of 8 open deals scored
    history = queries.forecast_accuracy("month", "all", "all")
    model = history[history["forecast_method"] == "model"]
    assert list(model["error_rate"]) == [0.05, -0.05]  # June 6.3M vs 6M, May 4.75M vs 5M
    assert set(model["mape_rate"]) == {0.05} and set(model["model_version"]) == {MODEL_VERSION}
    east = queries.forecast_accuracy("month", "team", "east-1")
    assert set(east["forecast_method"]) == {"configured", "empirical"}


# ---------------------------------------------------------------------------------- pages


def test_alerts_page_lists_score_and_factors_in_english(warehouse) -> None:
    at = open_page("alerts", lang="en")
    members = _frame(at, "Role")  # weak transition W1: its opportunities are scored
    assert _probabilities(
        members.rename(
            columns={"Opportunity": "opportunity_id", "Win probability": "win_probability"}
        )
    ) == {
        "OPP1": 0.42,
        "OPP5": None,  # lost
        "OPP6": 0.30,
    }
    assert "Win probability" not in _frame(at, "Rank").columns  # W1 names no opportunity
    set_widget(at, "selectbox", "alerts_type", "stalled")
    table = _frame(at, "Rank")  # the stalled alerts A1, A2, A3
    assert list(table["Win probability"]) == [0.42, 0.65, 0.18]
    assert list(table["Top factors"])[0] == (
        "3 visits in the last 30 days: +9 pts; Stage Proposal: +4 pts"
    )
    assert set(table["Model version"]) == {MODEL_VERSION}
    members = _frame(at, "Role")  # the first alert's opportunity list
    assert list(members["Opportunity"]) == ["OPP1"]
    assert list(members["Win probability"]) == [0.42]


def test_alerts_and_overview_lists_in_chinese(warehouse) -> None:
    at = open_page("alerts", lang="zh")
    set_widget(at, "selectbox", "alerts_type", "stalled")
    table = _frame(at, "排名")
    assert list(table["赢单概率"]) == [0.42, 0.65, 0.18]
    assert list(table["主要因素"])[2] == "在当前阶段 45 天：−12 个百分点；40 天无跟进：−6 个百分点"
    overview = open_page(lang="zh")
    set_widget(overview, "button_group", "overview_drill", "created")
    created = _frame(overview, "客户")
    assert list(created["商机"]) == ["OPP6", "OPP1", "OPP4"]
    assert list(created["赢单概率"]) == [0.30, 0.42, 0.18]
    assert list(created["主要因素"])[0] == "行业 power：+3 个百分点"
    assert list(created["模型版本"]) == [MODEL_VERSION] * 3


def test_closed_deals_show_empty_score_cells(warehouse) -> None:
    at = open_page(lang="en")  # the overview lists June's won deals OPP7, OPP2
    won = _frame(at, "Customer")
    assert list(won["Opportunity"]) == ["OPP7", "OPP2"]
    assert won["Win probability"].isna().all()  # an empty cell, not 0
    assert list(won["Top factors"]) == ["", ""] and list(won["Model version"]) == ["", ""]


def test_forecast_page_shows_the_model_method_and_its_accuracy(warehouse) -> None:
    at = open_page("forecast", lang="en")
    table = _frame(at, "Weighted (model)")
    assert list(table["Segment"]) == ["east-1", "west-1"]
    assert float(table["Weighted (model)"][0]) == 2_200_000
    assert pd.isna(table["Weighted (model)"][1])
    bars = [trace["name"] for trace in chart(at, "forecast_chart")]
    assert bars.index("Weighted (model)") == bars.index("Weighted (empirical)") + 1
    captions = [c.value for c in at.caption]
    assert any("did not score every open deal" in c for c in captions)
    # east-1's accuracy has no model rows; the 'all' breakdown has all three methods
    assert "No model rows" in " ".join(captions)
    set_widget(at, "selectbox", "forecast_dimension", "all")
    summary = _frame(at, "MAPE")
    assert list(summary["Method"]) == [
        "Configured probabilities",
        "Empirical win rates",
        "Model probabilities",
    ]
    assert list(summary["MAPE"]) == [0.225, 0.1, 0.05]
    history = _frame(at, "Forecast at period start")
    model = history[history["Method"] == "Model probabilities"]
    assert list(model["Period"]) == ["2025-06", "2025-05"]
    assert list(model["Forecast at period start"]) == [6_300_000, 4_750_000]
    assert set(model["Model version"]) == {MODEL_VERSION}


def test_forecast_page_in_chinese_and_when_the_model_declined(warehouse) -> None:
    at = open_page("forecast", lang="zh")
    assert float(_frame(at, "加权预测（模型赢率）")["加权预测（模型赢率）"][0]) == 2_200_000
    set_widget(at, "selectbox", "forecast_dimension", "all")
    assert "模型赢率" in list(_frame(at, "平均绝对误差 (MAPE)")["预测方法"])
    warehouse.publish("declined", DECLINED)
    at = open_page("forecast", lang="en")
    assert _frame(at, "Weighted (model)")["Weighted (model)"].isna().all()
    captions = " ".join(c.value for c in at.caption)
    assert "declined (only 120 closed deals are known (fewer than 200))" in captions
    set_widget(at, "button_group", "forecast_drill_measure", "won")
    assert _frame(at, "Opportunity")["Win probability"].isna().all()
