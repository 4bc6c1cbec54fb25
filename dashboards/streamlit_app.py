"""Funnel Warehouse dashboard entry point: page config, the global sidebar and navigation.

Run from the repo root: ``streamlit run dashboards/streamlit_app.py``. Pages live in
``app_pages/``; add a page by adding an ``st.Page`` to ``pages()``. The sidebar filters
(``ui/filters.py``) are drawn here, before the page, so every page shares them. When sign-in is
configured (``data/identity.py``) nothing else runs until the user has signed in.
"""

import streamlit as st
from ui import filters, login
from ui.common import fallback_warning
from ui.i18n import t

st.set_page_config(page_title="Funnel Warehouse", page_icon=":material/filter_alt:", layout="wide")
if not login.gate():  # sign-in configured and nobody signed in: the form is all that is shown
    st.stop()


def pages() -> dict[str, list[st.Page]]:
    def page(path: str, key: str, icon: str, default: bool = False) -> st.Page:
        return st.Page(
            f"app_pages/{path}.py",
            title=t(f"page.{key}"),
            icon=f":material/{icon}:",
            url_path=path,
            default=default,
        )

    return {
        t("nav.sales"): [
            page("overview", "overview", "dashboard", default=True),
            page("funnel", "funnel", "filter_alt"),
            page("conversion", "conversion", "grid_on"),
            page("forecast", "forecast", "target"),
            page("alerts", "alerts", "warning"),
        ],
        t("nav.operations"): [page("health", "health", "health_and_safety")],
    }


navigation = st.navigation(pages())
filters.render()
fallback_warning()  # the latest snapshot is damaged: say which one is shown instead
navigation.run()
