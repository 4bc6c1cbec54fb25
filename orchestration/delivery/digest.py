"""Who gets which alerts, and the digest text (Chinese first, English beside it).

- An **owner** gets the alerts on the opportunities they own.
- A **manager** (a rep named as ``manager_id`` by current reps) gets, for the opportunities of
  their direct reports, the stalled alerts escalated to warn or reclaim and the renewals due;
  plus the weak transitions in their segments (their team's region, or a company-wide cut such
  as customer type or product) and the funnel holes of their team.

Of those, a digest carries only what is **new** to that recipient (never delivered to them) or
**escalated** (remind -> warn -> reclaim beyond the level last delivered to them); the ledger
says what was delivered before.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date

import duckdb

LEVELS = {"remind": 1, "warn": 2, "reclaim": 3}
TYPE_NAMES = {
    "stalled": ("停滞", "stalled"),
    "future_opportunity": ("未来商机", "future opportunity"),
    "renewal_due": ("续约到期", "renewal due"),
    "close_date_pushed": ("成交日期推迟", "close date pushed"),
    "amount_cut": ("金额下调", "amount cut"),
    "weak_transition": ("薄弱环节", "weak transition"),
    "funnel_hole": ("漏斗缺口", "funnel hole"),
    "duplicate": ("重复商机", "duplicate"),
    "invalid_credit_code": ("信用代码无效", "invalid credit code"),
}
LEVEL_NAMES = {
    "remind": ("提醒", "remind"),
    "warn": ("预警", "warn"),
    "reclaim": ("收回", "reclaim"),
}
COMPANY_WIDE_DIMENSIONS = ("all", "customer_type", "tier", "product_category", "opportunity_type")


@dataclass(frozen=True)
class Alert:
    alert_key: str
    alert_type: str
    severity: str
    severity_rank: int
    escalation_level: str | None
    opportunity_id: str | None
    opportunity_name: str | None
    owner_id: str | None
    segment_dimension: str | None
    segment_value: str | None
    detail: str
    detail_zh: str

    @property
    def level_rank(self) -> int:
        return LEVELS.get(self.escalation_level or "", 0)


@dataclass(frozen=True)
class Recipient:
    rep_id: str
    name: str
    role: str  # owner or manager
    team: str
    region: str
    reports: frozenset[str] = frozenset()  # a manager's direct reports


@dataclass(frozen=True)
class DigestItem:
    alert: Alert
    change: str  # new or escalated


@dataclass(frozen=True)
class Digest:
    recipient: Recipient
    as_of: date
    items: tuple[DigestItem, ...] = field(default=())

    @property
    def new_count(self) -> int:
        return sum(i.change == "new" for i in self.items)

    @property
    def escalated_count(self) -> int:
        return sum(i.change == "escalated" for i in self.items)


_ALERTS_SQL = """
select
    alerts.alert_key, alerts.alert_type, alerts.severity, alerts.severity_rank,
    alerts.escalation_level, alerts.opportunity_id, opportunities.opportunity_name,
    alerts.owner_id, alerts.segment_dimension, alerts.segment_value,
    coalesce(alerts.detail, '') as detail, coalesce(alerts.detail_zh, '') as detail_zh
from marts.mart_bottleneck_alerts as alerts
left join marts.dim_opportunities as opportunities
    on alerts.opportunity_id = opportunities.opportunity_id
order by alerts.severity_rank, alerts.alert_type, alerts.alert_rank
"""

_REPS_SQL = """
select rep_id, rep_name, team, coalesce(region, '') as region, manager_id
from marts.dim_sales_reps
where is_current
order by rep_id
"""


def load_alerts(con: duckdb.DuckDBPyConnection) -> list[Alert]:
    return [Alert(*row) for row in con.execute(_ALERTS_SQL).fetchall()]


def load_recipients(con: duckdb.DuckDBPyConnection) -> list[Recipient]:
    reps = con.execute(_REPS_SQL).fetchall()
    reports: dict[str, set[str]] = {}
    for rep_id, _, _, _, manager_id in reps:
        if manager_id:
            reports.setdefault(manager_id, set()).add(rep_id)
    out: list[Recipient] = []
    for rep_id, name, team, region, _ in reps:
        out.append(Recipient(rep_id, name, "owner", team, region))
        if rep_id in reports:
            out.append(Recipient(rep_id, name, "manager", team, region, frozenset(reports[rep_id])))
    return out


def relevant(recipient: Recipient, alerts: Iterable[Alert]) -> list[Alert]:
    """The alerts that concern ``recipient`` today (before the new / escalated filter)."""
    if recipient.role == "owner":
        return [a for a in alerts if a.owner_id == recipient.rep_id]
    out = []
    for alert in alerts:
        team_alert = alert.owner_id in recipient.reports and (
            (alert.alert_type == "stalled" and alert.level_rank >= LEVELS["warn"])
            or alert.alert_type == "renewal_due"
        )
        segment_alert = alert.alert_type == "weak_transition" and (
            alert.segment_dimension in COMPANY_WIDE_DIMENSIONS
            or (alert.segment_dimension == "region" and alert.segment_value == recipient.region)
            or (alert.segment_dimension == "team" and alert.segment_value == recipient.team)
        )
        hole = (
            alert.alert_type == "funnel_hole"
            and alert.segment_dimension == "team"
            and alert.segment_value == recipient.team
        )
        if team_alert or segment_alert or hole:
            out.append(alert)
    return out


def build_digest(
    recipient: Recipient,
    alerts: Iterable[Alert],
    delivered_levels: Mapping[str, int],
    as_of: date,
) -> Digest:
    """New and escalated alerts for ``recipient``; ``delivered_levels`` maps the alert keys
    already delivered to them to the highest level delivered (0 for an alert without levels)."""
    items: list[DigestItem] = []
    for alert in relevant(recipient, alerts):
        if alert.alert_key not in delivered_levels:
            items.append(DigestItem(alert, "new"))
        elif alert.level_rank > delivered_levels[alert.alert_key]:
            items.append(DigestItem(alert, "escalated"))
    return Digest(recipient, as_of, tuple(items))


def title(digest: Digest) -> str:
    who = "团队" if digest.recipient.role == "manager" else ""
    return (
        f"商机预警 {who}{digest.recipient.name} {digest.as_of}：新增 {digest.new_count}，"
        f"升级 {digest.escalated_count} / Funnel alerts for {digest.recipient.name}"
        f"{' (team)' if digest.recipient.role == 'manager' else ''}"
    )


def item_line(item: DigestItem) -> str:
    alert = item.alert
    zh_type, en_type = TYPE_NAMES.get(alert.alert_type, (alert.alert_type, alert.alert_type))
    change = "升级 escalated" if item.change == "escalated" else "新 new"
    level = ""
    if alert.escalation_level:
        zh_level, en_level = LEVEL_NAMES[alert.escalation_level]
        level = f" · {zh_level} {en_level}"
    subject = f" {alert.opportunity_id} {alert.opportunity_name or ''}".rstrip()
    if alert.opportunity_id is None:
        subject = f" {alert.segment_dimension}={alert.segment_value}"
    return f"[{change}] {zh_type} {en_type}{level}{subject}: {alert.detail_zh} / {alert.detail}"


def render_markdown(digest: Digest, dashboard_url: str = "") -> str:
    lines = [f"**{title(digest)}**", ""]
    lines += [f"- {item_line(item)}" for item in digest.items]
    if dashboard_url:
        lines += ["", f"[打开看板 Open the dashboards]({dashboard_url})"]
    return "\n".join(lines)


def render_text(digest: Digest, dashboard_url: str = "") -> str:
    lines = [title(digest), ""]
    lines += [f"- {item_line(item)}" for item in digest.items]
    if dashboard_url:
        lines += ["", f"打开看板 / Dashboards: {dashboard_url}"]
    return "\n".join(lines)


def as_json(digest: Digest) -> dict[str, object]:
    return {
        "as_of_date": digest.as_of.isoformat(),
        "recipient": {
            "rep_id": digest.recipient.rep_id,
            "name": digest.recipient.name,
            "role": digest.recipient.role,
            "team": digest.recipient.team,
        },
        "title": title(digest),
        "new_count": digest.new_count,
        "escalated_count": digest.escalated_count,
        "alerts": [
            {
                "alert_key": i.alert.alert_key,
                "alert_type": i.alert.alert_type,
                "change": i.change,
                "severity": i.alert.severity,
                "escalation_level": i.alert.escalation_level,
                "opportunity_id": i.alert.opportunity_id,
                "opportunity_name": i.alert.opportunity_name,
                "detail": i.alert.detail,
                "detail_zh": i.alert.detail_zh,
            }
            for i in digest.items
        ],
    }
