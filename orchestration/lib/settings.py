"""Run settings read from the environment, with the defaults a nightly refresh needs.

- ``FUNNEL_TIMEZONE``: business time zone (default Asia/Shanghai).
- ``FUNNEL_AS_OF``: the as-of date (YYYY-MM-DD) the marts are computed for; default today in
  ``FUNNEL_TIMEZONE``. Re-running with an earlier date reproduces that date's marts.
- ``FUNNEL_SCHEDULE_CRON``: when the nightly refresh runs (default ``0 2 * * *``).
- ``FUNNEL_KEEP_SNAPSHOTS``: how many published snapshots to keep (default 5, at least 1).
- ``FUNNEL_INBOX_MAX_AGE_HOURS``: the inbox freshness check warns when no export file has
  changed for longer than this (default 26: a nightly export plus two hours of slack), and
  the GX check ``gx_export_freshness`` when one export family has loaded nothing new for
  longer than this.
- ``FUNNEL_ALERT_WEBHOOK_URL``: optional; a failed run is also POSTed there as JSON.
- ``FUNNEL_ALERT_EMAIL_TO`` (comma-separated), ``FUNNEL_SMTP_HOST``, ``FUNNEL_SMTP_PORT``
  (default 25), ``FUNNEL_SMTP_USER``, ``FUNNEL_SMTP_PASSWORD``, ``FUNNEL_ALERT_EMAIL_FROM``:
  optional; a failed run is also e-mailed. Nothing is sent when they are unset.
- ``FUNNEL_LOCK_WAIT_SECONDS``: how long `make refresh` waits for a process that still holds
  ``build.duckdb`` (for example a dbt left running by a killed refresh) (default 600).
"""

from __future__ import annotations

import os
from datetime import date, datetime
from zoneinfo import ZoneInfo


def timezone_name() -> str:
    return os.environ.get("FUNNEL_TIMEZONE") or "Asia/Shanghai"


def schedule_cron() -> str:
    return os.environ.get("FUNNEL_SCHEDULE_CRON") or "0 2 * * *"


def _positive_number(name: str, default: str) -> float:
    value = os.environ.get(name) or default
    try:
        number = float(value)
    except ValueError as error:
        raise ValueError(f"{name} must be a number, got {value!r}") from error
    if number <= 0:
        raise ValueError(f"{name} must be greater than 0, got {value!r}")
    return number


def keep_snapshots() -> int:
    value = os.environ.get("FUNNEL_KEEP_SNAPSHOTS") or "5"
    if not value.isdigit() or int(value) < 1:
        raise ValueError(f"FUNNEL_KEEP_SNAPSHOTS must be a whole number >= 1, got {value!r}")
    return int(value)


def inbox_max_age_hours() -> float:
    return _positive_number("FUNNEL_INBOX_MAX_AGE_HOURS", "26")


def lock_wait_seconds() -> float:
    return _positive_number("FUNNEL_LOCK_WAIT_SECONDS", "600")


def as_of_date() -> date:
    value = os.environ.get("FUNNEL_AS_OF")
    if value:
        try:
            return date.fromisoformat(value)
        except ValueError as error:
            raise ValueError(f"FUNNEL_AS_OF must be a YYYY-MM-DD date, got {value!r}") from error
    return datetime.now(ZoneInfo(timezone_name())).date()
