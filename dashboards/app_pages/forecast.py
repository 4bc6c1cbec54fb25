"""Forecast vs target page: won, weighted pipeline (configured, empirical and model
probabilities), target, gap and coverage per segment, then the accuracy history of the three
forecast methods."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import plotly.graph_objects as go
import streamlit as st
from data import queries
from ui import common, drilldown, filters, forecast_view, i18n
from ui.i18n import t

DIMENSIONS = ("team", *queries.SEGMENT_DIMENSIONS)  # team first: targets are set per team
ALL_PERIODS = "all"
BARS = (
    "won_amount",
    "weighted_configured_amount",
    "weighted_empirical_amount",
    "weighted_model_amount",
    "target_amount",
    "gap_configured_amount",
)
AMOUNTS = (*BARS, "gap_empirical_amount", "gap_model_amount", "open_pipeline_amount")
COLUMNS = (
    "period",
    "segment_value",
    "won_count",
    *BARS,
    "gap_empirical_amount",
    "gap_model_amount",
    "open_pipeline_amount",
    "attainment_rate",
    "projected_configured_attainment_rate",
    "projected_model_attainment_rate",
    "pipeline_coverage_ratio",
)


def header(column: str) -> str:
    return t("col.segment" if column == "segment_value" else f"col.{column}")


snapshot = common.require_snapshot()
info = common.freshness_header(t("page.forecast"), snapshot)
chosen = filters.current()
money = common.currency(snapshot)

options = queries.forecast_options(snapshot=snapshot)
options = options[options["period_grain"] == chosen.grain]
if options.empty:
    st.info(t("overview.no_forecast"))
    st.stop()

dims = set(options["segment_dimension"])
dimension = common.sidebar_select(
    t("forecast.breakdown"),
    [d for d in DIMENSIONS if d in dims] + sorted(dims - set(DIMENSIONS)),
    "forecast_dimension",
    format_func=i18n.formatter("dim"),
)
rows = queries.forecast_vs_target(chosen.grain, dimension, snapshot=snapshot)
rows = rows.assign(period_start=[pd.Timestamp(p).date() for p in rows["period_start"]])
if dimension == chosen.dimension and chosen.value != "all":
    rows = rows[rows["segment_value"] == chosen.value]  # the sidebar's segment
rows = rows[[chosen.in_range(p) for p in rows["period_start"]]]
periods: list[dt.date | str] = [*chosen.periods(rows["period_start"]), ALL_PERIODS]
all_label = t("all_periods")
# By default the period holding the as-of date (later ones are forecast only).
current = next((p for p in periods if isinstance(p, dt.date) and p <= info.as_of_date), None)
period = common.sidebar_select(
    t("period"),
    periods,
    "forecast_period",
    format_func=lambda p: (
        common.period_label(p, chosen.grain) if isinstance(p, dt.date) else all_label
    ),
    default=current,
)
if period != ALL_PERIODS:
    rows = rows[rows["period_start"] == period]
if rows.empty:
    st.info(t("empty.no_rows"))
    st.stop()

rows = rows.assign(period=[common.period_label(p, chosen.grain) for p in rows["period_start"]])
if period != ALL_PERIODS:
    x = list(rows["segment_value"])
else:
    x = [f"{p} · {v}" for p, v in zip(rows["period"], rows["segment_value"], strict=True)]
fig = go.Figure(
    [
        go.Bar(
            name=header(col),
            x=x,
            y=[float(v) if pd.notna(v) else None for v in rows[col]],
            customdata=[i18n.amount(v, money) for v in rows[col]],
            hovertemplate="%{x}: %{customdata}<extra></extra>",
        )
        for col in BARS
    ]
)
fig.update_layout(
    barmode="group", height=420, margin={"l": 10, "r": 10, "t": 30, "b": 10}, legend_orientation="h"
)
st.subheader(t("forecast.chart"), help=t("forecast.chart.help"))
st.plotly_chart(fig, width="stretch", key="forecast_chart")

table = rows[list(COLUMNS)].rename(columns={c: header(c) for c in COLUMNS})
amount_column = st.column_config.NumberColumn(format="localized")
st.dataframe(
    table,
    hide_index=True,
    width="stretch",
    column_config={
        **{header(c): amount_column for c in AMOUNTS},
        header("attainment_rate"): st.column_config.NumberColumn(format="percent"),
        header("projected_configured_attainment_rate"): st.column_config.NumberColumn(
            format="percent"
        ),
        header("projected_model_attainment_rate"): st.column_config.NumberColumn(format="percent"),
        header("pipeline_coverage_ratio"): st.column_config.NumberColumn(
            format="%.2f×", help=t("kpi.coverage.help")
        ),
    },
)
if money:
    st.caption(t("currency_note", currency=money))
st.caption(t("forecast.chart.help"))
st.caption(forecast_view.model_note(rows, queries.model_status(snapshot=snapshot)))

choices = {
    f"{p} · {v}": (s, v)
    for p, s, v in zip(rows["period"], rows["period_start"], rows["segment_value"], strict=True)
}
with st.container(horizontal=True):
    picked = common.sidebar_select(t("drill.row"), list(choices), "forecast_drill", main=True)
    measure = (
        st.segmented_control(
            t("drill.pick"),
            ["open", "won"],
            default="open",
            key="forecast_drill_measure",
            format_func=i18n.formatter("measure"),
        )
        or "open"
    )
drill_start, drill_value = choices[picked]
drilldown.show(
    queries.period_opportunities(
        measure, chosen.grain, drill_start, dimension, drill_value, snapshot=snapshot
    ),
    "forecast_members",
    title=f"{i18n.code_label('measure', measure)} · {picked}",
)

forecast_view.accuracy_section(
    chosen.grain, dimension, list(rows["segment_value"]), snapshot, money
)
