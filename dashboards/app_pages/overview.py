"""Overview page: headline KPIs of one period against the previous one, and the top alerts."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pandas as pd
import streamlit as st
from data import queries
from ui import alerts_view, common, drilldown, filters, i18n, kpi
from ui.i18n import t

snapshot = common.require_snapshot()
info = common.freshness_header(t("page.overview"), snapshot)
chosen = filters.current()
money = common.currency(snapshot)

options = queries.forecast_options(snapshot=snapshot)
options = options[
    (options["period_grain"] == chosen.grain) & (options["segment_dimension"] == chosen.dimension)
]
# Periods up to the one holding the as-of date: later ones have no results yet, only
# forecasts (the forecast page shows those). The default is the current period.
periods = [p for p in chosen.periods(options["period_start"]) if p <= info.as_of_date]
if not periods:
    st.info(t("no_periods", grain=i18n.code_label("grain", chosen.grain)))
else:
    period: dt.date = common.sidebar_select(
        t("period"),
        periods,
        "overview_period",
        format_func=lambda p: common.period_label(p, chosen.grain),
    )
    previous = kpi.previous_period(period, chosen.grain)
    st.markdown(
        f"**{chosen.segment_text()}** · "
        + t(
            "overview.vs",
            period=common.period_label(period, chosen.grain),
            previous=common.period_label(previous, chosen.grain),
        )
    )

    def by_period(frame: pd.DataFrame) -> pd.DataFrame:
        return frame.assign(period_start=[pd.Timestamp(p).date() for p in frame["period_start"]])

    forecast = by_period(
        queries.forecast_vs_target(chosen.grain, chosen.dimension, snapshot=snapshot)
    )
    forecast = forecast[forecast["segment_value"] == chosen.value].set_index("period_start")
    created = by_period(
        queries.new_pipeline(chosen.grain, chosen.dimension, chosen.value, snapshot=snapshot)
    ).set_index("period_start")["created_amount"]

    def value_of(frame: pd.DataFrame | pd.Series, column: str | None, day: dt.date) -> object:
        if day not in frame.index:
            return None
        return frame.loc[day] if column is None else frame.loc[day, column]

    def tile(
        key: str,
        cur: object,
        prev: object,
        fmt: Callable[[object], str],
        delta: Callable[[object, object], str | None],
    ) -> None:
        st.metric(t(f"kpi.{key}"), fmt(cur), delta(cur, prev), help=t(f"kpi.{key}.help"))

    def column_tile(
        key: str,
        column: str,
        fmt: Callable[[object], str],
        delta: Callable[[object, object], str | None],
    ) -> None:
        tile(
            key,
            value_of(forecast, column, period),
            value_of(forecast, column, previous),
            fmt,
            delta,
        )

    def money_fmt(v: object) -> str:
        return i18n.amount(v, money)

    def money_delta(a: object, b: object) -> str | None:
        return kpi.amount_delta(a, b, money)

    with st.container(horizontal=True):
        tile(
            "new_pipeline",
            value_of(created, None, period),
            value_of(created, None, previous),
            money_fmt,
            money_delta,
        )
        column_tile("won_amount", "won_amount", money_fmt, money_delta)
        column_tile("won_count", "won_count", kpi.count, kpi.count_delta)
        column_tile("target", "target_amount", money_fmt, money_delta)
        column_tile("weighted", "weighted_configured_amount", money_fmt, money_delta)
    with st.container(horizontal=True):
        column_tile("attainment", "attainment_rate", kpi.rate, kpi.rate_delta)
        column_tile("projected", "projected_configured_attainment_rate", kpi.rate, kpi.rate_delta)
        column_tile("coverage", "pipeline_coverage_ratio", kpi.ratio, kpi.ratio_delta)
        if queries.leads_exported(snapshot=snapshot):  # leads are an optional export
            leads = by_period(
                queries.lead_conversion(
                    chosen.grain, chosen.dimension, chosen.value, snapshot=snapshot
                )
            ).set_index("period_start")
            rate = value_of(leads, "lead_conversion_rate", period)
            st.metric(
                t("kpi.lead_conversion"),
                kpi.rate(rate),
                kpi.rate_delta(rate, value_of(leads, "lead_conversion_rate", previous)),
                help=t(
                    "kpi.lead_conversion.help",
                    converted=kpi.count(value_of(leads, "converted_lead_count", period)),
                    leads=kpi.count(value_of(leads, "lead_count", period)),
                ),
            )
        rates = by_period(
            queries.win_rates(chosen.grain, chosen.dimension, chosen.value, snapshot=snapshot)
        )
        for process in [p for p in queries.PROCESSES if p in set(rates["sales_process"])]:
            mine = rates[rates["sales_process"] == process].set_index("period_start")["win_rate"]
            value, old = mine.get(period), mine.get(previous)
            st.metric(
                t("kpi.win_rate", process=i18n.code_label("process", process)),
                kpi.rate(value),
                kpi.rate_delta(value, old),
                help=t("kpi.win_rate.help"),
            )
            cycle = rates[rates["sales_process"] == process].set_index("period_start")[
                "median_sales_cycle_days"
            ]
            days, old_days = kpi.number(cycle.get(period)), kpi.number(cycle.get(previous))
            st.metric(
                f"{t('kpi.cycle')} · {i18n.code_label('process', process)}",
                kpi.NO_VALUE if days is None else t("kpi.days", n=days),
                kpi.count_delta(days, old_days),
                delta_color="inverse",
                help=t("kpi.cycle.help"),
            )
    if period not in forecast.index:
        st.info(t("overview.no_row"))

    measure = st.segmented_control(
        t("drill.pick"),
        list(queries.PERIOD_MEASURES),
        default="won",
        key="overview_drill",
        format_func=i18n.formatter("measure"),
    )
    if measure:
        members = queries.period_opportunities(
            measure, chosen.grain, period, chosen.dimension, chosen.value, snapshot=snapshot
        )
        drilldown.show(members, "overview_members", title=i18n.code_label("measure", measure))

st.subheader(t("overview.top_alerts"))
top = queries.alerts(snapshot=snapshot).head(5)
if top.empty:
    st.info(t("alerts.none"))
else:
    table = alerts_view.alert_table(top)
    table.insert(
        1, t("alerts.type_col"), [i18n.code_label("alert_type", a) for a in top["alert_type"]]
    )
    st.dataframe(
        table,
        hide_index=True,
        width="stretch",
        key="overview_alerts",
        column_config=drilldown.score_column_config(),
    )
    st.page_link("app_pages/alerts.py", label=t("overview.all_alerts"), icon=":material/warning:")
