"""The shared opportunity list: the deals behind a number, on every page.

Every list shows each open opportunity's win probability (the model's P(won) as of the as-of
date), its top factors in the page's language and the model version, from
``fct_opportunity_scores``; an opportunity without a score (closed, or the model declined)
has empty cells there, never 0.
"""

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
    "win_probability",
    "top_factors",
    "model_version",
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
    shown = with_scores(shown)
    keep = [c for c in COLUMNS if c in shown.columns]
    return shown[keep].rename(columns={c: t(f"col.{c}") for c in keep}).reset_index(drop=True)


def top_factors(rows: pd.DataFrame) -> list[str]:
    """Each row's top factors in the current language (the other language when missing), or
    an empty string when the row has no score."""
    first, second = (
        ("top_factors_zh", "top_factors_en")
        if i18n.language() == "zh"
        else ("top_factors_en", "top_factors_zh")
    )
    texts = []
    for a, b in zip(rows[first], rows[second], strict=True):
        text = a if isinstance(a, str) and a else b if isinstance(b, str) and b else ""
        texts.append(text)
    return texts


def with_scores(rows: pd.DataFrame) -> pd.DataFrame:
    """``rows`` with ``top_factors`` in the current language; the probability stays a number
    (null, shown as an empty cell, without a score) and a missing text is an empty string."""
    if "win_probability" not in rows.columns:
        return rows
    return rows.assign(
        win_probability=pd.to_numeric(rows["win_probability"], errors="coerce"),
        top_factors=top_factors(rows),
        model_version=rows["model_version"].astype(object).where(rows["model_version"].notna(), ""),
    )


def score_column_config() -> dict[str, object]:
    """Column formats of the score columns: P(won) as a percentage, with a help text."""
    return {
        t("col.win_probability"): st.column_config.NumberColumn(
            format="percent", help=t("score.help")
        ),
        t("col.top_factors"): st.column_config.TextColumn(help=t("score.factors.help")),
    }


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
        column_config={
            t("col.amount"): st.column_config.NumberColumn(format="localized"),
            **score_column_config(),
        },
    )
    st.download_button(
        t("alerts.download"),
        data=csv_bytes(rows),
        file_name=f"{key}.csv",
        mime="text/csv",
        key=f"{key}_csv",
        icon=":material/download:",
    )
