"""The pandas peer: the benchmark's core metrics as an analyst would compute them in pandas.

Reads the inbox CSVs and the stage definitions straight into DataFrames and computes the same
four tables as bench/floor.sql (see there and bench/metrics.py for the metrics), with the same
rules: the latest row of each key wins, nothing after the as-of date counts, a skipped stage
counts as reached and a won opportunity reaches every stage.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd

CLOSED = ("won", "lost", "invalid")
LOST = ("lost", "invalid")


def _read(inbox: Path, pattern: str) -> pd.DataFrame:
    """All files of one export family, as text, blanks as missing; the latest row per key
    is the last one (files in name order)."""
    frames = [
        pd.read_csv(path, dtype=str, keep_default_na=False).replace(r"^\s*$", np.nan, regex=True)
        for path in sorted(inbox.glob(pattern))
    ]
    frame = pd.concat(frames, ignore_index=True)
    return frame.apply(lambda column: column.str.strip())


def _quarter_start(values: pd.Series) -> pd.Series:
    return values.dt.to_period("Q").dt.start_time.dt.date


def load_opportunities(inbox: Path, stages: pd.DataFrame, as_of: date) -> pd.DataFrame:
    opportunities = _read(inbox, "opportunities*.csv").drop_duplicates(
        "opportunity_id", keep="last"
    )
    opportunities["created_at"] = pd.to_datetime(opportunities["created_at"])
    opportunities = opportunities[opportunities["created_at"].dt.date <= as_of].copy()
    opportunities["amount"] = opportunities["amount"].astype(float)
    opportunities["closed_date"] = pd.to_datetime(opportunities["closed_date"])
    opportunities["expected_close_date"] = pd.to_datetime(opportunities["expected_close_date"])
    closed_by_as_of = opportunities["status"].isin(CLOSED) & (
        opportunities["closed_date"].dt.date <= as_of
    )
    opportunities["is_closed"] = closed_by_as_of.fillna(False).astype(bool)
    opportunities["status"] = np.where(
        ~opportunities["is_closed"] & opportunities["status"].isin(CLOSED),
        "open",
        opportunities["status"],
    )
    accounts = _read(inbox, "accounts*.csv").drop_duplicates("account_id", keep="last")
    opportunities = opportunities.merge(
        accounts[["account_id", "customer_type"]], on="account_id", how="left"
    )
    opportunities["customer_type"] = opportunities["customer_type"].fillna("unknown")
    return opportunities


def load_changes(
    inbox: Path, opportunities: pd.DataFrame, stages: pd.DataFrame, as_of: date
) -> pd.DataFrame:
    changes = _read(inbox, "stage_history*.csv")
    changes["changed_at"] = pd.to_datetime(changes["changed_at"])
    changes = changes.drop_duplicates(["opportunity_id", "to_stage", "changed_at"], keep="last")
    changes = changes[changes["changed_at"].dt.date <= as_of]
    changes = changes.merge(
        opportunities[["opportunity_id", "sales_process"]], on="opportunity_id"
    ).merge(
        stages[["sales_process", "stage_code", "stage_order"]].rename(
            columns={"stage_code": "to_stage", "stage_order": "to_stage_order"}
        ),
        on=["sales_process", "to_stage"],
        how="left",
    )
    changes = changes.sort_values(["opportunity_id", "changed_at", "to_stage_order", "to_stage"])
    changes["change_number"] = changes.groupby("opportunity_id").cumcount() + 1
    changes["from_stage_order"] = changes.groupby("opportunity_id")["to_stage_order"].shift()
    return changes


def with_segments(frame: pd.DataFrame) -> pd.DataFrame:
    """The rows twice: segment all, and by customer type."""
    return pd.concat(
        [
            frame.assign(segment_dimension="all", segment_value="all"),
            frame.assign(segment_dimension="customer_type", segment_value=frame["customer_type"]),
        ],
        ignore_index=True,
    )


def conversion(
    opportunities: pd.DataFrame, changes: pd.DataFrame, stages: pd.DataFrame
) -> pd.DataFrame:
    reach = opportunities[["opportunity_id", "sales_process", "status", "closed_date"]].merge(
        stages[["sales_process", "stage_code", "stage_order"]], on="sales_process"
    )
    reach = reach.sort_values(["opportunity_id", "stage_order"])
    reach["next_stage"] = reach.groupby("opportunity_id")["stage_code"].shift(-1)
    # first time the opportunity was at this stage or beyond it
    pairs = reach[["opportunity_id", "stage_code", "stage_order"]].merge(
        changes[["opportunity_id", "to_stage_order", "changed_at"]], on="opportunity_id"
    )
    pairs = pairs[pairs["to_stage_order"] >= pairs["stage_order"]]
    first = pairs.groupby(["opportunity_id", "stage_code"], as_index=False)["changed_at"].min()
    reach = reach.merge(first, on=["opportunity_id", "stage_code"], how="left")
    won_at = reach["closed_date"].where(reach["status"] == "won")
    reach["first_entered_at"] = reach["changed_at"].fillna(won_at)
    reach["is_reached"] = reach["first_entered_at"].notna()
    reach = reach.sort_values(["opportunity_id", "stage_order"])
    reach["is_advanced"] = (
        reach.groupby("opportunity_id")["is_reached"].shift(-1).fillna(False).astype(bool)
    )
    cohort = reach[reach["is_reached"] & reach["next_stage"].notna()].copy()
    cohort["is_lost"] = ~cohort["is_advanced"] & cohort["status"].isin(LOST)
    cohort["period_start"] = _quarter_start(cohort["first_entered_at"])
    cohort = cohort.merge(opportunities[["opportunity_id", "customer_type"]], on="opportunity_id")
    result = (
        with_segments(cohort)
        .groupby(
            [
                "period_start",
                "segment_dimension",
                "segment_value",
                "sales_process",
                "stage_code",
                "next_stage",
            ],
            as_index=False,
        )
        .agg(
            entered_count=("opportunity_id", "size"),
            advanced_count=("is_advanced", "sum"),
            lost_count=("is_lost", "sum"),
        )
        .rename(columns={"stage_code": "from_stage", "next_stage": "to_stage"})
    )
    resolved = result["advanced_count"] + result["lost_count"]
    result["resolved_conversion_rate"] = (result["advanced_count"] / resolved).where(resolved > 0)
    return result


def dwell(opportunities: pd.DataFrame, changes: pd.DataFrame, stages: pd.DataFrame) -> pd.DataFrame:
    # a change into the stage the opportunity is already in starts no visit
    same = changes["to_stage_order"] == changes["from_stage_order"]
    visits = changes[~same].copy()
    visits["next_at"] = visits.groupby("opportunity_id")["changed_at"].shift(-1)
    visits = visits.merge(
        stages[~stages["is_won_stage"]][["sales_process", "stage_code"]].rename(
            columns={"stage_code": "to_stage"}
        ),
        on=["sales_process", "to_stage"],
    ).merge(opportunities[["opportunity_id", "is_closed", "closed_date"]], on="opportunity_id")
    closed_at = visits["closed_date"].where(visits["is_closed"])
    visits["exited_at"] = visits["next_at"].fillna(
        pd.concat([visits["changed_at"], closed_at], axis=1).max(axis=1).where(closed_at.notna())
    )
    visits["days"] = (visits["exited_at"] - visits["changed_at"]).dt.total_seconds() / 86400
    visits["period_start"] = _quarter_start(visits["changed_at"])
    return (
        visits.groupby(["period_start", "sales_process", "to_stage"], as_index=False)
        .agg(
            completed_visits=("days", "count"),
            mean_days=("days", "mean"),
            median_days=("days", "median"),
        )
        .rename(columns={"to_stage": "stage_code"})
    )


def win_rates(opportunities: pd.DataFrame) -> pd.DataFrame:
    closed = opportunities[opportunities["is_closed"]].copy()
    closed["is_won"] = closed["status"] == "won"
    closed["is_lost"] = closed["status"].isin(LOST)
    closed["period_start"] = _quarter_start(closed["closed_date"])
    result = (
        with_segments(closed)
        .groupby(
            ["period_start", "segment_dimension", "segment_value", "sales_process"],
            as_index=False,
        )
        .agg(won_count=("is_won", "sum"), lost_count=("is_lost", "sum"))
    )
    result["win_rate"] = result["won_count"] / (result["won_count"] + result["lost_count"])
    return result


def weighted_pipeline(
    opportunities: pd.DataFrame, changes: pd.DataFrame, stages: pd.DataFrame
) -> pd.DataFrame:
    latest_stage = changes.drop_duplicates("opportunity_id", keep="last")[
        ["opportunity_id", "to_stage"]
    ]
    open_now = opportunities[
        (opportunities["status"] == "open") & opportunities["expected_close_date"].notna()
    ].merge(latest_stage, on="opportunity_id", how="left")
    open_now["stage_code"] = open_now["to_stage"].fillna(open_now["current_stage"])
    open_now = open_now.merge(
        stages[["sales_process", "stage_code", "win_probability"]],
        on=["sales_process", "stage_code"],
        how="left",
    )
    open_now["weighted"] = open_now["amount"] * open_now["win_probability"]
    open_now["period_start"] = _quarter_start(open_now["expected_close_date"])
    result = open_now.groupby("period_start", as_index=False).agg(
        open_count=("opportunity_id", "size"),
        open_pipeline_amount=("amount", "sum"),
        weighted_configured_amount=("weighted", "sum"),
    )
    result["weighted_configured_amount"] = result["weighted_configured_amount"].round(2)
    return result


def run_pandas(inbox: Path, stages_csv: Path, as_of: date) -> dict[str, pd.DataFrame]:
    """The four metric tables, keyed like bench/floor.sql's (floor_ prefix dropped)."""
    stages = pd.read_csv(stages_csv)
    stages["is_won_stage"] = stages["is_won_stage"].astype(str).str.lower() == "true"
    opportunities = load_opportunities(inbox, stages, as_of)
    changes = load_changes(inbox, opportunities, stages, as_of)
    return {
        "conversion": conversion(opportunities, changes, stages),
        "dwell": dwell(opportunities, changes, stages),
        "win_rates": win_rates(opportunities),
        "weighted_pipeline": weighted_pipeline(opportunities, changes, stages),
    }
