"""Overview, forecast vs target and alerts pages rendered headless against the fixture."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from data import queries
from streamlit.testing.v1 import AppTest

from .apptest import open_page
from .conftest import HOSTILE_SEGMENT, JUNE, MAY, Q2

APP = Path(__file__).resolve().parents[2] / "dashboards" / "streamlit_app.py"
EMPTY = [
    "DELETE FROM mart_forecast_vs_target",
    "DELETE FROM mart_win_rates",
    "DELETE FROM mart_bottleneck_alerts",
    "DELETE FROM fct_alert_opportunities",
]


def _page(page: str | None = None, lang: str = "en") -> AppTest:
    name = None if page is None else page.removeprefix("app_pages/").removesuffix(".py")
    return open_page(name, lang=lang)


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
    assert at.title[0].value == "Overview"
    assert at.selectbox(key="g_grain").value == "month"
    assert at.selectbox(key="overview_period").value == JUNE
    shown = metrics(at)
    assert shown["Won amount"] == ("¥6.00M", "+¥1.00M")
    assert shown["Won deals"] == ("12", "+2")
    assert shown["Target"] == ("¥12.00M", "+¥2.00M")
    assert shown["Weighted forecast"] == ("¥4.00M", "+¥1.00M")
    assert shown["New pipeline"] == ("¥7.00M", "+¥1.50M")
    assert shown["Attainment"] == ("50.0%", "+0.0 pp")
    assert shown["Projected attainment"] == ("83.3%", "+3.3 pp")
    assert shown["Pipeline coverage"] == ("1.67×", "+0.07×")
    assert shown["Win rate · Standard"] == ("30.0%", "+10.0 pp")
    assert shown["Win rate · Renewal"] == ("90.0%", "+10.0 pp")
    # June 45 days against May's 52: seven days shorter
    assert shown["Median sales cycle · Standard"] == ("45 days", "-7")
    assert shown["Median sales cycle · Renewal"] == ("20 days", "+0")


def test_overview_top_five_alerts_by_severity(warehouse) -> None:
    table = _page(lang="zh").dataframe[-1].value
    assert len(table) == 5  # D1 (low, score 1) is the sixth
    assert list(table["详情"]) == [
        "方案/报价 停滞 45 天",
        "需求确认→方案 45% 低于 70%",
        "商务谈判 停滞 40 天",
        "早期商机仅覆盖下季目标 50%",
        "方案/报价 停滞 35 天",
    ]
    assert list(table["严重度"]) == ["高", "高", "中", "中", "低"]


def test_overview_filters_change_the_numbers(warehouse) -> None:
    at = _page()
    _set(at, "selectbox", "overview_period", MAY)
    shown = metrics(at)
    assert shown["Won amount"] == ("¥5.00M", None)  # no April row: no delta
    assert shown["Win rate · Standard"] == ("20.0%", None)
    assert shown["Pipeline coverage"] == ("1.60×", None)
    _set(at, "selectbox", "g_grain", "quarter")
    assert at.selectbox(key="overview_period").value == Q2
    shown = metrics(at)
    assert shown["Won amount"] == ("¥15.00M", None)
    assert shown["Attainment"] == ("50.0%", None)
    assert shown["Win rate · Standard"] == ("30.0%", None)
    assert "Win rate · Renewal" not in shown


# -------------------------------------------------------------------------------- forecast


def _bars(at: AppTest) -> dict[str, tuple[list[str], list[float]]]:
    spec = json.loads(at.get("plotly_chart")[0].proto.spec)
    return {t["name"]: (t["x"], t["y"]) for t in spec["data"]}


def test_forecast_defaults_to_teams_of_the_latest_period(warehouse) -> None:
    at = _page("app_pages/forecast.py")
    assert at.title[0].value == "Forecast vs target"
    assert at.selectbox(key="forecast_dimension").value == "team"
    assert at.selectbox(key="forecast_period").value == JUNE
    table = at.dataframe[0].value
    assert list(table["Segment"]) == ["east-1", "west-1"]
    assert list(table["Won"]) == [4_000_000, 2_000_000]
    assert list(table["Target"]) == [7_000_000, 5_000_000]
    assert list(table["Gap (configured)"]) == [500_000, 1_500_000]
    assert [round(v, 4) for v in table["Coverage"]] == [2.0, 1.3333]
    bars = _bars(at)
    assert bars["Won"] == (["east-1", "west-1"], [4_000_000, 2_000_000])
    assert bars["Weighted (empirical)"][1] == [2_000_000, 1_500_000]


def test_forecast_filters(warehouse) -> None:
    at = _page("app_pages/forecast.py")
    _set(at, "selectbox", "forecast_period", "all")  # all periods
    table = at.dataframe[0].value
    assert list(zip(table["Period"], table["Segment"], strict=True)) == [
        ("2025-06", "east-1"),
        ("2025-06", "west-1"),
        ("2025-05", "east-1"),
    ]
    _set(at, "selectbox", "forecast_dimension", "all")
    _set(at, "selectbox", "forecast_period", JUNE)
    table = at.dataframe[0].value
    assert list(table["Won"]) == [6_000_000]
    assert list(table["Weighted (configured)"]) == [4_000_000]
    _set(at, "selectbox", "forecast_dimension", "region")
    table = at.dataframe[0].value
    assert list(table["Segment"]) == ["华东"]
    assert table["Target"].isna().all()  # no target outside teams
    _set(at, "selectbox", "g_grain", "quarter")
    assert at.selectbox(key="forecast_dimension").options == ["All"]
    assert list(at.dataframe[0].value["Won"]) == [15_000_000]


# ---------------------------------------------------------------------------------- alerts


def test_alert_lists_filters_and_download(warehouse) -> None:
    at = _page("app_pages/alerts.py")
    assert at.title[0].value == "Alerts"
    assert at.selectbox(key="alerts_type").value == "weak_transition"
    _set(at, "selectbox", "alerts_type", "stalled")
    table = at.dataframe[0].value
    assert list(table["Rank"]) == [1, 2, 3]
    assert list(table["Owner"]) == ["R1", "R2", "R1"]
    assert list(table["Days over SLA"]) == [15, 10, 5]
    button = at.download_button(key="alerts_csv")
    assert button.label == "Download CSV"
    _set(at, "multiselect", "alerts_severity_stalled", ["high", "low"])
    assert list(at.dataframe[0].value["Rank"]) == [1, 3]
    _set(at, "selectbox", "alerts_segment", "importance: SMB")
    assert not at.dataframe
    assert any("No alerts match the filters" in i.value for i in at.info)
    _set(at, "multiselect", "alerts_severity_stalled", ["medium"])
    assert list(at.dataframe[0].value["Opportunity"]) == ["OPP3"]


def test_alert_without_owner_has_no_owner_column(warehouse) -> None:
    table = _page("app_pages/alerts.py").dataframe[0].value  # weak_transition
    assert "Owner" not in table.columns
    assert "Days over SLA" not in table.columns
    assert list(table["Segment"]) == ["region: 华东"]


def test_drill_down_shows_the_alert_opportunities(warehouse) -> None:
    at = _page("app_pages/alerts.py")
    members = at.dataframe[-1].value
    assert list(members["Opportunity"]) == ["OPP1", "OPP5", "OPP6"]
    assert list(members["Role"]) == ["advanced", "lost", "open"]
    assert list(members["Owner"]) == ["张伟", "张伟", "李娜"]
    _set(at, "selectbox", "alerts_type", "stalled")
    assert at.selectbox(key="alerts_drill").value == "A1"
    _set(at, "selectbox", "alerts_drill", "A3")
    assert list(at.dataframe[-1].value["Opportunity"]) == ["OPP4"]
    _set(at, "selectbox", "alerts_type", "duplicate")
    assert at.selectbox(key="alerts_drill").value == "D1"
    assert list(at.dataframe[-1].value["Opportunity"]) == ["OPP3", "OPP4"]


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
    rates = queries.win_rates("month")
    assert [(r.period_start.date(), r.sales_process) for r in rates.itertuples()] == [
        (JUNE, "renewal"),
        (JUNE, "standard"),
        (MAY, "renewal"),
        (MAY, "standard"),
    ]
    assert list(rates["win_rate"]) == [0.9, 0.3, 0.8, 0.2]


def test_overview_follows_the_global_segment(warehouse) -> None:
    at = _page()
    _set(at, "selectbox", "g_dimension", "region")
    _set(at, "selectbox", "g_value", "华东")
    shown = metrics(at)
    assert shown["Won amount"] == ("¥3.00M", None)  # 华东 June; no May row
    assert shown["New pipeline"] == ("¥2.00M", None)
    assert shown["Target"] == ("—", None)  # targets are set per team
    assert shown["Win rate · Standard"] == ("50.0%", None)  # 5 won, 5 lost


def test_overview_in_chinese_uses_wan_and_yi(warehouse) -> None:
    at = _page(lang="zh")
    assert at.title[0].value == "总览"
    shown = metrics(at)
    assert shown["已签单额"] == ("¥600.0万", "+¥100.0万")
    assert shown["赢率 · 标准流程"] == ("30.0%", "+10.0 pp")
    _set(at, "selectbox", "g_grain", "quarter")
    assert metrics(at)["新增商机金额"] == ("¥1,800.0万", None)
