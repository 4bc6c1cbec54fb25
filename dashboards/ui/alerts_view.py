"""Presentation of ``mart_bottleneck_alerts``: labels, filters and the alert table."""

from __future__ import annotations

from typing import Final

import pandas as pd

ALERT_TYPE_LABELS: Final[dict[str, str]] = {
    "weak_transition": "Weak transition 转化偏弱",
    "funnel_hole": "Funnel hole 漏斗缺口",
    "stalled": "Stalled 停滞商机",
    "future_opportunity": "Future opportunity 远期商机",
    "duplicate": "Duplicate 重复商机",
    "invalid_credit_code": "Invalid credit code 信用代码无效",
    "renewal_due": "Renewal due 续约到期",
    "close_date_pushed": "Close date pushed 成交日期推迟",
    "amount_cut": "Amount cut 金额下调",
}
SEVERITY_LABELS: Final[dict[str, str]] = {
    "high": "High 高",
    "medium": "Medium 中",
    "low": "Low 低",
}
ALL_SEGMENTS: Final[str] = "__all__"


def ordered(present: object, known: dict[str, str]) -> list[str]:
    """Codes present, in the order of ``known`` first, then any others sorted."""
    values = {str(v) for v in pd.Series(present).dropna()}
    return [k for k in known if k in values] + sorted(values - set(known))


def segment_key(dimension: object, value: object) -> str:
    if dimension is None or pd.isna(dimension):
        return "—"
    return f"{dimension}: {value}"


def segment_keys(rows: pd.DataFrame) -> list[str]:
    """``dimension: value`` of each row ("—" when the alert has no segment)."""
    pairs = zip(rows["segment_dimension"], rows["segment_value"], strict=True)
    return [segment_key(d, v) for d, v in pairs]


def segments(alerts: pd.DataFrame) -> list[str]:
    return [ALL_SEGMENTS, *sorted(set(segment_keys(alerts)))]


def filter_alerts(
    alerts: pd.DataFrame, alert_type: str, severities: list[str], segment: str
) -> pd.DataFrame:
    """Rows of one alert type with a chosen severity and segment, by ``alert_rank``."""
    rows = alerts[(alerts["alert_type"] == alert_type) & alerts["severity"].isin(severities)]
    if segment != ALL_SEGMENTS:
        rows = rows[[k == segment for k in segment_keys(rows)]]
    return rows.sort_values("alert_rank")


_COLUMNS: Final[dict[str, str]] = {
    "alert_rank": "Rank 排名",
    "severity": "Severity 严重度",
    "segment": "Segment 细分",
    "period_start": "Period 周期",
    "stage_code": "Stage 阶段",
    "to_stage": "To stage 目标阶段",
    "opportunity_id": "Opportunity 商机",
    "owner_id": "Owner 负责人",
    "escalation_level": "Escalation 升级",
    "days_over_sla": "Days over SLA 超出SLA天数",
    "measured_value": "Measured 实测值",
    "standard_value": "Standard 标准值",
    "standard_source": "Standard source 标准来源",
    "opportunity_count": "Opportunities 商机数",
    "detail_zh": "详情",
    "detail": "Detail",
}


def alert_table(rows: pd.DataFrame) -> pd.DataFrame:
    """Display / export table; columns that are empty for every row are left out."""
    table = rows.assign(
        severity=[SEVERITY_LABELS.get(str(s), str(s)) for s in rows["severity"]],
        segment=segment_keys(rows),
    )[list(_COLUMNS)]
    keep = [c for c in _COLUMNS if c in ("alert_rank", "severity") or table[c].notna().any()]
    return table[keep].rename(columns=_COLUMNS).reset_index(drop=True)


def alert_label(row: pd.Series) -> str:
    """Drill-down option text: rank, severity and the Chinese detail."""
    detail = row["detail_zh"] if pd.notna(row["detail_zh"]) else row["detail"]
    severity = SEVERITY_LABELS.get(str(row["severity"]), str(row["severity"]))
    return f"#{int(row['alert_rank'])} · {severity} · {detail}"


OPPORTUNITY_COLUMNS: Final[dict[str, str]] = {
    "opportunity_id": "Opportunity 商机",
    "member_role": "Role 角色",
    "opportunity_name": "Name 商机名称",
    "account_name": "Customer 客户",
    "owner_name": "Owner 负责人",
    "team": "Team 团队",
    "current_stage": "Stage 当前阶段",
    "status": "Status 状态",
    "amount": "Amount 金额",
    "currency": "Currency 币种",
    "expected_close_date": "Expected close 预计成交",
}
