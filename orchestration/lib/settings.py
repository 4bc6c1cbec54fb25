"""Run settings read from the environment, with the defaults a nightly refresh needs.

- ``FUNNEL_TIMEZONE``: business time zone (default Asia/Shanghai).
- ``FUNNEL_AS_OF``: the as-of date (YYYY-MM-DD) the marts are computed for; default today in
  ``FUNNEL_TIMEZONE``. Re-running with an earlier date reproduces that date's marts.
- ``FUNNEL_SCHEDULE_CRON``: when the nightly refresh runs (default ``0 2 * * *``).
- ``FUNNEL_KEEP_SNAPSHOTS``: how many published snapshots to keep (default 5).
"""

from __future__ import annotations

import os
from datetime import date, datetime
from zoneinfo import ZoneInfo


def timezone_name() -> str:
    return os.environ.get("FUNNEL_TIMEZONE") or "Asia/Shanghai"


def schedule_cron() -> str:
    return os.environ.get("FUNNEL_SCHEDULE_CRON") or "0 2 * * *"


def keep_snapshots() -> int:
    return int(os.environ.get("FUNNEL_KEEP_SNAPSHOTS") or "5")


def as_of_date() -> date:
    value = os.environ.get("FUNNEL_AS_OF")
    if value:
        try:
            return date.fromisoformat(value)
        except ValueError as error:
            raise ValueError(f"FUNNEL_AS_OF must be a YYYY-MM-DD date, got {value!r}") from error
    return datetime.now(ZoneInfo(timezone_name())).date()
