"""Presentation of the funnel marts: the funnel chart and the conversion and dwell tables.

Only selection, renaming and formatting happen here; every number comes from the marts.
"""

from __future__ import annotations

from typing import Any, Final

import pandas as pd
import plotly.graph_objects as go
import streamlit as st
from pandas.io.formats.style import Styler

from ui import i18n
from ui.i18n import t

NO_REFERENCE: Final[str] = "—"
_BELOW_STYLE: Final[str] = "color: #c62828; font-weight: 600"


def skip_share(skips: pd.DataFrame) -> tuple[str, str]:
    """The metric's value (e.g. "25.0%", or "—" without a row) and the counts behind it."""
    if skips.empty:
        return NO_REFERENCE, t("funnel.skip.none")
    row = skips.iloc[0]
    return (
        f"{float(row['skip_share']):.1%}",
        t(
            "funnel.skip.detail",
            skipped=int(row["skipping_opportunities"]),
            total=int(row["opportunities"]),
        ),
    )


def _name(labels: dict[str, str], code: object) -> str:
    return labels.get(str(code), str(code))


def funnel_steps(conversion: pd.DataFrame, labels: dict[str, str]) -> tuple[list[str], list[int]]:
    """Each from-stage with its ``entered_count``, then the last to-stage (``advanced_count``)."""
    if conversion.empty:
        return [], []
    names = [_name(labels, s) for s in conversion["from_stage"]]
    counts = [int(n) for n in conversion["entered_count"]]
    last = conversion.iloc[-1]
    return [*names, _name(labels, last["to_stage"])], [*counts, int(last["advanced_count"])]


def funnel_figure(
    conversion: pd.DataFrame, labels: dict[str, str], currency: str | None
) -> go.Figure:
    """Counts as bars; each step's amount (entered, or advanced for the last) in the hover."""
    names, counts = funnel_steps(conversion, labels)
    amounts = [*conversion["entered_amount"], conversion["advanced_amount"].iloc[-1]]
    fig = go.Figure(
        go.Funnel(
            y=names,
            x=counts,
            textinfo="value+percent initial",
            customdata=[i18n.amount(a, currency) for a in amounts],
            hovertemplate="%{y}<br>%{x} · %{customdata}<extra></extra>",
        )
    )
    fig.update_layout(height=360, margin={"l": 10, "r": 10, "t": 10, "b": 10})
    return fig


def _marker(flag: object, hit: str, miss: str) -> str:
    if flag is None or pd.isna(flag):
        return NO_REFERENCE
    return hit if bool(flag) else miss


def conversion_table(conversion: pd.DataFrame, labels: dict[str, str]) -> Styler:
    below_mark = t("mark.below")
    table = pd.DataFrame(
        {
            t("col.from_stage"): [_name(labels, s) for s in conversion["from_stage"]],
            t("col.to_stage"): [_name(labels, s) for s in conversion["to_stage"]],
            t("col.entered"): conversion["entered_count"],
            t("col.advanced"): conversion["advanced_count"],
            t("col.skipped"): conversion["skipped_count"],
            t("col.lost"): conversion["lost_count"],
            t("col.open"): conversion["open_count"],
            t("col.conversion"): conversion["conversion_rate"],
            t("col.resolved"): conversion["resolved_conversion_rate"],
            t("col.benchmark"): conversion["benchmark_rate"],
            t("col.vs_benchmark"): [
                _marker(f, below_mark, t("mark.above")) for f in conversion["below_benchmark"]
            ],
            t("col.entered_amount"): conversion["entered_amount"],
            t("col.advanced_amount"): conversion["advanced_amount"],
        }
    )
    if not conversion["skipped_count"].fillna(0).astype(bool).any():
        table = table.drop(columns=[t("col.skipped")])  # only the strict kind skips
    below = table[t("col.vs_benchmark")] == below_mark

    def paint(column: pd.Series) -> list[str]:
        return [_BELOW_STYLE if flag else "" for flag in below]

    return table.style.apply(paint, subset=[t("col.conversion"), t("col.vs_benchmark")])


def conversion_columns() -> dict[str, Any]:
    return {
        t("col.conversion"): st.column_config.NumberColumn(format="percent"),
        t("col.resolved"): st.column_config.NumberColumn(
            format="percent", help=t("col.resolved.help")
        ),
        t("col.benchmark"): st.column_config.NumberColumn(format="percent"),
        t("col.entered_amount"): st.column_config.NumberColumn(format="localized"),
        t("col.advanced_amount"): st.column_config.NumberColumn(format="localized"),
    }


def dwell_table(dwell: pd.DataFrame, labels: dict[str, str]) -> pd.DataFrame:
    return pd.DataFrame(
        {
            t("col.stage"): [_name(labels, s) for s in dwell["stage_code"]],
            t("col.completed_visits"): dwell["completed_visits"],
            t("col.mean_days"): dwell["mean_days"],
            t("col.median_days"): dwell["median_days"],
            t("col.p90_days"): dwell["p90_days"],
            t("col.open_visits"): dwell["open_visits"],
            t("col.open_age"): dwell["open_median_age_days"],
            t("col.sla_days"): dwell["sla_days"],
            t("col.vs_sla"): [
                _marker(f, t("mark.over_sla"), t("mark.within")) for f in dwell["median_over_sla"]
            ],
        }
    )


def dwell_columns() -> dict[str, Any]:
    return {
        t(name): st.column_config.NumberColumn(format="%.1f")
        for name in ("col.mean_days", "col.median_days", "col.p90_days", "col.open_age")
    }
