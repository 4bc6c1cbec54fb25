"""Formatting for the overview page: previous period, counts, rates and metric deltas.

Only formatting and differences of two mart values happen here; every rate comes from a mart.
"""

from __future__ import annotations

import datetime as dt
import math
from typing import Final

from ui import i18n

NO_VALUE: Final[str] = "—"


def previous_period(period_start: dt.date, grain: str) -> dt.date:
    """Start of the week, month, quarter or year before ``period_start``."""
    if grain == "week":
        return period_start - dt.timedelta(days=7)
    months = {"quarter": 3, "year": 12}.get(grain, 1)
    index = period_start.year * 12 + period_start.month - 1 - months
    return dt.date(index // 12, index % 12 + 1, 1)


def number(value: object) -> float | None:
    """A mart value as float; None for null / NaN / NA."""
    if value is None:
        return None
    try:
        result = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None
    return None if math.isnan(result) else result


def count(value: object) -> str:
    v = number(value)
    return NO_VALUE if v is None else f"{v:,.0f}"


def rate(value: object) -> str:
    v = number(value)
    return NO_VALUE if v is None else f"{v:.1%}"


def ratio(value: object) -> str:
    v = number(value)
    return NO_VALUE if v is None else f"{v:.2f}×"


def count_delta(current: object, previous: object) -> str | None:
    a, b = number(current), number(previous)
    return None if a is None or b is None else f"{a - b:+,.0f}"


def amount_delta(current: object, previous: object, currency: str | None) -> str | None:
    """Change of an amount in the language's units, e.g. ``+¥100.0万`` / ``+¥1.00M``."""
    a, b = number(current), number(previous)
    return None if a is None or b is None else i18n.signed_amount(a - b, currency)


def rate_delta(current: object, previous: object) -> str | None:
    """Change of a rate in percentage points, e.g. "+10.0 pp"."""
    a, b = number(current), number(previous)
    return None if a is None or b is None else f"{(a - b) * 100:+.1f} pp"


def ratio_delta(current: object, previous: object) -> str | None:
    a, b = number(current), number(previous)
    return None if a is None or b is None else f"{a - b:+.2f}×"
