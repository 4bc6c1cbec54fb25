"""Fixtures for the dashboard tests: a small hand-written published snapshot in ``tmp_path``.

Layout written by ``warehouse``::

    <tmp>/warehouse/
        build.duckdb                 not a DuckDB file: opening it would fail loudly
        snapshots/old.duckdb         an older publish (June initial_contact entered = 999)
        snapshots/<REFRESH_ID>.duckdb  the current publish, named by serving.json
        serving.json

Known numbers in the current snapshot (``entered, advanced, lost, open, benchmark`` per
transition; the funnel is each entered count plus the last advanced count):

- month 2025-06 · all · standard:  90/60/20/10 .60, 60/40/15/5 .70, 40/22/12/6 -, 22/11/8/3 .45
  → funnel 90, 60, 40, 22, 11; needs_confirmed→proposal is below benchmark (0.667 < 0.70)
- month 2025-05 · all · standard:  funnel 120, 75, 50, 28, 14
- month 2025-06 · region=华东 · standard: funnel 30, 20, 12, 7, 3
- month 2025-06 · region=``X'; DROP TABLE dim_stages; --`` · standard: funnel 5, 4, 3, 2, 1
- quarter 2025-Q2 · all · standard: funnel 210, 135, 90, 50, 25
- month 2025-06 · all · renewal: funnel 40, 34, 28, 20
- month 2025-06 · team=east-1 · standard: funnel 50, 30, 20, 12, 6 (60%, 66.7%, 60%, 50%);
  team=west-1: funnel 40, 30, 20, 10, 5 (75%, 66.7%, 50%, 50%); together the all row
- other readings of month 2025-06 · all · standard (all of the above are cohort / any_stage):
  cohort strict funnel 90, 60, 40, 22, 11 advancing 54, 36, 20, 11, skipping 6, 4, 2, 0 (the
  other readings skip none); resolved = advanced / (entered - open); flow any_stage funnel
  100, 75, 50, 30, 12 with null lost / open
- dwell month 2025-06 · all · standard medians 5, 10, 18, 33 (negotiation over its 30-day SLA);
  May initial_contact median 6; 华东 initial_contact median 4; June team east-1
  initial_contact median 4.5, west-1 6; business-day mean and median are the calendar ones
  minus 1
- is_mature: period end + 90 days <= 2025-06-30 (no fixture period is mature); meets_minimum_count:
  entered >= 30
- _load_log: opportunities 1000 read / 990 loaded / 10 quarantined; stage_history 5000/5000/0;
  accounts rejected 20/0/20 (missing account_name); an older skipped opportunities file
- stage skips (moved, skipped → share): month 2025-06 · all · standard 80, 12 → 15%; May 100, 25
  → 25%; June 华东 20, 2 → 10%; Q2 all 180, 37 → 20.6%; June renewal 30, 0 → 0%; June team
  east-1 50, 6 → 12%, west-1 30, 6 → 20%; no row for the hostile segment
- win-probability scores (fct_opportunity_scores, model wp-20250630-abcd1234) of the open
  opportunities: OPP1 0.42, OPP3 0.65, OPP4 0.18, OPP6 0.30 (top factors in both languages in
  ``SCORES``); the closed OPP2, OPP5, OPP7 have none
- model-weighted forecast (mart_forecast_vs_target, ``MODEL_FORECASTS``): June all 3,800,000
  (projected 9,800,000 → 81.7% of 12,000,000), May all 2,600,000, June east-1 2,200,000; June
  west-1 null (7 of its 8 open deals scored)
- forecast accuracy (mart_forecast_accuracy, month · all, won May 5,000,000 / June 6,000,000):
  configured 4,000,000 / 7,500,000 (MAPE 22.5%), empirical 4,500,000 / 6,600,000 (10%), model
  4,750,000 / 6,300,000 (5%, bias 0); team east-1 has configured and empirical rows only
"""

from __future__ import annotations

import atexit
import datetime as dt
import json
import os
import shutil
import sys
import tempfile
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pytest
import streamlit as st

REPO_ROOT = Path(__file__).resolve().parents[2]
DASHBOARDS = REPO_ROOT / "dashboards"
if str(DASHBOARDS) not in sys.path:  # the app imports `data` / `ui` as streamlit run does
    sys.path.insert(0, str(DASHBOARDS))

REFRESH_ID = "20250701T020000Z"
HOSTILE_SEGMENT = "X'; DROP TABLE dim_stages; --"
JUNE, MAY, Q2 = dt.date(2025, 6, 1), dt.date(2025, 5, 1), dt.date(2025, 4, 1)

STAGES = {
    "standard": [
        ("initial_contact", "初步接触", "Initial contact", 0.10, 14, False),
        ("needs_confirmed", "需求确认", "Needs confirmed", 0.25, 21, False),
        ("proposal", "方案/报价", "Proposal", 0.50, 30, False),
        ("negotiation", "商务谈判", "Negotiation", 0.75, 30, False),
        ("signed", "签约", "Signed", 1.00, None, True),
    ],
    "renewal": [
        ("initial_contact", "初步接触", "Initial contact", 0.30, 7, False),
        ("proposal", "方案/报价", "Proposal", 0.60, 14, False),
        ("negotiation", "商务谈判", "Negotiation", 0.80, 14, False),
        ("signed", "签约", "Signed", 1.00, None, True),
    ],
}

Transition = tuple[
    int, int, int | None, int | None, float | None
]  # entered, advanced, lost, open, benchmark
FUNNELS: dict[tuple[str, dt.date, str, str, str], list[Transition]] = {
    ("month", JUNE, "all", "all", "standard"): [
        (90, 60, 20, 10, 0.60),
        (60, 40, 15, 5, 0.70),
        (40, 22, 12, 6, None),
        (22, 11, 8, 3, 0.45),
    ],
    ("month", MAY, "all", "all", "standard"): [
        (120, 80, 30, 10, 0.60),
        (75, 50, 20, 5, 0.65),
        (50, 28, 15, 7, None),
        (28, 14, 10, 4, 0.45),
    ],
    ("month", JUNE, "region", "华东", "standard"): [
        (30, 20, 6, 4, 0.60),
        (20, 12, 5, 3, 0.70),
        (12, 7, 3, 2, None),
        (7, 3, 3, 1, 0.45),
    ],
    ("month", JUNE, "region", HOSTILE_SEGMENT, "standard"): [
        (5, 4, 1, 0, 0.60),
        (4, 3, 1, 0, 0.70),
        (3, 2, 1, 0, None),
        (2, 1, 1, 0, 0.45),
    ],
    ("quarter", Q2, "all", "all", "standard"): [
        (210, 135, 50, 25, 0.60),
        (135, 90, 30, 15, 0.70),
        (90, 50, 27, 13, None),
        (50, 25, 18, 7, 0.45),
    ],
    ("month", JUNE, "all", "all", "renewal"): [
        (40, 34, 4, 2, 0.80),
        (34, 28, 4, 2, 0.85),
        (28, 20, 5, 3, 0.70),
    ],
    # the two teams add up to June · all · standard
    ("month", JUNE, "team", "east-1", "standard"): [
        (50, 30, 15, 5, 0.60),
        (30, 20, 8, 2, 0.70),
        (20, 12, 6, 2, None),
        (12, 6, 4, 2, 0.45),
    ],
    ("month", JUNE, "team", "west-1", "standard"): [
        (40, 30, 5, 5, 0.60),
        (30, 20, 7, 3, 0.70),
        (20, 10, 6, 4, None),
        (10, 5, 4, 1, 0.45),
    ],
}

# The other readings of mart_funnel_conversion (contract 1) for June 2025 · all · standard; the
# rows above are cohort / any_stage. Flow rows leave lost and open null.
READINGS: dict[tuple[str, str], list[Transition]] = {
    ("cohort", "strict"): [  # skipped = entered - advanced - lost - open: 6, 4, 2, 0
        (90, 54, 20, 10, 0.60),
        (60, 36, 15, 5, 0.70),
        (40, 20, 12, 6, None),
        (22, 11, 8, 3, 0.45),
    ],
    ("flow", "any_stage"): [
        (100, 70, None, None, 0.60),
        (75, 45, None, None, 0.70),
        (50, 25, None, None, None),
        (30, 12, None, None, 0.45),
    ],
}

Dwell = tuple[str, int, float, float, float, int, float]
DWELLS: dict[tuple[str, dt.date, str, str, str], list[Dwell]] = {
    ("month", JUNE, "all", "all", "standard"): [
        ("initial_contact", 70, 6.5, 5.0, 14.0, 10, 8.0),
        ("needs_confirmed", 50, 12.25, 10.0, 25.0, 5, 12.0),
        ("proposal", 30, 20.0, 18.0, 41.0, 6, 22.0),
        ("negotiation", 15, 35.5, 33.0, 60.0, 3, 40.0),
    ],
    ("month", MAY, "all", "all", "standard"): [
        ("initial_contact", 100, 7.0, 6.0, 15.0, 10, 9.0),
    ],
    ("month", JUNE, "region", "华东", "standard"): [
        ("initial_contact", 25, 4.5, 4.0, 9.0, 4, 6.0),
    ],
    ("month", JUNE, "team", "east-1", "standard"): [
        ("initial_contact", 40, 5.5, 4.5, 11.0, 6, 7.0),
    ],
    ("month", JUNE, "team", "west-1", "standard"): [
        ("initial_contact", 30, 8.0, 6.0, 16.0, 4, 9.0),
    ],
}

Skips = tuple[int, int]  # opportunities that moved stage, of which skipped a stage
SKIPS: dict[tuple[str, dt.date, str, str, str], Skips] = {
    ("month", JUNE, "all", "all", "standard"): (80, 12),
    ("month", MAY, "all", "all", "standard"): (100, 25),
    ("month", JUNE, "region", "华东", "standard"): (20, 2),
    ("quarter", Q2, "all", "all", "standard"): (180, 37),
    ("month", JUNE, "all", "all", "renewal"): (30, 0),
    ("month", JUNE, "team", "east-1", "standard"): (50, 6),
    ("month", JUNE, "team", "west-1", "standard"): (30, 6),
}

Amounts = tuple[int, int, int, int, int, int, int | None]
# won_count, won_amount, open_count, open_pipeline, weighted configured, weighted empirical, target
FORECASTS: dict[tuple[str, dt.date, str, str], Amounts] = {
    ("month", JUNE, "all", "all"): (
        12,
        6_000_000,
        20,
        10_000_000,
        4_000_000,
        3_500_000,
        12_000_000,
    ),
    ("month", MAY, "all", "all"): (10, 5_000_000, 15, 8_000_000, 3_000_000, 2_800_000, 10_000_000),
    ("month", JUNE, "team", "east-1"): (
        8,
        4_000_000,
        12,
        6_000_000,
        2_500_000,
        2_000_000,
        7_000_000,
    ),
    ("month", JUNE, "team", "west-1"): (
        4,
        2_000_000,
        8,
        4_000_000,
        1_500_000,
        1_500_000,
        5_000_000,
    ),
    ("month", MAY, "team", "east-1"): (
        6,
        3_000_000,
        10,
        5_000_000,
        2_000_000,
        1_800_000,
        6_000_000,
    ),
    ("month", JUNE, "region", "华东"): (6, 3_000_000, 10, 5_000_000, 2_000_000, 1_900_000, None),
    ("quarter", Q2, "all", "all"): (
        30,
        15_000_000,
        40,
        20_000_000,
        8_000_000,
        7_000_000,
        30_000_000,
    ),
}

# period_grain, period_start, segment_dimension, segment_value, sales_process, stage_code
WIN_RATES: dict[tuple[str, dt.date, str, str, str, str], tuple[int, int]] = {
    ("month", JUNE, "all", "all", "standard", "all"): (12, 28),  # 0.30
    ("month", JUNE, "all", "all", "renewal", "all"): (9, 1),  # 0.90
    ("month", MAY, "all", "all", "standard", "all"): (10, 40),  # 0.20
    ("month", MAY, "all", "all", "renewal", "all"): (8, 2),  # 0.80
    ("quarter", Q2, "all", "all", "standard", "all"): (30, 70),  # 0.30
    ("month", JUNE, "all", "all", "standard", "needs_confirmed"): (12, 18),  # a stage row
    ("month", JUNE, "region", "华东", "standard", "all"): (5, 5),  # a segment row
}
# median sales cycle (days from creation to won) on the overall rows; stage rows have none
CYCLE_DAYS: dict[tuple[str, dt.date, str, str, str, str], float] = {
    ("month", JUNE, "all", "all", "standard", "all"): 45.0,
    ("month", JUNE, "all", "all", "renewal", "all"): 20.0,
    ("month", MAY, "all", "all", "standard", "all"): 52.0,
    ("month", MAY, "all", "all", "renewal", "all"): 20.0,
    ("quarter", Q2, "all", "all", "standard", "all"): 48.0,
    ("month", JUNE, "region", "华东", "standard", "all"): 40.0,
}

# period_grain, period_start, segment_dimension, segment_value → created_amount (new pipeline)
CREATED: dict[tuple[str, dt.date, str, str], int] = {
    ("month", JUNE, "all", "all"): 7_000_000,
    ("month", MAY, "all", "all"): 5_500_000,
    ("month", JUNE, "region", "华东"): 2_000_000,
    ("quarter", Q2, "all", "all"): 18_000_000,
}

CSV_INJECTION = "=cmd|' /C calc'!A0"
# alert_id, type, severity, severity_rank, alert_rank, priority_score, segment_dimension,
# segment_value, period_start, sales_process, stage_code, to_stage, opportunity_id, owner_id,
# escalation_level, measured, standard, standard_source, days_over_sla, due_date,
# opportunity_count, detail, detail_zh.  Top 5 by severity then score: A1, W1, A2, F1, A3.
ALERTS = [
    (
        "A1",
        "stalled",
        "high",
        3,
        1,
        50.0,
        "importance",
        "KA",
        None,
        "standard",
        "proposal",
        None,
        "OPP1",
        "R1",
        "warn",
        45.0,
        30.0,
        "stage SLA thresholds",
        15,
        None,
        1,
        "Stalled in proposal for 45 days",
        "方案/报价 停滞 45 天",
    ),
    (
        "A2",
        "stalled",
        "medium",
        2,
        2,
        20.0,
        "importance",
        "SMB",
        None,
        "standard",
        "negotiation",
        None,
        "OPP3",
        "R2",
        "remind",
        40.0,
        30.0,
        "stage SLA thresholds",
        10,
        None,
        1,
        CSV_INJECTION,
        "商务谈判 停滞 40 天",
    ),
    (
        "A3",
        "stalled",
        "low",
        1,
        3,
        5.0,
        "importance",
        "KA",
        None,
        "standard",
        "proposal",
        None,
        "OPP4",
        "R1",
        "remind",
        35.0,
        30.0,
        "stage SLA thresholds",
        5,
        None,
        1,
        "Stalled in proposal for 35 days",
        "方案/报价 停滞 35 天",
    ),
    (
        "W1",
        "weak_transition",
        "high",
        3,
        1,
        0.25,
        "region",
        "华东",
        JUNE,
        "standard",
        "needs_confirmed",
        "proposal",
        None,
        None,
        None,
        0.45,
        0.70,
        "industry benchmark",
        None,
        None,
        3,
        "needs_confirmed → proposal 45% vs 70%",
        "需求确认→方案 45% 低于 70%",
    ),
    (
        "F1",
        "funnel_hole",
        "medium",
        2,
        1,
        0.5,
        "team",
        "east-1",
        dt.date(2025, 7, 1),
        None,
        None,
        None,
        None,
        None,
        None,
        0.5,
        1.0,
        "sales target",
        None,
        None,
        2,
        "Early pipeline covers 50% of next target",
        "早期商机仅覆盖下季目标 50%",
    ),
    (
        "D1",
        "duplicate",
        "low",
        1,
        1,
        1.0,
        "account",
        "ACC9",
        None,
        None,
        None,
        None,
        None,
        None,
        None,
        2.0,
        None,
        "alert settings",
        None,
        None,
        2,
        "2 duplicate opportunities",
        "重复商机 2 个",
    ),
]
ALERT_MEMBERS = [
    ("A1", "stalled", "OPP1", "subject"),
    ("A2", "stalled", "OPP3", "subject"),
    ("A3", "stalled", "OPP4", "subject"),
    ("W1", "weak_transition", "OPP1", "advanced"),
    ("W1", "weak_transition", "OPP5", "lost"),
    ("W1", "weak_transition", "OPP6", "open"),
    ("F1", "funnel_hole", "OPP5", "early_pipeline"),
    ("F1", "funnel_hole", "OPP6", "early_pipeline"),
    ("D1", "duplicate", "OPP3", "duplicate"),
    ("D1", "duplicate", "OPP4", "duplicate"),
]
_LOADED = dt.datetime(2025, 7, 1, 2, 1)
# family, source_file, content_hash, status, rows_read, rows_loaded, rows_quarantined,
# loaded_at, message
LOAD_LOG = [
    ("opportunities", "opportunities_20250630.csv", "h1", "loaded", 1000, 990, 10, _LOADED, ""),
    ("stage_history", "stage_history_20250630.csv", "h2", "loaded", 5000, 5000, 0, _LOADED, ""),
    ("accounts", "accounts_20250630.csv", "h3", "rejected", 20, 0, 20, _LOADED,
     "missing required column(s): account_name"),
    ("opportunities", "opportunities_20250629.csv", "h0", "skipped", 0, 0, 0,
     dt.datetime(2025, 6, 30, 2, 1), ""),
]  # fmt: skip
_CLOSE = dt.date(2025, 8, 15)
OPPORTUNITIES = [
    (
        "OPP1",
        "华东电网 扩容",
        "华东电网",
        "张伟",
        "east-1",
        "standard",
        "proposal",
        "open",
        500_000,
        "CNY",
        _CLOSE,
    ),
    (
        "OPP2",
        "续约 2025",
        "上海银行",
        "李娜",
        "west-1",
        "renewal",
        "signed",
        "won",
        200_000,
        "CNY",
        None,
    ),
    (
        "OPP3",
        "智慧园区",
        "园区管委会",
        "王芳",
        "west-1",
        "standard",
        "negotiation",
        "open",
        800_000,
        "CNY",
        _CLOSE,
    ),
    (
        "OPP4",
        "园区二期",
        "园区管委会",
        "张伟",
        "east-1",
        "standard",
        "proposal",
        "open",
        300_000,
        "CNY",
        _CLOSE,
    ),
    (
        "OPP5",
        "政务云",
        "市大数据局",
        "张伟",
        "east-1",
        "standard",
        "needs_confirmed",
        "lost",
        1_000_000,
        "CNY",
        None,
    ),
    (
        "OPP6",
        "数据中台",
        "华东电网",
        "李娜",
        "east-1",
        "standard",
        "needs_confirmed",
        "open",
        600_000,
        "CNY",
        _CLOSE,
    ),
]
OPPORTUNITIES.append(
    ("OPP7", "云迁移", "华东电网", "张伟", "east-1", "standard", "signed", "won", 900_000, "CNY",
     None)
)  # fmt: skip
_D = dt.datetime
# region, customer_type, created_at, closed_date of each opportunity (drill-down lists):
# June 2025 won OPP7, OPP2; closed OPP5 (lost), OPP7, OPP2; created OPP6, OPP1, OPP4 (by amount);
# open and expected to close in August 2025: OPP3, OPP6, OPP1, OPP4.
OPPORTUNITY_SEGMENTS: dict[str, tuple[str, str, dt.datetime, dt.date | None]] = {
    "OPP1": ("华东", "enterprise", _D(2025, 6, 3, 9), None),
    "OPP2": ("华北", "enterprise", _D(2025, 4, 10, 9), dt.date(2025, 6, 20)),
    "OPP3": ("华南", "smb", _D(2025, 5, 5, 9), None),
    "OPP4": ("华东", "smb", _D(2025, 6, 10, 9), None),
    "OPP5": ("华东", "enterprise", _D(2025, 5, 20, 9), dt.date(2025, 6, 25)),
    "OPP6": ("华东", "enterprise", _D(2025, 6, 15, 9), None),
    "OPP7": ("华东", "enterprise", _D(2025, 3, 1, 9), dt.date(2025, 6, 10)),
}
# opportunity, process, stage, visit number, entered, exited, days, region, customer_type, team
# (the owner's team when the visit began: the current one, no deal changed hands).
# First entries of initial_contact in June 2025: OPP1, OPP4, OPP6 (OPP1's second visit is not
# a first entry); of needs_confirmed: OPP5, OPP1, OPP6; initial_contact in May: OPP3, OPP5.
_S, _IC, _NC, _PR, _E = "standard", "initial_contact", "needs_confirmed", "proposal", "enterprise"
STAGE_VISITS = [
    ("OPP1", _S, _IC, 1, _D(2025, 6, 3), _D(2025, 6, 8), 5.0, "华东", _E, "east-1"),
    ("OPP1", _S, _NC, 1, _D(2025, 6, 8), _D(2025, 6, 12), 4.0, "华东", _E, "east-1"),
    ("OPP1", _S, _IC, 2, _D(2025, 6, 12), _D(2025, 6, 14), 2.0, "华东", _E, "east-1"),
    ("OPP1", _S, _PR, 1, _D(2025, 6, 20), None, None, "华东", _E, "east-1"),
    ("OPP4", _S, _IC, 1, _D(2025, 6, 10), _D(2025, 6, 20), 10.0, "华东", "smb", "east-1"),
    ("OPP6", _S, _IC, 1, _D(2025, 6, 15), _D(2025, 6, 18), 3.0, "华东", _E, "east-1"),
    ("OPP6", _S, _NC, 1, _D(2025, 6, 18), None, None, "华东", _E, "east-1"),
    ("OPP3", _S, _IC, 1, _D(2025, 5, 5), _D(2025, 5, 12), 7.0, "华南", "smb", "west-1"),
    ("OPP5", _S, _IC, 1, _D(2025, 5, 20), _D(2025, 6, 2), 13.0, "华东", _E, "east-1"),
    ("OPP5", _S, _NC, 1, _D(2025, 6, 2), _D(2025, 6, 25), 23.0, "华东", _E, "east-1"),
]  # fmt: skip


MODEL_VERSION = "wp-20250630-abcd1234"
# opportunity, owner, team, P(won), top factors (en, zh): the open opportunities only
SCORES = [
    ("OPP1", "R1", "east-1", 0.42, "3 visits in the last 30 days: +9 pts; Stage Proposal: +4 pts",
     "近 30 天拜访 3 次：+9 个百分点；阶段 方案/报价：+4 个百分点"),
    ("OPP3", "R2", "west-1", 0.65, "Stage Negotiation: +21 pts", "阶段 商务谈判：+21 个百分点"),
    ("OPP4", "R1", "east-1", 0.18, "45 days in stage: −12 pts; No activity for 40 days: −6 pts",
     "在当前阶段 45 天：−12 个百分点；40 天无跟进：−6 个百分点"),
    ("OPP6", "R3", "east-1", 0.30, "Industry power: +3 pts", "行业 power：+3 个百分点"),
]  # fmt: skip
# the model method of mart_forecast_vs_target: opportunities scored, model-weighted (None when
# some open opportunity of the row has no score)
MODEL_FORECASTS: dict[tuple[str, dt.date, str, str], tuple[int, int | None]] = {
    ("month", JUNE, "all", "all"): (20, 3_800_000),
    ("month", MAY, "all", "all"): (15, 2_600_000),
    ("month", JUNE, "team", "east-1"): (12, 2_200_000),
    ("month", JUNE, "team", "west-1"): (7, None),
    ("month", MAY, "team", "east-1"): (10, 1_900_000),
    ("month", JUNE, "region", "华东"): (10, 1_800_000),
    ("quarter", Q2, "all", "all"): (40, 7_500_000),
}
# forecast accuracy: (method, segment dimension, value) -> forecast frozen at the start of May
# and June 2025, against what was won (ACCURACY_WON)
ACCURACY: dict[tuple[str, str, str], tuple[int, int]] = {
    ("configured", "all", "all"): (4_000_000, 7_500_000),
    ("empirical", "all", "all"): (4_500_000, 6_600_000),
    ("model", "all", "all"): (4_750_000, 6_300_000),
    ("configured", "team", "east-1"): (3_000_000, 4_000_000),
    ("empirical", "team", "east-1"): (2_700_000, 5_000_000),
}
ACCURACY_WON: dict[tuple[str, str], tuple[int, int]] = {
    ("all", "all"): (5_000_000, 6_000_000),
    ("team", "east-1"): (3_000_000, 4_000_000),
}


def _model_forecast(key: tuple[str, dt.date, str, str], won: int, target: int | None) -> list:
    """model_scored_count, weighted, projected, projected attainment, gap, model version."""
    scored, weighted = MODEL_FORECASTS.get(key, (0, None))
    projected = None if weighted is None else won + weighted
    attainment = None if projected is None or not target else projected / target
    gap = None if projected is None or target is None else target - projected
    return [scored, weighted, projected, attainment, gap, MODEL_VERSION]


def _accuracy_rows(as_of: dt.date) -> list[list[object]]:
    rows: list[list[object]] = []
    for (method, dim, value), forecasts in ACCURACY.items():
        won = ACCURACY_WON[(dim, value)]
        errors = [(f - w) / w for f, w in zip(forecasts, won, strict=True)]
        mape = sum(abs(e) for e in errors) / len(errors)
        bias = sum(errors) / len(errors)
        for start, forecast, actual, error in zip((MAY, JUNE), forecasts, won, errors,
                                                  strict=True):  # fmt: skip
            model = [MODEL_VERSION, dt.date(2025, 3, 31)] if method == "model" else [None, None]
            rows.append([as_of, method, "month", start, dim, value, forecast, actual, error,
                         mape, bias, len(errors), *model, _period_end("month", start),
                         start - dt.timedelta(days=1)])  # fmt: skip
    return rows


def _period_end(grain: str, start: dt.date) -> dt.date:
    months = {"month": 1, "quarter": 3, "year": 12}[grain]
    index = start.year * 12 + start.month - 1 + months
    return dt.date(index // 12, index % 12 + 1, 1) - dt.timedelta(days=1)


def _forecast(won: int, pipe: int, wc: int, we: int, target: int | None) -> list[object]:
    """attainment, projected (conf, emp), projected attainment (conf, emp), gap (conf, emp),
    coverage: as the mart defines them."""
    pc, pe = won + wc, won + we
    if target is None:
        return [None, None, pc, pe, None, None, None, None, None]
    left = target - won
    return [target, won / target, pc, pe, pc / target, pe / target, target - pc, target - pe,
            pipe / left if left > 0 else None]  # fmt: skip


def _insert(con: duckdb.DuckDBPyConnection, table: str, rows: Sequence[Sequence[object]],
            refresh_id: str) -> None:  # fmt: skip
    values = [[*row, refresh_id] for row in rows]
    marks = ", ".join("?" * len(values[0]))
    con.executemany(f"INSERT INTO {table} VALUES ({marks})", values)


DDL = """
CREATE TABLE _publish_info (refresh_id VARCHAR, as_of_date DATE, published_at TIMESTAMP,
    run_started_at TIMESTAMP, duration_seconds DOUBLE);
CREATE TABLE mart_funnel_conversion (as_of_date DATE, period_grain VARCHAR, period_start DATE,
    segment_dimension VARCHAR, segment_value VARCHAR, sales_process VARCHAR, from_stage VARCHAR,
    to_stage VARCHAR, from_stage_order INTEGER, entered_count BIGINT, advanced_count BIGINT,
    lost_count BIGINT, open_count BIGINT, conversion_rate DOUBLE,
    resolved_conversion_rate DOUBLE, entered_amount DECIMAL(18, 2),
    advanced_amount DECIMAL(18, 2), benchmark_rate DOUBLE, skipped_count BIGINT, is_mature BOOLEAN,
    meets_minimum_count BOOLEAN, funnel_method VARCHAR, funnel_kind VARCHAR, refresh_id VARCHAR);
CREATE TABLE mart_stage_dwell (as_of_date DATE, period_grain VARCHAR, period_start DATE,
    segment_dimension VARCHAR, segment_value VARCHAR, sales_process VARCHAR, stage_code VARCHAR,
    stage_order INTEGER, completed_visits BIGINT, mean_days DOUBLE, median_days DOUBLE,
    p90_days DOUBLE, mean_business_days DOUBLE, median_business_days DOUBLE,
    open_visits BIGINT, open_median_age_days DOUBLE, refresh_id VARCHAR);
CREATE TABLE _load_log (family VARCHAR, source_file VARCHAR, content_hash VARCHAR,
    status VARCHAR, rows_read BIGINT, rows_loaded BIGINT, rows_quarantined BIGINT,
    loaded_at TIMESTAMP, message VARCHAR, refresh_id VARCHAR);
CREATE TABLE mart_stage_skips (as_of_date DATE, period_grain VARCHAR, period_start DATE,
    segment_dimension VARCHAR, segment_value VARCHAR, sales_process VARCHAR,
    opportunities BIGINT, skipping_opportunities BIGINT, skip_share DOUBLE, refresh_id VARCHAR);
CREATE TABLE dim_stages (sales_process VARCHAR, stage_code VARCHAR, stage_order INTEGER,
    stage_name_zh VARCHAR, stage_name_en VARCHAR, win_probability DOUBLE, sla_days INTEGER,
    is_won_stage BOOLEAN, refresh_id VARCHAR);
CREATE TABLE dim_opportunities (opportunity_id VARCHAR, opportunity_name VARCHAR,
    account_name VARCHAR, owner_name VARCHAR, team VARCHAR, sales_process VARCHAR,
    current_stage VARCHAR, status VARCHAR, amount DECIMAL(18, 2), currency VARCHAR,
    expected_close_date DATE, region VARCHAR, customer_type VARCHAR, created_at TIMESTAMP,
    closed_date DATE, refresh_id VARCHAR);
CREATE TABLE mart_forecast_vs_target (as_of_date DATE, period_grain VARCHAR, period_start DATE,
    segment_dimension VARCHAR, segment_value VARCHAR, won_count BIGINT,
    won_amount DECIMAL(18, 2), open_count BIGINT, open_pipeline_amount DECIMAL(18, 2),
    weighted_configured_amount DECIMAL(18, 2), weighted_empirical_amount DECIMAL(18, 2),
    target_amount DECIMAL(18, 2), attainment_rate DOUBLE,
    projected_configured_amount DECIMAL(18, 2), projected_empirical_amount DECIMAL(18, 2),
    projected_configured_attainment_rate DOUBLE, projected_empirical_attainment_rate DOUBLE,
    gap_configured_amount DECIMAL(18, 2), gap_empirical_amount DECIMAL(18, 2),
    pipeline_coverage_ratio DOUBLE, model_scored_count BIGINT,
    weighted_model_amount DECIMAL(18, 2), projected_model_amount DECIMAL(18, 2),
    projected_model_attainment_rate DOUBLE, gap_model_amount DECIMAL(18, 2),
    model_version VARCHAR, refresh_id VARCHAR);
CREATE TABLE mart_pipeline_waterfall (as_of_date DATE, period_grain VARCHAR,
    period_start DATE, segment_dimension VARCHAR, segment_value VARCHAR,
    created_amount DECIMAL(18, 2), refresh_id VARCHAR);
CREATE TABLE mart_win_rates (as_of_date DATE, period_grain VARCHAR, period_start DATE,
    segment_dimension VARCHAR, segment_value VARCHAR, sales_process VARCHAR, stage_code VARCHAR,
    won_count BIGINT, lost_count BIGINT, win_rate DOUBLE, median_sales_cycle_days DOUBLE,
    refresh_id VARCHAR);
CREATE TABLE mart_bottleneck_alerts (as_of_date DATE, alert_id VARCHAR, alert_type VARCHAR,
    severity VARCHAR, severity_rank INTEGER, alert_rank BIGINT, priority_score DOUBLE,
    segment_dimension VARCHAR, segment_value VARCHAR, period_start DATE, sales_process VARCHAR,
    stage_code VARCHAR, to_stage VARCHAR, opportunity_id VARCHAR, owner_id VARCHAR,
    escalation_level VARCHAR, measured_value DOUBLE, standard_value DOUBLE,
    standard_source VARCHAR, days_over_sla INTEGER, due_date DATE, opportunity_count BIGINT,
    detail VARCHAR, detail_zh VARCHAR, refresh_id VARCHAR);
CREATE TABLE fct_alert_opportunities (as_of_date DATE, alert_id VARCHAR, alert_type VARCHAR,
    opportunity_id VARCHAR, member_role VARCHAR, refresh_id VARCHAR);
CREATE TABLE fct_stage_transitions (opportunity_id VARCHAR, from_stage VARCHAR,
    to_stage VARCHAR, changed_at TIMESTAMP, refresh_id VARCHAR);
CREATE TABLE fct_stage_visits (opportunity_id VARCHAR, sales_process VARCHAR,
    stage_code VARCHAR, visit_number INTEGER, entered_at TIMESTAMP, exited_at TIMESTAMP,
    days_in_stage DOUBLE, region VARCHAR, customer_type VARCHAR, team VARCHAR,
    refresh_id VARCHAR);
CREATE TABLE fct_opportunity_scores (opportunity_id VARCHAR, owner_id VARCHAR, team VARCHAR,
    win_probability DOUBLE, top_factors_en VARCHAR, top_factors_zh VARCHAR,
    model_version VARCHAR, trained_on DATE, refresh_id VARCHAR);
CREATE TABLE mart_forecast_accuracy (as_of_date DATE, forecast_method VARCHAR,
    period_grain VARCHAR, period_start DATE, segment_dimension VARCHAR, segment_value VARCHAR,
    forecast_amount DECIMAL(18, 2), actual_won_amount DECIMAL(18, 2), error_rate DOUBLE,
    mape_rate DOUBLE, bias_rate DOUBLE, evaluated_period_count BIGINT, model_version VARCHAR,
    model_trained_on DATE, period_end DATE, forecast_snapshot_date DATE, refresh_id VARCHAR);
CREATE TABLE _model_status (as_of_date DATE, status VARCHAR, model_version VARCHAR,
    trained_on DATE, reason VARCHAR, refresh_id VARCHAR);
"""


def build_snapshot(path: Path, refresh_id: str, extra_sql: Sequence[str] = ()) -> None:
    """Write the fixture snapshot described in the module docstring to ``path``."""
    as_of = dt.date(2025, 6, 30)
    con = duckdb.connect(str(path))
    try:
        con.execute(DDL)
        con.execute(
            "INSERT INTO _publish_info VALUES (?, ?, ?, ?, ?)",
            [
                refresh_id,
                as_of,
                dt.datetime(2025, 7, 1, 2, 5),
                dt.datetime(2025, 7, 1, 2, 0),
                300.0,
            ],
        )
        stage_rows = []
        for process, stages in STAGES.items():
            for order, (code, zh, en, win, sla, won) in enumerate(stages, start=1):
                stage_rows.append([process, code, order, zh, en, win, sla, won, refresh_id])
        con.executemany("INSERT INTO dim_stages VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", stage_rows)

        funnel_rows = []
        readings = [(key, "cohort", "any_stage", rows) for key, rows in FUNNELS.items()] + [
            (("month", JUNE, "all", "all", "standard"), method, kind, rows)
            for (method, kind), rows in READINGS.items()
        ]
        for (grain, start, dim, value, process), method, kind, transitions in readings:
            codes = [s[0] for s in STAGES[process]]
            for i, (entered, advanced, lost, open_, bench) in enumerate(transitions):
                funnel_rows.append(
                    [
                        as_of,
                        grain,
                        start,
                        dim,
                        value,
                        process,
                        codes[i],
                        codes[i + 1],
                        i + 1,
                        entered,
                        advanced,
                        lost,
                        open_,
                        advanced / entered,
                        None if lost is None else advanced / (entered - open_),
                        entered * 10000,
                        advanced * 10000,
                        bench,
                        None
                        if lost is None or open_ is None
                        else entered - advanced - lost - open_,
                        _period_end(grain, start) + dt.timedelta(days=90) <= as_of,
                        entered >= 30,
                        method,
                        kind,
                        refresh_id,
                    ]
                )
        con.executemany(
            f"INSERT INTO mart_funnel_conversion VALUES ({', '.join('?' * 24)})", funnel_rows
        )

        dwell_rows = []
        for (grain, start, dim, value, process), visits in DWELLS.items():
            order = {s[0]: i for i, s in enumerate(STAGES[process], start=1)}
            for code, done, mean, median, p90, open_, age in visits:
                dwell_rows.append(
                    [
                        as_of,
                        grain,
                        start,
                        dim,
                        value,
                        process,
                        code,
                        order[code],
                        done,
                        mean,
                        median,
                        p90,
                        mean - 1,
                        median - 1,
                        open_,
                        age,
                        refresh_id,
                    ]
                )
        con.executemany(f"INSERT INTO mart_stage_dwell VALUES ({', '.join('?' * 17)})", dwell_rows)
        _insert(con, "_load_log", LOAD_LOG, refresh_id)
        skip_rows = [
            [as_of, grain, start, dim, value, process, moved, skipped, skipped / moved, refresh_id]
            for (grain, start, dim, value, process), (moved, skipped) in SKIPS.items()
        ]
        con.executemany(f"INSERT INTO mart_stage_skips VALUES ({', '.join('?' * 10)})", skip_rows)
        opportunities = [[*row, *OPPORTUNITY_SEGMENTS[row[0]]] for row in OPPORTUNITIES]
        _insert(con, "dim_opportunities", opportunities, refresh_id)
        _insert(con, "fct_stage_visits", STAGE_VISITS, refresh_id)
        forecast_rows = [
            [
                as_of,
                *key,
                won_n,
                won,
                open_n,
                pipe,
                wc,
                we,
                *_forecast(won, pipe, wc, we, target),
                *_model_forecast(key, won, target),
            ]  # fmt: skip
            for key, (won_n, won, open_n, pipe, wc, we, target) in FORECASTS.items()
        ]
        _insert(con, "mart_forecast_vs_target", forecast_rows, refresh_id)
        created = [[as_of, *key, amount] for key, amount in CREATED.items()]
        _insert(con, "mart_pipeline_waterfall", created, refresh_id)
        win_rows = [
            [as_of, *key, w, lost, w / (w + lost), CYCLE_DAYS.get(key)]
            for key, (w, lost) in WIN_RATES.items()
        ]
        _insert(con, "mart_win_rates", win_rows, refresh_id)
        _insert(con, "mart_bottleneck_alerts", [[as_of, *a] for a in ALERTS], refresh_id)
        members = [[as_of, a, t, o, r] for a, t, o, r in ALERT_MEMBERS]
        _insert(con, "fct_alert_opportunities", members, refresh_id)
        scores = [[*row, MODEL_VERSION, dt.date(2025, 6, 30)] for row in SCORES]
        _insert(con, "fct_opportunity_scores", scores, refresh_id)
        _insert(con, "mart_forecast_accuracy", _accuracy_rows(as_of), refresh_id)
        status = [as_of, "scored", MODEL_VERSION, as_of, "4 open opportunities scored"]
        _insert(con, "_model_status", [status], refresh_id)
        for sql in extra_sql:
            con.execute(sql)
    finally:
        con.close()


_BUILT: dict[tuple[str, tuple[str, ...]], Path] = {}


def _built(refresh_id: str, extra_sql: tuple[str, ...]) -> Path:
    """A snapshot file built once per test session for each (refresh id, extra SQL)."""
    key = (refresh_id, extra_sql)
    if key not in _BUILT:
        folder = Path(tempfile.mkdtemp(prefix="dashboards-fixture-"))
        atexit.register(shutil.rmtree, folder, ignore_errors=True)
        build_snapshot(folder / "snapshot.duckdb", refresh_id, extra_sql)
        _BUILT[key] = folder / "snapshot.duckdb"
    return _BUILT[key]


@dataclass
class FixtureWarehouse:
    root: Path

    @property
    def pointer(self) -> Path:
        return self.root / "serving.json"

    def snapshot_path(self, refresh_id: str) -> Path:
        return self.root / "snapshots" / f"{refresh_id}.duckdb"

    def publish(self, refresh_id: str, extra_sql: Sequence[str] = ()) -> Path:
        """Build a snapshot and switch the pointer to it atomically, like the pipeline."""
        path = self.snapshot_path(refresh_id)
        path.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(_built(refresh_id, tuple(extra_sql)), path)
        self.write_pointer(
            {
                "snapshot": f"snapshots/{refresh_id}.duckdb",
                "refresh_id": refresh_id,
                "published_at": "2025-07-01T02:05:00Z",
            }
        )
        return path

    def write_pointer(self, doc: object) -> None:
        tmp = self.root / "serving.json.tmp"
        tmp.write_text(json.dumps(doc), encoding="utf-8")
        os.replace(tmp, self.pointer)


@pytest.fixture(autouse=True)
def _fresh_cache() -> Iterator[None]:
    st.cache_data.clear()
    yield
    st.cache_data.clear()


@pytest.fixture(autouse=True)
def _local_mode(monkeypatch: pytest.MonkeyPatch) -> None:
    """Local single-user mode (full scope) unless a test configures sign-in itself."""
    monkeypatch.delenv("FUNNEL_DASHBOARD_PASSWORDS", raising=False)
    monkeypatch.delenv("FUNNEL_ACCESS_SCOPE", raising=False)


@pytest.fixture
def warehouse(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> FixtureWarehouse:
    root = tmp_path / "warehouse"
    root.mkdir()
    (root / "build.duckdb").write_bytes(b"not a duckdb file: the dashboard must never open this")
    wh = FixtureWarehouse(root)
    wh.publish(
        "old",
        [
            "UPDATE mart_funnel_conversion SET entered_count = 999 WHERE period_start = DATE "
            "'2025-06-01' AND segment_dimension = 'all' AND from_stage = 'initial_contact'",
        ],
    )
    wh.publish(REFRESH_ID)
    monkeypatch.setenv("FUNNEL_WAREHOUSE", str(root))
    return wh


@pytest.fixture
def empty_warehouse(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A warehouse directory where nothing has been published yet (no serving.json)."""
    root = tmp_path / "empty-warehouse"
    root.mkdir()
    monkeypatch.setenv("FUNNEL_WAREHOUSE", str(root))
    return root
