"""The dashboard's one translation catalogue (zh-CN / en) and its number formats.

Every label, caption and help text a page shows is a key of ``TEXT`` with its Chinese and
English wording; pages call ``t(key)``. The language is the ``lang`` sidebar switch
(``st.session_state["lang"]``), by default ``$FUNNEL_DASHBOARD_LANG`` or Chinese.
Numbers: Chinese uses 万 (10^4) and 亿 (10^8), English K (10^3) and M (10^6); amounts carry
their currency.
"""

from __future__ import annotations

import math
import os
from collections.abc import Callable
from typing import Final

import pandas as pd
import streamlit as st

LANG_KEY: Final[str] = "lang"
LANGUAGES: Final[dict[str, str]] = {"zh": "中文", "en": "English"}
LANG_ENV: Final[str] = "FUNNEL_DASHBOARD_LANG"
NO_VALUE: Final[str] = "—"
CURRENCY_SYMBOLS: Final[dict[str, str]] = {"CNY": "¥", "RMB": "¥", "USD": "$", "EUR": "€"}

# key: (中文, English)
TEXT: Final[dict[str, tuple[str, str]]] = {
    # ------------------------------------------------------------------ navigation and frame
    "app.title": ("商机漏斗数仓", "Funnel Warehouse"),
    "nav.sales": ("销售", "Sales"),
    "nav.operations": ("运维", "Operations"),
    "page.overview": ("总览", "Overview"),
    "page.funnel": ("销售漏斗", "Sales funnel"),
    "page.conversion": ("转化与停留", "Conversion & dwell"),
    "page.forecast": ("预测与目标", "Forecast vs target"),
    "page.alerts": ("预警", "Alerts"),
    "page.health": ("数据健康", "Data health"),
    "freshness": (
        "数据截至 {as_of} · 最近刷新 {local} ({tz}) · 刷新批次 `{refresh_id}`",
        "Data as of {as_of} · last refresh {local} ({tz}) · refresh `{refresh_id}`",
    ),
    "pointer_mismatch": (
        "serving.json 指向刷新批次 `{pointer}`，但快照记录的是 `{snapshot}`。",
        "serving.json names refresh `{pointer}` but the snapshot says `{snapshot}`.",
    ),
    # ------------------------------------------------------------------- global filters
    "filters": ("筛选", "Filters"),
    "language": ("语言 Language", "Language 语言"),
    "grain": ("周期粒度", "Period grain"),
    "date_range": ("日期范围", "Date range"),
    "date_range.help": (
        "按周期起始日筛选：起始日落在该范围内的周期会显示。",
        "Filters periods by their start date: periods starting in this range are shown.",
    ),
    "dimension": ("细分维度", "Segment by"),
    "segment": ("细分", "Segment"),
    "period": ("周期", "Period"),
    "process": ("销售流程", "Sales process"),
    "all": ("全部", "All"),
    "all_periods": ("全部周期", "All periods"),
    "all_segments": ("全部细分", "all segments"),
    "no_periods": (
        "所选日期范围内没有 {grain} 周期，请放宽日期范围。",
        "No {grain} period starts in the chosen date range: widen the date range.",
    ),
    "grain.month": ("月", "Month"),
    "grain.quarter": ("季度", "Quarter"),
    "grain.week": ("周", "Week"),
    "grain.year": ("年", "Year"),
    "dim.all": ("全部", "All"),
    "dim.customer_type": ("客户类型", "Customer type"),
    "dim.tier": ("客户等级", "Tier"),
    "dim.region": ("区域", "Region"),
    "dim.product_category": ("产品类别", "Product category"),
    "dim.opportunity_type": ("商机类型", "Opportunity type"),
    "dim.team": ("销售团队", "Team"),
    "dim.importance": ("重要度", "Importance"),
    "dim.account": ("客户", "Account"),
    "dim.owner": ("负责人", "Owner"),
    "process.standard": ("标准流程", "Standard"),
    "process.renewal": ("续约流程", "Renewal"),
    "currency_note": ("币种：{currency}", "Currency: {currency}"),
    "currency_mixed": (
        "多币种（{currencies}），金额按导出原值相加，未做汇率换算",
        "mixed ({currencies}), amounts summed as exported, not converted",
    ),
    "empty.no_rows": ("该筛选条件下暂无数据。", "No rows for this selection."),
    # ------------------------------------------------------------------ conversion & dwell
    "conv.metric": ("热力图指标", "Heatmap of"),
    "conv.metric.conversion_rate": ("阶段转化率", "Stage conversion"),
    "conv.metric.median_days": ("阶段停留中位天数（自然日）", "Median days in stage (calendar)"),
    "conv.metric.median_business_days": (
        "阶段停留中位天数（工作日）",
        "Median days in stage (business days)",
    ),
    "conv.heatmap": ("阶段 × {dimension}", "Stage × {dimension}"),
    "conv.heatmap.help.conversion_rate": (
        "队列口径：周期内首次进入该阶段（或跳过该阶段）的商机中，推进到后续任一阶段的比例"
        "（推进数 ÷ 进入数）。",
        "Cohort definition: of the opportunities that first entered the stage (or skipped past "
        "it) in the period, the share that advanced to any later stage (advanced ÷ entered).",
    ),
    "conv.heatmap.help.median_days": (
        "队列口径：周期内进入该阶段且已离开的阶段停留，按自然日计的中位数。",
        "Cohort definition: completed stage visits entered in the period; median in calendar days.",
    ),
    "conv.heatmap.help.median_business_days": (
        "队列口径：周期内进入该阶段且已离开的阶段停留，按工作日（周一至周五，不含节假日）计的中位数。",
        "Cohort definition: completed stage visits entered in the period; median in business "
        "days (Monday to Friday, no holiday calendar).",
    ),
    "conv.no_segments": (
        "按“全部”细分时热力图只有一列：在侧边栏选择细分维度以对比各细分。",
        "Segmented by 'All' the heatmap has one column: choose a segment dimension in the "
        "sidebar to compare segments.",
    ),
    "conv.trend": ("转化趋势", "Conversion trend"),
    "conv.transition": ("阶段转化", "Transition"),
    "conv.trend.help": (
        "队列口径，按{grain}：每个周期首次进入起始阶段的商机中推进的比例；虚线为行业基准。"
        "近期队列尚未成熟（商机仍在进行中），读数偏低。",
        "Cohort definition by {grain}: of the opportunities that first entered the from-stage "
        "in each period, the share that advanced; the dashed line is the benchmark. Recent "
        "cohorts are not mature yet (deals still open) and read low.",
    ),
    "conv.trend.empty": (
        "所选日期范围内该转化没有数据。",
        "No rows for this transition in the chosen date range.",
    ),
    "conv.rate": ("转化率", "Conversion"),
    "conv.benchmark": ("行业基准", "Benchmark"),
    "conv.entered": ("进入数", "Entered"),
    "conv.cell": ("单元格明细", "Cell detail"),
    # ---------------------------------------------------------------------- data health
    "health.last_refresh": ("最近一次成功刷新", "Last successful refresh"),
    "health.duration": ("刷新耗时", "Refresh duration"),
    "health.duration.help": (
        "从本次运行开始到快照发布的时间。",
        "From the start of the run to the publish of the snapshot.",
    ),
    "health.as_of": ("数据截至", "Data as of"),
    "health.files": ("各文件读取、入库与隔离行数", "Rows read, loaded and quarantined per file"),
    "health.files.help": (
        "每个导出文件版本一行（来自刷新时的加载日志）：读取行数 = 入库行数 + 隔离行数。"
        "内容未变的文件标记为“跳过”。",
        "One row per export file version (the load log of the refresh): rows read = loaded + "
        "quarantined. Files whose content did not change are 'skipped'.",
    ),
    "health.reasons": ("隔离原因", "Quarantine reasons"),
    "health.reasons.none": ("没有隔离的行。", "No rows were quarantined."),
    "health.reasons.detail_missing": (
        "快照中没有逐行隔离记录（_quarantine），仅显示文件级说明。",
        "The snapshot holds no row-level quarantine records (_quarantine): file-level "
        "messages only.",
    ),
    "health.checks": ("未通过的数据检查", "Failed data checks"),
    "health.checks.ok": (
        "本次刷新的 {n} 项检查全部通过。",
        "All {n} checks of the refresh passed.",
    ),
    "health.deliveries": ("发送失败的预警通知", "Failed alert deliveries"),
    "health.deliveries.ok": (
        "{n} 条预警通知全部发送成功。",
        "All {n} alert deliveries succeeded.",
    ),
    "health.not_recorded": ("尚未记录。", "Not recorded yet."),
    "health.seconds": ("{n:.0f} 秒", "{n:.0f} s"),
    "health.minutes": ("{m:.0f} 分 {s:.0f} 秒", "{m:.0f} min {s:.0f} s"),
    "col.family": ("数据类别", "Family"),
    "col.source_file": ("文件", "File"),
    "col.status": ("状态", "Status"),
    "col.rows_read": ("读取行数", "Rows read"),
    "col.rows_loaded": ("入库行数", "Rows loaded"),
    "col.rows_quarantined": ("隔离行数", "Rows quarantined"),
    "col.loaded_at": ("加载时间", "Loaded at"),
    "col.message": ("说明", "Message"),
    "col.reason_code": ("原因", "Reason"),
    "col.column_name": ("字段", "Column"),
    "col.rows": ("行数", "Rows"),
    "col.example": ("示例", "Example"),
    "col.check_name": ("检查", "Check"),
    "col.asset_key": ("数据资产", "Asset"),
    "col.severity": ("严重度", "Severity"),
    "col.description": ("描述", "Description"),
    "col.observed": ("实测", "Observed"),
    "col.checked_at": ("检查时间", "Checked at"),
    "col.alert_id": ("预警", "Alert"),
    "col.channel": ("渠道", "Channel"),
    "col.recipient": ("接收人", "Recipient"),
    "col.error": ("错误", "Error"),
    "col.attempted_at": ("发送时间", "Attempted at"),
    "status.loaded": ("已入库", "loaded"),
    "status.skipped": ("跳过", "skipped"),
    "status.rejected": ("已拒收", "rejected"),
}


def language() -> str:
    """The chosen language code: the sidebar switch, else the environment, else Chinese."""
    chosen = st.session_state.get(LANG_KEY)
    if chosen in LANGUAGES:
        return str(chosen)
    env = os.environ.get(LANG_ENV, "").strip().lower()[:2]
    return env if env in LANGUAGES else "zh"


def t(key: str, **values: object) -> str:
    """The text of ``key`` in the current language, with ``{name}`` fields filled in."""
    return _text(key, language(), values)


def _text(key: str, lang: str, values: dict[str, object] | None = None) -> str:
    zh, en = TEXT[key]
    text = zh if lang == "zh" else en
    return text.format(**values) if values else text


def code_label(prefix: str, code: object) -> str:
    """A code's translated label (``grain.month`` …), or the code itself when unknown."""
    return formatter(prefix)(code)


def formatter(prefix: str) -> Callable[[object], str]:
    """A widget ``format_func`` for codes under ``prefix``, in the language of this run.

    The language is bound now: Streamlit (and AppTest) may call the function outside the run.
    """
    lang = language()

    def label(code: object) -> str:
        key = f"{prefix}.{code}"
        return _text(key, lang) if key in TEXT else str(code)

    return label


def _number(value: object) -> float | None:
    if value is None:
        return None
    try:
        result = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None
    return None if math.isnan(result) else result


def compact(value: object) -> str:
    """A number in the current language's units: 1.23亿 / 45.6万 or 1.23M / 45.6K."""
    v = _number(value)
    if v is None:
        return NO_VALUE
    size = abs(v)
    if language() == "zh":
        units = ((1e8, "亿", 2), (1e4, "万", 1))
    else:
        units = ((1e6, "M", 2), (1e3, "K", 1))
    for scale, unit, digits in units:
        if size >= scale:
            return f"{v / scale:,.{digits}f}{unit}"
    return f"{v:,.0f}"


def amount(value: object, currency: str | None) -> str:
    """An amount in compact units with its currency symbol or code (``¥600.0万``)."""
    text = compact(value)
    if text == NO_VALUE or not currency:
        return text
    symbol = CURRENCY_SYMBOLS.get(currency)
    sign = "-" if text.startswith("-") else ""
    bare = text.lstrip("-")
    return f"{sign}{symbol}{bare}" if symbol else f"{sign}{bare} {currency}"


def signed_amount(value: object, currency: str | None) -> str:
    """A change of an amount with an explicit sign (``+¥100.0万``)."""
    v = _number(value)
    if v is None:
        return NO_VALUE
    text = amount(v, currency)
    return text if v < 0 else f"+{text}"


def stage_names(stages: pd.DataFrame) -> dict[str, str]:
    """Stage code → its ``dim_stages`` name in the current language."""
    column = "stage_name_zh" if language() == "zh" else "stage_name_en"
    pairs = zip(stages["stage_code"], stages[column], strict=True)
    return {str(code): str(name) for code, name in pairs}
