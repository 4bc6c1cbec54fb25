"""Funnel page: stage-to-stage conversion and days in stage for one cohort period and segment."""

from __future__ import annotations

import streamlit as st
from data import queries
from ui import common, funnel_view

snapshot = common.require_snapshot()
common.freshness_header("Sales funnel 销售漏斗", snapshot)

options = queries.funnel_options(snapshot=snapshot)
if options.empty:
    st.info("The published snapshot has no funnel rows yet.")
    st.stop()

st.sidebar.header("Filters 筛选")
grain = common.sidebar_select(
    "Period grain 周期",
    options.grains(),
    "funnel_grain",
    format_func=common.label(common.GRAIN_LABELS),
)
period = common.sidebar_select(
    "Period 周期 (cohort of entry)",
    options.periods(grain),
    "funnel_period",
    format_func=lambda p: common.period_label(p, grain),
)
dimension = common.sidebar_select(
    "Segment by 细分维度",
    options.dimensions(),
    "funnel_dimension",
    format_func=common.label(common.DIMENSION_LABELS),
)
value = common.sidebar_select(
    "Segment 细分",
    options.values(dimension),
    "funnel_segment_value",
    disabled=dimension == "all",
)
process = common.sidebar_select(
    "Sales process 销售流程",
    options.processes(),
    "funnel_process",
    format_func=common.label(common.PROCESS_LABELS),
)

segment = (
    "all segments"
    if dimension == "all"
    else (f"{common.DIMENSION_LABELS.get(dimension, dimension)} = {value}")
)
st.markdown(
    f"**{common.PROCESS_LABELS.get(process, process)}** · "
    f"{common.period_label(period, grain)} · {segment}"
)

filters = (grain, period, dimension, value, process)
conversion = queries.funnel_conversion(*filters, snapshot=snapshot)
dwell = queries.stage_dwell(*filters, snapshot=snapshot)
labels = funnel_view.stage_labels(queries.stages(process, snapshot=snapshot))
skip_value, skip_detail = funnel_view.skip_share(queries.stage_skips(*filters, snapshot=snapshot))

st.metric(funnel_view.SKIP_LABEL, skip_value, help=funnel_view.SKIP_HELP)
st.caption(skip_detail)

st.subheader("Funnel 漏斗")
if conversion.empty:
    st.info("No opportunities entered this funnel for the selected period and segment.")
else:
    st.plotly_chart(
        funnel_view.funnel_figure(conversion, labels), width="stretch", key="funnel_chart"
    )

    st.subheader("Stage conversion 阶段转化")
    st.dataframe(
        funnel_view.conversion_table(conversion, labels),
        hide_index=True,
        width="stretch",
        column_config=funnel_view.CONVERSION_COLUMNS,
    )

st.subheader("Days in stage 阶段停留天数")
if dwell.empty:
    st.info("No stage visits for the selected period and segment.")
else:
    st.dataframe(
        funnel_view.dwell_table(dwell, labels),
        hide_index=True,
        width="stretch",
        column_config=funnel_view.DWELL_COLUMNS,
    )

st.caption(funnel_view.DEFINITION)
