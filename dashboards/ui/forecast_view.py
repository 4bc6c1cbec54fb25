"""Presentation of the forecast methods: the model method's note and the accuracy history of
``mart_forecast_accuracy`` (configured, empirical and model probabilities)."""

from __future__ import annotations

from typing import Final

import pandas as pd
import streamlit as st
from data import queries
from data.snapshot import Snapshot

from ui import common, i18n
from ui.i18n import t

METHODS: Final[tuple[str, ...]] = queries.FORECAST_METHODS


def model_note(rows: pd.DataFrame, status: pd.DataFrame) -> str:
    """What the model method of the shown forecast rows is based on, or why it is empty."""
    weighted = rows["weighted_model_amount"]
    versions = [str(v) for v in rows["model_version"].dropna().unique()]
    if weighted.isna().all():
        declined = status[status["status"] == "declined"] if not status.empty else status
        if not declined.empty:
            return t("forecast.model.declined", reason=str(declined.iloc[0]["reason"]))
        return t("forecast.model.none")
    version = ", ".join(versions)
    if weighted.isna().any():
        return t("forecast.model.partial", version=version)
    return t("forecast.model.version", version=version)


def _ordered_methods(present: object) -> list[str]:
    values = {str(v) for v in pd.Series(present).dropna()}
    return [m for m in METHODS if m in values] + sorted(values - set(METHODS))


def accuracy_summary(history: pd.DataFrame) -> pd.DataFrame:
    """One row per method present: MAPE, bias and the periods evaluated (the mart repeats
    them on every row of a series), headers in the current language."""
    method = i18n.formatter("forecast_method")
    rows = []
    for code in _ordered_methods(history["forecast_method"]):
        first = history[history["forecast_method"] == code].iloc[0]
        rows.append(
            {
                "forecast_method": method(code),
                "mape_rate": first["mape_rate"],
                "bias_rate": first["bias_rate"],
                "evaluated_period_count": first["evaluated_period_count"],
            }
        )
    frame = pd.DataFrame(
        rows, columns=["forecast_method", "mape_rate", "bias_rate", "evaluated_period_count"]
    )
    return frame.rename(columns={c: t(f"col.{c}") for c in frame.columns})


def accuracy_table(history: pd.DataFrame, grain: str) -> pd.DataFrame:
    """Every period × method, latest period first: the forecast frozen at its start, what was
    won, the error and (model rows) the model version that made the forecast."""
    method = i18n.formatter("forecast_method")
    order = {m: i for i, m in enumerate(METHODS)}
    shown = history.assign(
        period_start=[pd.Timestamp(p).date() for p in history["period_start"]],
        _order=[order.get(str(m), len(order)) for m in history["forecast_method"]],
    ).sort_values(["period_start", "_order"], ascending=[False, True])
    table = pd.DataFrame(
        {
            "period": [common.period_label(p, grain) for p in shown["period_start"]],
            "forecast_method": [method(m) for m in shown["forecast_method"]],
            "forecast_amount": pd.to_numeric(shown["forecast_amount"], errors="coerce"),
            "actual_won_amount": pd.to_numeric(shown["actual_won_amount"], errors="coerce"),
            "error_rate": pd.to_numeric(shown["error_rate"], errors="coerce"),
            "model_version": [v if isinstance(v, str) else "" for v in shown["model_version"]],
        }
    )
    return table.rename(columns={c: t(f"col.{c}") for c in table.columns}).reset_index(drop=True)


def accuracy_section(
    grain: str, dimension: str, values: list[str], snapshot: Snapshot, money: str | None
) -> None:
    """The accuracy history of one segment of the breakdown, all three methods."""
    st.subheader(t("forecast.accuracy"), help=t("forecast.accuracy.help"))
    segments = sorted(set(values), key=lambda v: (v != "all", v))
    if not segments:
        st.info(t("forecast.accuracy.none"))
        return
    value = common.sidebar_select(
        t("forecast.accuracy.segment"), segments, "forecast_accuracy_segment", main=True
    )
    history = queries.forecast_accuracy(grain, dimension, value, snapshot=snapshot)
    if history.empty:
        st.info(t("forecast.accuracy.none"))
        return
    percent = st.column_config.NumberColumn(format="percent")
    st.dataframe(
        accuracy_summary(history),
        hide_index=True,
        key="forecast_accuracy_summary",
        column_config={t("col.mape_rate"): percent, t("col.bias_rate"): percent},
    )
    if "model" not in set(history["forecast_method"]):
        st.caption(t("forecast.accuracy.no_model"))
    amount = st.column_config.NumberColumn(format="localized")
    st.dataframe(
        accuracy_table(history, grain),
        hide_index=True,
        width="stretch",
        key="forecast_accuracy_table",
        column_config={
            t("col.forecast_amount"): amount,
            t("col.actual_won_amount"): amount,
            t("col.error_rate"): percent,
        },
    )
    if money:
        st.caption(t("currency_note", currency=money))
