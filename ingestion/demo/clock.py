"""Simulation time: whole seconds since day 1 of the proleptic Gregorian calendar (local time).

``T = date.toordinal() * 86400 + seconds_into_the_day``. Integers keep the arithmetic exact and
formatting cheap (the day strings are cached).
"""

from __future__ import annotations

from datetime import date

DAY = 86_400


class Clock:
    def __init__(self) -> None:
        self._days: dict[int, str] = {}

    def day(self, ordinal: int) -> str:
        """``YYYY-MM-DD`` for a day ordinal."""
        text = self._days.get(ordinal)
        if text is None:
            text = self._days[ordinal] = date.fromordinal(ordinal).isoformat()
        return text

    def date_of(self, t: int) -> str:
        """``YYYY-MM-DD`` of a time."""
        return self.day(t // DAY)

    def timestamp(self, t: int) -> str:
        """``YYYY-MM-DD HH:MM:SS`` of a time."""
        ordinal, secs = divmod(t, DAY)
        hours, rest = divmod(secs, 3600)
        minutes, seconds = divmod(rest, 60)
        return f"{self.day(ordinal)} {hours:02d}:{minutes:02d}:{seconds:02d}"


def money(cents: int) -> str:
    """``12345.67`` from an integer number of cents (non-negative)."""
    return f"{cents // 100}.{cents % 100:02d}"
