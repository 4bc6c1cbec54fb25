"""Stage × segment heatmaps and the transition trend chart (presentation only, no DuckDB)."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from ui.i18n import t


def matrix(
    rows: pd.DataFrame, row_column: str, value_column: str, row_labels: dict[str, str]
) -> pd.DataFrame:
    """A stage × segment table of ``value_column``: stages in mart order, segments sorted."""
    if rows.empty:
        return pd.DataFrame()
    table = rows.pivot_table(
        index=row_column, columns="segment_value", values=value_column, aggfunc="first",
        sort=False,
    )  # fmt: skip
    order = list(dict.fromkeys(rows[row_column]))
    table = table.reindex(index=order, columns=sorted(table.columns, key=lambda v: (v != "all", v)))
    table.index = [row_labels.get(str(code), str(code)) for code in table.index]
    return table.astype(float)


def heatmap_figure(table: pd.DataFrame, percent: bool) -> go.Figure:
    """A heatmap with each cell's value written in it (percent or days)."""
    text = [
        ["" if pd.isna(v) else (f"{v:.0%}" if percent else f"{v:.1f}") for v in row]
        for row in table.to_numpy()
    ]
    fig = go.Figure(
        go.Heatmap(
            z=[[None if pd.isna(v) else float(v) for v in row] for row in table.to_numpy()],
            x=[t("all") if c == "all" else str(c) for c in table.columns],
            y=list(table.index),
            text=text,
            texttemplate="%{text}",
            colorscale="RdYlGn" if percent else "RdYlGn_r",
            hovertemplate="%{y}<br>%{x}: %{text}<extra></extra>",
            xgap=2,
            ygap=2,
        )
    )
    fig.update_layout(
        height=80 + 48 * len(table.index),
        margin={"l": 10, "r": 10, "t": 10, "b": 10},
        yaxis={"autorange": "reversed"},
    )
    return fig


def trend_figure(trend: pd.DataFrame, period_labels: list[str]) -> go.Figure:
    """Conversion per period as a line, the benchmark dashed."""
    fig = go.Figure(
        [
            go.Scatter(
                name=t("conv.rate"),
                x=period_labels,
                y=[float(v) if pd.notna(v) else None for v in trend["conversion_rate"]],
                mode="lines+markers",
                customdata=trend["entered_count"],
                hovertemplate="%{x}: %{y:.1%} (" + t("conv.entered") + " %{customdata})"
                "<extra></extra>",
            ),
            go.Scatter(
                name=t("conv.benchmark"),
                x=period_labels,
                y=[float(v) if pd.notna(v) else None for v in trend["benchmark_rate"]],
                mode="lines",
                line={"dash": "dash"},
            ),
        ]
    )
    fig.update_layout(
        height=320,
        margin={"l": 10, "r": 10, "t": 10, "b": 10},
        yaxis={"tickformat": ".0%", "rangemode": "tozero"},
        legend_orientation="h",
    )
    return fig
