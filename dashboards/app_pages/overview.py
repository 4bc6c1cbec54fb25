"""Overview page: headline KPIs of one period against the previous one, and the top alerts."""

from __future__ import annotations

from collections.abc import Callable

import pandas as pd
import streamlit as st
from data import queries
from ui import alerts_view, common, kpi

Delta = Callable[[object, object], str | None]

snapshot = common.require_snapshot()
common.freshness_header("Overview 总览", snapshot)

options = queries.forecast_options(snapshot=snapshot)
options = options[options["segment_dimension"] == "all"]

if options.empty:
    st.info("The published snapshot has no forecast rows yet. 暂无预测与目标数据。")
else:
    st.sidebar.header("Filters 筛选")
    present = set(options["period_grain"])
    grain = common.sidebar_select(
        "Period grain 周期",
        [g for g in queries.GRAINS if g in present] + sorted(present - set(queries.GRAINS)),
        "overview_grain",
        format_func=common.label(common.GRAIN_LABELS),
    )
    # Periods up to the one holding the as-of date: later ones have no results yet, only
    # forecasts (the forecast page shows those). The default is the current period.
    as_of = queries.publish_info(snapshot=snapshot).as_of_date
    periods = sorted(
        {
            pd.Timestamp(p).date()
            for p in options.loc[options["period_grain"] == grain, "period_start"]
            if pd.Timestamp(p).date() <= as_of
        },
        reverse=True,
    )
    period = common.sidebar_select(
        "Period 周期",
        periods,
        "overview_period",
        format_func=lambda p: common.period_label(p, grain),
    )
    previous = kpi.previous_period(period, grain)
    st.markdown(
        f"**{common.period_label(period, grain)}** · change vs 环比 "
        f"{common.period_label(previous, grain)}"
    )

    forecast = queries.forecast_vs_target(grain, "all", snapshot=snapshot)
    forecast = forecast[forecast["segment_value"] == "all"]
    starts = [pd.Timestamp(p).date() for p in forecast["period_start"]]
    now = forecast[[s == period for s in starts]]
    before = forecast[[s == previous for s in starts]]
    cur = now.iloc[0] if not now.empty else pd.Series(dtype=object)
    prev = before.iloc[0] if not before.empty else pd.Series(dtype=object)

    def tile(title: str, column: str, fmt: Callable[[object], str], delta: Delta, tip: str) -> None:
        st.metric(title, fmt(cur.get(column)), delta(cur.get(column), prev.get(column)), help=tip)

    with st.container(horizontal=True):
        tile("Won amount 已签单额", "won_amount", kpi.amount, kpi.amount_delta, "closed won so far")
        tile("Won deals 赢单数", "won_count", kpi.count, kpi.amount_delta, "won so far")
        tile(
            "Target 销售目标", "target_amount", kpi.amount, kpi.amount_delta, "sum of team targets"
        )
        tile(
            "Weighted forecast 签单额预测",
            "weighted_configured_amount",
            kpi.amount,
            kpi.amount_delta,
            "Σ open pipeline amount × configured stage probability",
        )
    with st.container(horizontal=True):
        tile("Attainment 目标达成率", "attainment_rate", kpi.rate, kpi.rate_delta, "won ÷ target")
        tile(
            "Projected attainment 预计达成率",
            "projected_configured_attainment_rate",
            kpi.rate,
            kpi.rate_delta,
            "(won + weighted forecast) ÷ target",
        )
        tile(
            "Pipeline coverage 商机覆盖率",
            "pipeline_coverage_ratio",
            kpi.ratio,
            kpi.ratio_delta,
            "open pipeline ÷ (target − won); empty when the target is reached",
        )
        rates = queries.overall_win_rates(grain, snapshot=snapshot)
        rates = rates.assign(period_start=[pd.Timestamp(p).date() for p in rates["period_start"]])
        for process in [p for p in queries.PROCESSES if p in set(rates["sales_process"])]:
            mine = rates[rates["sales_process"] == process].set_index("period_start")["win_rate"]
            value, old = mine.get(period), mine.get(previous)
            st.metric(
                f"Win rate 赢率 · {common.PROCESS_LABELS.get(process, process)}",
                kpi.rate(value),
                kpi.rate_delta(value, old),
                help="won ÷ (won + lost) of the deals closed in the period (mart_win_rates)",
            )
    if now.empty:
        st.info("No forecast row for this period. 该周期暂无数据。")

st.subheader("Top alerts 重点预警")
top = queries.alerts(snapshot=snapshot).head(5)
if top.empty:
    st.info("No alerts on the as-of date. 当前无预警。")
else:
    table = alerts_view.alert_table(top)
    table.insert(
        1, "Type 类型", [alerts_view.ALERT_TYPE_LABELS.get(t, t) for t in top["alert_type"]]
    )
    st.dataframe(table, hide_index=True, width="stretch", key="overview_alerts")
    st.page_link("app_pages/alerts.py", label="All alerts 全部预警", icon=":material/warning:")
