"""Fit the win-probability model on closed deals as they stood at each snapshot, or decline.

The model: one-hot attributes and stage (plus stage x customer type, so segment-specific stage
rates can be learnt), log-scaled behaviour counts, and an L2-regularised logistic regression
calibrated with a sigmoid (Platt) fitted on held-out folds (``CalibratedClassifierCV``, which
averages the fold models). Each deal weighs 1 in total, spread over
the snapshots it was open at, so long-running deals do not dominate.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import numpy as np
import pandas as pd
from sklearn.calibration import CalibratedClassifierCV
from sklearn.compose import ColumnTransformer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import Pipeline, make_pipeline
from sklearn.preprocessing import FunctionTransformer, OneHotEncoder, StandardScaler

from orchestration.scoring.features import CATEGORICAL, NUMERIC

REGULARISATION_C = 0.5  # inverse L2 strength of the logistic regression
CALIBRATION_FOLDS = 3
MIN_CATEGORY_ROWS = 20  # rarer categories share one "infrequent" column


@dataclass(frozen=True)
class Declined:
    """Too few closed deals to learn from: no model, and this says why."""

    reason: str
    closed_deals: int
    won_deals: int
    lost_deals: int


@dataclass(frozen=True)
class Fitted:
    model: Pipeline
    closed_deals: int
    won_deals: int
    lost_deals: int
    training_rows: int
    reference: dict[str, object]  # the "typical deal" the factors are measured against


def training_rows(frame: pd.DataFrame, cutoff: date) -> pd.DataFrame:
    """Rows a model trained on ``cutoff`` may use: snapshots up to the cutoff of deals whose
    outcome was known by then (closed on or before the cutoff)."""
    known = frame["outcome"].isin(["won", "lost"]) & (frame["closed_date"] <= cutoff)
    return frame[known & (frame["snapshot_date"] <= cutoff)]


def _with_segment_stage(frame: pd.DataFrame) -> pd.DataFrame:
    out = frame.copy()
    out["segment_stage"] = (
        out["customer_type"].astype(str)
        + "|"
        + out["sales_process"].astype(str)
        + "|"
        + out["stage_code"].astype(str)
    )
    return out


def build_pipeline() -> Pipeline:
    encode = ColumnTransformer(
        [
            (
                "categories",
                OneHotEncoder(
                    handle_unknown="infrequent_if_exist", min_frequency=MIN_CATEGORY_ROWS
                ),
                [*CATEGORICAL, "segment_stage"],
            ),
            (
                "counts",
                make_pipeline(FunctionTransformer(np.log1p), StandardScaler()),
                list(NUMERIC),
            ),
        ]
    )
    calibrated = CalibratedClassifierCV(
        LogisticRegression(C=REGULARISATION_C, max_iter=2000),
        method="sigmoid",
        cv=CALIBRATION_FOLDS,
    )
    return make_pipeline(FunctionTransformer(_with_segment_stage), encode, calibrated)


def reference_deal(rows: pd.DataFrame) -> dict[str, object]:
    """The most common value of each attribute and the median of each count (no pushes, no
    regressions: the typical deal has none)."""
    reference: dict[str, object] = {c: rows[c].mode().iloc[0] for c in CATEGORICAL}
    reference.update({c: float(rows[c].median()) for c in NUMERIC})
    return reference


def fit(rows: pd.DataFrame, min_closed_deals: int, min_per_outcome: int) -> Fitted | Declined:
    """Fit on ``rows`` (from :func:`training_rows`), or decline when too few deals closed."""
    deals = rows.drop_duplicates("opportunity_id")
    won = int((deals["outcome"] == "won").sum())
    lost = int((deals["outcome"] == "lost").sum())
    if won + lost < min_closed_deals or min(won, lost) < min_per_outcome:
        return Declined(
            f"{won + lost} closed deals ({won} won, {lost} lost) are known; the model needs at "
            f"least {min_closed_deals}, with at least {min_per_outcome} won and "
            f"{min_per_outcome} lost",
            won + lost,
            won,
            lost,
        )
    label = (rows["outcome"] == "won").to_numpy().astype(int)
    weight = 1.0 / rows.groupby("opportunity_id")["opportunity_id"].transform("size").to_numpy()
    model = build_pipeline()
    model.fit(rows, label, calibratedclassifiercv__sample_weight=weight)
    return Fitted(model, won + lost, won, lost, len(rows), reference_deal(rows))


def predict(model: Pipeline, rows: pd.DataFrame) -> np.ndarray:
    """P(won) for each row."""
    return np.asarray(model.predict_proba(rows)[:, 1], dtype=float)
