"""One delivery run: build each routed recipient's digest, then send it (or, in a dry run,
write it to a file), at most once per recipient, role, channel and day, retrying failures with
exponential back-off and recording every outcome in the ledger."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from fnmatch import fnmatchcase
from pathlib import Path

import duckdb

from orchestration.delivery import ledger
from orchestration.delivery.channels import DeliveryError, NoAddressError, dry_run_document, send
from orchestration.delivery.config import Channel, DeliveryConfig, DeliveryConfigError
from orchestration.delivery.digest import (
    Digest,
    Recipient,
    build_digest,
    load_alerts,
    load_recipients,
)

Log = Callable[[str], None]
Sender = Callable[[Channel, Digest, DeliveryConfig], None]


@dataclass
class RunSummary:
    counts: dict[str, int] = field(default_factory=dict)  # status -> digests
    already_delivered: int = 0
    empty: int = 0
    errors: list[str] = field(default_factory=list)

    def add(self, status: str) -> None:
        self.counts[status] = self.counts.get(status, 0) + 1


def routes_for(recipient: Recipient, config: DeliveryConfig) -> list[Channel]:
    """The channels of every route the recipient matches (each channel once)."""
    names: list[str] = []
    for route in config.routes:
        if (
            route.role == recipient.role
            and fnmatchcase(recipient.team, route.team)
            and fnmatchcase(recipient.region, route.region)
            and route.channel not in names
        ):
            names.append(route.channel)
    return [config.channels[n] for n in names]


def send_with_retries(
    channel: Channel,
    digest: Digest,
    config: DeliveryConfig,
    sender: Sender = send,
    sleep: Callable[[float], None] = time.sleep,
) -> ledger.Outcome:
    attempts, wait = 0, config.backoff_seconds
    while True:
        attempts += 1
        try:
            sender(channel, digest, config)
            return ledger.Outcome("sent", attempts)
        except NoAddressError as skipped:
            return ledger.Outcome("skipped", 0, str(skipped))
        except DeliveryConfigError as error:
            return ledger.Outcome("failed", attempts, str(error))
        except DeliveryError as error:
            if not error.retry or attempts > config.retries:
                return ledger.Outcome("failed", attempts, str(error))
            sleep(wait)
            wait *= 2


def write_dry_run(folder: Path, channel: Channel, digest: Digest, config: DeliveryConfig) -> Path:
    suffix, content = dry_run_document(channel, digest, config)
    day = folder / digest.as_of.isoformat()
    day.mkdir(parents=True, exist_ok=True)
    path = day / f"{digest.recipient.role}-{digest.recipient.rep_id}-{channel.name}{suffix}"
    path.write_text(content, encoding="utf-8")
    return path


def deliver(
    con: duckdb.DuckDBPyConnection,
    config: DeliveryConfig,
    as_of: date,
    dry_run_dir: Path,
    run_id: str | None = None,
    log: Log = print,
    sender: Sender = send,
    sleep: Callable[[float], None] = time.sleep,
) -> RunSummary:
    ledger.ensure_tables(con)
    alerts = load_alerts(con)
    summary = RunSummary()
    for recipient in load_recipients(con):
        channels = routes_for(recipient, config)
        if not channels:
            continue
        seen = ledger.delivered_levels(con, recipient.rep_id, recipient.role, as_of)
        digest = build_digest(recipient, alerts, seen, as_of)
        if not digest.items:
            summary.empty += 1
            continue
        for channel in channels:
            if ledger.already_delivered(con, as_of, recipient.rep_id, recipient.role, channel.name):
                summary.already_delivered += 1
                continue
            if config.dry_run:
                try:
                    write_dry_run(dry_run_dir, channel, digest, config)
                    outcome = ledger.Outcome("dry_run", 0)
                except NoAddressError as skipped:
                    outcome = ledger.Outcome("skipped", 0, str(skipped))
            else:
                outcome = send_with_retries(channel, digest, config, sender, sleep)
            ledger.record(con, digest, channel.name, channel.type, outcome, run_id)
            summary.add(outcome.status)
            if outcome.status == "failed":
                summary.errors.append(
                    f"{recipient.role} {recipient.rep_id} via {channel.name}: {outcome.error}"
                )
    log(
        f"alert delivery for {as_of}{' (dry run)' if config.dry_run else ''}: "
        + ", ".join(f"{n} {s}" for s, n in sorted(summary.counts.items()))
        + f"; {summary.already_delivered} already delivered today; {summary.empty} with nothing new"
    )
    return summary
