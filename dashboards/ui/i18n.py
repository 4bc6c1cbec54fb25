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
    "snapshot.fallback": (
        "最新发布的快照 {damaged} 无法使用：{problem}。现在显示的是上一个完好的快照（刷新批次 "
        "`{refresh_id}`），数据可能比平时旧。运行 `make refresh` 发布新快照。",
        "The latest published snapshot {damaged} cannot be used: {problem}. Showing the last "
        "good snapshot, refresh `{refresh_id}`, instead; the data may be older than usual. "
        "Run `make refresh` to publish a new one.",
    ),
    "snapshot.problem.missing": ("文件不存在", "the file is missing"),
    "snapshot.problem.unreadable": ("文件无法读取", "the file cannot be read"),
    "snapshot.problem.checksum": (
        "校验和与发布时记录的不一致",
        "its checksum does not match the one written when it was published",
    ),
    "snapshot.problem.not_duckdb": (
        "无法作为 DuckDB 快照打开",
        "it cannot be opened as a DuckDB snapshot",
    ),
    "snapshot.problem.no_publish_info": ("缺少 _publish_info 记录", "it has no _publish_info row"),
    # ----------------------------------------------------------------------- sign-in
    "login.title": ("登录", "Sign in"),
    "login.user": ("用户名", "User name"),
    "login.password": ("密码", "Password"),
    "login.submit": ("登录", "Sign in"),
    "login.failed": ("用户名或密码不正确。", "Wrong user name or password."),
    "login.oidc": ("使用单点登录", "Sign in with single sign-on"),
    "login.oidc.help": (
        "本看板需要登录，登录后只显示您有权查看的数据。",
        "These dashboards need a sign-in; you then see the data you are allowed to see.",
    ),
    "login.signed_in": ("已登录：{user}", "Signed in as {user}"),
    "login.logout": ("退出登录", "Sign out"),
    "login.scope": ("可见范围：{scope}", "You see: {scope}"),
    "login.scope.all": ("全部数据", "all data"),
    "login.no_access": (
        "您的账号 {user} 不在访问范围文件中，看不到任何数据。请联系销售运营添加。",
        "Your account {user} is not in the access scope file, so no data is shown. Ask "
        "sales-ops to add it.",
    ),
    "login.config_error": ("登录配置有误：{error}", "The sign-in configuration is wrong: {error}"),
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
    "value.all": ("全部", "All"),
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
    "conv.columns": ("热力图列", "Heatmap columns"),
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
    "col.loaded_at": ("加载时间 (UTC)", "Loaded at (UTC)"),
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
    # ------------------------------------------------------------------------ overview
    "period.week": ("{day} 当周", "week of {day}"),
    "overview.vs": ("{period} · 环比 {previous}", "{period} · change vs {previous}"),
    "kpi.won_amount": ("已签单额", "Won amount"),
    "kpi.won_amount.help": (
        "周期内签约赢单的金额（按签约日期）。",
        "Closed won in the period, by closed date.",
    ),
    "kpi.won_count": ("赢单数", "Won deals"),
    "kpi.won_count.help": ("周期内签约赢单的商机数。", "Deals closed won in the period."),
    "kpi.new_pipeline": ("新增商机金额", "New pipeline"),
    "kpi.new_pipeline.help": (
        "流量口径：周期内新建商机的金额（按创建日期，商机快照）。",
        "Flow definition: amount of the opportunities created in the period (by created date, "
        "pipeline snapshots).",
    ),
    "kpi.target": ("销售目标", "Target"),
    "kpi.target.help": (
        "各团队目标之和；其他细分没有目标。",
        "Sum of team targets; other segments have none.",
    ),
    "kpi.weighted": ("加权预测", "Weighted forecast"),
    "kpi.weighted.help": (
        "Σ 在途商机金额 × 配置的阶段赢率（按预计成交日期落在周期内）。",
        "Σ open pipeline amount × configured stage probability (expected close in the period).",
    ),
    "kpi.attainment": ("目标达成率", "Attainment"),
    "kpi.attainment.help": ("已签单额 ÷ 目标。", "Won ÷ target."),
    "kpi.projected": ("预计达成率", "Projected attainment"),
    "kpi.projected.help": (
        "（已签单额 + 加权预测）÷ 目标。",
        "(won + weighted forecast) ÷ target.",
    ),
    "kpi.coverage": ("商机覆盖率", "Pipeline coverage"),
    "kpi.coverage.help": (
        "在途商机金额 ÷（目标 − 已签单额）；已达成目标时为空。",
        "Open pipeline ÷ (target − won); empty when the target is reached.",
    ),
    "kpi.win_rate": ("赢率 · {process}", "Win rate · {process}"),
    "kpi.win_rate.help": (
        "周期内结束的商机：赢单 ÷（赢单 + 输单），按结束日期（mart_win_rates）。",
        "Of the deals closed in the period: won ÷ (won + lost), by closed date (mart_win_rates).",
    ),
    "kpi.cycle": ("销售周期中位数", "Median sales cycle"),
    "kpi.cycle.help": (
        "周期内赢单的商机从创建到签约的自然日中位数。",
        "Median calendar days from creation to signing of the deals won in the period.",
    ),
    "kpi.days": ("{n:.0f} 天", "{n:.0f} days"),
    "overview.no_row": ("该周期暂无数据。", "No forecast row for this period."),
    "overview.top_alerts": ("重点预警", "Top alerts"),
    "overview.all_alerts": ("全部预警", "All alerts"),
    "overview.no_forecast": (
        "快照中暂无预测与目标数据。",
        "The published snapshot has no forecast rows yet.",
    ),
    # -------------------------------------------------------------------------- funnel
    "funnel.period": ("周期（进入阶段的队列）", "Period (cohort of entry)"),
    "funnel.title": ("漏斗", "Funnel"),
    "funnel.method": ("口径", "Reading"),
    "method.cohort": ("队列", "Cohort"),
    "method.flow": ("期间流量", "Period flow"),
    "funnel.kind": ("推进判定", "Counts as passed"),
    "kind.any_stage": ("到达任一后续阶段", "Any later stage"),
    "kind.strict": ("严格逐级", "Strict (next stage)"),
    "funnel.compare": ("对比另一个细分", "Compare with another segment"),
    "funnel.compare_dimension": ("对比细分维度", "Compare: segment by"),
    "funnel.compare_value": ("对比细分", "Compare: segment"),
    "funnel.help.flow": (
        "期间流量口径（种子 000 的 T1/T2 读法）："
        "统计周期内进入各阶段的商机，以及其中在周期内推进的数量；"
        "队列专属的输单、在途列为空。",
        "Period-flow definition (seed 000's T1/T2 reading): the opportunities that entered each "
        "stage during the period and, of those, how many moved on during it; the cohort-only "
        "lost and open columns are empty.",
    ),
    "funnel.help.strict": (
        "严格逐级：只有到达紧接的下一阶段才算推进，跳过阶段不算通过。",
        "Strict: advanced only when the next stage in order is reached; skipping does not count "
        "as passing.",
    ),
    "funnel.help.any_stage": (
        "任一阶段：到达任一后续阶段（含赢单）即算推进，跳过的阶段视为通过。",
        "Any stage: advanced when any later stage (or won) is reached; skipped stages count as "
        "passed.",
    ),
    "funnel.help": (
        "队列口径：每个阶段统计周期内首次进入（或跳过）该阶段的商机；最后一级为推进到签约的数量。",
        "Cohort definition: each stage counts the opportunities that first entered (or skipped "
        "past) it in the period; the last step is those that advanced to signed.",
    ),
    "funnel.empty": (
        "所选周期和细分没有商机进入该漏斗。",
        "No opportunities entered this funnel for the selected period and segment.",
    ),
    "funnel.conversion": ("阶段转化", "Stage conversion"),
    "funnel.dwell": ("阶段停留天数", "Days in stage"),
    "funnel.dwell.help": (
        "队列口径：周期内进入该阶段的停留；自然日（工作日见“转化与停留”页）；在途停留按截至日计龄。",
        "Cohort definition: visits entered in the period, in calendar days (business days on "
        "the Conversion & dwell page); open visits aged at the as-of date.",
    ),
    "funnel.dwell.empty": (
        "所选周期和细分没有阶段停留记录。",
        "No stage visits for the selected period and segment.",
    ),
    "funnel.definition": (
        "队列口径：商机计入其**首次进入起始阶段**的周期（每个阶段各自成队列）。"
        "转化率 = 推进 ÷ 进入，跳过的阶段视为通过；"
        "已决转化率 = 推进 ÷（推进 + 输单），在途商机不计为输单。"
        "阶段停留按**自然日**计。",
        "Cohort: opportunities counted in the period in which they **first entered the "
        "from-stage** (each stage is its own entry cohort). Conversion = advanced ÷ entered, "
        "skipped stages count as passed; resolved conversion = advanced ÷ (advanced + lost), "
        "open deals not counted as lost. Days in stage are **calendar days**; open visits are "
        "aged at the as-of date.",
    ),
    "funnel.skip": ("跳过阶段占比", "Skipped a stage"),
    "funnel.skip.help": (
        "周期内**新建**且已推进过阶段的商机中，至少跳过一个阶段的占比（不同于上面的进入队列）。",
        "Of the opportunities **created** in the period (not the entry cohort above) that moved "
        "stage at least once by the as-of date, the share that skipped a stage (moved more than "
        "one stage forward) at least once.",
    ),
    "funnel.skip.none": (
        "本周期新建的商机尚无阶段推进。",
        "No opportunity created in this period has moved stage yet.",
    ),
    "funnel.skip.detail": (
        "本周期新建且推进过阶段的 {total} 个商机中，{skipped} 个跳过了阶段。",
        "{skipped} of {total} opportunities created in the period that moved stage skipped one.",
    ),
    "col.from_stage": ("起始阶段", "From stage"),
    "col.to_stage": ("目标阶段", "To stage"),
    "col.stage": ("阶段", "Stage"),
    "col.entered": ("进入", "Entered"),
    "col.advanced": ("推进", "Advanced"),
    "col.skipped": ("跳过下一阶段", "Skipped next stage"),
    "col.lost": ("输单", "Lost"),
    "col.open": ("在途", "Open"),
    "col.conversion": ("转化率", "Conversion"),
    "col.resolved": ("已决转化率", "Resolved conversion"),
    "col.resolved.help": (
        "推进 ÷（推进 + 输单）：在途不计为输单",
        "advanced ÷ (advanced + lost): open deals not counted as lost",
    ),
    "col.benchmark": ("行业基准", "Benchmark"),
    "col.vs_benchmark": ("对比基准", "vs benchmark"),
    "col.entered_amount": ("进入金额", "Entered amount"),
    "col.advanced_amount": ("推进金额", "Advanced amount"),
    "col.completed_visits": ("已完成停留", "Completed visits"),
    "col.mean_days": ("平均天数", "Mean days"),
    "col.median_days": ("中位天数", "Median days"),
    "col.p90_days": ("P90 天数", "P90 days"),
    "col.open_visits": ("在途停留", "Open visits"),
    "col.open_age": ("在途停留中位天数", "Open median age (days)"),
    "col.sla_days": ("SLA 天数", "SLA days"),
    "col.vs_sla": ("中位数对比 SLA", "Median vs SLA"),
    "mark.below": ("▼ 低于", "▼ below"),
    "mark.above": ("▲ 达到/高于", "▲ at/above"),
    "mark.over_sla": ("▲ 超出 SLA", "▲ over SLA"),
    "mark.within": ("✓ 未超出", "✓ within"),
    # ------------------------------------------------------------------------ forecast
    "forecast.breakdown": ("分组维度", "Breakdown"),
    "forecast.chart": ("已签单、加权预测与目标", "Won, weighted forecast and target"),
    "forecast.chart.help": (
        "已签单按签约日期；在途商机截至数据日、按预计成交日期归入周期。加权 = Σ 金额 × 赢率"
        "（配置的阶段赢率、该细分的历史阶段赢率，或赢单概率模型对每个商机的评分）。目标按团队设定"
        "（“全部”行为其合计）；其他细分没有目标。金额按导出原值相加。",
        "Won so far by closed date; open pipeline as of the as-of date by expected close date. "
        "Weighted = Σ amount × win probability (the configured stage probability, the "
        "segment's historical stage win rate, or the win-probability model's score of each "
        "deal). Targets exist per team (the 'all' row sums them); other segments have none. "
        "Amounts are summed as exported.",
    ),
    "col.period": ("周期", "Period"),
    "col.segment": ("细分", "Segment"),
    "col.won_count": ("赢单数", "Won deals"),
    "col.won_amount": ("已签单额", "Won"),
    "col.weighted_configured_amount": ("加权预测（配置赢率）", "Weighted (configured)"),
    "col.weighted_empirical_amount": ("加权预测（历史赢率）", "Weighted (empirical)"),
    "col.target_amount": ("目标", "Target"),
    "col.gap_configured_amount": ("缺口（配置赢率）", "Gap (configured)"),
    "col.gap_empirical_amount": ("缺口（历史赢率）", "Gap (empirical)"),
    "col.open_pipeline_amount": ("在途商机金额", "Open pipeline"),
    "col.attainment_rate": ("达成率", "Attainment"),
    "col.projected_configured_attainment_rate": ("预计达成率", "Projected attainment"),
    "col.pipeline_coverage_ratio": ("商机覆盖率", "Coverage"),
    # -------------------------------------------------------------------------- alerts
    "alerts.type": ("预警类型", "Alert type"),
    "alerts.severity": ("严重度", "Severity"),
    "alerts.none": ("当前无预警。", "No alerts on the as-of date."),
    "alerts.count": (
        "共 {total} 条中的 {shown} 条 · 点击表头排序",
        "{shown} of {total} alerts · click a header to sort",
    ),
    "alerts.no_match": ("没有符合筛选条件的预警。", "No alerts match the filters."),
    "alerts.download": ("下载 CSV", "Download CSV"),
    "alerts.alert": ("预警", "Alert"),
    "alerts.type_col": ("类型", "Type"),
    "alert_type.weak_transition": ("转化偏弱", "Weak transition"),
    "alert_type.funnel_hole": ("漏斗缺口", "Funnel hole"),
    "alert_type.stalled": ("停滞商机", "Stalled"),
    "alert_type.future_opportunity": ("远期商机", "Future opportunity"),
    "alert_type.duplicate": ("重复商机", "Duplicate"),
    "alert_type.invalid_credit_code": ("信用代码无效", "Invalid credit code"),
    "alert_type.renewal_due": ("续约到期", "Renewal due"),
    "alert_type.close_date_pushed": ("成交日期推迟", "Close date pushed"),
    "alert_type.amount_cut": ("金额下调", "Amount cut"),
    "severity.high": ("高", "High"),
    "severity.medium": ("中", "Medium"),
    "severity.low": ("低", "Low"),
    "col.alert_rank": ("排名", "Rank"),
    "col.period_start": ("周期", "Period"),
    "col.stage_code": ("阶段", "Stage"),
    "col.opportunity_id": ("商机", "Opportunity"),
    "col.owner_id": ("负责人", "Owner"),
    "col.escalation_level": ("升级", "Escalation"),
    "col.days_over_sla": ("超出 SLA 天数", "Days over SLA"),
    "col.measured_value": ("实测值", "Measured"),
    "col.standard_value": ("标准值", "Standard"),
    "col.standard_source": ("标准来源", "Standard source"),
    "col.opportunity_count": ("商机数", "Opportunities"),
    "col.detail": ("详情", "Detail"),
    # ---------------------------------------------------------------------- drill-down
    "drill.title": ("商机明细", "Opportunities behind the number"),
    "drill.none": ("没有关联的商机。", "No opportunities are listed for this selection."),
    "drill.count": ("{n} 个商机", "{n} opportunities"),
    "drill.pick": ("查看数字背后的商机", "Show the deals behind"),
    "measure.created": ("本期新增商机", "New pipeline (created in the period)"),
    "measure.won": ("本期赢单", "Won in the period"),
    "measure.closed": (
        "本期结束（赢单与输单，赢率）",
        "Closed in the period (won and lost: win rate)",
    ),
    "measure.open": (
        "预计本期成交的在途商机（加权预测）",
        "Open, expected to close in the period (forecast)",
    ),
    "drill.stage": ("查看进入该阶段的商机", "Show the deals that entered stage"),
    "drill.stage.note": (
        "列出周期内首次进入该阶段的商机（阶段停留记录）；跳过该阶段的商机计入漏斗人数但不在此列。",
        "Lists the opportunities whose first visit of the stage began in the period (stage "
        "visits); those that skipped past it count in the funnel but are not listed.",
    ),
    "drill.cell_stage": ("明细：阶段", "Cell: stage"),
    "drill.cell_segment": ("明细：细分", "Cell: segment"),
    "drill.row": ("明细：周期与细分", "Deals of: period and segment"),
    "col.entered_at": ("进入时间", "Entered"),
    "col.days_in_stage": ("停留天数", "Days in stage"),
    "col.member_role": ("角色", "Role"),
    "col.opportunity_name": ("商机名称", "Name"),
    "col.account_name": ("客户", "Customer"),
    "col.owner_name": ("负责人", "Owner"),
    "col.team": ("团队", "Team"),
    "col.current_stage": ("当前阶段", "Stage"),
    "col.amount": ("金额", "Amount"),
    "col.currency": ("币种", "Currency"),
    "col.expected_close_date": ("预计成交", "Expected close"),
    "col.created_at": ("创建时间", "Created"),
    "col.closed_date": ("结束日期", "Closed"),
    "status.open": ("进行中", "open"),
    "status.won": ("赢单", "won"),
    "status.lost": ("输单", "lost"),
    "status.invalid": ("无效", "invalid"),
    "status.paused": ("暂停", "paused"),
    # ------------------------------------------------- win-probability scores and model method
    "col.win_probability": ("赢单概率", "Win probability"),
    "col.top_factors": ("主要因素", "Top factors"),
    "col.model_version": ("模型版本", "Model version"),
    "score.help": (
        "赢单概率模型按截至数据日的情况估计的赢单概率；已结束的商机或模型拒绝评分时为空。",
        "The win-probability model's P(won) as of the as-of date; empty for a closed deal or "
        "when the model declined.",
    ),
    "score.factors.help": (
        "对该商机赢单概率影响最大的因素，与典型商机相比的百分点变化。",
        "The factors that move this deal's win probability most, in percentage points against "
        "a typical deal.",
    ),
    "col.weighted_model_amount": ("加权预测（模型赢率）", "Weighted (model)"),
    "col.gap_model_amount": ("缺口（模型赢率）", "Gap (model)"),
    "col.projected_model_attainment_rate": ("预计达成率（模型）", "Projected attainment (model)"),
    "forecast.model.version": (
        "模型赢率来自赢单概率模型 {version} 对每个在途商机的评分。",
        "Model probabilities: each open deal's score by the win-probability model {version}.",
    ),
    "forecast.model.partial": (
        "模型 {version} 未对部分行的全部在途商机评分：这些行的模型列为空。",
        "The model {version} did not score every open deal of some rows: their model columns "
        "are empty.",
    ),
    "forecast.model.declined": (
        "赢单概率模型拒绝评分（{reason}），模型列为空。",
        "The win-probability model declined ({reason}); the model columns are empty.",
    ),
    "forecast.model.none": (
        "本快照没有赢单概率模型的评分，模型列为空。",
        "This snapshot has no win-probability scores; the model columns are empty.",
    ),
    "forecast.accuracy": ("预测准确度历史", "Forecast accuracy history"),
    "forecast.accuracy.help": (
        "每个已结束周期：期初（前一天日终）冻结的加权预测与本期实际签单额的对比。模型方法只用"
        "当时的评分（当时训练的模型），没有当时评分的周期不显示模型行。",
        "Each completed period: the weighted forecast frozen at its start (end of the day "
        "before) against what was won in it. The model method uses only the scores made then "
        "(by the model of that time); periods without such scores have no model row.",
    ),
    "forecast.accuracy.segment": ("准确度：细分", "Accuracy of segment"),
    "forecast.accuracy.none": (
        "该细分暂无已结束周期的预测准确度。",
        "No completed period has a forecast accuracy for this segment yet.",
    ),
    "forecast.accuracy.no_model": (
        "没有模型行：这些周期开始时模型尚未评分（拒绝评分，或早于回补的月数）。",
        "No model rows: the model had not scored these periods' starts (it declined, or they "
        "are older than the backfilled months).",
    ),
    "forecast_method.configured": ("配置赢率", "Configured probabilities"),
    "forecast_method.empirical": ("历史赢率", "Empirical win rates"),
    "forecast_method.model": ("模型赢率", "Model probabilities"),
    "col.forecast_method": ("预测方法", "Method"),
    "col.mape_rate": ("平均绝对误差 (MAPE)", "MAPE"),
    "col.bias_rate": ("平均偏差", "Bias"),
    "col.evaluated_period_count": ("评估期数", "Periods evaluated"),
    "col.forecast_amount": ("期初预测", "Forecast at period start"),
    "col.actual_won_amount": ("实际签单额", "Actual won"),
    "col.error_rate": ("偏差率", "Error"),
    "kpi.lead_conversion": ("线索转化率", "Lead conversion"),
    "kpi.lead_conversion.help": (
        "本期新建线索中已转为商机的比例（按线索创建日期，mart_win_rates）：{converted} / {leads}。"
        "新近的线索仍在跟进，比例会上升；仅按全部与团队细分。",
        "Of the leads created in the period, the share converted to an opportunity (by the "
        "lead's creation date, mart_win_rates): {converted} of {leads}. Recent leads are still "
        "being worked, so the rate rises; by all and team segments only.",
    ),
    # ------------------------------------------------------------ team segment of the funnel
    "funnel.team_note": (
        "销售团队口径：每个计数归属商机**进入该阶段时**负责人所在的团队；队列的结果（推进、输单）"
        "随进入时的团队，流量口径的每次进入各按当时的团队。阶段之间换了负责人的商机，"
        "在不同转化上可能计入不同团队。",
        "Team: each count goes to the owner's team **when the deal entered the stage**; a "
        "cohort's outcome (advanced, lost) stays with that team, and in the period flow each "
        "entry counts for the team at that entry. A deal handed over between stages can count "
        "for one team at one transition and for another at the next.",
    ),
    "scope.no_benchmark": (
        "公司级行业基准只对全量权限用户显示（见 definitions/access_scope.yml）。",
        "Company-wide benchmarks are shown to users who see everything only (see "
        "definitions/access_scope.yml).",
    ),
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
