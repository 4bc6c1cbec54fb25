"""A hand-made build database for the feature SQL, and a synthetic world for the model.

The database (``tiny_warehouse``) holds three standard-process opportunities:

- OPP1, enterprise, created 2025-01-05 09:00. Stage changes: initial_contact (01-05),
  needs_confirmed (01-20 10:00), proposal (02-10), back to needs_confirmed (02-20 09:00,
  backward), signed (03-15, won, closed 2025-03-15). Activities: demo 01-25, call 02-25,
  visit 03-05. Export versions loaded 01-10 (close 2025-03-01), 02-15 (close 2025-04-01: a
  push), 03-10 (close 2025-05-01: another push).
- OPP2, government, created 2025-02-01, lost 2025-02-10: open at no month end.
- OPP3, enterprise, created 2025-01-15, still open, stage initial_contact, no activity.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
import pytest

from orchestration.scoring.features import CATEGORICAL, NUMERIC, amount_band

STAGES = [
    ("standard", "initial_contact", 1, 0.10, False, "Initial contact", "初次洽谈"),
    ("standard", "needs_confirmed", 2, 0.25, False, "Needs confirmed", "需求确定"),
    ("standard", "proposal", 3, 0.40, False, "Proposal / quote", "方案/报价"),
    ("standard", "negotiation", 4, 0.60, False, "Negotiation", "谈判"),
    ("standard", "signed", 5, 1.00, True, "Signed", "签约"),
]
OPPORTUNITIES = [
    (
        "OPP1",
        "REP1",
        "east-1",
        "enterprise",
        "A",
        "power",
        "east",
        300000.0,
        "software",
        "new",
        "lead",
        "standard",
        "won",
        "2025-01-05 09:00:00",
        "2025-03-15",
    ),
    (
        "OPP2",
        "REP1",
        "east-1",
        "government",
        "B",
        "government",
        "east",
        50000.0,
        "service",
        "new",
        "referral",
        "standard",
        "lost",
        "2025-02-01 09:00:00",
        "2025-02-10",
    ),
    (
        "OPP3",
        "REP2",
        "east-1",
        "enterprise",
        "C",
        "finance",
        "east",
        80000.0,
        "hardware",
        "new",
        "inbound",
        "standard",
        "open",
        "2025-01-15 09:00:00",
        None,
    ),
]
TRANSITIONS = [
    ("OPP1", "initial_contact", "2025-01-05 09:00:00", "entry"),
    ("OPP1", "needs_confirmed", "2025-01-20 10:00:00", "forward"),
    ("OPP1", "proposal", "2025-02-10 10:00:00", "forward"),
    ("OPP1", "needs_confirmed", "2025-02-20 09:00:00", "backward"),
    ("OPP1", "signed", "2025-03-15 10:00:00", "skip"),
    ("OPP2", "initial_contact", "2025-02-01 09:00:00", "entry"),
    ("OPP3", "initial_contact", "2025-01-15 09:00:00", "entry"),
]
ACTIVITIES = [
    ("A1", "OPP1", "demo", "2025-01-25 15:00:00"),
    ("A2", "OPP1", "call", "2025-02-25 11:00:00"),
    ("A3", "OPP1", "visit", "2025-03-05 10:00:00"),
]
VERSIONS = [
    ("OPP1", "2025-01-10 06:00:00", "opportunities_2025-01-10.csv", "2025-03-01"),
    ("OPP1", "2025-02-15 06:00:00", "opportunities_2025-02-15.csv", "2025-04-01"),
    ("OPP1", "2025-03-10 06:00:00", "opportunities_2025-03-10.csv", "2025-05-01"),
]


def build_tiny_warehouse(path: Path) -> None:
    con = duckdb.connect(str(path))
    con.execute("create schema marts; create schema staging; create schema raw")
    con.execute(
        "create table marts.dim_stages (sales_process varchar, stage_code varchar, "
        "stage_order int, win_probability decimal(5,2), is_won_stage boolean, "
        "stage_name_en varchar, stage_name_zh varchar)"
    )
    con.executemany("insert into marts.dim_stages values (?, ?, ?, ?, ?, ?, ?)", STAGES)
    con.execute(
        "create table marts.dim_opportunities (opportunity_id varchar, owner_id varchar, "
        "team varchar, customer_type varchar, tier varchar, industry varchar, region varchar, "
        "amount decimal(18,2), product_category varchar, opportunity_type varchar, "
        "source varchar, sales_process varchar, status varchar, created_at timestamp, "
        "closed_date date, as_of_date date)"
    )
    con.executemany(
        "insert into marts.dim_opportunities values "
        "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, '2025-06-30')",
        OPPORTUNITIES,
    )
    con.execute(
        "create table marts.fct_stage_transitions (opportunity_id varchar, to_stage varchar, "
        "changed_at timestamp, direction varchar)"
    )
    con.executemany("insert into marts.fct_stage_transitions values (?, ?, ?, ?)", TRANSITIONS)
    con.execute(
        "create table raw.activities (activity_id varchar, opportunity_id varchar, "
        "activity_type varchar, activity_at varchar, owner_id varchar, _source_file varchar, "
        "_loaded_at timestamp)"
    )
    con.executemany(
        "insert into raw.activities values (?, ?, ?, ?, 'REP1', 'activities.csv', "
        "'2025-06-30 06:00:00')",
        ACTIVITIES,
    )
    con.execute(
        "create table staging.stg_crm__opportunity_versions (opportunity_id varchar, "
        "loaded_at timestamp, source_file varchar, expected_close_date date)"
    )
    con.executemany(
        "insert into staging.stg_crm__opportunity_versions values (?, ?, ?, ?)", VERSIONS
    )
    con.close()


@pytest.fixture
def tiny_warehouse(tmp_path: Path) -> Iterator[duckdb.DuckDBPyConnection]:
    path = tmp_path / "build.duckdb"
    build_tiny_warehouse(path)
    with duckdb.connect(str(path)) as con:
        yield con


def synthetic_world(n_deals: int, seed: int) -> pd.DataFrame:
    """Feature rows of ``n_deals`` closed deals, one snapshot each, with a KNOWN rule: the
    log-odds of winning are -1 + 0.6 * strong activities in the stage - 0.8 * close-date pushes
    - 1.0 for government. Every other feature is noise."""
    rng = np.random.default_rng(seed)
    frame = pd.DataFrame(
        {
            "opportunity_id": [f"OPP{i}" for i in range(n_deals)],
            "snapshot_date": pd.Timestamp("2025-03-31").date(),
            "closed_date": pd.Timestamp("2025-05-15").date(),
            "customer_type": rng.choice(["enterprise", "government"], n_deals),
            "tier": rng.choice(["A", "B", "C"], n_deals),
            "industry": rng.choice(["power", "finance"], n_deals),
            "region": rng.choice(["east", "west"], n_deals),
            "amount": rng.lognormal(12, 0.5, n_deals),
            "product_category": rng.choice(["software", "service"], n_deals),
            "opportunity_type": "new",
            "source": rng.choice(["lead", "referral"], n_deals),
            "sales_process": "standard",
            "stage_code": rng.choice(["proposal", "negotiation"], n_deals),
            "configured_probability": 0.5,
            "owner_id": "REP1",
            "team": "east-1",
        }
    )
    for column in NUMERIC:
        frame[column] = rng.integers(0, 10, n_deals).astype(float)
    frame["strong_activities_in_stage"] = rng.integers(0, 6, n_deals).astype(float)
    frame["close_date_pushes"] = rng.integers(0, 4, n_deals).astype(float)
    frame["amount_band"] = [amount_band(a) for a in frame["amount"]]
    logit = (
        -1.0
        + 0.6 * frame["strong_activities_in_stage"]
        - 0.8 * frame["close_date_pushes"]
        - 1.0 * (frame["customer_type"] == "government")
    )
    won = rng.random(n_deals) < 1 / (1 + np.exp(-logit))
    frame["outcome"] = np.where(won, "won", "lost")
    assert set(CATEGORICAL) <= set(frame.columns)
    return frame
