"""Forecast vs target page: won, weighted pipeline, target, gap and coverage per segment."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import plotly.graph_objects as go
import streamlit as st
from data import queries
from ui import common

DIMENSIONS = ("team", *queries.SEGMENT_DIMENSIONS)  # team first: targets are set per team
ALL_PERIODS = "all"
BARS = {
    "won_amount": "Won 已签单额",
    "weighted_configured_amount": "Weighted (configured) 加权预测(配置赢率)",
    "weighted_empirical_amount": "Weighted (empirical) 加权预测(历史赢率)",
    "target_amount": "Target 目标",
    "gap_configured_amount": "Gap (configured) 缺口(配置赢率)",
}
COLUMNS = {
    "period": "Period 周期",
    "segment_value": "Segment 细分",
    "won_count": "Won deals 赢单数",
    **BARS,
    "gap_empirical_amount": "Gap (empirical) 缺口(历史赢率)",
    "open_pipeline_amount": "Open pipeline 在途商机金额",
    "attainment_rate": "Attainment 达成率",
    "projected_configured_attainment_rate": "Projected attainment 预计达成率",
    "pipeline_coverage_ratio": "Coverage 商机覆盖率",
}
AMOUNT = st.column_config.NumberColumn(format="localized")
COLUMN_CONFIG = {
    **{COLUMNS[c]: AMOUNT for c in (*BARS, "gap_empirical_amount", "open_pipeline_amount")},
    COLUMNS["attainment_rate"]: st.column_config.NumberColumn(format="percent"),
    COLUMNS["projected_configured_attainment_rate"]: st.column_config.NumberColumn(
        format="percent"
    ),
    COLUMNS["pipeline_coverage_ratio"]: st.column_config.NumberColumn(
        format="%.2f×", help="open pipeline ÷ (target − won); empty when nothing is left to win"
    ),
}

snapshot = common.require_snapshot()
common.freshness_header("Forecast vs target 预测与目标", snapshot)

options = queries.forecast_options(snapshot=snapshot)
if options.empty:
    st.info("The published snapshot has no forecast rows yet. 暂无预测与目标数据。")
    st.stop()

st.sidebar.header("Filters 筛选")
present = set(options["period_grain"])
grain = common.sidebar_select(
    "Period grain 周期",
    [g for g in queries.GRAINS if g in present] + sorted(present - set(queries.GRAINS)),
    "forecast_grain",
    format_func=common.label(common.GRAIN_LABELS),
)
dims = set(options.loc[options["period_grain"] == grain, "segment_dimension"])
dimension = common.sidebar_select(
    "Segment by 细分维度",
    [d for d in DIMENSIONS if d in dims] + sorted(dims - set(DIMENSIONS)),
    "forecast_dimension",
    format_func=common.label({**common.DIMENSION_LABELS, "team": "Team 销售团队"}),
)
rows = queries.forecast_vs_target(grain, dimension, snapshot=snapshot)
rows = rows.assign(period_start=[pd.Timestamp(p).date() for p in rows["period_start"]])
periods: list[dt.date | str] = [*sorted(set(rows["period_start"]), reverse=True), ALL_PERIODS]
period = common.sidebar_select(
    "Period 周期",
    periods,
    "forecast_period",
    format_func=lambda p: (
        common.period_label(p, grain) if isinstance(p, dt.date) else "All periods 全部周期"
    ),
)
if period != ALL_PERIODS:
    rows = rows[rows["period_start"] == period]
if rows.empty:
    st.info("No forecast rows for this selection. 该筛选条件下暂无数据。")
    st.stop()

rows = rows.assign(period=[common.period_label(p, grain) for p in rows["period_start"]])
if period != ALL_PERIODS:
    x = list(rows["segment_value"])
else:
    x = [f"{p} · {v}" for p, v in zip(rows["period"], rows["segment_value"], strict=True)]
fig = go.Figure(
    [
        go.Bar(name=name, x=x, y=[float(v) if pd.notna(v) else None for v in rows[col]])
        for col, name in BARS.items()
    ]  # fmt: skip
)
fig.update_layout(
    barmode="group", height=420, margin={"l": 10, "r": 10, "t": 30, "b": 10}, legend_orientation="h"
)
st.plotly_chart(fig, width="stretch", key="forecast_chart")

table = rows[list(COLUMNS)].rename(columns=COLUMNS)
st.dataframe(table, hide_index=True, width="stretch", column_config=COLUMN_CONFIG)
st.caption(
    "Won so far by closed date; open pipeline as of the as-of date by expected close date. "
    "Weighted = Σ amount × stage probability (configured, or the segment's historical win rate). "
    "Targets exist per team (the 'all' row sums them); other segments have none. "
    "Amounts are summed across currencies as exported."
)
