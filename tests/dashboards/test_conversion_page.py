"""Conversion & dwell page: heatmaps and the transition trend against the fixture marts."""

from __future__ import annotations

import datetime as dt

import pytest

from .apptest import chart, open_page, set_widget
from .conftest import HOSTILE_SEGMENT

STANDARD_EN = ["Initial contact", "Needs confirmed", "Proposal", "Negotiation", "Signed"]


def transitions(names: list[str]) -> list[str]:
    return [f"{a} → {b}" for a, b in zip(names, names[1:], strict=False)]


def heatmap(at) -> dict:
    [trace] = chart(at, "conv_heatmap")
    assert trace["type"] == "heatmap"
    return trace


def rounded(rows: list[list[float | None]]) -> list[list[float | None]]:
    return [[None if v is None else round(v, 4) for v in row] for row in rows]


@pytest.fixture
def page(warehouse):
    return open_page("conversion")


def test_defaults_to_a_dimension_with_segments(page) -> None:
    assert page.title[0].value == "Conversion & dwell"
    assert page.selectbox(key="conv_period").value == dt.date(2025, 6, 1)
    # the sidebar says all segments: the heatmap splits by the first dimension with segments
    assert page.selectbox(key="conv_heat_dimension").options == ["Region", "Team"]
    assert page.subheader[0].value == "Stage × Region"
    trace = heatmap(page)
    assert trace["x"] == [HOSTILE_SEGMENT, "华东"]
    # hostile 4/5, 3/4, 2/3, 1/2 · 华东 20/30, 12/20, 7/12, 3/7
    assert rounded(trace["z"]) == [
        [0.8, 0.6667],
        [0.75, 0.6],
        [0.6667, 0.5833],
        [0.5, 0.4286],
    ]
    assert "Cohort definition" in page.subheader[0].help


def test_dwell_heatmaps_calendar_and_business_days(page) -> None:
    set_widget(page, "button_group", "conv_metric", "median_days")
    trace = heatmap(page)
    assert (trace["y"], trace["x"], rounded(trace["z"])) == (["Initial contact"], ["华东"], [[4.0]])
    assert "calendar days" in page.subheader[0].help
    set_widget(page, "button_group", "conv_metric", "median_business_days")
    assert rounded(heatmap(page)["z"]) == [[3.0]]
    assert "business days" in page.subheader[0].help
    set_widget(page, "selectbox", "conv_period", dt.date(2025, 5, 1))
    assert not page.get("plotly_chart")[1:]  # no May dwell by region: only the trend is drawn
    assert "No rows for this selection." in [i.value for i in page.info]


def test_trend_over_the_date_range(page) -> None:
    set_widget(page, "selectbox", "conv_transition", "proposal")
    line, benchmark = chart(page, "conv_trend")
    assert line["x"] == ["2025-05", "2025-06"]
    assert [round(v, 4) for v in line["y"]] == [0.56, 0.55]  # 28/50, 22/40
    assert benchmark["y"] == [None, None]  # no benchmark for proposal → negotiation
    set_widget(page, "date_input", "g_range", (dt.date(2025, 6, 1), dt.date(2025, 6, 30)))
    line, _ = chart(page, "conv_trend")
    assert line["x"] == ["2025-06"]
    assert page.selectbox(key="conv_period").options == ["2025-06"]


def test_trend_follows_the_segment_and_grain(page) -> None:
    set_widget(page, "selectbox", "g_dimension", "region")
    set_widget(page, "selectbox", "g_value", "华东")
    line, benchmark = chart(page, "conv_trend")
    assert (line["x"], [round(v, 4) for v in line["y"]]) == (["2025-06"], [0.6667])
    assert benchmark["y"] == [0.6]
    set_widget(page, "selectbox", "g_dimension", "all")
    set_widget(page, "selectbox", "g_grain", "quarter")
    line, _ = chart(page, "conv_trend")
    assert (line["x"], [round(v, 4) for v in line["y"]]) == (["2025 Q2"], [0.6429])  # 135/210


def test_renewal_process_has_its_own_transitions(page) -> None:
    set_widget(page, "selectbox", "conv_process", "renewal")
    assert not page.get("plotly_chart")[1:]  # renewal has no rows by region
    set_widget(page, "selectbox", "conv_transition", "negotiation")  # renewal's own stages
    line, _ = chart(page, "conv_trend")
    assert [round(v, 4) for v in line["y"]] == [0.7143]  # 20/28 in June 2025


def test_chinese_labels_and_stage_names(warehouse) -> None:
    at = open_page("conversion", lang="zh")
    assert at.title[0].value == "转化与停留"
    assert heatmap(at)["y"][0] == "初步接触 → 需求确认"
    assert at.selectbox(key="g_grain").label == "周期粒度"
    set_widget(at, "radio", "lang", "en")
    assert at.title[0].value == "Conversion & dwell"
    assert heatmap(at)["y"][0] == "Initial contact → Needs confirmed"
