"""Backtest on held-out periods (``orchestration.scoring.report`` writes it up).

For each of the last ``periods`` quarters before the as-of date:

1. trains the model as of the quarter's eve (snapshots up to it, deals closed by it);
2. predicts P(won) at the quarter's month-end snapshots, for the deals that have closed since
   (won or lost, as known on the as-of date: the held-out outcomes);
3. predicts the same rows with the configured stage probabilities (``sales_process_stages``)
   and with empirical stage x segment rates (won share of the training deals by sales process,
   stage and customer type, with at least ``MIN_EMPIRICAL_DEALS`` deals; else by process and
   stage; else the configured probability).

Then AUC, Brier score and calibration (mean predicted vs observed by decile of each method's
prediction) of the three methods over all held-out rows, and the Brier score per quarter.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import numpy as np
import pandas as pd
from sklearn.metrics import brier_score_loss, roc_auc_score

from orchestration.scoring.train import Declined, fit, predict, training_rows

MIN_EMPIRICAL_DEALS = 10
METHODS = ("model", "configured", "empirical")
METHOD_LABELS = {
    "model": "model (calibrated logistic regression)",
    "configured": "configured stage probability",
    "empirical": "empirical stage x segment rate",
}
CALIBRATION_BINS = 10


@dataclass(frozen=True)
class Period:
    cutoff: date  # training uses data up to this day
    end: date  # last held-out snapshot date
    training_deals: int
    held_out_rows: int
    declined: str | None


def quarter_cutoffs(as_of: date, periods: int) -> list[date]:
    """The last days of the ``periods`` quarters before the one holding ``as_of``... back to
    front: each cutoff starts a held-out quarter that ends on or before ``as_of``."""
    quarter_start = date(as_of.year, (as_of.month - 1) // 3 * 3 + 1, 1)
    starts: list[date] = []
    start = quarter_start
    while len(starts) < periods:
        month = start.month - 3
        start = date(start.year - (month < 1), (month - 1) % 12 + 1, 1)
        starts.append(start)
    return [s - timedelta(days=1) for s in sorted(starts)]


def empirical_rates(train: pd.DataFrame, test: pd.DataFrame) -> np.ndarray:
    """Won share of the training deals by (process, stage, customer type), falling back."""
    deals = train.assign(won=(train["outcome"] == "won").astype(float))
    fine = ["sales_process", "stage_code", "customer_type"]
    coarse = ["sales_process", "stage_code"]
    out = test["configured_probability"].astype(float).to_numpy().copy()
    for keys in (coarse, fine):  # fine overrides coarse where it has enough deals
        rates = deals.groupby(keys).agg(rate=("won", "mean"), deals=("opportunity_id", "nunique"))
        rates = rates[rates["deals"] >= MIN_EMPIRICAL_DEALS]
        joined = test[keys].merge(rates, left_on=keys, right_index=True, how="left")["rate"]
        out = np.where(joined.notna().to_numpy(), joined.to_numpy(dtype=float), out)
    return out


def run_backtest(
    frame: pd.DataFrame, as_of: date, periods: int, min_closed: int, min_per_outcome: int
) -> tuple[pd.DataFrame, list[Period]]:
    """Held-out rows with each method's prediction, and what each period did."""
    held_out: list[pd.DataFrame] = []
    done: list[Period] = []
    for cutoff in quarter_cutoffs(as_of, periods):
        end = min(as_of, (pd.Timestamp(cutoff) + pd.offsets.QuarterEnd(1)).date())
        train = training_rows(frame, cutoff)
        test = frame[
            (frame["snapshot_date"] > cutoff)
            & (frame["snapshot_date"] <= end)
            & frame["outcome"].isin(["won", "lost"])
        ].copy()
        fitted = fit(train, min_closed, min_per_outcome)
        deals = train["opportunity_id"].nunique()
        if isinstance(fitted, Declined) or test.empty:
            reason = fitted.reason if isinstance(fitted, Declined) else "no held-out rows"
            done.append(Period(cutoff, end, deals, len(test), reason))
            continue
        test["model"] = predict(fitted.model, test)
        test["configured"] = test["configured_probability"].astype(float)
        test["empirical"] = empirical_rates(train, test)
        test["won"] = (test["outcome"] == "won").astype(int)
        test["cutoff"] = cutoff
        held_out.append(test)
        done.append(Period(cutoff, end, deals, len(test), None))
    rows = pd.concat(held_out, ignore_index=True) if held_out else pd.DataFrame()
    return rows, done


def metrics(rows: pd.DataFrame) -> pd.DataFrame:
    """AUC, Brier and expected calibration error per method."""
    out = []
    for method in METHODS:
        bins = calibration(rows, method)
        ece = float((bins["rows"] * (bins["predicted"] - bins["observed"]).abs()).sum())
        out.append(
            {
                "method": method,
                "auc": roc_auc_score(rows["won"], rows[method]),
                "brier": brier_score_loss(rows["won"], rows[method]),
                "ece": ece / len(rows),
            }
        )
    return pd.DataFrame(out)


def calibration(rows: pd.DataFrame, method: str) -> pd.DataFrame:
    """Mean predicted vs observed win share by decile of the method's prediction (fewer bins
    when the method has fewer distinct values)."""
    ranks = rows[method].rank(method="first")
    bins = pd.qcut(ranks, q=min(CALIBRATION_BINS, rows[method].nunique() * 2), labels=False)
    grouped = rows.groupby(bins).agg(
        rows=("won", "size"), predicted=(method, "mean"), observed=("won", "mean")
    )
    return grouped.reset_index(drop=True)
