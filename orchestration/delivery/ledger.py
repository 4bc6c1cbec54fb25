"""The delivery ledger in the build database: what was delivered to whom, so that a re-run on
the same day sends nothing twice and tomorrow's digests carry only new and escalated alerts.

- ``audit.alert_deliveries``: one row per attempt outcome of a digest (delivery date, recipient,
  role, channel): status ``sent``, ``dry_run``, ``failed`` or ``skipped``, attempts, counts, error.
  Published in the snapshot as ``_alert_deliveries`` (contract 5).
- ``audit.alert_delivery_items``: the alerts (and escalation levels) each sent or dry-run digest
  carried.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime

import duckdb

from orchestration.delivery.digest import Digest

DELIVERED = ("sent", "dry_run")
_DDL = """
create schema if not exists audit;
create table if not exists audit.alert_deliveries (
    delivery_date date not null,
    recipient_id varchar not null,
    recipient_role varchar not null,
    channel varchar not null,
    channel_type varchar not null,
    status varchar not null,
    attempts integer not null,
    alert_count integer not null,
    new_count integer not null,
    escalated_count integer not null,
    error varchar,
    run_id varchar,
    recorded_at timestamp not null
);
create table if not exists audit.alert_delivery_items (
    delivery_date date not null,
    recipient_id varchar not null,
    recipient_role varchar not null,
    channel varchar not null,
    alert_key varchar not null,
    alert_type varchar not null,
    escalation_rank integer not null,
    change varchar not null
);
"""


@dataclass(frozen=True)
class Outcome:
    status: str  # sent, dry_run, failed, skipped
    attempts: int
    error: str | None = None


def ensure_tables(con: duckdb.DuckDBPyConnection) -> None:
    con.execute(_DDL)


def already_delivered(
    con: duckdb.DuckDBPyConnection, day: date, recipient_id: str, role: str, channel: str
) -> bool:
    row = con.execute(
        "select count(*) from audit.alert_deliveries where delivery_date = ? and recipient_id = ? "
        "and recipient_role = ? and channel = ? and status in ('sent', 'dry_run', 'skipped')",
        [day, recipient_id, role, channel],
    ).fetchall()
    return bool(row and row[0][0])


def delivered_levels(
    con: duckdb.DuckDBPyConnection, recipient_id: str, role: str, before: date
) -> dict[str, int]:
    """Alert key -> highest escalation rank delivered to the recipient (on any channel) on days
    before ``before``."""
    rows = con.execute(
        "select alert_key, max(escalation_rank) from audit.alert_delivery_items "
        "where recipient_id = ? and recipient_role = ? and delivery_date < ? group by alert_key",
        [recipient_id, role, before],
    ).fetchall()
    return {key: int(rank) for key, rank in rows}


def record(
    con: duckdb.DuckDBPyConnection,
    digest: Digest,
    channel: str,
    channel_type: str,
    outcome: Outcome,
    run_id: str | None,
) -> None:
    recipient = digest.recipient
    con.execute(
        "insert into audit.alert_deliveries values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [
            digest.as_of,
            recipient.rep_id,
            recipient.role,
            channel,
            channel_type,
            outcome.status,
            outcome.attempts,
            len(digest.items),
            digest.new_count,
            digest.escalated_count,
            outcome.error,
            run_id,
            datetime.now(UTC).replace(tzinfo=None),
        ],
    )
    if outcome.status in DELIVERED and digest.items:
        con.executemany(
            "insert into audit.alert_delivery_items values (?, ?, ?, ?, ?, ?, ?, ?)",
            [
                [
                    digest.as_of,
                    recipient.rep_id,
                    recipient.role,
                    channel,
                    item.alert.alert_key,
                    item.alert.alert_type,
                    item.alert.level_rank,
                    item.change,
                ]
                for item in digest.items
            ],
        )
