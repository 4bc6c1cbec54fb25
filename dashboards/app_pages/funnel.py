"""Funnel page: stage-to-stage conversion and days in stage for one period and segment.

Toggles choose the reading (cohort or period flow; any-stage or strict) and can put a second
segment beside the sidebar's one.
"""

from __future__ import annotations

import streamlit as st
from data import identity, queries
from ui import common, drilldown, filters, funnel_view, i18n
from ui.i18n import t

snapshot = common.require_snapshot()
common.freshness_header(t("page.funnel"), snapshot)
chosen = filters.current()
money = common.currency(snapshot)
options = queries.funnel_options(snapshot=snapshot)

periods = chosen.periods(options.periods(chosen.grain))
if not periods:
    st.info(t("no_periods", grain=i18n.code_label("grain", chosen.grain)))
    st.stop()
period = common.sidebar_select(
    t("funnel.period"),
    periods,
    "funnel_period",
    format_func=lambda p: common.period_label(p, chosen.grain),
)
process = common.sidebar_select(
    t("process"), options.processes(), "funnel_process", format_func=i18n.formatter("process")
)

with st.container(horizontal=True):
    method = (
        st.segmented_control(
            t("funnel.method"),
            queries.FUNNEL_METHODS,
            default=queries.FUNNEL_METHODS[0],
            key="funnel_method",
            format_func=i18n.formatter("method"),
        )
        or queries.FUNNEL_METHODS[0]
    )
    kind = (
        st.segmented_control(
            t("funnel.kind"),
            queries.FUNNEL_KINDS,
            default=queries.FUNNEL_KINDS[0],
            key="funnel_kind",
            format_func=i18n.formatter("kind"),
        )
        or queries.FUNNEL_KINDS[0]
    )
    compare = st.toggle(t("funnel.compare"), key="funnel_compare")
reading_help = " ".join(
    [t("funnel.help" if method == "cohort" else "funnel.help.flow"), t(f"funnel.help.{kind}")]
)

segments = [(chosen.dimension, chosen.value)]
if compare:
    with st.container(horizontal=True):
        other_dimension = common.sidebar_select(
            t("funnel.compare_dimension"),
            options.dimensions(),
            "funnel_cmp_dimension",
            format_func=i18n.formatter("dim"),
            main=True,
        )
        other_values = options.values(other_dimension)
        other_value = common.sidebar_select(
            t("funnel.compare_value"),
            other_values,
            "funnel_cmp_value",
            disabled=other_dimension == "all",
            main=True,
        )
    segments.append((other_dimension, other_value))

labels = i18n.stage_names(queries.stages(process, snapshot=snapshot))
st.markdown(
    f"**{i18n.code_label('process', process)}** · {common.period_label(period, chosen.grain)}"
)
columns = st.columns(len(segments))
for index, (dimension, value) in enumerate(segments):
    with columns[index]:
        where = (chosen.grain, period, dimension, value, process)
        suffix = "_cmp" if index else ""
        name = (
            t("all_segments")
            if dimension == "all"
            else f"{i18n.code_label('dim', dimension)} = {value}"
        )
        st.subheader(f"{t('funnel.title')} · {name}", help=reading_help)
        conversion = queries.funnel_conversion(*where, method, kind, snapshot=snapshot)
        if conversion.empty:
            st.info(t("funnel.empty"))
            continue
        st.plotly_chart(
            funnel_view.funnel_figure(conversion, labels, money),
            width="stretch",
            key=f"funnel_chart{suffix}",
        )
        st.dataframe(
            funnel_view.conversion_table(conversion, labels),
            hide_index=True,
            width="stretch",
            column_config=funnel_view.conversion_columns(),
        )

where = (chosen.grain, period, chosen.dimension, chosen.value, process)
stage_codes = list(labels)
stage = st.selectbox(
    t("drill.stage"), stage_codes, key="funnel_drill", format_func=labels.__getitem__
)
drilldown.show(
    queries.stage_entrants(*where, str(stage), snapshot=snapshot),
    "funnel_members",
    title=f"{t('drill.title')} · {labels[str(stage)]} · {chosen.segment_text()}",
    note=t("drill.stage.note"),
)

skip_value, skip_detail = funnel_view.skip_share(queries.stage_skips(*where, snapshot=snapshot))
st.metric(t("funnel.skip"), skip_value, help=t("funnel.skip.help"))
st.caption(skip_detail)

dwell = queries.stage_dwell(*where, snapshot=snapshot)
st.subheader(t("funnel.dwell"), help=t("funnel.dwell.help"))
if dwell.empty:
    st.info(t("funnel.dwell.empty"))
else:
    st.dataframe(
        funnel_view.dwell_table(dwell, labels),
        hide_index=True,
        width="stretch",
        column_config=funnel_view.dwell_columns(),
    )

st.caption(t("funnel.definition"))
if "team" in {dimension for dimension, _ in segments}:
    st.caption(t("funnel.team_note"))
if not identity.current_scope().everything:
    st.caption(t("scope.no_benchmark"))
