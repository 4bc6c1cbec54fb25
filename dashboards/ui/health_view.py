"""Presentation of the snapshot's audit tables: load log, quarantine, checks, deliveries."""

from __future__ import annotations

from typing import Final

import pandas as pd

from ui import i18n
from ui.i18n import t

LOAD_COLUMNS: Final[tuple[str, ...]] = (
    "family",
    "source_file",
    "status",
    "rows_read",
    "rows_loaded",
    "rows_quarantined",
    "loaded_at",
    "message",
)
CHECK_COLUMNS: Final[tuple[str, ...]] = (
    "check_name",
    "asset_key",
    "severity",
    "description",
    "observed",
    "checked_at",
)
# Columns of a delivery row worth showing, when the table has them.
DELIVERY_COLUMNS: Final[tuple[str, ...]] = (
    "alert_id",
    "channel",
    "recipient",
    "status",
    "error",
    "attempted_at",
)
FAILED_STATUSES: Final[frozenset[str]] = frozenset({"failed", "failure", "error"})


def duration(seconds: float | None) -> str:
    if seconds is None:
        return i18n.NO_VALUE
    if seconds < 60:
        return t("health.seconds", n=seconds)
    minutes, rest = divmod(seconds, 60)
    return t("health.minutes", m=minutes, s=rest)


def labelled(table: pd.DataFrame, columns: tuple[str, ...]) -> pd.DataFrame:
    """The known ``columns`` present in ``table``, with translated headers."""
    keep = [c for c in columns if c in table.columns]
    return table[keep].rename(columns={c: t(f"col.{c}") for c in keep}).reset_index(drop=True)


def load_table(log: pd.DataFrame) -> pd.DataFrame:
    shown = log.assign(status=[i18n.code_label("status", s) for s in log["status"]])
    return labelled(shown, LOAD_COLUMNS)


def file_reasons(log: pd.DataFrame) -> pd.DataFrame:
    """Without row-level records: the files with quarantined rows or a message."""
    rows = log[(log["rows_quarantined"] > 0) | (log["message"].fillna("") != "")]
    return labelled(rows, ("source_file", "rows_quarantined", "message"))


def failed_checks(results: pd.DataFrame) -> pd.DataFrame:
    """Rows of ``_check_results`` whose ``passed`` is false, errors first."""
    failed = results[results["passed"].astype("boolean").eq(False).fillna(False)]
    if "severity" in failed.columns:
        failed = failed.sort_values("severity")  # 'ERROR' sorts before 'WARN'
    return labelled(failed, CHECK_COLUMNS)


def failed_deliveries(deliveries: pd.DataFrame) -> pd.DataFrame:
    """Delivery rows that failed: by ``status``, else a false success flag, else an ``error``."""
    if "status" in deliveries.columns:
        failed = deliveries["status"].astype(str).str.lower().isin(FAILED_STATUSES)
    elif flags := [c for c in ("succeeded", "success", "delivered") if c in deliveries.columns]:
        failed = deliveries[flags[0]].astype("boolean").eq(False).fillna(False)
    elif "error" in deliveries.columns:
        failed = deliveries["error"].notna() & (deliveries["error"].astype(str) != "")
    else:
        failed = pd.Series(False, index=deliveries.index)
    rows = deliveries[failed]
    known = labelled(rows, DELIVERY_COLUMNS)
    return known if len(known.columns) else rows.reset_index(drop=True)
