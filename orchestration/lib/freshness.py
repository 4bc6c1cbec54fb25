"""Is the inbox fresh? The newest export file must have changed within the expected window.

The window is ``FUNNEL_INBOX_MAX_AGE_HOURS`` (default 26: a nightly export plus slack). Only
files the export contract knows (``<family>*.csv``) count, so a stray file cannot make a stale
inbox look fresh.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from ingestion.contract import FAMILIES
from ingestion.loader import discover_files


@dataclass(frozen=True)
class InboxFreshness:
    inbox: Path
    newest_file: str | None
    newest_modified_at: datetime | None  # UTC
    max_age: timedelta
    checked_at: datetime  # UTC

    @property
    def age(self) -> timedelta | None:
        if self.newest_modified_at is None:
            return None
        return self.checked_at - self.newest_modified_at

    @property
    def fresh(self) -> bool:
        return self.age is not None and self.age <= self.max_age

    def describe(self) -> str:
        hours = self.max_age.total_seconds() / 3600
        if self.newest_file is None:
            return f"the inbox {self.inbox} holds no export file"
        assert self.age is not None and self.newest_modified_at is not None
        state = "fresh" if self.fresh else "STALE"
        when = f"{self.newest_modified_at:%Y-%m-%d %H:%M} UTC"
        return (
            f"inbox {state}: the newest export file, {self.newest_file}, changed "
            f"{self.age.total_seconds() / 3600:.1f} h ago ({when}); expected within "
            f"{hours:g} h (FUNNEL_INBOX_MAX_AGE_HOURS)"
        )


def inbox_freshness(
    inbox: Path, max_age_hours: float, now: datetime | None = None
) -> InboxFreshness:
    """The newest contract file in ``inbox`` and whether it changed within ``max_age_hours``."""
    checked_at = now or datetime.now(UTC)
    files = (
        [path for family in FAMILIES for path in discover_files(inbox, family)]
        if inbox.is_dir()
        else []
    )
    newest = max(files, key=lambda path: path.stat().st_mtime, default=None)
    modified = datetime.fromtimestamp(newest.stat().st_mtime, UTC) if newest is not None else None
    return InboxFreshness(
        inbox,
        newest.name if newest is not None else None,
        modified,
        timedelta(hours=max_age_hours),
        checked_at,
    )
