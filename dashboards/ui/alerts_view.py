"""Presentation of ``mart_bottleneck_alerts``: labels, filters and the alert table."""

from __future__ import annotations

from typing import Final

import pandas as pd

from ui import drilldown, i18n

ALERT_TYPES: Final[tuple[str, ...]] = (
    "weak_transition",
    "funnel_hole",
    "stalled",
    "future_opportunity",
    "duplicate",
    "invalid_credit_code",
    "renewal_due",
    "close_date_pushed",
    "amount_cut",
)
SEVERITIES: Final[tuple[str, ...]] = ("high", "medium", "low")
ALL_SEGMENTS: Final[str] = "__all__"


def ordered(present: object, known: tuple[str, ...]) -> list[str]:
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


_COLUMNS: Final[tuple[str, ...]] = (
    "alert_rank",
    "severity",
    "segment",
    "period_start",
    "stage_code",
    "to_stage",
    "opportunity_id",
    "owner_id",
    "win_probability",
    "top_factors",
    "model_version",
    "escalation_level",
    "days_over_sla",
    "measured_value",
    "standard_value",
    "standard_source",
    "opportunity_count",
    "detail",
)


def alert_table(rows: pd.DataFrame) -> pd.DataFrame:
    """Display / export table; columns that are empty for every row are left out. An alert
    that names an opportunity shows its win probability, top factors and model version."""
    severity = i18n.formatter("severity")
    table = drilldown.with_scores(rows).assign(
        severity=[severity(s) for s in rows["severity"]],
        segment=segment_keys(rows),
        period_start=[None if pd.isna(p) else pd.Timestamp(p).date() for p in rows["period_start"]],
        detail=[detail(r) for _, r in rows.iterrows()],
    )[list(_COLUMNS)]
    keep = [c for c in _COLUMNS if c in ("alert_rank", "severity") or _has_value(table[c])]
    names = {c: i18n.t("col.segment" if c == "segment" else f"col.{c}") for c in keep}
    return table[keep].rename(columns=names).reset_index(drop=True)


def _has_value(column: pd.Series) -> bool:
    return bool((column.notna() & (column.astype(str) != "")).any())


def detail(row: pd.Series) -> object:
    """The alert's detail text in the current language (the other one when missing)."""
    first, second = ("detail_zh", "detail") if i18n.language() == "zh" else ("detail", "detail_zh")
    return row[first] if pd.notna(row[first]) else row[second]


def alert_label(row: pd.Series) -> str:
    """Drill-down option text: rank, severity and the detail."""
    severity = i18n.code_label("severity", row["severity"])
    return f"#{int(row['alert_rank'])} · {severity} · {detail(row)}"
