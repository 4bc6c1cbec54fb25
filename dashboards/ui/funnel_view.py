"""Presentation of the funnel marts: stage labels, the funnel chart and the two tables.

Only selection, renaming and formatting happen here; every number comes from the marts.
"""

from __future__ import annotations

from typing import Any, Final

import pandas as pd
import plotly.graph_objects as go
import streamlit as st
from pandas.io.formats.style import Styler

BELOW: Final[str] = "▼ below"
AT_OR_ABOVE: Final[str] = "▲ at/above"
OVER_SLA: Final[str] = "▲ over SLA"
WITHIN_SLA: Final[str] = "✓ within"
NO_REFERENCE: Final[str] = "—"
_BELOW_STYLE: Final[str] = "color: #c62828; font-weight: 600"

DEFINITION: Final[str] = (
    "Cohort: opportunities counted in the period in which they **first entered the from-stage** "
    "(each stage is its own entry cohort). Conversion = advanced ÷ entered, skipped stages count "
    "as passed; resolved conversion = advanced ÷ (advanced + lost), open deals not counted as "
    "lost. Days in stage are **calendar days**; open visits are aged at the as-of date."
)


SKIP_LABEL: Final[str] = "Skipped a stage 跳过阶段占比"
SKIP_HELP: Final[str] = (
    "Of the opportunities **created** in the period (not the entry cohort above) that moved "
    "stage at least once by the as-of date, the share that skipped a stage (moved more than one "
    "stage forward) at least once."
)


def skip_share(skips: pd.DataFrame) -> tuple[str, str]:
    """The metric's value (e.g. "25.0%", or "—" without a row) and the counts behind it."""
    if skips.empty:
        return NO_REFERENCE, "No opportunity created in this period has moved stage yet."
    row = skips.iloc[0]
    return (
        f"{float(row['skip_share']):.1%}",
        f"{int(row['skipping_opportunities'])} of {int(row['opportunities'])} opportunities "
        "created in the period that moved stage skipped one.",
    )


def stage_labels(stages: pd.DataFrame) -> dict[str, str]:
    """Stage code → "中文 English" label from ``dim_stages`` rows."""
    return {
        str(r.stage_code): f"{r.stage_name_zh} {r.stage_name_en}"
        for r in stages.itertuples(index=False)
    }


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


def funnel_figure(conversion: pd.DataFrame, labels: dict[str, str]) -> go.Figure:
    names, counts = funnel_steps(conversion, labels)
    fig = go.Figure(
        go.Funnel(
            y=names,
            x=counts,
            textinfo="value",
            hovertemplate="%{y}<br>entered: %{x}<extra></extra>",
        )
    )
    fig.update_layout(height=360, margin={"l": 10, "r": 10, "t": 10, "b": 10})
    return fig


def _marker(flag: object, hit: str, miss: str) -> str:
    if flag is None or pd.isna(flag):
        return NO_REFERENCE
    return hit if bool(flag) else miss


def conversion_table(conversion: pd.DataFrame, labels: dict[str, str]) -> Styler:
    table = pd.DataFrame(
        {
            "From stage": [_name(labels, s) for s in conversion["from_stage"]],
            "To stage": [_name(labels, s) for s in conversion["to_stage"]],
            "Entered": conversion["entered_count"],
            "Advanced": conversion["advanced_count"],
            "Lost": conversion["lost_count"],
            "Open": conversion["open_count"],
            "Conversion": conversion["conversion_rate"],
            "Resolved conversion": conversion["resolved_conversion_rate"],
            "Benchmark": conversion["benchmark_rate"],
            "vs benchmark": [_marker(f, BELOW, AT_OR_ABOVE) for f in conversion["below_benchmark"]],
            "Entered amount": conversion["entered_amount"],
            "Advanced amount": conversion["advanced_amount"],
        }
    )
    below = table["vs benchmark"] == BELOW

    def paint(column: pd.Series) -> list[str]:
        return [_BELOW_STYLE if flag else "" for flag in below]

    return table.style.apply(paint, subset=["Conversion", "vs benchmark"])


CONVERSION_COLUMNS: Final[dict[str, Any]] = {
    "Conversion": st.column_config.NumberColumn(format="percent"),
    "Resolved conversion": st.column_config.NumberColumn(
        format="percent", help="advanced ÷ (advanced + lost): open deals not counted as lost"
    ),
    "Benchmark": st.column_config.NumberColumn(format="percent"),
    "Entered amount": st.column_config.NumberColumn(format="localized"),
    "Advanced amount": st.column_config.NumberColumn(format="localized"),
}


def dwell_table(dwell: pd.DataFrame, labels: dict[str, str]) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "Stage": [_name(labels, s) for s in dwell["stage_code"]],
            "Completed visits": dwell["completed_visits"],
            "Mean days": dwell["mean_days"],
            "Median days": dwell["median_days"],
            "P90 days": dwell["p90_days"],
            "Open visits": dwell["open_visits"],
            "Open median age (days)": dwell["open_median_age_days"],
            "SLA days": dwell["sla_days"],
            "Median vs SLA": [_marker(f, OVER_SLA, WITHIN_SLA) for f in dwell["median_over_sla"]],
        }
    )


DWELL_COLUMNS: Final[dict[str, Any]] = {
    name: st.column_config.NumberColumn(format="%.1f")
    for name in ("Mean days", "Median days", "P90 days", "Open median age (days)")
}
