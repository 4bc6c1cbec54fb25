"""Funnel page: stage-to-stage conversion and days in stage for one cohort period and segment."""

from __future__ import annotations

import streamlit as st
from data import queries
from ui import common, filters, funnel_view, i18n
from ui.i18n import t

snapshot = common.require_snapshot()
common.freshness_header(t("page.funnel"), snapshot)
chosen = filters.current()
money = common.currency(snapshot)
options = queries.funnel_options(snapshot=snapshot)

periods = chosen.periods(options.periods(chosen.grain))
if not periods:
    st.info(t("no_periods", grain=i18n.code_label("grain", chosen.grain)))
    st.stop()
period = common.sidebar_select(
    t("funnel.period"),
    periods,
    "funnel_period",
    format_func=lambda p: common.period_label(p, chosen.grain),
)
process = common.sidebar_select(
    t("process"), options.processes(), "funnel_process", format_func=i18n.formatter("process")
)

st.markdown(
    f"**{i18n.code_label('process', process)}** · "
    f"{common.period_label(period, chosen.grain)} · {chosen.segment_text()}"
)

filters_now = (chosen.grain, period, chosen.dimension, chosen.value, process)
conversion = queries.funnel_conversion(*filters_now, snapshot=snapshot)
dwell = queries.stage_dwell(*filters_now, snapshot=snapshot)
labels = i18n.stage_names(queries.stages(process, snapshot=snapshot))
skip_value, skip_detail = funnel_view.skip_share(
    queries.stage_skips(*filters_now, snapshot=snapshot)
)

st.metric(t("funnel.skip"), skip_value, help=t("funnel.skip.help"))
st.caption(skip_detail)

st.subheader(t("funnel.title"), help=t("funnel.help"))
if conversion.empty:
    st.info(t("funnel.empty"))
else:
    st.plotly_chart(
        funnel_view.funnel_figure(conversion, labels, money), width="stretch", key="funnel_chart"
    )

    st.subheader(t("funnel.conversion"), help=t("funnel.help"))
    st.dataframe(
        funnel_view.conversion_table(conversion, labels),
        hide_index=True,
        width="stretch",
        column_config=funnel_view.conversion_columns(),
    )

st.subheader(t("funnel.dwell"), help=t("funnel.dwell.help"))
if dwell.empty:
    st.info(t("funnel.dwell.empty"))
else:
    st.dataframe(
        funnel_view.dwell_table(dwell, labels),
        hide_index=True,
        width="stretch",
        column_config=funnel_view.dwell_columns(),
    )

st.caption(t("funnel.definition"))
