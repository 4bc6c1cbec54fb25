"""Training, declining, explaining and storing, on a synthetic world with a known rule
(tests/scoring/conftest.py: activities in the stage help, close-date pushes and government
hurt)."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from orchestration.scoring import store
from orchestration.scoring.explain import MINUS, factor_text, top_factors
from orchestration.scoring.train import Declined, Fitted, fit, predict, training_rows
from tests.scoring.conftest import synthetic_world


@pytest.fixture(scope="module")
def world() -> pd.DataFrame:
    return synthetic_world(3000, seed=3)


@pytest.fixture(scope="module")
def fitted(world: pd.DataFrame) -> Fitted:
    result = fit(world, min_closed_deals=200, min_per_outcome=30)
    assert isinstance(result, Fitted)
    return result


def test_declines_below_the_minimum_and_says_why(world: pd.DataFrame) -> None:
    result = fit(world.head(150), min_closed_deals=200, min_per_outcome=30)
    assert isinstance(result, Declined)
    won = int((world.head(150)["outcome"] == "won").sum())
    assert (result.closed_deals, result.won_deals) == (150, won)
    assert "150 closed deals" in result.reason and "at least 200" in result.reason
    few_won = pd.concat(
        [world[world.outcome == "lost"].head(400), world[world.outcome == "won"].head(5)]
    )
    assert isinstance(fit(few_won, 200, 30), Declined)


def test_training_rows_use_only_what_was_known_at_the_cutoff() -> None:
    frame = pd.DataFrame(
        {
            "opportunity_id": ["A", "A", "B", "C"],
            "snapshot_date": [
                date(2025, 1, 31),
                date(2025, 2, 28),
                date(2025, 1, 31),
                date(2025, 1, 31),
            ],
            "closed_date": [date(2025, 3, 5), date(2025, 3, 5), date(2025, 2, 10), None],
            "outcome": ["won", "won", "lost", "open"],
        }
    )
    # at 2025-02-28 only B had closed; A's outcome was not known yet, C never closed
    assert list(training_rows(frame, date(2025, 2, 28))["opportunity_id"]) == ["B"]
    # at 2025-03-31 A is known, at both snapshots
    assert list(training_rows(frame, date(2025, 3, 31))["opportunity_id"]) == ["A", "A", "B"]


def test_model_finds_the_true_rule_and_is_calibrated(fitted: Fitted, world: pd.DataFrame):
    fresh = synthetic_world(3000, seed=4)
    p = predict(fitted.model, fresh)
    won = (fresh["outcome"] == "won").to_numpy()
    # calibration: by quintile of prediction, mean prediction is near the observed share
    order = np.argsort(p)
    for part in np.array_split(order, 5):
        assert abs(p[part].mean() - won[part].mean()) < 0.06
    # the direction of each true effect
    busy = fresh.assign(strong_activities_in_stage=5.0, close_date_pushes=0.0)
    quiet = fresh.assign(strong_activities_in_stage=0.0, close_date_pushes=3.0)
    assert predict(fitted.model, busy).mean() > predict(fitted.model, quiet).mean() + 0.4


def test_top_factors_in_plain_words(fitted: Fitted) -> None:
    deal = synthetic_world(1, seed=9).assign(
        close_date_pushes=3.0,
        strong_activities_in_stage=2.0,
        customer_type="enterprise",
        stage_name_en="Negotiation",
        stage_name_zh="谈判",
    )
    (factors,) = top_factors(fitted.model, deal, fitted.reference, how_many=3)
    by_name = {f.name: f for f in factors}
    pushes = by_name["close_date_pushes"]  # the reference deal has the median, 1 or 2 pushes
    assert pushes.points < 0
    assert factor_text(pushes, "en") == f"3 close-date pushes: {MINUS}{-pushes.points} pts"
    assert factor_text(pushes, "zh") == f"预计成交日期推迟 3 次：{MINUS}{-pushes.points} 个百分点"
    assert len(factors) <= 3 and all(f.points != 0 for f in factors)
    assert abs(factors[0].points) >= abs(factors[-1].points)


def test_store_versions_and_the_pointer(fitted: Fitted, tmp_path: Path) -> None:
    first = store.save(tmp_path, fitted, date(2025, 3, 31))
    assert (
        first.version.startswith("wp-20250331-") and len(first.version) == len("wp-20250331-") + 8
    )
    backfill = store.save(tmp_path, fitted, date(2024, 12, 31), make_current=False)
    current = store.load_current(tmp_path)
    assert current is not None and current.version == first.version != backfill.version
    assert current.trained_on == date(2025, 3, 31)
    meta = json.loads((store.models_dir(tmp_path) / f"{first.version}.json").read_text())
    assert (meta["closed_deals"], meta["feature_version"]) == (fitted.closed_deals, "1")
    world = synthetic_world(50, seed=5)
    assert np.allclose(predict(current.model, world), predict(fitted.model, world))
    assert store.load_current(tmp_path / "elsewhere") is None
