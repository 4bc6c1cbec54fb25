"""Page furniture shared by every dashboard page: snapshot guard, freshness header, filters."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from typing import Final, TypeVar

import streamlit as st
from data import queries
from data.snapshot import NoSnapshotError, Snapshot, SnapshotError, current_snapshot

LOCAL_TZ: Final[str] = "Asia/Shanghai"

GRAIN_LABELS: Final[dict[str, str]] = {
    "month": "Month 月",
    "quarter": "Quarter 季度",
    "week": "Week 周",
    "year": "Year 年",
}
DIMENSION_LABELS: Final[dict[str, str]] = {
    "all": "All 全部",
    "customer_type": "Customer type 客户类型",
    "tier": "Tier 客户等级",
    "region": "Region 区域",
    "product_category": "Product category 产品类别",
    "opportunity_type": "Opportunity type 商机类型",
}
PROCESS_LABELS: Final[dict[str, str]] = {
    "standard": "Standard 标准流程",
    "renewal": "Renewal 续约流程",
}

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
        f"Data as of {info.as_of_date:%Y-%m-%d} · last refresh {local:%Y-%m-%d %H:%M} "
        f"({LOCAL_TZ}) · refresh `{info.refresh_id}`"
    )
    if info.refresh_id != snapshot.refresh_id:
        st.warning(
            f"serving.json names refresh `{snapshot.refresh_id}` but the snapshot says "
            f"`{info.refresh_id}`."
        )
    return info


def period_label(period_start: dt.date, grain: str) -> str:
    if grain == "quarter":
        return f"{period_start.year} Q{(period_start.month - 1) // 3 + 1}"
    if grain == "month":
        return f"{period_start:%Y-%m}"
    if grain == "year":
        return f"{period_start.year}"
    if grain == "week":
        return f"{period_start:%Y-%m-%d} 周 week"
    return f"{period_start:%Y-%m-%d}"


def label(mapping: dict[str, str]) -> Callable[[str], str]:
    """``format_func`` that shows a known code by its label and anything else as is."""
    return lambda code: mapping.get(code, code)


def sidebar_select(
    title: str,
    options: Sequence[T],
    key: str,
    *,
    format_func: Callable[[T], str] = str,
    disabled: bool = False,
    main: bool = False,
) -> T:
    """A keyed sidebar (or, with ``main``, page) selectbox defaulting to the first option.

    A remembered value that is no longer among the options (e.g. a month after switching to
    quarters) is dropped first, so the widget falls back to the first option.
    """
    if key in st.session_state and st.session_state[key] not in options:
        del st.session_state[key]
    where = st if main else st.sidebar
    choice = where.selectbox(
        title, options, index=0, key=key, format_func=format_func, disabled=disabled
    )
    if choice is None:  # only when there are no options at all
        raise ValueError(f"No options for {title!r}")
    return choice
