"""Score open opportunities and write ``scoring.opportunity_scores`` and
``scoring.model_status`` to the build database."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, date, datetime

import duckdb
import pandas as pd
from sklearn.pipeline import Pipeline

from orchestration.scoring.explain import factor_text, top_factors
from orchestration.scoring.train import predict

SCHEMA = "scoring"
SCORE_COLUMNS: tuple[str, ...] = (
    "snapshot_date",
    "opportunity_id",
    "is_backfilled",
    "owner_id",
    "sales_process",
    "stage_code",
    "amount",
    "configured_probability",
    "win_probability",
    "model_version",
    "trained_on",
    "top_factors_en",
    "top_factors_zh",
    "top_factors_json",
)
_DDL = f"""
create schema if not exists {SCHEMA};
create or replace table {SCHEMA}.opportunity_scores (
    snapshot_date date not null,
    opportunity_id varchar not null,
    is_backfilled boolean not null,
    owner_id varchar,
    sales_process varchar,
    stage_code varchar,
    amount double,
    configured_probability double,
    win_probability double not null,
    model_version varchar not null,
    trained_on date not null,
    top_factors_en varchar,
    top_factors_zh varchar,
    top_factors_json varchar,
    scored_at timestamp not null,
    as_of_date date not null,
    primary key (snapshot_date, opportunity_id)
);
create or replace table {SCHEMA}.model_status (
    as_of_date date not null,
    status varchar not null,
    model_version varchar,
    trained_on date,
    reason varchar,
    closed_deals integer,
    won_deals integer,
    lost_deals integer,
    scored_opportunities integer not null,
    backfilled_scores integer not null,
    scored_at timestamp not null
);
"""


@dataclass(frozen=True)
class ModelStatus:
    status: str  # scored, declined
    model_version: str | None
    trained_on: date | None
    reason: str
    closed_deals: int
    won_deals: int
    lost_deals: int


def stage_names(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    return con.execute(
        "select sales_process, stage_code, stage_name_en, stage_name_zh from marts.dim_stages"
    ).df()


def score_rows(
    model: Pipeline,
    version: str,
    trained_on: date,
    reference: dict[str, object],
    rows: pd.DataFrame,
    names: pd.DataFrame,
    how_many: int,
    is_backfilled: bool,
) -> pd.DataFrame:
    """One score row per feature row; the as-of date's rows (not backfilled ones, which only
    feed the forecast) get their top factors in both languages."""
    if rows.empty:
        return pd.DataFrame(columns=list(SCORE_COLUMNS))
    named = rows.merge(names, on=["sales_process", "stage_code"], how="left")
    named["stage_name_en"] = named["stage_name_en"].fillna(named["stage_code"])
    named["stage_name_zh"] = named["stage_name_zh"].fillna(named["stage_code"])
    factors = (
        [[] for _ in range(len(named))]
        if is_backfilled
        else top_factors(model, named, reference, how_many)
    )
    out = named[
        ["snapshot_date", "opportunity_id", "owner_id", "sales_process", "stage_code", "amount"]
    ].copy()
    out["configured_probability"] = named["configured_probability"]
    out["win_probability"] = predict(model, named)
    out["is_backfilled"] = is_backfilled
    out["model_version"] = version
    out["trained_on"] = trained_on
    out["top_factors_en"] = ["; ".join(factor_text(f, "en") for f in fs) for fs in factors]
    out["top_factors_zh"] = ["；".join(factor_text(f, "zh") for f in fs) for fs in factors]
    out["top_factors_json"] = [
        json.dumps([f.as_dict() for f in fs], ensure_ascii=False) for fs in factors
    ]
    if is_backfilled:
        out[["top_factors_en", "top_factors_zh", "top_factors_json"]] = None
    return out[list(SCORE_COLUMNS)]


def write_scores(
    con: duckdb.DuckDBPyConnection, scores: pd.DataFrame, status: ModelStatus, as_of: date
) -> None:
    """Replace both tables (the scores of this refresh, and one status row)."""
    scored_at = datetime.now(UTC).replace(tzinfo=None)
    con.execute(_DDL)
    if not scores.empty:
        frame = scores.copy()
        frame["scored_at"] = scored_at
        frame["as_of_date"] = as_of
        con.register("_scores", frame)
        columns = ", ".join([*SCORE_COLUMNS, "scored_at", "as_of_date"])
        con.execute(
            f"insert into {SCHEMA}.opportunity_scores ({columns}) select {columns} from _scores"
        )
        con.unregister("_scores")
    current = int((~scores["is_backfilled"].astype(bool)).sum()) if not scores.empty else 0
    con.execute(
        f"insert into {SCHEMA}.model_status values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [
            as_of,
            status.status,
            status.model_version,
            status.trained_on,
            status.reason,
            status.closed_deals,
            status.won_deals,
            status.lost_deals,
            current,
            len(scores) - current,
            scored_at,
        ],
    )
