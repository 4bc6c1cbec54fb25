"""Top factors per opportunity, in plain Chinese and English: "3 close-date pushes: −12 pts".

A factor is a group of features (the activity counts, the stage, the customer type ...). Its
points are how far the deal's P(won) moves, in percentage points, when that group is set to the
typical deal's values (``train.reference_deal``) and everything else is kept: positive when the
deal's own value helps, negative when it hurts.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from sklearn.pipeline import Pipeline

from orchestration.scoring.train import predict

Row = Mapping[str, Any]
Phrase = Callable[[Row], tuple[str, str]]  # (English, Chinese)

MINUS = "\u2212"
ZH_VALUES = {
    "enterprise": "企业",
    "government": "政府",
    "public_institution": "事业单位",
    "new": "新签",
    "renewal": "续签",
    "upsell": "再销售",
    "unknown": "未知",
}


def _zh(value: object) -> str:
    return ZH_VALUES.get(str(value), str(value))


def _n(row: Row, column: str) -> int:
    return int(row[column])


def _count(row: Row, column: str, noun: str) -> str:
    """``1 stage regression``, ``3 stage regressions``."""
    n = _n(row, column)
    return (
        f"{n} {noun}" if n == 1 else f"{n} {noun}s" if not noun.endswith("h") else f"{n} {noun}es"
    )


def _activities(row: Row) -> tuple[str, str]:
    total, strong = _n(row, "activities_30d"), _n(row, "strong_activities_30d")
    return (
        f"{total} activities in the last 30 days ({strong} visits, meetings, demos or proposals)",
        f"近30天跟进 {total} 次（拜访/会议/演示/方案 {strong} 次）",
    )


def _recency(row: Row) -> tuple[str, str]:
    days = _n(row, "days_since_activity")
    if _n(row, "activities_30d") == 0 and days >= _n(row, "age_days"):
        return "no activity logged yet", "尚无跟进记录"
    return f"last activity {days} days ago", f"距上次跟进 {days} 天"


def _attribute(en: str, zh: str, column: str) -> Phrase:
    def phrase(row: Row) -> tuple[str, str]:
        return f"{en} {row[column]}", f"{zh} {_zh(row[column])}"

    return phrase


@dataclass(frozen=True)
class FactorGroup:
    name: str
    columns: tuple[str, ...]
    phrase: Phrase


GROUPS: tuple[FactorGroup, ...] = (
    FactorGroup(
        "stage",
        ("stage_code",),
        lambda r: (f"stage {r['stage_name_en']}", f"阶段 {r['stage_name_zh']}"),
    ),
    FactorGroup(
        "days_in_stage",
        ("days_in_stage",),
        lambda r: (
            f"{_n(r, 'days_in_stage')} days in stage",
            f"在当前阶段 {_n(r, 'days_in_stage')} 天",
        ),
    ),
    FactorGroup(
        "activities",
        ("activities_30d", "strong_activities_30d"),
        _activities,
    ),
    FactorGroup(
        "activities_in_stage",
        ("activities_in_stage", "strong_activities_in_stage"),
        lambda r: (
            f"{_n(r, 'strong_activities_in_stage')} visits, meetings, demos or proposals "
            f"({_n(r, 'activities_in_stage')} activities) in this stage",
            f"本阶段拜访/会议/演示/方案 {_n(r, 'strong_activities_in_stage')} 次"
            f"（共跟进 {_n(r, 'activities_in_stage')} 次）",
        ),
    ),
    FactorGroup("activity_recency", ("days_since_activity",), _recency),
    FactorGroup(
        "stage_regressions",
        ("stage_regressions",),
        lambda r: (
            _count(r, "stage_regressions", "stage regression"),
            f"阶段回退 {_n(r, 'stage_regressions')} 次",
        ),
    ),
    FactorGroup(
        "close_date_pushes",
        ("close_date_pushes",),
        lambda r: (
            _count(r, "close_date_pushes", "close-date push"),
            f"预计成交日期推迟 {_n(r, 'close_date_pushes')} 次",
        ),
    ),
    FactorGroup(
        "age",
        ("age_days",),
        lambda r: (f"open for {_n(r, 'age_days')} days", f"已创建 {_n(r, 'age_days')} 天"),
    ),
    FactorGroup(
        "customer_type",
        ("customer_type",),
        _attribute("customer type", "客户类型", "customer_type"),
    ),
    FactorGroup("tier", ("tier",), _attribute("tier", "客户等级", "tier")),
    FactorGroup("industry", ("industry",), _attribute("industry", "行业", "industry")),
    FactorGroup("region", ("region",), _attribute("region", "区域", "region")),
    FactorGroup("amount_band", ("amount_band",), _attribute("amount", "金额", "amount_band")),
    FactorGroup(
        "product_category", ("product_category",), _attribute("product", "产品", "product_category")
    ),
    FactorGroup(
        "opportunity_type", ("opportunity_type",), _attribute("type", "类型", "opportunity_type")
    ),
    FactorGroup("source", ("source",), _attribute("source", "来源", "source")),
)


@dataclass(frozen=True)
class Factor:
    name: str
    points: int  # percentage points of P(won), signed
    en: str
    zh: str

    def as_dict(self) -> dict[str, object]:
        return {"factor": self.name, "points": self.points, "en": self.en, "zh": self.zh}


def format_points(points: int, language: str) -> str:
    sign = "+" if points > 0 else MINUS
    return f"{sign}{abs(points)} pts" if language == "en" else f"{sign}{abs(points)} 个百分点"


def factor_text(factor: Factor, language: str) -> str:
    if language == "en":
        text = factor.en[:1].upper() + factor.en[1:]
        return f"{text}: {format_points(factor.points, 'en')}"
    return f"{factor.zh}：{format_points(factor.points, 'zh')}"


def group_points(
    model: Pipeline, rows: pd.DataFrame, reference: Mapping[str, object]
) -> dict[str, np.ndarray]:
    """Per factor group, P(won) minus P(won) with that group at the typical deal's values
    (one prediction over all the variants at once)."""
    variants = [rows]
    for group in GROUPS:
        typical = rows.copy()
        for column in group.columns:
            typical[column] = reference[column]
        variants.append(typical)
    predicted = predict(model, pd.concat(variants, ignore_index=True)).reshape(len(variants), -1)
    base = predicted[0]
    return {g.name: (base - predicted[i + 1]) * 100 for i, g in enumerate(GROUPS)}


def top_factors(
    model: Pipeline,
    rows: pd.DataFrame,
    reference: Mapping[str, object],
    how_many: int,
) -> list[list[Factor]]:
    """The ``how_many`` factors that move each row's P(won) most (at least 1 point)."""
    points = group_points(model, rows, reference)
    records = rows.to_dict("records")
    out: list[list[Factor]] = []
    for i, row in enumerate(records):
        ranked = sorted(GROUPS, key=lambda g: -abs(points[g.name][i]))
        factors: list[Factor] = []
        for group in ranked[:how_many]:
            value = int(round(points[group.name][i]))
            if value == 0:
                break
            en, zh = group.phrase(row)
            factors.append(Factor(group.name, value, en, zh))
        out.append(factors)
    return out
