"""Data health page: the last refresh, rows per file with quarantine reasons, failed checks."""

from __future__ import annotations

import streamlit as st
from data import queries
from ui import common, health_view
from ui.i18n import t

snapshot = common.require_snapshot()
info = common.freshness_header(t("page.health"), snapshot)

with st.container(horizontal=True):
    local = info.published_at_local(common.LOCAL_TZ)
    st.metric(t("health.last_refresh"), f"{local:%Y-%m-%d %H:%M}", help=common.LOCAL_TZ)
    st.metric(
        t("health.duration"),
        health_view.duration(info.duration_seconds),
        help=t("health.duration.help"),
    )
    st.metric(t("health.as_of"), f"{info.as_of_date:%Y-%m-%d}")

st.subheader(t("health.files"), help=t("health.files.help"))
log = None
if queries.has_table("_load_log", snapshot=snapshot):
    log = queries.load_log(snapshot=snapshot)
if log is None or log.empty:
    st.info(t("health.not_recorded"))
else:
    st.dataframe(health_view.load_table(log), hide_index=True, width="stretch", key="health_files")

    st.subheader(t("health.reasons"))
    if int(log["rows_quarantined"].sum()) == 0 and not (log["status"] == "rejected").any():
        st.success(t("health.reasons.none"))
    elif queries.has_table("_quarantine", snapshot=snapshot):
        reasons = health_view.labelled(
            queries.quarantine_reasons(snapshot=snapshot),
            ("source_file", "reason_code", "column_name", "rows", "example"),
        )
        st.dataframe(reasons, hide_index=True, width="stretch", key="health_reasons")
    else:
        st.caption(t("health.reasons.detail_missing"))
        st.dataframe(
            health_view.file_reasons(log), hide_index=True, width="stretch", key="health_reasons"
        )

st.subheader(t("health.checks"))
if not queries.has_table("_check_results", snapshot=snapshot):
    st.info(t("health.not_recorded"))
else:
    results = queries.check_results(snapshot=snapshot)
    failed = health_view.failed_checks(results)
    if failed.empty:
        st.success(t("health.checks.ok", n=len(results)))
    else:
        st.dataframe(failed, hide_index=True, width="stretch", key="health_checks")

st.subheader(t("health.deliveries"))
if not queries.has_table("_alert_deliveries", snapshot=snapshot):
    st.info(t("health.not_recorded"))
else:
    deliveries = queries.alert_deliveries(snapshot=snapshot)
    failed = health_view.failed_deliveries(deliveries)
    if failed.empty:
        st.success(t("health.deliveries.ok", n=len(deliveries)))
    else:
        st.dataframe(failed, hide_index=True, width="stretch", key="health_deliveries")
