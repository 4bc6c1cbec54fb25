"""Overview, forecast vs target and alerts pages rendered headless against the fixture."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from data import queries
from streamlit.testing.v1 import AppTest

from .conftest import HOSTILE_SEGMENT, JUNE, MAY, Q2

APP = Path(__file__).resolve().parents[2] / "dashboards" / "streamlit_app.py"
EMPTY = [
    "DELETE FROM mart_forecast_vs_target",
    "DELETE FROM mart_win_rates",
    "DELETE FROM mart_bottleneck_alerts",
    "DELETE FROM fct_alert_opportunities",
]


def _page(page: str | None = None) -> AppTest:
    at = AppTest.from_file(str(APP), default_timeout=30).run()
    assert not at.exception, at.exception
    if page is not None:
        at.switch_page(page).run()
        assert not at.exception, at.exception
    return at


def _set(at: AppTest, kind: str, key: str, value: Any) -> AppTest:
    widget = getattr(at, kind)(key=key)
    (widget.select(value) if kind == "selectbox" else widget.set_value(value)).run()
    assert not at.exception, at.exception
    return at


def metrics(at: AppTest) -> dict[str, tuple[str, str | None]]:
    return {m.label: (m.value, m.delta or None) for m in at.metric}


# -------------------------------------------------------------------------------- overview


def test_overview_is_the_default_page(warehouse) -> None:
    at = _page()
    assert at.title[0].value == "Overview 总览"
    assert at.selectbox(key="overview_grain").value == "month"
    assert at.selectbox(key="overview_period").value == JUNE
    shown = metrics(at)
    assert shown["Won amount 已签单额"] == ("6,000,000", "+1,000,000")
    assert shown["Won deals 赢单数"] == ("12", "+2")
    assert shown["Target 销售目标"] == ("12,000,000", "+2,000,000")
    assert shown["Weighted forecast 签单额预测"] == ("4,000,000", "+1,000,000")
    assert shown["Attainment 目标达成率"] == ("50.0%", "+0.0 pp")
    assert shown["Projected attainment 预计达成率"] == ("83.3%", "+3.3 pp")
    assert shown["Pipeline coverage 商机覆盖率"] == ("1.67×", "+0.07×")
    assert shown["Win rate 赢率 · Standard 标准流程"] == ("30.0%", "+10.0 pp")
    assert shown["Win rate 赢率 · Renewal 续约流程"] == ("90.0%", "+10.0 pp")


def test_overview_top_five_alerts_by_severity(warehouse) -> None:
    table = _page().dataframe[0].value
    assert len(table) == 5  # D1 (low, score 1) is the sixth
    assert list(table["详情"]) == [
        "方案/报价 停滞 45 天",
        "需求确认→方案 45% 低于 70%",
        "商务谈判 停滞 40 天",
        "早期商机仅覆盖下季目标 50%",
        "方案/报价 停滞 35 天",
    ]
    assert list(table["Severity 严重度"]) == [
        "High 高",
        "High 高",
        "Medium 中",
        "Medium 中",
        "Low 低",
    ]


def test_overview_filters_change_the_numbers(warehouse) -> None:
    at = _page()
    _set(at, "selectbox", "overview_period", MAY)
    shown = metrics(at)
    assert shown["Won amount 已签单额"] == ("5,000,000", None)  # no April row: no delta
    assert shown["Win rate 赢率 · Standard 标准流程"] == ("20.0%", None)
    assert shown["Pipeline coverage 商机覆盖率"] == ("1.60×", None)
    _set(at, "selectbox", "overview_grain", "quarter")
    assert at.selectbox(key="overview_period").value == Q2
    shown = metrics(at)
    assert shown["Won amount 已签单额"] == ("15,000,000", None)
    assert shown["Attainment 目标达成率"] == ("50.0%", None)
    assert shown["Win rate 赢率 · Standard 标准流程"] == ("30.0%", None)
    assert "Win rate 赢率 · Renewal 续约流程" not in shown


# -------------------------------------------------------------------------------- forecast


def _bars(at: AppTest) -> dict[str, tuple[list[str], list[float]]]:
    spec = json.loads(at.get("plotly_chart")[0].proto.spec)
    return {t["name"]: (t["x"], t["y"]) for t in spec["data"]}


def test_forecast_defaults_to_teams_of_the_latest_period(warehouse) -> None:
    at = _page("app_pages/forecast.py")
    assert at.title[0].value == "Forecast vs target 预测与目标"
    assert at.selectbox(key="forecast_dimension").value == "team"
    assert at.selectbox(key="forecast_period").value == JUNE
    table = at.dataframe[0].value
    assert list(table["Segment 细分"]) == ["east-1", "west-1"]
    assert list(table["Won 已签单额"]) == [4_000_000, 2_000_000]
    assert list(table["Target 目标"]) == [7_000_000, 5_000_000]
    assert list(table["Gap (configured) 缺口(配置赢率)"]) == [500_000, 1_500_000]
    assert [round(v, 4) for v in table["Coverage 商机覆盖率"]] == [2.0, 1.3333]
    bars = _bars(at)
    assert bars["Won 已签单额"] == (["east-1", "west-1"], [4_000_000, 2_000_000])
    assert bars["Weighted (empirical) 加权预测(历史赢率)"][1] == [2_000_000, 1_500_000]


def test_forecast_filters(warehouse) -> None:
    at = _page("app_pages/forecast.py")
    _set(at, "selectbox", "forecast_period", "all")  # all periods
    table = at.dataframe[0].value
    assert list(zip(table["Period 周期"], table["Segment 细分"], strict=True)) == [
        ("2025-06", "east-1"),
        ("2025-06", "west-1"),
        ("2025-05", "east-1"),
    ]
    _set(at, "selectbox", "forecast_dimension", "all")
    _set(at, "selectbox", "forecast_period", JUNE)
    table = at.dataframe[0].value
    assert list(table["Won 已签单额"]) == [6_000_000]
    assert list(table["Weighted (configured) 加权预测(配置赢率)"]) == [4_000_000]
    _set(at, "selectbox", "forecast_dimension", "region")
    table = at.dataframe[0].value
    assert list(table["Segment 细分"]) == ["华东"]
    assert table["Target 目标"].isna().all()  # no target outside teams
    _set(at, "selectbox", "forecast_grain", "quarter")
    assert at.selectbox(key="forecast_dimension").options == ["All 全部"]
    assert list(at.dataframe[0].value["Won 已签单额"]) == [15_000_000]


# ---------------------------------------------------------------------------------- alerts


def test_alert_lists_filters_and_download(warehouse) -> None:
    at = _page("app_pages/alerts.py")
    assert at.title[0].value == "Alerts 预警"
    assert at.selectbox(key="alerts_type").value == "weak_transition"
    _set(at, "selectbox", "alerts_type", "stalled")
    table = at.dataframe[0].value
    assert list(table["Rank 排名"]) == [1, 2, 3]
    assert list(table["Owner 负责人"]) == ["R1", "R2", "R1"]
    assert list(table["Days over SLA 超出SLA天数"]) == [15, 10, 5]
    button = at.download_button(key="alerts_csv")
    assert button.label == "Download CSV 下载 CSV"
    _set(at, "multiselect", "alerts_severity_stalled", ["high", "low"])
    assert list(at.dataframe[0].value["Rank 排名"]) == [1, 3]
    _set(at, "selectbox", "alerts_segment", "importance: SMB")
    assert not at.dataframe
    assert any("No alerts match the filters" in i.value for i in at.info)
    _set(at, "multiselect", "alerts_severity_stalled", ["medium"])
    assert list(at.dataframe[0].value["Opportunity 商机"]) == ["OPP3"]


def test_alert_without_owner_has_no_owner_column(warehouse) -> None:
    table = _page("app_pages/alerts.py").dataframe[0].value  # weak_transition
    assert "Owner 负责人" not in table.columns
    assert "Days over SLA 超出SLA天数" not in table.columns
    assert list(table["Segment 细分"]) == ["region: 华东"]


def test_drill_down_shows_the_alert_opportunities(warehouse) -> None:
    at = _page("app_pages/alerts.py")
    members = at.dataframe[-1].value
    assert list(members["Opportunity 商机"]) == ["OPP1", "OPP5", "OPP6"]
    assert list(members["Role 角色"]) == ["advanced", "lost", "open"]
    assert list(members["Owner 负责人"]) == ["张伟", "张伟", "李娜"]
    _set(at, "selectbox", "alerts_type", "stalled")
    assert at.selectbox(key="alerts_drill").value == "A1"
    _set(at, "selectbox", "alerts_drill", "A3")
    assert list(at.dataframe[-1].value["Opportunity 商机"]) == ["OPP4"]
    _set(at, "selectbox", "alerts_type", "duplicate")
    assert at.selectbox(key="alerts_drill").value == "D1"
    assert list(at.dataframe[-1].value["Opportunity 商机"]) == ["OPP3", "OPP4"]


# ------------------------------------------------------------------------ empty and queries


@pytest.mark.parametrize("page", [None, "app_pages/forecast.py", "app_pages/alerts.py"])
def test_pages_with_empty_tables_show_a_message(warehouse, page: str | None) -> None:
    warehouse.publish("20250703T020000Z", EMPTY)
    at = _page(page)
    assert not at.exception
    assert at.info
    assert not at.metric and not at.dataframe and not at.get("plotly_chart")


def test_alert_opportunities_binds_the_alert_id(warehouse) -> None:
    assert list(queries.alert_opportunities("W1")["opportunity_id"]) == ["OPP1", "OPP5", "OPP6"]
    for hostile in ("' OR '1'='1", "W1' --", HOSTILE_SEGMENT):
        assert queries.alert_opportunities(hostile).empty
    assert len(queries.alerts()) == 6


def test_forecast_and_win_rate_queries(warehouse) -> None:
    df = queries.forecast_vs_target("month", "team")
    assert list(df["segment_value"]) == ["east-1", "west-1", "east-1"]  # latest period first
    rates = queries.overall_win_rates("month")
    assert [(r.period_start.date(), r.sales_process) for r in rates.itertuples()] == [
        (JUNE, "renewal"),
        (JUNE, "standard"),
        (MAY, "renewal"),
        (MAY, "standard"),
    ]
    assert list(rates["win_rate"]) == [0.9, 0.3, 0.8, 0.2]
