"""Funnel Warehouse dashboard entry point: page config and navigation only.

Run from the repo root: ``streamlit run dashboards/streamlit_app.py``. Pages live in
``app_pages/``; add a page by adding an ``st.Page`` to ``PAGES``.
"""

import streamlit as st

st.set_page_config(page_title="Funnel Warehouse", page_icon=":material/filter_alt:", layout="wide")

PAGES = {
    "Sales 销售": [
        st.Page(
            "app_pages/funnel.py",
            title="Funnel 漏斗",
            icon=":material/filter_alt:",
            url_path="funnel",
            default=True,
        ),
    ],
}

st.navigation(PAGES).run()
