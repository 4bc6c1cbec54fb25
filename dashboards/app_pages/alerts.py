"""Alerts page: one list per alert type, filters, CSV export and drill-down to opportunities."""

from __future__ import annotations

import streamlit as st
from data import queries
from ui import alerts_view, common, drilldown, i18n
from ui.csv_export import csv_bytes
from ui.i18n import t

snapshot = common.require_snapshot()
info = common.freshness_header(t("page.alerts"), snapshot)

alerts = queries.alerts(snapshot=snapshot)
if alerts.empty:
    st.info(t("alerts.none"))
    st.stop()

alert_type = common.sidebar_select(
    t("alerts.type"),
    alerts_view.ordered(alerts["alert_type"], alerts_view.ALERT_TYPES),
    "alerts_type",
    format_func=i18n.formatter("alert_type"),
)
of_type = alerts[alerts["alert_type"] == alert_type]
severity_options = alerts_view.ordered(of_type["severity"], alerts_view.SEVERITIES)
severities = st.sidebar.multiselect(
    t("alerts.severity"),
    severity_options,
    default=severity_options,
    key=f"alerts_severity_{alert_type}",  # one filter per alert type, all severities at first
    format_func=i18n.formatter("severity"),
)
all_label = t("all")
segment = common.sidebar_select(
    t("segment"),
    alerts_view.segments(of_type),
    "alerts_segment",
    format_func=lambda s: all_label if s == alerts_view.ALL_SEGMENTS else s,
)

rows = alerts_view.filter_alerts(alerts, alert_type, severities, segment)
st.subheader(i18n.code_label("alert_type", alert_type))
st.caption(t("alerts.count", shown=len(rows), total=len(of_type)))
if rows.empty:
    st.info(t("alerts.no_match"))
    st.stop()

table = alerts_view.alert_table(rows)
st.dataframe(
    table,
    hide_index=True,
    width="stretch",
    key="alerts_table",
    column_config=drilldown.score_column_config(),
)
st.download_button(
    t("alerts.download"),
    data=csv_bytes(table),
    file_name=f"alerts_{alert_type}_{info.as_of_date:%Y%m%d}.csv",
    mime="text/csv",
    key="alerts_csv",
    icon=":material/download:",
)

labels = {str(r["alert_id"]): alerts_view.alert_label(r) for _, r in rows.iterrows()}
if st.session_state.get("alerts_drill") not in labels:
    st.session_state.pop("alerts_drill", None)
alert_id = st.selectbox(
    t("alerts.alert"), list(labels), index=0, key="alerts_drill", format_func=labels.__getitem__
)
drilldown.show(queries.alert_opportunities(str(alert_id), snapshot=snapshot), "alerts_members")
