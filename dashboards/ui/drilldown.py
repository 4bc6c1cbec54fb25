"""The shared opportunity list: the deals behind a number, on every page."""

from __future__ import annotations

from typing import Final

import pandas as pd
import streamlit as st

from ui import i18n
from ui.csv_export import csv_bytes
from ui.i18n import t

COLUMNS: Final[tuple[str, ...]] = (
    "opportunity_id",
    "member_role",
    "opportunity_name",
    "account_name",
    "owner_name",
    "team",
    "current_stage",
    "status",
    "amount",
    "currency",
    "expected_close_date",
    "entered_at",
    "days_in_stage",
)


def table(opportunities: pd.DataFrame) -> pd.DataFrame:
    """The known columns present, statuses translated, headers in the current language."""
    status = i18n.formatter("status")
    shown = opportunities.assign(status=[status(s) for s in opportunities["status"]])
    if "alert_member" in shown.columns:  # an alert member may be missing from dim_opportunities
        shown = shown.assign(opportunity_id=shown["alert_member"])
    named = f"current_stage_{i18n.language()}"
    if named in shown.columns:
        shown = shown.assign(current_stage=shown[named].fillna(shown["current_stage"]))
    for column in ("expected_close_date", "entered_at"):
        if column in shown.columns:  # a day is enough; entries keep their minute
            stamps = pd.to_datetime(shown[column])
            fmt = "%Y-%m-%d" if column == "expected_close_date" else "%Y-%m-%d %H:%M"
            shown[column] = stamps.dt.strftime(fmt).where(stamps.notna(), None)
    keep = [c for c in COLUMNS if c in shown.columns]
    return shown[keep].rename(columns={c: t(f"col.{c}") for c in keep}).reset_index(drop=True)


def show(
    opportunities: pd.DataFrame, key: str, title: str | None = None, note: str | None = None
) -> None:
    """The opportunity list with a count, or a message when there is none, plus a CSV download."""
    st.subheader(title or t("drill.title"), help=note)
    if opportunities.empty:
        st.info(t("drill.none"))
        return
    st.caption(t("drill.count", n=len(opportunities)))
    rows = table(opportunities)
    st.dataframe(
        rows,
        hide_index=True,
        width="stretch",
        key=key,
        column_config={t("col.amount"): st.column_config.NumberColumn(format="localized")},
    )
    st.download_button(
        t("alerts.download"),
        data=csv_bytes(rows),
        file_name=f"{key}.csv",
        mime="text/csv",
        key=f"{key}_csv",
        icon=":material/download:",
    )
