"""Alerts page: one list per alert type, filters, CSV export and drill-down to opportunities."""

from __future__ import annotations

import streamlit as st
from data import queries
from ui import alerts_view, common
from ui.csv_export import csv_bytes

snapshot = common.require_snapshot()
info = common.freshness_header("Alerts 预警", snapshot)

alerts = queries.alerts(snapshot=snapshot)
if alerts.empty:
    st.info("No alerts on the as-of date. 当前无预警。")
    st.stop()

st.sidebar.header("Filters 筛选")
alert_type = common.sidebar_select(
    "Alert type 预警类型",
    alerts_view.ordered(alerts["alert_type"], alerts_view.ALERT_TYPE_LABELS),
    "alerts_type",
    format_func=common.label(alerts_view.ALERT_TYPE_LABELS),
)
of_type = alerts[alerts["alert_type"] == alert_type]
severity_options = alerts_view.ordered(of_type["severity"], alerts_view.SEVERITY_LABELS)
severities = st.sidebar.multiselect(
    "Severity 严重度",
    severity_options,
    default=severity_options,
    key=f"alerts_severity_{alert_type}",  # one filter per alert type, all severities at first
    format_func=common.label(alerts_view.SEVERITY_LABELS),
)
segment = common.sidebar_select(
    "Segment 细分",
    alerts_view.segments(of_type),
    "alerts_segment",
    format_func=lambda s: "All 全部" if s == alerts_view.ALL_SEGMENTS else s,
)

rows = alerts_view.filter_alerts(alerts, alert_type, severities, segment)
st.subheader(alerts_view.ALERT_TYPE_LABELS.get(alert_type, alert_type))
st.caption(f"{len(rows)} of {len(of_type)} alerts 条预警 · click a header to sort 点击表头排序")
if rows.empty:
    st.info("No alerts match the filters. 没有符合筛选条件的预警。")
    st.stop()

table = alerts_view.alert_table(rows)
st.dataframe(table, hide_index=True, width="stretch", key="alerts_table")
st.download_button(
    "Download CSV 下载 CSV",
    data=csv_bytes(table),
    file_name=f"alerts_{alert_type}_{info.as_of_date:%Y%m%d}.csv",
    mime="text/csv",
    key="alerts_csv",
    icon=":material/download:",
)

st.subheader("Drill-down 商机明细")
labels = {str(r["alert_id"]): alerts_view.alert_label(r) for _, r in rows.iterrows()}
if st.session_state.get("alerts_drill") not in labels:
    st.session_state.pop("alerts_drill", None)
alert_id = st.selectbox(
    "Alert 预警", list(labels), index=0, key="alerts_drill", format_func=labels.__getitem__
)
members = queries.alert_opportunities(str(alert_id), snapshot=snapshot)
if members.empty:
    st.info("No opportunities are listed for this alert. 该预警没有关联商机。")
else:
    members = members[list(alerts_view.OPPORTUNITY_COLUMNS)].rename(
        columns=alerts_view.OPPORTUNITY_COLUMNS
    )
    st.dataframe(
        members,
        hide_index=True,
        width="stretch",
        key="alerts_members",
        column_config={"Amount 金额": st.column_config.NumberColumn(format="localized")},
    )
