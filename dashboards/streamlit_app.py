"""Funnel Warehouse dashboard entry point: page config and navigation only.

Run from the repo root: ``streamlit run dashboards/streamlit_app.py``. Pages live in
``app_pages/``; add a page by adding an ``st.Page`` to ``PAGES``.
"""

import streamlit as st
from data.snapshot import snapshot_warning

st.set_page_config(page_title="Funnel Warehouse", page_icon=":material/filter_alt:", layout="wide")
if fallback_warning := snapshot_warning():  # the latest snapshot is damaged: say what is shown
    st.warning(fallback_warning, icon=":material/warning:")

PAGES = {
    "Sales 销售": [
        st.Page(
            "app_pages/overview.py",
            title="Overview 总览",
            icon=":material/dashboard:",
            url_path="overview",
            default=True,
        ),
        st.Page(
            "app_pages/funnel.py",
            title="Funnel 漏斗",
            icon=":material/filter_alt:",
            url_path="funnel",
        ),
        st.Page(
            "app_pages/forecast.py",
            title="Forecast vs target 预测与目标",
            icon=":material/target:",
            url_path="forecast",
        ),
        st.Page(
            "app_pages/alerts.py",
            title="Alerts 预警",
            icon=":material/warning:",
            url_path="alerts",
        ),
    ],
}

st.navigation(PAGES).run()
