"""The sales-ops scoring settings, ``definitions/scoring.yml`` (or ``$FUNNEL_SCORING_CONFIG``, a
path relative to the repository unless absolute)."""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import yaml

from ingestion.paths import REPO_ROOT

DEFAULT_PATH = REPO_ROOT / "definitions" / "scoring.yml"
PERIOD_MONTHS = {"month": 1, "quarter": 3, "year": 12}
# the standalone retraining schedule: 03:00 on the first day of each period
PERIOD_CRON = {"month": "0 3 1 * *", "quarter": "0 3 1 1,4,7,10 *", "year": "0 3 1 1 *"}


class ScoringConfigError(ValueError):
    """A bad value in the scoring settings file (the message names the file and key)."""


@dataclass(frozen=True)
class ScoringSettings:
    retrain_every: str = "quarter"
    min_closed_deals: int = 200
    min_per_outcome: int = 30
    backfill_months: int = 12
    top_factors: int = 3

    @property
    def retrain_cron(self) -> str:
        return PERIOD_CRON[self.retrain_every]

    def period_start(self, day: date) -> date:
        """The first day of the retraining period holding ``day``."""
        months = PERIOD_MONTHS[self.retrain_every]
        month = (day.month - 1) // months * months + 1
        return date(day.year, month, 1)


def settings_path() -> Path:
    configured = os.environ.get("FUNNEL_SCORING_CONFIG", "").strip()
    if not configured:
        return DEFAULT_PATH
    path = Path(configured)
    return path if path.is_absolute() else REPO_ROOT / path


def _positive_int(path: Path, block: dict[str, object], key: str, default: int) -> int:
    value = block.get(key, default)
    if not isinstance(value, int) or isinstance(value, bool) or value < 0:
        raise ScoringConfigError(f"{path}: win_probability.{key} must be a whole number >= 0")
    return value


def load_settings(path: Path | None = None) -> ScoringSettings:
    path = path or settings_path()
    if not path.exists():
        raise ScoringConfigError(f"{path}: scoring settings file not found")
    raw = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    block = raw.get("win_probability") if isinstance(raw, dict) else None
    if not isinstance(block, dict):
        raise ScoringConfigError(f"{path}: needs a `win_probability:` mapping")
    unknown = set(block) - set(ScoringSettings.__dataclass_fields__)
    if unknown:
        raise ScoringConfigError(f"{path}: unknown key(s) {', '.join(sorted(unknown))}")
    defaults = ScoringSettings()
    retrain_every = block.get("retrain_every", defaults.retrain_every)
    if retrain_every not in PERIOD_MONTHS:
        raise ScoringConfigError(
            f"{path}: win_probability.retrain_every must be one of "
            f"{', '.join(PERIOD_MONTHS)}, got {retrain_every!r}"
        )
    settings = ScoringSettings(
        retrain_every=str(retrain_every),
        min_closed_deals=_positive_int(path, block, "min_closed_deals", defaults.min_closed_deals),
        min_per_outcome=_positive_int(path, block, "min_per_outcome", defaults.min_per_outcome),
        backfill_months=_positive_int(path, block, "backfill_months", defaults.backfill_months),
        top_factors=_positive_int(path, block, "top_factors", defaults.top_factors),
    )
    if settings.top_factors < 1:
        raise ScoringConfigError(f"{path}: win_probability.top_factors must be at least 1")
    return settings
