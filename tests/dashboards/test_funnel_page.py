"""The funnel page rendered headless with AppTest against the fixture snapshot."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from .apptest import open_page

APP = Path(__file__).resolve().parents[2] / "dashboards" / "streamlit_app.py"
LABELS = {
    "ic": "Initial contact",
    "nc": "Needs confirmed",
    "pr": "Proposal",
    "ng": "Negotiation",
    "sg": "Signed",
}


def _app() -> AppTest:
    return AppTest.from_file(str(APP), default_timeout=30)


@pytest.fixture
def app(warehouse) -> AppTest:
    return open_page("funnel")


def funnel(at: AppTest) -> tuple[list[str], list[int]]:
    """Stage labels and counts of the rendered go.Funnel."""
    charts = at.get("plotly_chart")
    assert len(charts) == 1
    trace = json.loads(charts[0].proto.spec)["data"][0]
    assert trace["type"] == "funnel"
    return trace["y"], trace["x"]


def conversion_table(at: AppTest) -> pd.DataFrame:
    return at.dataframe[0].value


def dwell_table(at: AppTest) -> pd.DataFrame:
    return at.dataframe[-1].value


def select(at: AppTest, key: str, value: Any) -> AppTest:
    at.selectbox(key=key).select(value).run()
    assert not at.exception, at.exception
    return at


def test_renders_header_and_definition(app: AppTest) -> None:
    assert app.title[0].value == "Sales funnel"
    captions = [c.value for c in app.caption]
    assert any(
        "Data as of 2025-06-30 · last refresh 2025-07-01 10:05 (Asia/Shanghai)" in c
        for c in captions
    )
    assert any("first entered the from-stage" in c and "calendar days" in c for c in captions)


def test_defaults_to_latest_month_all_standard(app: AppTest) -> None:
    assert app.selectbox(key="g_grain").value == "month"
    assert app.selectbox(key="g_grain").options == ["Quarter", "Month"]  # quarter is the default
    assert app.selectbox(key="funnel_period").value == dt.date(2025, 6, 1)
    assert app.selectbox(key="funnel_period").options == ["2025-06", "2025-05"]
    assert app.selectbox(key="g_dimension").value == "all"
    assert app.selectbox(key="funnel_process").value == "standard"


def test_funnel_chart_shows_fixture_numbers(app: AppTest) -> None:
    names, counts = funnel(app)
    assert names == [LABELS[s] for s in ("ic", "nc", "pr", "ng", "sg")]
    assert counts == [90, 60, 40, 22, 11]


def test_conversion_table(app: AppTest) -> None:
    table = conversion_table(app)
    assert list(table["From stage"]) == [LABELS[s] for s in ("ic", "nc", "pr", "ng")]
    assert list(table["To stage"]) == [LABELS[s] for s in ("nc", "pr", "ng", "sg")]
    assert list(table["Entered"]) == [90, 60, 40, 22]
    assert list(table["Advanced"]) == [60, 40, 22, 11]
    assert list(table["Lost"]) == [20, 15, 12, 8]
    assert list(table["Open"]) == [10, 5, 6, 3]
    assert "Skipped next stage" not in table.columns  # only the strict reading skips
    assert table["Conversion"].round(4).tolist() == [0.6667, 0.6667, 0.55, 0.5]
    assert table["Resolved conversion"].round(4).tolist() == [0.75, 0.7273, 0.6471, 0.5789]
    assert list(table["vs benchmark"]) == ["▲ at/above", "▼ below", "—", "▲ at/above"]


def test_dwell_table(app: AppTest) -> None:
    table = dwell_table(app)
    assert list(table["Stage"]) == [LABELS[s] for s in ("ic", "nc", "pr", "ng")]
    assert list(table["Mean days"]) == [6.5, 12.25, 20.0, 35.5]
    assert list(table["Median days"]) == [5.0, 10.0, 18.0, 33.0]
    assert list(table["P90 days"]) == [14.0, 25.0, 41.0, 60.0]
    assert list(table["Open visits"]) == [10, 5, 6, 3]
    assert list(table["Open median age (days)"]) == [8.0, 12.0, 22.0, 40.0]
    assert list(table["Median vs SLA"]) == ["✓ within"] * 3 + ["▲ over SLA"]


def skip_metric(at: AppTest) -> tuple[str, str]:
    """Label and value of the stage-skip metric."""
    [metric] = at.metric
    return metric.label, metric.value


def test_skip_share_metric(app: AppTest) -> None:
    assert skip_metric(app) == ("Skipped a stage", "15.0%")
    assert "created" in app.metric[0].help
    assert any(
        "12 of 80 opportunities created in the period that moved stage" in c.value
        for c in app.caption
    )


def test_skip_share_follows_the_filters(app: AppTest) -> None:
    select(app, "funnel_period", dt.date(2025, 5, 1))
    assert skip_metric(app)[1] == "25.0%"
    select(app, "g_grain", "quarter")
    assert skip_metric(app)[1] == "20.6%"
    select(app, "g_grain", "month")
    select(app, "g_dimension", "region")
    select(app, "g_value", "华东")
    assert skip_metric(app)[1] == "10.0%"
    select(app, "g_value", "X'; DROP TABLE dim_stages; --")  # no row
    assert skip_metric(app)[1] == "—"
    assert any("has moved stage yet" in c.value for c in app.caption)
    select(app, "g_dimension", "all")
    select(app, "funnel_process", "renewal")
    assert skip_metric(app)[1] == "0.0%"


def test_changing_period_changes_numbers(app: AppTest) -> None:
    select(app, "funnel_period", dt.date(2025, 5, 1))
    assert funnel(app)[1] == [120, 75, 50, 28, 14]
    assert list(dwell_table(app)["Median days"]) == [6.0]


def test_changing_segment_changes_numbers(app: AppTest) -> None:
    select(app, "g_dimension", "region")
    select(app, "g_value", "华东")
    assert funnel(app)[1] == [30, 20, 12, 7, 3]
    assert list(conversion_table(app)["Entered"]) == [30, 20, 12, 7]
    assert list(dwell_table(app)["Median days"]) == [4.0]
    # a segment value full of SQL characters is just a value
    select(app, "g_value", "X'; DROP TABLE dim_stages; --")
    assert funnel(app)[1] == [5, 4, 3, 2, 1]
    # back to all: the region value is dropped, the page falls back to 'all'
    select(app, "g_dimension", "all")
    assert app.selectbox(key="g_value").value == "all"
    assert funnel(app)[1] == [90, 60, 40, 22, 11]


def test_changing_grain_picks_latest_quarter(app: AppTest) -> None:
    select(app, "g_grain", "quarter")
    assert app.selectbox(key="funnel_period").options == ["2025 Q2"]
    assert funnel(app)[1] == [210, 135, 90, 50, 25]


def test_renewal_process_has_its_own_stages(app: AppTest) -> None:
    select(app, "funnel_process", "renewal")
    names, counts = funnel(app)
    assert names == [LABELS[s] for s in ("ic", "pr", "ng", "sg")]
    assert counts == [40, 34, 28, 20]
    assert list(conversion_table(app)["vs benchmark"]) == ["▲ at/above", "▼ below", "▲ at/above"]


def test_empty_selection_shows_a_message(app: AppTest) -> None:
    select(app, "g_dimension", "region")
    select(app, "g_value", "华东")
    select(app, "funnel_process", "renewal")
    assert not app.get("plotly_chart")
    assert any("No opportunities entered this funnel" in i.value for i in app.info)


def test_switch_page_to_funnel(app: AppTest) -> None:
    app.switch_page("app_pages/funnel.py").run()
    assert not app.exception
    assert funnel(app)[1] == [90, 60, 40, 22, 11]


def test_new_publish_is_shown_on_rerun(warehouse, app: AppTest) -> None:
    warehouse.publish(
        "20250702T020000Z",
        [
            "UPDATE mart_funnel_conversion SET entered_count = 91 WHERE period_start = DATE "
            "'2025-06-01' AND segment_dimension = 'all' AND from_stage = 'initial_contact'",
        ],
    )
    app.run()
    assert funnel(app)[1][0] == 91
    assert any("20250702T020000Z" in c.value for c in app.caption)


def test_no_pointer_shows_friendly_message(empty_warehouse: Path) -> None:
    at = _app().run()
    assert not at.exception
    assert [i.value for i in at.info] == ["No data published yet: run `make refresh`"]
    assert not at.get("plotly_chart")
    assert not at.dataframe


def test_broken_pointer_shows_an_error_not_a_traceback(warehouse) -> None:
    warehouse.write_pointer({"snapshot": "snapshots/pruned.duckdb", "refresh_id": "pruned"})
    at = _app().run()
    assert not at.exception
    assert "snapshots/pruned.duckdb" in at.error[0].value
    assert not at.get("plotly_chart")


def test_chinese_stage_names_and_headers(warehouse) -> None:
    at = open_page("funnel", lang="zh")
    assert at.title[0].value == "销售漏斗"
    assert funnel(at)[0] == ["初步接触", "需求确认", "方案/报价", "商务谈判", "签约"]
    assert list(conversion_table(at)["对比基准"]) == ["▲ 达到/高于", "▼ 低于", "—", "▲ 达到/高于"]
    assert skip_metric(at) == ("跳过阶段占比", "15.0%")


def test_strict_and_flow_readings(app: AppTest) -> None:
    app.button_group(key="funnel_kind").set_value("strict").run()
    assert funnel(app)[1] == [90, 60, 40, 22, 11]
    assert list(conversion_table(app)["Advanced"]) == [54, 36, 20, 11]
    assert list(conversion_table(app)["Skipped next stage"]) == [6, 4, 2, 0]
    assert "Strict" in app.subheader[0].help
    app.button_group(key="funnel_method").set_value("flow").run()
    assert not app.get("plotly_chart")  # no flow / strict rows in the fixture
    app.button_group(key="funnel_kind").set_value("any_stage").run()
    assert funnel(app)[1] == [100, 75, 50, 30, 12]
    table = conversion_table(app)
    assert table["Lost"].isna().all() and table["Open"].isna().all()
    assert "Period-flow definition" in app.subheader[0].help


def test_two_segments_side_by_side(app: AppTest) -> None:
    app.toggle(key="funnel_compare").set_value(True).run()
    select(app, "funnel_cmp_dimension", "region")
    select(app, "funnel_cmp_value", "华东")
    charts = {
        c.proto.id.rsplit("-", 1)[-1]: json.loads(c.proto.spec) for c in app.get("plotly_chart")
    }
    assert charts["funnel_chart"]["data"][0]["x"] == [90, 60, 40, 22, 11]
    assert charts["funnel_chart_cmp"]["data"][0]["x"] == [30, 20, 12, 7, 3]
    assert [s.value for s in app.subheader][:2] == [
        "Funnel · all segments",
        "Funnel · Region = 华东",
    ]
    assert list(app.dataframe[1].value["Entered"]) == [30, 20, 12, 7]
