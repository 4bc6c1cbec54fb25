"""Page furniture shared by every dashboard page: snapshot guard, freshness header, filters."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from typing import Final, TypeVar

import streamlit as st
from data import queries
from data.snapshot import NoSnapshotError, Snapshot, SnapshotError, current_snapshot

from ui.i18n import t

LOCAL_TZ: Final[str] = "Asia/Shanghai"

T = TypeVar("T")


def require_snapshot() -> Snapshot:
    """The serving snapshot; otherwise show a friendly message and stop this run."""
    try:
        return current_snapshot()
    except NoSnapshotError as exc:
        st.info(str(exc), icon=":material/hourglass_empty:")
        st.stop()
    except SnapshotError as exc:
        st.error(str(exc), icon=":material/error:")
        st.stop()


def fallback_warning() -> None:
    """Warn on every page when the dashboards serve the last good snapshot instead of the latest."""
    try:
        fallback = current_snapshot()
    except SnapshotError:
        return  # the page says so itself
    if fallback.fallback is None:
        return
    damaged, code = fallback.fallback
    st.warning(
        t(
            "snapshot.fallback",
            damaged=damaged,
            problem=t(f"snapshot.problem.{code}"),
            refresh_id=fallback.refresh_id,
        ),
        icon=":material/warning:",
    )


def freshness_header(title: str, snapshot: Snapshot) -> queries.PublishInfo:
    """Page title plus "Data as of … · last refresh …" from the snapshot's ``_publish_info``."""
    st.title(title)
    try:
        info = queries.publish_info(snapshot=snapshot)
    except SnapshotError as exc:
        st.error(str(exc), icon=":material/error:")
        st.stop()
    local = info.published_at_local(LOCAL_TZ)
    st.caption(
        t(
            "freshness",
            as_of=f"{info.as_of_date:%Y-%m-%d}",
            local=f"{local:%Y-%m-%d %H:%M}",
            tz=LOCAL_TZ,
            refresh_id=info.refresh_id,
        )
    )
    if info.refresh_id != snapshot.refresh_id:
        st.warning(t("pointer_mismatch", pointer=snapshot.refresh_id, snapshot=info.refresh_id))
    return info


def currency(snapshot: Snapshot) -> str | None:
    """The one currency of the opportunities, or ``None`` (with a caption) when mixed."""
    codes = queries.currencies(snapshot=snapshot)
    if len(codes) == 1:
        return codes[0]
    if codes:
        st.caption(t("currency_note", currency=t("currency_mixed", currencies=", ".join(codes))))
    return None


def period_label(period_start: dt.date, grain: str) -> str:
    """``2025-06``, ``2025 Q2``, ``2025`` or the week's Monday, in the current language."""
    if grain == "quarter":
        return f"{period_start.year} Q{(period_start.month - 1) // 3 + 1}"
    if grain == "month":
        return f"{period_start:%Y-%m}"
    if grain == "year":
        return f"{period_start.year}"
    if grain == "week":
        return t("period.week", day=f"{period_start:%Y-%m-%d}")
    return f"{period_start:%Y-%m-%d}"


def sidebar_select(
    title: str,
    options: Sequence[T],
    key: str,
    *,
    format_func: Callable[[T], str] = str,
    disabled: bool = False,
    main: bool = False,
    default: T | None = None,
) -> T:
    """A keyed sidebar (or, with ``main``, page) selectbox defaulting to ``default`` or the first.

    A remembered value that is no longer among the options (e.g. a month after switching to
    quarters) is dropped first, so the widget falls back to the first option.
    """
    if key in st.session_state and st.session_state[key] not in options:
        del st.session_state[key]
    where = st if main else st.sidebar
    index = list(options).index(default) if default in options else 0
    choice = where.selectbox(
        title, options, index=index, key=key, format_func=format_func, disabled=disabled
    )
    if choice is None:  # only when there are no options at all
        raise ValueError(f"No options for {title!r}")
    return choice
