"""The refresh's scoring steps: retrain when due (or decline), then score and backfill.

- :func:`train_if_due` retrains when no model is in service, when the features changed, or when
  the model in service was trained before the start of the retraining period (month, quarter or
  year, from the sales-ops settings) that holds the as-of date; ``force`` retrains regardless.
- :func:`score_all` scores every opportunity open at the end of the as-of date with the model in
  service, and backfills the month-end scores of the last ``backfill_months`` months, each with
  the model that would have been trained at the start of its retraining period (data up to the
  day before), so frozen forecasts can be compared with outcomes without hindsight.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

import duckdb
import pandas as pd

from orchestration.scoring import store
from orchestration.scoring.features import (
    FEATURE_VERSION,
    first_snapshot_date,
    load_features,
    month_ends,
)
from orchestration.scoring.score import ModelStatus, score_rows, stage_names, write_scores
from orchestration.scoring.settings import ScoringSettings
from orchestration.scoring.train import Declined, fit, training_rows

Log = Callable[[str], None]


@dataclass(frozen=True)
class TrainingResult:
    action: str  # trained, kept, declined
    version: str | None
    reason: str
    closed_deals: int = 0
    won_deals: int = 0
    lost_deals: int = 0


def history_frame(con: duckdb.DuckDBPyConnection, as_of: date) -> pd.DataFrame:
    """Feature rows at every month end from the first opportunity up to the as-of date."""
    first = first_snapshot_date(con)
    dates = month_ends(first, as_of) if first is not None else []
    return load_features(con, dates) if dates else load_features(con, [as_of]).iloc[0:0]


def _due(current: store.StoredModel | None, as_of: date, settings: ScoringSettings) -> str | None:
    if current is None:
        return "no model in service"
    if current.metadata.get("feature_version") != FEATURE_VERSION:
        return "the features changed"
    if current.trained_on < settings.period_start(as_of):
        return (
            f"the model was trained on {current.trained_on}, before this {settings.retrain_every} "
            f"began ({settings.period_start(as_of)})"
        )
    return None


def train_if_due(
    con: duckdb.DuckDBPyConnection,
    warehouse: Path,
    as_of: date,
    settings: ScoringSettings,
    force: bool = False,
    log: Log = print,
) -> TrainingResult:
    current = store.load_current(warehouse)
    why = "retraining was requested" if force else _due(current, as_of, settings)
    if why is None and current is not None:
        result = TrainingResult("kept", current.version, f"{current.version} is current")
    else:
        log(f"training the win-probability model as of {as_of}: {why}")
        fitted = fit(
            training_rows(history_frame(con, as_of), as_of),
            settings.min_closed_deals,
            settings.min_per_outcome,
        )
        if isinstance(fitted, Declined):
            kept = f"; {current.version} stays in service" if current else ""
            result = TrainingResult(
                "declined",
                current.version if current else None,
                fitted.reason + kept,
                fitted.closed_deals,
                fitted.won_deals,
                fitted.lost_deals,
            )
        else:
            stored = store.save(warehouse, fitted, as_of)
            result = TrainingResult(
                "trained",
                stored.version,
                f"trained on {fitted.training_rows} snapshot rows of {fitted.closed_deals} deals",
                fitted.closed_deals,
                fitted.won_deals,
                fitted.lost_deals,
            )
    log(f"win-probability model: {result.action} ({result.reason})")
    store.record_training(
        warehouse,
        {"as_of_date": as_of.isoformat(), **result.__dict__, "settings": settings.__dict__},
    )
    return result


def _point_in_time_model(
    warehouse: Path, frame: pd.DataFrame, cutoff: date, settings: ScoringSettings, log: Log
) -> store.StoredModel | None:
    """The model trained on the rows known at ``cutoff``: reused when those rows are unchanged
    since a previous refresh, else fitted and kept (not made current)."""
    rows = training_rows(frame, cutoff)
    rows_hash = store.fingerprint(rows)
    cached = store.load_backfill(warehouse, cutoff, rows_hash)
    if cached is not None:
        return cached
    fitted = fit(rows, settings.min_closed_deals, settings.min_per_outcome)
    if isinstance(fitted, Declined):
        log(f"backfill as of {cutoff}: declined ({fitted.reason})")
        return None
    model = store.save(warehouse, fitted, cutoff, make_current=False)
    store.remember_backfill(warehouse, model, rows_hash)
    return model


def _backfill(
    con: duckdb.DuckDBPyConnection,
    warehouse: Path,
    frame: pd.DataFrame,
    as_of: date,
    settings: ScoringSettings,
    names: pd.DataFrame,
    log: Log,
) -> list[pd.DataFrame]:
    snapshots = sorted({d for d in frame["snapshot_date"] if d < as_of}, reverse=True)
    snapshots = snapshots[: settings.backfill_months]
    out: list[pd.DataFrame] = []
    models: dict[date, store.StoredModel | None] = {}
    for snapshot in sorted(snapshots):
        cutoff = settings.period_start(snapshot) - timedelta(days=1)
        if cutoff not in models:
            models[cutoff] = _point_in_time_model(warehouse, frame, cutoff, settings, log)
        model = models[cutoff]
        if model is None:
            continue
        rows = frame[frame["snapshot_date"] == snapshot]
        out.append(
            score_rows(
                model.model,
                model.version,
                cutoff,
                model.reference,
                rows,
                names,
                settings.top_factors,
                is_backfilled=True,
            )
        )
    return out


def score_all(
    con: duckdb.DuckDBPyConnection,
    warehouse: Path,
    as_of: date,
    settings: ScoringSettings,
    log: Log = print,
) -> ModelStatus:
    """Score, backfill and write both scoring tables; return the status row written."""
    current = store.load_current(warehouse)
    names = stage_names(con)
    parts: list[pd.DataFrame] = []
    if current is None:
        last = store.last_training(warehouse)
        reason = (last or {}).get("reason") or "no model has been trained yet"
        status = ModelStatus(
            "declined",
            None,
            None,
            f"no scores: {reason}",
            int((last or {}).get("closed_deals") or 0),
            int((last or {}).get("won_deals") or 0),
            int((last or {}).get("lost_deals") or 0),
        )
    else:
        rows = load_features(con, [as_of])
        parts.append(
            score_rows(
                current.model,
                current.version,
                current.trained_on,
                current.reference,
                rows,
                names,
                settings.top_factors,
                is_backfilled=False,
            )
        )
        meta = current.metadata
        status = ModelStatus(
            "scored",
            current.version,
            current.trained_on,
            f"{len(rows)} open opportunities scored with {current.version}",
            int(meta["closed_deals"]),
            int(meta["won_deals"]),
            int(meta["lost_deals"]),
        )
    if settings.backfill_months:
        parts.extend(
            _backfill(con, warehouse, history_frame(con, as_of), as_of, settings, names, log)
        )
    parts = [p for p in parts if not p.empty]
    scores = pd.concat(parts, ignore_index=True) if parts else pd.DataFrame()
    write_scores(con, scores, status, as_of)
    log(f"scoring: {status.status}; {status.reason}; {len(scores)} score rows written")
    return status
