"""The global sidebar: language switch, period grain, date range and segment, shared by every page.

``render`` runs in ``streamlit_app.py`` before the page, so the widgets (and their keyed state)
live across page switches; pages read the choice with ``current()``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Final

import pandas as pd
import streamlit as st
from data import queries
from data.snapshot import Snapshot, SnapshotError, find_snapshot

from ui import i18n
from ui.i18n import t

GRAIN_KEY: Final[str] = "g_grain"
RANGE_KEY: Final[str] = "g_range"
DIMENSION_KEY: Final[str] = "g_dimension"
VALUE_KEY: Final[str] = "g_value"
_STATE_KEY: Final[str] = "_global_filters"
# Quarter first: sales targets are set per quarter, so the overview's attainment has a target.
DEFAULT_GRAIN_ORDER: Final[tuple[str, ...]] = ("quarter", "month", "week", "year")


@dataclass(frozen=True)
class Filters:
    grain: str
    start: dt.date  # periods whose start date is in [start, end] are shown
    end: dt.date
    dimension: str
    value: str

    def periods(self, starts: Iterable[object]) -> list[dt.date]:
        """The distinct period starts inside the date range, latest first."""
        days = {pd.Timestamp(s).date() for s in starts}  # type: ignore[arg-type]
        return sorted((d for d in days if self.start <= d <= self.end), reverse=True)

    def in_range(self, day: object) -> bool:
        return self.start <= pd.Timestamp(day).date() <= self.end  # type: ignore[arg-type]

    def segment_text(self) -> str:
        if self.dimension == "all":
            return t("all_segments")
        return f"{i18n.code_label('dim', self.dimension)} = {self.value}"


def default_range(as_of: dt.date) -> tuple[dt.date, dt.date]:
    """From the first day of the month a year before the as-of date to a quarter after it.

    The year back gives trends; the quarter ahead keeps forecast periods in view.
    """
    start = dt.date(as_of.year - 1, as_of.month, 1)
    return start, as_of + dt.timedelta(days=92)


def _select(title: str, options: list[str], key: str, prefix: str, disabled: bool = False) -> str:
    if key in st.session_state and st.session_state[key] not in options:
        del st.session_state[key]  # e.g. a region value after switching to tiers
    choice = st.sidebar.selectbox(
        title,
        options,
        index=0,
        key=key,
        disabled=disabled,
        format_func=i18n.formatter(prefix) if prefix else str,
    )
    return str(choice if choice is not None else options[0])


def render() -> Filters | None:
    """Draw the sidebar and remember the choice; ``None`` when there is nothing published."""
    st.sidebar.radio(
        t("language"),
        list(i18n.LANGUAGES),
        key=i18n.LANG_KEY,
        index=list(i18n.LANGUAGES).index(i18n.language()),
        format_func=i18n.LANGUAGES.__getitem__,
        horizontal=True,
    )
    st.session_state.pop(_STATE_KEY, None)
    try:
        snapshot = find_snapshot()
        if snapshot is None:
            return None
        options = queries.funnel_options(snapshot=snapshot)
        as_of = queries.publish_info(snapshot=snapshot).as_of_date
    except SnapshotError:
        return None  # the page shows the error
    if options.empty:
        return None
    chosen = _widgets(snapshot, options, as_of)
    st.session_state[_STATE_KEY] = chosen
    return chosen


def _widgets(snapshot: Snapshot, options: queries.FunnelOptions, as_of: dt.date) -> Filters:
    st.sidebar.header(t("filters"))
    present = options.grains()
    grains = [g for g in DEFAULT_GRAIN_ORDER if g in present] + [
        g for g in present if g not in DEFAULT_GRAIN_ORDER
    ]
    grain = _select(t("grain"), grains, GRAIN_KEY, "grain")
    starts = [pd.Timestamp(p).date() for p in options.combos["period_start"]]
    lowest = min([*starts, default_range(as_of)[0]])
    highest = max([*starts, default_range(as_of)[1]])
    picked = st.sidebar.date_input(
        t("date_range"),
        value=default_range(as_of),
        min_value=lowest,
        max_value=highest,
        key=RANGE_KEY,
        help=t("date_range.help"),
    )
    days = [d for d in (picked if isinstance(picked, tuple | list) else [picked]) if d]
    start = days[0] if days else lowest
    end = days[1] if len(days) > 1 else highest  # while only the first day is picked
    dimension = _select(t("dimension"), options.dimensions(), DIMENSION_KEY, "dim")
    value = _select(
        t("segment"), options.values(dimension), VALUE_KEY, "value", disabled=dimension == "all"
    )
    return Filters(grain, start, end, dimension, value)


def current() -> Filters:
    """The sidebar's choice for this run (``render`` ran first, in the entry point)."""
    chosen = st.session_state.get(_STATE_KEY)
    if not isinstance(chosen, Filters):
        st.info(t("empty.no_rows"))
        st.stop()
    return chosen
