"""Conversion & dwell page: stage × segment heatmaps and one transition's trend over periods."""

from __future__ import annotations

import streamlit as st
from data import identity, queries
from ui import common, drilldown, filters, heatmap_view, i18n
from ui.i18n import t

HEATMAP_METRICS = ("conversion_rate", "median_days", "median_business_days")

snapshot = common.require_snapshot()
common.freshness_header(t("page.conversion"), snapshot)
chosen = filters.current()
options = queries.funnel_options(snapshot=snapshot)

periods = chosen.periods(options.periods(chosen.grain))
if not periods:
    st.info(t("no_periods", grain=i18n.code_label("grain", chosen.grain)))
    st.stop()
period = common.sidebar_select(
    t("period"), periods, "conv_period", format_func=lambda p: common.period_label(p, chosen.grain)
)
process = common.sidebar_select(
    t("process"),
    options.processes(),
    "conv_process",
    format_func=i18n.formatter("process"),
)
stages = queries.stages(process, snapshot=snapshot)
names = i18n.stage_names(stages)

# ------------------------------------------------------------------------------- heatmaps
# The heatmap's columns: the sidebar's segment dimension, else the first one that has segments.
split = [d for d in options.dimensions() if d != "all"]
with st.container(horizontal=True):
    heat_dimension = common.sidebar_select(
        t("conv.columns"),
        split or ["all"],
        "conv_heat_dimension",
        format_func=i18n.formatter("dim"),
        main=True,
        default=chosen.dimension if chosen.dimension in split else None,
    )
    metric = st.segmented_control(
        t("conv.metric"),
        HEATMAP_METRICS,
        default=HEATMAP_METRICS[0],
        key="conv_metric",
        format_func=i18n.formatter("conv.metric"),
    )
metric = metric or HEATMAP_METRICS[0]
st.subheader(
    t("conv.heatmap", dimension=i18n.code_label("dim", heat_dimension)),
    help=t(f"conv.heatmap.help.{metric}"),
)
st.caption(f"{common.period_label(period, chosen.grain)} · {i18n.code_label('process', process)}")
if "team" in (heat_dimension, chosen.dimension):
    st.caption(t("funnel.team_note"))
if not identity.current_scope().everything:
    st.caption(t("scope.no_benchmark"))
if metric == "conversion_rate":
    rows = queries.conversion_by_segment(
        chosen.grain, period, heat_dimension, process, snapshot=snapshot
    )
    labels = {
        code: f"{names.get(code, code)} → {names.get(to, to)}"
        for code, to in zip(rows["from_stage"], rows["to_stage"], strict=True)
    }
    table = heatmap_view.matrix(rows, "from_stage", metric, labels)
else:
    rows = queries.dwell_by_segment(
        chosen.grain, period, heat_dimension, process, snapshot=snapshot
    )
    table = heatmap_view.matrix(rows, "stage_code", metric, names)
if table.empty or table.isna().all().all():
    st.info(t("empty.no_rows"))
else:
    st.plotly_chart(
        heatmap_view.heatmap_figure(table, percent=metric == "conversion_rate"),
        width="stretch",
        key="conv_heatmap",
    )
    row_code = "from_stage" if metric == "conversion_rate" else "stage_code"
    with st.container(horizontal=True):
        cell_stage = common.sidebar_select(
            t("drill.cell_stage"),
            list(dict.fromkeys(rows[row_code])),
            "conv_drill_stage",
            format_func=lambda code: names.get(code, code),
            main=True,
        )
        cell_segment = common.sidebar_select(
            t("drill.cell_segment"),
            list(table.columns),
            "conv_drill_segment",
            format_func=i18n.formatter("value"),
            main=True,
        )
    dimension = heat_dimension if cell_segment != "all" else "all"
    drilldown.show(
        queries.stage_entrants(
            chosen.grain, period, dimension, cell_segment, process, cell_stage, snapshot=snapshot
        ),
        "conv_members",
        title=f"{t('drill.title')} · {names.get(cell_stage, cell_stage)} · "
        f"{i18n.code_label('value', cell_segment)}",
        note=t("drill.stage.note"),
    )

# ---------------------------------------------------------------------------------- trend
codes = list(stages["stage_code"])
pairs = zip(codes, codes[1:], strict=False)
transitions = {a: f"{names.get(a, a)} → {names.get(b, b)}" for a, b in pairs}
st.subheader(
    t("conv.trend"), help=t("conv.trend.help", grain=i18n.code_label("grain", chosen.grain))
)
from_stage = common.sidebar_select(
    t("conv.transition"),
    list(transitions),
    "conv_transition",
    format_func=transitions.__getitem__,
    main=True,
)
trend = queries.conversion_trend(
    chosen.grain,
    chosen.start,
    chosen.end,
    chosen.dimension,
    chosen.value,
    process,
    str(from_stage),
    snapshot=snapshot,
)
st.caption(f"{transitions[str(from_stage)]} · {chosen.segment_text()}")
if trend.empty:
    st.info(t("conv.trend.empty"))
else:
    period_labels = [common.period_label(p.date(), chosen.grain) for p in trend["period_start"]]
    st.plotly_chart(
        heatmap_view.trend_figure(trend, period_labels), width="stretch", key="conv_trend"
    )
