"""Versioned model artifacts under ``<warehouse>/models/win_probability/``.

Each trained model is ``<version>.joblib`` with ``<version>.json`` beside it (what it was trained
on, when, how many deals, the reference deal). ``current.json`` names the model in service and is
replaced atomically; ``last_training.json`` says what the last training did (trained, kept or
declined, and why). The version is ``wp-<training cutoff>-<first 8 hex of the artifact's
SHA-256>``, so the same data and code give the same version.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import joblib
import pandas as pd
import sklearn
from sklearn.pipeline import Pipeline

from orchestration.scoring.features import FEATURE_VERSION
from orchestration.scoring.train import Fitted

POINTER = "current.json"
LAST_TRAINING = "last_training.json"


@dataclass(frozen=True)
class StoredModel:
    version: str
    model: Pipeline
    metadata: dict[str, Any]

    @property
    def trained_on(self) -> date:
        return date.fromisoformat(self.metadata["trained_on"])

    @property
    def reference(self) -> dict[str, object]:
        return dict(self.metadata["reference"])


def models_dir(warehouse: Path) -> Path:
    return warehouse / "models" / "win_probability"


def _write_json(path: Path, payload: dict[str, Any]) -> None:
    tmp = path.with_suffix(path.suffix + ".tmp")
    tmp.write_text(json.dumps(payload, ensure_ascii=False, indent=2, default=str) + "\n", "utf-8")
    os.replace(tmp, path)


def save(
    warehouse: Path, fitted: Fitted, trained_on: date, make_current: bool = True
) -> StoredModel:
    """Write the artifact and its metadata, then (unless told not to) point ``current.json`` at
    it. Backfill models (trained as of a past period start) are kept but not made current."""
    folder = models_dir(warehouse)
    folder.mkdir(parents=True, exist_ok=True)
    buffer = io.BytesIO()
    joblib.dump(fitted.model, buffer)
    payload = buffer.getvalue()
    version = f"wp-{trained_on:%Y%m%d}-{hashlib.sha256(payload).hexdigest()[:8]}"
    (folder / f"{version}.joblib").write_bytes(payload)
    metadata: dict[str, Any] = {
        "version": version,
        "trained_on": trained_on.isoformat(),
        "trained_at": datetime.now(UTC).replace(tzinfo=None).isoformat(timespec="seconds"),
        "feature_version": FEATURE_VERSION,
        "scikit_learn": sklearn.__version__,
        "closed_deals": fitted.closed_deals,
        "won_deals": fitted.won_deals,
        "lost_deals": fitted.lost_deals,
        "training_rows": fitted.training_rows,
        "reference": {
            k: (v.item() if hasattr(v, "item") else v) for k, v in fitted.reference.items()
        },
    }
    _write_json(folder / f"{version}.json", metadata)
    if make_current:
        _write_json(folder / POINTER, {"version": version})
    return StoredModel(version, fitted.model, metadata)


def load_current(warehouse: Path) -> StoredModel | None:
    """The model in service, or None when none was ever trained (or its files are gone)."""
    folder = models_dir(warehouse)
    pointer = folder / POINTER
    if not pointer.exists():
        return None
    version = json.loads(pointer.read_text("utf-8"))["version"]
    artifact, meta = folder / f"{version}.joblib", folder / f"{version}.json"
    if not (artifact.exists() and meta.exists()):
        return None
    return StoredModel(version, joblib.load(artifact), json.loads(meta.read_text("utf-8")))


def fingerprint(rows: pd.DataFrame) -> str:
    """A hash of training rows (and the feature version): same rows, same model."""
    hashed = pd.util.hash_pandas_object(rows.reset_index(drop=True), index=False)
    return hashlib.sha256(hashed.to_numpy().tobytes() + FEATURE_VERSION.encode()).hexdigest()[:16]


def _backfill_pointer(warehouse: Path, trained_on: date, rows_hash: str) -> Path:
    return models_dir(warehouse) / f"backfill-{trained_on:%Y%m%d}-{rows_hash}.json"


def load_backfill(warehouse: Path, trained_on: date, rows_hash: str) -> StoredModel | None:
    """The point-in-time model already trained on exactly these rows, if any."""
    pointer = _backfill_pointer(warehouse, trained_on, rows_hash)
    if not pointer.exists():
        return None
    version = json.loads(pointer.read_text("utf-8"))["version"]
    folder = models_dir(warehouse)
    artifact, meta = folder / f"{version}.joblib", folder / f"{version}.json"
    if not (artifact.exists() and meta.exists()):
        return None
    return StoredModel(version, joblib.load(artifact), json.loads(meta.read_text("utf-8")))


def remember_backfill(warehouse: Path, model: StoredModel, rows_hash: str) -> None:
    _write_json(
        _backfill_pointer(warehouse, model.trained_on, rows_hash), {"version": model.version}
    )


def record_training(warehouse: Path, outcome: dict[str, Any]) -> None:
    folder = models_dir(warehouse)
    folder.mkdir(parents=True, exist_ok=True)
    _write_json(folder / LAST_TRAINING, outcome)


def last_training(warehouse: Path) -> dict[str, Any] | None:
    path = models_dir(warehouse) / LAST_TRAINING
    return json.loads(path.read_text("utf-8")) if path.exists() else None
